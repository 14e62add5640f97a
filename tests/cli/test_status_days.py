"""``status --today D`` shows the progress as it stood on D (000 §5-1 ⑦): a system confirmed
(``accessreg confirm``) on a later day is still 未済 then, and its application 処理中."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import accessreg, merge, state, status_table
from tests.helpers.regfactory import RegistryFactory

NEW = "user4@test-gas.example.co.jp"
ON = "2026-12-03"  # the merge, its acceptance and its apply: M is 2026-12-16
CONFIRMED = "2026-12-22"  # TAXIS and JOHS import the batch


def _new_user_applied(made: GitRegistry, tmp_path: Path, day: str) -> str:
    """``made`` loaded on 12/03, then a new user of TAXIS and JOHS merged, approved and
    applied on ``day``: its batch."""
    first = accessreg(made, "apply", "--out", str(tmp_path / "initial"), "--initial",
                      "--confirm", "--today", ON)  # fmt: skip
    assert first.returncode == 0, first.stderr
    merge(made, "new-user", lambda: made.reg.user(email=NEW, name="四谷 四郎"))
    before = set(state(made)["batches"])
    ran = accessreg(made, "apply", "--out", str(tmp_path / "out"), "--confirm",
                    "--today", day, "--accepted-on", day)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    (batch,) = set(state(made)["batches"]) - before
    return batch


@pytest.fixture
def applied(reg: RegistryFactory, tmp_path: Path) -> Iterator[tuple[GitRegistry, str]]:
    """A registry loaded on 12/03, then a new user of TAXIS and JOHS merged and applied the
    same day; its batch."""
    made = GitRegistry(reg)
    try:
        yield made, _new_user_applied(made, tmp_path, ON)
    finally:
        made.close()


def _latest(gr: GitRegistry, day: str) -> dict[str, str]:
    """The latest application's line of ``status --today day``, in the seed's words."""
    return status_table(gr, day, "--operator", "TESTOP01")[-1]


def test_a_system_confirmed_later_is_not_done_on_an_earlier_day(
    applied: tuple[GitRegistry, str],
) -> None:
    gr, batch = applied
    confirmed = accessreg(gr, "confirm", batch, "--system", "taxis", "--system", "johs",
                          "--today", CONFIRMED)  # fmt: skip
    assert confirmed.returncode == 0, confirmed.stderr
    # Each system headed as the forms name it, with the key confirm --system takes.
    taxis, johs = "託送システム（taxis）", "託送情報開示システム（johs）"
    before = _latest(gr, "2026-12-21")
    assert (before[taxis], before[johs], before["進捗"]) == (
        "未済",
        "未済",
        "処理中",
    )
    on = _latest(gr, CONFIRMED)
    assert (on[taxis], on[johs], on["進捗"]) == ("済", "済", "処理完了")


def test_confirm_refuses_a_day_before_the_batch_and_records_nothing(
    applied: tuple[GitRegistry, str],
) -> None:
    """A system cannot import a batch before the run that made it, nor before the centre
    accepted its application (000 §5-1: ②申請受付 before ④ the registration)."""
    gr, batch = applied
    before = state(gr)
    refused = accessreg(gr, "--lang", "ja", "confirm", batch, "--system", "taxis",
                        "--today", "2026-12-02")  # fmt: skip
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert "Traceback" not in refused.stderr
    assert (
        f"取込日 2026-12-02（--today）は、バッチ {batch} を取り込める日（2026-12-03:"
        in refused.stderr
    )
    assert "--today には、システムがバッチを取り込んだ日（2026-12-03 以降）を指定してください" in (
        refused.stderr
    )
    assert state(gr) == before
    # The batch's own day is a day it can be imported on.
    on_the_day = accessreg(gr, "confirm", batch, "--system", "taxis", "--today", ON)
    assert on_the_day.returncode == 0, on_the_day.stderr
    assert state(gr)["batches"][batch]["systems"]["taxis"]["imported_on"] == ON


def test_confirm_refuses_a_day_before_an_acceptance_later_than_the_run(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """Approved and applied on Saturday 12/05, the application is accepted on Monday 12/07
    (000 §5-1 ②): TAXIS cannot have registered it on the Sunday between."""
    made = GitRegistry(reg)
    try:
        batch = _new_user_applied(made, tmp_path, "2026-12-05")
        recorded = state(made)
        assert recorded["batches"][batch]["created_on"] == "2026-12-05"
        sunday = accessreg(made, "--lang", "en", "confirm", batch, "--today", "2026-12-06")
        assert sunday.returncode == 2
        assert "Give --today the day the system imported the batch, 2026-12-07 or later" in (
            sunday.stderr
        )
        assert state(made) == recorded
        monday = accessreg(made, "confirm", batch, "--today", "2026-12-07")
        assert monday.returncode == 0, monday.stderr
    finally:
        made.close()


def test_an_application_or_suspension_after_the_day_is_not_shown(
    applied: tuple[GitRegistry, str], tmp_path: Path
) -> None:
    """On a day before an application was applied it was not there; nor was a suspension
    before the day it took effect: the user's, suspended on 12/10 before their entry comes
    (TAXIS at M+6, 12/24), on the day it comes, when the ID is first there to stop."""
    gr, _ = applied
    merge(
        gr, "suspend", lambda: gr.reg.user(email=NEW, name="四谷 四郎", suspended_on="2026-12-10")
    )
    ran = accessreg(gr, "apply", "--out", str(tmp_path / "later"), "--confirm",
                    "--today", "2026-12-10", "--entered-on", "2026-12-10",
                    "--accepted-on", "2026-12-10", "--merged-on", "2026-12-10")  # fmt: skip
    assert ran.returncode == 0, ran.stderr

    def shown(day: str) -> tuple[list[str], str]:
        listed = accessreg(gr, "--lang", "ja", "status", "--operator", "TESTOP01", "--today", day)
        assert listed.returncode == 0, listed.stderr
        table, _, stopped = listed.stdout.partition("\n\n")
        header, *rows = (line.split("\t") for line in table.splitlines())
        return [dict(zip(header, row, strict=True))["受付日"] for row in rows], stopped

    early, stopped_early = shown("2026-12-09")
    late, stopped_late = shown("2026-12-10")
    assert len(late) == len(early) + 1
    assert "2026-12-10" in late and "2026-12-10" not in early
    assert NEW not in stopped_early and NEW not in stopped_late
    _, before_entry = shown("2026-12-23")
    _, on_entry = shown("2026-12-24")
    assert NEW not in before_entry
    assert f"{NEW}\t2026-12-24（先の申請による利用開始日に合わせています）" in on_entry
