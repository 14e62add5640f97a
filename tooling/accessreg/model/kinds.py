"""The model each kind of registry file holds: one table for loading and for the schemas."""

from __future__ import annotations

from accessreg.model.base import Frozen
from accessreg.model.catalog import Catalog
from accessreg.model.layout import Kind
from accessreg.model.meta import CalendarFile, MaintainersFile
from accessreg.model.operator import Operator
from accessreg.model.user import User

MODELS: dict[Kind, type[Frozen]] = {
    Kind.CATALOG: Catalog,
    Kind.OPERATOR: Operator,
    Kind.USER: User,
    Kind.MAINTAINERS: MaintainersFile,
    Kind.CALENDAR: CalendarFile,
}
