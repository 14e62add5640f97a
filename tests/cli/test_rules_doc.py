"""docs/rules.md (Japanese) and docs/rules.en.md are what ``accessreg rules`` prints, and the
README leads to them."""

from __future__ import annotations

import re

import pytest

from accessreg import i18n
from accessreg.reporting.rules_doc import PAGES
from accessreg.review import authorize
from accessreg.rules import RULES
from tests.helpers.regfactory import ROOT, run_cli


@pytest.mark.parametrize("lang", sorted(PAGES))
def test_rules_page_is_fresh(lang: str) -> None:
    result = run_cli("--lang", lang, "rules", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert (ROOT / PAGES[lang]).read_text(encoding="utf-8") == result.stdout, (
        f"{PAGES[lang]} is stale: run `accessreg --lang {lang} rules > {PAGES[lang]}` and commit it"
    )


def test_the_default_page_is_japanese() -> None:
    assert run_cli("rules", cwd=ROOT).stdout == (ROOT / PAGES["ja"]).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", sorted(PAGES))
def test_rules_page_documents_every_rule_id(lang: str) -> None:
    page = (ROOT / PAGES[lang]).read_text(encoding="utf-8")
    missing = [
        r.id
        for r in (*RULES, *authorize.RULES)
        if f"### `{r.id}`\n\n{i18n.translate(r.doc, lang)}" not in page
    ]
    assert missing == []


def test_the_japanese_page_is_in_japanese() -> None:
    page = (ROOT / PAGES["ja"]).read_text(encoding="utf-8")
    assert "## ファイルの読み込み" in page
    untranslated = [r.id for r in (*RULES, *authorize.RULES) if r.doc in page]
    assert untranslated == []


def test_readme_links_the_rules_pages() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/rules.md)" in readme
    assert "(docs/rules.en.md)" in readme


def test_the_readme_leaves_the_rules_to_the_generated_page() -> None:
    # A hand-written list of rules goes stale; the README links the page instead.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    written = [r.id for r in (*RULES, *authorize.RULES) if f"| `{r.id}` |" in readme]
    assert written == []
    anchor = "who-may-propose-what-accessreg-authorize"
    assert f"(docs/rules.en.md#{anchor})" in readme
    headings = [ln[3:] for ln in (ROOT / PAGES["en"]).read_text(encoding="utf-8").splitlines()
                if ln.startswith("## ")]  # fmt: skip
    assert anchor in [_github_anchor(h) for h in headings]


def _github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to dashes."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def test_the_admin_id_rule_is_told_in_the_words_of_the_forms() -> None:
    """The admin ID is issued once (002 §3.2.1) and a change of admin is filed as the
    permission change it is (利用権限の変更申請, §3.2.2): the page a reviewer and a window
    person read names the application, not a key of the files."""
    rule = next(r for r in authorize.RULES if r.id == "admin-id-once")
    for lang in sorted(PAGES):
        doc = i18n.translate(rule.doc, lang)
        assert "利用権限の変更申請" in doc and "§3.2.1" in doc and "§3.2.2" in doc, doc
        assert re.findall(r"`[a-z_]+`", doc) == [], doc


def test_every_document_cited_is_listed_under_sources_cited() -> None:
    """A citation (000 §5-1, 001 p39, 004) names a document by number; README's *Sources cited*,
    where the rules page sends its reader, must say which document each number is."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.partition("\n## Sources cited\n")[2].partition("\n## ")[0]
    listed = set(re.findall(r"^\| (\d{3}) \|", section, re.M))
    assert len(listed) >= 2, "README lists the documents under ## Sources cited"
    pages = [ROOT / page for page in PAGES.values()] + [ROOT / "registry" / "systems.yaml"]
    cited = {
        number
        for page in pages
        for number in re.findall(r"(?<![\w.:-])(00\d)(?![\w.:-])", page.read_text(encoding="utf-8"))
    }
    assert cited and cited <= listed, f"cited but not listed: {sorted(cited - listed)}"
