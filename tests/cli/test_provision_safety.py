"""The removal rails: a share of all login IDs, and never all of them, unless allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessreg.errors import ProblemsFound
from accessreg.model.removal import Removal
from accessreg.provision.safety import check_removal
from tests.helpers.regfactory import ROOT, run_cli


def test_up_to_the_share_passes_and_beyond_it_is_refused() -> None:
    check_removal(Removal(before=8, after=6, removed=2), 0.25, allowed=False)  # exactly 25 %
    with pytest.raises(ProblemsFound, match=r"Refusing to remove 3 of 8 login IDs \(38% > 25%\)"):
        check_removal(Removal(before=8, after=5, removed=3), 0.25, allowed=False)
    check_removal(Removal(before=8, after=5, removed=3), 0.25, allowed=True)


def test_emptying_the_registry_is_refused_even_within_the_share() -> None:
    with pytest.raises(ProblemsFound, match="every one of 2 login IDs"):
        check_removal(Removal(before=2, after=0, removed=2), 1.0, allowed=False)
    check_removal(Removal(before=2, after=0, removed=2), 1.0, allowed=True)
    check_removal(Removal(before=0, after=0, removed=0), 0.25, allowed=False)  # nothing to lose


def test_a_share_outside_0_to_1_is_a_usage_error_that_makes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "runs" / "out"
    result = run_cli("apply", "--out", str(out), "--max-removal-share", "1.5", cwd=ROOT)
    assert result.returncode == 2
    assert "--max-removal-share は 0 から 1 の間で指定してください" in result.stderr
    assert list(tmp_path.iterdir()) == []
