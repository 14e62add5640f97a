"""docs/rules.md is what ``accessreg rules`` prints, and the README leads to it."""

from __future__ import annotations

from accessreg.review import authorize
from accessreg.rules import RULES
from tests.helpers.regfactory import ROOT, run_cli

RULES_PAGE = ROOT / "docs" / "rules.md"


def test_rules_page_is_fresh() -> None:
    result = run_cli("rules", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert RULES_PAGE.read_text(encoding="utf-8") == result.stdout, (
        "docs/rules.md is stale: run `accessreg rules > docs/rules.md` and commit it"
    )


def test_rules_page_documents_every_rule_id() -> None:
    page = RULES_PAGE.read_text(encoding="utf-8")
    missing = [r.id for r in (*RULES, *authorize.RULES) if f"### `{r.id}`\n\n{r.doc}" not in page]
    assert missing == []


def test_readme_links_the_rules_page() -> None:
    assert "(docs/rules.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_leaves_the_rules_to_the_generated_page() -> None:
    # A hand-written list of rules goes stale; the README links the page instead.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    written = [r.id for r in (*RULES, *authorize.RULES) if f"| `{r.id}` |" in readme]
    assert written == []
    anchor = "who-may-propose-what-accessreg-authorize"
    assert f"(docs/rules.md#{anchor})" in readme
    headings = [ln[3:] for ln in RULES_PAGE.read_text(encoding="utf-8").splitlines()
                if ln.startswith("## ")]  # fmt: skip
    assert anchor in [_github_anchor(h) for h in headings]


def _github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to dashes."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")
