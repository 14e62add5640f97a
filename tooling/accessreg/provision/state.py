"""What provisioning remembers between runs, and the one place that reads and writes it.

Two files in the state ref (``gitio.state``): ``state.json`` — the last applied revision and
every batch with its applications and, per system, *generated* (the files exist) and
*imported* (the downstream system has taken them: the authentication-system registration of
000 §5-1 ④⑥ is done by someone else and recorded with ``accessreg confirm``); and
``outbox.json`` — every mail sent, by Message-ID, so that no mail is ever sent twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Literal

from accessreg.errors import UsageError
from accessreg.gitio.state import StateStore
from accessreg.mail.compose import Composed
from accessreg.model.base import Frozen

STATE_FILE = "state.json"
OUTBOX_FILE = "outbox.json"


class SystemProgress(Frozen):
    generated_on: date
    imported_on: date | None = None
    notified: bool = False  # every completion notice of this system has been sent


class ApplicationRecord(Frozen):
    """One operator's part of one merged change: an application of 000 §3-§5."""

    id: str  # <commit, 12 hex>/<operator code>
    commit: str
    parent: str | None  # the commit it was merged onto
    operator: str
    title: str  # the merge commit's subject, e.g. "Merge pull request #12 from …"
    accepted_on: date
    processing_day: date
    kinds: tuple[str, ...]  # application types, in Japanese as the seeds name them
    systems: tuple[str, ...]  # systems whose downstream data it changes
    # Files held back before and released by this application: it goes from what downstream
    # held of them to their content at its batch's head (``merges.released_step``).
    released: tuple[str, ...] = ()


class BatchRecord(Frozen):
    id: str
    number: int  # 1, 2, ... in the order batches were recorded
    base: str | None
    head: str
    created_on: date
    applications: tuple[ApplicationRecord, ...]
    systems: dict[str, SystemProgress]
    # Files pinned in this batch's registries (held back, or released by it) → the revision
    # whose content downstream held of them (None: none), to rebuild its applications.
    pins: dict[str, str | None] = {}  # noqa: RUF012 - pydantic copies it per instance

    def application_systems(self, app: ApplicationRecord) -> dict[str, SystemProgress]:
        return {s: self.systems[s] for s in app.systems if s in self.systems}


class HeldFile(Frozen):
    """A registry file held back (``provision.holding``): downstream holds its content at
    ``rev`` (None: nothing of it), whatever ``applied`` says."""

    rev: str | None
    operator: str
    since: date  # the first run that held it back


class State(Frozen):
    version: Literal[1] = 1
    applied: str | None = None
    applied_on: date | None = None
    batches: dict[str, BatchRecord] = {}  # noqa: RUF012 - pydantic copies it per instance
    held: dict[str, HeldFile] = {}  # noqa: RUF012 - by registry path

    def applications(self) -> Iterator[tuple[BatchRecord, ApplicationRecord]]:
        for batch in self.ordered():
            for app in batch.applications:
                yield batch, app

    def ordered(self) -> list[BatchRecord]:
        return sorted(self.batches.values(), key=lambda b: b.number)

    def batch(self, batch_id: str) -> BatchRecord:
        try:
            return self.batches[batch_id]
        except KeyError:
            known = ", ".join(b.id for b in self.ordered()[-5:]) or "none yet"
            raise UsageError(f"no batch {batch_id!r} (latest: {known})") from None


class SentMail(Frozen):
    kind: str
    application: str
    to: str
    sent_at: datetime


Outbox = dict[str, SentMail]  # by Message-ID


def _dump(model: Frozen | dict[str, SentMail]) -> bytes:
    if isinstance(model, Frozen):
        data = model.model_dump(mode="json")
    else:
        data = {k: v.model_dump(mode="json") for k, v in sorted(model.items())}
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


class Ledger:
    """The state as one run sees it; every change is written through at once."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        store.fetch()
        self.commit = store.head()
        files = store.read(self.commit)
        self.state = (
            State.model_validate_json(files[STATE_FILE]) if STATE_FILE in files else State()
        )
        raw = json.loads(files[OUTBOX_FILE]) if OUTBOX_FILE in files else {}
        self.outbox: Outbox = {k: SentMail.model_validate(v) for k, v in raw.items()}

    def _write(self, message: str) -> None:
        files = {STATE_FILE: _dump(self.state), OUTBOX_FILE: _dump(self.outbox)}
        self.commit = self.store.write(files, message, self.commit)

    def was_sent(self, message_id: str) -> bool:
        return message_id in self.outbox

    def record_sent(self, message_id: str, mail: SentMail) -> None:
        self.outbox = {**self.outbox, message_id: mail}
        self._write(f"sent {mail.kind} for {mail.application}")

    def mark_sent(self, composed: Composed) -> None:
        """The outbox side of ``mail.delivery``: called right after the server took it."""
        notice = composed.notice
        mail = SentMail(
            kind=notice.kind,
            application=notice.application,
            to=notice.recipient.email,
            sent_at=datetime.now(UTC).replace(microsecond=0),
        )
        self.record_sent(composed.message_id, mail)

    def record_applied(
        self, head: str, day: date, batch: BatchRecord | None, held: dict[str, HeldFile]
    ) -> None:
        batches = dict(self.state.batches)
        if batch is not None:
            batches[batch.id] = batch
        self.state = self.state.model_copy(
            update={"applied": head, "applied_on": day, "batches": batches, "held": held}
        )
        what = f"batch {batch.id}" if batch else "no changes"
        if held:
            what += f", {len(held)} file(s) held back"
        self._write(f"applied {head[:12]}: {what}")

    def update_batch(self, batch: BatchRecord, message: str) -> None:
        batches = {**self.state.batches, batch.id: batch}
        self.state = self.state.model_copy(update={"batches": batches})
        self._write(message)
