"""One attribute line of the LDIF outputs: any text the registry can hold comes back from the
``ldif`` package's strict parser as it was, and is written plain exactly where RFC 2849 lets
it be (a SAFE-STRING, with no trailing space) and holds no control character."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import TypeVar

from hypothesis import example, given, settings
from hypothesis import strategies as st

from accessreg.outputs import ldif
from tests.helpers.parsers import ldif_entries

T = TypeVar("T")

# RFC 2849: SAFE-STRING = [SAFE-INIT-CHAR *SAFE-CHAR]; SAFE-CHAR is any of %x01-7F but
# NUL, LF and CR; SAFE-INIT-CHAR is a SAFE-CHAR but space, colon and "<". The RFC advises
# encoding a value that ends in a space; parsers drop a leading tab, so no control character
# stands plain either.
_PLAIN = re.compile(r"(?:[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*)?")


def _each(values: list[str]) -> Callable[[T], T]:
    """Every value of ``values`` tried first, whatever hypothesis draws."""

    def decorate(test: T) -> T:
        for value in values:
            test = example(value=value)(test)
        return test

    return decorate


# Mostly the characters that decide: controls, the initial ones, spaces, non-ASCII.
_text = st.text(
    st.one_of(
        st.sampled_from(["\0", "\n", "\r", "\t", " ", ":", "<", "a", "=", "\x7f", "山", "\u3000"]),
        st.characters(exclude_categories=("Cs",)),  # YAML holds no lone surrogate
    ),
    max_size=12,
)


_EDGES = [
    "",
    "a",
    "a ",
    " a",
    ":a",
    "<a",
    "a:<b",
    "a\0b",
    "a\nb",
    "a\rb",
    "\t",
    "\ta",
    "a\t",
    "\x7f",
    "a\x01",
    "山田",
    "a\u3000",
]


@settings(max_examples=400, deadline=None, database=None)
@given(value=_text)
@_each(_EDGES)
def test_a_value_is_written_plain_exactly_where_the_rfc_allows(value: str) -> None:
    written = ldif.line("description", value)
    if _PLAIN.fullmatch(value) is not None and not value.endswith(" "):
        assert written == f"description: {value}"
    else:
        encoded = written.removeprefix("description:: ")
        assert encoded != written
        assert base64.b64decode(encoded, validate=True).decode("utf-8") == value


@settings(max_examples=200, deadline=None, database=None)
@given(value=_text)
@_each(_EDGES)
def test_the_strict_parser_reads_back_the_value(value: str) -> None:
    record = "\n".join([ldif.line("dn", "uid=x,dc=example,dc=jp"), ldif.line("description", value)])
    entries = ldif_entries(f"version: 1\n\n{record}\n".encode())
    assert entries["uid=x,dc=example,dc=jp"]["description"] == [value]


def _dn_parts(escaped: str) -> list[tuple[str, bool]]:
    """An RFC 4514 attribute value read back: each character and whether it was escaped."""
    found, chars = [], iter(escaped)
    for ch in chars:
        found.append((next(chars), True) if ch == "\\" else (ch, False))
    return found


@given(value=st.text(alphabet=st.sampled_from(' #"+,;<>\\=aé@.-'), max_size=12) | st.emails())
@example(value="a-kondo@example.co.jp")
@example(value=" #lead and trail ")
@example(value=" ")
@example(value="trail ")
def test_a_dn_value_escapes_exactly_what_rfc_4514_requires(value: str) -> None:
    """Special characters escaped, a leading space or "#" and a trailing space too; every
    other value (most login IDs) as it is."""
    escaped = ldif.escape_dn_value(value)
    parts = _dn_parts(escaped)
    assert "".join(ch for ch, _ in parts) == value
    for i, (ch, was_escaped) in enumerate(parts):
        needed = ch in '"+,;<>\\=' or (i == 0 and ch in " #") or (i == len(parts) - 1 and ch == " ")
        assert was_escaped == needed, (value, escaped)
