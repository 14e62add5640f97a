"""The plan as markdown: what the pull-request comment and the job summary show.

A summary first (counts per operator and application type), then the details per operator,
cut off before ``max_chars`` with a pointer to the JSON plan, which holds everything. Text
from the pull request (names, e-mails, paths) goes through ``escape.markdown``, so that it
cannot format the comment, mention anyone, link anywhere or inject HTML.
"""

from __future__ import annotations

from collections.abc import Sequence

from accessreg.escape import markdown as escape
from accessreg.plan import wording
from accessreg.plan.model import Direction, Item, OperatorChange, OperatorPlan, Plan

# GitHub refuses comments over 65,536 characters; leave room for what the workflow adds.
DEFAULT_MAX_CHARS = 60_000
_MARK = {Direction.GRANT: "➕ grant", Direction.REVOKE: "➖ revoke", Direction.NEUTRAL: "✏️ record"}


def _header(plan: Plan) -> list[str]:
    lines = ["## accessreg plan", ""]
    lines.append(wording.events_text(plan, "**"))
    if plan.revisions is not None:
        r = plan.revisions
        lines.append(f"Compared: merge base `{r.merge_base[:12]}` → head `{r.head[:12]}`")
    lines.append("")
    return lines


def _summary(plan: Plan) -> list[str]:
    if plan.empty:
        return ["No change to operators, window persons or users.", ""]
    lines = [
        "### Summary",
        "",
        "| operator | application | items | grant | revoke |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for op in plan.operators:
        for app, count in op.counts.items():
            items = [i for i in op.items if i.application is app]
            grants = sum(i.direction is Direction.GRANT for i in items)
            revokes = sum(i.direction is Direction.REVOKE for i in items)
            lines.append(
                f"| {escape(op.code)} {escape(op.name)} | {app.label} ({app.seed}) | {count} "
                f"| {grants} | {revokes} |"
            )
    lines.append("")
    if plan.revoke_only:
        lines += ["**Revoke only**: every item narrows access.", ""]
    return lines


def _notes(plan: Plan) -> list[str]:
    lines = []
    if plan.other_paths:
        shown = ", ".join(escape(p) for p in plan.other_paths[:20])
        more = f" and {len(plan.other_paths) - 20} more" if len(plan.other_paths) > 20 else ""
        lines += [f"Other files changed (maintainers only): {shown}{more}", ""]
    if plan.unreadable:
        shown = ", ".join(escape(p) for p in plan.unreadable[:20])
        lines += [f"Files that do not load (see validate): {shown}", ""]
    return lines


def _item_row(item: Item) -> str:
    what = f"{wording.SUBJECT_LABELS[item.subject]} {wording.action_word(item)}"
    details = "<br>".join(escape(d) for d in wording.detail_texts(item))
    return (
        f"| {_MARK[item.direction]} | {what} | {escape(wording.subject_text(item))} | {details} |"
    )


def _operator_section(op: OperatorPlan) -> list[str]:
    lines = [f"### {escape(op.code)} {escape(op.name)}", ""]
    for app in op.applications:
        lines += [
            f"#### {app.label} ({app.seed})",
            "",
            "| | change | who / what | details and dates |",
            "| --- | --- | --- | --- |",
        ]
        lines += [_item_row(i) for i in op.items if i.application is app]
        lines.append("")
        for item in op.items:
            if item.application is app and isinstance(item, OperatorChange) and item.ending_users:
                lines.append("Users whose access ends:")
                lines += [f"- {escape(p.name)} {escape(p.email)}" for p in item.ending_users]
                lines.append("")
    return lines


def render(
    plan: Plan,
    max_chars: int = DEFAULT_MAX_CHARS,
    json_name: str = "plan.json",
    preamble: Sequence[str] = (),
) -> str:
    head = [*_header(plan), *preamble, *([""] if preamble else []), *_summary(plan), *_notes(plan)]
    out = "\n".join(head) + "\n"
    shown_items = 0
    for index, op in enumerate(plan.operators):
        section = "\n".join(_operator_section(op)) + "\n"
        if len(out) + len(section) > max_chars:
            rest_ops = len(plan.operators) - index
            rest = len(plan.items) - shown_items
            out += (
                f"\n_{rest} more item(s) of {rest_ops} operator(s) are not shown here: the "
                f"complete plan is the JSON (`{json_name}`)._\n"
            )
            break
        out += section
        shown_items += len(op.items)
    return out
