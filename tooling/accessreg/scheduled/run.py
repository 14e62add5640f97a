"""One scheduled run: HEAD's registry, the duties asked for, outputs, mails and branches.

``plan`` computes everything the run would do without doing any of it: every duty's result
(a file that does not load is read as downstream systems hold it, since a user left out
would be judged wrongly, and holds back only its own operator; rule problems hold nothing:
date-driven ones, an expired IP entry, are this job's business), the notices
narrowed by the notice log to what each recipient has not had yet, every output rendered in
memory, and, with ``send``, the deletion branches and the notice log's record. The session
(``effects.session``) carries it out: the output directory replaced at once; the branches put
on HEAD; the mails one by one through the outbox of the merge-time mails (a Message-ID is
sent once); and the notice log, noting the items of each mail sent, saved once at the end,
also when sending stopped half-way. A server that cannot take the mails ends the run once
it is reported (``RunResult.stopped``): the rest of the run does not wait for them, and the
items of a mail not sent are due again the next run. Without ``send`` nothing is sent, no
branch moves and nothing is recorded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from accessreg.effects.outbox import Outbox
from accessreg.effects.plan import BranchSet, Kept, Outgoing, Proposal, Record, RunPlan, When
from accessreg.effects.session import InDoubt, MailOutcome, Session, TransportFactory, smtp_session
from accessreg.errors import ProblemsFound, UsageError
from accessreg.files import gcpause
from accessreg.files.parsecache import cache_dir
from accessreg.files.reasons import os_reason
from accessreg.gitio.added import added_on
from accessreg.gitio.branches import BranchChange
from accessreg.gitio.repo import BlobSource
from accessreg.mail.compose import mail_file
from accessreg.mail.smtp import DeliveryError
from accessreg.model.catalog import Catalog
from accessreg.model.content import Digests, Listing, Output, listed
from accessreg.model.layout import REGISTRY_DIR
from accessreg.model.mail import Addressing
from accessreg.model.messages import Message, Verbatim, msg
from accessreg.model.problems import Problem
from accessreg.model.registry import Registry
from accessreg.provision import holding
from accessreg.provision import state as recorded
from accessreg.provision.bundle import whitelist_files
from accessreg.provision.completion import Handovers
from accessreg.provision.merges import Snapshots, pinned_content
from accessreg.provision.state import BatchRecord
from accessreg.reporting import reporters
from accessreg.scheduled import deletions, inventory, lastlogins, log, mails, reviews, stale
from accessreg.scheduled.duties import DUTIES
from accessreg.scheduled.duty import Duty, DutyResult, Inputs, Options
from accessreg.scheduled.keyed_notices import DigestMail, log_key, pending, recipients

FORMAT = "accessreg-scheduled/1"


@dataclass(frozen=True)
class RunRequest:
    root: Path  # anywhere inside the repository
    today: date
    duties: tuple[str, ...]
    out: Path | None = None
    send: bool = False
    last_logins: Path | None = None
    open_pulls: Path | None = None  # the open pull requests, as GitHub's API lists them
    provider: str = stale.DEFAULT_PROVIDER
    months: int = inventory.DEFAULT_MONTHS
    operator: str | None = None  # inventory on demand for one operator
    whitelists: bool = False  # regenerate the whitelist outputs for the day
    all_csvs: bool = True  # write every operator's inventory CSVs, not only those mailed
    strict: bool = False  # refuse an export (or a list of pull requests) with unreadable rows
    head: str = "HEAD"
    state_remote: str | None = None
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    @property
    def options(self) -> Options:
        return Options(self.provider, self.months, self.operator, self.all_csvs)


@dataclass(frozen=True)
class DutiesPlan:
    """Everything one scheduled run would do, computed before anything is done."""

    head: str
    outcomes: dict[str, DutyResult]
    mails: list[tuple[DigestMail, Outgoing]]
    applications: list[deletions.DeletionApplication]
    run: RunPlan


@dataclass(frozen=True)
class RunResult:
    head: str
    today: date
    outcomes: dict[str, DutyResult]
    mails: list[tuple[DigestMail, MailOutcome]]
    applications: list[deletions.DeletionApplication]
    branches: list[BranchChange]
    files: list[str]
    problems: tuple[Problem, ...]
    sent: bool
    in_doubt: list[InDoubt] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    hold: holding.Hold | None = None  # files at HEAD that do not load, read as downstream has them
    # The files an earlier apply holds back, read as it left them (``state.held``).
    held: Mapping[str, recorded.HeldFile] = field(default_factory=dict)
    catalog: Catalog | None = None  # HEAD's: names a completion notice's system as the forms do
    # What ends the run once it is reported (``Done.stopped``: mails owed, or held as
    # refused); the branches moved and the notice log recorded all the same.
    stopped: DeliveryError | None = None


def _duties(request: RunRequest) -> dict[str, Duty]:
    unknown = [d for d in request.duties if d not in DUTIES]
    if unknown:
        raise UsageError(
            msg(
                "Unknown duty {value} (known: {value2})",
                value=", ".join(unknown),
                value2=", ".join(DUTIES),
            )
        )
    chosen = {name: DUTIES[name] for name in request.duties}
    for duty in chosen.values():
        duty.check(request.options)
    return chosen


def _export(request: RunRequest) -> lastlogins.LastLogins:
    raw = _given(request.last_logins, msg("The stale duty needs --last-logins FILE"))
    export = lastlogins.read(raw, str(request.last_logins))
    if request.strict and export.problems:
        raise ProblemsFound(
            msg(
                "The last-login export has rows that cannot be read; nothing was done:\n{problems}",
                problems=Verbatim(reporters.text(list(export.problems)).rstrip()),
            )
        )
    return export


def _pulls(request: RunRequest) -> reviews.OpenPulls:
    raw = _given(request.open_pulls, msg("The reviews duty needs --open-pulls FILE"))
    pulls = reviews.read_pulls(raw, str(request.open_pulls))
    if request.strict and pulls.problems:
        raise ProblemsFound(
            msg(
                "The list of open pull requests has entries that cannot be read; nothing "
                "was done:\n{problems}",
                problems=Verbatim(reporters.text(list(pulls.problems)).rstrip()),
            )
        )
    return pulls


def _given(path: Path | None, needed: Message) -> bytes:
    """The bytes of an input file a duty needs (``needed``: the message when none was given)."""
    if path is None:
        raise UsageError(needed)
    try:
        return path.read_bytes()
    except OSError as exc:
        why = os_reason(exc)
        raise UsageError(msg("Cannot read {file}: {why}", file=str(path), why=why)) from None


SUMMARY = "summary.json"


def _files(
    request: RunRequest,
    head: str,
    registry: Registry,
    outcomes: dict[str, DutyResult],
    outgoing: list[Outgoing],
    apps: list[deletions.DeletionApplication],
    batches: tuple[BatchRecord, ...],
) -> tuple[dict[str, Output], Listing]:
    """The files of the run, each mail composed when its file is written, and the summary
    that lists them with their digests (written after them, from what was written)."""
    files: dict[str, Output] = {}
    for outcome in outcomes.values():
        files.update({f"{t.name}.csv": t.encode() for t in outcome.tables})
        files.update({d.name: d.data for d in outcome.files})
    files.update({f"stale-deletions/{a.operator}.md": a.body.encode() for a in apps})
    if request.whitelists:
        # A certificate enters on the date recorded at its acceptance (000 §4-2: M+6), or
        # once its manual step is confirmed (OCCTO, 001 p13).
        files.update(whitelist_files(registry, request.today, batches))
    mails = dict(mail_file(o.composed) for o in outgoing)

    def summary(digests: Digests) -> bytes:
        described = {
            "format": FORMAT,
            "day": request.today.isoformat(),
            "head": head,
            "duties": list(outcomes),
            "mails": sorted(mails),
            "deletion_applications": [
                {
                    "operator": a.operator,
                    "branch": a.branch,
                    "title": a.title,
                    "body": f"stale-deletions/{a.operator}.md",
                    "ids": len(a.users),
                }
                for a in apps
            ],
            "files": listed(digests),
        }
        return (json.dumps(described, ensure_ascii=False, indent=2) + "\n").encode()

    return {**files, **mails}, Listing(SUMMARY, summary)


def _proposal(app: deletions.DeletionApplication, head: str) -> Proposal:
    return Proposal(
        app.branch,
        head,
        tuple(f"{REGISTRY_DIR}/{rel}" for rel in app.removals),
        {f"{REGISTRY_DIR}/{rel}": data for rel, data in app.edits.items()},
        app.message,
    )


def judged(duties: Mapping[str, Duty], inputs: Inputs) -> dict[str, DutyResult]:
    """Every duty's result, in the order the duties are given."""
    return {name: duty.judge(inputs) for name, duty in duties.items()}


def plan(
    outcomes: dict[str, DutyResult],
    inputs: Inputs,
    head: str,
    request: RunRequest,
    notice_log: log.NoticeLog,
    outbox: Outbox,
    sender: str,
    addressing: Addressing,
) -> DutiesPlan:
    """What the run would do with the duties' ``outcomes``; reads nothing but ``inputs``,
    the log and the outbox, and who the window persons are on the day (``addressing``)."""
    registry, today = inputs.registry, inputs.today
    digests = [n for o in outcomes.values() for n in o.notices]
    due = pending(
        digests,
        lambda n: recipients(n, registry, addressing),
        lambda key: notice_log.was_sent(key) or outbox.covers(key),
    )
    found = [
        (m, Outgoing(mails.composed(m, registry, today, sender, addressing), m.log_keys))
        for m in due
    ]
    apps = [a for o in outcomes.values() for a in o.applications]
    outgoing = [o for _, o in found]
    files, summary = _files(request, head, registry, outcomes, outgoing, apps, inputs.batches)
    branches: tuple[BranchSet, ...] = ()
    records: tuple[Record, ...] = ()
    if request.send:
        # The files the deletion branches edit, read from git at once rather than one by one.
        inputs.prefetch(rel for a in apps for rel in a.edited)
        branches = tuple(
            BranchSet(o.branch_prefix, tuple(_proposal(a, head) for a in o.applications))
            for o in outcomes.values()
            if o.branch_prefix is not None
        )
        # Every log key still current today is kept, however old it is.
        current = [
            log_key(i.key, r.email)
            for n in digests
            for r in recipients(n, registry, addressing)
            for i in n.items
        ]
        remembered = next((o.remember for o in outcomes.values() if o.remember is not None), None)

        def logged(sent: frozenset[str]) -> Mapping[str, bytes] | None:
            told = [key for m, o in found if o.message_id in sent for key in m.log_keys]
            return notice_log.updated(today, told, current, remembered)

        what = f"scheduled duties of {today}: {', '.join(request.duties)}"
        records = (Record(log.DUTIES_REF, what, logged, When.ALWAYS),)
    run = RunPlan(
        out=request.out,
        files=files,
        mails=tuple(o for _, o in found),
        send=request.send,
        branches=branches,
        records=records,
        listing=summary,
        # The branches and the notice log stand without the mails: a server down ends the
        # run once it is reported, what was not sent due again with the next run.
        owes_mails=Kept.DUTIES,
    )
    return DutiesPlan(head, outcomes, found, apps, run)


def _registry(
    session: Session, head: str, state: recorded.State
) -> tuple[Registry, BlobSource, holding.Hold | None]:
    """HEAD's registry as the duties act on it: what downstream systems hold of the files an
    error at HEAD holds back. Those ``apply`` held back have their recorded content (a
    whitelist entry of one among them not yet let through, one it revoked gone). A file
    that does not load and that no run has held back yet (a merge not applied yet) is held
    back here as ``apply`` will hold it (``provision.holding``): its content at the applied
    revision with what its version at HEAD revokes (``files.revocations``: a certificate
    suspended goes out, whatever else is wrong), none for a file downstream never had. So
    one bad file holds back only its own operator, and the others' notices and deletions go
    out. An error in a file every operator depends on (the catalog, the calendar) stops the
    run, as it stops ``apply``; a file where no file belongs is read by no duty and holds
    nothing back. Also the files that do not load, and what they hold back (None: none)."""
    held = {rel: h.rev for rel, h in state.held.items()}
    revoked = {rel: h.revoked for rel, h in state.held.items()}
    pins = pinned_content(session.repo, held, revoked) if held else {}
    registry, source, errors = session.registry_at(head, pins)
    if not errors and registry is not None:
        return registry, source, None  # the usual day: nothing else to read or list
    found = left = holding.hold(errors, source.blobs)
    fresh = {rel: state.applied for rel in found.files if rel not in pins}
    if fresh and not found.refused and registry is not None:
        # What HEAD's version revokes goes out over it, as apply will send it.
        pins |= pinned_content(session.repo, fresh, dict.fromkeys(fresh, (head,)))
        registry, source, errors = session.registry_at(head, pins)
        left = holding.hold(errors, source.blobs) if errors else holding.Hold(frozenset(), (), ())
    if left.refused or left.files or registry is None:
        raise ProblemsFound(
            msg(
                "The registry at {rev} has errors in files every operator depends on; "
                "nothing was generated, sent or recorded:\n{problems}",
                rev=head[:12],
                problems=Verbatim(reporters.text(left.refused or errors).rstrip()),
            )
        )
    return registry, source, found if found.problems else None


def run(request: RunRequest, transport: TransportFactory = smtp_session) -> RunResult:
    duties = _duties(request)
    needs_export = any(d.NEEDS_EXPORT for d in duties.values())
    needs_pulls = any(d.NEEDS_PULLS for d in duties.values())
    opened = Session.open(
        request.root,
        send=request.send,
        remote=request.state_remote,
        env=request.env,
        transport=transport,
        out=request.out,
    )
    # What the run reads (the export, the registry) lives as long as it: built with the
    # collector paused, then left out of its passes, which would otherwise walk every
    # model again and again while the mails are composed.
    with opened as session, gcpause.kept() as keep:
        with gcpause.paused():
            export = _export(request) if needs_export else None
            pulls = _pulls(request) if needs_pulls else None
            head = session.repo.resolve(request.head)
            state = recorded.load(session.state.files)
            registry, source, held_back = _registry(session, head, state)
            needs_history = any(d.NEEDS_HISTORY for d in duties.values())
            added = added_on(session.repo.root, head, REGISTRY_DIR) if needs_history else {}
            loaded = recorded.loaded_users(session.repo, state) if needs_history else {}
            notice_log = log.NoticeLog(session.ref(log.DUTIES_REF, log.merge).files)
            inputs = Inputs(
                registry, source.read, request.today, request.options, added,
                notice_log.remembered, export, pulls, tuple(state.ordered()), source.prefetch,
                loaded,
            )  # fmt: skip
            keep()
            # The duties' results live as long as the run too: a judged user and a table row
            # per user, made with the collector paused and then left out of its passes.
            outcomes = judged(duties, inputs)
            keep()
            # The operators' notices go to their window persons of the day: those before a
            # change of them apply recorded that is still to come (read from git if so).
            snapshots = Snapshots(session.repo, cache=cache_dir(session.repo.common_dir))
            addressing = Handovers(state, snapshots, request.today, lambda: registry)
        planned = plan(
            outcomes, inputs, head, request, notice_log, session.outbox, session.sender, addressing
        )
        done = session.carry_out(planned.run)
    outcome = {o.message_id: r for o, r in zip(planned.run.mails, done.mails, strict=True)}
    return RunResult(
        head=head,
        today=request.today,
        outcomes=planned.outcomes,
        mails=[(m, outcome[o.message_id]) for m, o in planned.mails],
        applications=planned.applications,
        branches=done.branches,
        files=planned.run.names(),
        problems=tuple(p for o in planned.outcomes.values() for p in o.problems),
        hold=held_back,
        held=state.held,
        sent=request.send,
        in_doubt=done.in_doubt,
        notes=done.notes,
        catalog=registry.catalog,
        stopped=done.stopped,
    )
