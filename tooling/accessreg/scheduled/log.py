"""The notice log: which item reached which recipient at which stage, kept in git.

``refs/accessreg/duties`` (a state ref of ``gitio.state``, written only by the scheduled
workflow) holds ``notices.json``: ``<item key>><recipient>`` → the day it was sent. The
mails themselves go through the outbox of ``refs/accessreg/state`` like every merge-time
mail (one Message-ID, sent once); this log adds what the outbox cannot know, which items a
digest covered, so that tomorrow's digest lists only what is new. Entries no longer current
are dropped a year and a month after they were sent (a key names its stage and its dates, so
a stage cannot fall due again under the same key).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta

from accessreg.gitio.state import StateStore

DUTIES_REF = "refs/accessreg/duties"
NOTICES_FILE = "notices.json"
KEEP = timedelta(days=400)


class NoticeLog:
    def __init__(self, store: StateStore) -> None:
        self.store = store
        store.fetch()
        self.commit = store.head()
        raw = store.read(self.commit).get(NOTICES_FILE)
        loaded = json.loads(raw) if raw else {}
        self.sent: dict[str, date] = {k: date.fromisoformat(v) for k, v in loaded.items()}

    def was_sent(self, key: str) -> bool:
        return key in self.sent

    def record(
        self, keys: Iterable[str], day: date, message: str, current: Iterable[str] = ()
    ) -> None:
        """Record ``keys`` as sent on ``day`` in one new state commit, pruning old entries."""
        keep = set(current)
        sent = {k: d for k, d in self.sent.items() if k in keep or day - d <= KEEP}
        sent.update(dict.fromkeys(keys, day))
        if sent == self.sent:
            return
        data = {k: d.isoformat() for k, d in sorted(sent.items())}
        body = (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        self.commit = self.store.write({NOTICES_FILE: body}, message, self.commit)
        self.sent = sent
