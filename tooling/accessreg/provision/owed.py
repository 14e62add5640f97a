"""The completion notices the imported systems owe, kept composed between runs.

Until they are sent, every run owes them again (``completion.due``): a first batch's
20,141 at 200,000 users, each application rebuilt from git and each mail composed, about
20 s of every ``apply`` while they wait. What they say follows from what the state records
(the batch, with every system's import), the system, its import day, the sender and the
tool, all in the key they are kept under: a run that finds them reads them back, a change
of any of those composes them again. Every failure of the cache is a miss.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from accessreg.files.parsecache import ParseCache, namespace
from accessreg.mail.compose import Composed, Later, compose, deferred
from accessreg.model.mail import Notice, Recipient
from accessreg.provision import completion
from accessreg.provision import state as recorded
from accessreg.provision.completion import Due
from accessreg.provision.merges import Snapshots
from accessreg.provision.state import BatchRecord, State


@dataclass(frozen=True)
class _Mail:
    """One kept mail: what names it, and where its bytes lie in its file."""

    kind: str
    application: str
    name: str
    email: str
    template: str
    day: date
    message_id: str
    envelope: tuple[str, tuple[str, ...]]
    offset: int
    length: int

    def notice(self) -> Notice:
        """The notice it was composed from, without what it was composed with (its
        context: the mail is composed already)."""
        return Notice(self.kind, self.application, Recipient(self.name, self.email),
                      self.template, self.day)  # fmt: skip


# A system's kept mails: the size of their file, and each mail.
_Kept = tuple[int, tuple[_Mail, ...]]


class _Store:
    """Mails kept by key, each key's back to back in one file (``owed/<key>``), their index
    in the parse cache's ``owed`` table."""

    def __init__(self, directory: Path) -> None:
        self.space = namespace("owed")
        self.root = directory / "owed"
        self.index = ParseCache(directory, self.space)

    def close(self) -> None:
        self.index.close()

    def file(self, key: str) -> Path:
        return self.root / key

    def get(self, keys: Iterable[str]) -> dict[str, _Kept]:
        found: dict[str, _Kept] = self.index.get("owed", keys)
        present = {}
        for key, (size, mails) in found.items():
            try:
                if self.file(key).stat().st_size == size:
                    present[key] = (size, mails)
            except OSError:
                continue
        return present

    def put(self, key: str, mails: Iterable[Composed]) -> _Kept | None:
        """``mails`` kept under ``key``, written one after the other as they are composed;
        None if they could not be (they are composed, and so checked, all the same)."""
        kept: list[_Mail] = []
        at = 0
        fd, tmp = None, ""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=f".{key}.")
        except OSError:
            fd = None
        try:
            for mail in mails:
                notice = mail.notice
                if fd is not None:
                    view = memoryview(mail.data)
                    while view:
                        view = view[os.write(fd, view) :]
                recipient = notice.recipient
                kept.append(
                    _Mail(
                        kind=notice.kind,
                        application=notice.application,
                        name=recipient.name,
                        email=recipient.email,
                        template=notice.template,
                        day=notice.day,
                        message_id=mail.message_id,
                        envelope=mail.envelope,
                        offset=at,
                        length=len(mail.data),
                    )
                )
                at += len(mail.data)
            if fd is None:
                return None
            os.close(fd)
            fd = None
            Path(tmp).replace(self.file(key))
        except OSError:
            return None
        finally:
            if fd is not None:
                os.close(fd)
            if tmp:
                Path(tmp).unlink(missing_ok=True)
        found = (at, tuple(kept))
        self.index.put("owed", {key: found})
        return found

    def prune(self, keep: set[str]) -> None:
        """Forget the mails no run owes any more (sent, or their batch changed since)."""
        self.index.prune("owed", keep)
        try:
            names = [p for p in self.root.iterdir() if not p.name.startswith(".")]
        except OSError:
            return
        for path in names:
            if path.name not in keep:
                path.unlink(missing_ok=True)


def _key(space: str, batch: str, system: str, imported_on: date, sender: str) -> str:
    h = hashlib.sha256()
    for part in (space, batch, system, imported_on.isoformat(), sender):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _read(path: Path, mail: _Mail, notice: Notice) -> Composed:
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.pread(fd, mail.length, mail.offset)
    finally:
        os.close(fd)
    if len(data) != mail.length:
        raise OSError(f"{path} ends before {mail.offset + mail.length}")
    return Composed(notice, mail.message_id, data, mail.envelope)


def _later(path: Path, mail: _Mail) -> Later:
    notice = mail.notice()
    return Later(notice, mail.message_id, partial(_read, path, mail, notice))


def mails(
    state: State, snapshots: Snapshots, sender: str
) -> tuple[list[Due], list[Composed | Later]]:
    """The completion notices ``state`` owes (``completion.due``) and their mails from
    ``sender``: those kept in the cache of ``snapshots`` read back from there, the others
    rebuilt, composed and kept. Without a cache, rebuilt and composed as they are written."""
    if snapshots.cache is None:
        due = completion.due(state, snapshots)
        return due, [deferred(n, sender) for d in due for n in d.notices]
    store = _Store(snapshots.cache)
    try:
        return _mails(store, state, snapshots, sender)
    finally:
        store.close()


def _mails(
    store: _Store, state: State, snapshots: Snapshots, sender: str
) -> tuple[list[Due], list[Composed | Later]]:
    owing: list[tuple[BatchRecord, str, str]] = []
    for batch, systems in completion.owing(state):
        dumped = batch.model_dump_json()
        owing += [(batch, s, _key(store.space, dumped, s, on, sender)) for s, on in systems.items()]
    keys = {key for _, _, key in owing}
    kept = store.get(keys)
    rest = state  # what is not kept: rebuilt (the kept as if notified already)
    for batch, system, key in owing:
        if key in kept:
            rest = recorded.with_batch(rest, completion.notified(rest.batches[batch.id], system))
    made: dict[str, list[Composed | Later]] = {}
    rebuilt: dict[str, Due] = {}
    for due in completion.due(rest, snapshots) if len(kept) < len(owing) else []:
        key = next(k for b, s, k in owing if b.id == due.batch.id and s == due.system)
        rebuilt[key] = due
        found = store.put(key, (compose(n, sender) for n in due.notices))
        if found is None:
            made[key] = [deferred(n, sender) for n in due.notices]
        else:
            kept[key] = found
    store.prune(keys)
    dues: list[Due] = []
    out: list[Composed | Later] = []
    for batch, system, key in owing:
        if key in made:
            dues.append(rebuilt[key])
            out += made[key]
            continue
        path, (_, listed) = store.file(key), kept[key]
        mails = [_later(path, m) for m in listed]
        dues.append(Due(batch, system, [m.notice for m in mails]))
        out += mails
    return dues, out
