"""Imports confirmed, and the completion notices they make due.

``accessreg confirm BATCH [--system S]`` records that a downstream system has taken a batch's
files (000 §5-1 ④⑥: the registration is done by someone else). Every application of the
batch that needed that system then owes its window persons a completion notice; the notices
of a system are marked delivered once all of them are in the outbox, so later runs skip it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from accessreg.errors import ConfigError, UsageError
from accessreg.model import Contact, Operator
from accessreg.model.catalog import Catalog, closest_system, system_key, system_named
from accessreg.model.commits import CommitInfo
from accessreg.model.mail import Handover, Notice, Recipient, window_persons
from accessreg.model.messages import msg
from accessreg.model.registry import Registry
from accessreg.provision import state as recorded
from accessreg.provision.merges import (
    MergedPullRequest,
    Snapshots,
    pinned_content,
    released_step,
    revoked_over,
    revoked_step,
    step,
)
from accessreg.provision.notices import (
    DONE,
    Accepted,
    acceptance_notices,
    coming,
    completion_notices,
    registration_notices,
    registration_status,
)
from accessreg.provision.state import ApplicationRecord, BatchRecord, State
from accessreg.timeline.effective import Events


def confirmed(
    batch: BatchRecord, systems: list[str], day: date, catalog: Catalog | None = None
) -> BatchRecord:
    """``batch`` with ``systems`` (every system of it when empty) imported on ``day``, each
    read as the editing commands read one (``TAXIS`` is ``taxis``); a system it lacks is
    refused, with the one meant by a slip, its systems named as ``catalog`` names them."""
    given = [(s, system_key(s, batch.systems, catalog)) for s in systems]
    unknown = [s for s, key in given if key is None]
    systems = [key for _, key in given if key is not None]
    if unknown and not batch.systems:
        # Certificates or addresses alone: registered on their own dates, no import file.
        raise UsageError(
            msg(
                "Batch {id} has no import file for any system: confirm it without --system",
                id=batch.id,
            )
        )
    if unknown:
        guess = closest_system(unknown[0], batch.systems) if len(unknown) == 1 else None
        listed = tuple(system_named(catalog, s) for s in batch.systems)
        raise UsageError(
            msg(
                "Batch {id} has no files for {unknown} (it has: {listed}): did you mean {guess}?",
                id=batch.id,
                unknown=system_named(catalog, unknown[0]),
                listed=listed,
                guess=system_named(catalog, guess),
            )
            if guess
            else msg(
                "Batch {id} has no files for {unknown} (it has: {listed}): name its systems",
                id=batch.id,
                unknown=tuple(system_named(catalog, s) for s in unknown),
                listed=listed,
            )
        )
    chosen = systems or list(batch.systems)
    earliest = max((batch.importable_from(s) for s in chosen), default=batch.created_on)
    if day < earliest:
        # Recorded, it would date the completion notices and the manual steps' items
        # (``BatchRecord.in_effect_on``) before the batch existed or was accepted.
        raise UsageError(
            msg(
                "The import day {day} (--today) is before batch {id} could be imported "
                "({earliest}: the day it was made, or the acceptance of its last application "
                "for the system). Give --today the day the system imported the batch, "
                "{earliest} or later",
                day=day,
                id=batch.id,
                earliest=earliest,
            )
        )
    updated = dict(batch.systems)
    for s in chosen:
        if updated[s].imported_on is None:
            updated[s] = updated[s].model_copy(update={"imported_on": day})
    return batch.model_copy(update={"systems": updated})


def accepted(
    snapshots: Snapshots, batch: BatchRecord, records: Iterable[ApplicationRecord]
) -> dict[str, Accepted]:
    """The applications ``records`` of ``batch`` as they were accepted, by id, rebuilt from
    git (``snapshots`` pin what the batch held back: ``view``); a release, from its batch's
    head. Only the users of their operators are read, and the applications of one merge
    are rebuilt together, as one step of their operators: one step per operator read every
    operator file again for each (a first apply's 2,000 applications, confirmed at 200,000
    users, ran past ten minutes and 10 GiB)."""
    found: dict[str, Accepted] = {}
    merges: dict[tuple[str, str | None], list[ApplicationRecord]] = {}
    for record in records:
        if record.revoked:
            scoped = snapshots.narrowed({record.operator})
            before = scoped.at(batch.head)
            known = _events(record).known(record.merged_on or record.accepted_on)
            made = revoked_step(
                scoped, batch.head, before, _revocations(scoped, batch, record), known,
                commit=_commit(record), record=record,
            )  # fmt: skip
            found[record.id] = Accepted(record, made)
        elif record.released:
            scoped = snapshots.narrowed({record.operator})
            before = scoped.at(batch.head)
            known = _events(record).known(record.merged_on or record.accepted_on)
            made = released_step(
                scoped, batch.head, before, record.released, known, commit=_commit(record),
                record=record,
            )  # fmt: skip
            found[record.id] = Accepted(record, made)
        else:
            merges.setdefault((record.commit, record.parent), []).append(record)
    loaded = batch.loaded_on  # a first apply's
    for group in merges.values():
        first = group[0]  # one merge: one pull request's events and title
        scoped = snapshots.narrowed({r.operator for r in group})
        merged = MergedPullRequest(_events(first))
        since = _since(scoped, batch, first)
        made = step(scoped, _commit(first), since, merged, {r.id: r for r in group}, loaded)
        found.update((r.id, Accepted(r, made)) for r in group)
    return found


def _revocations(
    snapshots: Snapshots, batch: BatchRecord, record: ApplicationRecord
) -> dict[str, bytes]:
    """What ``record`` revoked: each of its files as the batch held it (``view``), with
    the revocations of its version at the batch's head laid over it."""
    now = pinned_content(snapshots.repo, dict.fromkeys(record.revoked, batch.head))
    found = {}
    for rel in record.revoked:
        taken = revoked_over(rel, snapshots.pins.get(rel), now[rel])
        if taken is not None:
            found[rel] = taken
    return found


def _since(snapshots: Snapshots, batch: BatchRecord, record: ApplicationRecord) -> str | None:
    """Where the run that applied ``record`` started its merge's step: the revision it
    records. A state recorded before that was recorded names the merge's parent, which a
    merge whose catalog does not load (often the first commits of a load's history) can
    leave unreadable: the run had started from the merge of the batch before it (one it
    could not read is no step), or from the batch's base (nothing, for a load)."""
    if record.parent is None:
        return None
    try:
        snapshots.at(record.parent)  # kept: the step reads it again
    except ConfigError:
        merges = list(dict.fromkeys(r.commit for r in batch.applications if not r.released))
        earlier = merges[: merges.index(record.commit)]
        return earlier[-1] if earlier else batch.base
    return record.parent


def _commit(record: ApplicationRecord) -> CommitInfo:
    when = datetime.combine(record.accepted_on, time(), UTC)
    return CommitInfo(record.commit, record.parent, record.title, when)


def _events(record: ApplicationRecord) -> Events:
    return Events(record.entered_on, record.accepted_on, record.merged_on)


# Applications rebuilt at once: a first apply's 2,000, confirmed at 200,000 users, held the
# registry and the step of every operator together, over 1 GiB.
_PART = 250


def _parts(records: list[ApplicationRecord]) -> Iterator[list[ApplicationRecord]]:
    for start in range(0, len(records), _PART):
        yield records[start : start + _PART]


def _rebuilt(
    snapshots: Snapshots, batch: BatchRecord, records: list[ApplicationRecord]
) -> Iterator[tuple[list[ApplicationRecord], dict[str, Accepted]]]:
    """``records`` rebuilt a part at a time (``accepted``), each part with its applications
    by id. The merge with the most of them is read whole first where they are most of its
    operators (a first apply's: every operator, ``Snapshots.read_whole``)."""
    merges = Counter(r.commit for r in records if not (r.released or r.revoked))
    if merges:
        commit, _ = merges.most_common(1)[0]
        snapshots.read_whole(commit, {r.operator for r in records if r.commit == commit})
    for part in _parts(records):
        yield part, accepted(snapshots, batch, part)


def view(snapshots: Snapshots, batch: BatchRecord) -> Snapshots:
    """The registries as ``batch`` saw them: the files it held back or released pinned, with
    the revocations downstream held of them then."""
    if not batch.pins:
        return snapshots
    held = pinned_content(snapshots.repo, batch.pins, batch.revoked)
    return snapshots.narrowed(snapshots.scope, held)


def handover_on(record: ApplicationRecord) -> date | None:
    """The day ``record``'s change of its operator's window persons takes effect, as its
    items were dated at acceptance (the permission-management system's rows and the
    info-sharing site's subscribers change on it); None: it changes none."""
    days = [i.on for i in record.items if i.subject == "window_person" and i.system is None]
    return max((d for d in days if d is not None), default=None)


def _former(
    snapshots: Snapshots, batch: BatchRecord, record: ApplicationRecord
) -> tuple[Contact, ...]:
    """The window persons of ``record``'s operator before it, as its batch held them
    (``view``); none where the operator was not registered then."""
    if record.parent is None:
        return ()
    try:
        before = view(snapshots, batch).narrowed({record.operator}).at(record.parent)
    except ConfigError:  # a revision whose catalog does not load: nothing to read
        return ()
    entry = before.operators.get(record.operator)
    if entry is None or entry.operator.status != "active":
        return ()
    return entry.operator.contacts


class Handovers:
    """Who each operator's window persons are on ``day``: the changes of them the state
    records as still to come then (``model.mail.Handover``), over the operator as the
    ``latest`` registry downstream holds names it. Every notice a run sends to an operator
    goes to them (``persons``), so that it reaches those every output holds on its day: the
    persons before a change are read from git, as its batch held them, the first time a
    notice to the operator asks."""

    def __init__(
        self,
        state: State,
        snapshots: Snapshots,
        day: date,
        latest: Callable[[], Registry | None] = lambda: None,
    ) -> None:
        self.day = day
        self._snapshots = snapshots
        self._latest = latest
        self._registry: tuple[Registry | None] | None = None
        self._pending: dict[str, list[tuple[BatchRecord, ApplicationRecord, date]]] = {}
        for batch, record in state.applications():
            on = handover_on(record)
            if on is not None and on > day:
                self._pending.setdefault(record.operator, []).append((batch, record, on))
        self._read: dict[str, tuple[Handover, ...]] = {}

    def of(self, code: str) -> tuple[Handover, ...]:
        """The changes of ``code``'s window persons still to come, in the order applied."""
        found = self._read.get(code)
        if found is None:
            pending = self._pending.get(code, ())
            found = tuple(
                Handover(r.id, on, _former(self._snapshots, b, r)) for b, r, on in pending
            )
            self._read[code] = found
        return found

    def _named(self, code: str) -> Operator | None:
        """The operator as the latest registry has it (None: it has none of that code)."""
        if self._registry is None:
            self._registry = (self._latest(),)
        latest = self._registry[0]
        entry = latest.operators.get(code) if latest is not None else None
        return entry.operator if entry is not None else None

    def persons(self, operator: Operator, own: str | None = None) -> list[Recipient]:
        """``operator``'s window persons on the day (``window_persons``; ``own``: the
        application the notices are of), those it names as the latest registry has it
        where it does, else as given."""
        named = None if operator.code in self._pending else self._named(operator.code)
        return window_persons(named or operator, self.day, self.of(operator.code), own)

    def key(self, codes: Iterable[str]) -> str:
        """Who the notices to ``codes`` go to, as a mail kept composed is keyed: the changes
        still to come, else the window persons the latest registry names (a change that
        has come since addresses the mail anew)."""
        parts = []
        for code in sorted(set(codes)):
            pending = self._pending.get(code)
            if pending:
                parts += [f"{code}\t{r.id}\t{on}" for _, r, on in pending]
            elif (named := self._named(code)) is not None:
                parts += [f"{code}\t{c.role}\t{c.email}\t{c.name}" for c in named.contacts]
        return "".join(f"\n{p}" for p in parts)


@dataclass(frozen=True)
class Due:
    """The completion notices one imported system of one batch still owes."""

    batch: BatchRecord
    system: str
    notices: list[Notice]


def owing(state: State) -> Iterator[tuple[BatchRecord, dict[str, date]]]:
    """Each batch with a system imported whose completion notices are not all delivered
    yet, and those systems with the day of their import."""
    for batch in state.ordered():
        owed = {
            system: progress.imported_on
            for system, progress in batch.systems.items()
            if progress.imported_on is not None and not progress.notified
        }
        if owed:
            yield batch, owed


def due(state: State, snapshots: Snapshots, addressing: Handovers) -> list[Due]:
    """Every imported system whose completion notices are not all delivered yet, each
    naming what the batches after its own already remove or change (``coming``), to the
    window persons of the day they are sent (``addressing``)."""
    found = []
    for batch, owed, parts in due_parts(state, snapshots, addressing):
        notices: dict[str, list[Notice]] = {system: [] for system in owed}
        for part in parts:
            for system, made in part.items():
                notices[system] += made
        found += [Due(batch, system, notices[system]) for system in owed]
    return found


def due_parts(
    state: State, snapshots: Snapshots, addressing: Handovers
) -> Iterator[tuple[BatchRecord, dict[str, date], Iterator[dict[str, list[Notice]]]]]:
    """``due``, each batch's notices a part of its applications at a time (by system), to
    be used up before the next batch: a first batch's 20,141 notices, each with what its
    mail says, held together took 330 MiB at 200,000 users."""
    for batch, owed in owing(state):
        records = [r for r in batch.applications if not owed.keys().isdisjoint(r.systems)]
        yield batch, owed, _due_part(state, snapshots, addressing, batch, owed, records)


def _due_part(
    state: State,
    snapshots: Snapshots,
    addressing: Handovers,
    batch: BatchRecord,
    owed: dict[str, date],
    records: list[ApplicationRecord],
) -> Iterator[dict[str, list[Notice]]]:
    later = coming(state, batch)
    for part, rebuilt in _rebuilt(view(snapshots, batch), batch, records):
        yield {
            system: [
                notice
                for record in part
                if system in record.systems
                for notice in completion_notices(
                    batch, rebuilt[record.id], system, imported_on, addressing, later
                )
            ]
            for system, imported_on in owed.items()
        }


def registrations_due(state: State, snapshots: Snapshots, addressing: Handovers) -> list[Notice]:
    """The 登録完了連絡 of every application whose certificates and addresses have reached
    their dates by ``today`` and which the state does not record as delivered (the outbox
    drops any already sent). Once delivered, the state records it
    (``state.registrations_notified``) and no later run rebuilds the application: before,
    every run rebuilt every application ever registered, a cost growing with the years.
    ``addressing``: the day of the run, and who the window persons are on it."""
    today = addressing.day
    notices = []
    for batch in state.ordered():
        done = [
            r
            for r in batch.applications
            if not r.registration_notified and registration_status(r, today) == DONE
        ]
        if not done:
            continue
        later = coming(state, batch)  # a certificate removed since: the notice says so
        for part, rebuilt in _rebuilt(view(snapshots, batch), batch, done):
            for record in part:
                notices += registration_notices(batch, rebuilt[record.id], today, addressing, later)
    return notices


def acceptances_due(
    state: State, snapshots: Snapshots, addressing: Handovers
) -> tuple[frozenset[str], list[Notice]]:
    """The applications whose 受付 notices a run recorded without sending them all (the SMTP
    server could not be reached: ``acceptance_owed``), and those notices, rebuilt from git
    as they were accepted (the outbox drops any sent before the server stopped). Every one of
    them is owed no more once they are handed over, one telling nothing included."""
    owing: set[str] = set()
    notices = []
    for batch in state.ordered():
        owed = [r for r in batch.applications if r.acceptance_owed]
        if not owed:
            continue
        owing.update(r.id for r in owed)
        for part, rebuilt in _rebuilt(view(snapshots, batch), batch, owed):
            for record in part:
                notices += acceptance_notices(rebuilt[record.id], addressing)
    return frozenset(owing), notices


def notified_states(
    state: State,
    due: Sequence[Due],
    registered: Sequence[Notice],
    accepted: Collection[str] = (),
) -> list[tuple[str, State]]:
    """The states to record once the mails of ``due``, ``registered`` and the 受付 notices
    owed of the applications ``accepted`` (``acceptances_due``) are handed over, each after
    the one before and with what it says: each system's completion notices delivered, then
    the 登録完了連絡 of their applications (none again from then on), then the 受付 notices."""
    found = []
    for d in due:
        state = recorded.with_batch(state, notified(state.batches[d.batch.id], d.system))
        found.append((f"notified {d.system} of batch {d.batch.id}", state))
    if applications := {n.application for n in registered}:
        state = recorded.registrations_notified(state, applications)
        found.append((f"notified the registrations of {len(applications)} application(s)", state))
    if accepted:
        state = recorded.acceptances_owed(state, accepted, owed=False)
        found.append((f"sent the acceptance notices owed of {len(accepted)} application(s)", state))
    return found


def notified(batch: BatchRecord, system: str) -> BatchRecord:
    """``batch`` with every completion notice of ``system`` delivered."""
    systems = dict(batch.systems)
    systems[system] = systems[system].model_copy(update={"notified": True})
    return batch.model_copy(update={"systems": systems})
