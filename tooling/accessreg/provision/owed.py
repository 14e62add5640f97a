"""The completion notices the imported systems owe, kept composed between runs.

Until they are sent, every run owes them again (``completion.due``): a first batch's
20,141 at 200,000 users, each application rebuilt from git and each mail composed, about
20 s of every ``apply`` while they wait. What they say follows from what the state records
(the batch, with every system's import, and what the batches after it remove or change of
its IDs), the system, its import day, the changes of window persons still to come on the
run's day (who they go to), the run's day (their Date), the sender and the tool, all in the
key they are kept under: a run that finds them reads them back, a change of any of those
composes them again. Every failure of the cache is a miss.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from accessreg.files import atomic
from accessreg.files.parsecache import ParseCache, namespace
from accessreg.mail.compose import Composed, Later, compose, deferred
from accessreg.model.content import Linked
from accessreg.model.mail import Notice, Recipient
from accessreg.provision import completion
from accessreg.provision import state as recorded
from accessreg.provision.completion import Due, Handovers
from accessreg.provision.merges import Snapshots
from accessreg.provision.notices import coming
from accessreg.provision.state import BatchRecord, State


@dataclass(frozen=True)
class _Mail:
    """One kept mail: what names it, and its file (its SHA-256 and size, as written)."""

    kind: str
    application: str
    name: str
    email: str
    template: str
    day: date
    message_id: str
    envelope: tuple[str, tuple[str, ...]]
    file: str
    sha256: str
    size: int

    def notice(self) -> Notice:
        """The notice it was composed from, without what it was composed with (its
        context: the mail is composed already)."""
        return Notice(self.kind, self.application, Recipient(self.name, self.email),
                      self.template, self.day)  # fmt: skip


class _Store:
    """Mails kept by key, each key's in a directory of their own (``owed/<key>/``), a file
    each (the outputs link them: they are never changed in place), their index in the parse
    cache's ``owed`` table."""

    def __init__(self, directory: Path) -> None:
        self.space = namespace("owed")
        self.root = directory / "owed"
        self.index = ParseCache(directory, self.space)

    def close(self) -> None:
        self.index.close()

    def directory(self, key: str) -> Path:
        return self.root / key

    def get(self, keys: Iterable[str]) -> dict[str, tuple[_Mail, ...]]:
        found: dict[str, tuple[_Mail, ...]] = self.index.get("owed", keys, tuple)
        present = {}
        for key, mails in found.items():
            directory = str(self.directory(key))
            try:
                # A path each, 20,141 of a first batch: as strings (hot path).
                sizes = (os.stat(f"{directory}/{m.file}").st_size for m in mails)  # noqa: PTH116
                if all(size == m.size for size, m in zip(sizes, mails, strict=True)):
                    present[key] = mails
            except OSError:
                continue
        return present

    def writing(self, key: str) -> _Writing:
        return _Writing(self, key)

    def prune(self, keep: set[str]) -> None:
        """Forget the mails no run owes any more (sent, or their batch changed since)."""
        self.index.prune("owed", keep)
        try:
            gone = [p for p in self.root.iterdir() if p.name not in keep]
        except OSError:
            return
        for path in gone:
            if path.name.startswith(".") and not atomic.abandoned(path):
                continue  # being written by another run
            shutil.rmtree(path, ignore_errors=True)


class _Writing:
    """The mails of one key, each written as it is composed into a directory of the key's
    writer, which becomes the key's once all are in (``done``). A write that fails gives up
    the key: nothing of it is kept, and ``done`` says so."""

    def __init__(self, store: _Store, key: str) -> None:
        self.store, self.key = store, key
        self.kept: list[_Mail] = []
        self.made: Path | None = None
        try:
            store.root.mkdir(parents=True, exist_ok=True)
            # Named for its writer, so that a later run knows when it is gone (``prune``).
            self.made = Path(tempfile.mkdtemp(dir=store.root, prefix=f".{key}.{os.getpid()}."))
        except OSError:
            pass  # given up from the start: ``done`` says so

    def add(self, mails: Iterable[Composed]) -> None:
        if self.made is None:  # given up: nothing more is composed for it
            return
        for mail in mails:
            notice, recipient, name = mail.notice, mail.notice.recipient, f"{len(self.kept)}.eml"
            try:
                (self.made / name).write_bytes(mail.data)
            except OSError:
                self._give_up()
                return
            self.kept.append(
                _Mail(
                    kind=notice.kind,
                    application=notice.application,
                    name=recipient.name,
                    email=recipient.email,
                    template=notice.template,
                    day=notice.day,
                    message_id=mail.message_id,
                    envelope=mail.envelope,
                    file=name,
                    sha256=hashlib.sha256(mail.data).hexdigest(),
                    size=len(mail.data),
                )
            )

    def _give_up(self) -> None:
        if self.made is not None:
            shutil.rmtree(self.made, ignore_errors=True)
        self.made = None

    def done(self) -> tuple[_Mail, ...] | None:
        """The mails kept under the key; None if they could not be (the caller composes
        them as they are written, as without a cache)."""
        if self.made is None:
            return None
        target = self.store.directory(self.key)
        try:
            shutil.rmtree(target, ignore_errors=True)  # one a run could not read whole
            self.made.replace(target)
        except OSError:
            self._give_up()
            return None
        found = tuple(self.kept)
        self.store.index.put("owed", {self.key: found})
        return found


def _coming(state: State, batch: BatchRecord) -> str:
    """What the batches after ``batch`` remove or change of IDs (``notices.coming``), as its
    notices say it: a later batch recorded since they were kept composes them again."""
    return "".join(
        f"\n{system}\t{login}\t{c.on}\t{c.removes}\t{c.application.id}"
        for (system, login), changes in sorted(coming(state, batch).items())
        for c in changes
    )


def _notified(state: State, done: Iterable[tuple[str, str]]) -> State:
    """``state`` as if the notices of each (batch, system) of ``done`` were delivered: what
    the run does not rebuild."""
    for batch_id, system in done:
        state = recorded.with_batch(state, completion.notified(state.batches[batch_id], system))
    return state


def _key(space: str, batch: str, system: str, imported_on: date, sender: str) -> str:
    h = hashlib.sha256()
    for part in (space, batch, system, imported_on.isoformat(), sender):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _read(path: str, mail: _Mail, notice: Notice) -> Composed:
    data = Path(path).read_bytes()
    if len(data) != mail.size:
        raise OSError(f"{path} is not the {mail.size} bytes kept")
    return Composed(notice, mail.message_id, data, mail.envelope)


def _later(directory: str, mail: _Mail) -> Later:
    notice, path = mail.notice(), f"{directory}/{mail.file}"
    kept = Linked(path, mail.sha256, mail.size)
    return Later(notice, mail.message_id, partial(_read, path, mail, notice), kept)


def mails(
    state: State, snapshots: Snapshots, sender: str, addressing: Handovers
) -> tuple[list[Due], list[Composed | Later]]:
    """The completion notices ``state`` owes (``completion.due``) and their mails from
    ``sender`` to the window persons of the run's day (``addressing``): those kept in the
    cache of ``snapshots`` read back from there, the others rebuilt, composed and kept.
    Without a cache, rebuilt and composed as they are written."""
    if snapshots.cache is None:
        due = completion.due(state, snapshots, addressing)
        return due, [deferred(n, sender) for d in due for n in d.notices]
    store = _Store(snapshots.cache)
    try:
        return _mails(store, state, snapshots, sender, addressing)
    finally:
        store.close()


def _mails(
    store: _Store, state: State, snapshots: Snapshots, sender: str, addressing: Handovers
) -> tuple[list[Due], list[Composed | Later]]:
    owing: dict[tuple[str, str], tuple[BatchRecord, str]] = {}  # (batch, system) → its key
    for batch, systems in completion.owing(state):
        # Who they go to: a change of an operator's window persons that has come since
        # they were kept addresses them again.
        operators = (a.operator for a in batch.applications)
        dumped = batch.model_dump_json() + _coming(state, batch) + addressing.key(operators)
        dumped += f"\n{addressing.day}"  # their Date: a later run's are dated that run's day
        for system, on in systems.items():
            owing[batch.id, system] = (batch, _key(store.space, dumped, system, on, sender))
    keys = {key for _, key in owing.values()}
    kept = store.get(keys)
    # What is not kept is rebuilt, a batch a part at a time, its notices written as they
    # are composed: held whole until written, a first batch's took 330 MiB at 200,000 users.
    rest = _notified(state, [pair for pair, (_, key) in owing.items() if key in kept])
    given_up: set[tuple[str, str]] = set()
    for batch, systems, parts in completion.due_parts(rest, snapshots, addressing):
        writing = {system: store.writing(owing[batch.id, system][1]) for system in systems}
        for part in parts:
            for system, notices in part.items():
                writing[system].add(compose(n, sender) for n in notices)
        for system, written in writing.items():
            found = written.done()
            if found is None:
                given_up.add((batch.id, system))
            else:
                kept[owing[batch.id, system][1]] = found
    unkept: dict[str, tuple[Due, list[Composed | Later]]] = {}  # the cache had no room
    if given_up:  # rebuilt again, those alone, and composed as they are written
        for due in completion.due(_notified(state, owing.keys() - given_up), snapshots, addressing):
            _, key = owing[due.batch.id, due.system]
            unkept[key] = (due, [deferred(n, sender) for n in due.notices])
    store.prune(keys)
    dues: list[Due] = []
    out: list[Composed | Later] = []
    for (_, system), (batch, key) in owing.items():
        if key in unkept:
            due, mails = unkept[key]
        else:
            directory = str(store.directory(key))
            mails = [_later(directory, m) for m in kept[key]]
            due = Due(batch, system, [m.notice for m in mails])
        dues.append(due)
        out += mails
    return dues, out
