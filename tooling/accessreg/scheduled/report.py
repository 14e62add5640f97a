"""What a scheduled run did (or would do), as text for the terminal and the job log, in the
run's language.

Counts, stages, operator codes and file names; mails are counted by kind and operator, as
the merge-time report counts them by application: a job log is widely read, and names no
recipient (the outbox records each).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from functools import partial

from accessreg import i18n
from accessreg.effects.report import at_most, in_doubt_lines, status
from accessreg.effects.session import MailOutcome
from accessreg.escape import terminal_path
from accessreg.gitio.branches import BranchAction, BranchChange
from accessreg.model.catalog import Catalog
from accessreg.model.mail import digest_kind, notice_name
from accessreg.model.messages import Message, Verbatim, msg, nmsg
from accessreg.provision.report import held_lines
from accessreg.scheduled.duties import DUTIES
from accessreg.scheduled.keyed_notices import DigestMail
from accessreg.scheduled.run import RunResult


def _t(message: Message) -> str:
    return i18n.text(message)


# What a run did with a deletion application's branch, in words.
_BRANCH_ACTIONS: dict[BranchAction, Message] = {
    "created": msg("branch {branch}: created"),
    "updated": msg("branch {branch}: updated"),
    "unchanged": msg("branch {branch}: unchanged"),
    "deleted": msg("branch {branch}: deleted (no ID left to delete)"),
    "absent": msg("branch {branch}: none (no ID to delete)"),
}


def _branch_line(change: BranchChange) -> str:
    return _t(msg(_BRANCH_ACTIONS[change.action].text, branch=change.branch))


def _duty_lines(result: RunResult) -> list[str]:
    lines = []
    for name, outcome in result.outcomes.items():
        duty = DUTIES[name].TITLE
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
        lines += [
            f"  {_t(notice_name(kind, result.catalog))}: {count}"
            for kind, count in sorted(kinds.items())
        ]
    return lines


def _held_by_apply(result: RunResult) -> list[str]:
    """The files an earlier apply holds back, per operator with the day it first held them:
    a file is named by its operator only (a user's file bears the login ID). The run reads
    them as pinned and loads clean, so their errors are apply's report's and the reviewers'
    【保留】 mail's, which name each; checking them again would load the registry twice."""
    by_operator: dict[str, list[date]] = defaultdict(list)
    for h in result.held.values():
        by_operator[h.operator].append(h.since)
    if not by_operator:
        return []
    heading = msg(
        "held back by apply: {files} of {operators}, for errors at HEAD (apply's report and "
        "the reviewers' 【保留】 mail name them); the duties read them as downstream systems "
        "hold them until a fix is merged",
        files=nmsg("{count} file", "{count} files", len(result.held)),
        operators=nmsg("{count} operator", "{count} operators", len(by_operator)),
    )
    lines = [_t(heading)]
    for code, days in sorted(by_operator.items()):
        files = nmsg("{count} file", "{count} files", len(days))
        shown = terminal_path(code)  # a folder's name in a pull request, starting the line
        since = msg("{operator}: {files}, since {day}", operator=shown, files=files, day=min(days))
        lines.append("  " + _t(since))
    return lines


# A group of mails: what a run did with them, their kind, whose items (an operator's code; ""
# for the reviewers) and how many.
_Group = tuple[str, str, str, int]


def _grouped(mails: list[tuple[DigestMail, MailOutcome]]) -> list[tuple[_Group, int]]:
    """The mails by group, as they first come, each with its number of recipients: a job
    log is widely read, and names no address."""
    found = Counter(
        (o.status, o.composed.notice.kind, d.digest.operator or "", len(d.digest.items))
        for d, o in mails
    )
    return list(found.items())


def _mail_line(group: tuple[_Group, int], catalog: Catalog | None) -> str:
    (state, kind, operator, items), recipients = group
    return _t(
        msg(
            "{status}: {kind} ({whom}, {items}; {recipients})",
            status=Verbatim(status(state)),
            kind=notice_name(kind, catalog),
            whom=operator or msg("reviewers"),
            items=nmsg("{count} item", "{count} items", items),
            recipients=nmsg("{count} recipient", "{count} recipients", recipients),
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
    lines += _held_by_apply(result)
    if result.hold is not None:
        lines += held_lines(
            result.hold,
            msg(
                "held back: {files} of {operators}, for errors at HEAD; the duties read them as "
                "downstream systems hold them until a fix is merged"
            ),
        )
    lines += _duty_lines(result)
    if result.mails:
        counts = Counter(o.status for _, o in result.mails)
        parts = Verbatim(", ".join(f"{n} {status(s)}" for s, n in sorted(counts.items())))
        lines.append(_t(msg("mails: {count} ({parts})", count=len(result.mails), parts=parts)))
        lines += at_most(_grouped(result.mails), partial(_mail_line, catalog=result.catalog))
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
    lines += ["  " + _branch_line(c) for c in result.branches]
    if out is not None:
        lines.append(_t(msg("outputs: {count} files in {dir}", count=len(result.files), dir=out)))
    lines += [_t(msg("state: {note}", note=note)) for note in result.notes]
    lines += in_doubt_lines(result.in_doubt, result.catalog)
    return "\n".join(lines) + "\n"
