"""An SMTP server on 127.0.0.1 (aiosmtpd, in a thread) that keeps what it receives.

After ``fail_after`` accepted messages every DATA is refused with 451, to test that a run
that stopped half-way sends only the rest when run again.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from servers import free_port


@dataclass
class Sink:
    fail_after: int | None = None
    received: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.fail_after is not None and len(self.received) >= self.fail_after:
            return "451 4.3.0 temporary failure, try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 OK"

    def take(self) -> list[EmailMessage]:
        """What arrived since the last call."""
        got, self.received = self.received, []
        return got


@contextmanager
def smtp_sink(sink: Sink) -> Iterator[dict[str, str]]:
    """Run the server; yields the ACCESSREG_* environment that points the tool at it."""
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield {
            "ACCESSREG_SMTP_HOST": "127.0.0.1",
            "ACCESSREG_SMTP_PORT": str(port),
            "ACCESSREG_SMTP_STARTTLS": "0",
            "ACCESSREG_MAIL_FROM": "託送受付センター <uketsuke@reception.example.jp>",
        }
    finally:
        controller.stop()


def summary(messages: list[EmailMessage]) -> list[tuple[str, str]]:
    """(recipient, subject) of each message, sorted: what a test asserts about a run."""
    return sorted((m["To"].addresses[0].addr_spec, str(m["Subject"])) for m in messages)
