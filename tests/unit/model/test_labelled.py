"""A permission code in a message: with its label as on the forms, in the reader's language."""

from __future__ import annotations

import pickle

import pytest

from accessreg import i18n
from accessreg.escape import markdown
from accessreg.files.loading import load
from accessreg.files.sources import DirectorySource
from accessreg.model import Catalog
from accessreg.model.messages import Labelled, escaped, msg
from tests.helpers.regfactory import ROOT


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    registry = load(DirectorySource(ROOT / "registry")).registry
    assert registry is not None
    return registry.catalog


def test_a_code_shows_its_label_in_each_language(catalog: Catalog) -> None:
    found = msg("{value}", value=catalog.labelled("taxis", "1011"))
    assert i18n.text(found, "ja") == "1011（更新権限あり）"
    assert found.english() == "1011 (update rights)"


def test_a_presence_form_shows_the_label_alone(catalog: Catalog) -> None:
    found = msg("{value}", value=catalog.labelled("juju", "granted"))
    assert (i18n.text(found, "ja"), found.english()) == ("あり", "granted")


def test_a_code_the_catalog_lacks_shows_alone(catalog: Catalog) -> None:
    for system, code in (("taxis", "9999"), ("gone", "1011")):
        found = msg("{value}", value=catalog.labelled(system, code))
        assert (i18n.text(found, "ja"), found.english()) == (code, code)
    no_english = msg("{value}", value=Labelled("1011", "更新権限あり"))
    assert no_english.english() == "1011"


def test_a_message_holding_it_is_one_holding_the_code_and_keeps_the_label() -> None:
    labelled = msg("{value}", value=Labelled("1011", "更新権限あり", "update rights"))
    assert labelled == msg("{value}", value="1011")
    again = pickle.loads(pickle.dumps(labelled, protocol=pickle.HIGHEST_PROTOCOL))
    assert i18n.text(again, "ja") == "1011（更新権限あり）"


def test_the_label_is_escaped_for_its_output_like_any_value() -> None:
    hostile = Labelled("1011", "更新*権限* @someone", "`update` <b>")
    shown = escaped(msg("{value}", value=hostile), markdown)
    assert i18n.text(shown, "ja") == f"1011（{markdown('更新*権限* @someone')}）"
    assert shown.english() == f"1011 ({markdown('`update` <b>')})"
