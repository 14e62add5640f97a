"""The outbox: every mail handed to SMTP, so that no Message-ID is ever sent twice.

Files of the state ref ``refs/accessreg/state``:

- ``outbox-<xx>.json``: Message-ID → what was sent, to whom, when (the server said 250),
  in 256 parts by the first two hex digits of the SHA-256 of the Message-ID. Every mail
  sent is recorded in a commit of its own, and the outbox only grows (a daily run mails
  thousands): a mail rewrites the part it falls in, not every mail ever sent (one
  ``outbox.json``, as states before the parts hold it, cost 188 ms a mail with 80,000 mails
  recorded, 46 ms in parts: ``benchmarks/bench_outbox.py``). A state holding
  ``outbox.json`` is read as it is and written in parts from its next mail on;
- ``in-flight.json``: Message-ID → a mail being handed to SMTP right now, with the message
  itself. It is recorded (and pushed) *before* the mail goes to the server and replaced by
  the outbox's entry right after the server's answer. A run that finds an entry here
  knows the run that wrote it stopped in between (killed, a lost connection): the mail is
  *in doubt*, delivered or not. It is never sent again by itself; ``accessreg outbox``
  lists it, and ``accessreg outbox resend`` or ``delivered`` settles it.

A mail of the scheduled duties also names the notice-log keys it tells (``covers``), so that
the items of a mail in doubt are not put into another mail either.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from accessreg.errors import ConfigError, UsageError
from accessreg.mail.compose import Composed
from accessreg.model.base import json_document
from accessreg.model.mail import MailStatus
from accessreg.model.messages import msg

OUTBOX_FILE = "outbox.json"  # the whole outbox, as states before its parts hold it
IN_FLIGHT_FILE = "in-flight.json"
_PART = re.compile(r"outbox-[0-9a-f]{2}\.json")


def part_of(message_id: str) -> str:
    """The file of the outbox a mail sent is recorded in."""
    digest = hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest()
    return f"outbox-{digest[:2]}.json"


def is_outbox_file(name: str) -> bool:
    """Whether the state file ``name`` is the outbox's (merged as its union, ``merge``)."""
    return name in (OUTBOX_FILE, IN_FLIGHT_FILE) or bool(_PART.fullmatch(name))


# What a state file becomes: its new content, or None when it goes.
Files = dict[str, bytes | None]


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class SentMail:
    kind: str
    application: str
    to: str
    sent_at: datetime
    covers: tuple[str, ...] = ()  # kept only for a mail that was in doubt

    def dump(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "application": self.application,
            "to": self.to,
            "sent_at": _stamp(self.sent_at),
        }
        return {**data, "covers": list(self.covers)} if self.covers else data

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> SentMail:
        return cls(
            data["kind"],
            data["application"],
            data["to"],
            datetime.fromisoformat(data["sent_at"]),
            tuple(data.get("covers", ())),
        )


@dataclass(frozen=True)
class HeldMail:
    """A mail handed to SMTP whose answer is not recorded (yet)."""

    kind: str
    application: str
    to: str
    since: datetime
    message: bytes  # exactly what was handed to the server
    covers: tuple[str, ...] = ()
    # The server's answer when it refused the recipient: not in doubt, certainly not
    # delivered, and held all the same (a human settles it, as one in doubt).
    refused: str = ""

    def dump(self) -> dict[str, Any]:
        data = {
            "kind": self.kind,
            "application": self.application,
            "to": self.to,
            "since": _stamp(self.since),
            "covers": list(self.covers),
            "message": self.message.decode("latin-1"),  # RFC 5322 text: ASCII in practice
        }
        return {**data, "refused": self.refused} if self.refused else data

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> HeldMail:
        return cls(
            data["kind"],
            data["application"],
            data["to"],
            datetime.fromisoformat(data["since"]),
            data["message"].encode("latin-1"),
            tuple(data.get("covers", ())),
            str(data.get("refused", "")),
        )


def _entry(key: str, value: Mapping[str, Any]) -> str:
    """One member of an object, exactly as ``json_document`` writes it."""
    body = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).replace("\n", "\n  ")
    return f"  {json.dumps(key, ensure_ascii=False)}: {body}"


def _joined(entries: Mapping[str, str]) -> bytes:
    """``json_document`` of an object from its members written once each (``_entry``): the outbox is
    rewritten after every mail, and only grows."""
    if not entries:
        return b"{}\n"
    return ("{\n" + ",\n".join(entries[k] for k in sorted(entries)) + "\n}\n").encode()


def _parse(raw: bytes | None, name: str) -> dict[str, Any]:
    try:
        loaded = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise ConfigError(
            msg("{name} of the state does not read as JSON: {exc}", name=name, exc=str(exc))
        ) from None
    if not isinstance(loaded, dict):
        raise ConfigError(msg("{name} of the state is not an object", name=name))
    return loaded


class Outbox:
    """The outbox as read from the state's files; changes return the files to record."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.sent = {
            k: SentMail.load(v)
            for name in sorted(files)
            if name == OUTBOX_FILE or _PART.fullmatch(name)
            for k, v in _parse(files[name], name).items()
        }
        # A state before the parts: its next outbox is written whole, in parts.
        self._whole = OUTBOX_FILE in files
        self._parts: dict[str, dict[str, str]] = {}  # part → Message-ID → its member
        for k in self.sent:
            self._parts.setdefault(part_of(k), {})[k] = ""  # written when its part is
        self._changed: set[str] = set()
        self.held = {
            k: HeldMail.load(v)
            for k, v in _parse(files.get(IN_FLIGHT_FILE), IN_FLIGHT_FILE).items()
        }
        self._covered = {key for m in self.sent.values() for key in m.covers}
        self._covered.update(key for m in self.held.values() for key in m.covers)

    def status(self, message_id: str) -> MailStatus | None:
        """ALREADY_SENT, IN_DOUBT, or None for a mail never handed over."""
        if message_id in self.sent:
            return MailStatus.ALREADY_SENT
        if message_id in self.held:
            return MailStatus.IN_DOUBT
        return None

    def covers(self, key: str) -> bool:
        """A notice-log key told (or perhaps told) by a mail the log may not know of."""
        return key in self._covered

    def in_doubt(self) -> list[tuple[str, HeldMail]]:
        return sorted(self.held.items(), key=lambda kv: (kv[1].since, kv[0]))

    def hold(
        self, composed: Composed, message: bytes, covers: Iterable[str], now: datetime
    ) -> Files:
        notice = composed.notice
        held = HeldMail(
            notice.kind, notice.application, notice.recipient.email, now, message, tuple(covers)
        )
        self.held = {**self.held, composed.message_id: held}
        self._covered.update(held.covers)
        return self._files(in_flight=True)

    def release(self, message_id: str) -> Files:
        """The server refused it: it was not sent, and the next run may send it."""
        held = self.held.pop(message_id)
        self._covered.difference_update(held.covers)
        return self._files(in_flight=True)

    def refuse(self, message_id: str, answer: str) -> Files:
        """The server refused the recipient of the mail held under ``message_id``: it stays
        held, never sent again by itself, with the server's ``answer``."""
        self.held = {**self.held, message_id: replace(self._held(message_id), refused=answer)}
        return self._files(in_flight=True)

    def mark_sent(self, message_id: str, when: datetime) -> Files:
        """The server took the mail held under ``message_id``."""
        held = self._held(message_id)
        del self.held[message_id]
        # In place: a copy of every mail ever sent, for each mail, grew with the outbox.
        self.sent[message_id] = SentMail(held.kind, held.application, held.to, when, held.covers)
        part = part_of(message_id)
        self._parts.setdefault(part, {})[message_id] = ""
        self._changed.add(part)
        return self._files(outbox=True, in_flight=True)

    def _held(self, message_id: str) -> HeldMail:
        if message_id not in self.held:
            raise UsageError(
                msg(
                    "No mail in doubt has the Message-ID {message_id} (see "
                    "`accessreg outbox list`)",
                    message_id=message_id,
                )
            )
        return self.held[message_id]

    def held_message(self, message_id: str) -> HeldMail:
        return self._held(message_id)

    def _files(self, outbox: bool = False, in_flight: bool = False) -> Files:
        files: Files = {}
        if outbox:
            if self._whole:  # the first write since the parts: all of them, and no whole
                self._changed.update(self._parts)
                files[OUTBOX_FILE] = None
                self._whole = False
            for part in sorted(self._changed):
                members = self._parts[part]
                for k, member in members.items():
                    if not member:
                        members[k] = _entry(k, self.sent[k].dump())
                files[part] = _joined(members)
            self._changed.clear()
        if in_flight:
            files[IN_FLIGHT_FILE] = json_document({k: v.dump() for k, v in self.held.items()})
        return files


def written(sent: Mapping[str, SentMail]) -> dict[str, bytes]:
    """The files of an outbox that holds ``sent``, in parts."""
    parts: dict[str, dict[str, str]] = {}
    for k, v in sent.items():
        parts.setdefault(part_of(k), {})[k] = _entry(k, v.dump())
    return {part: _joined(members) for part, members in parts.items()}


def merge(
    base: Mapping[str, bytes], ours: Mapping[str, bytes], theirs: Mapping[str, bytes]
) -> dict[str, bytes]:
    """The outbox files of two states that both moved: every mail either side sent (the
    outbox only grows), and in flight what either side holds and neither has sent."""
    mine, other = Outbox(ours), Outbox(theirs)
    sent = {**other.sent, **mine.sent}
    held = {k: v for k, v in {**other.held, **mine.held}.items() if k not in sent}
    return {
        **written(sent),
        IN_FLIGHT_FILE: json_document({k: v.dump() for k, v in held.items()}),
    }
