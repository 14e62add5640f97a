"""Immutable typed models of the registry files. No I/O here: loading lives in ``loading``.

These classes are the one source of truth for the shape of every file: the JSON Schemas in
``schemas/`` are generated from them (plus the catalog's codes) by ``schemagen``.
"""

from accessreg.model.base import Role
from accessreg.model.catalog import (
    Catalog,
    CertificateUse,
    Derivation,
    Limit,
    PermissionCode,
    Provider,
    System,
    Timing,
)
from accessreg.model.meta import (
    CalendarFile,
    ClosedRange,
    Maintainer,
    MaintainersFile,
    YearlyClosure,
)
from accessreg.model.operator import (
    AdminReissue,
    Approval,
    Certificate,
    Contact,
    IpAllowEntry,
    Membership,
    Operator,
    RaOfficer,
    Subcontractor,
    SystemSuspension,
)
from accessreg.model.user import User

__all__ = [
    "AdminReissue",
    "Approval",
    "CalendarFile",
    "Catalog",
    "Certificate",
    "CertificateUse",
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
    "Provider",
    "RaOfficer",
    "Role",
    "Subcontractor",
    "System",
    "SystemSuspension",
    "Timing",
    "User",
    "YearlyClosure",
]
