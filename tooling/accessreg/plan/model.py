"""The change set of a pull request as data: what it applies for, item by item.

A plan is computed from two registry snapshots (``plan.diff``) and rendered elsewhere
(``plan.render_*``). Every item says which application of the seeds it amounts to, whether it
widens access (grant), takes some away (revoke), only steps a login ID down to a code its
old one includes (narrow), or changes records, and when it takes effect.

Items keep the models they were computed from (``before``/``after``) for the code that acts
on a plan (provisioning, notices); renderers show only what a reviewer needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal, get_args

from accessreg.model import (
    Catalog,
    Certificate,
    Contact,
    IpAllowEntry,
    Operator,
    Subcontractor,
    User,
)
from accessreg.model.catalog import ApplicationKind, SourceKind
from accessreg.model.changes import ChangeKind
from accessreg.model.messages import Message
from accessreg.model.removal import Removal
from accessreg.timeline.effective import Effective, Known, processing_days

# Fields holding source models: kept for the code that acts on a plan, never rendered.
NOT_RENDERED: dict[str, Any] = {"render": False}


# The fields that say who an ID or an operator is: changed, the ID is another person's or
# the operator another's in its records (one ID, one natural person: 002 §3.3, 001 p46), which
# no reviewer takes as merely narrowing access.
IDENTIFYING_FIELDS = frozenset({"name", "name_kana", "affiliation"})


class Direction(StrEnum):
    GRANT = "grant"  # widens access
    REVOKE = "revoke"  # takes access away: a permission, an ID, a certificate, a suspension
    # A code changed to one the old one includes (``System.narrows``: an admin ID to its
    # role's user ID, 002 §2.2): the ID stays, with less. A 利用権限の変更申請, no deletion.
    NARROW = "narrow"
    NEUTRAL = "neutral"  # changes records, not access (a phone number, a memo)

    @property
    def narrows(self) -> bool:
        """Whether it takes access away, all of it (revoke) or some (narrow): what *revoke
        only* and the fast track read."""
        return self in (Direction.REVOKE, Direction.NARROW)


class Application(StrEnum):
    """The applications of the seeds a pull request can amount to."""

    USAGE_NEW = "usage_new"
    USAGE_CHANGE = "usage_change"
    USAGE_END = "usage_end"
    PERMISSION_SET = "permission_set"
    PERMISSION_CHANGE = "permission_change"
    PERMISSION_DELETE = "permission_delete"
    CERTIFICATE = "certificate_registration"
    OVERSEAS_IP = "overseas_ip"
    SUSPENSION = "suspension"

    @property
    def label(self) -> str:
        return _APPLICATION_LABELS[self]

    @property
    def kind(self) -> ApplicationKind:
        """Its key in the catalog's seed sections (``Catalog.citation``)."""
        return KINDS[self]

    @classmethod
    def of_label(cls, label: str) -> Application | None:
        """The application whose ``label`` this is (the state records the labels, a
        suspension's as ``OperatorPlan.label_of`` titles it)."""
        if label in (SUSPENDING, LIFTING):
            return cls.SUSPENSION
        return next((app for app, name in _APPLICATION_LABELS.items() if name == label), None)


# The seed section each cites depends on the systems it concerns: the catalog holds them
# per provider (``Catalog.citation``, ``OperatorPlan.citations``).
_APPLICATION_LABELS: dict[Application, str] = {
    Application.USAGE_NEW: "利用申請（新規）",
    Application.USAGE_CHANGE: "利用申請（変更）",
    Application.USAGE_END: "利用申請（終了）",
    Application.PERMISSION_SET: "利用権限の設定申請",
    Application.PERMISSION_CHANGE: "利用権限の変更申請",
    Application.PERMISSION_DELETE: "利用権限の抹消申請",
    Application.CERTIFICATE: "クライアント証明書登録申請",
    Application.OVERSEAS_IP: "海外IPアドレスの許可申請",
    Application.SUSPENSION: "利用の停止・停止解除",
}
# A suspension application of one kind only (``suspension_label``).
SUSPENDING, LIFTING = "利用の停止", "停止解除"


def suspension_label(stops: Iterable[bool]) -> str:
    """A suspension application's label from whether each suspension it makes stops (True)
    or lifts one (False): 利用の停止 when it only stops, 停止解除 when it only lifts (001
    p46), both names when it does both. What a plan's items (``OperatorPlan.label_of``) or,
    where there is no plan, a step's rows (``provision.notices.kinds``) tell."""
    found = set(stops)
    if len(found) == 1:
        return SUSPENDING if found == {True} else LIFTING
    return _APPLICATION_LABELS[Application.SUSPENSION]


KINDS: dict[Application, ApplicationKind] = {
    app: kind for app in Application for kind in get_args(ApplicationKind) if kind == app.value
}


def _kept_value() -> Any:
    # Defined out of FieldChange, whose own ``field`` hides dataclasses' there.
    return field(default=None, repr=False, compare=False, metadata=NOT_RENDERED)


@dataclass(frozen=True)
class FieldChange:
    """One field's old and new value, as text. ``personal`` values are not rendered."""

    field: str
    old: str | None
    new: str | None
    personal: bool = False
    # The values themselves (not kept for a personal field), which the renderers put in
    # words: systems and roles by name, a suspension in a phrase. The JSON has the text.
    was: object = _kept_value()
    now: object = _kept_value()


@dataclass(frozen=True, slots=True)  # one per user and system a plan changes
class Effect:
    """One system's permission before and after, and when the change takes effect."""

    system: str
    old: str | None
    new: str | None
    direction: Direction
    effective: Effective

    @property
    def fields_only(self) -> bool:
        """The code stays: only the user's own fields the system's row carries change (a
        name, its reading, the memo), dated as a change of the permission (000 §5-2)."""
        return self.old == self.new


@dataclass(frozen=True, slots=True)
class SuspendedUse:
    """An operator's use of one system suspended (``suspended``) or its suspension lifted,
    and when (002 §2.6, §3.4.4): each suspension takes effect on its own day."""

    system: str
    suspended: bool
    effective: Effective


@dataclass(frozen=True, slots=True)
class EndedUse:
    """An operator's use of one system that ends with its OCCTO membership, on the
    withdrawal's day (003 §2.7.1, 002 §2.1.1 ①(イ)): until then its certificates reach the
    system, as its users' IDs do."""

    system: str
    effective: Effective


@dataclass(frozen=True, slots=True)  # one per user a plan changes
class Person:
    """Who an item concerns: the e-mail (the login ID) and the name, nothing more."""

    email: str
    name: str


Subject = Literal["operator", "user", "window_person", "subcontractor", "certificate", "allowed_ip"]


@dataclass(frozen=True, kw_only=True)
class Item:
    """One change of one thing. ``effective`` is the item's own date where it has one."""

    operator: str
    application: Application
    action: ChangeKind
    direction: Direction
    fields: tuple[FieldChange, ...] = ()
    effects: tuple[Effect, ...] = ()
    effective: Effective | None = None

    subject: Subject = field(init=False, default="operator")

    @property
    def key(self) -> str:
        raise NotImplementedError

    @property
    def renames(self) -> bool:
        """Whether it changes who the ID or the operator is (``IDENTIFYING_FIELDS``), with
        whatever it takes away: no fast track (``Plan.revoke_only``)."""
        return any(f.field in IDENTIFYING_FIELDS for f in self.fields)


@dataclass(frozen=True, kw_only=True)
class OperatorChange(Item):
    """Registered (add), changed field by field, or terminated (remove)."""

    code: str
    name: str
    ending_users: tuple[Person, ...] = ()  # a termination ends every user's access
    suspensions: tuple[SuspendedUse, ...] = ()  # systems suspended or lifted, each dated
    # The systems an OCCTO withdrawal takes from the operator, on its day (``left_with_membership``)
    membership_ends: tuple[EndedUse, ...] = field(default=(), metadata=NOT_RENDERED)
    # The terms of use (``Catalog.terms_of``) whose systems this part of a usage change
    # adds or gives up, each part dated by its own desk (``plan.diff._Differ.by_terms``);
    # None: a whole change, or its part of the common terms.
    part: str | None = None
    before: Operator | None = field(default=None, repr=False, compare=False, metadata=NOT_RENDERED)
    after: Operator | None = field(default=None, repr=False, compare=False, metadata=NOT_RENDERED)
    subject: Subject = field(init=False, default="operator")

    @property
    def key(self) -> str:
        return self.code

    def part_desks(self, catalog: Catalog) -> list[str]:
        """The desks one terms' part of a usage change (``part``) is filed with: those of
        the systems it adds or gives up; none for a whole change."""
        was, now = self.before, self.after
        if self.part is None or was is None or now is None:
            return []
        return catalog.desks(set(was.systems) ^ set(now.systems))

    @property
    def takes_up(self) -> frozenset[str]:
        """The systems a usage application (new) of an operator registered before takes up,
        under terms new to it (``Catalog.taken_up``): its date is theirs, each recorded on
        its own (``provision.merges.dates_of``), apart from its usage change's."""
        was, now = self.before, self.after
        if self.application is not Application.USAGE_NEW or was is None or now is None:
            return frozenset()
        return frozenset(now.systems) - set(was.systems)

    @property
    def added_uses(self) -> list[str]:
        """The systems a usage change (000 §3-2) or a provider's usage application new to an
        operator registered before (000 §3-1; OCCTO's, 002 §2.1.1) adds to it, none it
        suspends in the same change, each from the change's day: its certificates reach
        them (``provision.bundle.Admitted.uses``) and its users' permissions of them are
        keyed (``Dates.permission``) no earlier. A new operator's use begins with its
        registration, which its own records date."""
        was, now = self.before, self.after
        if was is None or now is None or self.effective is None:
            return []
        stopped = {u.system for u in self.suspensions}
        return sorted(set(now.systems) - set(was.systems) - stopped)

    @property
    def added_roles(self) -> list[str]:
        """The roles a usage change adds to its operator (000 §3-2), from the change's day:
        its users' permissions only those roles allow are keyed no earlier
        (``Dates.permission``, 000 §5-1 【注６】【注７】)."""
        was, now = self.before, self.after
        if was is None or now is None or self.effective is None:
            return []
        return sorted(set(now.roles) - set(was.roles))

    @property
    def given_up_roles(self) -> list[str]:
        """The roles a usage change takes from its operator (000 §3-2), held until the
        change's day: one taken back before then is held all along (``Waits.kept_roles``)."""
        was, now = self.before, self.after
        if was is None or now is None or self.effective is None:
            return []
        return sorted(set(was.roles) - set(now.roles))

    @property
    def shown_action(self) -> ChangeKind:
        """The action the plan and the mails name: one taking up a provider's systems is a
        registration there (新規登録), though the operator's file only changes."""
        return ChangeKind.ADD if self.takes_up else self.action


@dataclass(frozen=True, kw_only=True)
class UserChange(Item):
    """A user added, changed (permission by permission) or removed.

    A changed e-mail is a removal plus an addition: the e-mail is the login ID.
    """

    person: Person
    affiliation: str
    affiliation_name: str | None = None  # the operator's or subcontractor's, where known
    # The systems a changed user is issued an ID of, new to them (``Catalog.new_ids``):
    # each cites its provider's permission set, whatever the item's application.
    issues: frozenset[str] = field(default=frozenset(), metadata=NOT_RENDERED)
    before: User | None = field(default=None, repr=False, compare=False, metadata=NOT_RENDERED)
    after: User | None = field(default=None, repr=False, compare=False, metadata=NOT_RENDERED)
    subject: Subject = field(init=False, default="user")

    @property
    def key(self) -> str:
        return self.person.email.lower()

    @property
    def stops_or_starts(self) -> bool:
        """Whether the user's ID is suspended or its suspension lifted (001 p46): its own
        date is then the day every system it holds stops or starts again; only that day
        moved, nothing does."""
        was, now = self.before, self.after
        if self.effective is None or was is None or now is None:
            return False
        return (was.suspended_on is None) != (now.suspended_on is None)


@dataclass(frozen=True, kw_only=True)
class WindowPersonChange(Item):
    """A window-responsible person added or removed (gaining or losing ``admin_console``)."""

    person: Person
    role: str
    github: str
    before: Contact | None = field(default=None, repr=False, compare=False, metadata=NOT_RENDERED)
    after: Contact | None = field(default=None, repr=False, compare=False, metadata=NOT_RENDERED)
    subject: Subject = field(init=False, default="window_person")

    @property
    def key(self) -> str:
        return self.person.email.lower()


@dataclass(frozen=True, kw_only=True)
class SubcontractorChange(Item):
    code: str
    name: str
    before: Subcontractor | None = field(
        default=None, repr=False, compare=False, metadata=NOT_RENDERED
    )
    after: Subcontractor | None = field(
        default=None, repr=False, compare=False, metadata=NOT_RENDERED
    )
    subject: Subject = field(init=False, default="subcontractor")

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True, kw_only=True)
class CertificateChange(Item):
    id: str
    cn: str
    serial: str
    not_after: date
    before: Certificate | None = field(
        default=None, repr=False, compare=False, metadata=NOT_RENDERED
    )
    after: Certificate | None = field(
        default=None, repr=False, compare=False, metadata=NOT_RENDERED
    )
    # The provider whose registration this item is, where the certificate is registered
    # with more than one, each on a day of its own (``plan.diff._Differ.certificates``):
    # each provider's whitelists take it on that day. None: one date for every provider.
    part: str | None = None
    subject: Subject = field(init=False, default="certificate")

    @property
    def key(self) -> str:
        return self.id

    def part_systems(self, catalog: Catalog) -> list[str]:
        """The systems taking certificates of the provider of this part (``part``); none
        for a registration with every provider at once."""
        return [
            s.id
            for s in catalog.systems
            if self.part is not None and s.provider == self.part and s.certificates is not None
        ]

    def part_desks(self, catalog: Catalog) -> list[str]:
        """The desk the provider of this part (``part``) registers it at."""
        return catalog.desks(self.part_systems(catalog))


@dataclass(frozen=True, kw_only=True)
class AllowedIpChange(Item):
    cidr: str
    expires_on: date
    before: IpAllowEntry | None = field(
        default=None, repr=False, compare=False, metadata=NOT_RENDERED
    )
    after: IpAllowEntry | None = field(
        default=None, repr=False, compare=False, metadata=NOT_RENDERED
    )
    subject: Subject = field(init=False, default="allowed_ip")

    @property
    def key(self) -> str:
        return self.cidr


@dataclass(frozen=True)
class OperatorPlan:
    """Everything one operator applies for in the change set."""

    code: str
    name: str
    items: tuple[Item, ...]
    # The seed sections each application cites, as the providers of the systems its items
    # concern give them (``Catalog.citation``).
    citations: dict[Application, str] = field(default_factory=dict, compare=False)

    @property
    def counts(self) -> dict[Application, int]:
        counted = Counter(item.application for item in self.items)
        return {app: counted[app] for app in Application if counted[app]}

    @property
    def applications(self) -> tuple[Application, ...]:
        return tuple(self.counts)

    @property
    def users(self) -> tuple[UserChange, ...]:
        return tuple(i for i in self.items if isinstance(i, UserChange))

    def label_of(self, app: Application) -> str:
        """``app``'s label as this plan applies for it: a suspension application that only
        stops, or only lifts, is titled as that one (001 p46: 利用の停止, 停止解除)."""
        if app is Application.SUSPENSION:
            return suspension_label(
                s for item in self.items if item.application is app for s in _stops(item)
            )
        return app.label

    @property
    def at_once(self) -> bool:
        """Every item suspends or lifts a suspension: the system operator's own act, taken
        at once and in no batch (001 p46, 002 §2.4)."""
        return at_once(self.items)


def processing_days_of(items: Iterable[Item], undated: date | None = None) -> tuple[date, ...]:
    """The processing days M of ``items`` (``timeline.effective.processing_days``)."""
    return processing_days(
        (
            e.processing_day
            for i in items
            for e in (i.effective, *(x.effective for x in i.effects))
            if e
        ),
        undated,
    )


def concerned_systems(
    item: Item, catalog: Catalog, systems: Iterable[str], taken: Collection[str] = ()
) -> set[str]:
    """The systems ``item`` concerns, whose providers' sections its application cites: a
    user's changed permissions (else those the user holds), the systems whose use an
    operator's change suspends or lifts, a certificate's systems that take certificates,
    an overseas address's that block access from abroad, those a usage application (new)
    takes up; else the operator's ``systems``, but for a usage change those it takes up
    under terms new to it (``taken``: their providers' new application, not a change)."""
    by_id = catalog.by_id
    if isinstance(item, UserChange):
        held = {s for u in (item.before, item.after) if u is not None for s in u.permissions}
        return {e.system for e in item.effects} or held
    if isinstance(item, OperatorChange) and item.suspensions:
        return {u.system for u in item.suspensions}
    if isinstance(item, CertificateChange):
        named = {s for c in (item.before, item.after) if c is not None for s in c.systems}
        return {s for s in named or systems if (x := by_id.get(s)) and x.certificates}
    if isinstance(item, AllowedIpChange):
        return {s for s in systems if (x := by_id.get(s)) and x.overseas_block}
    if isinstance(item, OperatorChange) and item.takes_up:
        return set(item.takes_up)
    if item.application is Application.USAGE_CHANGE:
        return set(systems) - set(taken) or set(systems)
    return set(systems)


# What a change of an operator's file may touch and still be only its OCCTO withdrawal.
WITHDRAWAL_FIELDS = frozenset({"membership", "occto_member", "systems"})


def left_with_membership(catalog: Catalog, old: Operator, new: Operator) -> frozenset[str]:
    """The systems a change of an operator's file drops that the operator loses with its
    OCCTO membership (``Catalog.ends_with_membership``, by the roles it held them through)."""
    return frozenset(
        s for s in set(old.systems) - set(new.systems) if catalog.ends_with_membership(s, old.roles)
    )


def withdrawal_only(
    catalog: Catalog, old: Operator, new: Operator, fields: Iterable[FieldChange]
) -> frozenset[str] | None:
    """The systems a change of an operator's file leaves with its OCCTO membership, where the
    change files the withdrawal, or follows it, and does nothing else: it only drops systems
    the operator loses with the membership (``Catalog.ends_with_membership``). None where it
    is not that: no withdrawal, or a usage change besides."""
    if new.membership is None or new.membership.status != "withdrawn":
        return None
    if not {f.field for f in fields} <= WITHDRAWAL_FIELDS:
        return None
    left = left_with_membership(catalog, old, new)
    if set(new.systems) - set(old.systems) or left != set(old.systems) - set(new.systems):
        return None
    return left


def _cited(
    item: Item, catalog: Catalog, systems: tuple[str, ...], taken: Collection[str]
) -> Iterator[tuple[SourceKind, set[str]]]:
    """The kinds of section ``item`` cites, each with the systems it concerns: a user's
    IDs it issues, the permission set's (``UserChange.issues``). An OCCTO
    withdrawal it files or follows cites the end of the contracts of the member system and
    of the systems left with the membership (003 §2.7.1), not a member-info change (003
    §2.2, joining): only that where it changes nothing else."""
    found = withdrawal_of(item, catalog)
    if found is not None:
        left, only = found
        yield "withdrawal", left
        if only:
            return
    concerned = concerned_systems(item, catalog, systems, taken)
    issued = concerned & item.issues if isinstance(item, UserChange) else set()
    if concerned - issued or not issued:
        yield item.application.kind, concerned - issued
    if issued:  # a change that also issues the user IDs new to them: those cite the issue
        yield Application.PERMISSION_SET.kind, issued


def withdrawal_of(item: Item, catalog: Catalog) -> tuple[set[str], bool] | None:
    """For an OCCTO withdrawal ``item`` files or follows: the systems whose contracts it
    ends (003 §2.7.1), the member system's and those the operator leaves with the
    membership, which its application cites and whose desk (OCCTO itself) it goes to; and
    whether the item does nothing else (``withdrawal_only``). None for any other item."""
    if not isinstance(item, OperatorChange) or item.before is None or item.after is None:
        return None
    old, new = item.before, item.after
    only = withdrawal_only(catalog, old, new, item.fields)
    files = new.membership is not None and new.membership.status == "withdrawn"
    if only is None and not (files and any(f.field == "membership" for f in item.fields)):
        return None
    left = set(left_with_membership(catalog, old, new))
    return left | {s.id for s in catalog.systems if s.ends_with_membership}, only is not None


def citations_of(
    items: Iterable[Item], catalog: Catalog, systems: Iterable[str], taken: Collection[str] = ()
) -> dict[Application, str]:
    """The seed sections each application of ``items`` cites (``Catalog.citation``): those
    of the systems its items concern (``concerned_systems``), ``systems`` the operator's and
    ``taken`` those it takes up under terms new to it; an OCCTO withdrawal's its own
    (``_cited``), with those of the application's other items."""
    systems = tuple(systems)
    concerned: dict[Application, dict[SourceKind, set[str]]] = {}
    for item in items:
        for kind, found in _cited(item, catalog, systems, taken):
            concerned.setdefault(item.application, {}).setdefault(kind, set()).update(found)
    return {
        app: ", ".join(
            dict.fromkeys(c for kind, ids in kinds.items() if (c := catalog.citation(kind, ids)))
        )
        for app, kinds in concerned.items()
    }


def comes_stopped(item: Item) -> date | None:
    """The day the suspension of what ``item`` registers or changes counts from, where the
    item neither makes nor lifts it: a new user or a certificate filed already suspended
    (a lost token's, 001 p46), a code set on a suspended ID. Its rows say 停止中 and no
    whitelist takes the certificate, so the plan and the 受付 mail say so beside it."""
    if isinstance(item, UserChange):
        now = item.after
        if now is None or item.stops_or_starts or not any(e.new for e in item.effects):
            return None
        return now.suspended_on
    if isinstance(item, CertificateChange):
        cert = item.after
        if cert is None or item.application is Application.SUSPENSION:
            return None
        return cert.suspended_on
    return None


def at_once(items: tuple[Item, ...]) -> bool:
    return bool(items) and all(i.application is Application.SUSPENSION for i in items)


NoteKind = Literal["check", "flag"]


@dataclass(frozen=True)
class Note:
    """Something the reviewer is asked to look at (``plan.attention``)."""

    operator: str
    application: Application
    kind: NoteKind  # check: the reviewer guide asks for it; flag: deserves a second look
    subject: str  # the key of the item it is about
    message: Message


@dataclass(frozen=True)
class MassRemoval:
    """The login IDs a change removes, when they trip the merge's removal rail
    (``provision.safety``): the provisioning run refuses it, and everything after it, until
    a maintainer allows it (``--allow-mass-removal``)."""

    removal: Removal  # of every login ID at the merge base
    max_share: float  # the rail's share it is more than (``DEFAULT_MAX_REMOVAL_SHARE``)
    operators: tuple[str, ...]  # whose login IDs go
    paths: tuple[str, ...]  # the files at the merge base they come from


@dataclass(frozen=True)
class Revisions:
    """Which commits the plan compares: ``merge_base`` → ``head`` (``base`` as asked)."""

    base: str
    head: str
    merge_base: str


@dataclass(frozen=True)
class Plan:
    """A pull request's items, each with its dates (``timeline.effective``)."""

    events: Known  # the pull request's events the dates assume (some may stand in)
    accepted: date  # the acceptance as it counts (``Dates.acceptance``): a business day
    processing_day: date | None  # M of the batch it falls into (None: at once, in none)
    operators: tuple[OperatorPlan, ...]
    # The catalog the dates follow (the base's): the renderers name systems and codes by it,
    # so that a pull request cannot relabel what it grants (a code it adds shows alone).
    catalog: Catalog = field(repr=False, compare=False)
    other_paths: tuple[str, ...] = ()  # changed files that are not operators' (catalog, ...)
    unreadable: tuple[str, ...] = ()  # registry files that did not load (validate says why)
    # Files that do not load either, of which the items show what they take away: that goes
    # out at merge (``files.revocations``), the rest waits for a fix.
    revoking: tuple[str, ...] = ()
    revisions: Revisions | None = None
    # What the reviewer is asked to check and to look at twice (``plan.attention``).
    notes: tuple[Note, ...] = ()
    # The applications of files held back on main that the merge releases, applied with it
    # (``plan.revisions.Release``): other pull requests', already accepted, not this one's.
    released: tuple[OperatorPlan, ...] = ()
    # The login IDs it removes, when the merge's run would refuse them as a mass removal.
    mass_removal: MassRemoval | None = None

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for op in self.operators for item in op.items)

    @property
    def users(self) -> tuple[UserChange, ...]:
        return tuple(u for op in self.operators for u in op.users)

    @property
    def empty(self) -> bool:
        return not self.items

    @property
    def processing_days(self) -> tuple[date, ...]:
        """The batches its items fall into, each keyed on its own date; none where no M
        batch processes any of them (``timeline.effective.processing_days``)."""
        return processing_days_of(self.items)

    @property
    def revoke_only(self) -> bool:
        """Every item narrows access (and there is at least one): a fast-track candidate.

        Anything else in the change (other files, files that did not load) needs review.
        """
        return (
            bool(self.items)
            and all(item.direction.narrows and not item.renames for item in self.items)
            and not self.other_paths
            and not self.unreadable
        )

    @property
    def at_once(self) -> bool:
        """Every item suspends or lifts a suspension (``OperatorPlan.at_once``)."""
        return at_once(self.items)

    @property
    def suspends_only(self) -> bool:
        """Every item suspends something (001 p46, 002 §3.4.4): what a maintainer may do at
        once, before deciding the rest."""
        return self.revoke_only and all(
            item.application is Application.SUSPENSION for item in self.items
        )

    @property
    def counts(self) -> dict[Application, int]:
        total: Counter[Application] = Counter()
        for op in self.operators:
            total.update(op.counts)
        return {app: total[app] for app in Application if total[app]}


def _stops(item: Item) -> Iterator[bool]:
    """For each suspension ``item`` makes or lifts: whether it stops (True; another day
    of a suspension still stops) or lifts one (False)."""
    if isinstance(item, OperatorChange):
        yield from (use.suspended for use in item.suspensions)
        return
    if isinstance(item, (UserChange, CertificateChange)):
        was = item.before.suspended_on if item.before is not None else None
        now = item.after.suspended_on if item.after is not None else None
        if was is not None or now is not None:
            yield now is not None
