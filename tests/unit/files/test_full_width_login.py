"""A login ID typed with a Japanese input method on is named with the address meant."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from accessreg.files.schemacheck import full_width_at
from accessreg.model import base

_LOCAL = st.from_regex(r"\A[a-z0-9][a-z0-9._-]{0,20}[a-z0-9]\Z").filter(lambda s: ".." not in s)
_DOMAIN = st.sampled_from(["test-gas.example.co.jp", "example.jp", "a1.example.co.jp"])


def _widened(text: str, which: list[bool]) -> str:
    """``text`` with the characters ``which`` marks in their full-width forms (ａ for a)."""
    return "".join(
        chr(ord(ch) + 0xFEE0) if wide and "!" <= ch <= "~" else ch
        for ch, wide in zip(text, which + [False] * len(text), strict=False)
    )


@given(_LOCAL, _DOMAIN, st.lists(st.booleans(), min_size=1, max_size=60))
def test_the_address_meant_is_the_one_written_in_half_width(
    local: str, domain: str, which: list[bool]
) -> None:
    meant = f"{local}@{domain}"
    assert re.fullmatch(base.LOGIN_ID, meant)
    typed = _widened(meant.replace("@", "\x00"), which).replace("\x00", "@")
    told = full_width_at(typed, typed)
    if typed == meant:
        assert told is None
        return
    assert told is not None and dict(told.params)["code"] == meant
    assert dict(told.params)["value"] == typed


def test_a_full_width_at_sign_is_told_as_such() -> None:
    told = full_width_at(
        "ｈａｎａｋｏ＠test-gas.example.co.jp", "ｈａｎａｋｏ＠test-gas.example.co.jp"
    )
    assert told is not None and "full-width ＠" in told.text


def test_what_is_no_login_id_in_half_width_either_is_left_to_the_pattern() -> None:
    # Not a width mistake: a letter with a mark, kanji, or an address still wrong once narrow.
    for typed in (
        "tarō@example.jp",
        "太郎@example.jp",
        "ｔａｒｏ@@example.jp",
        "ｔａｒｏ.@example.jp",
    ):
        assert full_width_at(typed, typed) is None, typed
    assert full_width_at("taro@example.jp", "taro@example.jp") is None
