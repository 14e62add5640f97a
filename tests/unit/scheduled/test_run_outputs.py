"""A scheduled run writes its mails one at a time (composed when written, never all held),
with a summary whose digests are those of the files written; what it reads is left out of
the collector's passes while it runs, and given back after."""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
from datetime import date
from email import message_from_bytes
from email.policy import SMTP
from pathlib import Path
from typing import Any

import pytest

from accessreg.files import assembled, gcpause
from accessreg.mail import compose as compose_module
from accessreg.scheduled import run as run_module
from accessreg.scheduled.run import RunRequest, run
from tests.helpers.regfactory import RegistryFactory
from tests.helpers.scheduled_scenario import scenario

DAY = date(2026, 9, 1)


def _registry_with_stale_ids(reg: RegistryFactory, tmp: Path) -> tuple[Path, Path]:
    g = scenario(reg)
    users = [f"user{n}@test-gas.example.co.jp" for n in range(1, 4)]
    for login in users[1:]:
        reg.user("TESTOP01", login)
    g.repo.git.add("-A")
    g.repo.git.commit("-q", "-m", "users")
    export = tmp / "last-logins.csv"
    rows = [f"{login},試験,2026-0{n}-01" for n, login in enumerate(users, start=2)]
    rows.append("ghost@unknown.example.jp,不明,2026-01-01")
    export.write_text("ユーザID,氏名,最終ログイン日時\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return g.path, export


def test_mails_are_composed_one_at_a_time_and_the_summary_names_what_was_written(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, export = _registry_with_stale_ids(reg, tmp_path)
    events: list[str] = []
    real_compose, real_write = compose_module.compose, assembled.write

    def composing(*args: Any, **kwargs: Any) -> compose_module.Composed:
        events.append("compose")
        return real_compose(*args, **kwargs)

    def writing(*args: Any, **kwargs: Any) -> tuple[str, int]:
        events.append("write")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(compose_module, "compose", composing)
    monkeypatch.setattr(assembled, "write", writing)
    out = tmp_path / "out"
    duties = ("stale", "inventory", "membership", "expiry")
    result = run(RunRequest(root=root, today=DAY, duties=duties, out=out, last_logins=export))
    assert len(result.mails) >= 4 and events.count("compose") == len(result.mails)
    # Each mail is written before the next is composed: none is held for the others.
    assert all(e == "write" for e, n in itertools.pairwise(events) if n == "compose")
    summary = json.loads((out / "summary.json").read_bytes())
    written = sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.name not in ("summary.json", ".accessreg-output")
    )
    assert sorted(summary["files"]) == written
    assert summary["mails"] == [n for n in written if n.startswith("mail/")]
    for name, described in summary["files"].items():
        data = (out / name).read_bytes()
        assert described == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    strict = SMTP.clone(raise_on_defect=True)
    for name in summary["mails"]:
        message = message_from_bytes((out / name).read_bytes(), policy=strict)
        assert message["Message-ID"] in {o.composed.message_id for _, o in result.mails}


def test_what_the_run_reads_is_frozen_while_it_runs_and_given_back_after(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, export = _registry_with_stale_ids(reg, tmp_path)
    seen: list[tuple[int, bool]] = []
    real = run_module.plan

    def watching(*args: Any, **kwargs: Any) -> Any:
        seen.append((gc.get_freeze_count(), gc.isenabled()))
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "plan", watching)
    before = gc.get_freeze_count()
    for frozen_from in (gcpause.FREEZE_FROM, 0):  # this registry is small; then as if large
        monkeypatch.setattr(gcpause, "FREEZE_FROM", frozen_from)
        out = tmp_path / f"o{frozen_from}"
        run(RunRequest(root=root, today=DAY, duties=("stale",), out=out, last_logins=export))
        assert gc.get_freeze_count() == before  # given back after the run
    small, large = seen
    assert small == (before, True)  # a few thousand objects: left to the collector
    assert large[0] > before and large[1]  # the registry frozen, the collector back on


def test_what_the_duties_judge_is_made_paused_and_frozen_too(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A judged user and a table row per user live as long as the run: full passes of the
    # collector over them, again and again while they were made, were a second of a daily
    # run at 200,000 users.
    root, export = _registry_with_stale_ids(reg, tmp_path)
    seen: dict[str, tuple[int, bool]] = {}
    real_judged, real_plan = run_module.judged, run_module.plan

    def judging(*args: Any, **kwargs: Any) -> Any:
        seen["judged"] = (gc.get_freeze_count(), gc.isenabled())
        return real_judged(*args, **kwargs)

    def planning(*args: Any, **kwargs: Any) -> Any:
        seen["plan"] = (gc.get_freeze_count(), gc.isenabled())
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(run_module, "judged", judging)
    monkeypatch.setattr(run_module, "plan", planning)
    monkeypatch.setattr(gcpause, "FREEZE_FROM", 0)
    before = gc.get_freeze_count()
    out = tmp_path / "out"
    run(RunRequest(root=root, today=DAY, duties=("stale",), out=out, last_logins=export))
    assert gc.get_freeze_count() == before  # given back after the run
    (loaded, paused), (judged, enabled) = seen["judged"], seen["plan"]
    assert before < loaded < judged and not paused and enabled


def test_a_process_that_ends_with_its_command_keeps_them_frozen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gcpause, "_give_back", True)
    monkeypatch.setattr(gcpause, "_held", None)  # both restored after
    gcpause.keep_until_exit()
    before = gc.get_freeze_count()
    kept = [[n] for n in range(10)]  # alive, and tracked by the collector
    try:
        with gcpause.kept() as keep, gcpause.paused():
            monkeypatch.setattr(gcpause, "FREEZE_FROM", 0)
            keep()
        assert gc.get_freeze_count() > before and kept
    finally:
        gc.unfreeze()
