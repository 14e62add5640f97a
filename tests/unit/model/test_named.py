"""A catalog key in a message: its name on the forms in Japanese, the key in English."""

from __future__ import annotations

import pickle

from accessreg import i18n
from accessreg.escape import markdown
from accessreg.model.messages import Named, escaped, msg


def test_japanese_shows_the_name_and_english_the_key() -> None:
    found = msg("{system} needs a certificate", system=Named("taxis", "託送システム"))
    assert i18n.text(found, "ja").startswith("託送システム（taxis）")
    assert found.english() == "taxis needs a certificate"
    unknown = msg("{system} needs a certificate", system=Named("gone", ""))
    assert "gone" in i18n.text(unknown, "ja") and "（gone）" not in i18n.text(unknown, "ja")


def test_a_message_holding_it_is_one_holding_the_key() -> None:
    named = msg("{system} needs a certificate", system=Named("taxis", "託送システム"))
    plain = msg("{system} needs a certificate", system="taxis")
    assert named == plain and hash(named) == hash(plain) and not named < plain


def test_a_cached_finding_keeps_the_name() -> None:
    found = msg("{system} needs a certificate", system=Named("taxis", "託送システム"))
    again = pickle.loads(pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))
    assert i18n.text(again, "ja") == i18n.text(found, "ja")


def test_the_name_is_escaped_for_its_output_like_any_value() -> None:
    hostile = Named("taxis", "託送*システム* @someone")
    shown = i18n.text(escaped(msg("{system}", system=hostile), markdown), "ja")
    assert shown == f"{markdown('託送*システム* @someone')}（taxis）"


def test_a_help_page_names_the_system_in_english_where_it_is_given() -> None:
    named = Named("taxis", "託送システム", "Wheeling system (TAXIS)")
    found = msg("{system}: {codes}.", system=named, codes="1010")
    assert found.english() == "Wheeling system (TAXIS): 1010."
    assert i18n.text(found, "ja") == "託送システム（taxis）: 1010。"
    again = pickle.loads(pickle.dumps(found))
    assert again.english() == found.english()
