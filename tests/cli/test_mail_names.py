"""The job logs name each mail by what it is, in the reader's words, not by its kind's id."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.helpers.regfactory import ROOT, run_cli


def test_the_scheduled_run_names_its_mails_in_japanese(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
    # The sample registry on a day its certificates near their end and inventories are due.
    result = run_cli("daily", "--today", "2027-08-01", "--out", str(tmp_path / "out"), cwd=repo)
    assert result.returncode == 0, result.stderr
    said = result.stdout + result.stderr
    assert "\n  証明書更新のお願い: " in said  # the notices due, counted by kind
    assert "書き出し: 棚卸のお願い（AOBAGS01、1 項目、宛先 " in said  # each mail, counted
    assert "@" not in said  # the job log names no recipient
    for kind in ("certificate-expiry", "inventory-reminder", "ip-expiry"):
        assert kind not in said, kind
