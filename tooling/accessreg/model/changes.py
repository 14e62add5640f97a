"""What happens to a thing between two registries: it is added, changed or removed, or, for
a permission, suspended and restored."""

from __future__ import annotations

from enum import StrEnum


class ChangeKind(StrEnum):
    """The kind of a change, wherever one is counted: a plan's items, a permission row of the
    import files, and the catalog's ``timing`` of each system, which uses the same names."""

    ADD = "add"
    CHANGE = "change"
    REMOVE = "remove"
    # A permission row only: stopped without being deleted, and started again without a new
    # application (001 p46, 002 §3.4.4). The catalog gives no timing: both are on the day.
    SUSPEND = "suspend"
    RESTORE = "restore"
