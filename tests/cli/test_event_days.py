"""The days of an application's events given on the command line: one that has happened
by the run cannot be later than it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, run_cli


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    made = GitRegistry(reg)
    made.commit("one user")
    made.branch("pr")
    reg.user(email="user2@test-gas.example.co.jp", permissions={"taxis": "1010"})
    made.commit("a new user")
    yield made
    made.close()


def test_a_plan_refuses_an_entry_after_the_day_of_the_run(gr: GitRegistry) -> None:
    """An entry is made before a plan reads it: one dated later was silently the run's
    day. An approval or a merge still to come may be given (a plan made ahead of them)."""
    day = ["--today", "2026-12-07", "--base", "main", "--head", "pr"]
    refused = run_cli("plan", *day, "--entered-on", "2026-12-08", cwd=gr.path)
    assert refused.returncode == 2, refused.stdout
    assert "--entered-on 2026-12-08" in refused.stderr and "2026-12-07" in refused.stderr
    assert "Traceback" not in refused.stderr and refused.stdout == ""
    ahead = run_cli("plan", *day, "--entered-on", "2026-12-07", "--accepted-on", "2026-12-09",
                    cwd=gr.path)  # fmt: skip
    assert ahead.returncode == 0, ahead.stderr
    assert "2026-12-09" in ahead.stdout


@pytest.mark.parametrize("event", ["--entered-on", "--accepted-on", "--merged-on"])
def test_an_apply_refuses_an_event_after_the_day_of_the_run(
    gr: GitRegistry, tmp_path: Path, event: str
) -> None:
    """An apply reads merges made: none of their events is later than the run, and one so
    given is refused before anything is written."""
    gr.checkout("main")
    gr.merge("pr")
    out = tmp_path / "out"
    refused = run_cli("apply", "--out", str(out), "--initial", "--today", "2026-12-07",
                      event, "2026-12-10", cwd=gr.path)  # fmt: skip
    assert refused.returncode == 2, refused.stdout
    assert f"{event} 2026-12-10" in refused.stderr, refused.stderr
    assert not out.exists()


def test_a_run_is_not_recorded_before_the_last_one(gr: GitRegistry, tmp_path: Path) -> None:
    """Runs are recorded in the order of their days: one dated before the last recorded
    would put its batch after a later one and date its mails before what they announce
    (「休業日に承認されたため … 付で受け付けます」 on a business day). A dry run may look back."""
    gr.checkout("main")
    first = run_cli("apply", "--out", str(tmp_path / "first"), "--initial", "--confirm",
                    "--today", "2026-12-07", cwd=gr.path)  # fmt: skip
    assert first.returncode == 0, first.stderr
    gr.merge("pr")
    out = tmp_path / "out"
    refused = run_cli("apply", "--out", str(out), "--confirm", "--today", "2026-12-04",
                      cwd=gr.path)  # fmt: skip
    assert refused.returncode == 2, refused.stdout
    assert "2026-12-07" in refused.stderr and "2026-12-04" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr and not out.exists()
    looked = run_cli("apply", "--out", str(out), "--today", "2026-12-04", cwd=gr.path)
    assert looked.returncode == 0, looked.stderr
    same_day = run_cli("apply", "--out", str(tmp_path / "again"), "--confirm",
                       "--today", "2026-12-07", cwd=gr.path)  # fmt: skip
    assert same_day.returncode == 0, same_day.stderr
