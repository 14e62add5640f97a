"""Notices of a run: sent through the outbox when asked, else only held as .eml files."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from accessreg.mail.compose import Composed
from accessreg.mail.delivery import Transport, deliver
from accessreg.mail.smtp import SmtpSettings, SmtpTransport
from accessreg.provision.state import Ledger
from accessreg.timeline.clock import JST

TransportFactory = Callable[[SmtpSettings], AbstractContextManager[Transport]]


@dataclass(frozen=True)
class MailOutcome:
    composed: Composed
    status: str  # "sent", "already sent", "written" (a dry run, or sending not asked)


def smtp_session(settings: SmtpSettings) -> SmtpTransport:
    return SmtpTransport(settings)


def send_or_hold(
    ledger: Ledger,
    composed: list[Composed],
    settings: SmtpSettings | None,
    transport: TransportFactory,
) -> list[MailOutcome]:
    """Deliver what the outbox lacks (with ``settings``), or just report what would go."""
    if settings is None or all(ledger.was_sent(c.message_id) for c in composed):
        return [
            MailOutcome(c, "already sent" if ledger.was_sent(c.message_id) else "written")
            for c in composed
        ]
    with transport(settings) as session:
        delivery = deliver(composed, ledger, session, lambda: datetime.now(JST))
    sent = {c.message_id for c in delivery.sent}
    return [MailOutcome(c, "sent" if c.message_id in sent else "already sent") for c in composed]
