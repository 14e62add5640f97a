"""The plain form of a registry file (keys, one-line values, one level of nesting) is read
without libyaml, and to the same data: what that path returns is what libyaml's would, and
anything else is left to libyaml, which reads it or says what is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accessreg.files import yamlsafe
from tests.helpers.regfactory import ROOT

MODELINE = "# yaml-language-server: $schema=../../../schemas/user.schema.json\n"


def _general(raw: bytes) -> Any:
    try:
        return yamlsafe._general(raw)
    except yamlsafe.YamlProblem as problem:
        return problem.rule, problem.line, problem.col, problem.message.english()


def _read(raw: bytes) -> Any:
    try:
        return yamlsafe.load(raw)
    except yamlsafe.YamlProblem as problem:
        return problem.rule, problem.line, problem.col, problem.message.english()


def test_every_user_file_of_the_sample_registry_takes_the_plain_path() -> None:
    users = sorted((ROOT / "registry" / "users").rglob("*.yaml"))
    assert users
    for path in users:
        raw = path.read_bytes()
        plain = yamlsafe._plain_document(raw)
        assert plain is not None, path
        assert repr(plain) == repr(_general(raw)), path


def test_a_user_file_is_read_as_written() -> None:
    raw = (
        MODELINE + "email: hanako.kimura@aoba-gas.example.co.jp\nname: 木村　花子\n"
        "name_kana: キムラ ハナコ\nmemo: 'O''Brien: 4月から'\nnote: \"it's #1\"\npermissions:\n"
        "  taxis: '1011'\n  # 更新権限\n  johs: J1010\nsince: 2026-04-01\n"
    ).encode()
    assert yamlsafe._plain_document(raw) == {
        "email": "hanako.kimura@aoba-gas.example.co.jp",
        "name": "木村\u3000花子",
        "name_kana": "キムラ ハナコ",
        "memo": "O'Brien: 4月から",
        "note": "it's #1",
        "permissions": {"taxis": "1011", "johs": "J1010"},
        "since": "2026-04-01",
    }


# Each is read by YAML's finer rules, or refused: left to libyaml, whose reading it gets.
@pytest.mark.parametrize(
    "text",
    [
        "a: yes\n",  # a boolean
        "a: 1011\n",  # a number, which the schema then asks to quote
        "a: -1\n",
        "a: .5\n",
        "a: ~\n",  # null
        "on: x\n",  # a key that is a boolean
        "a:\n",  # null
        "a:\nb: c\n",
        "a: b # note\n",  # a comment after the value
        "a: b   \n",  # trailing spaces, not part of the value
        "a:  b\n",
        "a: b: c\n",  # refused: a mapping in a plain value
        "a: b:\n",
        "a: b\n  c\n",  # a value over two lines
        "a: 'b\n  c'\n",
        "a: 'it's'\n",
        "a: 'b' # note\n",
        'a: "b\\tc"\n',  # escapes
        "a: &x b\nc: *x\n",  # anchors
        "a: !!str 1\n",  # a tag
        "a: [b, c]\n",  # flow collections
        "a: |\n  b\n",  # a block scalar
        "a: b\r\nc: d\r\n",  # CRLF
        "a:\tb\n",  # a tab
        "a: b\u2028c\n",  # a line break to YAML
        "a: b\x85c\n",
        "\ufeffa: b\n",  # a byte-order mark
        "a: b\x07\n",  # a control character
        "a: b\nb: c\na: d\n",  # a key twice
        "a:\n  b: c\n  b: d\n",
        "a:\n  b: c\n   d: e\n",  # indentation that changes
        "a:\n  b:\n    c: d\n",  # deeper than one level
        "  a: b\n",
        "- a\n- b\n",  # a list
        "a:\n  - b\n",
        "---\na: b\n",  # a document marker
        "a: b\n---\nc: d\n",  # a second document
        "%YAML 1.1\n---\na: b\n",
        "'a': b\n",  # a quoted key
        "a b: c\n",
        "a" * 70 + ": b\n",  # a key longer than the plain path reads
        "a: ?b\n",
        "a: @b\n",
        "a: `b\n",
        "a: %b\n",
        "a: ,b\n",
        "a: - b\n",  # a list where a value goes
        "a: #b\n",  # a comment: null
        "a: {b: c}\n",
        "a: >\n  b\n",
        "# only a comment\n",
        "",
    ],
)
def test_what_is_not_in_the_plain_form_gets_libyamls_reading(text: str) -> None:
    raw = text.encode()
    assert yamlsafe._plain_document(raw) is None
    assert repr(_read(raw)) == repr(_general(raw))


_NAMES = ["email", "name", "memo", "taxis", "johs", "a", "_x", "a1", "x" * 64]
_ODD_NAMES = ["yes", "No", "on", "OFF", "null", "Null", "true", "y", "x" * 65]
_KEYS = st.sampled_from(_NAMES * 8 + _ODD_NAMES)  # mostly keys of the plain form
_TEXT = (
    ["a", "Z", "0", "1", "9", ".", "-", "_", "@", " ", "木", "村", "ア", "\u3000", "é",
     "'", '"', ":", "e", "x"]
)  # fmt: skip
_TRICKY = (
    [" ", "  ", "'", "''", ":", ": ", "#", " #", "-", "?", ",", "@", "`", "%", "!", "&", "*",
     "|", ">", '"', "\\", "[", "]", "{", "}", "\t", "\r", "\u3000", "\xa0", "\x85",
     "\u2028", "\ufeff", "\x7f", "木", "é", "0", "1", ".", "e", "x", "_", "yes", "1011",
     "02010", "0x1F", "1_000", ".inf", "-1", "~", "null", "2026-04-01", "1:20", "3.5e2",
     "0b101", "+1", "J1010", "granted", "\n", "\n  ", "\n  x: y"]
)  # fmt: skip
# Mostly what registry files hold, now and then a piece YAML reads otherwise.
_PIECES = st.sampled_from(_TEXT * 12 + _TRICKY)
_ENDS = st.sampled_from(["a", "Z", "x", "木", "ア", "é", "0"])
_VALUES = st.one_of(
    st.tuples(_ENDS, st.lists(_PIECES, max_size=8), _ENDS).map(
        lambda t: t[0] + "".join(t[1]) + t[2]
    ),
    st.lists(_PIECES, min_size=1, max_size=8).map("".join),
    st.lists(_PIECES, max_size=8).map(lambda p: "'" + "".join(p).replace("'", "''") + "'"),
    st.lists(_PIECES, max_size=8).map(lambda p: '"' + "".join(p) + '"'),
    st.text(max_size=8),
)
# Mostly values of the plain form, now and then any.
_VALUES = st.one_of(_VALUES.filter(lambda v: "\n" not in v and v[-1:] != " "), _VALUES)


@st.composite
def _documents(draw: st.DrawFn) -> str:
    lines = []
    # A key again is left to libyaml: mostly distinct ones, for documents it reads.
    for key in draw(st.lists(_KEYS, min_size=1, max_size=4, unique=draw(st.booleans()))):
        if draw(st.booleans()):
            lines.append(f"{key}: {draw(_VALUES)}")
            continue
        lines.append(draw(st.sampled_from([f"{key}:", f"{key}:", f"{key}:", f"{key}: "])))
        indent = draw(st.sampled_from([" ", "  ", "  ", "    "]))
        least = draw(st.sampled_from([0, 1, 1, 1]))  # none: a null, left to libyaml
        children = st.lists(_KEYS, min_size=least, max_size=3, unique=draw(st.booleans()))
        for inner in draw(children):
            shift = draw(st.sampled_from(["", "", "", "", "", " "]))
            lines.append(f"{indent}{shift}{inner}: {draw(_VALUES)}")
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "# c", "  # c", "   "])))
    end = draw(st.sampled_from(["\n", "\n", "", "\n\n", "  \n"]))
    return draw(st.sampled_from([MODELINE, ""])) + "\n".join(lines) + end


@settings(max_examples=1500, deadline=None)
@given(_documents())
def test_what_the_plain_path_reads_libyaml_reads_alike(text: str) -> None:
    raw = text.encode("utf-8", errors="surrogatepass")
    plain = yamlsafe._plain_document(raw)
    if plain is not None:
        assert repr(plain) == repr(_general(raw)), text


def test_the_operator_files_with_their_lists_are_left_to_libyaml() -> None:
    for path in sorted((ROOT / "registry" / "operators").glob("*.yaml")):
        raw = path.read_bytes()
        assert yamlsafe._plain_document(raw) is None, path
        assert repr(yamlsafe.load(raw)) == repr(_general(raw))
