"""The outbox benchmark still runs against the code it measures (a template that gains a
field, a state that changes its files): a few mails sent through it to a real SMTP server
on loopback, each recorded once in the outbox's parts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import git

from tests.helpers.provisioning import state_outbox
from tests.helpers.regfactory import ROOT


def test_the_outbox_benchmark_sends_and_records_each_mail(tmp_path: Path) -> None:
    work = tmp_path / "outbox"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_outbox.py"),
         "--mails", "3", "--recorded", "5", "--work", str(work)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "3 mails, outbox of 5 before" in result.stdout
    repo = git.Repo(work / "repo")
    try:
        outbox = state_outbox(repo)
    finally:
        repo.close()
    assert len(outbox["sent"]) == 8 and outbox["in flight"] == {}
    assert json.dumps(outbox["sent"]).count('"kind": "welcome"') == 3
