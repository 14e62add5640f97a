"""The cores of ``accessreg confirm`` (an import recorded, its notices owed) and ``status``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from accessreg.effects.plan import Kept, Outgoing, Record, RunPlan, When
from accessreg.effects.session import InDoubt, MailOutcome, Session, TransportFactory, smtp_session
from accessreg.errors import UsageError
from accessreg.files import gcpause
from accessreg.files.cachedload import load_snapshot
from accessreg.files.loading import mistyped_code
from accessreg.files.parsecache import cache_dir
from accessreg.gitio.repo import GitRepository
from accessreg.gitio.state import STATE_REF
from accessreg.mail.compose import deferred, mail_file
from accessreg.mail.smtp import DeliveryError
from accessreg.model import Catalog, layout
from accessreg.model.layout import REGISTRY_DIR
from accessreg.model.messages import Message, msg
from accessreg.model.registry import Registry
from accessreg.provision import completion
from accessreg.provision import state as recorded
from accessreg.provision.apply import delivered
from accessreg.provision.merges import Snapshots, readable
from accessreg.provision.owed import mails as completion_mails
from accessreg.provision.state import BatchRecord, State
from accessreg.provision.status import Held, Progress, Suspended, held, progress_of, suspensions


@dataclass(frozen=True)
class ConfirmRequest:
    root: Path
    batch: str
    systems: list[str]  # empty: every system of the batch
    today: date
    out: Path | None = None  # where the notices are written as .eml files
    send: bool = False
    state_remote: str | None = None
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


@dataclass(frozen=True)
class Unconfirmed:
    """An earlier ``batch`` still 未済 for a ``system`` this confirmation records, with the
    number of ``holders`` whose items of that system both batches hold: a change or removal
    (000 §5-2) follows the setting applied for before it (§5-1 ⑨⑩), so this batch's
    completion notices reach them before that batch's own. Warned of, never refused: the
    system may have done both and the earlier confirmation only be late."""

    batch: str
    system: str
    holders: int


@dataclass(frozen=True)
class ConfirmPlan:
    batch: BatchRecord  # as it will be recorded
    newly_imported: list[str]
    run: RunPlan
    unconfirmed: list[Unconfirmed] = field(default_factory=list)


@dataclass(frozen=True)
class ConfirmResult:
    batch: BatchRecord
    newly_imported: list[str]
    mails: list[MailOutcome]
    in_doubt: list[InDoubt] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    catalog: Catalog | None = None  # the batch's, naming its systems (None: it did not load)
    unconfirmed: list[Unconfirmed] = field(default_factory=list)
    # What ends the run, the import recorded all the same, once it is reported
    # (``Done.stopped``: mails owed, or held as refused).
    stopped: DeliveryError | None = None


def _holders(batch: BatchRecord, system: str) -> set[str]:
    """The login IDs whose permission of ``system`` an application of ``batch`` changes."""
    return {
        i.key
        for a in batch.applications
        for i in a.items
        if i.subject == "user" and i.system == system
    }


def _loaded(snapshots: Snapshots, batch: BatchRecord, system: str, among: set[str]) -> set[str]:
    """Those of ``among`` a first apply's ``batch`` gave a permission of ``system``: its
    applications record no items, so its registry is read, for their operators alone
    (``among``'s login IDs are lower case, as the items record them)."""
    codes = {a.operator for a in batch.applications if system in a.systems}
    registry = snapshots.narrowed(codes).at(batch.head)
    return {
        login
        for code in codes
        for u in registry.users_of(code)
        if system in u.user.permissions
        and u.file not in batch.pins  # held back: not loaded
        and (login := u.user.email.lower()) in among
    }


def unconfirmed_before(
    snapshots: Snapshots, state: State, batch: BatchRecord, systems: Iterable[str]
) -> list[Unconfirmed]:
    """The batches before ``batch`` still 未済 for one of ``systems`` that change a
    permission of it ``batch`` changes too, each with how many holders they share."""
    found = []
    for system in systems:
        ours = _holders(batch, system)
        for earlier in state.ordered():
            if earlier.number >= batch.number or not ours:
                break
            progress = earlier.systems.get(system)
            if progress is None or progress.imported_on is not None:
                continue
            if earlier.loaded_on is not None:
                shared = len(_loaded(snapshots, earlier, system, ours))
            else:
                shared = len(ours & _holders(earlier, system))
            if shared:
                found.append(Unconfirmed(earlier.id, system, shared))
    return found


def plan(
    snapshots: Snapshots,
    state: State,
    request: ConfirmRequest,
    sender: str,
    sent: Callable[[str], bool] = lambda _: False,
    catalog: Catalog | None = None,
) -> ConfirmPlan:
    """The import recorded first, then the completion notices it makes due (and the
    登録完了連絡 whose dates have come, and the 受付 notices owed, unless ``sent`` already), and
    (when they are sent) each system's notices recorded as delivered. ``catalog`` names the
    systems in a refusal."""
    before = state.batch(request.batch)
    after = completion.confirmed(before, request.systems, request.today, catalog)
    newly = [s for s, p in after.systems.items() if p != before.systems[s]]
    records = []
    current = state
    if newly:
        current = recorded.with_batch(current, after)
        what = f"confirmed {', '.join(newly)} of batch {after.id} imported"
        records.append(Record.fixed(STATE_REF, what, recorded.dump(current), When.FIRST))
    # To the window persons of the day, the operators named as the applied revision has
    # them (its operator files alone: a scope of no operator reads no user).
    applied = state.applied

    def latest() -> Registry | None:
        return snapshots.narrowed(()).at(applied) if applied is not None else None

    addressing = completion.Handovers(current, snapshots, request.today, latest)
    due, composed = completion_mails(current, snapshots, sender, addressing)
    registered = completion.registrations_due(current, snapshots, addressing)
    composed += [m for n in registered if not sent((m := deferred(n, sender)).message_id)]
    # 受付 notices a run of apply was recorded without (the SMTP server unreachable).
    owing, again = completion.acceptances_due(current, snapshots, addressing)
    composed += [m for n in again if not sent((m := deferred(n, sender)).message_id)]
    if request.send:
        for what, told in completion.notified_states(current, due, registered, owing):
            records.append(Record.fixed(STATE_REF, what, recorded.dump(told), When.AFTER_MAILS))
            current = told
    run = RunPlan(
        out=request.out,
        files=dict(mail_file(c) for c in composed),
        mails=tuple(Outgoing(c) for c in composed),
        send=request.send,
        records=tuple(records),
        owes_mails=Kept.IMPORT,
    )
    return ConfirmPlan(
        current.batches[after.id], newly, run, unconfirmed_before(snapshots, state, after, newly)
    )


def run(request: ConfirmRequest, transport: TransportFactory = smtp_session) -> ConfirmResult:
    with Session.open(
        request.root,
        send=request.send,
        remote=request.state_remote,
        env=request.env,
        transport=transport,
        out=request.out,
    ) as session:
        state = recorded.load(session.state.files)
        catalog = session.catalog_at(state.batch(request.batch).head)
        sent = delivered(session)
        snapshots = Snapshots(session.repo, cache=cache_dir(session.repo.common_dir))
        # A batch of most operators is rebuilt from its registry read whole (millions of
        # objects without cycles): the collector's full passes over it while the
        # applications were rebuilt found nothing and cost a third of the rebuilding.
        with gcpause.kept() as keep:
            with gcpause.paused():
                planned = plan(snapshots, state, request, session.sender, sent, catalog)
                keep()
            done = session.carry_out(planned.run)
            gcpause.hold(snapshots, planned)
    return ConfirmResult(
        planned.batch,
        planned.newly_imported,
        done.mails,
        done.in_doubt,
        done.notes,
        catalog,
        planned.unconfirmed,
        done.stopped,
    )


@dataclass(frozen=True)
class Status:
    progress: list[Progress]  # every application applied by the day, and its progress then
    suspended: list[Suspended]  # every suspension of HEAD in force on the day
    held: list[Held]  # the files held back for errors at HEAD by the day
    registry: Registry  # at HEAD


# No state to read: an empty table would read as no application accepted.
_NOT_FETCHED = msg(
    "This clone holds no record of what was applied ({ref}): fetch it with --state-remote "
    "origin (or git fetch origin {ref}:{ref}) and run again",
    ref=STATE_REF,
)
_NOTHING_RECORDED = msg(
    "Nothing is recorded as applied yet ({ref}): no application has been accepted by a run",
    ref=STATE_REF,
)


def status(
    root: Path, operator: str | None, today: date, state_remote: str | None = None
) -> Status:
    """Every application applied by ``today`` and its progress on that day, every
    suspension of HEAD in force on that day (from the day recorded for it), the files held
    back, and the registry at HEAD."""
    # The registry is millions of objects without cycles: built with the collector paused,
    # then left out of its passes (three of them walked it whole, 1.3 s of a 3.4 s status
    # at 200,000 users).
    with Session.open(root, remote=state_remote) as session, gcpause.kept() as keep:
        state = recorded.load(session.state.files)
        with gcpause.paused():
            registry = _head(session.repo, operator)
            keep()
        known = set(registry.operators) | {app.operator for _, app in state.applications()}
        if operator is not None and operator not in known:
            guess = layout.closest_code(operator, known)
            raise UsageError(
                mistyped_code(operator, guess)
                or (
                    msg(
                        "There is no operator {code}: it is neither in the registry nor in an "
                        "accepted application (did you mean {guess}?)",
                        code=operator,
                        guess=guess,
                    )
                    if guess
                    else msg(
                        "There is no operator {code}: it is neither in the registry nor in an "
                        "accepted application",
                        code=operator,
                    )
                )
            )
        if session.state.commit is None:
            raise UsageError(_NOTHING_RECORDED if state_remote else _NOT_FETCHED)
        days = recorded.suspension_days(app for _, app in state.applications())
        return Status(
            progress_of(state, registry.catalog, today, operator),
            suspensions(registry, operator, days, today),
            held(state, operator, today),
            registry,
        )


def _head(repo: GitRepository, operator: str | None) -> Registry:
    """The registry at HEAD as far as ``status`` shows it, files with errors loaded as they
    load, through the caches: one operator's list reads every operator file but that
    operator's users alone; the whole list (every suspension) reads back the registry the
    last run loaded whole, when nothing changed since (a full parse cost 13 s at 200,000
    users)."""
    cache = cache_dir(repo.common_dir)
    if operator is not None:
        return Snapshots(repo, scope={operator}, cache=cache).at("HEAD")
    sha = repo.resolve("HEAD")
    return readable(load_snapshot(repo.blob_source(sha, REGISTRY_DIR), cache), sha)
