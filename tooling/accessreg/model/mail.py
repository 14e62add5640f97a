"""The vocabulary of notification mails, shared by the code that decides, renders and sends
them: who gets one (``Recipient``), what one says (``Notice``), and what became of it
(``MailStatus``)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from accessreg.model.catalog import Catalog, system_named
from accessreg.model.messages import Message, Verbatim, msg
from accessreg.model.operator import Contact, Operator


@dataclass(frozen=True)
class Recipient:
    """A person a mail goes to, as a header shows them: ``name <email>``."""

    name: str
    email: str


@dataclass(frozen=True)
class Handover:
    """An applied change of an operator's window persons (000 §3-2), in effect from ``on``:
    the day its items are dated, on which the permission-management system's rows and the
    info-sharing site's subscribers change hands too. Until then the operator's window
    persons are ``former``, as they were before it (none: the operator was not registered
    before, and its window persons are those it names)."""

    application: str
    on: date
    former: tuple[Contact, ...]


def window_persons(
    operator: Operator, day: date, handovers: Sequence[Handover] = (), own: str | None = None
) -> list[Recipient]:
    """An operator's window persons on ``day`` as its mails go to them, the primary first:
    those before the first of ``handovers`` (its changes of them, in the order applied)
    still to come on the day, else those it names. Every mail to an operator, at merge
    time and from the scheduled duties, reads them here, so that a notice goes to the
    persons every output holds on its day. ``own``: the application whose notices these
    are, whose own change of them (and those applied before it) counts from the start:
    those it adds are told of it from its acceptance, those it removes are not (they are
    told their end on their own); a change applied after it, on that change's day."""
    waiting = [h for h in handovers if h.on > day]
    mine = next((n for n, h in enumerate(waiting) if h.application == own), None)
    if mine is not None:
        waiting = waiting[mine + 1 :]
    contacts: Sequence[Contact] = operator.contacts
    if waiting and waiting[0].former:
        contacts = waiting[0].former
    ordered = sorted(contacts, key=lambda c: c.role != "primary")
    return [Recipient(c.name, c.email) for c in ordered]


class Addressing(Protocol):
    """Who an operator's notices go to on a day: ``window_persons`` with the changes of them
    still to come then (``provision.completion.Handovers``); ``own``: the application the
    notices are of."""

    day: date

    def persons(self, operator: Operator, own: str | None = None) -> list[Recipient]: ...


@dataclass(frozen=True)
class Notice:
    """One mail to one person: which template, with what, about which application."""

    kind: str  # accepted, completed-<system>, welcome, contact-removed, ...
    application: str
    recipient: Recipient
    template: str  # a file in templates/, e.g. "mail-accepted.txt.j2"
    # The Date header of the rendered message: the day of the run that writes it
    # (``Addressing.day``), never the event it tells (its body says that), so that a mail
    # written after the acceptance, or owed to a later run, does not sort as sent earlier.
    day: date
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
    REFUSED = "refused"  # refused for good (recipient or message): held for a human
    OWED = "owed"  # not sent: the SMTP server could not take it, the next run sends it


def digest_kind(kind: str, stage: str) -> str:
    """The kind of a scheduled duty's mail: its digest's kind, and its stage where the kind
    does not already say it (``certificate-expiry-first``; ``inventory-reminder``)."""
    return kind if stage in kind else f"{kind}-{stage}"


# What each kind of mail is, as the reports name it (the kind itself stays the key of its
# Message-ID and of the outbox): the words of the mail's subject.
_NAMES: dict[str, Message] = {
    "accepted": msg("acceptance notice"),
    "contact-removed": msg("window person's removal notice"),
    "welcome": msg("procedure completion notice"),
    "registered": msg("registration completion notice"),
    "held": msg("notice of applications held back"),
    "certificate-expiry-first": msg("certificate expiry notice"),
    "certificate-expiry-reminder": msg("certificate expiry reminder"),
    "certificate-expiry-expired": msg("certificate expired notice"),
    "ip-expiry-first": msg("overseas IP expiry notice"),
    "ip-expiry-reminder": msg("overseas IP expiry reminder"),
    "ip-expiry-expired": msg("overseas IP expired notice"),
    "inventory-request": msg("inventory request"),
    "inventory-reminder": msg("inventory reminder"),
    "inventory-overdue": msg("overdue inventories"),
    "membership-reminder": msg("membership application reminder"),
    "membership-termination": msg("provisional members past a year"),
    "review-deadlines": msg("reviews past their deadline"),  # the review stage
    "review-deadlines-completion": msg("applications past the standard period"),
    "stale-ids-warning1": msg("stale IDs, first warning"),
    "stale-ids-warning2": msg("stale IDs, second warning"),
    "stale-ids-locked": msg("stale IDs, locked"),
    "stale-ids-deleted": msg("stale IDs, deleted"),
    "stale-drift-unknown": msg("IDs the registry does not hold"),
    "time-rules-due": msg("findings that fell due with the days"),
}
COMPLETED = "completed-"  # and the system: ``completed-taxis``


def notice_name(kind: str, catalog: Catalog | None = None) -> Message:
    """A mail of ``kind`` as the reports name it, a completion notice's system as the
    ``catalog`` names it (its key alone without one); an unknown kind (an outbox written by
    another version) as it is."""
    if kind.startswith(COMPLETED):
        system = system_named(catalog, kind[len(COMPLETED) :])
        return msg("completion notice of {system}", system=system)
    return _NAMES.get(kind) or msg("{kind}", kind=Verbatim(kind))
