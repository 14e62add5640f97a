"""What happens to a thing between two registries: it is added, changed or removed."""

from __future__ import annotations

from enum import StrEnum


class ChangeKind(StrEnum):
    """The kind of a change, wherever one is counted: a plan's items, a permission row of the
    import files, and the catalog's ``timing`` of each system, which uses the same names."""

    ADD = "add"
    CHANGE = "change"
    REMOVE = "remove"
