"""The vocabulary of notification mails, shared by the code that decides, renders and sends
them: who gets one (``Recipient``), what one says (``Notice``), and what became of it
(``MailStatus``)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Recipient:
    """A person a mail goes to, as a header shows them: ``name <email>``."""

    name: str
    email: str


@dataclass(frozen=True)
class Notice:
    """One mail to one person: which template, with what, about which application."""

    kind: str  # accepted, completed-<system>, welcome, contact-removed, ...
    application: str
    recipient: Recipient
    template: str  # a file in templates/, e.g. "mail-accepted.txt.j2"
    day: date  # the Date header of the rendered message (the acceptance or confirmation day)
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Stable per (application, recipient, kind): the base of the Message-ID."""
        raw = "\0".join((self.application, self.recipient.email.lower(), self.kind))
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


class MailStatus(StrEnum):
    """What a run did with one mail."""

    SENT = "sent"  # the SMTP server took it in this run
    ALREADY_SENT = "already sent"  # the outbox holds it as sent by an earlier run
    IN_DOUBT = "in doubt"  # handed to SMTP by a run that stopped before its answer was recorded
    WRITTEN = "written"  # not sent: a dry run, or sending not asked
