"""An operator (事業者) and what it declares: window persons, subcontractors, certificates."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Any, Literal

from pydantic import ConfigDict, Field

from accessreg.model.base import (
    GITHUB_LOGIN,
    HTTPS_URL,
    KANA,
    LOGIN_ID,
    OPERATOR_CODE,
    PHONE,
    SERIAL,
    Day,
    Frozen,
    Role,
)


class Contact(Frozen):
    """A window-responsible person (システム窓口責任者, 000 §2-4)."""

    role: Literal["primary", "deputy"] = Field(description="正担当 (exactly one) or 副担当.")
    name: str = Field(min_length=1)
    name_kana: str = Field(pattern=KANA)
    email: str = Field(
        pattern=LOGIN_ID, description="Also the login ID for the permission-management system."
    )
    phone: str = Field(pattern=PHONE)
    github: str = Field(pattern=GITHUB_LOGIN, max_length=39)


class Subcontractor(Frozen):
    """A declared 委託先事業者 whose staff may be users (000 §5-1 note 2, 002 §2.3)."""

    code: str = Field(pattern=OPERATOR_CODE)
    name: str = Field(min_length=1)


class Certificate(Frozen):
    """An EPPCERT client certificate (000 §4, 004); where and by whom it is used (001 p46)."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The issuer's certificate ID.")
    serial: str = Field(pattern=SERIAL)
    cn: str = Field(min_length=1)
    medium: Literal["DL", "CD", "UM", "UT"]
    purpose: Literal["web", "api"]
    not_before: Day
    not_after: Day
    location: str = Field(min_length=1, description="Where the certificate is installed.")
    holder: str = Field(min_length=1, description="Who is responsible for it there.")
    systems: tuple[str, ...] = Field(
        default=(), description="Systems it is registered for; empty: every system of the operator."
    )
    suspended_on: Day | None = Field(
        default=None, description="Suspended on loss, theft or misuse (001 p46)."
    )

    def is_valid_on(self, day: date) -> bool:
        """Usable on ``day``: within its validity and never suspended."""
        return self.suspended_on is None and self.not_before <= day <= self.not_after


class IpAllowEntry(Frozen):
    """A fixed overseas global IP allowed through the geo block (000 §2-8)."""

    cidr: str = Field(pattern=r"^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$")
    reason: str = Field(min_length=1)
    expires_on: Day


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

    code: str = Field(pattern=OPERATOR_CODE, description="事業者コード; equal to the file name.")
    name: str = Field(min_length=1)
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

    @cached_property
    def affiliations(self) -> frozenset[str]:
        return frozenset({self.code, *(s.code for s in self.subcontractors)})

    @property
    def primary(self) -> Contact | None:
        return next((c for c in self.contacts if c.role == "primary"), None)
