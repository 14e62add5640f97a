"""The plan of a pull request: the applications and items it amounts to, with their dates.

``model`` is the data, ``diff`` computes it from two registries, ``revisions`` from two git
revisions; the ``render_*`` modules turn it into markdown, text or JSON.
"""

from accessreg.plan.diff import compute_plan
from accessreg.plan.model import (
    AllowedIpChange,
    Application,
    CertificateChange,
    Direction,
    Effect,
    FieldChange,
    Item,
    OperatorChange,
    OperatorPlan,
    Person,
    Plan,
    Revisions,
    SubcontractorChange,
    SuspendedUse,
    UserChange,
    WindowPersonChange,
    processing_days_of,
)

__all__ = [
    "AllowedIpChange",
    "Application",
    "CertificateChange",
    "Direction",
    "Effect",
    "FieldChange",
    "Item",
    "OperatorChange",
    "OperatorPlan",
    "Person",
    "Plan",
    "Revisions",
    "SubcontractorChange",
    "SuspendedUse",
    "UserChange",
    "WindowPersonChange",
    "compute_plan",
    "processing_days_of",
]
