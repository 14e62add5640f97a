"""The plan as plain text for a terminal: one line per item, details indented, then what
to check and what to look at twice. Words are in the run's language.

Text from the pull request goes through ``escape.terminal`` (a line break in a name cannot
fake another line, nor an escape sequence recolour the terminal), and every line starts
with the tool's own words or marks, never with such text: in a CI log, a line starting with
``::`` would be a workflow command.
"""

from __future__ import annotations

from collections.abc import Sequence

from accessreg import i18n
from accessreg.escape import terminal
from accessreg.model.messages import Message, Verbatim, escaped, msg
from accessreg.plan import attention, wording
from accessreg.plan.model import OperatorChange, OperatorPlan, Plan


def _flat(message: Message) -> str:
    """A message whose values come from the pull request, each shown as ``terminal`` does."""
    return i18n.text(escaped(message, terminal))


def _operator_lines(plan: Plan, op: OperatorPlan, notes: bool = True) -> list[str]:
    """``op``'s items, and the notes on them unless ``notes`` is false (a release's)."""
    lines: list[str] = []
    counts = tuple(
        msg("{application} {count}", application=wording.application(app, op), count=n)
        for app, n in op.counts.items()
    )  # listed as the language lists (、 in Japanese)
    lines.append("")
    lines.append(
        _flat(msg("operator {code} {name}: {counts}", code=op.code, name=op.name, counts=counts))
    )
    for item in op.items:
        # The sign and the word, as the markdown plan marks an item: a step-down (縮小) and a
        # removal (削除) share the sign.
        sign, word = wording.DIRECTION_MARKS[item.direction], wording.DIRECTIONS[item.direction]
        mark = f"{sign} {_flat(word)}"
        lines.append(
            f"  {mark} [{_flat(wording.application_name(item.application, op))}] "
            f"{_flat(wording.change_text(item))}: {_flat(wording.subject_text(item))}"
        )
        lines += [f"      {_flat(d)}" for d in wording.detail_texts(item, plan.catalog)]
        if isinstance(item, OperatorChange):
            lines += [
                "      " + _flat(msg("ends: {name} {email}", name=p.name, email=p.email))
                for p in item.ending_users
            ]
    for note in (n for n in plan.notes if notes and n.operator == op.code):
        label = msg("check") if note.kind == "check" else msg("second look")
        lines.append(
            f"  {'?' if note.kind == 'check' else '!'} {_flat(label)}: {_flat(note.message)}"
        )
    return lines


def render(plan: Plan, preamble: Sequence[str] = ()) -> str:
    lines = [_flat(wording.events_text(plan))]
    if plan.revisions is not None:
        r = plan.revisions
        lines.append(
            _flat(msg("merge base {base} -> head {head}", base=r.merge_base[:12], head=r.head[:12]))
        )
    if plan.mass_removal is not None:
        title = _flat(attention.MASS_REMOVAL)
        lines.append(f"{title}: {_flat(attention.mass_removal(plan.mass_removal))}")
    lines += list(preamble)
    if plan.empty:
        lines.append(_flat(msg("no change to operators, window persons or users")))
    for op in plan.operators:
        lines += _operator_lines(plan, op)
    if plan.released:
        heading = i18n.text(wording.RELEASED_HEADING)
        lines += ["", f"{heading}: {i18n.text(wording.RELEASED_NOTE)}"]
        for op in plan.released:
            lines += _operator_lines(plan, op, notes=False)
    if plan.other_paths:
        lines += ["", _flat(msg("other files changed (maintainers only):"))]
        lines += [f"  - {terminal(p)}" for p in plan.other_paths]
    if plan.unreadable:
        lines += ["", _flat(msg("files that do not load (run validate):"))]
        lines += [f"  - {terminal(p)}" for p in plan.unreadable]
    if plan.revoking:
        shown = Verbatim(", ".join(terminal(p) for p in plan.revoking))
        lines += ["", _flat(wording.revoking_note(shown))]
    if plan.revoke_only:
        lines += ["", _flat(msg("revoke only: every item narrows access"))]
    return "\n".join(lines) + "\n"
