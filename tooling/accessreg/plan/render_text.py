"""The plan as plain text for a terminal: one line per item, details indented.

Text from the pull request goes through ``escape.terminal`` (a line break in a name cannot
fake another line, nor an escape sequence recolour the terminal), and every line starts
with the tool's own words or marks, never with such text: in a CI log, a line starting with
``::`` would be a workflow command.
"""

from __future__ import annotations

from collections.abc import Sequence

from accessreg.escape import terminal as _flat
from accessreg.plan import wording
from accessreg.plan.model import OperatorChange, Plan


def render(plan: Plan, preamble: Sequence[str] = ()) -> str:
    lines = [wording.events_text(plan)]
    if plan.revisions is not None:
        r = plan.revisions
        lines.append(f"merge base {r.merge_base[:12]} -> head {r.head[:12]}")
    lines += list(preamble)
    if plan.empty:
        lines.append("no change to operators, window persons or users")
    for op in plan.operators:
        counts = ", ".join(f"{app.label} {n}" for app, n in op.counts.items())
        lines.append("")
        lines.append(f"operator {_flat(op.code)} {_flat(op.name)}: {counts}")
        for item in op.items:
            mark = wording.DIRECTION_MARKS[item.direction]
            lines.append(
                f"  {mark} [{item.application.label}] {wording.SUBJECT_LABELS[item.subject]} "
                f"{wording.action_word(item)}: {_flat(wording.subject_text(item))}"
            )
            lines += [f"      {_flat(d)}" for d in wording.detail_texts(item)]
            if isinstance(item, OperatorChange):
                lines += [
                    f"      ends: {_flat(p.name)} {_flat(p.email)}" for p in item.ending_users
                ]
    if plan.other_paths:
        lines += ["", "other files changed (maintainers only):"]
        lines += [f"  - {_flat(p)}" for p in plan.other_paths]
    if plan.unreadable:
        lines += ["", "files that do not load (run validate):"]
        lines += [f"  - {_flat(p)}" for p in plan.unreadable]
    if plan.revoke_only:
        lines += ["", "revoke only: every item narrows access"]
    return "\n".join(lines) + "\n"
