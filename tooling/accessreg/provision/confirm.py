"""The cores of ``accessreg confirm`` (an import recorded, its notices owed) and ``status``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from accessreg.errors import ConfigError
from accessreg.files import atomic
from accessreg.gitio.repo import GitRepository
from accessreg.gitio.state import StateStore
from accessreg.mail.compose import compose, eml_name
from accessreg.mail.smtp import SmtpSettings, sender_from_env
from accessreg.model import Catalog
from accessreg.provision import completion
from accessreg.provision.merges import Snapshots
from accessreg.provision.sending import MailOutcome, TransportFactory, send_or_hold, smtp_session
from accessreg.provision.state import BatchRecord, Ledger
from accessreg.provision.status import Progress, progress_of


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
class ConfirmResult:
    batch: BatchRecord
    newly_imported: list[str]
    mails: list[MailOutcome]


def run(request: ConfirmRequest, transport: TransportFactory = smtp_session) -> ConfirmResult:
    settings = SmtpSettings.from_env(request.env) if request.send else None
    sender = settings.sender if settings else sender_from_env(request.env)
    with GitRepository(request.root) as repo:
        store = StateStore(repo.root, remote=request.state_remote)
        try:
            ledger = Ledger(store)
            before = ledger.state.batch(request.batch)
            after = completion.confirmed(before, request.systems, request.today)
            newly = [s for s, p in after.systems.items() if p != before.systems[s]]
            if newly:
                ledger.update_batch(
                    after, f"confirmed {', '.join(newly)} of batch {after.id} imported"
                )
            due = completion.due(ledger.state, Snapshots(repo))
            composed = [compose(n, sender) for d in due for n in d.notices]
            registered = completion.registrations_due(ledger.state, Snapshots(repo), request.today)
            composed += [
                m for n in registered if not ledger.was_sent((m := compose(n, sender)).message_id)
            ]
            if request.out is not None:
                files = {f"mail/{eml_name(c)}": c.message.as_bytes() for c in composed}
                try:
                    atomic.replace_directory(request.out, files)
                except (FileExistsError, OSError) as exc:
                    raise ConfigError(f"cannot write the notices: {exc}") from None
            outcomes = send_or_hold(ledger, composed, settings, transport)
            if settings is not None:
                for d in due:
                    current = ledger.state.batches[d.batch.id]
                    ledger.update_batch(
                        completion.notified(current, d.system),
                        f"notified {d.system} of batch {d.batch.id}",
                    )
            return ConfirmResult(ledger.state.batches[after.id], newly, outcomes)
        finally:
            store.close()


def status(
    root: Path, operator: str | None, today: date, state_remote: str | None = None
) -> tuple[list[Progress], Catalog]:
    with GitRepository(root) as repo:
        store = StateStore(repo.root, remote=state_remote)
        try:
            ledger = Ledger(store)
            catalog = Snapshots(repo).at("HEAD").catalog
            return progress_of(ledger.state, catalog, today, operator), catalog
        finally:
            store.close()
