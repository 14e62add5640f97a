"""Help laid out in a terminal's columns: a Japanese character takes two of them, and a line
of Japanese may break between any two characters, not only at spaces.

Click measures help by characters and breaks it at spaces and hyphens. In Japanese its
lines ran past the terminal's edge (a sentence without spaces is one word to it), an
option whose metavar is Japanese (``--out ディレクトリ``) pushed its description out of the
column, a sentence broken over two lines of a translation got a space in its middle
(「…を 一度に」), and an e-mail address in an example broke at its hyphen. ``Context`` lays
every help page out with ``HelpFormatter`` instead, through click's own hook
(``Context.formatter_class``); on text of ASCII alone it differs from click's only in
never breaking a word at a hyphen, and in breaking a long list of choices after a bar.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache
from typing import TypeVar

import click

from accessreg.cli.localized import click_gettext

C = TypeVar("C", bound=click.Command)

# Kinsoku (JIS X 4051): marks that never start a line, and marks that never end one.
_NO_START = frozenset(
    "、。，．,.）)］]｝}〕〉》」』】〙〗〟’”ゝゞ々〻ー‐゠–〜～・：:；;！!？?"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
)
_NO_END = frozenset("（(［[｛{〔〈《「『【〘〖〝‘“")
ELLIPSIS = "..."


@lru_cache(maxsize=4096)
def _char_columns(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def columns(text: str) -> int:
    """How many columns of a terminal ``text`` takes (a wide character two, a combining
    mark none; an ambiguous one, such as ``§``, one, as most terminals show it)."""
    if text.isascii():
        return len(text)
    return sum(_char_columns(ch) for ch in text)


def _wide(ch: str) -> bool:
    return _char_columns(ch) == 2


def _units(text: str) -> list[str]:
    """``text`` cut where a line may break: runs of spaces, words of narrow characters
    (or their choices, ``a|``), and single wide characters; a mark that may not start a
    line kept with what precedes it, one that may not end a line with what follows."""
    units: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        j = i + 1
        if ch.isspace():
            while j < len(text) and text[j].isspace():
                j += 1
        elif not _wide(ch):
            # A choice of words (``[a|b|c]``) may break after each bar.
            while j < len(text) and not text[j].isspace() and not _wide(text[j]):
                j += 1
                if text[j - 1] == "|":
                    break
        units.append(text[i:j])
        i = j
    joined: list[str] = []
    for unit in units:
        glued = joined and not unit[0].isspace() and not joined[-1][-1].isspace()
        if glued and (unit[0] in _NO_START or joined[-1][-1] in _NO_END):
            joined[-1] += unit
        else:
            joined.append(unit)
    return joined


def _cut(unit: str, room: int) -> tuple[str, str]:
    """``unit`` cut to at most ``room`` columns (one character at least), and the rest."""
    used = 0
    for i, ch in enumerate(unit):
        used += _char_columns(ch)
        if used > room:
            return (unit[:i], unit[i:]) if i else (unit[:1], unit[1:])
    return unit, ""


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """``text`` on lines of at most ``width`` columns, indents included (a unit wider than a
    line is cut); spaces at a break are dropped."""
    lines: list[str] = []
    line: list[str] = []
    used = 0
    indent = initial_indent
    pending = ""  # spaces seen after the line's last unit, kept if another unit follows

    def end_line() -> None:
        nonlocal line, used, indent, pending
        lines.append(indent + "".join(line))
        line, used, indent, pending = [], 0, subsequent_indent, ""

    for unit in _units(text):
        if unit[0].isspace():
            pending = unit if line else ""
            continue
        while unit:
            room = max(width - columns(indent), 1)
            need = columns(pending) + columns(unit)
            if used + need <= room:
                line += [pending, unit]
                used += need
                pending, unit = "", ""
            elif line:
                end_line()
            else:
                head, unit = _cut(unit, room)
                line.append(head)
                end_line()
    if line or not lines:
        end_line()
    return lines


def _joined(lines: Sequence[str]) -> str:
    """A paragraph's lines as one line: a space between two lines, none between two
    characters of Japanese (the translation broke a sentence there, not a phrase)."""
    text = ""
    for line in filter(None, lines):  # a line of spaces alone adds nothing
        if text and not (_wide(text[-1]) and _wide(line[0])):
            text += " "
        text += line
    return text


def fill(text: str, width: int, indent: str = "") -> str:
    """``text`` wrapped paragraph by paragraph, as click's ``wrap_text`` does with
    ``preserve_paragraphs``: paragraphs apart by an empty line, each keeping the indent of
    its first line; one whose first line is ``\\b`` as it is written."""
    paragraphs: list[tuple[int, bool, list[str]]] = []
    current: list[str] = []
    start = 0
    for line in [*text.expandtabs().splitlines(), ""]:
        if line:
            if not current:
                start = columns(line) - columns(line.lstrip())
            current.append(line.lstrip() if current[:1] != ["\b"] else line)
            continue
        if current:
            raw = current[0].strip() == "\b"
            paragraphs.append((start, raw, current[1:] if raw else current))
        current = []
    out = []
    for start, raw, lines in paragraphs:
        lead = indent + " " * start
        if raw:
            out.append("\n".join(lead + line for line in lines))
        else:
            out.append("\n".join(wrap(_joined(lines), width, lead, lead)))
    return "\n\n".join(out)


def shortened(text: str, room: int) -> str:
    """The first sentence of ``text``'s first paragraph in at most ``room`` columns, cut
    where a line may break and marked with ``...`` if it is longer (a command's line in
    a list of commands, as click makes it from an English text)."""
    lines = text.partition("\n\n")[0].splitlines()
    if lines and lines[0].strip() == "\b":
        lines = lines[1:]
    first = _joined([line.strip() for line in lines if line.strip()])
    end = first.find("。")
    if end >= 0:
        first = first[: end + 1]
    if columns(first) <= room:
        return first
    return wrap(first, max(room - len(ELLIPSIS), 1))[0].rstrip() + ELLIPSIS


class HelpFormatter(click.HelpFormatter):
    """Click's help formatter measuring columns (``columns``) and breaking lines where
    Japanese may break (``wrap``, ``fill``)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = f"{click_gettext('Usage:')} "
        if not args:
            super().write_usage(prog, args, prefix)
            return
        lead = f"{prefix:>{self.current_indent}}{prog} "
        room = self.width - self.current_indent
        if room >= columns(lead) + 20:
            lines = wrap(args, room, lead, " " * columns(lead))
        else:
            indent = " " * (max(self.current_indent, columns(prefix)) + 4)
            lines = [lead.rstrip(), *wrap(args, room, indent, indent)]
        self.write("\n".join(lines) + "\n")

    def write_text(self, text: str) -> None:
        self.write(fill(text, self.width, " " * self.current_indent) + "\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)  # read twice: the widest term, then each row
        first_col = min(max((columns(first) for first, _ in rows), default=0), col_max)
        first_col += col_spacing
        margin = " " * (first_col + self.current_indent)
        indent = " " * self.current_indent
        for first, second in rows:
            # A term wider than the line (an option's long list of choices) is wrapped too.
            term = wrap(first, self.width, indent, indent + "  ")
            self.write("\n".join(term))
            if not second:
                self.write("\n")
                continue
            if len(term) == 1 and columns(first) <= first_col - col_spacing:
                self.write(" " * (first_col - columns(first)))
            else:
                self.write("\n" + margin)
            lines = fill(second, max(self.width - first_col - 2, 10)).splitlines() or [""]
            self.write("\n".join([lines[0], *(margin + line for line in lines[1:])]) + "\n")


class Context(click.Context):
    """A context whose help is laid out by ``HelpFormatter``."""

    formatter_class = HelpFormatter


# A list of commands, as click lays it out: two columns of indent, the names, two more.
_LIST_WIDTH = 78 - 2 - 2


def laid_out(view: C, siblings: Collection[str] = ()) -> C:
    """``view`` (a translated copy, ``localized.command``) and the commands under it with
    their help laid out by ``HelpFormatter``; a command whose help is Japanese is listed
    among its ``siblings`` by its first sentence (``shortened``), as click lists one
    whose help is English."""
    view.context_class = Context
    help_text = view.help or ""
    if view.short_help is None and any(_wide(ch) for ch in help_text):
        room = _LIST_WIDTH - max((len(name) for name in siblings), default=0)
        view.short_help = shortened(help_text, max(room, 20))
    if isinstance(view, click.Group):
        names = list(view.commands)
        view.commands = {name: laid_out(sub, names) for name, sub in view.commands.items()}
    return view
