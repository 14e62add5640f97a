"""The plan as markdown: what the pull-request comment and the job summary show.

A summary first (counts per operator and application type, and how many items deserve a
second look), then per operator and application its items, what the reviewer guide asks the
reviewer to check, and what to look at twice; cut off before ``max_chars`` with a pointer to
the JSON plan, which holds everything. The heading, the revisions compared, the warning of a
mass removal and the verdict of the authorization are never cut; every other part, the notes
of paths among them, fits in the room the parts before it leave, and says what it leaves
out. Text from the pull request (names, e-mails, paths) goes through ``escape.markdown``, so
that it cannot format the comment, mention anyone, link anywhere or inject HTML. Words are
in the run's language.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from accessreg import i18n
from accessreg.escape import markdown as escape
from accessreg.escape import shorten_path
from accessreg.model import Catalog
from accessreg.model.messages import Message, Verbatim, escaped, msg, nmsg
from accessreg.plan import attention, wording
from accessreg.plan.model import Application, Direction, Item, OperatorChange, OperatorPlan, Plan

# GitHub refuses comments over 65,536 characters; leave room for what the workflow adds.
DEFAULT_MAX_CHARS = 60_000
_MARK = {
    Direction.GRANT: "➕",
    Direction.REVOKE: "➖",
    Direction.NARROW: "➖",
    Direction.NEUTRAL: "✏️",
}
# How many paths a note of paths (other files, files that do not load) lists at most.
_PATHS_SHOWN = 20


def _cost(lines: Sequence[str]) -> int:
    """The characters ``lines`` take of the comment, each with its line break."""
    return sum(len(line) + 1 for line in lines)


def _reserve(say: Callable[[int], str], most: int) -> int:
    """The most a line that says how many of up to ``most`` things are left out takes (a
    count's digits, or the singular, may make it longer)."""
    return max(len(say(1)), len(say(most))) + 1


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


def _mass_removal(plan: Plan) -> list[str]:
    """The warning on a change that the merge's run refuses as a mass removal, first."""
    if plan.mass_removal is None:
        return []
    said = _e(attention.mass_removal(plan.mass_removal))
    return [f"⚠️ **{_t(attention.MASS_REMOVAL)}**: {said}", ""]


def _summary(plan: Plan, room: int, json_name: str) -> list[str]:
    """The summary in ``room`` characters: the table, its rows as long as they fit (a
    change of thousands of operators would leave no room for the second looks, nor fit a
    comment), the line that says how many it leaves out, and the lines of revoke only and
    of second looks; those alone when not even the table's heading fits."""
    if plan.empty:
        lines = [_t(msg("No change to operators, window persons or users.")), ""]
        return lines if _cost(lines) <= room else []
    head = [
        _t(msg("### Summary")),
        "",
        _t(msg("| operator | application | items | grant | revoke | narrow |")),
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    rows: list[tuple[str, str]] = []  # each row, and its operator
    for op in plan.operators:
        for app, count in op.counts.items():
            # Counted as each item is marked (``wording.DIRECTIONS``): a step down is no 削除.
            found = Counter(i.direction for i in op.items if i.application is app)
            row = (
                f"| {escape(op.code)} {escape(op.name)} | {_t(wording.application(app, op))} "
                f"| {count} | {found[Direction.GRANT]} | {found[Direction.REVOKE]} "
                f"| {found[Direction.NARROW]} |"
            )
            rows.append((row, op.code))
    tail = []
    if plan.revoke_only:
        tail += [_t(msg("**Revoke only**: every item narrows access.")), ""]
    flags = sum(n.kind == "flag" for n in plan.notes)
    if flags:
        tail += [
            _t(
                nmsg(
                    "⚠️ **{count} item deserves a second look**: see *Second look* below.",
                    "⚠️ **{count} items deserve a second look**: see *Second look* below.",
                    flags,
                )
            ),
            "",
        ]

    def said(left: Sequence[tuple[str, str]]) -> list[str]:
        """The line that says how many rows the table leaves out (none: no line)."""
        if not left:
            return []
        operators = len({code for _, code in left})
        return [
            _t(
                msg(
                    "_{rows} more row(s) of {operators} operator(s) are not shown in this "
                    "table: the complete plan is the JSON (`{json}`)._",
                    rows=len(left),
                    operators=operators,
                    json=json_name,
                )
            ),
            "",
        ]

    space = room - _cost([*head, ""]) - _cost(tail)
    if _cost([row for row, _ in rows]) > space:
        space -= _cost(said(rows))  # the longest it can be: every row left out
        if space < 0:
            return tail if _cost(tail) <= room else []
    shown = 0
    for row, _ in rows:
        space -= len(row) + 1
        if space < 0:
            break
        shown += 1
    return [*head, *(row for row, _ in rows[:shown]), "", *said(rows[shown:]), *tail]


def _notes(plan: Plan, room: int, json_name: str) -> list[str]:
    """The notes of paths (other files, files that do not load, files with errors of which
    only revocations are shown) in ``room`` characters, shared among them: what one does
    not take is the next one's."""
    notes: list[tuple[tuple[str, ...], Callable[[Verbatim], Message]]] = [
        (plan.other_paths, lambda paths: msg("Other files changed (maintainers only): {paths}",
                                             paths=paths)),
        (plan.unreadable, lambda paths: msg("Files that do not load (see validate): {paths}",
                                            paths=paths)),
        (plan.revoking, wording.revoking_note),
    ]  # fmt: skip
    notes = [(paths, label) for paths, label in notes if paths]
    lines = []
    for i, (paths, label) in enumerate(notes):
        found = _paths_note(paths, label, room // (len(notes) - i), json_name)
        room -= _cost(found)
        lines += found
    return lines


def _paths_note(
    paths: Sequence[str], label: Callable[[Verbatim], Message], room: int, json_name: str
) -> list[str]:
    """The note ``label`` of ``paths`` in ``room`` characters: the first paths, each
    shortened in its middle (``escape.shorten_path``), as many as fit (twenty at most), and
    the line that says how many more the JSON holds; nothing if not even that fits."""

    def lines(count: int) -> list[str]:
        shown = Verbatim(", ".join(escape(shorten_path(p)) for p in paths[:count]))
        more = len(paths) - count
        said = nmsg(
            "_{count} more path is not shown here: every one is in the JSON (`{json}`)._",
            "_{count} more paths are not shown here: every one is in the JSON (`{json}`)._",
            more,
            json=json_name,
        )
        return [_t(label(shown)), *([_t(said)] if more else []), ""]

    for count in range(min(len(paths), _PATHS_SHOWN), -1, -1):
        found = lines(count)
        if _cost(found) <= room:
            return found
    return []


def _item_row(item: Item, catalog: Catalog) -> str:
    details = "<br>".join(_e(d) for d in wording.detail_texts(item, catalog))
    mark = f"{_MARK[item.direction]} {_t(wording.DIRECTIONS[item.direction])}"
    return (
        f"| {mark} | {_t(wording.change_text(item))} | {_e(wording.subject_text(item))} "
        f"| {details} |"
    )


@dataclass(frozen=True)
class _Notes:
    """Notes of one kind on one application, as written (empty if none), and how many."""

    text: str = ""
    count: int = 0


def _notes_of(plan: Plan, op: OperatorPlan, app: Application) -> tuple[_Notes, _Notes]:
    """What the reviewer is asked of ``op``'s application ``app``: the checks of the
    reviewer guide, and the second looks."""
    mine = [n for n in plan.notes if n.operator == op.code and n.application is app]
    found = []
    for kind, title in (("check", msg("**To check** (reviewer guide):")),
                        ("flag", msg("**⚠️ Second look**:"))):  # fmt: skip
        notes = [f"- {_e(n.message)}" for n in mine if n.kind == kind]
        lines = [_t(title), "", *notes, ""] if notes else []
        found.append(_Notes("".join(f"{line}\n" for line in lines), len(notes)))
    return found[0], found[1]


@dataclass
class _Block:
    """One application of one operator, in the pieces a cut keeps or leaves out."""

    heading: str
    items: list[tuple[str, str]]  # each item's table row, and what follows the table of it
    checks: _Notes
    flags: _Notes


@dataclass
class _Section:
    heading: str  # the operator's (and before the first release, the releases')
    blocks: list[_Block]


_TABLE_END = "\n"


def _table_head() -> str:
    columns = _t(msg("| | change | who / what | details and dates |"))
    return f"{columns}\n| --- | --- | --- | --- |\n"


def _section(plan: Plan, op: OperatorPlan, notes: bool, heading: str = "") -> _Section:
    """``op``'s applications, and the notes on them unless ``notes`` is false (a release's)."""
    blocks = []
    for app in op.applications:
        items = []
        for item in op.items:
            if item.application is not app:
                continue
            after = ""
            if isinstance(item, OperatorChange) and item.ending_users:
                lines = [_t(msg("Users whose access ends:"))]
                lines += [f"- {escape(p.name)} {escape(p.email)}" for p in item.ending_users]
                after = "".join(f"{line}\n" for line in [*lines, ""])
            items.append((_item_row(item, plan.catalog) + "\n", after))
        checks, flags = _notes_of(plan, op, app) if notes else (_Notes(), _Notes())
        blocks.append(_Block(f"#### {_t(wording.application(app, op))}\n\n", items, checks, flags))
    return _Section(f"{heading}### {escape(op.code)} {escape(op.name)}\n\n", blocks)


@dataclass
class _Cut:
    """What of the sections a comment of limited size shows: of each block, its first
    ``items`` and whether its checks and flags (counted in ``notes`` when left out)."""

    items: dict[tuple[int, int], int] = field(default_factory=dict)
    checks: set[tuple[int, int]] = field(default_factory=set)
    flags: set[tuple[int, int]] = field(default_factory=set)
    notes: int = 0  # notes left out


def _fit(sections: list[_Section], room: int) -> _Cut:
    """What fits in ``room`` characters: every second look first, then every check (both
    short, and what a reviewer must not miss), then the items in order as long as they
    fit (the JSON holds all of them)."""
    cut = _Cut()
    opened: set[object] = set()  # the sections, blocks and tables already paid for

    def cost(s: int, b: int, *more: tuple[object, str]) -> tuple[int, list[object]]:
        parts = [(s, sections[s].heading), ((s, b), sections[s].blocks[b].heading), *more]
        paying = [(key, text) for key, text in parts if key not in opened]
        return sum(len(text) for _, text in paying), [key for key, _ in paying]

    def take(size: int, keys: list[object]) -> bool:
        nonlocal room
        if size > room:
            return False
        room -= size
        opened.update(keys)
        return True

    for kind, chosen in (("flags", cut.flags), ("checks", cut.checks)):
        for s, section in enumerate(sections):
            for b, block in enumerate(section.blocks):
                found: _Notes = getattr(block, kind)
                if not found.count:
                    continue
                if take(*cost(s, b, (object(), found.text))):
                    chosen.add((s, b))
                else:
                    cut.notes += found.count
    for s, section in enumerate(sections):
        for b, block in enumerate(section.blocks):
            for row, after in block.items:
                table = ((s, b, "table"), _table_head() + _TABLE_END)
                if not take(*cost(s, b, table, (object(), row + after))):
                    return cut
                cut.items[s, b] = cut.items.get((s, b), 0) + 1
    return cut


def _sections(plan: Plan) -> list[_Section]:
    """This change's operators, then those of the files its merge releases (no notes: the
    notes are on this change's items)."""
    found = [_section(plan, op, True) for op in plan.operators]
    for i, op in enumerate(plan.released):
        heading = f"## {_t(wording.RELEASED_HEADING)}\n\n{_t(wording.RELEASED_NOTE)}\n\n"
        found.append(_section(plan, op, False, heading if i == 0 else ""))
    return found


def _shown(sections: list[_Section], cut: _Cut | None, json_name: str) -> str:
    """The sections as ``cut`` keeps them (None: whole), the cut said where it starts: how
    many items it leaves out, and where they are."""
    out = []
    said = cut is None
    for s, section in enumerate(sections):
        part = []
        for b, block in enumerate(section.blocks):
            shown = len(block.items) if cut is None else cut.items.get((s, b), 0)
            checks = cut is None or (s, b) in cut.checks
            flags = cut is None or (s, b) in cut.flags
            body = ""
            if shown:
                rows = "".join(row for row, _ in block.items[:shown])
                body += _table_head() + rows + _TABLE_END
                body += "".join(after for _, after in block.items[:shown])
            if not said and shown < len(block.items):
                assert cut is not None
                body += _left_out(sections, cut, json_name)
                said = True
            body += (block.checks.text if checks else "") + (block.flags.text if flags else "")
            if shown or (checks and block.checks.count) or (flags and block.flags.count):
                part.append(block.heading)
            part.append(body)
        if any(p.startswith("#### ") for p in part):
            out.append(section.heading)
        out += part
    if cut is not None and cut.notes:
        out.append(_notes_left_out(cut.notes, json_name))
    return "".join(out)


def _notes_left_out(count: int, json_name: str) -> str:
    """The line that says how many checks and second looks the cut leaves out."""
    said = nmsg(
        "_{count} more check or second look is not shown here: every one is in the JSON "
        "(`{json}`)._",
        "_{count} more checks and second looks are not shown here: every one is in the JSON "
        "(`{json}`)._",
        count,
        json=json_name,
    )
    return _t(said) + "\n"


def _left_out(sections: list[_Section], cut: _Cut, json_name: str) -> str:
    """The line that says how many items the cut leaves out, of how many operators."""
    items = operators = 0
    for s, section in enumerate(sections):
        missing = sum(
            len(block.items) - cut.items.get((s, b), 0) for b, block in enumerate(section.blocks)
        )
        items += missing
        operators += missing > 0
    return _items_left_out(items, operators, json_name)


def _items_left_out(items: int, operators: int, json_name: str) -> str:
    said = msg(
        "_{items} more item(s) of {operators} operator(s) are not shown here: the complete "
        "plan is the JSON (`{json}`)._",
        items=items,
        operators=operators,
        json=json_name,
    )
    return _t(said) + "\n\n"


def _cut_lines(sections: list[_Section], json_name: str) -> int:
    """The most the lines that say what a cut of ``sections`` leaves out take: every item
    and every note left out (a count's digits, or the singular, may make them longer)."""
    blocks = [block for section in sections for block in section.blocks]
    items = sum(len(block.items) for block in blocks)
    notes = sum(block.checks.count + block.flags.count for block in blocks)
    said = len(_items_left_out(items, len(sections), json_name))
    if notes:
        said += max(len(_notes_left_out(n, json_name)) for n in (1, notes))
    return said


def _preamble(lines: Sequence[str], room: int, json_name: str) -> list[str]:
    """The lines said before the plan (the authorization's refusals, the values held back),
    as many as fit in ``room`` characters with the line that says how many it leaves out: a
    pull request of many files refused one by one would push everything else out of the
    comment."""
    if _cost(lines) <= room:
        return list(lines)

    def said(left: int) -> str:
        return _t(
            nmsg(
                "_{count} more line is not shown here: every one is in the JSON (`{json}`)._",
                "_{count} more lines are not shown here: every one is in the JSON (`{json}`)._",
                left,
                json=json_name,
            )
        )

    room -= _reserve(said, len(lines))
    if room < 0:
        return []
    kept: list[str] = []
    for line in lines:
        room -= len(line) + 1
        if room < 0:
            break
        kept.append(line)
    return [*kept, said(len(lines) - len(kept))]


def render(
    plan: Plan,
    max_chars: int = DEFAULT_MAX_CHARS,
    json_name: str = "plan.json",
    preamble: Sequence[str] = (),
    verdict: Sequence[str] = (),
) -> str:
    """The comment, in ``max_chars`` characters at most: the heading, the revisions compared,
    the warning of a mass removal and the ``verdict`` lines (the authorization's, a few short
    lines) whole, whatever the room (the command's least ``--max-chars`` holds them); then,
    each in the room left, the ``preamble`` lines (a quarter of the comment at most), the
    notes of paths (an eighth), the summary (within half of it with the parts before) and
    the operators' sections."""
    header = [*_header(plan), *_mass_removal(plan)]
    kept = [*header, *verdict, ""]  # whatever the room
    said = _preamble(preamble, min(max_chars // 4, max_chars - _cost(kept)), json_name)
    top = [*header, *verdict, *said, ""] if verdict or said else header
    notes = _notes(plan, min(max_chars // 8, max_chars - _cost(top)), json_name)
    # The summary takes half the comment at most: the rest is for the second looks first.
    summary = _summary(plan, max_chars // 2 - _cost([*top, *notes]), json_name)
    out = "".join(f"{line}\n" for line in [*top, *summary, *notes])
    sections = _sections(plan)
    whole = _shown(sections, None, json_name)
    room = max_chars - len(out)
    if len(whole) <= room:
        return out + whole
    reserve = _cut_lines(sections, json_name)
    if room < reserve:
        return out
    return out + _shown(sections, _fit(sections, room - reserve), json_name)
