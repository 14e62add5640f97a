"""What one duty returns: notices, tables for CSV, and problems with its inputs."""

from __future__ import annotations

from dataclasses import dataclass, field

from accessreg.problems import Problem
from accessreg.scheduled.notices import Document, Notice


@dataclass(frozen=True)
class Table:
    """A CSV output: ``name`` is its file name without the extension."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Outcome:
    notices: tuple[Notice, ...] = ()
    tables: tuple[Table, ...] = ()
    files: tuple[Document, ...] = ()  # outputs rendered already (e.g. the inventory CSVs)
    problems: tuple[Problem, ...] = field(default=())
