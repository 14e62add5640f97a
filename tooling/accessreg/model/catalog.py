"""The catalog of downstream systems (``registry/systems.yaml``)."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import Field

from accessreg.model.base import SYSTEM_ID, Day, Frozen, Role, Severity


class PermissionCode(Frozen):
    code: str = Field(min_length=1, description="The code as the system knows it, a string.")
    label: str = Field(min_length=1, description="Japanese label, as on the application form.")
    label_en: str | None = None
    roles: tuple[Role, ...] = Field(
        default=(), description="Operator roles that allow this code (any of); empty: the system's."
    )
    abolished_on: Day | None = Field(default=None, description="From this day the code is refused.")
    replaced_by: str | None = Field(default=None, description="The code its holders moved to.")


class Limit(Frozen):
    code: str
    max_per_operator: int = Field(ge=1)
    severity: Severity
    source: str | None = Field(default=None, description="Seed section the limit comes from.")


class Timing(Frozen):
    """When a change takes effect, counted from acceptance or from the processing day M."""

    start: Literal["accepted", "processing_day", "manual"] = Field(
        description="accepted: the acceptance date; processing_day: the batch day M; "
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


class System(Frozen):
    id: str = Field(pattern=SYSTEM_ID)
    name_ja: str
    name_en: str
    provider: Literal["tokyo_gas_network", "occto"]
    roles: tuple[Role, ...] = Field(
        default=(), description="Operator roles that allow the system (any of); empty: any role."
    )
    occto_member_roles: tuple[Role, ...] = Field(
        default=(),
        description="Using the system through one of these roles needs OCCTO membership "
        "(002 §2.1.1 ①).",
    )
    codes: tuple[PermissionCode, ...] = Field(min_length=1)
    limits: tuple[Limit, ...] = ()
    derived: Derivation | None = None
    timing: SystemTiming | None = None
    url: str | None = None

    @cached_property
    def code_map(self) -> dict[str, PermissionCode]:
        return {c.code: c for c in self.codes}


class Catalog(Frozen):
    systems: tuple[System, ...] = Field(min_length=1)
    certificate_registration: Timing | None = Field(
        default=None, description="When a registered client certificate becomes usable (000 §4-2)."
    )
    usage_application: Timing | None = Field(
        default=None,
        description="When a usage application (new, change, termination: operators, window "
        "persons, subcontractors) is completed: a standard period (000 §3-1 to §3-3).",
    )

    @cached_property
    def by_id(self) -> dict[str, System]:
        return {s.id: s for s in self.systems}

    @cached_property
    def applied_systems(self) -> tuple[System, ...]:
        """The systems whose permissions are applied for, in catalog order."""
        return tuple(s for s in self.systems if s.derived is None)

    @cached_property
    def derived_systems(self) -> tuple[System, ...]:
        """The systems whose permission the system operator grants by itself (never applied
        for), in catalog order."""
        return tuple(s for s in self.systems if s.derived is not None)
