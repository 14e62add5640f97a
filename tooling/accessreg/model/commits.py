"""What git reports about a history, as plain data: changed paths and first-parent commits.

``gitio`` produces these; the plan, authorization and provisioning read them without git.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

ChangeStatus = Literal["A", "C", "D", "M", "R", "T"]


@dataclass(frozen=True)
class PathChange:
    """One changed path between two revisions, as ``git diff-tree --name-status`` sees it.

    ``old_path`` is set for renames (R) and copies (C): the file came from there. Both sides
    of a rename matter to anyone deciding who may make the change.
    """

    status: ChangeStatus
    path: str
    old_path: str | None = None
    similarity: int | None = None

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path the change touches: a rename deletes its old path, a copy reads it."""
        return (self.path,) if self.old_path is None else (self.old_path, self.path)


@dataclass(frozen=True)
class CommitInfo:
    """One commit of a first-parent history: what a merge to the main branch looks like."""

    sha: str
    parent: str | None  # the first parent; None for a root commit
    subject: str
    committed_at: datetime  # aware, UTC
