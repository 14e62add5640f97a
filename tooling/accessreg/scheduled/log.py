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

A run saves the log once, also when sending stopped half-way, with the items of every mail
the outbox then holds as sent. Should the process die before saving, the outbox still holds
every mail it sent, and the next run (the same mails, the same Message-IDs) records them
without sending them again; the items of a mail left in doubt are held by the outbox
itself (``effects.outbox``). Two copies of the log that both moved merge into their union.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

DUTIES_REF = "refs/accessreg/duties"
NOTICES_FILE = "notices.json"
STALE_FILE = "stale-ids.json"
KEEP = timedelta(days=400)


def _dates(raw: bytes | None) -> dict[str, date]:
    loaded: dict[str, str] = json.loads(raw) if raw else {}
    # A few hundred days for a quarter of a million items: each day made once.
    days = {v: date.fromisoformat(v) for v in set(loaded.values())}
    return {k: days[v] for k, v in loaded.items()}


def _dump(values: Mapping[str, date]) -> bytes:
    data = {k: d.isoformat() for k, d in sorted(values.items())}
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


class NoticeLog:
    """The log as read from the duties ref's files; ``updated`` gives the files to record."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.sent = _dates(files.get(NOTICES_FILE))
        self.remembered = _dates(files.get(STALE_FILE))

    def was_sent(self, key: str) -> bool:
        return key in self.sent

    def updated(
        self,
        day: date,
        told: Iterable[str],
        current: Iterable[str] = (),
        remembered: Mapping[str, date] | None = None,
    ) -> dict[str, bytes] | None:
        """The log with ``told`` sent on ``day`` (those already logged keep their day), old
        entries not ``current`` pruned and the remembered IDs replaced; None if unchanged."""
        sent = {**dict.fromkeys(told, day), **self.sent}
        keep = set(current)
        sent = {k: d for k, d in sent.items() if k in keep or day - d <= KEEP}
        kept = self.remembered if remembered is None else dict(remembered)
        if (sent, kept) == (self.sent, self.remembered):
            return None
        return {NOTICES_FILE: _dump(sent), STALE_FILE: _dump(kept)}


def merge(
    base: Mapping[str, bytes], ours: Mapping[str, bytes], theirs: Mapping[str, bytes]
) -> dict[str, bytes]:
    """Two copies of the log that both moved: every item either logged (the earlier day), and
    every ID either remembered."""
    mine, other = NoticeLog(ours), NoticeLog(theirs)
    sent = {
        k: min(d for d in (mine.sent.get(k), other.sent.get(k)) if d)
        for k in {*mine.sent, *other.sent}
    }
    kept = {
        k: min(d for d in (mine.remembered.get(k), other.remembered.get(k)) if d)
        for k in {*mine.remembered, *other.remembered}
    }
    return {NOTICES_FILE: _dump(sent), STALE_FILE: _dump(kept)}
