"""The one located-problem type, shared by every check, reporter and command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from accessreg.model.messages import Message


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


DataPath = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """A finding in one file.

    ``path`` is the data path inside the YAML document (keys and list indexes); the line and
    column are filled in afterwards from it, by re-reading only the files that have problems.

    A limit or a clash (a second admin, a login ID held twice) involves several files: each
    of them gets a finding with the same ``clash`` key, and the change that is judged decides
    which are reported (``validation.judge``). ``blamed_unchanged`` says whether the finding
    stands when no file the change touched takes part (the holders past a limit, in file
    order, but not those within it).
    """

    file: str
    line: int
    col: int
    rule: str
    level: Level
    message: Message
    path: DataPath = field(default=(), compare=False)
    clash: str = field(default="", compare=False)
    blamed_unchanged: bool = field(default=True, compare=False)

    def located(self, line: int, col: int) -> Problem:
        return replace(self, line=line, col=col)

    def as_dict(self, text: Callable[[Message], str]) -> dict[str, object]:
        """As data, the message in words by ``text`` (the reader's language)."""
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "level": str(self.level),
            "rule": self.rule,
            "message": text(self.message),
            "path": "/".join(str(p) for p in self.path),
        }


def problem(
    file: str,
    rule: str,
    message: Message,
    path: DataPath = (),
    level: Level = Level.ERROR,
) -> Problem:
    """A problem whose position is still to be found from ``path``."""
    return Problem(file=file, line=0, col=0, rule=rule, level=level, message=message, path=path)


def has_errors(problems: list[Problem], strict: bool = False) -> bool:
    return any(p.level is Level.ERROR or strict for p in problems)
