"""What a scheduled run did (or would do), as text for the terminal and the job log, in the
run's language.

Counts, stages, operator codes and file names; a mail line names its recipient's address,
as the merge-time report does, and nothing more.
"""

from __future__ import annotations

from collections import Counter

from accessreg import i18n
from accessreg.effects.report import at_most, in_doubt_lines, status
from accessreg.effects.session import MailOutcome
from accessreg.model.mail import digest_kind, notice_name
from accessreg.model.messages import Message, Verbatim, msg, nmsg
from accessreg.scheduled.keyed_notices import DigestMail
from accessreg.scheduled.run import RunResult


def _t(message: Message) -> str:
    return i18n.text(message)


def _duty_lines(result: RunResult) -> list[str]:
    lines = []
    for duty, outcome in result.outcomes.items():
        rows = tuple(
            msg("{count} in {table}.csv", count=len(t.rows), table=t.name) for t in outcome.tables
        )
        notices = nmsg("{count} notice due", "{count} notices due", len(outcome.notices))
        tables: Message = msg("{list}", list=rows) if rows else msg("no table")
        line = msg("{duty}: {notices}; {tables}", duty=duty, notices=notices, tables=tables)
        if outcome.files:
            line = msg(
                "{duty}: {notices}; {tables}, {count} CSV files",
                duty=duty,
                notices=notices,
                tables=tables,
                count=len(outcome.files),
            )
        lines.append(_t(line))
        kinds = Counter(digest_kind(n.kind, n.stage) for n in outcome.notices)
        lines += [f"  {_t(notice_name(kind))}: {count}" for kind, count in sorted(kinds.items())]
    return lines


def _mail_line(mail: tuple[DigestMail, MailOutcome]) -> str:
    digest, outcome = mail
    return _t(
        msg(
            "{status}: {kind} ({whom}, {items}) to {email}",
            status=Verbatim(status(outcome.status)),
            kind=notice_name(outcome.composed.notice.kind),
            whom=digest.digest.operator or msg("reviewers"),
            items=nmsg("{count} item", "{count} items", len(digest.digest.items)),
            email=digest.recipient.email,
        )
    )


def text(result: RunResult, out: str | None) -> str:
    mode = (
        msg("sent")
        if result.sent
        else msg("dry run (nothing sent, no branch moved, nothing recorded)")
    )
    lines = [
        _t(
            msg(
                "scheduled duties on {day} at {head}: {mode}",
                day=result.today,
                head=result.head[:12],
                mode=mode,
            )
        )
    ]
    lines += _duty_lines(result)
    if result.mails:
        counts = Counter(o.status for _, o in result.mails)
        parts = Verbatim(", ".join(f"{n} {status(s)}" for s, n in sorted(counts.items())))
        lines.append(_t(msg("mails: {count} ({parts})", count=len(result.mails), parts=parts)))
        lines += at_most(result.mails, _mail_line)
    else:
        lines.append(_t(msg("mails: none due")))
    for app in result.applications:
        lines.append(
            _t(
                msg(
                    "deletion application {branch}: {ids}",
                    branch=app.branch,
                    ids=nmsg("{count} ID", "{count} IDs", len(app.users)),
                )
            )
        )
    lines += [
        "  " + _t(msg("branch {branch}: {action}", branch=c.branch, action=c.action))
        for c in result.branches
    ]
    if out is not None:
        lines.append(_t(msg("outputs: {count} files in {dir}", count=len(result.files), dir=out)))
    lines += [_t(msg("state: {note}", note=note)) for note in result.notes]
    lines += in_doubt_lines(result.in_doubt)
    return "\n".join(lines) + "\n"
