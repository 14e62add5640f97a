"""The plan tells the reviewers, before the merge, that a change trips the merge's removal
rail: the login IDs it removes counted as ``apply`` counts them, at the share it refuses
beyond, so that a small registry's legitimate 利用申請（終了） is merged when the maintainers
are ready to confirm it. The real commands on real git repositories."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accessreg import i18n
from accessreg.files.loading import load
from accessreg.files.sources import DirectorySource
from accessreg.model.removal import DEFAULT_MAX_REMOVAL_SHARE, Removal, removal
from accessreg.outputs.access import effective_access
from accessreg.plan.attention import mass_removal
from accessreg.plan.model import MassRemoval
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import accessreg
from tests.helpers.regfactory import RegistryFactory, contact, run_cli

OTHER = "OTHEROP1"
TESTOP = "TESTOP01"
ON = "2026-12-03"
DAY = ["--today", ON, "--accepted-on", ON]


def _staff(code: str, n: int) -> str:
    return f"staff{n}@{code.lower()}.example.co.jp"


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    """Ten login IDs: TESTOP01's window person and three users (four, 40 %), OTHEROP1's
    window person and five users."""
    for n in (2, 3):
        reg.user(email=f"user{n}@test-gas.example.co.jp")
    reg.operator(OTHER, contacts=[contact(n=9, github="other-window")], subcontractors=None)
    for n in range(1, 6):
        reg.user(OTHER, _staff(OTHER, n), affiliation=OTHER)
    made = GitRegistry(reg)
    made.commit("two operators")
    yield made
    made.close()


def _terminate(gr: GitRegistry) -> None:
    """TESTOP01's 利用申請（終了）: every one of its users' files goes with it (000 §3-3)."""
    gr.reg.operator(status="terminated", terminated_on="2026-12-31")
    for user in (gr.reg.root / "users" / TESTOP).glob("*.yaml"):
        user.unlink()


def _remove_users(gr: GitRegistry, count: int) -> None:
    """The 利用権限の抹消申請 of ``count`` of OTHEROP1's users."""
    for n in range(1, count + 1):
        gr.remove(f"users/{OTHER}/{_staff(OTHER, n)}.yaml")


def _plan(gr: GitRegistry, *lang: str, fmt: str = "markdown") -> str:
    result = run_cli(*lang, "plan", "--base", "main", "--head", "pr", "--format", fmt,
                     "--accepted-on", ON, "--actor", "window-1", cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def _pr(gr: GitRegistry, change: Any) -> None:
    gr.branch("pr")
    change()
    gr.commit("pr")


def _whole(gr: GitRegistry, rev: str) -> set[str]:
    """The login IDs with a permission at ``rev``, from the whole registry there."""
    gr.checkout(rev)
    try:
        registry = load(DirectorySource(gr.reg.root)).registry
    finally:
        gr.checkout("pr")
    assert registry is not None
    return set(effective_access(registry))


def test_a_termination_of_40_percent_of_the_login_ids_is_told_in_every_form(
    gr: GitRegistry,
) -> None:
    _pr(gr, lambda: _terminate(gr))
    ja = _plan(gr)
    said = (
        "⚠️ **大量削除**: この変更は、ログイン ID 全 10 件のうち 4 件（40%。上限は 25%）を削除します"
        f"（{TESTOP} の ID）。マージすると大量削除として扱われ、受付担当者が "
        "--allow-mass-removal で確認するまで、この申請と、後からマージされる申請は事業者を問わず"
        "反映されません。承認する前に、マージの時期を受付担当者と調整してください"
    )
    assert said in ja
    # At the top, before the summary, and told by the authorization too (no fast track).
    assert ja.index(said) < ja.index("### 概要")
    assert f"- 要確認 registry/operators/{TESTOP}.yaml: この変更は、ログイン ID 全 10 件" in ja
    assert "（`mass-removal`）" in ja
    assert "優先処理可" not in ja  # revoke only, but no fast track
    en = _plan(gr, "--lang", "en")
    assert (
        "⚠️ **Mass removal**: This change removes 4 of the 10 login IDs (40%, over 25%; those of "
        "TESTOP01). Once merged, provisioning refuses it as a mass removal: it holds back this "
        "application and every one merged after it"
    ) in en
    plan = json.loads(_plan(gr, fmt="json"))
    found = plan["mass_removal"]
    assert {k: found[k] for k in ("before", "after", "removed", "share", "max_share")} == {
        "before": 10, "after": 6, "removed": 4, "share": 0.4, "max_share": 0.25,
    }  # fmt: skip
    assert found["operators"] == [TESTOP]
    assert found["paths"][0] == f"registry/operators/{TESTOP}.yaml"
    assert found["message"] in said
    text = _plan(gr, fmt="text")
    assert "大量削除: この変更は、ログイン ID 全 10 件のうち 4 件（40%。上限は 25%）を削除" in text


def test_a_removal_within_the_share_says_nothing(gr: GitRegistry) -> None:
    _pr(gr, lambda: _remove_users(gr, 2))  # 2 of 10: 20 %
    ja = _plan(gr)
    assert "大量削除" not in ja and "mass-removal" not in ja
    assert json.loads(_plan(gr, fmt="json"))["mass_removal"] is None


def test_emptying_the_registry_is_told_whatever_the_share(on_pr: GitRegistry) -> None:
    """The only operator's termination takes every login ID: refused at any share."""
    _terminate(on_pr)
    on_pr.commit("pr")
    plan = json.loads(_plan(on_pr, "--lang", "en", fmt="json"))["mass_removal"]
    assert (plan["before"], plan["after"], plan["removed"]) == (2, 0, 2)
    assert plan["message"].startswith(
        "This change removes every login ID (2 in all, of TESTOP01). Once merged"
    )
    assert "この変更は、ログイン ID 全 2 件をすべて削除します（TESTOP01 の ID）" in _plan(on_pr)


def test_the_only_login_id_removed_reads_right() -> None:
    """A registry of one login ID, emptied: told as any other, never 「the 1 login IDs」."""
    found = MassRemoval(removal({"a@x.example.jp"}, set()), DEFAULT_MAX_REMOVAL_SHARE,
                        (TESTOP,), ())  # fmt: skip
    assert i18n.text(mass_removal(found), "en").startswith(
        f"This change removes every login ID (1 in all, of {TESTOP}). Once merged"
    )
    assert i18n.text(mass_removal(found), "ja").startswith(
        f"この変更は、ログイン ID 全 1 件をすべて削除します（{TESTOP} の ID）。"
    )


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5])
def test_the_plan_warns_exactly_when_the_merges_apply_refuses(
    gr: GitRegistry, tmp_path: Path, count: int
) -> None:
    """Removing OTHEROP1's users one by one: up to two of ten (20 %) pass; three (30 %)
    and more trip the rail. The plan's count is that of the whole registries and of apply
    itself, which refuses the merge exactly when the plan warned."""
    initial = accessreg(gr, "apply", "--out", str(tmp_path / "i"), "--initial", "--confirm", *DAY)
    assert initial.returncode == 0, initial.stderr
    _pr(gr, lambda: _remove_users(gr, count))
    warned = json.loads(_plan(gr, fmt="json"))["mass_removal"]
    whole = removal(_whole(gr, "main"), _whole(gr, "pr"))
    trips = whole.trips(DEFAULT_MAX_REMOVAL_SHARE)
    assert (warned is not None) is trips
    assert trips is (count / 10 > DEFAULT_MAX_REMOVAL_SHARE)
    if warned is not None:
        assert Removal(warned["before"], warned["after"], warned["removed"]) == whole
    gr.checkout("main")
    gr.merge("pr")
    applied = accessreg(gr, "--lang", "en", "apply", "--out", str(tmp_path / "o"), *DAY)
    assert (applied.returncode == 1) is trips, applied.stdout + applied.stderr
    if trips:
        assert f"Refusing to remove {count} of 10 login IDs" in applied.stderr
    else:
        assert f"login IDs: 10 → {10 - count} ({count} removed)" in applied.stdout


def test_a_padded_change_keeps_its_warning_at_the_least_room(gr: GitRegistry) -> None:
    """A termination padded with users of long names, at the least room of the comment
    (``--max-chars 1000``): the items are cut, the warning stays whole at the top."""
    for n in range(10, 50):
        gr.reg.user(email=f"user{n}@test-gas.example.co.jp", name="長い名前" * 30)
    gr.commit("forty more users of TESTOP01")
    _pr(gr, lambda: _terminate(gr))
    result = run_cli("--lang", "en", "plan", "--base", "main", "--head", "pr", "--format",
                     "markdown", "--max-chars", "1000", "--accepted-on", ON, "--actor",
                     "window-1", cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    comment = result.stdout
    assert len(comment) <= 1000
    assert "44 more item(s) of 1 operator(s) are not shown here" in comment
    removal = json.loads(_plan(gr, fmt="json"))["mass_removal"]
    assert (removal["before"], removal["removed"]) == (50, 44)
    share = "(88%, over 25%; those of "
    said = "⚠️ **Mass removal**: This change removes 44 of the 50 login IDs " + share
    assert said + f"{TESTOP}). Once merged, provisioning refuses it" in comment


def test_two_merges_each_within_the_share_are_applied_together(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Two 抹消申請 reviewed apart, two of OTHEROP1's users each (20 % of the ten IDs, then
    25 % of the eight left), merged before one run applies both: neither plan warned, so
    neither trips the run, though together they take four of ten (40 %). One merge of
    three (30 %) after them still does, named in the refusal."""
    initial = accessreg(gr, "apply", "--out", str(tmp_path / "i"), "--initial", "--confirm", *DAY)
    assert initial.returncode == 0, initial.stderr
    for name, users in (("first", (1, 2)), ("second", (3, 4))):
        gr.branch(name, "main")
        for n in users:
            gr.remove(f"users/{OTHER}/{_staff(OTHER, n)}.yaml")
        gr.commit(name)
        assert json.loads(_plan_of(gr, name))["mass_removal"] is None
        gr.checkout("main")
        gr.merge(name)
    applied = accessreg(gr, "--lang", "en", "apply", "--out", str(tmp_path / "o"), *DAY)
    assert applied.returncode == 0, applied.stderr
    assert "login IDs: 10 → 6 (4 removed)" in applied.stdout
    gr.branch("third", "main")
    _terminate(gr)
    gr.commit("third: TESTOP01 terminated")
    gr.checkout("main")
    gr.merge("third")
    refused = accessreg(gr, "--lang", "en", "apply", "--out", str(tmp_path / "t"), *DAY)
    assert refused.returncode == 1
    assert "Refusing to remove 4 of 6 login IDs" in refused.stderr
    assert "Merge branch 'third'" in refused.stderr


def _plan_of(gr: GitRegistry, head: str) -> str:
    result = run_cli("plan", "--base", "main", "--head", head, "--format", "json",
                     "--accepted-on", ON, "--actor", "window-1", cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout
