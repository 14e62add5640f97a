"""One scheduled run: HEAD's registry, the duties asked for, outputs, mails and branches.

Order, so that a failure loses nothing and repeats nothing:
1. the registry is read from git at HEAD (the revision deletion branches are built on);
   files that do not load stop the run, since a user left out would be judged wrongly, but
   rule problems do not: date-driven ones (an expired IP entry) are this job's business;
2. every duty computes its outcome, and the notice log narrows the notices to what each
   recipient has not had yet;
3. every output is rendered in memory, then the output directory is replaced at once;
4. with ``send``: the deletion branches are put on HEAD, then the mails go out one by one
   through the outbox of the merge-time mails (each recorded there the moment the server
   took it: a Message-ID is sent once), and the notice log, noting the items of each mail
   sent, is saved once at the end, also when sending stopped half-way.
Without ``send`` nothing is sent, no branch moves and nothing is recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from accessreg.errors import ConfigError, ProblemsFound, UsageError
from accessreg.escape import quote
from accessreg.files import atomic
from accessreg.files.loading import load, locate
from accessreg.files.sources import MemorySource
from accessreg.gitio.added import added_on
from accessreg.gitio.branches import BranchChange, Branches
from accessreg.gitio.repo import GitRepository
from accessreg.gitio.state import StateStore
from accessreg.mail.compose import Composed, eml_name
from accessreg.mail.delivery import deliver
from accessreg.mail.smtp import SmtpSettings, sender_from_env
from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry
from accessreg.outputs.access import effective_access
from accessreg.provision.bundle import whitelist_files
from accessreg.provision.merges import PREFIX
from accessreg.provision.sending import TransportFactory, smtp_session
from accessreg.provision.state import ApplicationRecord, Ledger
from accessreg.reporting import reporters
from accessreg.scheduled import deletions, inventory, lastlogins, mails, membership, stale
from accessreg.scheduled.expiry import expiry
from accessreg.scheduled.keyed_notices import Mail, Notice, log_key, pending, recipients
from accessreg.scheduled.log import DUTIES_REF, NoticeLog
from accessreg.scheduled.outcome import Outcome
from accessreg.timeline.clock import JST

DUTIES = ("expiry", "stale", "inventory", "membership")
FORMAT = "accessreg-scheduled/1"


@dataclass(frozen=True)
class RunRequest:
    root: Path  # anywhere inside the repository
    today: date
    duties: tuple[str, ...]
    out: Path | None = None
    send: bool = False
    last_logins: Path | None = None
    provider: str = stale.DEFAULT_PROVIDER
    months: int = inventory.DEFAULT_MONTHS
    operator: str | None = None  # inventory on demand for one operator
    whitelists: bool = False  # regenerate the whitelist outputs for the day
    all_csvs: bool = True  # write every operator's inventory CSVs, not only those mailed
    strict: bool = False  # refuse an export with unreadable rows
    head: str = "HEAD"
    state_remote: str | None = None
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


@dataclass(frozen=True)
class MailStatus:
    mail: Mail
    composed: Composed
    status: str  # "sent", "already sent" (in the outbox), "written" (not sent)


@dataclass(frozen=True)
class RunResult:
    head: str
    today: date
    outcomes: dict[str, Outcome]
    mails: list[MailStatus]
    applications: list[deletions.DeletionApplication]
    branches: list[BranchChange]
    files: list[str]
    problems: tuple[Problem, ...]
    sent: bool


def _export(request: RunRequest) -> lastlogins.LastLogins:
    if request.last_logins is None:
        raise UsageError("the stale duty needs --last-logins FILE")
    try:
        raw = request.last_logins.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {request.last_logins}: {exc.strerror}") from None
    export = lastlogins.read(raw, str(request.last_logins))
    if request.strict and export.problems:
        raise ProblemsFound(
            "the last-login export has rows that cannot be read; nothing was done:\n"
            + reporters.text(list(export.problems)).rstrip()
        )
    return export


def _load(repo: GitRepository, head: str) -> tuple[Registry, MemorySource]:
    source = repo.snapshot(head, PREFIX)
    loaded = load(source)
    errors = [
        locate(p, source.files.get(p.file, b""), source.label)
        for p in loaded.problems
        if p.level is Level.ERROR
    ]
    if loaded.registry is None or errors:
        raise ProblemsFound(
            f"the registry at {head[:12]} has files that do not load; nothing was done:\n"
            + reporters.text(errors).rstrip()
        )
    return loaded.registry, source


def _outcomes(
    request: RunRequest,
    registry: Registry,
    added: Mapping[str, date],
    export: lastlogins.LastLogins | None,
    remembered: Mapping[str, date],
    records: list[ApplicationRecord],
) -> tuple[dict[str, Outcome], stale.StaleResult | None]:
    found: dict[str, Outcome] = {}
    judged = None
    for duty in request.duties:
        if duty == "expiry":
            found[duty] = expiry(registry, request.today)
        elif duty == "stale":
            assert export is not None
            judged = stale.stale(
                registry, export, added, request.today, request.provider, remembered, records
            )
            found[duty] = judged.outcome
        elif duty == "inventory":
            found[duty] = inventory.inventory(
                registry,
                request.today,
                inventory.OperatorCsvs(registry, effective_access(registry)),
                added,
                request.months,
                request.operator,
                request.all_csvs,
            )
        elif duty == "membership":
            found[duty] = membership.membership(registry, request.today)
    return found, judged


def _files(
    request: RunRequest,
    head: str,
    registry: Registry,
    outcomes: dict[str, Outcome],
    composed: list[Composed],
    apps: list[deletions.DeletionApplication],
    records: list[ApplicationRecord],
) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for outcome in outcomes.values():
        files.update({f"{t.name}.csv": t.encode() for t in outcome.tables})
        files.update({d.name: d.data for d in outcome.files})
    files.update({f"mail/{eml_name(c)}": c.message.as_bytes() for c in composed})
    files.update({f"stale-deletions/{a.operator}.md": a.body.encode() for a in apps})
    if request.whitelists:
        files.update(whitelist_files(registry, request.today, records))
    summary = {
        "format": FORMAT,
        "day": request.today.isoformat(),
        "head": head,
        "duties": list(outcomes),
        "mails": sorted(f"mail/{eml_name(c)}" for c in composed),
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
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in sorted(files.items())
        },
    }
    files["summary.json"] = (json.dumps(summary, ensure_ascii=False, indent=2) + "\n").encode()
    return dict(sorted(files.items()))


def _branches(
    root: Path, head: str, apps: list[deletions.DeletionApplication]
) -> list[BranchChange]:
    """Each application on its branch; branches of operators with none left are dropped."""
    changes = []
    with Branches(root) as branches:
        for app in apps:
            changes.append(
                branches.put(
                    app.branch,
                    head,
                    [f"{PREFIX}/{rel}" for rel in app.removals],
                    {f"{PREFIX}/{rel}": data for rel, data in app.edits.items()},
                    app.message,
                )
            )
        wanted = {a.branch for a in apps}
        for name in branches.names(deletions.BRANCH_PREFIX):
            if name not in wanted:
                changes.append(branches.delete(name))
    return changes


class _RecordingOutbox:
    """The merge-time outbox, which also logs the items of each mail the moment it is sent."""

    def __init__(self, ledger: Ledger, log: NoticeLog, mails: list[MailStatus], day: date):
        self.ledger, self.log, self.day = ledger, log, day
        self.keys = {m.composed.message_id: m.mail.log_keys for m in mails}

    def was_sent(self, message_id: str) -> bool:
        return self.ledger.was_sent(message_id)

    def mark_sent(self, composed: Composed) -> None:
        self.ledger.mark_sent(composed)
        self.record(composed)

    def record(self, composed: Composed) -> None:
        self.log.add(self.keys[composed.message_id], self.day)


def _send(
    repo: GitRepository,
    request: RunRequest,
    log: NoticeLog,
    found: list[MailStatus],
    settings: SmtpSettings,
    transport: TransportFactory,
) -> list[MailStatus]:
    store = StateStore(repo.root, remote=request.state_remote)
    try:
        outbox = _RecordingOutbox(Ledger(store), log, found, request.today)
        with transport(settings) as session:
            delivery = deliver(
                [m.composed for m in found], outbox, session, lambda: datetime.now(JST)
            )
        for composed in delivery.skipped:  # sent by a run that stopped before logging it
            outbox.record(composed)
    finally:
        store.close()
    sent = {c.message_id for c in delivery.sent}
    return [
        MailStatus(m.mail, m.composed, "sent" if m.composed.message_id in sent else "already sent")
        for m in found
    ]


def _current(notices: list[Notice], registry: Registry) -> list[str]:
    """Every log key still current today: they are kept however old they are."""
    return [
        log_key(i.key, r.email) for n in notices for r in recipients(n, registry) for i in n.items
    ]


def _accepted(repo: GitRepository, request: RunRequest) -> list[ApplicationRecord]:
    """Every application apply has accepted, with the dates it announced: the whitelists of
    the day admit a certificate from its own date (``provision.bundle.admitted``)."""
    store = StateStore(repo.root, remote=request.state_remote)
    try:
        return [app for _, app in Ledger(store).state.applications()]
    finally:
        store.close()


def run(request: RunRequest, transport: TransportFactory = smtp_session) -> RunResult:
    unknown = [d for d in request.duties if d not in DUTIES]
    if unknown:
        raise UsageError(f"unknown duty {', '.join(unknown)} (known: {', '.join(DUTIES)})")
    if request.months < 1:
        raise UsageError("the inventory period must be at least one month")
    settings = SmtpSettings.from_env(request.env) if request.send else None
    sender = settings.sender if settings else sender_from_env(request.env)
    export = _export(request) if "stale" in request.duties else None
    with GitRepository(request.root) as repo:
        head = repo.resolve(request.head)
        registry, source = _load(repo, head)
        providers = sorted({s.provider for s in registry.catalog.systems})
        if "stale" in request.duties and request.provider not in providers:
            raise UsageError(
                f"unknown provider {quote(request.provider)} (known: {', '.join(providers)})"
            )
        needs_history = {"stale", "inventory"}.intersection(request.duties)
        added = added_on(repo.root, head, PREFIX) if needs_history else {}
        store = StateStore(repo.root, ref=DUTIES_REF, remote=request.state_remote)
        try:
            log = NoticeLog(store)
            wanted = request.whitelists or "stale" in request.duties
            records = _accepted(repo, request) if wanted else []
            outcomes, judged = _outcomes(request, registry, added, export, log.remembered, records)
            notices = [n for o in outcomes.values() for n in o.notices]
            due = pending(notices, lambda n: recipients(n, registry), log.was_sent)
            found = [
                MailStatus(m, mails.composed(m, registry, request.today, sender), "written")
                for m in due
            ]
            apps = deletions.applications(judged, registry, source.read) if judged else []
            composed = [m.composed for m in found]
            files = _files(request, head, registry, outcomes, composed, apps, records)
            if request.out is not None:
                try:
                    atomic.replace_directory(request.out, files)
                except OSError as exc:
                    raise ConfigError(f"cannot write the outputs: {exc}") from None
            changes: list[BranchChange] = []
            if settings is not None:
                if judged is not None:
                    changes = _branches(repo.root, head, apps)
                try:
                    if found:
                        found = _send(repo, request, log, found, settings, transport)
                finally:  # also when sending stopped half-way: what was sent is logged
                    log.save(
                        request.today,
                        f"scheduled duties of {request.today}: {', '.join(request.duties)}",
                        _current(notices, registry),
                        judged.remember() if judged is not None else None,
                    )
        finally:
            store.close()
    problems = tuple(p for o in outcomes.values() for p in o.problems)
    return RunResult(
        head=head,
        today=request.today,
        outcomes=outcomes,
        mails=found,
        applications=apps,
        branches=changes,
        files=sorted(files),
        problems=problems,
        sent=settings is not None,
    )
