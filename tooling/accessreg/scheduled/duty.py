"""What a duty is: what it is given (``Inputs``), what it returns (``DutyResult``), and the
shape every duty module has (``Duty``), so that the registry of duties
(``scheduled.duties``) lists modules and the run calls them all alike.

A duty is pure: a function of the registry, the day and its inputs. Sending, branches and
the notice log are the run's business.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

from accessreg.escape import csv_row
from accessreg.model.messages import Message
from accessreg.model.problems import Problem
from accessreg.model.registry import Registry
from accessreg.scheduled.keyed_notices import Digest, Document

if TYPE_CHECKING:
    from accessreg.provision.state import BatchRecord
    from accessreg.scheduled.deletions import DeletionApplication
    from accessreg.scheduled.lastlogins import LastLogins
    from accessreg.scheduled.reviews import OpenPulls


@dataclass(frozen=True)
class Options:
    """The command line's choices that duties read."""

    provider: str  # whose authentication system wrote the export (stale)
    months: int  # the period of the periodic review (inventory)
    operator: str | None  # a review asked of one operator on demand (inventory)
    all_csvs: bool  # every operator's review CSVs, not only those mailed (inventory)


@dataclass(frozen=True)
class Inputs:
    """Everything a duty may read; a run fills in only what its duties ask for."""

    registry: Registry
    read: Callable[[str], bytes]  # a file of the registry (relative path) at the revision
    today: date
    options: Options
    added: Mapping[str, date]  # file → the day it was added to the history (``needs_history``)
    remembered: Mapping[str, date]  # login IDs seen locked → the day their count started
    export: LastLogins | None  # the last-login export (``needs_export``)
    pulls: OpenPulls | None = None  # the open pull requests (``needs_pulls``)
    # Every batch apply has recorded, in order: its applications with the dates they
    # recorded (an ID's issue day) and its systems' confirmations (a manual step's day).
    batches: tuple[BatchRecord, ...] = ()

    # Reads many files of the revision at once, so that ``read`` then finds them at hand.
    prefetch: Callable[[Iterable[str]], None] = lambda rels: None
    # User files a first apply loaded → its day, when their IDs were issued (``needs_history``).
    loaded: Mapping[str, date] = field(default_factory=dict)


@dataclass(frozen=True)
class Table:
    """A CSV output: ``name`` is its file name without the extension."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def encode(self) -> bytes:
        """UTF-8 with a BOM and CRLF, formula-looking cells neutralised, as the import files."""
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.header)
        writer.writerows(map(csv_row, self.rows))
        return buffer.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class DutyResult:
    notices: tuple[Digest, ...] = ()
    tables: tuple[Table, ...] = ()
    files: tuple[Document, ...] = ()  # outputs rendered already (e.g. the inventory CSVs)
    problems: tuple[Problem, ...] = field(default=())
    # Changes proposed on branches under ``branch_prefix`` (which the duty owns: a branch
    # there that is not proposed any more is dropped).
    applications: tuple[DeletionApplication, ...] = ()
    branch_prefix: str | None = None
    remember: Mapping[str, date] | None = None  # replaces the remembered login IDs


class Duty(Protocol):
    """A duty module: what it needs, and ``judge``."""

    TITLE: Message  # what the duty is, in the run's language (the job summary's words)
    NEEDS_HISTORY: bool  # the day each file was added (a walk over the history)
    NEEDS_EXPORT: bool  # the last-login export
    NEEDS_PULLS: bool  # the open pull requests (GitHub's API list)

    def check(self, options: Options) -> None:
        """Refuse options it cannot work with (UsageError), before anything is read."""

    def judge(self, inputs: Inputs) -> DutyResult: ...
