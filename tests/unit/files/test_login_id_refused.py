"""A refused login ID is told by what is wrong with it: the characters no login ID holds are
named (a kanji as itself, a look-alike of another script by its code point), before the
pattern's whole sentence, which is left for an address wrong only in its order."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accessreg import i18n
from accessreg.files.schemacheck import field_name, login_id_refused
from accessreg.model import base

WHAT = field_name(("email",), user=True)


def _taken(ch: str) -> bool:
    """Whether the pattern takes ``ch`` somewhere in an address: before the @, in the
    domain, or as the @ and the dots themselves (the oracle, apart from the code)."""
    return ch in "@." or any(
        re.fullmatch(base.LOGIN_ID, address) is not None
        for address in (f"a{ch}a@example.jp", f"a@a{ch}a.example.jp")
    )


def _refused(typed: str, lang: str) -> str:
    return i18n.text(login_id_refused(typed, typed, WHAT), lang)


def test_the_characters_a_login_id_holds_are_those_its_pattern_takes() -> None:
    candidates = string.printable + "ａ＠０木あアé\u0430\u00a0\u3000"
    assert {ch for ch in candidates if _taken(ch)} == set(base.LOGIN_ID_CHARACTERS)


def test_a_kanji_is_named_as_itself() -> None:
    typed = "木村hanako@aoba-gas.example.co.jp"
    assert _refused(typed, "ja") == (
        f"{typed}: メールアドレス（ID）に 「木」（U+6728）、「村」（U+6751） は使えません。"
        "半角英数字、@（1 つ）、ドット、記号 -_~$&'`^= だけで書いてください（000 §5-1 注3）"
    )
    assert "cannot hold 木 (U+6728), 村 (U+6751): write it with half-width letters" in (
        _refused(typed, "en")
    )


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("taro+news@example.jp", "「+」（U+002B）"),
        ("tarō@example.jp", "「ō」（U+014D）"),
        ("taro yamada@example.jp", "半角スペース（U+0020）"),
        # A Cyrillic о looks like the o it is not: its code point alone.
        ("tar\u043e@example.jp", "に U+043E は使えません"),
    ],
    ids=["ascii-symbol", "accented-letter", "space", "look-alike"],
)
def test_each_character_is_named_so_that_it_can_be_found(typed: str, named: str) -> None:
    assert named in _refused(typed, "ja")


def test_more_than_three_are_named_three_and_more() -> None:
    told = _refused("たろうです@example.jp", "ja")
    assert "「た」（U+305F）、「ろ」（U+308D）、「う」（U+3046） などは使えません" in told
    assert "U+3067" not in told  # で, the fourth


def test_a_full_width_address_is_still_told_in_half_width() -> None:
    told = _refused("ｔａｒｏ@example.jp", "en")
    assert "is written in full-width characters: write taro@example.jp in half-width" in told


@given(
    st.text(alphabet=sorted(base.LOGIN_ID_CHARACTERS), min_size=1, max_size=30),
    st.text(min_size=1, max_size=3).filter(lambda s: not set(s) <= base.LOGIN_ID_CHARACTERS),
    st.integers(min_value=0, max_value=30),
)
def test_any_character_no_login_id_holds_is_named(good: str, bad: str, at: int) -> None:
    typed = good[:at] + bad + good[at:]
    message = login_id_refused(typed, typed, WHAT)
    named = dict(message.params).get("chars")
    foreign = list(dict.fromkeys(c for c in typed if not _taken(c)))
    if named is None:  # a width mistake, told as such
        assert "full-width" in message.text
        return
    assert len(named) == min(3, len(foreign))
    shown = i18n.text(message, "en")
    for ch in foreign[:3]:
        assert f"U+{ord(ch):04X}" in shown


@given(st.text(alphabet=sorted(base.LOGIN_ID_CHARACTERS), min_size=1, max_size=40))
def test_an_address_of_login_id_characters_gets_the_pattern_sentence(typed: str) -> None:
    if base.is_login_id(typed) or len(typed) > base.LOGIN_ID_MAX:
        return
    local, _, domain = typed.partition("@")
    if len(local) > base.LOCAL_PART_MAX or max(map(len, domain.split("."))) > base.DOMAIN_LABEL_MAX:
        return
    assert "must receive internet mail" in i18n.text(login_id_refused(typed, typed, WHAT), "en")
