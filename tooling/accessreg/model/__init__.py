"""Immutable typed models of the registry files. No I/O here: loading lives in ``loading``.

These classes are the one source of truth for the shape of every file: the JSON Schemas in
``schemas/`` are generated from them (plus the catalog's codes) by ``schemagen``.
"""

from accessreg.model.base import Role
from accessreg.model.catalog import Catalog, Derivation, Limit, PermissionCode, System, Timing
from accessreg.model.meta import (
    CalendarFile,
    ClosedRange,
    Maintainer,
    MaintainersFile,
    YearlyClosure,
)
from accessreg.model.operator import (
    Certificate,
    Contact,
    IpAllowEntry,
    Membership,
    Operator,
    Subcontractor,
)
from accessreg.model.user import User

__all__ = [
    "CalendarFile",
    "Catalog",
    "Certificate",
    "ClosedRange",
    "Contact",
    "Derivation",
    "IpAllowEntry",
    "Limit",
    "Maintainer",
    "MaintainersFile",
    "Membership",
    "Operator",
    "PermissionCode",
    "Role",
    "Subcontractor",
    "System",
    "Timing",
    "User",
    "YearlyClosure",
]
