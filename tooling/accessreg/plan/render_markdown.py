"""The plan as markdown: what the pull-request comment and the job summary show.

A summary first (counts per operator and application type, and how many items deserve a
second look), then per operator and application its items, what the reviewer guide asks the
reviewer to check, and what to look at twice; cut off before ``max_chars`` with a pointer to
the JSON plan, which holds everything. Text from the pull request (names, e-mails, paths)
goes through ``escape.markdown``, so that it cannot format the comment, mention anyone, link
anywhere or inject HTML. Words are in the run's language.
"""

from __future__ import annotations

from collections.abc import Sequence

from accessreg import i18n
from accessreg.escape import markdown as escape
from accessreg.model import Catalog
from accessreg.model.messages import Message, Verbatim, escaped, msg, nmsg
from accessreg.plan import wording
from accessreg.plan.model import Application, Direction, Item, OperatorChange, OperatorPlan, Plan

# GitHub refuses comments over 65,536 characters; leave room for what the workflow adds.
DEFAULT_MAX_CHARS = 60_000
_MARK = {Direction.GRANT: "➕", Direction.REVOKE: "➖", Direction.NEUTRAL: "✏️"}


def _t(message: Message) -> str:
    return i18n.text(message)


def _e(message: Message) -> str:
    """A message whose values come from the pull request: each made literal markdown."""
    return i18n.text(escaped(message, escape))


def _header(plan: Plan) -> list[str]:
    lines = [_t(msg("## accessreg plan")), ""]
    lines.append(_t(wording.events_text(plan, "**")))
    if plan.revisions is not None:
        r = plan.revisions
        lines.append(
            _t(
                msg(
                    "Compared: merge base `{base}` → head `{head}`",
                    base=r.merge_base[:12],
                    head=r.head[:12],
                )
            )
        )
    lines.append("")
    return lines


def _summary(plan: Plan) -> list[str]:
    if plan.empty:
        return [_t(msg("No change to operators, window persons or users.")), ""]
    lines = [
        _t(msg("### Summary")),
        "",
        _t(msg("| operator | application | items | grant | revoke |")),
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for op in plan.operators:
        for app, count in op.counts.items():
            items = [i for i in op.items if i.application is app]
            grants = sum(i.direction is Direction.GRANT for i in items)
            revokes = sum(i.direction is Direction.REVOKE for i in items)
            lines.append(
                f"| {escape(op.code)} {escape(op.name)} | {_t(wording.application(app))} "
                f"| {count} | {grants} | {revokes} |"
            )
    lines.append("")
    if plan.revoke_only:
        lines += [_t(msg("**Revoke only**: every item narrows access.")), ""]
    flags = sum(n.kind == "flag" for n in plan.notes)
    if flags:
        lines += [
            _t(
                nmsg(
                    "⚠️ **{count} item deserves a second look**: see *Second look* below.",
                    "⚠️ **{count} items deserve a second look**: see *Second look* below.",
                    flags,
                )
            ),
            "",
        ]
    return lines


def _notes(plan: Plan) -> list[str]:
    lines = []
    if plan.other_paths:
        shown = Verbatim(", ".join(escape(p) for p in plan.other_paths[:20]))
        more = len(plan.other_paths) - 20
        lines += [
            _t(msg("Other files changed (maintainers only): {paths}", paths=shown))
            + (_t(msg(" and {count} more", count=more)) if more > 0 else ""),
            "",
        ]
    if plan.unreadable:
        shown = Verbatim(", ".join(escape(p) for p in plan.unreadable[:20]))
        lines += [_t(msg("Files that do not load (see validate): {paths}", paths=shown)), ""]
    return lines


def _item_row(item: Item, catalog: Catalog) -> str:
    details = "<br>".join(_e(d) for d in wording.detail_texts(item, catalog))
    mark = f"{_MARK[item.direction]} {_t(wording.DIRECTIONS[item.direction])}"
    return (
        f"| {mark} | {_t(wording.change_text(item))} | {_e(wording.subject_text(item))} "
        f"| {details} |"
    )


def _attention(plan: Plan, op: OperatorPlan, app: Application) -> list[str]:
    mine = [n for n in plan.notes if n.operator == op.code and n.application is app]
    lines = []
    checks = [n for n in mine if n.kind == "check"]
    flags = [n for n in mine if n.kind == "flag"]
    if checks:
        lines += [_t(msg("**To check** (reviewer guide):")), ""]
        lines += [f"- {_e(n.message)}" for n in checks]
        lines.append("")
    if flags:
        lines += [_t(msg("**⚠️ Second look**:")), ""]
        lines += [f"- {_e(n.message)}" for n in flags]
        lines.append("")
    return lines


def _operator_section(plan: Plan, op: OperatorPlan, notes: bool = True) -> list[str]:
    """``op``'s applications, and the notes on them unless ``notes`` is false (a release's)."""
    lines = [f"### {escape(op.code)} {escape(op.name)}", ""]
    for app in op.applications:
        lines += [
            f"#### {_t(wording.application(app))}",
            "",
            _t(msg("| | change | who / what | details and dates |")),
            "| --- | --- | --- | --- |",
        ]
        lines += [_item_row(i, plan.catalog) for i in op.items if i.application is app]
        lines.append("")
        for item in op.items:
            if item.application is app and isinstance(item, OperatorChange) and item.ending_users:
                lines.append(_t(msg("Users whose access ends:")))
                lines += [f"- {escape(p.name)} {escape(p.email)}" for p in item.ending_users]
                lines.append("")
        if notes:
            lines += _attention(plan, op, app)
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
    # This change's operators, then those of the files its merge releases (no notes: the
    # notes are on this change's items).
    sections = [(op, True) for op in plan.operators] + [(op, False) for op in plan.released]
    total = len(plan.items) + sum(len(op.items) for op in plan.released)
    for index, (op, own) in enumerate(sections):
        section = "\n".join(_operator_section(plan, op, notes=own)) + "\n"
        if op is next(iter(plan.released), None):
            heading = f"## {_t(wording.RELEASED_HEADING)}\n\n{_t(wording.RELEASED_NOTE)}\n\n"
            section = heading + section
        if len(out) + len(section) > max_chars:
            rest_ops = len(sections) - index
            rest = total - shown_items
            out += (
                "\n"
                + _t(
                    msg(
                        "_{items} more item(s) of {operators} operator(s) are not shown here: the "
                        "complete plan is the JSON (`{json}`)._",
                        items=rest,
                        operators=rest_ops,
                        json=json_name,
                    )
                )
                + "\n"
            )
            break
        out += section
        shown_items += len(op.items)
    return out
