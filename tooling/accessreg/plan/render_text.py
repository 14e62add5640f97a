"""The plan as plain text for a terminal: one line per item, details indented."""

from __future__ import annotations

from collections.abc import Sequence

from accessreg.plan import wording
from accessreg.plan.model import OperatorChange, Plan


def _flat(text: str) -> str:
    return " ".join(text.split())  # a line break in a name cannot fake another line


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
        lines.append(f"{op.code} {_flat(op.name)}: {counts}")
        for item in op.items:
            mark = wording.DIRECTION_MARKS[item.direction]
            lines.append(
                f"  {mark} [{item.application.label}] {wording.SUBJECT_LABELS[item.subject]} "
                f"{wording.action_word(item)}: {_flat(wording.subject_text(item))}"
            )
            lines += [f"      {_flat(d)}" for d in wording.detail_texts(item)]
            if isinstance(item, OperatorChange):
                lines += [f"      ends: {_flat(p.name)} {p.email}" for p in item.ending_users]
    if plan.other_paths:
        lines += ["", "other files changed (maintainers only):"]
        lines += [f"  {p}" for p in plan.other_paths]
    if plan.unreadable:
        lines += ["", "files that do not load (run validate):"]
        lines += [f"  {p}" for p in plan.unreadable]
    if plan.revoke_only:
        lines += ["", "revoke only: every item narrows access"]
    return "\n".join(lines) + "\n"
