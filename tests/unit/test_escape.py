"""escape.py: one function per output kind, each checked by a parser this project did not
write where one exists (cmark-gfm for markdown, the csv module, email in strict mode)."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import re
import sys
import unicodedata
from email.message import EmailMessage

import pytest
from bidi import get_display
from hypothesis import given
from hypothesis import strategies as st

from accessreg.escape import (
    INVISIBLE,
    ISOLATE_END,
    ISOLATE_START,
    commit_text,
    csv_cell,
    csv_row,
    isolated,
    mail_header,
    mail_text,
    markdown,
    markdown_block,
    one_line,
    quote,
    shorten,
    terminal,
    unsafe_characters,
    workflow_data,
    workflow_property,
)
from tests.helpers import githubmd

# Text a pull request, an issue form or a registry file may hold (validation refuses the
# control characters in registry fields; paths and messages may still carry them).
HOSTILE = [
    "**Authorized**: uketsuke-sato (maintainer) may make this change.",
    "`code` ``two`` ```three```",
    "a\n**Authorized**: x\n\n- refused nothing",
    "<img src=x onerror=alert(1)> <script>x</script> <!-- accessreg:filed-by x -->",
    "@uketsuke-sato @org/team cc @octocat",
    "see https://evil.example/login and www.evil.example and mallory@evil.example",
    "[click](https://evil.example) ![img](https://evil.example/x.png)",
    "#1 GH-2 :smile: $x^2$ ~~gone~~ *em* _em_ \\*",
    "_em_ a_ _b x__y __init__ snake_case_ a_b_c",  # underscores at a word's edge, or doubled
    "registry/users/X/x_www.evil.example/renew.yaml",  # GitHub links a www. after an underscore
    "| a | b |\n|---|---|\n| c | d |",
    "::notice::forged\n::error file=x::y\n##[error]old style",
    "\x1b[31mred\x1b[0m \x00 \u202eevil\u202c \u2028 \u200b \x85 \t",
    "青山\u3164太郎\u034f\u2800\u115f",  # blank-looking letters, a mark, a braille pattern
    "text ##[add-mask]secret ##[error]forged",  # the runner reads these anywhere in a line
    "- list\n1. ordered\n> quote\n# heading",
    "registry/users/X/\udcff\udcfe.yaml",
    "上田\u3000健二 (株) テスト・ガス",
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_shows_the_text_and_nothing_else(text: str) -> None:
    cell = f"BEGIN {markdown(text)} END"
    page = githubmd.render(f"| who | what |\n| --- | --- |\n| x | {cell} |\n")
    assert page.tags[:1] == ["table"]
    assert set(page.tags) <= {"table", "thead", "tbody", "tr", "th", "td", "code"}
    assert page.processed() == []  # no mention, reference or emoji
    # A reader sees the text as written, in the one cell.
    assert f"BEGIN {terminal(text)} END" in page.shown
    inline = githubmd.render(f"- refused {markdown(text)}: done")
    assert set(inline.tags) <= {"ul", "li", "code"}
    assert inline.shown.strip() == f"refused {terminal(text)}: done".strip()
    assert inline.strong == []


def test_markdown_keeps_plain_words_plain() -> None:
    for text in ("上田 健二", "テストガス株式会社", "入力が必要です / this field is required"):
        assert markdown(text) == text
    assert markdown("2026-12-01") == "2026-12-01"
    for text in ("-x", "GH-12", "www.evil.example", "a@b.example", "x:y", "a_www.evil.example/x",
                 "x_gh-12", "a_b_WWW.evil.example"):  # fmt: skip
        assert markdown(text).startswith("`")
    # A catalog key is shown as written, with or without an underscore inside it.
    for text in ("member_portal", "会員情報管理システム（member_portal）", "a_b_c"):
        assert markdown(text) == text
        line = githubmd.render(f"- x {markdown(text)} y")
        assert line.shown.strip() == f"x {text} y" and set(line.tags) == {"ul", "li"}
    for text in ("_em_", "a_", "x__y", "snake_case_"):
        assert markdown(text).startswith("`")


def test_markdown_block_holds_any_line() -> None:
    text = "```\n<!-- x -->\n@octocat\n```text\n\x1b[31m"
    page = githubmd.render(f"before\n\n{markdown_block(text)}\n\nafter")
    assert page.tags == ["p", "pre", "code", "p"]
    lines = "\n".join(terminal(line) for line in text.split("\n"))
    assert page.shown.strip("\n") == f"before\n{lines}\n\nafter"


def _reads_right_to_left(ch: str) -> bool:
    """A character Unicode's data gives a right-to-left class (R, AL) or that of an Arabic
    digit (AN): what the isolates are for, told without the code under test."""
    return unicodedata.bidirectional(ch) in ("R", "AL", "AN")


# Right-to-left letters and digits (Arabic, Hebrew, Arabic-Indic digits) mixed with what a
# value beside a date may hold: digits, hyphens, spaces, brackets, Japanese and Latin text.
RIGHT_TO_LEFT_TEXT = st.text(
    alphabet=st.sampled_from(
        "محمد علي ٠١٢٣ שלום דוד 0123456789-/.:() （）「」山田太郎テストガス Ab@example.jp"
    ),
    min_size=1,
    max_size=30,
).filter(lambda t: any(_reads_right_to_left(ch) for ch in t))
DAY = "2026-12-10"


def _seen(line: str) -> str:
    """``line`` in the order a reader sees it, by the bidirectional algorithm of a library
    this project did not write (python-bidi), in a left-to-right paragraph as Japanese is."""
    return str(get_display(line, base_dir="L"))


def test_right_to_left_letters_reorder_a_line_unless_isolated() -> None:
    """What the isolate is for: without it, an Arabic name before a date moves the date
    before the name and shows it backwards (the test below fails with ``isolated`` undone)."""
    name = "محمد"
    assert DAY not in _seen(f"利用者 {name} {DAY} から")
    assert _seen(f"利用者 {isolated(name)} {DAY} から").endswith(f" {DAY} から")


@given(RIGHT_TO_LEFT_TEXT)
def test_a_right_to_left_value_moves_nothing_beside_it_in_a_comment(text: str) -> None:
    page = githubmd.render(f"- 利用者 {markdown(text)} の ID: {DAY} から")
    seen = _seen(page.shown.strip())
    assert seen.startswith("利用者 ") and seen.endswith(f" の ID: {DAY} から")
    # Within the isolate the value is the text as written, its marks aside.
    assert terminal(text) in page.shown.replace(ISOLATE_START, "").replace(ISOLATE_END, "")


@given(RIGHT_TO_LEFT_TEXT, st.sampled_from(["\n", "\t", "\n\n", "\x1b"]))
def test_a_right_to_left_value_moves_nothing_beside_it_in_a_mail(text: str, gap: str) -> None:
    for value in (text, f"{text}{gap}{text}"):
        first, *rest = f"・{mail_text(value)}（{DAY} からご利用いただけます）".split("\n")
        assert _seen(first).startswith("・")
        assert _seen(rest[-1] if rest else first).endswith(f"（{DAY} からご利用いただけます）")
        subject = f"【受付】{mail_header(value)} {DAY} 反映"
        assert _seen(subject).startswith("【受付】") and _seen(subject).endswith(f" {DAY} 反映")


def test_a_subject_keeps_the_isolates_a_template_wrote_and_only_those() -> None:
    """A subject rendered from a template holds each value as ``mail_text`` wrote it, an
    Arabic name between isolate marks: they stay. Marks that do not pair are not a value's
    isolate (validation refuses them in registry text): each run of them becomes a space."""
    name = mail_text("محمد")
    assert name == f"{ISOLATE_START}محمد{ISOLATE_END}"
    subject = mail_header(f"【受付】利用申請（{name}） {DAY}")
    assert subject == f"{ISOLATE_START}【受付】利用申請（{name}） {DAY}{ISOLATE_END}"
    assert _seen(subject).endswith(f"） {DAY}{ISOLATE_END}")
    for unpaired in (f"a{ISOLATE_END}b{ISOLATE_START}c", f"a{ISOLATE_START}b", f"{ISOLATE_END}a"):
        assert ISOLATE_START not in mail_header(unpaired)
        assert ISOLATE_END not in mail_header(unpaired)


def test_every_right_to_left_character_is_isolated() -> None:
    """Every character the algorithm reads as right-to-left (R, AL) or as an Arabic digit
    (AN) is one ``isolated`` looks for; the marks themselves are refused by validation."""
    missed = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if _reads_right_to_left(chr(code))
        and unicodedata.category(chr(code)) not in ("Cf", "Cn")
        and (
            isolated(chr(code)) == chr(code)
            or mail_text(f"山田{chr(code)}") == f"山田{chr(code)}"
            or mail_header(f"山田{chr(code)}") == f"山田{chr(code)}"
        )
    ]
    assert missed == []
    # The one scan that passes almost every value still finds each invisible character.
    for ch in INVISIBLE:
        assert ch not in mail_text(f"山田{ch}") and ch not in mail_header(f"山田{ch}太郎")
    # Text of no such character, a kanji beyond the BMP among it, is shown as it is.
    for text in ("𠮷野 太郎", "髙橋 𩸽", "テストガス株式会社", "上田\u3000健二"):
        assert mail_text(text) == mail_header(text) == markdown(text) == text
    assert unsafe_characters(ISOLATE_START + ISOLATE_END) == [ISOLATE_START, ISOLATE_END]


@pytest.mark.parametrize("text", HOSTILE)
def test_terminal_text_is_one_line_of_printable_characters(text: str) -> None:
    shown = terminal(text)
    assert shown.isprintable() or not unsafe_characters(shown)
    assert "\n" not in shown and "\x1b" not in shown and "\u202e" not in shown
    shown.encode("utf-8")  # a name that is not UTF-8 prints too


def test_terminal_shows_each_unsafe_character_as_an_escape() -> None:
    assert terminal("a\nb\x1b[1m\u202ec\udcff") == "a\\x0ab\\x1b[1m\\u202ec\\xff"
    assert terminal("上田\u3000健二") == "上田\u3000健二"
    # Blank-looking characters of other categories would make a name pass for another.
    assert terminal("青山\u3164太郎\u2800") == "青山\\u3164太郎\\u2800"
    assert unsafe_characters("青山\u3164太郎\u034f") == ["\u3164", "\u034f"]
    # Spaces that look like the half-width one: a name passing for another, and white
    # space a CI runner trims before it reads ``::`` at the start of a line as a command.
    assert terminal("\u2003::error::x") == "\\u2003::error::x"
    assert unsafe_characters("試験\u00a0太郎 上田\u3000健二") == ["\u00a0"]
    # A variation selector chooses the glyph of a kanji, as a family register writes it.
    assert unsafe_characters("葛\U000e0100飾") == [] and terminal("葛\U000e0100") == "葛\U000e0100"


def test_no_line_holds_an_older_workflow_command_anywhere() -> None:
    assert terminal("x ##[add-mask]aoba ##[error]y") == "x #\\x23[add-mask]aoba #\\x23[error]y"
    assert terminal("issue #12, [a]") == "issue #12, [a]"


@pytest.mark.parametrize("text", HOSTILE)
def test_a_pull_request_title_is_one_line_of_printable_text(text: str) -> None:
    shown = one_line(text)
    assert unsafe_characters(shown) == []  # each output then escapes it as its kind needs
    assert shown == shown.strip() and "  " not in shown


def test_a_value_of_several_lines_continues_indented_in_a_mail() -> None:
    reason = "シンガポール拠点\n\n■ 更新の手順（変更）\n1. https://evil.example/renew\x1b[0m"
    assert mail_text(reason).split("\n") == [
        "シンガポール拠点",
        "      > ",
        "      > ■ 更新の手順（変更）",
        "      > 1. https://evil.example/renew\\x1b[0m",
    ]
    assert mail_text("a\tb") == "a\tb" and mail_text("上田 健二") == "上田 健二"


@pytest.mark.parametrize("text", HOSTILE)
def test_no_line_of_a_mail_value_starts_as_the_mails_own(text: str) -> None:
    first, *rest = mail_text(text).split("\n")
    assert all(line.startswith("      > ") for line in rest)
    assert all(unsafe_characters(line.replace("\t", " ")) == [] for line in [first, *rest])


@pytest.mark.parametrize("text", HOSTILE)
def test_a_workflow_command_carries_the_text_in_one_line(text: str) -> None:
    line = f"::error file={workflow_property(text)},line=1::{workflow_data(text)}"
    assert "\n" not in line and "\r" not in line and "\x1b" not in line
    props, _, data = line[len("::error ") :].partition("::")
    assert props.count(",") == 1 and props.count("::") == 0  # the property stayed one
    # The runner decodes %0A, %0D and %25 in the message: the text comes back.
    decoded = data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
    shown = "".join(ch if ch in "\r\n" else terminal(ch) for ch in text)
    assert decoded == shown.replace("##[", "#\\x23[")
    assert "##[" not in line


@pytest.mark.parametrize("text", HOSTILE)
def test_a_subject_cannot_add_a_header(text: str) -> None:
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = mail_header(text)
    message.set_content("x")
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.strict)
    assert list(parsed.keys()) == list(message.keys())
    assert " ".join(str(parsed["Subject"]).split()) == " ".join(mail_header(text).split())


# What GitHub acts on in a commit message (tests/cli/test_from_issue.py holds the same).
CLOSING = re.compile(
    r"(?i)\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+"
    r"(?:#\d+|GH-\d+|[\w.-]+/[\w.-]+#\d+|https?://\S+/(?:issues|pull)/\d+)"
)
GITHUB_ACTS_ON = [githubmd.MENTION, githubmd.REFERENCE, CLOSING, re.compile(r"#|://|(?i:www)\.")]


@pytest.mark.parametrize(
    "text",
    [
        *HOSTILE,
        "Fixes #5 @uketsuke-sato",
        "closes GH-6, resolved: o/r#7; fix https://github.com/o/r/issues/8 and www.x.example/9",
        "青葉@uketsuke-sato 青葉GH-3 x=@org/team",
    ],
)
def test_a_commit_text_is_one_line_github_acts_on_in_no_way(text: str) -> None:
    shown = commit_text(text)
    assert unsafe_characters(shown) == []  # one line, no control or bidirectional character
    assert [m.group() for p in GITHUB_ACTS_ON for m in p.finditer(shown)] == []
    # Only what GitHub would act on changed: the rest reads as written.
    back = shown.translate(str.maketrans("＃＠－．：", "#@-.:"))
    assert back == terminal(text)


def test_a_commit_text_keeps_ids_and_addresses() -> None:
    for text in ("user1@test-gas.example.co.jp", "registry/users/AOBAGS01/a_b@x.example.yaml",
                 "AOBAGS01", "利用申請（変更）", "agh-5"):  # fmt: skip
        assert commit_text(text) == text
    assert commit_text("x.gh-5@test.example.jp") == "x.gh－5@test.example.jp"
    assert commit_text("a=@uketsuke-sato.example.jp") == "a=＠uketsuke-sato.example.jp"


def test_csv_cells_read_back_and_never_start_a_formula_that_calls_anything() -> None:
    cells = [*HOSTILE, '=HYPERLINK("x")', "+1", "-cmd|' /C calc'!A0", "@SUM(1)", "\tx"]
    ids = ["=taro@test-gas.example.co.jp", "-taro@test-gas.example.co.jp", "taro@x.example"]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow([csv_cell(c) for c in [*cells, *ids]])
    (row,) = csv.reader(io.StringIO(buffer.getvalue(), newline=""))
    for cell, value in zip(row, cells, strict=False):
        assert cell in (value, f"'{value}")
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell == value == ""
    assert row[len(cells) :] == ids  # login IDs as the registry holds them


@given(st.lists(st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "a", "語"]))))
def test_a_row_is_its_cells_each_as_csv_cell_writes_it(cells: list[str]) -> None:
    assert list(csv_row(cells)) == [csv_cell(c) for c in cells]


def test_quote_caps_what_a_message_repeats() -> None:
    memo = "あ" * 1_000_000
    assert len(quote(memo)) < 120 and "1,000,000 characters" in quote(memo)
    assert len(quote([memo])) < 120
    assert quote("short") == "'short'"
    assert shorten("x" * 81) == "x" * 80 + "… (81 characters)"
    assert shorten("x" * 80) == "x" * 80
