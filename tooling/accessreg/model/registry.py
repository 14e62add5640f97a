"""The loaded registry: every model with the file it came from. Immutable, no I/O."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from accessreg.model import CalendarFile, Catalog, MaintainersFile, Operator, User


@dataclass(frozen=True)
class OperatorEntry:
    file: str
    operator: Operator


@dataclass(frozen=True)
class UserEntry:
    file: str
    operator_code: str  # the directory the file is in
    user: User


@dataclass(frozen=True)
class Registry:
    catalog: Catalog
    operators: dict[str, OperatorEntry]  # by the code in the file name
    users: tuple[UserEntry, ...]
    maintainers: MaintainersFile | None = None
    calendar: CalendarFile | None = None
    files: frozenset[str] = frozenset()  # every file present, parsed or not
    broken: frozenset[str] = frozenset()  # files that did not load (their problems are reported)
    # Filled from users; not an init field, or `replace` would hand the filled dict over.
    _by_operator: dict[str, list[UserEntry]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for entry in self.users:
            self._by_operator.setdefault(entry.operator_code, []).append(entry)

    def users_of(self, code: str) -> list[UserEntry]:
        return self._by_operator.get(code, [])

    def iter_operators(self) -> Iterator[OperatorEntry]:
        return iter(sorted(self.operators.values(), key=lambda e: e.operator.code))

    def maintainer_logins(self) -> frozenset[str]:
        if self.maintainers is None:
            return frozenset()
        return frozenset(m.github.lower() for m in self.maintainers.maintainers)
