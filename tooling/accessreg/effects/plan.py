"""What a run would do, as data: computed first, without any effect, then carried out by
``effects.session`` (as pip-tools' ``diff`` and ``sync``). Reading a plan is reviewing a run.

A plan holds the output files, the mails (each with the notice-log keys it tells), the
branches to move and the state records, each recorded at a fixed point of the run:

1. ``FIRST`` records, before anything else (an import confirmed);
2. the output directory, replaced at once (the one it replaced put back if it was a
   recorded run's and the run stops before its ``AFTER_MAILS`` records);
3. with sending: the branches, then the mails one by one through the outbox;
4. ``AFTER_MAILS`` records, once every mail is sent or held (a run that failed half-way
   records none: the next run retries from the same point). Where the SMTP server could not
   be reached or stopped taking mail, a record that says what to record ``instead`` is
   recorded all the same, with what was not sent owed (``apply``'s: provisioning does not
   wait for mail), and the others are not; a plan that ``owes_mails`` (``confirm``'s: its
   import is recorded first; the scheduled duties': their branches moved, their notice log
   an ``ALWAYS`` record) stops the same way without one;
5. ``ALWAYS`` records, also when sending stopped half-way (the notice log keeps what was
   sent); they are given the Message-IDs the outbox then holds as sent;
6. the ``seal``, once every record is in the state and on its remote: a file put into the
   outputs that says
   they were recorded. Outputs without it (a dry run, a run that stopped before its records)
   look like a batch and are none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from accessreg.mail.compose import Composed, Later
from accessreg.model.content import Listing, Output


@dataclass(frozen=True)
class Outgoing:
    """A mail to send, and the notice-log keys it tells its recipient (scheduled digests).
    A mail composed ``Later`` is composed each time it is written or sent: the same bytes."""

    composed: Composed | Later
    covers: tuple[str, ...] = ()

    @property
    def message_id(self) -> str:
        return self.composed.message_id

    def made(self) -> Composed:
        return self.composed if isinstance(self.composed, Composed) else self.composed.make()


@dataclass(frozen=True)
class Proposal:
    """A branch holding one commit on ``base``: files removed and rewritten (repo paths)."""

    branch: str
    base: str
    removals: tuple[str, ...]
    writes: Mapping[str, bytes]
    message: str


@dataclass(frozen=True)
class BranchSet:
    """The branches under ``prefix`` become exactly ``proposals``: others are dropped."""

    prefix: str
    proposals: tuple[Proposal, ...]


class When(Enum):
    FIRST = "first"
    AFTER_MAILS = "after mails"
    ALWAYS = "always"


# Given the Message-IDs the outbox holds as sent at that point: the files to record (only the
# files that change), or None when there is nothing to record.
RecordFiles = Callable[[frozenset[str]], Mapping[str, bytes] | None]


@dataclass(frozen=True)
class Record:
    """A change of one state ref."""

    ref: str
    message: str
    files: RecordFiles
    when: When
    # What an AFTER_MAILS record records instead when the mails could not all be handed
    # over (the SMTP server unreachable, or refusing): None, nothing.
    instead: RecordFiles | None = None

    @classmethod
    def fixed(
        cls,
        ref: str,
        message: str,
        files: Mapping[str, bytes],
        when: When,
        instead: RecordFiles | None = None,
    ) -> Record:
        return cls(ref, message, lambda _sent: files, when, instead)


class Kept(Enum):
    """What a run that ``owes_mails`` keeps when the server cannot take them, for the
    sentence that ends it to say."""

    IMPORT = "import"  # confirm's import, a FIRST record
    # The scheduled duties': the deletion branches, moved before the mails, and the notice
    # log of what was sent; the items of a mail not sent are due again with the next run.
    DUTIES = "duties"


@dataclass(frozen=True)
class Seal:
    """The file ``name`` written into the outputs last, once the run's records are in the
    state (and on its remote): ``render`` makes it from the state ref's commit then."""

    name: str
    render: Callable[[str | None], bytes]


@dataclass(frozen=True)
class RunPlan:
    out: Path | None  # where the files go; None: nowhere
    files: Mapping[str, Output]  # in memory, assembled from pieces in the cache, or deferred
    mails: tuple[Outgoing, ...]
    send: bool  # hand the mails to SMTP (else they are only written and reported)
    branches: tuple[BranchSet, ...] = ()
    records: tuple[Record, ...] = field(default=())
    listing: Listing | None = None  # a file of the others' digests, written after them
    seal: Seal | None = None  # the file that says the outputs were recorded (apply --confirm)
    # What stands without its mails: a server that cannot take them ends the run reported,
    # the mails owed, as ``instead`` records do for apply. None: the run stops at once.
    owes_mails: Kept | None = None

    def names(self) -> list[str]:
        """Every output file's name, in order (the seal's: once the run is recorded)."""
        extra = [f.name for f in (self.listing, self.seal) if f is not None]
        return sorted([*self.files, *extra])

    def recorded(self, when: When) -> list[Record]:
        return [r for r in self.records if r.when is when]
