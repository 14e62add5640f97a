"""docs/threat-model.md stays true: every test it cites exists, and every threat names a
test or says plainly that it has none."""

from __future__ import annotations

import re

from tests.helpers.regfactory import ROOT

PAGE = ROOT / "docs" / "threat-model.md"
# `tests/cli/test_authorize.py::test_a_stranger_may_change_nothing`: a file and a function.
REFERENCE = re.compile(r"\b(tests/[\w/]+\.py)::(\w+)")


def _text() -> str:
    return PAGE.read_text(encoding="utf-8")


def _threats() -> list[str]:
    """The sections of "## Threats", one a threat (``### T1. …``)."""
    _, _, rest = _text().partition("\n## Threats\n")
    return rest.split("\n## ", 1)[0].split("\n### ")[1:]


def test_every_cited_test_exists() -> None:
    cited = sorted(set(REFERENCE.findall(_text())))
    assert len(cited) >= 50, cited
    missing = [
        f"{path}::{name}"
        for path, name in cited
        if not name.startswith("test_")
        or not (ROOT / path).is_file()
        or not re.search(rf"^def {name}\(", (ROOT / path).read_text(encoding="utf-8"), re.M)
    ]
    assert missing == []


def test_every_threat_names_a_test_or_says_it_has_none() -> None:
    threats = _threats()
    assert len(threats) >= 15
    bare = [t.splitlines()[0] for t in threats if not REFERENCE.search(t) and "not tested" not in t]
    assert bare == []
