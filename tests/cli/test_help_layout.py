"""Every help page fits a terminal of 80 columns and keeps its columns in Japanese: widths
are counted by ``wcwidth`` (not this project's), lines break where Japanese may."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from hypothesis import given
from hypothesis import strategies as st
from wcwidth import wcswidth

from accessreg.cli import COMMANDS, display, localized, main
from tests.helpers.regfactory import run_cli

# Click lays help out two columns narrower than the terminal, at most 78 wide; its test
# runner forces 80 (``click.testing`` sets ``FORCED_WIDTH``), the width these pages get.
WIDTH = 80
LANGS = ("ja", "en")


def _paths() -> Iterator[tuple[str, ...]]:
    ctx = click.Context(main)
    for name in sorted(COMMANDS):
        command = main.get_command(ctx, name)
        yield (name,)
        if isinstance(command, click.Group):
            yield from ((name, sub) for sub in sorted(command.commands))


PATHS = list(_paths())


def _help(lang: str, *path: str) -> str:
    result = run_cli("--lang", lang, *path, "--help", cwd=Path.cwd(), env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def _columns(line: str) -> int:
    width = wcswidth(line)
    assert width >= 0, f"a character a terminal cannot show: {line!r}"
    return width


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", [(), *PATHS], ids=lambda p: " ".join(p) or "accessreg")
def test_every_help_page_fits_the_terminal(lang: str, path: tuple[str, ...]) -> None:
    page = _help(lang, *path)
    wide = [line for line in page.splitlines() if _columns(line) > WIDTH]
    assert not wide, "\n".join(wide)


def _rows(page: str, heading: str) -> list[str]:
    section = page.split(f"\n{heading}\n", 1)[1].split("\n\n", 1)[0]
    return section.splitlines()


@pytest.mark.parametrize("path", [("daily",), ("user", "add")])
def test_a_japanese_metavar_keeps_the_options_in_one_column(path: tuple[str, ...]) -> None:
    rows = _rows(_help("ja", *path), "オプション:")
    assert any("ディレクトリ" in row for row in rows)
    starts = set()
    for row in rows:
        match = re.match(r"(  -\S.*?  +)\S", row)  # an option, and its description after
        if match and _columns(match.group(1).rstrip()) <= 30:
            starts.add(_columns(match.group(1)))
    assert len(starts) == 1, rows
    # A continued description starts in the same column.
    (start,) = starts
    for row in rows:
        if not row.lstrip().startswith("-"):
            assert _columns(row) - _columns(row.lstrip()) == start, row


def test_a_sentence_broken_in_the_catalog_gets_no_space() -> None:
    # The translation of `daily` breaks its first sentence after 「…reviews）を」.
    page = _help("ja", "daily")
    joined = "".join(line.strip() for line in page.splitlines())
    assert "reviews）を一度に実行し" in joined
    assert "を 一度に" not in page


def test_no_line_starts_with_a_closing_mark_or_ends_with_an_opening_one() -> None:
    for path in PATHS:
        for line in _help("ja", *path).splitlines():
            text = line.strip()
            if text and not text.startswith(("-", "[")):  # an option's or a default's start
                assert text[0] not in "、。）」』】", (path, line)
            assert not text.endswith(("（", "「", "『", "【")), (path, line)


def test_a_command_is_listed_by_its_first_sentence_on_one_line() -> None:
    page = _help("ja")
    rows = _rows(page, "コマンド:")
    assert len(rows) == len(COMMANDS)
    for row in rows:
        name, text = row.split(maxsplit=1)
        assert name in COMMANDS
        assert text.endswith(("。", display.ELLIPSIS)), row
    assert "  user        利用者（1 人 1 ファイル）とその権限を追加・変更・抹消します。" in rows


def test_an_example_is_shown_as_written() -> None:
    page = _help("ja", "user", "add")
    assert (
        "    accessreg user add --operator AOBAGS01 \\\n"
        "      --email hanako.kimura@aoba-gas.example.co.jp \\\n"
    ) in page  # a `\b` block: neither rewrapped nor broken at the address's hyphen


def test_english_help_is_laid_out_as_click_lays_it_out() -> None:
    page = _help("en", "user", "add")
    assert "Usage: accessreg user add [OPTIONS]" in page
    line = r"\n  --operator TEXT +The operator code \(事業者コード\)\.  \[required\]\n"
    assert re.search(line, page)


WIDE = st.text(
    alphabet=st.sampled_from("あいうえおアイウ漢字、。（）「」ー"), max_size=12, min_size=1
)
NARROW = st.text(alphabet=st.sampled_from("abcXYZ019-./@_()"), min_size=1, max_size=30)
WORDS = st.lists(st.one_of(WIDE, NARROW), min_size=1, max_size=30)


@given(words=WORDS, spaces=st.lists(st.sampled_from(["", " ", "  "]), min_size=30, max_size=30),
       width=st.integers(min_value=4, max_value=60))  # fmt: skip
def test_wrapping_loses_nothing_and_overflows_no_line(
    words: list[str], spaces: list[str], width: int
) -> None:
    text = "".join(w + s for w, s in zip(words, spaces, strict=False)).strip()
    text = re.sub(r" +(?=[、。）」ー])", "", text)  # a space is a break the rules allow
    lines = display.wrap(text, width, "  ", "  ")
    for line in lines:
        assert _columns(line) <= max(width, 3), (lines, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for before, after in itertools.pairwise(lines):
        # A break the kinsoku rules forbid happens only inside a unit wider than a line.
        if after.strip() and after.strip()[0] in "、。）」ー":
            assert _columns(before) + _columns(after.strip()[0]) > width, (before, after)


@given(
    text=st.text(alphabet=st.sampled_from("あ漢、（）ab -|\n\t\b"), max_size=80),
    width=st.integers(min_value=1, max_value=40),
)
def test_any_help_text_is_laid_out_within_the_width(text: str, width: int) -> None:
    laid = display.fill(text, width, "  ")
    written = _written(text)
    if not written:
        assert laid == ""
        return
    for paragraph, (indent, raw) in zip(laid.split("\n\n"), written, strict=True):
        if raw:  # a `\b` paragraph is shown as written
            continue
        # Lines within the width, but for a paragraph indented past it (one character then).
        room = max(width, 2 + indent + 2)
        lines = paragraph.replace("\b", "").splitlines()  # a stray \b: no column of its own
        assert all(_columns(line) <= room for line in lines), paragraph


def _written(text: str) -> list[tuple[int, bool]]:
    """The paragraphs of ``text`` as written (apart by an empty line): each one's indent,
    and whether it is shown as written (``\b``)."""
    found, current = [], []
    for line in [*text.expandtabs().splitlines(), ""]:
        if line:
            current.append(line)
        elif current:
            first = current[0]
            found.append((len(first) - len(first.lstrip()), first.strip() == "\b"))
            current = []
    return found


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("を\n一度に", "を一度に"),
        ("ID\nを", "ID を"),
        ("reviews）を\n一度に", "reviews）を一度に"),
        ("one\ntwo", "one two"),
        ("木村 花子", "木村 花子"),  # a space written between two names stays
        ("あ\n   \nい", "あい"),  # a line of spaces alone
    ],
)
def test_lines_of_a_paragraph_join_as_the_language_writes(text: str, joined: str) -> None:
    assert display.fill(text, 78) == joined


def test_columns_count_what_a_terminal_shows() -> None:
    for text in ("", "abc", "あいう", "§5-1 ①", "ｶﾅ", "が", "e\u0301"):
        assert display.columns(text) == wcswidth(text), text
    assert display.columns(unicodedata.normalize("NFD", "が")) == 2


def test_clicks_placeholders_are_in_the_readers_words() -> None:
    ja, en = _help("ja", "daily"), _help("en", "daily")
    assert "使い方: accessreg daily [オプション]\n" in ja
    assert "Usage: accessreg daily [OPTIONS]\n" in en
    assert re.search(r"\n  --months 整数 +前回の棚卸", ja)
    assert re.search(r"\n  --months INTEGER RANGE +An inventory", en)
    assert "使い方: accessreg [オプション] コマンド [引数]...\n" in _help("ja")
    assert "使い方: accessreg user [オプション] コマンド [引数]...\n" in _help("ja", "user")
    error = run_cli("user", "add", "--operator", "AOBAGS01", cwd=Path.cwd())
    assert "使い方: accessreg user add [オプション]\n" in error.stderr


def test_no_option_is_shown_by_its_types_english_name() -> None:
    # Click names an option's value by its type (TEXT, INTEGER RANGE) where the option
    # names none; every such type of click's has a word in the catalog.
    ctx = click.Context(main)
    for path in PATHS:
        command = main.get_command(ctx, path[0])
        for name in path[1:]:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        assert command is not None
        for param in command.params:
            if not isinstance(param, click.Option) or param.is_flag or param.metavar:
                continue
            if isinstance(param.type, click.Path) or type(param.type).__module__ != "click.types":
                continue  # a path is named in click's catalog; a type of ours names itself
            shown = localized.parameter(param, "ja").make_metavar(ctx)
            assert shown != param.type.name.upper(), (path, param.opts, shown)
