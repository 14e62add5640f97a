"""The catalog of downstream systems (``registry/systems.yaml``)."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field

from accessreg.model.base import (
    SEED_CITATION,
    SEED_CITATION_MAX,
    SYSTEM_ID,
    Day,
    Frozen,
    Role,
    Severity,
)
from accessreg.model.layout import folded
from accessreg.model.messages import Labelled, Named

ProviderId = Literal["tokyo_gas_network", "occto"]
CertificatePurpose = Literal["web", "api"]
# The applications of the seeds a pull request can amount to (``plan.model.Application``).
ApplicationKind = Literal[
    "usage_new",
    "usage_change",
    "usage_end",
    "permission_set",
    "permission_change",
    "permission_delete",
    "certificate_registration",
    "overseas_ip",
    "suspension",
]
# What a section is cited for: an application, or an OCCTO withdrawal, which is no
# application of its own (a usage change files it) and cites the end of use, not joining.
# Besides the applications: an OCCTO withdrawal; the periodic review of permissions a
# provider's terms ask of window persons (棚卸, 000 §5-6), which the inventory duty cites; and
# where its manual says a certificate is valid for two years, which the expiry notice cites.
SourceKind = Literal[ApplicationKind, "withdrawal", "inventory", "certificate_validity"]
# The seed sections an application cites, 「002 §3.2.1, §3.3」: nothing else, as the outputs
# show it as their own words (``base.SEED_CITATION``).
Citation = Annotated[str, Field(pattern=SEED_CITATION, max_length=SEED_CITATION_MAX)]
# The seed section each application has in a provider's (or a system's own) terms.
Sources = dict[SourceKind, Citation]


class PermissionCode(Frozen):
    code: str = Field(min_length=1, description="The code as the system knows it, a string.")
    label: str = Field(min_length=1, description="Japanese label, as on the application form.")
    label_en: str | None = None
    roles: tuple[Role, ...] = Field(
        default=(), description="Operator roles that allow this code (any of); empty: the system's."
    )
    abolished_on: Day | None = Field(default=None, description="From this day the code is refused.")
    replaced_by: str | None = Field(default=None, description="The code its holders moved to.")
    issued_once: bool = Field(
        default=False,
        description="The system's operator issues an ID of this code new only once per "
        "operator and role (002 §3.2.1): issuing it again needs a maintainer's recorded reason.",
    )
    includes: tuple[str, ...] = Field(
        default=(),
        description="Codes of the same system whose access this one holds too (an admin ID "
        "holds its role's user ID, 002 §2.2.1, §2.2.2): a change to one of them narrows "
        "access. Codes not ranked so are each other's equals, and a change between them "
        "widens it.",
    )


class Limit(Frozen):
    """How many users of one operator may (at most) or must (at least) hold a code.

    A minimum applies once the operator is approved for the system and holds a role the
    code allows: it is counted per operator.
    """

    code: str
    max_per_operator: int | None = Field(default=None, ge=1)
    min_per_operator: int | None = Field(default=None, ge=1)
    severity: Severity
    source: str | None = Field(default=None, description="Seed section the limit comes from.")


class Timing(Frozen):
    """When a change takes effect, counted from the day its application is keyed on (the
    acceptance of a new user or certificate, the entry of a change or deletion) or from the
    processing day M of that day's batch."""

    start: Literal["accepted", "processing_day", "manual"] = Field(
        description="accepted: the day the application is keyed on (acceptance for a new "
        "user, entry for a change or deletion); processing_day: the batch day M of that day; "
        "manual: after a manual step of the system operator (no date)."
    )
    business_days: int = Field(default=0, ge=0)
    days: int = Field(default=0, ge=0, description="Calendar days, added after business days.")


class SystemTiming(Frozen):
    add: Timing | None = None
    change: Timing | None = None
    remove: Timing | None = None


class Derivation(Frozen):
    """A permission the system operator grants by itself; it is never applied for."""

    kind: Literal["users_of", "window_persons"]
    systems: tuple[str, ...] = Field(default=(), description="For users_of: any of these.")


class CertificateUse(Frozen):
    """How a system authenticates clients with EPPCERT certificates (000 §4-1, 001 p46)."""

    purposes: tuple[CertificatePurpose, ...] = Field(
        min_length=1, description="The certificate purposes the system accepts."
    )
    required: bool = Field(
        default=False,
        description="The operator needs a registered certificate before it applies for the "
        "system (002 §3.1).",
    )
    api_per_operator: int | None = Field(
        default=None, ge=1, description="At most this many valid API certificates per operator."
    )
    source: str | None = Field(default=None, description="Seed section of these conditions.")


class System(Frozen):
    id: str = Field(pattern=SYSTEM_ID)
    name_ja: str
    name_en: str
    provider: ProviderId
    level: Literal["user", "operator"] = Field(
        default="user",
        description="user: users hold permission codes; operator: the operator as a whole uses "
        "it (the wheeling API), no user holds a code.",
    )
    roles: tuple[Role, ...] = Field(
        default=(), description="Operator roles that allow the system (any of); empty: any role."
    )
    approvable: bool = Field(
        default=False,
        description="The provider may approve an operator without the roles "
        "(「その他当社が必要と認めた事業者」, 000 §2-2).",
    )
    occto_member_roles: tuple[Role, ...] = Field(
        default=(),
        description="Using the system through one of these roles needs OCCTO membership "
        "(002 §2.1.1 ①).",
    )
    needs_operator_code: bool = Field(
        default=True,
        description="False: an applicant without an operator code yet may use it (the OCCTO "
        "member system's provisional application, 003 §2.2).",
    )
    ends_with_membership: bool = Field(
        default=False,
        description="True: its contract ends with the OCCTO membership (the member system, "
        "003 §2.7.1); a withdrawn member keeps it no more.",
    )
    form: Literal["code", "presence", "label"] = Field(
        default="code",
        description="code: forms and import files show the code; presence: あり / なし, as on "
        "the seed's form (000 §5-1 ①); label: the codes are the catalog's own keys, not a "
        "form's, so forms, mails and the plan show the label alone, in the seeds' words "
        "(管理者ID / ユーザID, 002 §3.2, §3.3), and import files the key.",
    )
    codes: tuple[PermissionCode, ...] = ()
    limits: tuple[Limit, ...] = ()
    derived: Derivation | None = None
    timing: SystemTiming | None = None
    certificates: CertificateUse | None = Field(
        default=None,
        description="Client certificates the reverse proxy checks; absent: IDs and passwords "
        "only (the OCCTO member system, 003).",
    )
    overseas_block: bool = Field(
        default=False,
        description="Access from outside Japan is blocked except allowlisted fixed addresses "
        "(000 §2-8).",
    )
    desk: str | None = Field(
        default=None,
        description="The desk its applications go to, where it is not its provider's: "
        "OCCTO's member system is applied for to OCCTO itself (本機関, 003 §2.2, §3.1), "
        "not to the switching support system's help desk (001 p13-15).",
    )
    sources: Sources | None = Field(
        default=None,
        description="The seed sections of its applications where the system has terms of "
        "its own (OCCTO's member system, 003); absent: its provider's.",
    )
    url: str | None = None
    pages: tuple[str, ...] = Field(
        default=(),
        description="The info-sharing site's page per system: each is shown only to users of "
        "operators that use that system (000 §7-2).",
    )

    @cached_property
    def code_map(self) -> dict[str, PermissionCode]:
        return {c.code: c for c in self.codes}

    def needs_membership(self, code: str) -> bool:
        """``code`` is held only through roles that need OCCTO membership (the switching
        support system's retailer IDs, 002 §2.1.1 ①(イ)): a role is applied for on its own
        (「それぞれの区別に応じて」), so another role of the operator does not carry it."""
        pc = self.code_map.get(code)
        return pc is not None and bool(pc.roles) and set(pc.roles) <= set(self.occto_member_roles)

    def members_only_for(self, roles: Iterable[str]) -> bool:
        """An operator of ``roles`` uses this system only through roles that need OCCTO
        membership (an electricity retailer alone, on the switching support system: 002
        §2.1.1 ①(イ)); one that also holds another role the system takes keeps it for that."""
        through = set(roles) & set(self.roles or roles)
        return bool(through) and through <= set(self.occto_member_roles)

    @property
    def user_level(self) -> bool:
        """Users apply for a code of it (not derived, not operator-level)."""
        return self.derived is None and self.level == "user"

    def shown(self, code: str | None) -> str:
        """A permission as import files show it: the code (a key, for ``label``), or
        あり / なし."""
        if self.form == "presence":
            return "あり" if code else "なし"
        return code or ""

    @property
    def named(self) -> Named:
        """Its id as a message shows it (``Catalog.named``)."""
        return Named(self.id, self.name_ja)

    @property
    def titled(self) -> Named:
        """Its id as a table or a help page titles it (``Catalog.titled``): by its name in
        either language, 託送システム（taxis） in Japanese, Wheeling system (TAXIS) in English."""
        return Named(self.id, self.name_ja, self.name_en)

    def narrows(self, was: str | None, now: str | None) -> bool:
        """Whether a permission changed from ``was`` to ``now`` only takes access away: it
        is taken away, or ``now`` is a code ``was`` includes (an admin stepping down to its
        role's user ID). Anything else widens access and is reviewed as a grant: plan,
        authorize and the notices read this one rule."""
        if now is None:
            return True
        held = self.code_map.get(was) if was is not None else None
        return held is not None and now in held.includes

    def labelled(self, code: str) -> Labelled:
        """A permission code as a message shows it: with its label as on the form,
        「1110（委託先事業者）」, or the label alone where the form shows no code (あり / なし;
        管理者ID（需要抑制契約者）, ``form: label``); a code the catalog lacks, alone."""
        pc = self.code_map.get(code)
        if pc is None:
            return Labelled(code)
        return Labelled(code, pc.label, pc.label_en or "", self.form != "code")

    def choice(self, code: PermissionCode) -> str:
        """A code as an issue form offers it: 「1011：更新権限あり」 as on the seed's form
        (000 §5-1 ①), あり, or the label alone where the code is the catalog's key."""
        if self.form == "presence":
            return self.shown(code.code)
        return code.label if self.form == "label" else f"{code.code}：{code.label}"


class Provider(Frozen):
    """A system operator: its desk, who registers what it accepts, and how long its
    applications take."""

    id: ProviderId
    name_ja: str
    desk: str = Field(
        description="The reception desk applications go to, unless a system names its own."
    )
    registrar: str | None = Field(
        default=None,
        description="Who does the registration work an application waits for, where it is "
        "not the desk that received it (Tokyo Gas Network's システム運営部門, 000 §3-1 ⑤, "
        "§5-1 ⑨); absent: that desk (OCCTO's help desk registers what it receives, 001 p13).",
    )
    login_ids: Literal["per_person", "per_system"] = Field(
        default="per_person",
        description="Where a person's login ID is good: per_person, one ID across all of "
        "the provider's systems (Tokyo Gas Network's: a person new to them is set up, 000 "
        "§5-1; another of them for a person set up is a change, §5-2); per_system, an ID "
        "of each system, issued new for it (OCCTO's: the switching admin ID it issues and "
        "the user IDs the admin issues, 002 §3.2.1, §3.3; the member system's, 003 §3.1, "
        "§3.2).",
    )
    schedule_note: str | None = Field(
        default=None,
        description="What an acceptance notice says of the users' dates it announces "
        "counted from the processing day, in the provider's words (000 §5-1: a standard "
        "schedule that may slip); absent: nothing.",
    )
    result_notice: str | None = Field(
        default=None,
        description="What the notice of a registration done is called, where the provider "
        "names it (OCCTO's help desk returns the application's result, 申請結果返送, 001 p13); "
        "absent: Tokyo Gas Network's words, 利用開始周知 for a grant, 手続き完了通知 else.",
    )
    certificate_registration: Timing | None = Field(
        default=None, description="When a registered client certificate becomes usable."
    )
    ip_registration: Timing | None = Field(
        default=None,
        description="When an allowlisted overseas IP address is let through, counted from "
        "its acceptance (000 §2-8 gives no batch).",
    )
    usage_application: Timing | None = Field(
        default=None,
        description="When a usage application (new, change, termination: operators, window "
        "persons, subcontractors) is completed.",
    )
    review_business_days: int | None = Field(
        default=None,
        ge=0,
        description="An application is reviewed by this many business days after it was "
        "filed (000 §3-1 ②: 翌々営業日).",
    )
    certificate_renewal: tuple[str, ...] = Field(
        default=(),
        description="The steps of renewing a client certificate, as the expiry notice lists "
        "them, in the words of the forms a window person files.",
    )
    sources: Sources = Field(
        default_factory=dict,
        description="The seed section of each application in the provider's own terms, "
        "which an application of its systems cites; an application it has none for cites "
        "no section.",
    )


class Catalog(Frozen):
    providers: tuple[Provider, ...] = Field(min_length=1)
    systems: tuple[System, ...] = Field(min_length=1)

    @cached_property
    def by_id(self) -> dict[str, System]:
        return {s.id: s for s in self.systems}

    def named(self, system_id: str) -> Named:
        """``system_id`` as a message shows it: in Japanese, with the system's name on the
        forms (an id the catalog lacks, alone)."""
        system = self.by_id.get(system_id)
        return system.named if system is not None else Named(system_id, "")

    def titled(self, system_id: str) -> Named:
        """``system_id`` by its name in the reader's language (``System.titled``); an id the
        catalog lacks, alone."""
        system = self.by_id.get(system_id)
        return system.titled if system is not None else Named(system_id, "")

    def narrows(self, system_id: str, was: str | None, now: str | None) -> bool:
        """Whether ``was`` → ``now`` of ``system_id`` only takes access away
        (``System.narrows``); a system the catalog lacks only by its removal."""
        system = self.by_id.get(system_id)
        return system.narrows(was, now) if system is not None else now is None

    def labelled(self, system_id: str, code: str) -> Labelled:
        """``code`` of ``system_id`` as a message shows it (``System.labelled``)."""
        system = self.by_id.get(system_id)
        return system.labelled(code) if system is not None else Labelled(code)

    @cached_property
    def provider_map(self) -> dict[str, Provider]:
        return {p.id: p for p in self.providers}

    @cached_property
    def batched_providers(self) -> frozenset[str]:
        """The providers that process applications in batches on a processing day M: those
        a timing of their own or of one of their systems counts from M (Tokyo Gas Network,
        000 §4-2, §5-1). OCCTO's seeds give its systems no M: its steps are manual or at
        once (001 p13, 002 §3.3)."""
        found = set()
        for provider in self.providers:
            own = (
                provider.certificate_registration,
                provider.ip_registration,
                provider.usage_application,
            )
            if any(t is not None and t.start == "processing_day" for t in own):
                found.add(provider.id)
        for system in self.systems:
            timing = system.timing
            kinds = (timing.add, timing.change, timing.remove) if timing is not None else ()
            if any(t is not None and t.start == "processing_day" for t in kinds):
                found.add(system.provider)
        return frozenset(found)

    def batched(self, system_id: str) -> bool:
        """Whether ``system_id``'s changes fall into batches of a processing day M."""
        system = self.by_id.get(system_id)
        return system is not None and system.provider in self.batched_providers

    def batches(self, systems: Iterable[str]) -> bool:
        """Whether an application concerning ``systems`` is the centre's, counted by its
        calendar and falling into its batch M (``Dates.acceptance``): one naming a batched
        system, or none at all. M and calendar.yaml are Tokyo Gas Network's (000 §5-1): one
        of OCCTO's systems alone is neither."""
        named = list(systems)
        return not named or any(self.batched(s) for s in named)

    def role_gates(self, system_id: str, code: str) -> tuple[frozenset[str], ...]:
        """The sets of operator roles of each of which an operator must hold one for a
        permission of ``code`` of ``system_id``: the system's, the code's (000 §2-2, §5-1
        【注６】【注７】, as ``rules.permissions`` checks them); none where any role does."""
        system = self.by_id.get(system_id)
        if system is None:
            return ()
        held = system.code_map.get(code)
        gates = (system.roles, held.roles if held is not None else ())
        return tuple(frozenset(g) for g in gates if g)

    def issued_once(self, system_id: str, code: str) -> bool:
        """Whether ``code`` of ``system_id`` is issued new only once (an admin ID, 002
        §3.2.1)."""
        system = self.by_id.get(system_id)
        held = system.code_map.get(code) if system is not None else None
        return held is not None and held.issued_once

    def ends_with_membership(
        self, system_id: str, roles: Iterable[str] = (), code: str | None = None
    ) -> bool:
        """Whether an operator of ``roles`` loses ``system_id``, or ``code`` of it, with its
        OCCTO membership: a system whose contract ends with it (003 §2.7.1), one the operator
        uses only as a member, or a code only a member holds (002 §2.1.1 ①(イ)). Until the
        membership is lost the operator is a member, so all of it ends on that one day."""
        system = self.by_id.get(system_id)
        if system is None:
            return False
        if system.ends_with_membership or system.members_only_for(roles):
            return True
        return code is not None and system.needs_membership(code)

    def desk_of(self, system: System) -> str:
        """The desk ``system``'s applications go to: its own, or its provider's (a
        provider the catalog does not list, by its id)."""
        provider = self.provider_map.get(system.provider)
        return system.desk or (provider.desk if provider is not None else system.provider)

    def registrar_of(self, system: System) -> str:
        """Who does the registration work of ``system``'s applications."""
        provider = self.provider_map.get(system.provider)
        registrar = provider.registrar if provider is not None else None
        return registrar or self.desk_of(system)

    def desks(self, system_ids: Iterable[str]) -> list[str]:
        """The desks the systems named go to, each once, in catalog order."""
        ids = set(system_ids)
        return list(dict.fromkeys(self.desk_of(s) for s in self.systems if s.id in ids))

    def registrars(self, system_ids: Iterable[str]) -> list[str]:
        """Who registers for the systems named, each once, in catalog order."""
        ids = set(system_ids)
        return list(dict.fromkeys(self.registrar_of(s) for s in self.systems if s.id in ids))

    def providers_of(self, system_ids: Iterable[str]) -> list[Provider]:
        """The providers of the systems named, in catalog order."""
        ids = set(system_ids)
        wanted = {s.provider for s in self.systems if s.id in ids}
        return [p for p in self.providers if p.id in wanted]

    def terms_of(self, system_id: str) -> str:
        """The terms of use ``system_id`` is used under: its own where it has them (the
        member system, 003), else its provider's (one contract for all of Tokyo Gas
        Network's systems, 000 §3-1; the switching support system's, 002 §2.1.2); a system
        the catalog lacks, its own."""
        system = self.by_id.get(system_id)
        if system is None or system.sources is not None:
            return system_id
        return system.provider

    def taken_up(self, before: Iterable[str], after: Iterable[str]) -> frozenset[str]:
        """The systems of ``after`` under terms none of ``before`` is used under: an
        operator taking them up files that provider's new usage application (利用申請（新規）:
        000 §3-1; OCCTO's, 002 §2.1.1), not a change of one it has (000 §3-2)."""
        held = {self.terms_of(s) for s in before}
        return frozenset(s for s in after if self.terms_of(s) not in held)

    def id_scope(self, system_id: str) -> str:
        """What a login ID of ``system_id`` is good for (``Provider.login_ids``): the
        provider's systems, by its id, or the system alone, by its own; a system the catalog
        lacks, alone."""
        system = self.by_id.get(system_id)
        if system is None:
            return system_id
        provider = self.provider_map.get(system.provider)
        if provider is None or provider.login_ids == "per_system":
            return system_id
        return system.provider

    def new_ids(self, held: Iterable[str], granted: Iterable[str]) -> frozenset[str]:
        """The systems of ``granted`` on which a person holding permissions of ``held`` is
        issued an ID new to them (``id_scope``): that provider's permission set (000 §5-1;
        002 §3.2.1, §3.3; 003 §3.1, §3.2), not a change of an ID they have (000 §5-2)."""
        scopes = {self.id_scope(s) for s in held}
        return frozenset(s for s in granted if self.id_scope(s) not in scopes)

    def sources_of(self, system: System) -> Sources:
        """The sections ``system``'s applications cite: its own terms', or its provider's."""
        if system.sources is not None:
            return system.sources
        provider = self.provider_map.get(system.provider)
        return provider.sources if provider is not None else {}

    def citation(self, kind: SourceKind, system_ids: Iterable[str]) -> str:
        """The seed sections an application of ``kind`` concerning the systems named cites:
        each system's (``sources_of``) once, in catalog order, joined with commas. Where none
        of them has one, their providers' (the member system's terms give no certificate:
        OCCTO's do, 002 §3.1). An application concerning no system cites the first system's
        in the catalog that has one; one whose providers' terms give it none cites nothing:
        another provider's manual is not the document its desk works by; "" then."""
        ids = set(system_ids)
        found = [src for s in self.systems if s.id in ids if (src := self.sources_of(s).get(kind))]
        if not found:
            theirs = {s.provider for s in self.systems if s.id in ids}
            found = [src for p in self.providers if p.id in theirs if (src := p.sources.get(kind))]
        if not found and not ids:
            found = [src for s in self.systems if (src := self.sources_of(s).get(kind))][:1]
        return ", ".join(dict.fromkeys(found))

    @cached_property
    def applied_systems(self) -> tuple[System, ...]:
        """The systems an operator applies for (users' or its own), in catalog order."""
        return tuple(s for s in self.systems if s.derived is None)

    @cached_property
    def derived_systems(self) -> tuple[System, ...]:
        """The systems whose permission the system operator grants by itself (never applied
        for), in catalog order."""
        return tuple(s for s in self.systems if s.derived is not None)

    def consoles_of(self, systems: Iterable[str]) -> frozenset[str]:
        """The permission-management systems the window persons of an operator using
        ``systems`` get (derived ``window_persons``): those of the providers of its own
        systems (000 §3-1 ⑥), none of one whose systems it does not use."""
        providers = {
            s.provider for sid in systems if (s := self.by_id.get(sid)) and s.derived is None
        }
        return frozenset(
            s.id
            for s in self.derived_systems
            if s.derived is not None
            and s.derived.kind == "window_persons"
            and s.provider in providers
        )

    @cached_property
    def reached_through(self) -> tuple[tuple[str, frozenset[str]], ...]:
        """Each system reached through others (``users_of``), with those others."""
        return tuple(
            (s.id, frozenset(s.derived.systems))
            for s in self.derived_systems
            if s.derived is not None and s.derived.kind == "users_of"
        )

    def brought_by(self, held: Collection[str]) -> frozenset[str]:
        """The systems a holder of ``held`` reaches through them (``users_of``: the
        info-sharing site, for the users of any of its sources, 000 §7-2), in no order.
        Every output that derives them reads this one rule."""
        return frozenset(
            sid for sid, sources in self.reached_through if not sources.isdisjoint(held)
        )

    @cached_property
    def user_systems(self) -> tuple[System, ...]:
        """The systems whose codes users hold and apply for: not derived, not used by the
        operator as a whole (the 託送API), in catalog order."""
        return tuple(s for s in self.systems if s.user_level)


def system_named(catalog: Catalog | None, system_id: str) -> Named:
    """``Catalog.named``, or the key alone where no catalog is at hand (it did not load)."""
    return catalog.named(system_id) if catalog is not None else Named(system_id, "")


def system_key(value: str, keys: Iterable[str], catalog: Catalog | None = None) -> str | None:
    """The one of ``keys`` (system ids an option takes) that ``value`` names, or None: an id in
    any letter case or width (``TAXIS`` is ``taxis``), or, with ``catalog``, the system's name
    on the forms, alone or with its id as the forms list it (``託送システム``,
    ``託送システム（taxis）``), where that name is one system's alone. Every option that takes
    a system reads it through here."""
    keys = list(keys)
    wanted = folded(value)
    same = [k for k in keys if folded(k) == wanted]
    if same:
        return same[0]
    if catalog is None:
        return None
    named = {
        k
        for k in keys
        if (system := catalog.by_id.get(k)) is not None
        and wanted in (folded(system.name_ja), folded(system.named.japanese))
    }
    return named.pop() if len(named) == 1 else None


def closest_system(value: str, keys: Iterable[str]) -> str | None:
    """The id of ``keys`` a mistyped ``value`` most likely meant (``taxsi``: ``taxis``)."""
    guess = difflib.get_close_matches(folded(value), list(keys), n=1, cutoff=0.6)
    return guess[0] if guess else None
