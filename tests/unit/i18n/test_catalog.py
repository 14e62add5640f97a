"""The message catalog: the template is what the code says, and Japanese says all of it."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from accessreg import i18n
from accessreg.model.messages import msg, nmsg
from tests.helpers.regfactory import ROOT

PACKAGE = ROOT / "tooling" / "accessreg"
TEMPLATE = i18n.LOCALE_DIR / "accessreg.pot"

Key = str | tuple[str, ...]


def _read(path: object) -> Catalog:
    with open(path, "rb") as f:  # type: ignore[call-overload]  # noqa: PTH123
        return read_po(f, locale="ja" if str(path).endswith(".po") else None)


def _extracted() -> set[Key]:
    """What ``pybabel extract -F babel.cfg`` finds, found the same way in-process."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {
        message if isinstance(message, str) else tuple(message)
        for _, _, message, _, _ in extract_from_dir(str(PACKAGE), method_map, options_map)
    }


def _ids(catalog: Catalog) -> set[Key]:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def test_the_template_holds_every_message_of_the_code() -> None:
    extracted, template = _extracted(), _ids(_read(TEMPLATE))
    assert sorted(map(str, extracted - template)) == [], "new messages: run pybabel extract"
    assert sorted(map(str, template - extracted)) == [], "gone messages: run pybabel extract"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_japanese_translates_every_message_with_the_same_values() -> None:
    po = _read(i18n.po_file("ja"))
    assert _ids(po) == _ids(_read(TEMPLATE)), "stale catalog: run pybabel update"
    untranslated, fuzzy, wrong_values = [], [], []
    for m in po:
        if not m.id:
            continue
        source = m.id if isinstance(m.id, str) else m.id[0]
        texts = m.string if isinstance(m.string, tuple) else (m.string,)
        if not all(texts):
            untranslated.append(source)
        if m.fuzzy:
            fuzzy.append(source)
        if any(_fields(t) != _fields(source) for t in texts if t):
            wrong_values.append(source)
    assert untranslated == []
    assert fuzzy == []
    assert wrong_values == []


def test_no_compiled_catalog_is_needed() -> None:
    # The .po is compiled when first needed: a fresh `pip install -e .` has no build step.
    assert list(i18n.LOCALE_DIR.rglob("*.mo")) == []
    assert i18n.text(msg("operator code"), "ja") == "事業者コード"


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({}, "ja"),
        ({"LANG": "C.UTF-8"}, "ja"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "ja_JP.UTF-8", "ACCESSREG_LANG": "en"}, "en"),
        ({"ACCESSREG_LANG": "fr"}, "ja"),
    ],
)
def test_the_language_of_a_run(environ: dict[str, str], lang: str) -> None:
    assert i18n.from_environment(environ) == lang


def test_using_sets_the_language_of_a_block() -> None:
    message = nmsg("{count} error", "{count} errors", 2)
    with i18n.using("en"):
        assert i18n.text(message) == "2 errors"
        with i18n.using("ja"):
            assert i18n.text(message) == "エラー 2 件"
        assert i18n.current() == "en"


def test_lists_are_joined_as_each_language_joins_them() -> None:
    message = msg("{system} needs the operator to hold one of the roles {roles}",
                  system="taxis", roles=("a", "b"))  # fmt: skip
    assert i18n.text(message, "en").endswith("roles a, b")
    assert re.search("a、b", i18n.text(message, "ja"))


def test_every_rule_has_a_headline_in_each_language() -> None:
    """A window person reads what a finding means in Japanese, for a rule added after the
    form's own headlines too: the first line of its documentation from the catalog. So do
    authorization's rules, whose findings are annotated as validate's are."""
    from accessreg.reporting.headlines import headline
    from accessreg.review import authorize
    from accessreg.rules import RULES

    general = {headline("no-such-rule", lang) for lang in ("ja", "en")}
    assert general == {"登録内容に問題があります", "The registry has a problem"}
    for r in (*RULES, *authorize.RULES):
        ja, en = headline(r.id, "ja"), headline(r.id, "en")
        assert ja not in general and en not in general, r.id
        assert re.search(r"[ぁ-んァ-ン一-龯]", ja), (r.id, ja)
        assert en == r.summary and "\n" not in ja, r.id


# Click's words: its template is what the installed click says, and Japanese says all of it.
CLICK_TEMPLATE = i18n.LOCALE_DIR / "click.pot"


def _click_extracted() -> set[Key]:
    """What ``pybabel extract`` finds in the installed click (its default keywords: ``_``
    and ``ngettext``, as click's modules import them), and the words click looks up by
    value, as the README's command finds them in ``cli/localized.py``."""
    import click

    from accessreg.cli import localized

    directory = Path(click.__file__).parent
    found = {
        message if isinstance(message, str) else tuple(message)
        for _, _, message, _, _ in extract_from_dir(str(directory))
    }
    with Path(localized.__file__).open("rb") as f:
        marked = {m for _, m, _, _ in extract("python", f, keywords={"by_value": None})}
    assert marked == set(localized.CLICK_BY_VALUE)
    return found | marked


def test_the_click_template_holds_every_word_of_the_installed_click() -> None:
    extracted, template = _click_extracted(), _ids(_read(CLICK_TEMPLATE))
    # An upgrade of click that words something new fails here: extract again, translate.
    assert sorted(map(str, extracted - template)) == [], "click has new words: extract again"
    assert sorted(map(str, template - extracted)) == [], "click has dropped words: extract again"


def _percent(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


def test_japanese_says_every_word_of_click_with_its_values() -> None:
    po = _read(i18n.po_file("ja", "click"))
    assert _ids(po) == _ids(_read(CLICK_TEMPLATE)), "stale click catalog: update it"
    untranslated, unknown_values = [], []
    for m in po:
        if not m.id:
            continue
        sources = (m.id,) if isinstance(m.id, str) else tuple(m.id)
        given = set().union(*(_fields(s) | _percent(s) for s in sources))
        texts = m.string if isinstance(m.string, tuple) else (m.string,)
        if not all(texts) or m.fuzzy:
            untranslated.append(sources[0])
        # A value click does not pass would raise as the message is made; one it passes may
        # be left out (its type names are English: "integer range").
        if any((_fields(t) | _percent(t)) - given for t in texts if t):
            unknown_values.append(sources[0])
    assert untranslated == []
    assert unknown_values == []


# What a quote elides, or shows as the message fills it in: counts, a share, an encoding,
# the state's file and ref.
FILLED_IN = re.compile(r"…|\b[MN]\b|\d+%|CP932|state\.json|refs/accessreg/state")


def _log_quotes() -> list[str]:
    """The Japanese the README's table of provisioning stops quotes from the logs."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| the log says") :]
    table = table[: table.index("\n\n")]
    rows = [line.split(" | ")[0] for line in table.splitlines()[2:]]
    return [q for row in rows for q in re.findall(r"`([^`]+)`", row) if re.search(r"[ぁ-ん]", q)]


def test_the_readmes_stops_quote_the_logs_japanese() -> None:
    """The workflows run in Japanese: a maintainer searches the README for what the log
    says. Each quote, its elisions and counts aside, is one message's Japanese."""
    said = [m.string for m in _read(i18n.po_file("ja")) if m.id]
    texts = [s if isinstance(s, str) else " ".join(s) for s in said]
    quotes = _log_quotes()
    assert len(quotes) >= 12
    for quote in quotes:
        parts = [p.strip() for p in FILLED_IN.split(quote)]
        parts = [p for p in parts if len(p) > 1]
        assert any(all(p in t for p in parts) for t in texts), quote
