"""An SMTP server on loopback (aiosmtpd) that keeps what it receives, or fails on purpose."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.helpers.servers import free_port


@dataclass
class Mailbox:
    """Messages as received; after ``fail_after`` accepted messages every DATA gets 451,
    every RCPT of an ``unknown`` address 550 (of a ``greylisted`` one 450), and the DATA of
    a message to a ``rejected`` one 554.

    Each is parsed in ``email``'s strict mode (a defect refuses the message), and its
    headers must name exactly the envelope's recipient: a display name that re-parsed as
    other addresses would show here."""

    fail_after: int | None = None
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    # Recipients refused at RCPT for good, as a server refuses a mailbox it does not know.
    unknown: frozenset[str] = frozenset()
    # Recipients whose messages are refused at DATA for good, as a filter refuses content.
    rejected: frozenset[str] = frozenset()
    # Recipients refused at RCPT for now, as greylisting does: taken by a later session.
    greylisted: frozenset[str] = frozenset()

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.unknown:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address in self.greylisted:
            return f"450 4.2.0 <{address}>: Recipient address rejected: Greylisted"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.fail_after is not None and len(self.received) >= self.fail_after:
            return "451 4.3.0 temporary failure, try again later"
        if self.rejected & set(envelope.rcpt_tos):
            return "554 5.7.1 Message rejected by content policy"
        message = email.message_from_bytes(envelope.content, policy=email.policy.strict)
        assert isinstance(message, EmailMessage)
        named = [
            a.addr_spec for h in ("To", "Cc", "Bcc") for a in getattr(message[h], "addresses", ())
        ]
        if named != list(envelope.rcpt_tos):
            return f"554 5.6.0 the headers name {named}, the envelope {envelope.rcpt_tos}"
        self.received.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def recipients(self) -> list[str]:
        return [str(m["To"].addresses[0].addr_spec) for m in self.received]


@contextmanager
def smtp_server(mailbox: Mailbox) -> Iterator[int]:
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def smtp_env(port: int) -> dict[str, str]:
    return {
        "ACCESSREG_SMTP_HOST": "127.0.0.1",
        "ACCESSREG_SMTP_PORT": str(port),
        "ACCESSREG_SMTP_STARTTLS": "0",
        "ACCESSREG_MAIL_FROM": "託送受付センター <uketsuke@reception.example.jp>",
    }
