"""A rewritten ``main``: the revision applied before is gone from main's history.

Downstream holds it all the same, so the run applies the whole difference from it to HEAD.
What that difference undoes (a user added and still to come, a suspension) is applied for
as an ordinary merge's change is: dated no earlier than what earlier runs recorded still
comes, named in an application of each operator it touches, its 受付 mail and ``status``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import (
    accessreg,
    committed_on,
    deltas,
    merge,
    state,
    status_table,
)
from tests.helpers.regfactory import RegistryFactory, contact

U2 = "u2@second.example.co.jp"
USER4 = "user4@test-gas.example.co.jp"
# pr3's user, accepted on 2026-11-25: batch M 2026-12-01, on TAXIS from M+6, 2026-12-09.
U2_COMES = "2026-12-09"


def _apply(gr: GitRegistry, out: Path, day: str, *more: str) -> None:
    ran = accessreg(gr, "apply", "--out", str(out), "--confirm", "--today", day, *more)
    assert ran.returncode == 0, ran.stderr


def _users(reg: RegistryFactory) -> None:
    window = contact(email="w2@second.example.co.jp", github="window-2b")
    reg.operator("TESTOP02", name="第二ガス株式会社", contacts=[window])
    reg.user("TESTOP02", email="u1@second.example.co.jp")
    for n in range(2, 6):
        reg.user(email=f"user{n}@test-gas.example.co.jp")


@pytest.fixture(scope="module")
def rewritten(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GitRegistry, Path]]:
    """Four merges applied on 2026-11-26 (a user removed, a code changed, TESTOP02's u2
    added for 2026-12-09, user4 suspended); main then reset to before the last two, with
    another merge on top (user5 renamed), applied on 2026-11-27 into the path returned."""
    tmp_path = tmp_path_factory.mktemp("rewritten")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for var in ("ACCESSREG_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
            monkeypatch.delenv(var, raising=False)  # the seed's words, as the suite's default
        yield _history(RegistryFactory(tmp_path / "repo"), tmp_path, monkeypatch)


def _history(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[GitRegistry, Path]:
    committed_on(monkeypatch, "2026-11-20")
    _users(reg)
    gr = GitRegistry(reg)
    _apply(gr, tmp_path / "initial", "2026-11-20", "--initial")
    committed_on(monkeypatch, "2026-11-24")
    merge(gr, "pr1", (reg.root / "users/TESTOP01/user3@test-gas.example.co.jp.yaml").unlink)
    merge(gr, "pr2", lambda: reg.user(email="user2@test-gas.example.co.jp",
                                      permissions={"taxis": "1010", "johs": "J1010"}))  # fmt: skip
    kept = gr.rev()
    committed_on(monkeypatch, "2026-11-25")
    merge(gr, "pr3", lambda: reg.user("TESTOP02", email=U2))
    merge(gr, "pr4", lambda: reg.user(email=USER4, suspended_on="2026-11-25"))
    _apply(gr, tmp_path / "before", "2026-11-26")
    gr.repo.git.reset("--hard", kept)  # main rewritten: pr3 and pr4 are gone
    committed_on(monkeypatch, "2026-11-27")
    merge(gr, "pr6", lambda: reg.user(email="user5@test-gas.example.co.jp", name="試験 次郎"))
    out = tmp_path / "after"
    _apply(gr, out, "2026-11-27")
    return gr, out


def test_a_user_still_to_come_is_removed_no_earlier_than_they_come(
    rewritten: tuple[GitRegistry, Path],
) -> None:
    """u2's addition, recorded for 2026-12-09, is downstream's until then: their removal
    comes that day, as an ordinary merge's would (``plan.waits``), in every delta."""
    _, out = rewritten
    (row,) = [r for r in deltas(out, "taxis") if r["メールアドレス（ID）"] == U2]
    assert (row["区分"], row["適用日"]) == ("抹消", U2_COMES)
    ldif = {p.name: p.read_text("utf-8") for p in (out / "ldif").glob("delta-*.ldif")}
    named = sorted(name for name, text in ldif.items() if U2 in text)
    assert named == [f"delta-{U2_COMES}.ldif"], named


def test_what_the_rewrite_undoes_is_applied_for(rewritten: tuple[GitRegistry, Path]) -> None:
    """Each operator whose files the whole difference changes has an application, its
    kinds those an ordinary merge's plan gives: TESTOP02 the deletion of u2, TESTOP01
    the lifting of user4's suspension beside pr6's change."""
    gr, out = rewritten
    batches = state(gr)["batches"]
    batch = batches[max(batches)]  # the run's of 2026-11-27: ids start with the day
    kinds = {a["operator"]: a["kinds"] for a in batch["applications"]}
    assert kinds["TESTOP02"] == ["利用権限の抹消申請"], kinds
    assert "停止解除" in kinds["TESTOP01"] and "利用権限の変更申請" in kinds["TESTOP01"], kinds
    bodies = {str(m["To"]): str(m.get_content()) for m in written_mails(out, "*-accepted-*.eml")}
    (to_second,) = [body for to, body in bodies.items() if "second.example.co.jp" in to]
    assert U2 in to_second and U2_COMES in to_second, to_second
    (to_first,) = [body for to, body in bodies.items() if "test-gas.example.co.jp" in to]
    assert USER4 in to_first and "停止解除" in to_first, to_first


def test_status_lists_the_deletion_of_a_user_the_rewrite_undoes(
    rewritten: tuple[GitRegistry, Path],
) -> None:
    """``status`` lists it beside the application of u2 it undoes, which was applied."""
    gr, _ = rewritten
    listed = status_table(gr, "2026-11-27", "--operator", "TESTOP02")
    kinds = {row["申請番号"]: (row["受付日"], row["申請種別"]) for row in listed}
    assert kinds[f"{gr.rev()[:12]}/TESTOP02"] == ("2026-11-27", "利用権限の抹消申請"), kinds
    assert ("2026-11-25", "利用権限の設定申請") in kinds.values(), kinds


U3 = "u3@second.example.co.jp"


@pytest.fixture(scope="module")
def reset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GitRegistry, Path]]:
    """Three merges applied on 2026-11-26 (TESTOP02's u2 and u3 added for 2026-12-09,
    user4 suspended); main then reset to the first of them, with nothing on top, applied
    on 2026-11-27 into the path returned."""
    tmp_path = tmp_path_factory.mktemp("reset")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for var in ("ACCESSREG_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
            monkeypatch.delenv(var, raising=False)
        reg = RegistryFactory(tmp_path / "repo")
        committed_on(monkeypatch, "2026-11-20")
        _users(reg)
        gr = GitRegistry(reg)
        _apply(gr, tmp_path / "initial", "2026-11-20", "--initial")
        committed_on(monkeypatch, "2026-11-25")
        merge(gr, "pr3", lambda: reg.user("TESTOP02", email=U2))
        kept = gr.rev()
        merge(gr, "pr4", lambda: reg.user("TESTOP02", email=U3))
        merge(gr, "pr5", lambda: reg.user(email=USER4, suspended_on="2026-11-25"))
        _apply(gr, tmp_path / "before", "2026-11-26")
        gr.repo.git.reset("--hard", kept)  # main reset to pr3, applied already
        out = tmp_path / "after"
        _apply(gr, out, "2026-11-27")
        yield gr, out


def test_a_reset_to_an_applied_merge_applies_for_what_it_takes_away(
    reset: tuple[GitRegistry, Path],
) -> None:
    """No merge since the common ancestor: the head's commit, applied before, carries what
    the reset takes away, on the run's day (not the old merge's) and no earlier than what
    earlier runs recorded still comes; TESTOP02's application there is pr3's, taken: this
    one is an application of its own (``+2``), pr3's left as recorded."""
    gr, out = reset
    rows = {r["メールアドレス（ID）"]: (r["区分"], r["適用日"]) for r in deltas(out, "taxis")}
    assert rows == {U3: ("抹消", U2_COMES), USER4: ("停止解除", "2026-11-27")}, rows
    pr3 = gr.rev()[:12]
    batches = state(gr)["batches"]
    kinds = {a["id"]: a["kinds"] for a in batches[max(batches)]["applications"]}
    assert kinds == {
        f"{pr3}/TESTOP02+2": ["利用権限の抹消申請"],
        f"{pr3}/TESTOP01": ["停止解除"],
    }, kinds
    earlier = [
        a for b in batches.values() for a in b["applications"] if a["id"] == f"{pr3}/TESTOP02"
    ]
    assert [a["kinds"] for a in earlier] == [["利用権限の設定申請"]], earlier
    (mail,) = [m for m in written_mails(out, "*-accepted-*.eml") if "second" in str(m["To"])]
    body = str(mail.get_content())
    assert f"{pr3}/TESTOP02+2" in body and U3 in body and U2_COMES in body, body


def test_the_completion_of_an_application_of_its_own_keeps_its_dates(
    reset: tuple[GitRegistry, Path], tmp_path: Path
) -> None:
    """``confirm`` rebuilds the ``+2`` application from what was recorded of it, not of
    pr3's own application: each system's completion notice says the day its 受付 said, the
    deletion of u3 no earlier than their addition comes (the rebuild looked the dates up
    by the plain id, found none, and dated the deletion by the plan alone: 2026-11-28)."""
    gr, _ = reset
    batches = state(gr)["batches"]
    batch = max(batches)
    said = []
    for system in batches[batch]["systems"]:
        out = tmp_path / system
        done = accessreg(gr, "confirm", batch, "--system", system, "--out", str(out),
                         "--today", "2026-11-27")  # fmt: skip
        assert done.returncode == 0, done.stderr
        for mail in written_mails(out):
            body = str(mail.get_content())
            if "TESTOP02+2" in body:
                said += [line for line in body.splitlines() if U3 in line]
    assert said and all(line.endswith(f"利用終了 {U2_COMES}") for line in said), said
