"""Sending through an outbox: each message at most once, recorded the moment it is accepted.

The outbox is keyed by Message-ID, which is stable per (application, recipient, kind): a run
that failed half-way is simply run again, and sends only what the outbox does not hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

from accessreg.mail.compose import Composed


class Outbox(Protocol):
    def was_sent(self, message_id: str) -> bool: ...

    def mark_sent(self, composed: Composed) -> None: ...


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class Delivery:
    sent: list[Composed]
    skipped: list[Composed]  # already in the outbox


def pending(messages: Iterable[Composed], outbox: Outbox) -> list[Composed]:
    return [m for m in messages if not outbox.was_sent(m.message_id)]


def deliver(
    messages: Sequence[Composed],
    outbox: Outbox,
    transport: Transport,
    now: Callable[[], datetime],
) -> Delivery:
    """Send what the outbox lacks, recording each message right after the server took it.

    A failure raises at once (DeliveryError): what was sent is recorded, the rest is sent
    by the next run. ``now`` gives the Date header of the sent copy.
    """
    sent: list[Composed] = []
    skipped: list[Composed] = []
    seen: set[str] = set()
    for composed in messages:
        mid = composed.message_id
        if mid in seen or outbox.was_sent(mid):
            skipped.append(composed)
            continue
        seen.add(mid)
        copy = _dated(composed.message, now())
        transport.send(copy)
        outbox.mark_sent(composed)
        sent.append(composed)
    return Delivery(sent, skipped)


def _dated(message: EmailMessage, when: datetime) -> EmailMessage:
    """The message as sent: the Date of sending, everything else unchanged."""
    copy = deepcopy(message)
    del copy["Date"]
    copy["Date"] = format_datetime(when)
    return copy
