"""A run's report is its job's summary too, which GitHub refuses whole past 1 MiB: its list
of mails shows ``effects.report.LISTED`` lines, then how many it leaves out; the counts
above the list stay whole."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from accessreg.effects import report
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import accessreg
from tests.helpers.regfactory import ROOT, RegistryFactory, run_cli

LEFT_OUT = re.compile(r"^  …ほか (\d+) 行はここに表示していません$", re.MULTILINE)


@pytest.fixture(autouse=True)
def _japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCESSREG_LANG", "ja")


def _listed(said: str, status: str) -> list[str]:
    return [line for line in said.splitlines() if line.startswith(f"  {status}: ")]


def _bounded(said: str, whole: str, status: str, shown: int) -> None:
    """``said`` is the report ``whole`` with its list of mails cut to ``shown`` lines and a
    line saying how many it left out; everything else the same."""
    every = _listed(whole, status)
    assert len(every) > shown, "the list is too short to be cut"
    assert _listed(said, status) == every[:shown]
    assert [int(n) for n in LEFT_OUT.findall(said)] == [len(every) - shown]
    kept = [line for line in whole.splitlines() if line not in every[shown:]]
    assert [line for line in said.splitlines() if not LEFT_OUT.match(line)] == kept
    assert LEFT_OUT.search(whole) is None


def test_the_first_apply_lists_so_many_acceptance_notices(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.rmtree(reg.root)
    shutil.copytree(ROOT / "registry", reg.root)  # an application for each of its operators
    gr = GitRegistry(reg)
    args = ["apply", "--initial", "--out", str(tmp_path / "out"), "--today", "2026-12-03",
            "--accepted-on", "2026-12-03"]  # fmt: skip
    whole = accessreg(gr, *args)
    assert whole.returncode == 0, whole.stderr
    monkeypatch.setattr(report, "LISTED", 2)
    said = accessreg(gr, *args)
    assert said.returncode == 0, said.stderr
    _bounded(said.stdout, whole.stdout, "書き出し", 2)


def test_the_daily_run_lists_so_many_mails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
    # The sample registry on a day its certificates near their end and inventories are due.
    args = ["daily", "--today", "2027-08-01", "--out", str(tmp_path / "out")]
    whole = run_cli(*args, cwd=repo)
    assert whole.returncode == 0, whole.stderr
    monkeypatch.setattr(report, "LISTED", 1)
    said = run_cli(*args, cwd=repo)
    assert said.returncode == 0, said.stderr
    _bounded(said.stdout, whole.stdout, "書き出し", 1)


def test_only_the_lines_shown_are_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "LISTED", 3)
    made: list[int] = []

    def line(n: int) -> str:
        made.append(n)
        return str(n)

    assert report.at_most(list(range(3)), line) == ["  0", "  1", "  2"]
    made.clear()
    shown = report.at_most(list(range(10)), line)
    assert made == [0, 1, 2]
    assert shown == ["  0", "  1", "  2", "  …ほか 7 行はここに表示していません"]
