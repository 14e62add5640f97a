"""Imports confirmed, and the completion notices they make due.

``accessreg confirm BATCH [--system S]`` records that a downstream system has taken a batch's
files (000 §5-1 ④⑥: the registration is done by someone else). Every application of the
batch that needed that system then owes its window persons a completion notice; the notices
of a system are marked delivered once all of them are in the outbox, so later runs skip it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from accessreg.errors import UsageError
from accessreg.model.commits import CommitInfo
from accessreg.model.mail import Notice
from accessreg.model.messages import msg
from accessreg.provision.merges import (
    MergedPullRequest,
    Snapshots,
    pinned_content,
    released_step,
    step,
)
from accessreg.provision.notices import (
    DONE,
    Accepted,
    completion_notices,
    registration_notices,
    registration_status,
)
from accessreg.provision.state import ApplicationRecord, BatchRecord, State
from accessreg.timeline.effective import Events


def confirmed(batch: BatchRecord, systems: list[str], day: date) -> BatchRecord:
    """``batch`` with ``systems`` (every system of it when empty) imported on ``day``."""
    unknown = [s for s in systems if s not in batch.systems]
    if unknown:
        raise UsageError(
            msg(
                "Batch {id} has no files for {unknown} (it has: {listed}): name its systems",
                id=batch.id,
                unknown=tuple(unknown),
                listed=tuple(batch.systems) or msg("none"),
            )
        )
    chosen = systems or list(batch.systems)
    updated = dict(batch.systems)
    for s in chosen:
        if updated[s].imported_on is None:
            updated[s] = updated[s].model_copy(update={"imported_on": day})
    return batch.model_copy(update={"systems": updated})


def accepted(snapshots: Snapshots, record: ApplicationRecord, batch: BatchRecord) -> Accepted:
    """The application as it was accepted, rebuilt from git (``snapshots`` pin what the
    batch held back: ``view``); a release, from its batch's head. Only the operator's own
    users are read: the application is theirs alone."""
    snapshots = snapshots.narrowed({record.operator})
    when = datetime.combine(record.accepted_on, time(), UTC)
    commit = CommitInfo(record.commit, record.parent, record.title, when)
    events = Events(record.entered_on, record.accepted_on, record.merged_on)
    if record.released:
        before = snapshots.at(batch.head)
        known = events.known(record.merged_on or record.accepted_on)
        found = released_step(
            snapshots, batch.head, before, record.released, known, commit=commit, record=record
        )
        return Accepted(record, found)
    loaded = batch.created_on if batch.base is None else None  # a first apply's
    found = step(snapshots, commit, MergedPullRequest(events), {record.id: record}, loaded)
    return Accepted(record, found)


def view(snapshots: Snapshots, batch: BatchRecord) -> Snapshots:
    """The registries as ``batch`` saw them: the files it held back or released pinned."""
    if not batch.pins:
        return snapshots
    return snapshots.narrowed(snapshots.scope, pinned_content(snapshots.repo, batch.pins))


@dataclass(frozen=True)
class Due:
    """The completion notices one imported system of one batch still owes."""

    batch: BatchRecord
    system: str
    notices: list[Notice]


def due(state: State, snapshots: Snapshots) -> list[Due]:
    """Every imported system whose completion notices are not all delivered yet."""
    found = []
    rebuilt: dict[str, Accepted] = {}
    for batch in state.ordered():
        pinned: Snapshots | None = None
        for system, progress in batch.systems.items():
            if progress.imported_on is None or progress.notified:
                continue
            pinned = pinned or view(snapshots, batch)
            notices = []
            for record in batch.applications:
                if system not in record.systems:
                    continue
                if record.id not in rebuilt:
                    rebuilt[record.id] = accepted(pinned, record, batch)
                notices += completion_notices(
                    batch, rebuilt[record.id], system, progress.imported_on
                )
            found.append(Due(batch, system, notices))
    return found


def registrations_due(state: State, snapshots: Snapshots, today: date) -> list[Notice]:
    """The 登録完了連絡 of every application whose certificates and addresses have reached
    their dates by ``today`` (the outbox drops those already sent)."""
    notices = []
    views: dict[str, Snapshots] = {}
    for batch, record in state.applications():
        if registration_status(record, today) == DONE:
            if batch.id not in views:
                views[batch.id] = view(snapshots, batch)
            found = accepted(views[batch.id], record, batch)
            notices += registration_notices(batch, found, today)
    return notices


def notified(batch: BatchRecord, system: str) -> BatchRecord:
    systems = dict(batch.systems)
    systems[system] = systems[system].model_copy(update={"notified": True})
    return batch.model_copy(update={"systems": systems})
