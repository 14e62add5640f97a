"""The core of ``accessreg apply``: plan since the last applied revision, render, send, record.

Order matters, so that a failure at any point loses nothing and repeats nothing:
1. the range is from the last applied revision (the state) to HEAD;
2. HEAD is validated: an error holds back exactly the files it involves (``holding``), the
   rest is applied; the change must pass the removal rails;
3. every output is rendered in memory, then the output directory is replaced at once;
4. with ``confirm`` and ``send``, mails go out one by one, each recorded in the outbox as
   soon as the server took it (a re-run sends only the rest);
5. only then, with ``confirm``, the new applied revision and the batch are recorded.
Without ``confirm`` it is a dry run: the outputs and the .eml files are written, nothing is
sent and nothing is recorded.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from accessreg.errors import ConfigError, UsageError
from accessreg.files import atomic
from accessreg.gitio.repo import GitRepository
from accessreg.gitio.state import StateStore
from accessreg.mail.compose import Composed, compose
from accessreg.mail.smtp import SmtpSettings, sender_from_env
from accessreg.provision import bundle, completion, notices, safety
from accessreg.provision.holding import Hold, isolate
from accessreg.provision.merges import History, Snapshots, history
from accessreg.provision.sending import MailOutcome, TransportFactory, send_or_hold, smtp_session
from accessreg.provision.state import (
    ApplicationRecord,
    BatchRecord,
    HeldFile,
    Ledger,
    State,
    SystemProgress,
)
from accessreg.timeline.clock import JST


@dataclass(frozen=True)
class ApplyRequest:
    root: Path  # anywhere inside the repository
    out: Path
    today: date
    head: str = "HEAD"
    base: str | None = None  # overrides the recorded applied revision
    initial: bool = False  # nothing was applied before: everything is new
    accepted_on: date | None = None
    send: bool = False
    confirm: bool = False
    max_removal_share: float = safety.DEFAULT_MAX_REMOVAL_SHARE
    allow_mass_removal: bool = False
    options: bundle.Options = field(default_factory=bundle.Options)
    state_remote: str | None = None
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


@dataclass(frozen=True)
class _Prepared:
    """Everything a run will write and send, computed before anything is."""

    history: History
    removal: safety.Removal
    applications: list[ApplicationRecord]
    batch: BatchRecord | None
    due: list[completion.Due]
    mails: list[Composed]
    files: dict[str, bytes]
    hold: Hold
    held: dict[str, HeldFile]


@dataclass(frozen=True)
class ApplyResult:
    base: str | None
    head: str
    batch: BatchRecord | None
    applications: list[ApplicationRecord]
    rows: dict[str, int]  # delta rows per system
    removal: safety.Removal
    files: list[str]
    mails: list[MailOutcome]
    recorded: bool
    dry_run: bool
    hold: Hold = field(default_factory=lambda: Hold(frozenset(), (), ()))
    released: frozenset[str] = frozenset()  # files held back before, applied now


def _merged_on(repo: GitRepository, head: str) -> date:
    """The day ``head`` was committed, in Japan."""
    try:
        (commit,) = repo.first_parent_history(f"{head}~1", head)
    except UsageError:  # a root commit
        commit = repo.first_parent_history(None, head)[-1]
    return commit.committed_at.astimezone(JST).date()


def batch_id(today: date, head: str, taken: Collection[str]) -> str:
    """``<YYYYMMDD>-<head>``; a head applied twice the same day (``--base``) gets a suffix."""
    found = f"{today:%Y%m%d}-{head[:8]}"
    n = 2
    while found in taken:
        found = f"{today:%Y%m%d}-{head[:8]}.{n}"
        n += 1
    return found


def _batch(
    found: History,
    today: date,
    apps: list[ApplicationRecord],
    state: State,
    pins: dict[str, str | None],
) -> BatchRecord | None:
    systems = found.systems()
    if not systems and not apps:
        return None
    return BatchRecord(
        id=batch_id(today, found.head, state.batches),
        number=len(state.batches) + 1,
        base=found.base,
        head=found.head,
        created_on=today,
        applications=tuple(apps),
        systems={s: SystemProgress(generated_on=today) for s in systems},
        pins=pins,
    )


def _unique(accepted: list[notices.Accepted], state: State) -> list[notices.Accepted]:
    """A release attributed to a merge whose other items were applied already is an
    application of its own (``<id>+2``), with its own notices. Other ids stay as they are:
    applying a range again must name (and so send) the same notices."""
    taken = {app.id for _, app in state.applications()}
    out = []
    for a in accepted:
        found, n = a.record.id, 2
        while a.record.released and found in taken:
            found, n = f"{a.record.id}+{n}", n + 1
        taken.add(found)
        record = a.record if found == a.record.id else a.record.model_copy(update={"id": found})
        out.append(notices.Accepted(record, a.step))
    return out


def _prepare(repo: GitRepository, ledger: Ledger, request: ApplyRequest, sender: str) -> _Prepared:
    base = request.base or ledger.state.applied
    if base is None and not request.initial:
        raise UsageError(
            "no applied revision is recorded yet: run once with --initial (every "
            "user is new) or --base REV (the revision downstream systems already hold)"
        )
    head = repo.resolve(request.head)
    # What downstream holds: the applied revision, but for the files held back before (an
    # explicit --base says downstream holds exactly that revision).
    previous = ledger.state.held if request.base is None else {}
    isolated = isolate(repo, head, base, previous, _merged_on(repo, head))
    snapshots = Snapshots(repo, isolated.pins)
    snapshots.keep(head, isolated.registry)
    found = history(snapshots, base, head, request.accepted_on, request.today, isolated.released)
    removal = safety.removal(found.before_access, found.after_access)
    safety.check_removal(removal, request.max_removal_share, request.allow_mass_removal)

    accepted = _unique([a for s in found.steps for a in notices.applications(s)], ledger.state)
    apps = [a.record for a in accepted]
    batch = _batch(found, request.today, apps, ledger.state, isolated.revs)
    owed = [n for a in accepted for n in notices.acceptance_notices(a)]
    owed += notices.held_notices(isolated.hold, isolated.registry, head, request.today)
    due = completion.due(ledger.state, Snapshots(repo))
    owed += [n for d in due for n in d.notices]
    mails = [compose(n, sender) for n in owed]
    files = bundle.render(found, request.today, batch.id if batch else None, mails, request.options)
    return _Prepared(found, removal, apps, batch, due, mails, files, isolated.hold, isolated.held)


def run(request: ApplyRequest, transport: TransportFactory = smtp_session) -> ApplyResult:
    sending = request.confirm and request.send
    settings = SmtpSettings.from_env(request.env) if sending else None
    sender = settings.sender if settings else sender_from_env(request.env)
    if not 0 <= request.max_removal_share <= 1:
        raise UsageError("--max-removal-share must be between 0 and 1")
    with GitRepository(request.root) as repo:
        store = StateStore(repo.root, remote=request.state_remote)
        try:
            ledger = Ledger(store)
            prepared = _prepare(repo, ledger, request, sender)
            try:
                atomic.replace_directory(request.out, prepared.files)
            except (FileExistsError, OSError) as exc:
                raise ConfigError(f"cannot write the outputs: {exc}") from None
            outcomes = send_or_hold(ledger, prepared.mails, settings, transport)
            found, batch = prepared.history, prepared.batch
            if request.confirm:
                if settings is not None:
                    for d in prepared.due:
                        current = ledger.state.batches[d.batch.id]
                        ledger.update_batch(
                            completion.notified(current, d.system),
                            f"notified {d.system} of batch {d.batch.id}",
                        )
                # A first run with --base HEAD changes nothing but says where downstream is.
                moved = ledger.state.applied != found.head or ledger.state.held != prepared.held
                if batch is not None or moved:
                    ledger.record_applied(found.head, request.today, batch, prepared.held)
        finally:
            store.close()
    rows: dict[str, int] = {}
    for row in found.rows:
        rows[row.change.system] = rows.get(row.change.system, 0) + 1
    return ApplyResult(
        base=found.base,
        head=found.head,
        batch=batch,
        applications=prepared.applications,
        rows=rows,
        removal=prepared.removal,
        files=sorted(prepared.files),
        mails=outcomes,
        recorded=request.confirm,
        dry_run=not request.confirm,
        hold=prepared.hold,
        released=frozenset(r for s in found.steps for r in s.released),
    )
