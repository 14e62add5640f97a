"""Mails in doubt, as every run and ``accessreg outbox list`` report them; a run's list of
its mails, bounded (``at_most``).

Message-IDs, kinds and applications only: no names or addresses (a job log is widely read);
the Message-ID is what the SMTP server's log is searched for. In the run's language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from accessreg import i18n
from accessreg.effects.session import InDoubt
from accessreg.model.catalog import Catalog
from accessreg.model.mail import MailStatus, notice_name
from accessreg.model.messages import Message, msg, nmsg
from accessreg.timeline.clock import JST

ADVICE = msg(
    "a run stopped between handing them to SMTP and recording the answer, so each may or "
    "may not have arrived; none is sent again by itself. Look its Message-ID up in the SMTP "
    "server's log, then run `accessreg outbox delivered ID` (it arrived) or "
    "`accessreg outbox resend ID` (it did not)"
)
REFUSED = msg(
    "the SMTP server refused them for good (their recipient, or the message itself); none "
    "is sent again by itself. Check the address with the operator, or the refusal with the "
    "server's administrator: once the server takes it, run `accessreg outbox resend ID`; "
    "if they were told another way, `accessreg outbox delivered ID`"
)
# A run's report is its job's summary too, which GitHub refuses whole past 1 MiB, the mails
# in doubt with it: a first apply lists 3,829 acceptance notices, a run owing a first
# batch's completion notices 10,079 lines (1.2 MB at 200,000 users), a first day's duties
# 11,949 mails. A list of mails shows this many lines, then how many it leaves out.
LISTED = 200

T = TypeVar("T")


def at_most(items: Sequence[T], line: Callable[[T], str]) -> list[str]:
    """A line for each of ``items`` (indented), the first ``LISTED`` of them, then how many
    more there are; only the lines shown are made."""
    lines = ["  " + line(item) for item in items[:LISTED]]
    if len(items) > LISTED:
        more = len(items) - LISTED
        left = nmsg(
            "… {count} more line, not shown here", "… {count} more lines, not shown here", more
        )
        lines.append("  " + i18n.text(left))
    return lines


# What a run did with a mail, in words.
STATUSES: dict[str, Message] = {
    MailStatus.SENT: msg("sent"),
    MailStatus.ALREADY_SENT: msg("already sent"),
    MailStatus.IN_DOUBT: msg("in doubt"),
    MailStatus.WRITTEN: msg("written"),
    MailStatus.REFUSED: msg("refused"),
    MailStatus.OWED: msg("owed"),
}


def status(value: str) -> str:
    return i18n.text(STATUSES.get(value, msg("{status}", status=value)))


def in_doubt_lines(mails: Sequence[InDoubt], catalog: Catalog | None = None) -> list[str]:
    """The mails held for a human, a completion notice's system named as ``catalog`` names
    it: those in doubt, then those whose recipient the server refused."""
    lines: list[str] = []
    doubted = [m for m in mails if not m.refused]
    refused = [m for m in mails if m.refused]
    if doubted:
        count = nmsg("{count} mail", "{count} mails", len(doubted))
        lines.append(i18n.text(msg("in doubt: {count}: {advice}", count=count, advice=ADVICE)))
        lines += ["  " + _held(m, catalog) for m in doubted]
    if refused:
        count = nmsg("{count} mail", "{count} mails", len(refused))
        lines.append(i18n.text(msg("refused: {count}: {advice}", count=count, advice=REFUSED)))
        # The server's code only: its text often names the address, and a job log is widely
        # read (the outbox keeps the whole answer).
        lines += [
            "  "
            + _held(m, catalog)
            + i18n.text(msg(" (SMTP {code})", code=m.refused.split(" ", 1)[0]))
            for m in refused
        ]
    return lines


def _held(m: InDoubt, catalog: Catalog | None) -> str:
    return i18n.text(
        msg(
            "{id}: {kind} for {application}, handed over {when}",
            id=m.message_id,
            kind=notice_name(m.kind, catalog),
            application=m.application,
            when=m.since.astimezone(JST).isoformat(timespec="seconds"),
        )
    )
