"""An operator (事業者) and what it declares: window persons, subcontractors, certificates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cached_property
from typing import Any, Literal

from pydantic import ConfigDict, Field

from accessreg.model.base import (
    CERTIFICATE_ID,
    CIDR,
    FILLED,
    GITHUB_LOGIN,
    HTTPS_URL,
    KANA,
    OPERATOR_CODE,
    OPERATOR_KEY,
    PHONE,
    SERIAL,
    Day,
    Frozen,
    LoginId,
    Role,
    is_provisional_key,
)
from accessreg.model.catalog import Catalog, System


class Contact(Frozen):
    """A window-responsible person (システム窓口責任者, 000 §2-4)."""

    role: Literal["primary", "deputy"] = Field(description="正担当 (exactly one) or 副担当.")
    name: str = Field(min_length=1, pattern=FILLED)
    name_kana: str = Field(pattern=KANA)
    email: LoginId = Field(description="Also the login ID for the permission-management system.")
    phone: str = Field(pattern=PHONE)
    github: str = Field(pattern=GITHUB_LOGIN, max_length=39)


class Subcontractor(Frozen):
    """A declared 委託先事業者 whose staff may be users (000 §5-1 note 2, 002 §2.3)."""

    code: str = Field(pattern=OPERATOR_CODE)
    name: str = Field(min_length=1, pattern=FILLED)


class Certificate(Frozen):
    """An EPPCERT client certificate (000 §4, 004); where and by whom it is used (001 p46)."""

    id: str = Field(pattern=CERTIFICATE_ID, description="The issuer's certificate ID.")
    serial: str = Field(pattern=SERIAL)
    cn: str = Field(min_length=1, pattern=FILLED)
    medium: Literal["DL", "CD", "UM", "UT"]
    purpose: Literal["web", "api"]
    not_before: Day
    not_after: Day
    location: str = Field(
        min_length=1, pattern=FILLED, description="Where the certificate is installed."
    )
    holder: str = Field(
        min_length=1, pattern=FILLED, description="Who is responsible for it there."
    )
    systems: tuple[str, ...] = Field(
        default=(), description="Systems it is registered for; empty: every system of the operator."
    )
    suspended_on: Day | None = Field(
        default=None,
        description="Suspended (not revoked) from this day, on loss, theft or misuse (001 "
        "p46); removing the field restores it without a new registration.",
    )

    def is_valid_on(self, day: date) -> bool:
        """Usable on ``day``: within its validity and not suspended (from its day on)."""
        suspended = self.suspended_on is not None and self.suspended_on <= day
        return not suspended and self.within_validity(day)

    def within_validity(self, day: date) -> bool:
        return self.not_before <= day <= self.not_after


class IpAllowEntry(Frozen):
    """A fixed overseas global IP allowed through the geo block (000 §2-8)."""

    cidr: str = Field(pattern=CIDR)
    reason: str = Field(min_length=1, pattern=FILLED)
    expires_on: Day


class RaOfficer(Frozen):
    """The operator's 企業内RA担当者: EPPCERT sends its expiry notices to them (004)."""

    name: str = Field(min_length=1, pattern=FILLED)
    email: LoginId


class Approval(Frozen):
    """「その他当社が必要と認めた事業者」 (000 §2-2): the provider lets the operator use a
    system without the role it needs. Maintainers only."""

    system: str
    approved_on: Day
    reason: str = Field(min_length=1, pattern=FILLED)


class SystemSuspension(Frozen):
    """The operator's use of one system suspended (利用の中断・停止, 002 §2.4, §2.6, §3.4.4):
    every ID and certificate of it leaves the system until the suspension is lifted."""

    system: str
    suspended_on: Day
    reason: str = Field(min_length=1, pattern=FILLED)


class AdminReissue(Frozen):
    """An admin ID issued again (002 §3.2.1 allows one new issue): recorded by a maintainer
    with the reason the system's operator accepted it."""

    system: str
    code: str
    reissued_on: Day
    reason: str = Field(min_length=1, pattern=FILLED)


def _membership_schema(schema: dict[str, Any]) -> None:
    schema["allOf"] = [
        {
            "if": {"properties": {"status": {"const": status}}},
            "then": {"required": [required]},
        }
        for status, required in (
            ("provisional", "provisional_since"),
            ("member", "member_since"),
            ("withdrawn", "withdrawn_on"),
        )
    ]


class Membership(Frozen):
    """OCCTO membership (003 §2.2): provisional application, then member; or withdrawn."""

    model_config = ConfigDict(json_schema_extra=_membership_schema)

    status: Literal["provisional", "member", "withdrawn"]
    provisional_since: Day | None = None
    member_since: Day | None = None
    withdrawn_on: Day | None = None


def _operator_schema(schema: dict[str, Any]) -> None:
    schema["allOf"] = [
        {
            # `required` too: an absent status (active by default) must not match the `if`.
            "if": {"properties": {"status": {"const": "terminated"}}, "required": ["status"]},
            "then": {"required": ["terminated_on"]},
        }
    ]


class Operator(Frozen):
    model_config = ConfigDict(json_schema_extra=_operator_schema)

    code: str = Field(
        pattern=OPERATOR_KEY,
        description="事業者コード, equal to the file name; PROV-… for an OCCTO membership "
        "applicant whose code is not issued yet (003 §2.2).",
    )
    name: str = Field(min_length=1, pattern=FILLED)
    name_kana: str = Field(pattern=KANA)
    roles: tuple[Role, ...] = Field(min_length=1)
    occto_member: bool = False
    privacy_policy_url: str = Field(pattern=HTTPS_URL, description="Joint-use policy (000 §2-5).")
    status: Literal["active", "terminated"] = "active"
    terminated_on: Day | None = None
    systems: tuple[str, ...] = Field(
        default=(), description="Systems the operator is approved for."
    )
    contacts: tuple[Contact, ...] = Field(min_length=1)
    subcontractors: tuple[Subcontractor, ...] = ()
    certificates: tuple[Certificate, ...] = ()
    ip_allowlist: tuple[IpAllowEntry, ...] = ()
    membership: Membership | None = None
    last_inventory: Day | None = Field(default=None, description="Last periodic review (棚卸).")
    ra_officer: RaOfficer | None = Field(
        default=None, description="企業内RA担当者: also told of expiring certificates (004)."
    )
    approvals: tuple[Approval, ...] = Field(
        default=(), description="Systems approved without their role (000 §2-2); maintainers."
    )
    suspensions: tuple[SystemSuspension, ...] = Field(
        default=(), description="Systems whose use is suspended (002 §2.6, §3.4.4)."
    )
    admin_reissues: tuple[AdminReissue, ...] = Field(
        default=(), description="Admin IDs issued again (002 §3.2.1); maintainers only."
    )

    @cached_property
    def affiliations(self) -> frozenset[str]:
        return frozenset({self.code, *(s.code for s in self.subcontractors)})

    def affiliation_name(self, code: str) -> str | None:
        """The name of the operator itself or of one of its declared subcontractors."""
        if code == self.code:
            return self.name
        return next((s.name for s in self.subcontractors if s.code == code), None)

    @property
    def provisional(self) -> bool:
        """Held under a provisional key: no operator code issued yet (003 §2.2)."""
        return is_provisional_key(self.code)

    @property
    def withdrawn_on(self) -> date | None:
        """The day its OCCTO membership ends, where it has withdrawn (003 §2.7.1)."""
        member = self.membership
        return member.withdrawn_on if member is not None and member.status == "withdrawn" else None

    def approved_without_role(self, system: str) -> bool:
        return any(a.system == system for a in self.approvals)

    def reaches(
        self, catalog: Catalog, system: System, cert: Certificate, using: Iterable[str] = ()
    ) -> bool:
        """Whether ``cert`` of this operator lets its clients through to ``system``.

        The system must check certificates and take the certificate's purpose (web or API,
        001 p46); the certificate is registered for the systems it names, or for every
        system of the operator (``using`` instead, when given: those not suspended, say). A
        derived system (the info-sharing site, the permission-management system) is reached
        with the certificates of the systems it serves (000 §7-1).
        """
        use = system.certificates
        if use is None or cert.purpose not in use.purposes:
            return False
        used = set(using or self.systems)
        named = set(cert.systems) & used if cert.systems else used
        rule = system.derived
        if rule is None:
            return system.id in named
        if rule.kind == "users_of":
            return bool(named & set(rule.systems))
        return any(
            (s := catalog.by_id.get(sid)) is not None and s.provider == system.provider
            for sid in named
        )

    def reached(self, catalog: Catalog, cert: Certificate) -> frozenset[str]:
        """The systems whose reverse proxies let ``cert`` through, as the whitelists decide it
        (``reaches``: the systems it names or all of the operator's, of a purpose they
        take), by id."""
        return frozenset(s.id for s in catalog.systems if self.reaches(catalog, s, cert))

    @property
    def primary(self) -> Contact | None:
        return next((c for c in self.contacts if c.role == "primary"), None)
