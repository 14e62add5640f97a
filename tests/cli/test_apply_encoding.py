"""A value the CSV encoding cannot hold holds back only the file it is in (real git histories,
apply through the command, the CSVs read back in CP932): every other operator's change, and
every deletion, goes out with it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import accessreg, logged, merge, read_csv, state
from tests.helpers.regfactory import RegistryFactory, contact

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


OURS, THEIRS = "TESTOP01", "OTHROP01"
STAYS = "user1@test-gas.example.co.jp"
NEWCOMER = "hanako.kasai@test-gas.example.co.jp"
LEAVER = "ren.mitsui@other-gas.example.co.jp"
IVS = "葛\U000e0100西 花子"  # an ideographic variation selector: kept, and not in CP932
KANA = "カサイ ハナコ"
ON = "2026-12-08"
DAY = ["--today", ON, "--accepted-on", ON]


def user_file(operator: str, email: str) -> str:
    return f"users/{operator}/{email}.yaml"


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """Two operators, loaded in CP932."""
    reg.operator(THEIRS, contacts=[contact(n=9, email="window@other-gas.example.co.jp")],
                 subcontractors=[])  # fmt: skip
    reg.user(THEIRS, LEAVER, name="三井 蓮", name_kana="ミツイ レン")
    made = GitRegistry(reg)
    made.commit("two operators")
    first = apply(made, tmp_path / "initial", "--initial")
    assert first.returncode == 0, first.stderr
    yield made
    made.close()


def apply(gr: GitRegistry, out: Path, *more: str) -> object:
    return accessreg(gr, "apply", "--out", str(out), "--encoding", "cp932", "--confirm", *DAY,
                     *more)  # fmt: skip


def rows(out: Path, system: str = "taxis") -> dict[tuple[str, str], dict[str, str]]:
    found = {}
    for path in sorted((out / "imports" / system).glob("delta-*.csv")):
        for row in read_csv(path, "cp932"):
            found[(row["区分"], row["メールアドレス（ID）"])] = row
    return found


def test_a_name_cp932_cannot_hold_holds_its_file_and_the_deletions_go_out(
    gr: GitRegistry, tmp_path: Path
) -> None:
    def both() -> None:
        gr.reg.user(OURS, NEWCOMER, name=IVS, name_kana=KANA)
        gr.remove(user_file(THEIRS, LEAVER))

    merge(gr, "ivs-and-a-leaver", both)
    assert accessreg(gr, "validate").returncode == 0
    out = tmp_path / "held"
    held = apply(gr, out)
    assert held.returncode == 0, held.stderr
    # The other operator's deletion goes out; the name CP932 cannot hold does not.
    assert set(rows(out)) == {("抹消", LEAVER)}
    assert rows(out)[("抹消", LEAVER)]["利用者名（漢字）"] == "三井 蓮"
    snapshot = read_csv(out / "imports/taxis/snapshot.csv", "cp932")
    assert {r["メールアドレス（ID）"] for r in snapshot} == {STAYS, LEAVER}  # gone tomorrow
    assert "held back: 1 file of 1 operator" in held.stdout
    rel = user_file(OURS, NEWCOMER)
    told = f"{logged(rel)}:3:1: [error] 利用者名（漢字） holds '\U000e0100' (U+E0100)"
    assert told in held.stdout
    assert "(csv-encoding)" in held.stdout
    assert state(gr)["held"][rel]["rev"] is not None
    # The reviewers are told in their words, as for any error that holds a file back.
    (told_reviewer, *_) = [m for m in written_mails(out) if "【保留】" in str(m["Subject"])]
    assert (
        f"registry/{rel}:3: 利用者名（漢字） の '\U000e0100'（U+E0100） は CP932 で書けません"
        in told_reviewer.get_content()
    )

    # The next run, the name still there, holds it still; the fix releases it.
    again = apply(gr, tmp_path / "again")
    assert again.returncode == 0, again.stderr
    assert "held back: 1 file" in again.stdout and list(state(gr)["held"]) == [rel]
    merge(gr, "fix", lambda: gr.reg.user(OURS, NEWCOMER, name="葛西 花子", name_kana=KANA))
    fixed = apply(gr, tmp_path / "fixed")
    assert fixed.returncode == 0, fixed.stderr
    assert "released: 1 file held back before" in fixed.stdout
    assert rows(tmp_path / "fixed")[("新規", NEWCOMER)]["利用者名（漢字）"] == "葛西 花子"
    assert state(gr)["held"] == {}


def test_a_held_rename_then_deleted_goes_out_as_downstream_holds_the_person(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A renaming CP932 cannot hold is held back; the deletion that follows goes out with
    the name downstream holds, which it was written in CP932 with."""
    rel = user_file(THEIRS, LEAVER)
    merge(gr, "dash", lambda: gr.reg.user(THEIRS, LEAVER, name="三井—蓮", name_kana="ミツイ レン",
                                          permissions={"taxis": "1012"}))  # fmt: skip
    held = apply(gr, tmp_path / "held")
    assert held.returncode == 0, held.stderr
    assert rows(tmp_path / "held") == {}  # neither the name nor the code goes out
    assert f"{logged(rel)}:3:1: [error] 利用者名（漢字） holds '—' (U+2014)" in held.stdout
    merge(gr, "leaves", lambda: gr.remove(rel))
    gone = apply(gr, tmp_path / "gone", "--full")
    assert gone.returncode == 0, gone.stderr
    removed = rows(tmp_path / "gone")[("抹消", LEAVER)]
    assert (removed["利用者名（漢字）"], removed["権限コード"]) == ("三井 蓮", "1011")
    assert "held back:" not in gone.stdout and state(gr)["held"] == {}


def test_an_operator_name_cp932_cannot_hold_holds_the_operator_but_not_its_removals(
    gr: GitRegistry, tmp_path: Path
) -> None:
    def rename_and_remove() -> None:
        gr.reg.operator(THEIRS, name="アザーガス—株式会社",
                        contacts=[contact(n=9, email="window@other-gas.example.co.jp")],
                        subcontractors=[])  # fmt: skip
        gr.remove(user_file(THEIRS, LEAVER))
        gr.reg.user(OURS, NEWCOMER, name="葛西 花子", name_kana=KANA)

    merge(gr, "rename-remove-add", rename_and_remove)
    out = tmp_path / "out"
    result = apply(gr, out)
    assert result.returncode == 0, result.stderr
    assert set(rows(out)) == {("抹消", LEAVER), ("新規", NEWCOMER)}
    assert rows(out)[("抹消", LEAVER)]["事業者名"] == "テストガス株式会社"  # as downstream has it
    assert f"registry/operators/{THEIRS}.yaml:3:1: [error] 事業者名 holds '—'" in result.stdout
    assert list(state(gr)["held"]) == [f"operators/{THEIRS}.yaml"]


def test_a_first_apply_loads_all_but_the_file_cp932_cannot_hold(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    reg.user(OURS, NEWCOMER, name="𠮷田 花子", name_kana="ヨシダ ハナコ")
    made = GitRegistry(reg)
    try:
        made.commit("a name CP932 cannot hold")
        out = tmp_path / "out"
        result = apply(made, out, "--initial")
        assert result.returncode == 0, result.stderr
        snapshot = read_csv(out / "imports/taxis/snapshot.csv", "cp932")
        assert {r["メールアドレス（ID）"] for r in snapshot} == {STAYS}
        rel = user_file(OURS, NEWCOMER)
        assert state(made)["held"][rel]["rev"] is None  # downstream holds nothing of it
    finally:
        made.close()


def plan(gr: GitRegistry, branch: str, *fmt: str) -> str:
    result = accessreg(gr, "plan", "--base", "main", "--head", branch, "--today", ON,
                       "--merged-on", ON, "--accepted-on", ON, *fmt)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def branch(gr: GitRegistry, name: str, change: Callable[[], object]) -> None:
    gr.branch(name, "main")
    change()
    gr.commit(f"{name}: change")
    gr.checkout("main")


def test_the_plan_tells_what_the_merge_will_hold_back_and_releases_only_a_fix(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The runs record their encoding: a pull request's plan says which of its values the
    merge's run cannot write, and does not count a file held back for one as released by a
    change that leaves the value as it is."""
    assert state(gr)["encoding"] == "cp932"
    rel = user_file(OURS, NEWCOMER)
    branch(gr, "ivs", lambda: gr.reg.user(OURS, NEWCOMER, name=IVS, name_kana=KANA))
    told = plan(gr, "ivs", "--format", "markdown")
    assert "**⚠️ Held back once merged: main's runs write the CSVs in CP932" in told
    assert f"- `registry/{rel}:3`: `利用者名（漢字） holds '\U000e0100' (U+E0100)" in told
    (unwritable,) = json.loads(plan(gr, "ivs", "--format", "json"))["unwritable"]
    assert (unwritable["file"], unwritable["rule"]) == (f"registry/{rel}", "csv-encoding")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "ivs")
    assert apply(gr, tmp_path / "held").returncode == 0
    assert list(state(gr)["held"]) == [rel]

    branch(gr, "other", lambda: gr.reg.user(THEIRS, "new@other-gas.example.co.jp"))
    other = json.loads(plan(gr, "other", "--format", "json"))
    assert other["released"] == [] and "unwritable" not in other
    branch(gr, "fix", lambda: gr.reg.user(OURS, NEWCOMER, name="葛西 花子", name_kana=KANA))
    (released,) = json.loads(plan(gr, "fix", "--format", "json"))["released"]
    assert [i["key"] for i in released["items"]] == [NEWCOMER]


def test_a_plan_in_utf_8_says_nothing_of_encodings(reg: RegistryFactory) -> None:
    made = GitRegistry(reg)
    try:
        branch(made, "ivs", lambda: made.reg.user(OURS, NEWCOMER, name=IVS, name_kana=KANA))
        assert "unwritable" not in json.loads(plan(made, "ivs", "--format", "json"))
        assert "Held back once merged" not in plan(made, "ivs")
    finally:
        made.close()


def test_a_run_naming_no_encoding_writes_in_the_recorded_one(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The scheduled run's apply names no encoding: it writes what the merges' runs write,
    and leaves the recorded encoding as it was; naming another switches for every run."""
    merge(gr, "newcomer", lambda: gr.reg.user(OURS, NEWCOMER, name="葛西 花子", name_kana=KANA))
    out = tmp_path / "unnamed"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    (path,) = (out / "imports/taxis").glob("delta-*.csv")
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")  # no UTF-8 BOM
    assert rows(out)[("新規", NEWCOMER)]["利用者名（漢字）"] == "葛西 花子"
    assert state(gr)["encoding"] == "cp932"
    back = accessreg(gr, "apply", "--out", str(tmp_path / "b"), "--head", "HEAD",
                     "--encoding", "utf-8", "--confirm", "--base", "HEAD", *DAY)  # fmt: skip
    assert back.returncode == 0, back.stderr
    assert "encoding" not in state(gr)
    named_none = tmp_path / "after"
    merge(gr, "memo", lambda: gr.reg.user(OURS, NEWCOMER, name=IVS, name_kana=KANA))
    result = accessreg(gr, "apply", "--out", str(named_none), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    (path,) = (named_none / "imports/taxis").glob("delta-*.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "held back" not in result.stdout  # UTF-8 holds what CP932 cannot
