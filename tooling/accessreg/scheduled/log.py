"""What the scheduled duties remember between runs, kept in git.

``refs/accessreg/duties`` (a state ref of ``gitio.state``, written only by the scheduled
workflow) holds two files:

- ``notices.json``: ``<item key>><recipient>`` → the day it was sent. The mails themselves go
  through the outbox of ``refs/accessreg/state`` like every merge-time mail (one Message-ID,
  sent once); this log adds what the outbox cannot know, which items a digest covered, so
  that tomorrow's digest lists only what is new. Entries no longer current are dropped 400
  days after they were sent (a key names its stage and dates, so a stage cannot fall due
  again under it).
- ``stale-ids.json``: login ID → the day its count started, for IDs locked or deleted. The
  authentication system deletes an ID at 210 days and its next export no longer lists it;
  the count goes on from here, so the deletion application keeps that ID.

A run changes the log in memory as mails are sent and saves it once, also when sending
stopped half-way. Should the process die before saving, the outbox still holds every mail
it sent, and the next run (the same mails, the same Message-IDs) records them without
sending them again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from accessreg.gitio.state import StateStore

DUTIES_REF = "refs/accessreg/duties"
NOTICES_FILE = "notices.json"
STALE_FILE = "stale-ids.json"
KEEP = timedelta(days=400)


def _dates(raw: bytes | None) -> dict[str, date]:
    loaded = json.loads(raw) if raw else {}
    return {k: date.fromisoformat(v) for k, v in loaded.items()}


def _dump(values: Mapping[str, date]) -> bytes:
    data = {k: d.isoformat() for k, d in sorted(values.items())}
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


class NoticeLog:
    def __init__(self, store: StateStore) -> None:
        self.store = store
        store.fetch()
        self.commit = store.head()
        files = store.read(self.commit)
        self.sent = _dates(files.get(NOTICES_FILE))
        self.remembered = _dates(files.get(STALE_FILE))
        self._saved = (dict(self.sent), dict(self.remembered))

    def was_sent(self, key: str) -> bool:
        return key in self.sent

    def add(self, keys: Iterable[str], day: date) -> None:
        """Note ``keys`` as sent on ``day`` (saved by ``save``)."""
        self.sent.update(dict.fromkeys(keys, day))

    def save(
        self,
        day: date,
        message: str,
        current: Iterable[str] = (),
        remembered: Mapping[str, date] | None = None,
    ) -> None:
        """One state commit with what changed; old entries not ``current`` are pruned."""
        keep = set(current)
        self.sent = {k: d for k, d in self.sent.items() if k in keep or day - d <= KEEP}
        if remembered is not None:
            self.remembered = dict(remembered)
        if (self.sent, self.remembered) == self._saved:
            return
        files = {NOTICES_FILE: _dump(self.sent), STALE_FILE: _dump(self.remembered)}
        self.commit = self.store.write(files, message, self.commit)
        self._saved = (dict(self.sent), dict(self.remembered))
