"""What a scheduled run did (or would do), as text for the terminal and the job log.

Counts, stages, operator codes and file names; a mail line names its recipient's address,
as the merge-time report does, and nothing more.
"""

from __future__ import annotations

from collections import Counter

from accessreg.effects.report import in_doubt_lines
from accessreg.scheduled.run import RunResult


def _duty_lines(result: RunResult) -> list[str]:
    lines = []
    for duty, outcome in result.outcomes.items():
        notices = len(outcome.notices)
        rows = ", ".join(f"{len(t.rows)} in {t.name}.csv" for t in outcome.tables)
        files = f", {len(outcome.files)} CSV files" if outcome.files else ""
        lines.append(f"{duty}: {notices} notice(s) due; {rows or 'no table'}{files}")
        stages = Counter(f"{n.kind} {n.stage}" for n in outcome.notices)
        lines += [f"  {what}: {count}" for what, count in sorted(stages.items())]
    return lines


def text(result: RunResult, out: str | None) -> str:
    mode = "sent" if result.sent else "dry run (nothing sent, no branch moved, nothing recorded)"
    lines = [f"scheduled duties on {result.today} at {result.head[:12]}: {mode}"]
    lines += _duty_lines(result)
    if result.mails:
        counts = Counter(o.status for _, o in result.mails)
        parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        lines.append(f"mails: {len(result.mails)} ({parts})")
        lines += [
            f"  {o.status}: {o.composed.notice.kind} "
            f"({m.digest.operator or 'reviewers'}, {len(m.digest.items)} item(s)) "
            f"to {m.recipient.email}"
            for m, o in result.mails
        ]
    else:
        lines.append("mails: none due")
    for app in result.applications:
        lines.append(f"deletion application {app.branch}: {len(app.users)} ID(s)")
    lines += [f"  branch {c.branch}: {c.action}" for c in result.branches]
    if out is not None:
        lines.append(f"outputs: {len(result.files)} files in {out}")
    lines += [f"state: {note}" for note in result.notes]
    lines += in_doubt_lines(result.in_doubt)
    return "\n".join(lines) + "\n"
