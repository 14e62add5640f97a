"""One hostile file costs in proportion to its size: a file with thousands of findings is
composed once to locate them all, and the katakana pattern matches in one pass. Either used
to make one forced merge's file stop every operator's provisioning for hours."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from accessreg.files import yamlsafe
from accessreg.files.loading import locate_each
from accessreg.files.sources import MemorySource
from accessreg.model.base import KANA
from accessreg.model.problems import problem

_KANA_SET = "ァアイヶー・\u3000 "


# The pattern as it was: the same language, read with backtracking over two runs of one set.
_AMBIGUOUS = r"^[ァ-ヶー・\u3000 ]*[ァ-ヶ][ァ-ヶー・\u3000 ]*$"


@given(st.text(alphabet=st.sampled_from([*_KANA_SET, "a", "漢", "ｱ", "\n"]), max_size=30))
def test_the_kana_pattern_accepts_what_it_accepted(text: str) -> None:
    """Full-width katakana and spaces with at least one kana, as the seeds' forms ask (a line
    break is another check's): exactly what the pattern it replaces accepted."""
    assert (re.search(KANA, text) is None) is (re.search(_AMBIGUOUS, text) is None)


def test_the_kana_pattern_cannot_split_one_run_two_ways() -> None:
    """No two parts of the pattern read the same character before its one letter: only a
    mark, a long vowel or a space precedes the first kana, so a backtracking matcher has
    one way to read a name (349,000 katakana ending in a letter took 14 minutes)."""
    lead, letter, rest = re.fullmatch(r"\^\[(.*?)\]\*\[(.*?)\]\[(.*?)\]\*\$", KANA).groups()  # type: ignore[union-attr]
    first = set(lead.encode().decode("unicode_escape"))
    assert not {c for c in first if "ァ" <= c <= "ヶ"}
    assert letter == "ァ-ヶ" and "ァ-ヶ" in rest


def test_a_file_of_thousands_of_findings_is_composed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each of 3,000 unknown keys located on its own line, from one composition of the
    file: the positions are looked up by key, not searched for each finding."""
    lines = ["email: a@example.jp", "permissions:"]
    lines += [f'  taxi{n}: "1011"' for n in range(3000)]
    raw = ("\n".join(lines) + "\n").encode()
    composed = []
    real = yaml.compose

    def counted(*args: object, **kwargs: object) -> object:
        composed.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlsafe.yaml, "compose", counted)
    rel = "users/TESTOP01/a@example.jp.yaml"
    found = [problem(rel, "schema", "unknown", ("permissions", f"taxi{n}")) for n in range(3000)]
    located = locate_each(found, MemorySource({rel: raw}, "registry"))
    assert len(composed) == 1
    assert sorted((p.line, p.col) for p in located) == [(n + 3, 3) for n in range(3000)]
