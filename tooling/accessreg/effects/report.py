"""Mails in doubt, as every run and ``accessreg outbox list`` report them.

Message-IDs, kinds and applications only: no names or addresses (a job log is widely read);
the Message-ID is what the SMTP server's log is searched for.
"""

from __future__ import annotations

from collections.abc import Sequence

from accessreg.effects.session import InDoubt
from accessreg.timeline.clock import JST

ADVICE = (
    "a run stopped between handing them to SMTP and recording the answer, so each may or "
    "may not have arrived; none is sent again by itself. Look its Message-ID up in the SMTP "
    "server's log, then run `accessreg outbox delivered ID` (it arrived) or "
    "`accessreg outbox resend ID` (it did not)"
)


def in_doubt_lines(mails: Sequence[InDoubt]) -> list[str]:
    if not mails:
        return []
    lines = [f"in doubt: {len(mails)} mail(s): {ADVICE}"]
    lines += [
        f"  {m.message_id}: {m.kind} for {m.application}, handed over "
        f"{m.since.astimezone(JST).isoformat(timespec='seconds')}"
        for m in mails
    ]
    return lines
