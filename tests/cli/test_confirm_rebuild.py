"""confirm rebuilds each application of a batch from where the apply that made it started
its merge: a load from nothing, a first run from its ``--base``, a merge after one whose
catalog does not load from the last revision the run could read. None of them from the
merge's parent, which this version may not be able to read at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accessreg.gitio.state import StateStore
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import accessreg, break_catalog, merge, state
from tests.helpers.regfactory import RegistryFactory

ON = "2026-12-03"
DAY = ["--today", ON, "--accepted-on", ON]
USER1 = "user1@test-gas.example.co.jp"
USER4 = "user4@test-gas.example.co.jp"
TAXIS_STARTS = "【利用開始周知】託送システム（テストガス株式会社）"


def _bodies(out: Path, subject: str) -> list[str]:
    """The bodies of the mails with ``subject`` that a run wrote to ``out``."""
    return [m.get_content() for m in written_mails(out) if m["Subject"] == subject]


def _recorded_as_before(gr: GitRegistry) -> None:
    """The state as the version before this one recorded it: every application names the
    parent of its merge as where its merge started."""
    store = StateStore(gr.path)
    head = store.head()
    files = store.read(head)
    data = json.loads(files["state.json"])
    for batch in data["batches"].values():
        for app in batch["applications"]:
            app["parent"] = gr.rev(f"{app['commit']}^")
    store.write({**files, "state.json": json.dumps(data).encode()}, "before", head, False)


def _confirmed(gr: GitRegistry, batch: str, out: Path, day: str, *system: str) -> None:
    args = [arg for s in system for arg in ("--system", s)]
    ran = accessreg(gr, "confirm", batch, *args, "--out", str(out), "--today", day)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "Traceback" not in ran.stderr


@pytest.mark.parametrize("recorded", ["now", "before"])
def test_a_load_is_confirmed_whatever_the_history_before_it_holds(
    reg: RegistryFactory, tmp_path: Path, recorded: str
) -> None:
    """The repository began with a catalog this version cannot load; a later commit brings
    it up to date, and a first apply loads the registry from there. Before it, downstream
    held nothing: its batch is confirmed from nothing, system by system and then whole,
    and status reads it. A state the version before recorded names the first commit, which
    cannot be read, as where the load started: confirmed the same."""
    text = break_catalog(reg)
    gr = GitRegistry(reg)
    try:
        reg.write("systems.yaml", text)
        gr.commit("the catalog as this version reads it")
        loaded = accessreg(gr, "apply", "--out", str(tmp_path / "initial"), "--initial",
                           "--confirm", *DAY)  # fmt: skip
        assert loaded.returncode == 0, loaded.stderr
        (batch,) = state(gr)["batches"]
        applications = state(gr)["batches"][batch]["applications"]
        assert [a["parent"] for a in applications] == [None]  # a load starts from nothing
        if recorded == "before":
            _recorded_as_before(gr)
        _confirmed(gr, batch, tmp_path / "taxis", "2026-12-04", "taxis")
        (body,) = _bodies(tmp_path / "taxis", TAXIS_STARTS)
        assert USER1 in body
        _confirmed(gr, batch, tmp_path / "rest", "2026-12-05")
        systems = state(gr)["batches"][batch]["systems"]
        assert {s: p["imported_on"] for s, p in systems.items() if s != "taxis"} == dict.fromkeys(
            (s for s in systems if s != "taxis"), "2026-12-05"
        )
        listed = accessreg(gr, "status", "--today", "2026-12-05")
        assert listed.returncode == 0, listed.stderr
        (row,) = listed.stdout.splitlines()[1:]
        assert row.split("\t")[4] == "処理完了"
    finally:
        gr.close()


@pytest.mark.parametrize("start", ["initial", "base"])
def test_a_merge_after_one_that_cannot_be_read_is_confirmed_from_where_the_run_started(
    reg: RegistryFactory, tmp_path: Path, start: str
) -> None:
    """Downstream holds a revision (applied before, or named with ``--base``); the next
    merge broke the catalog and added a user, the one after mended the catalog. The run
    applies both as one step from that revision, and confirming its batch rebuilds that
    step from there: the new user alone, not the parent of the mend, which cannot be read."""
    gr = GitRegistry(reg)
    try:
        held = gr.rev()
        if start == "initial":
            first = accessreg(gr, "apply", "--out", str(tmp_path / "initial"), "--initial",
                              "--confirm", *DAY)  # fmt: skip
            assert first.returncode == 0, first.stderr
        text = (reg.root / "systems.yaml").read_text(encoding="utf-8")

        def break_and_add() -> None:
            break_catalog(reg)
            reg.user(email=USER4, name="四方 四郎", permissions={"taxis": "1010"})

        merge(gr, "broken", break_and_add)
        merge(gr, "mended", lambda: reg.write("systems.yaml", text))
        since = [] if start == "initial" else ["--base", held]
        applied = accessreg(gr, "apply", "--out", str(tmp_path / "out"), *since, "--confirm",
                            *DAY)  # fmt: skip
        assert applied.returncode == 0, applied.stderr
        batch = max(state(gr)["batches"].values(), key=lambda b: b["number"])["id"]
        _confirmed(gr, batch, tmp_path / "taxis", "2026-12-24", "taxis")
        (body,) = _bodies(tmp_path / "taxis", TAXIS_STARTS)
        assert USER4 in body and USER1 not in body
    finally:
        gr.close()
