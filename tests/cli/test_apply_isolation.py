"""A problem holds back only what it touches (real git histories, apply through the command):
what time did to other operators never stops a pull request or apply, and a clash that
reached main anyway holds back exactly the items in it until main is fixed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.lapsed import (
    A_NEW,
    B_IP,
    B_IP_LAST_DAY,
    D_LEAVER,
    TODAY,
    A,
    B,
    D,
    lapsed,
    user_file,
)
from tests.helpers.provisioning import accessreg, deltas, state
from tests.helpers.regfactory import RegistryFactory
from tests.helpers.scheduled_scenario import dated, on

START = date(2026, 12, 1)
LATE = date.fromisoformat(TODAY)  # B's address expired yesterday, C is provisional > 1 year


def merged_on(gr: GitRegistry, name: str, day: date, change: Callable[[], object]) -> str:
    """A pull request ``name`` with ``change``, opened and merged on ``day``."""
    gr.branch(name, "main")
    change()
    gr.repo.git.add("-A")
    gr.repo.git.commit("-q", "-m", f"{name}: change", env=on(day))
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", name, env=on(day))
    return gr.rev()


@pytest.fixture
def gr(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GitRegistry]:
    monkeypatch.setenv("ACCESSREG_CACHE_DIR", str(tmp_path / "cache"))
    lapsed(reg)
    made = dated(GitRegistry(reg), START)
    first = accessreg(made, "apply", "--out", str(tmp_path / "first"), "--initial", "--confirm",
                      "--today", START.isoformat())  # fmt: skip
    assert first.returncode == 0, first.stderr
    yield made
    made.close()


def test_lapsed_b_and_c_stop_neither_a_s_check_nor_apply(gr: GitRegistry, tmp_path: Path) -> None:
    merged_on(gr, "d-removes-a-user", LATE, lambda: gr.remove(user_file(D, D_LEAVER)))
    before_a = gr.rev()
    head = merged_on(gr, "a-adds-a-user", LATE, lambda: gr.reg.user(A, A_NEW))
    # The check of A's pull request passes, B's and C's lapses set aside.
    check = accessreg(gr, "validate", "--strict", "--today", TODAY, "--changed-since", before_a,
                      "--head", "a-adds-a-user")  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    out = tmp_path / "out"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert state(gr)["applied"] == head
    rows = {(r["区分"], r["メールアドレス（ID）"]): r for r in deltas(out, "taxis")}
    assert set(rows) == {("新規", A_NEW), ("抹消", D_LEAVER)}
    # Accepted on 2027-03-03: M is 2027-03-16; a new TAXIS user from M+6 business days (the
    # equinox holiday falls on Monday the 22nd), a deletion the day after (000 §5-1, §5-3).
    assert rows[("新規", A_NEW)]["システム処理日（M）"] == "2027-03-16"
    assert rows[("新規", A_NEW)]["適用日"] == "2027-03-25"
    assert rows[("抹消", D_LEAVER)]["適用日"] == "2027-03-04"
    # The whitelist holds B's address through its last day and drops it on the next.
    geo = (out / "whitelist/taxis/ip-geo.conf").read_text(encoding="utf-8")
    assert B_IP not in geo
    last_day = tmp_path / "last-day"
    dry = accessreg(gr, "apply", "--out", str(last_day), "--base", before_a, "--today",
                    B_IP_LAST_DAY)  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert f"{B_IP} 1;" in (last_day / "whitelist/taxis/ip-geo.conf").read_text(encoding="utf-8")
    assert B in (last_day / "whitelist/taxis/allowlist.json").read_text(encoding="utf-8")
