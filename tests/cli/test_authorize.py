"""Who may propose what, on real repositories: every rule and the attacks on them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date

import pytest

from accessreg import i18n
from accessreg.gitio.repo import GitRepository
from accessreg.plan import Application, WindowPersonChange
from accessreg.review.authorize import RULES, Decision
from accessreg.review.pullrequest import PullRequest, read_pull_request
from accessreg.timeline.effective import Events
from tests.helpers.annotations import title
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, certificate, contact, run_cli

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


MINE = "window-1"  # window person of TESTOP01
THEIRS = "window-9"  # window person of OTHEROP1
MAINTAINER = "uketsuke-sato"
USER1 = "users/TESTOP01/user1@test-gas.example.co.jp.yaml"
OTHER_USER = "users/OTHEROP1/other@other-gas.example.co.jp.yaml"


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    reg.operator(
        "OTHEROP1",
        contacts=[contact(n=9, email="window9@other-gas.example.co.jp")],
        subcontractors=[{"code": "OTHSUB01", "name": "他社委託株式会社"}],
    )
    reg.user("OTHEROP1", "other@other-gas.example.co.jp")
    made = GitRegistry(reg)
    made.branch("pr")
    yield made
    made.close()


def review(gr: GitRegistry, actor: str, base: str = "main", head: str = "pr") -> PullRequest:
    with GitRepository(gr.path) as repo:
        return read_pull_request(repo, base, head, Events(), date(2026, 11, 24), actor)


def decide(gr: GitRegistry, actor: str, base: str = "main") -> Decision:
    decision = review(gr, actor, base).decision
    assert decision is not None
    return decision


def refused(decision: Decision) -> set[tuple[str, str]]:
    return {(p.file, p.rule) for p in decision.refused}


def test_every_rule_is_documented() -> None:
    assert {r.id for r in RULES} == {
        "maintainers-only",
        "not-a-file",
        "operator-files",
        "new-operator",
        "new-operator-contact",
        "code-declared",
        "user-move",
        "affiliation-foreign",
        "subcontractor-operator",
        "maintainer-fields",
        "suspension-date",
        "admin-id-once",
        "mass-removal",
    }
    assert all(r.summary for r in RULES)


def test_a_window_person_changes_their_own_operator(gr: GitRegistry) -> None:
    gr.reg.user(email="user1@test-gas.example.co.jp", permissions={"taxis": "1010"})
    gr.reg.user(email="new@test-gas.example.co.jp")
    gr.reg.operator(contacts=[contact(), contact("deputy", n=2)])
    gr.commit("own changes")
    decision = decide(gr, MINE)
    assert decision.allowed
    assert decision.acts_for == ("TESTOP01",)
    assert decision.role == "window person"
    assert len(decision.paths) == 3
    assert decide(gr, "Window-1").allowed  # GitHub logins ignore case


def test_editing_another_operators_user_is_refused(gr: GitRegistry) -> None:
    gr.reg.user("OTHEROP1", "other@other-gas.example.co.jp", permissions={"taxis": "1010"})
    gr.commit("edit theirs")
    decision = decide(gr, MINE)
    assert refused(decision) == {(f"registry/{OTHER_USER}", "operator-files")}
    assert decide(gr, THEIRS).allowed


def test_a_stranger_may_change_nothing(gr: GitRegistry) -> None:
    gr.remove(USER1)
    gr.commit("remove")
    decision = decide(gr, "stranger")
    assert refused(decision) == {(f"registry/{USER1}", "operator-files")}
    assert decision.role == "no role"


@pytest.mark.parametrize(
    "path",
    [
        "registry/systems.yaml",
        "registry/calendar.yaml",
        "registry/maintainers.yaml",
        "schemas/user.schema.json",
        "tooling/accessreg/__init__.py",
        ".github/workflows/pull-request.yml",
        ".github/CODEOWNERS",
        "README.md",
        "tests/test_x.py",
        "registry/notes.txt",
    ],
)
def test_every_other_path_is_maintainers_only(gr: GitRegistry, path: str) -> None:
    gr.write(path, "changed\n")
    gr.commit(f"touch {path}")
    assert refused(decide(gr, MINE)) == {(path, "maintainers-only")}
    assert decide(gr, MAINTAINER).allowed


def test_a_submodule_entry_or_a_link_in_the_registry_is_refused_to_anyone(
    gr: GitRegistry,
) -> None:
    """A gitlink named as a user's file passed every check unseen (nothing read it, the plan
    said nothing changes); a link would be read as its target's path. Both are refused,
    and the plan lists them as unreadable, so that nothing fast-tracks them."""
    gitlink = "registry/users/TESTOP01/new.user@test-gas.example.co.jp.yaml"
    link = gr.reg.root / "users/TESTOP01/link@test-gas.example.co.jp.yaml"
    link.symlink_to("{email: link@test-gas.example.co.jp, name: 試験, permissions: {}}")
    gr.remove(USER1)  # and a plain deletion, which alone would be fast-tracked
    gr.repo.git.add("-A")
    gr.repo.git.update_index("--add", "--cacheinfo", f"160000,{gr.rev()},{gitlink}")
    gr.repo.git.commit("-q", "-m", "a submodule entry and a link")
    for actor in (MINE, MAINTAINER):
        decision = decide(gr, actor)
        assert refused(decision) == {
            (gitlink, "not-a-file"),
            ("registry/users/TESTOP01/link@test-gas.example.co.jp.yaml", "not-a-file"),
        }
        assert not decision.revoke_only
    said = {p.file: p.message.english() for p in decide(gr, MINE).refused}
    assert said[gitlink] == (
        "This is a submodule entry (gitlink), not a file: the registry holds only files; "
        "remove it, and write the file itself if one belongs here"
    )
    plan = review(gr, MINE).plan
    assert set(plan.unreadable) == {
        gitlink,
        "registry/users/TESTOP01/link@test-gas.example.co.jp.yaml",
    }


def test_a_maintainer_may_change_any_operator(gr: GitRegistry) -> None:
    gr.reg.user("OTHEROP1", "other@other-gas.example.co.jp", permissions={"taxis": "1010"})
    gr.reg.operator(name="変更")
    gr.commit("maintenance")
    decision = decide(gr, MAINTAINER)
    assert decision.allowed and decision.maintainer


def test_adding_yourself_as_a_contact_and_acting_is_refused(gr: GitRegistry) -> None:
    gr.reg.operator(contacts=[contact(), contact("deputy", n=7, github="intruder")])
    gr.reg.user(email="planted@test-gas.example.co.jp")
    gr.commit("add myself and a user")
    decision = decide(gr, "intruder")
    assert refused(decision) == {
        ("registry/operators/TESTOP01.yaml", "operator-files"),
        ("registry/users/TESTOP01/planted@test-gas.example.co.jp.yaml", "operator-files"),
    }


def test_a_contact_added_in_a_merged_change_may_act_afterwards(gr: GitRegistry) -> None:
    gr.reg.operator(contacts=[contact(), contact("deputy", n=7, github="newcomer")])
    gr.commit("window-1 adds a deputy")
    gr.checkout("main")
    gr.merge("pr")
    gr.branch("pr2")
    gr.reg.user(email="by-newcomer@test-gas.example.co.jp")
    gr.commit("the deputy acts")
    with GitRepository(gr.path) as repo:
        decision = read_pull_request(
            repo, "main", "pr2", Events(), date(2026, 11, 24), "newcomer"
        ).decision
    assert decision is not None and decision.allowed


def test_authority_comes_from_the_base_not_the_old_merge_base(gr: GitRegistry) -> None:
    gr.reg.user(email="late@test-gas.example.co.jp")
    gr.commit("window-1's pull request, opened long ago")
    gr.checkout("main")
    gr.branch("demote")
    gr.reg.operator(contacts=[contact(n=2)])  # window-1 is no longer a window person
    gr.commit("replace the window person")
    gr.checkout("main")
    gr.merge("demote")
    decision = decide(gr, MINE)
    assert refused(decision) == {
        ("registry/users/TESTOP01/late@test-gas.example.co.jp.yaml", "operator-files")
    }


def test_a_new_operator_by_one_of_its_contacts_is_flagged_for_review(gr: GitRegistry) -> None:
    gr.reg.operator("NEWOP001", contacts=[contact(n=5, github="founder")], subcontractors=[])
    gr.reg.user("NEWOP001", "first@new-op.example.co.jp")
    gr.commit("new operator")
    decision = decide(gr, "founder")
    assert decision.allowed
    assert {(p.file, p.rule) for p in decision.review} == {
        ("registry/operators/NEWOP001.yaml", "new-operator"),
        ("registry/users/NEWOP001/first@new-op.example.co.jp.yaml", "new-operator"),
    }
    assert not decision.fast_track
    assert refused(decide(gr, "someone")) == {
        ("registry/operators/NEWOP001.yaml", "new-operator-contact"),
        ("registry/users/NEWOP001/first@new-op.example.co.jp.yaml", "new-operator-contact"),
    }


def test_claiming_an_existing_operator_as_new_is_refused(gr: GitRegistry) -> None:
    # OTHEROP1 exists at the base: rewriting its file with yourself as contact is an edit.
    gr.reg.operator("OTHEROP1", contacts=[contact(n=5, github="founder")])
    gr.commit("take over")
    assert refused(decide(gr, "founder")) == {
        ("registry/operators/OTHEROP1.yaml", "operator-files")
    }


def test_an_operator_registered_on_main_meanwhile_is_not_new(gr: GitRegistry) -> None:
    gr.reg.operator("LATEOP01", contacts=[contact(n=5, github="squatter")], subcontractors=[])
    gr.commit("squat a code")
    gr.checkout("main")
    gr.branch("real")
    gr.reg.operator("LATEOP01", contacts=[contact(n=6, github="owner")], subcontractors=[])
    gr.commit("the real operator")
    gr.checkout("main")
    gr.merge("real")
    assert refused(decide(gr, "squatter")) == {
        ("registry/operators/LATEOP01.yaml", "operator-files")
    }


# --- an operator whose file no longer loads at the base (issue 11) ---------------------------

OTHER_FILE = "registry/operators/OTHEROP1.yaml"
MALLORY = contact(n=5, github="mallory", email="mallory@other-gas.example.co.jp")
WITHOUT_JUJU = ["taxis", "johs", "loacus"]


def retire_juju(gr: GitRegistry) -> str:
    """On main, a maintainer retires JUJU from the catalog and updates TESTOP01 but forgets
    OTHEROP1, whose file then no longer loads; the commit id."""
    gr.checkout("main")
    catalog = (gr.reg.root / "systems.yaml").read_text(encoding="utf-8")
    start, end = catalog.index("  - id: juju\n"), catalog.index("  - id: loacus\n")
    gr.reg.write("systems.yaml", catalog[:start] + catalog[end:])
    gr.reg.edit("systems.yaml", "[taxis, johs, juju, loacus]", "[taxis, johs, loacus]")
    gr.reg.operator(systems=WITHOUT_JUJU)
    return gr.commit("retire JUJU")


def repair_other(gr: GitRegistry, *contacts: dict[str, str]) -> None:
    """A pull request that makes OTHEROP1's file load again (JUJU dropped)."""
    gr.branch("repair")
    gr.reg.operator(
        "OTHEROP1",
        systems=WITHOUT_JUJU,
        contacts=list(contacts),
        subcontractors=[{"code": "OTHSUB01", "name": "他社委託株式会社"}],
    )
    gr.commit("repair OTHEROP1")


def applications(pr: PullRequest) -> set[Application]:
    return {item.application for op in pr.plan.operators for item in op.items}


def test_repairing_a_file_that_no_longer_loads_takes_nothing_over(gr: GitRegistry) -> None:
    loaded_at = gr.rev("main")  # the last revision where OTHEROP1's file loads
    retire_juju(gr)
    repair_other(gr, MALLORY)
    pr = review(gr, "mallory", head="repair")
    assert "operators/OTHEROP1.yaml" in pr.comparison.base.broken  # the premise
    assert pr.decision is not None
    assert refused(pr.decision) == {(OTHER_FILE, "operator-files")}
    assert pr.decision.review == ()  # not a new operator's usage application
    [problem] = pr.decision.refused
    assert (
        f"as of {loaded_at[:12]}, the last revision where its file loaded"
        in problem.message.english()
    )
    # The plan compares with that version: a change, its window person replaced.
    assert applications(pr) == {Application.USAGE_CHANGE}
    [plan] = pr.plan.operators
    assert {
        (i.action, i.person.email) for i in plan.items if isinstance(i, WindowPersonChange)
    } == {
        ("remove", "window9@other-gas.example.co.jp"),
        ("add", "mallory@other-gas.example.co.jp"),
    }
    assert pr.plan.unreadable == (OTHER_FILE,)  # and says the base's file does not load
    shown = run_cli("plan", "--base", "main", "--head", "repair", "--actor", "mallory",
                    "--format", "markdown", cwd=gr.path)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "usage application (new)" not in shown.stdout
    assert "usage application (change)" in shown.stdout
    assert "**Not authorized**" in shown.stdout


@pytest.mark.parametrize("actor", ["window-9", MAINTAINER])
def test_its_last_window_person_or_a_maintainer_may_repair_it(gr: GitRegistry, actor: str) -> None:
    retire_juju(gr)
    repair_other(gr, contact(n=9, email="window9@other-gas.example.co.jp"))
    pr = review(gr, actor, head="repair")
    assert pr.decision is not None
    assert pr.decision.allowed and pr.decision.review == ()
    assert applications(pr) == {Application.USAGE_CHANGE}


def test_a_file_that_never_loaded_is_for_maintainers_only(gr: GitRegistry) -> None:
    gr.checkout("main")
    gr.reg.operator("GHOST001", contacts=[contact(n=6, github="ghost")], systems=["retired"])
    gr.commit("an operator file that does not load")
    gr.branch("claim")
    gr.reg.operator("GHOST001", contacts=[MALLORY], subcontractors=[])
    gr.commit("make it load, listing myself")
    pr = review(gr, "mallory", head="claim")
    assert pr.decision is not None
    assert refused(pr.decision) == {("registry/operators/GHOST001.yaml", "operator-files")}
    assert "loads neither in the current registry nor in its recent versions" in (
        pr.decision.refused[0].message.english()
    )
    assert pr.decision.review == ()
    assert Application.USAGE_NEW not in applications(pr)
    assert pr.plan.unreadable == ("registry/operators/GHOST001.yaml",)
    maintainer = review(gr, MAINTAINER, head="claim").decision
    assert maintainer is not None and maintainer.allowed and maintainer.review == ()


def test_authority_comes_from_the_base_branch_not_a_side_branch(gr: GitRegistry) -> None:
    # A side branch once held a loading version naming mallory; main never did.
    retire_juju(gr)
    gr.branch("side")
    gr.reg.operator("OTHEROP1", systems=WITHOUT_JUJU, contacts=[MALLORY])
    gr.commit("a version that loads, naming mallory")
    gr.reg.operator("OTHEROP1", contacts=[MALLORY])  # JUJU again: it does not load
    gr.commit("back to a version that does not load")
    gr.checkout("main")
    gr.merge("side")
    repair_other(gr, MALLORY)
    decision = review(gr, "mallory", head="repair").decision
    assert decision is not None
    assert refused(decision) == {(OTHER_FILE, "operator-files")}


def test_authority_over_a_broken_file_on_an_old_merge_base(gr: GitRegistry) -> None:
    # The repair was opened before main moved on: authority is still read at the base.
    retire_juju(gr)
    repair_other(gr, MALLORY)
    gr.checkout("main")
    gr.reg.user(email="later@test-gas.example.co.jp")
    gr.commit("main moves on")
    decision = review(gr, "mallory", head="repair").decision
    assert decision is not None
    assert refused(decision) == {(OTHER_FILE, "operator-files")}
    allowed = review(gr, "window-9", head="repair").decision
    assert allowed is not None and allowed.allowed


def test_moving_a_user_file_between_operators_is_refused(gr: GitRegistry) -> None:
    gr.reg.operator(
        "OTHEROP1", contacts=[contact(n=9, github=MINE, email="w@other-gas.example.co.jp")]
    )
    gr.commit("window-1 becomes OTHEROP1's window person as well")
    gr.checkout("main")
    gr.merge("pr")
    gr.branch("move")
    gr.move(USER1, "users/OTHEROP1/user1@test-gas.example.co.jp.yaml")
    gr.commit("move")
    with GitRepository(gr.path) as repo:
        assert [c.status for c in repo.changes("main", "move")] == ["R"]
    decision = review(gr, MINE, head="move").decision
    assert decision is not None
    assert refused(decision) == {
        (f"registry/{USER1}", "user-move"),
        ("registry/users/OTHEROP1/user1@test-gas.example.co.jp.yaml", "user-move"),
    }


def test_a_rename_that_hides_a_move_is_refused(gr: GitRegistry) -> None:
    # Moved into the actor's own operator and rewritten so that git sees no rename.
    gr.remove(OTHER_USER)
    gr.reg.user(
        email="other@other-gas.example.co.jp",
        name="別人 偽名",
        name_kana="ベツジン ギメイ",
        permissions={"taxis": "1012", "johs": "J1010", "juju": "granted", "loacus": "02011"},
        memo="まったく別の内容に書き換えて類似度を下げる",
    )
    gr.commit("hidden move")
    with GitRepository(gr.path) as repo:
        assert sorted(c.status for c in repo.changes("main", "pr")) == ["A", "D"]
    found = refused(decide(gr, MINE))
    assert (f"registry/{OTHER_USER}", "operator-files") in found
    assert (f"registry/{OTHER_USER}", "user-move") in found
    assert ("registry/users/TESTOP01/other@other-gas.example.co.jp.yaml", "user-move") in found


def test_copying_a_user_of_another_operator_is_refused(gr: GitRegistry) -> None:
    gr.reg.user(email="Other@other-gas.example.co.jp")  # same login ID, other case
    gr.commit("copy")
    assert refused(decide(gr, MINE)) == {
        ("registry/users/TESTOP01/other@other-gas.example.co.jp.yaml", "user-move")
    }


def test_affiliation_at_another_operators_subcontractor_is_refused(gr: GitRegistry) -> None:
    gr.reg.user(email="borrowed@test-gas.example.co.jp", affiliation="OTHSUB01")
    gr.reg.user(email="other-op@test-gas.example.co.jp", affiliation="OTHEROP1")
    gr.commit("point at theirs")
    assert refused(decide(gr, MINE)) == {
        ("registry/users/TESTOP01/borrowed@test-gas.example.co.jp.yaml", "affiliation-foreign"),
        ("registry/users/TESTOP01/other-op@test-gas.example.co.jp.yaml", "affiliation-foreign"),
    }


def test_declaring_their_subcontractor_in_the_same_change_does_not_help(gr: GitRegistry) -> None:
    gr.reg.operator(subcontractors=[{"code": "OTHSUB01", "name": "他社委託株式会社"}])
    gr.reg.user(email="borrowed@test-gas.example.co.jp", affiliation="OTHSUB01")
    gr.commit("declare and use")
    assert refused(decide(gr, MINE)) == {
        ("registry/users/TESTOP01/borrowed@test-gas.example.co.jp.yaml", "affiliation-foreign")
    }


def test_own_and_newly_declared_subcontractors_are_fine(gr: GitRegistry) -> None:
    gr.reg.operator(
        subcontractors=[
            {"code": "TESTSUB1", "name": "テスト委託株式会社"},
            {"code": "NEWSUB01", "name": "新委託株式会社"},
        ]
    )
    gr.reg.user(email="a@test-gas.example.co.jp", affiliation="TESTSUB1")
    gr.reg.user(email="b@test-gas.example.co.jp", affiliation="NEWSUB01")
    gr.commit("own subcontractors")
    assert decide(gr, MINE).allowed


def test_a_registered_operator_as_subcontractor_asks_a_maintainer_at_each_step(
    gr: GitRegistry,
) -> None:
    """A registered operator may do another's work under contract (002 §2.3.1), but only it
    can say so: declaring its code, then entering a user as its staff in a later pull
    request, each ask a maintainer's review; no step is fast-tracked past one."""
    gr.reg.operator(subcontractors=[{"code": "OTHEROP1", "name": "どこかの会社"}])
    gr.commit("declare another operator as subcontractor")
    declared = decide(gr, MINE)
    assert declared.allowed
    assert {(p.file, p.rule) for p in declared.review} == {
        (OPERATOR_FILE, "subcontractor-operator")
    }
    assert declared.review[0].message.english() == (
        "OTHEROP1 is the registered operator テストガス株式会社: a maintainer checks with it "
        "that it does TESTOP01's work under contract before its staff are entered as "
        "TESTOP01's users"
    )
    on_main(gr, "declared")
    gr.reg.user(email="spy@test-gas.example.co.jp", affiliation="OTHEROP1")
    gr.reg.user(affiliation="OTHEROP1", permissions={"taxis": "1011"})  # and one less code
    gr.commit("enter users as the other operator's staff")
    entered = decide(gr, MINE)
    assert entered.allowed and not entered.fast_track
    assert {(p.file, p.rule) for p in entered.review} == {
        ("registry/users/TESTOP01/spy@test-gas.example.co.jp.yaml", "subcontractor-operator"),
        (f"registry/{USER1}", "subcontractor-operator"),
    }
    # The same user, its affiliation unchanged, only losing a code: nothing to ask.
    on_main(gr, "entered")
    gr.reg.user(affiliation="OTHEROP1", permissions={})
    gr.commit("revoke only")
    assert decide(gr, MINE).fast_track


def test_revoke_only_by_a_window_person_is_fast_tracked(gr: GitRegistry) -> None:
    gr.remove(USER1)
    gr.commit("delete a user")
    decision = decide(gr, MINE)
    assert decision.allowed and decision.revoke_only and decision.fast_track
    stranger = decide(gr, "stranger")
    assert stranger.revoke_only and not stranger.fast_track


def test_a_mass_removal_is_reviewed_and_never_fast_tracked(gr: GitRegistry) -> None:
    """TESTOP01's termination takes 2 of the 4 login IDs away (50 %): merged, provisioning
    refuses it, and holds back everything after it, until a maintainer allows it. Deleting
    one user (1 of 4, 25 %: within the rail) is fast-tracked, above."""
    gr.reg.operator(status="terminated", terminated_on="2026-12-31")
    gr.remove(USER1)
    gr.commit("termination")
    decision = decide(gr, MINE)
    assert decision.allowed and decision.revoke_only and not decision.fast_track
    assert [(p.file, p.rule) for p in decision.review] == [
        ("registry/operators/TESTOP01.yaml", "mass-removal")
    ]
    said = i18n.text(decision.review[0].message)
    assert "This change removes 2 of the 4 login IDs (50%, over 25%; those of TESTOP01)" in said
    assert "until a maintainer confirms it with --allow-mass-removal" in said


def test_a_grant_is_not_fast_tracked(gr: GitRegistry) -> None:
    gr.remove(USER1)
    gr.reg.user(email="new@test-gas.example.co.jp")
    gr.commit("replace a user")
    decision = decide(gr, MINE)
    assert decision.allowed and not decision.fast_track


def on_main(gr: GitRegistry, message: str) -> None:
    """Commit what the test wrote as the base branch, and start ``pr`` afresh from it."""
    gr.commit(message)
    gr.checkout("main")
    gr.merge("pr")
    gr.repo.git.checkout("-q", "-B", "pr", "main")


OPERATOR_FILE = "registry/operators/TESTOP01.yaml"
SUSPENDED = {"system": "taxis", "suspended_on": "2026-11-20", "reason": "不正利用の疑い"}


# --- suspension (001 p46, 002 §2.6, §3.4.4) ---------------------------------------------------


def test_a_window_person_may_request_a_suspension_of_their_own(gr: GitRegistry) -> None:
    gr.reg.user(suspended_on="2026-11-20")
    gr.commit("suspend my user's ID: their token was lost")
    decision = decide(gr, MINE)
    assert decision.allowed and decision.fast_track
    assert not decision.immediate  # the reception centre still accepts it
    assert not decide(gr, THEIRS).allowed


def test_a_maintainers_suspension_takes_effect_at_once(gr: GitRegistry) -> None:
    gr.reg.operator(suspensions=[SUSPENDED])
    gr.reg.user(suspended_on="2026-11-20")
    gr.commit("suspend the use of TAXIS and one ID")
    decision = decide(gr, MAINTAINER)
    assert decision.allowed and decision.suspends_only and decision.immediate
    result = run_cli(
        "authorize", "--base", "main", "--head", "pr", "--actor", MAINTAINER, cwd=gr.path
    )
    assert "immediate: a maintainer's suspension" in result.stdout


def test_a_suspension_with_a_grant_is_not_immediate(gr: GitRegistry) -> None:
    gr.reg.user(suspended_on="2026-11-20")
    gr.reg.user(email="new@test-gas.example.co.jp")
    gr.commit("suspend one, add one")
    decision = decide(gr, MAINTAINER)
    assert decision.allowed and not decision.immediate


def test_only_a_maintainer_lifts_a_suspension(gr: GitRegistry) -> None:
    gr.reg.operator(
        suspensions=[SUSPENDED], certificates=[certificate(1, suspended_on="2026-11-20")]
    )
    gr.reg.user(suspended_on="2026-11-20")
    on_main(gr, "suspended")
    gr.reg.operator(certificates=[certificate(1)])
    gr.reg.user()
    gr.commit("lift them all")
    assert refused(decide(gr, MINE)) == {
        (OPERATOR_FILE, "maintainer-fields"),
        (f"registry/{USER1}", "maintainer-fields"),
    }
    messages = " ".join(p.message.english() for p in decide(gr, MINE).refused)
    assert "the use of taxis" in messages and "certificate 7A0001" in messages
    lifted = decide(gr, MAINTAINER)
    assert lifted.allowed and not lifted.revoke_only
    # Removing the suspended user altogether is a deletion, not a lifting.
    gr.reg.operator(
        suspensions=[SUSPENDED], certificates=[certificate(1, suspended_on="2026-11-20")]
    )
    gr.remove(USER1)
    gr.commit("delete the suspended user instead")
    assert decide(gr, MINE).allowed


def test_a_suspension_is_dated_no_later_than_the_day_of_the_application(
    gr: GitRegistry,
) -> None:
    """001 p46: the system's operator stops at once, so a suspension is dated the day it
    stopped. One dated 2099 would hold back every later change of the ID until then, its
    deletion included: refused for everyone, each kind of suspension, on the day the
    application is judged (2026-11-24 here); a suspension dated that day or before is not."""
    later = "2099-12-30"
    gr.reg.operator(
        suspensions=[{**SUSPENDED, "suspended_on": later}],
        certificates=[certificate(1, suspended_on=later)],
    )
    gr.reg.user(suspended_on=later)
    gr.commit("suspend until 2099")
    for actor in (MINE, MAINTAINER):
        decision = decide(gr, actor)
        assert {p.rule for p in decision.refused} == {"suspension-date"}
        assert {p.file for p in decision.refused} == {OPERATOR_FILE, f"registry/{USER1}"}
        assert len(decision.refused) == 3
    messages = " ".join(p.message.english() for p in decide(gr, MINE).refused)
    assert "certificate 7A0001 is dated 2099-12-30" in messages
    assert "after the day of the application (2026-11-24)" in messages
    japanese = " ".join(i18n.text(p.message, "ja") for p in decide(gr, MINE).refused)
    assert "について、利用停止日 2099-12-30 が申請の日（2026-11-24）より後です" in japanese
    # The CLI judges on the day it is given (today in Japan by default).
    ran = run_cli("authorize", "--base", "main", "--head", "pr", "--actor", MINE,
                  "--today", "2026-11-24", cwd=gr.path)  # fmt: skip
    assert ran.returncode == 1 and "(suspension-date)" in ran.stdout, ran.stdout
    gr.reg.operator(
        suspensions=[{**SUSPENDED, "suspended_on": "2026-11-24"}],
        certificates=[certificate(1, suspended_on="2026-11-24")],
    )
    gr.reg.user(suspended_on="2026-11-24")
    gr.commit("suspended today")
    assert decide(gr, MINE).allowed


def test_removing_a_suspended_certificate_is_a_revocation_not_a_lifting(
    gr: GitRegistry,
) -> None:
    """A window person may remove a suspended certificate (it only narrows access, as the
    plan says); lifting its suspension while keeping it, or moving its day later, stays a
    maintainer's."""
    gr.reg.operator(certificates=[certificate(1, suspended_on="2026-11-20"), certificate(2)])
    on_main(gr, "suspended")
    gr.reg.operator(certificates=[certificate(2)])
    gr.commit("remove the suspended certificate")
    removed = decide(gr, MINE)
    assert removed.allowed and removed.revoke_only and removed.fast_track
    gr.reg.operator(certificates=[certificate(1, suspended_on="2026-11-21"), certificate(2)])
    gr.commit("move its day later instead")
    assert refused(decide(gr, MINE)) == {(OPERATOR_FILE, "maintainer-fields")}


def test_adding_back_a_user_removed_while_suspended_lifts_the_suspension(
    gr: GitRegistry,
) -> None:
    """001 p46: deleting the suspended user and adding the same login ID again, in two
    pull requests, is a lifting: a maintainer's, and flagged in the plan."""
    gr.reg.user(suspended_on="2026-11-20")
    on_main(gr, "suspended")
    gr.remove(USER1)
    gr.commit("delete the suspended user")
    assert decide(gr, MINE).fast_track
    on_main(gr, "deleted")
    removed_in = gr.rev("main")
    gr.reg.user(email="USER1@test-gas.example.co.jp")  # the same login ID, in another case
    gr.commit("add the user again")
    readded = decide(gr, MINE)
    assert refused(readded) == {(f"registry/{USER1}", "maintainer-fields")}
    assert "the ID user1@test-gas.example.co.jp was suspended (since 2026-11-20)" in (
        readded.refused[0].message.english()
    )
    assert decide(gr, MAINTAINER).allowed
    notes = [n.message.english() for n in review(gr, MAINTAINER).plan.notes]
    assert (
        "the ID user1@test-gas.example.co.jp was suspended (since 2026-11-20) when it was "
        f"removed in {removed_in[:12]}: adding it again lifts the suspension"
    ) in " ".join(notes)
    # Added back as it was, suspended, nothing is lifted; nor at another operator.
    gr.reg.user(email="USER1@test-gas.example.co.jp", suspended_on="2026-11-20")
    gr.commit("add the user again, still suspended")
    assert decide(gr, MINE).allowed
    assert not review(gr, MINE).plan.notes
    gr.remove(USER1)
    gr.reg.user("OTHEROP1", "user1@test-gas.example.co.jp", affiliation="OTHEROP1")
    gr.commit("add the same login ID at another operator")
    assert refused(decide(gr, THEIRS)) == {
        ("registry/users/OTHEROP1/user1@test-gas.example.co.jp.yaml", "maintainer-fields")
    }


def test_repairing_a_held_back_file_does_not_lift_its_suspension(gr: GitRegistry) -> None:
    """A suspended user's file with an error on main is held back, suspension and all:
    the repair that also drops ``suspended_on`` lifts it, as on a file that loads."""
    gr.reg.user(suspended_on="2026-11-20")
    on_main(gr, "suspended")
    gr.reg.user(suspended_on="2026-11-20", name_kana=None, name_kane="シケン タロウ")
    on_main(gr, "an error reaches main")
    gr.reg.user()
    gr.commit("repair the file and drop the suspension")
    lifted = decide(gr, MINE)
    assert refused(lifted) == {(f"registry/{USER1}", "maintainer-fields")}
    assert "The suspension of the ID user1@test-gas.example.co.jp (since 2026-11-20)" in (
        lifted.refused[0].message.english()
    )
    assert decide(gr, MAINTAINER).allowed
    gr.reg.user(suspended_on="2026-11-20")
    gr.commit("repair the file only")
    assert decide(gr, MINE).allowed


def test_a_user_removed_unsuspended_comes_back_as_any_new_user(gr: GitRegistry) -> None:
    """Only the state the login ID had when it was last removed counts: suspended once,
    lifted by a maintainer, removed after, it is a plain addition."""
    gr.reg.user(suspended_on="2026-11-20")
    on_main(gr, "suspended")
    gr.reg.user()
    on_main(gr, "lifted by a maintainer")
    gr.remove(USER1)
    on_main(gr, "deleted")
    gr.reg.user()
    gr.commit("add the user again")
    decision = decide(gr, MINE)
    assert decision.allowed
    assert not review(gr, MINE).plan.notes


def test_adding_back_a_certificate_removed_while_suspended_lifts_the_suspension(
    gr: GitRegistry,
) -> None:
    """Removing a suspended certificate is allowed: adding the same serial back without its
    suspension, under another certificate ID or at once from another operator, is not."""
    gr.reg.operator(certificates=[certificate(1, suspended_on="2026-11-20")])
    on_main(gr, "suspended")
    gr.reg.operator(certificates=[])
    gr.commit("remove the suspended certificate")
    on_main(gr, "removed")
    gr.reg.operator(certificates=[certificate(1, id="EP-TEST-0099")])
    gr.commit("register it again")
    readded = decide(gr, MINE)
    assert refused(readded) == {(OPERATOR_FILE, "maintainer-fields")}
    assert "certificate 7A0001 was suspended (since 2026-11-20)" in (
        readded.refused[0].message.english()
    )
    notes = " ".join(n.message.english() for n in review(gr, MINE).plan.notes)
    assert "certificate 7A0001 was suspended (since 2026-11-20) when it was removed in" in notes
    gr.reg.operator(certificates=[certificate(1, suspended_on="2026-11-20")])
    gr.commit("register it again, still suspended")
    assert decide(gr, MINE).allowed


def test_a_suspended_certificate_moved_to_another_operator_is_not_lifted(
    gr: GitRegistry,
) -> None:
    """Removed at one operator and added at another in one change, by a window person of
    both: the suspension it had at the first is lifted at the second."""
    both = contact("deputy", n=1)  # window-1 acts for OTHEROP1 too
    others = {
        "contacts": [contact(n=9, email="window9@other-gas.example.co.jp"), both],
        "subcontractors": [{"code": "OTHSUB01", "name": "他社委託株式会社"}],
    }
    gr.reg.operator("OTHEROP1", **others)
    gr.reg.operator(certificates=[certificate(1, suspended_on="2026-11-20")])
    on_main(gr, "suspended")
    gr.reg.operator(certificates=[])
    gr.reg.operator("OTHEROP1", **others, certificates=[certificate(1, cn="OTHEROP1-PC01")])
    gr.commit("move the certificate")
    assert refused(decide(gr, MINE)) == {("registry/operators/OTHEROP1.yaml", "maintainer-fields")}
    notes = " ".join(n.message.english() for n in review(gr, MINE).plan.notes)
    assert (
        "certificate 7A0001 is suspended (since 2026-11-20) at TESTOP01, which removes it" in notes
    )


# --- maintainer-only fields (000 §2-2, 002 §3.2.1) ---------------------------------------------


def test_an_approval_without_the_role_is_recorded_by_a_maintainer(gr: GitRegistry) -> None:
    """「その他当社が必要と認めた事業者」 is the provider's decision (000 §2-2)."""
    approval = {"system": "loacus", "approved_on": "2026-11-20", "reason": "特例の承認"}
    gr.reg.operator(approvals=[approval])
    gr.commit("approved without the role")
    assert refused(decide(gr, MINE)) == {(OPERATOR_FILE, "maintainer-fields")}
    assert decide(gr, MAINTAINER).allowed


# --- admin-id-once (002 §3.2.1) ----------------------------------------------------------------

ADMIN2 = "users/TESTOP01/admin2@test-gas.example.co.jp.yaml"


def _switching_on_main(gr: GitRegistry) -> None:
    gr.reg.switching_operator()
    on_main(gr, "a demand-response contractor using the switching support system")


def test_the_first_application_names_its_admin(gr: GitRegistry) -> None:
    gr.reg.switching_operator()
    gr.commit("apply for the switching support system with its admin")
    assert decide(gr, MINE).allowed


def test_a_change_of_admin_in_one_application_is_allowed(gr: GitRegistry) -> None:
    """002 §3.2.2: a change of admin is applied for as a change."""
    _switching_on_main(gr)
    gr.reg.user(permissions={"switching": "dr_user"})
    gr.reg.user(email="admin2@test-gas.example.co.jp", permissions={"switching": "dr_admin"})
    gr.commit("the admin changes")
    assert decide(gr, MINE).allowed


def test_a_second_issue_after_removal_is_refused(gr: GitRegistry) -> None:
    """002 §3.2.1: 管理者IDの新規発行は1回しか実施できない."""
    _switching_on_main(gr)
    gr.reg.user(permissions={"switching": "dr_user"})
    on_main(gr, "the admin left: no admin for a while")
    gr.reg.user(email="admin2@test-gas.example.co.jp", permissions={"switching": "dr_admin"})
    gr.commit("a new admin")
    assert refused(decide(gr, MINE)) == {(f"registry/{ADMIN2}", "admin-id-once")}
    assert refused(decide(gr, MAINTAINER)) == {(f"registry/{ADMIN2}", "admin-id-once")}
    reissue = {
        "system": "switching",
        "code": "dr_admin",
        "reissued_on": "2026-11-24",
        "reason": "広域機関が再発行を承認（問合せ番号 2026-118）",
    }
    gr.reg.switching_operator(admin_reissues=[reissue])
    gr.reg.user(permissions={"switching": "dr_user"})
    gr.commit("a maintainer records why")
    assert decide(gr, MAINTAINER).allowed
    assert refused(decide(gr, MINE)) == {(OPERATOR_FILE, "maintainer-fields")}


# --- a provisional key moves to its code (003 §2.2) --------------------------------------------


def test_a_provisional_applicant_moves_to_the_code_occto_issued(gr: GitRegistry) -> None:
    applicant = {
        "name": "ほし電力株式会社",
        "roles": ["electricity_retailer"],
        "systems": ["member_portal"],
        "contacts": [contact(n=7, github=MINE, email="window7@hoshi-denki.example.jp")],
        "subcontractors": None,
        "membership": {"status": "provisional", "provisional_since": "2026-10-01"},
    }
    gr.reg.operator("PROV-HOSHI", **applicant)
    staff = "staff@hoshi-denki.example.jp"
    perms = {"member_portal": "user"}
    # Suspended meanwhile: the suspension moves with the file, it is not lifted.
    suspended = "2026-11-01"
    gr.reg.user(
        "PROV-HOSHI", staff, affiliation="PROV-HOSHI", permissions=perms, suspended_on=suspended
    )
    on_main(gr, "a provisional application")
    gr.move("operators/PROV-HOSHI.yaml", "operators/HOSHI001.yaml")
    gr.move(f"users/PROV-HOSHI/{staff}.yaml", f"users/HOSHI001/{staff}.yaml")
    gr.reg.operator("HOSHI001", **applicant)
    gr.reg.user(
        "HOSHI001", staff, affiliation="HOSHI001", permissions=perms, suspended_on=suspended
    )
    gr.commit("the operator code is issued")
    decision = decide(gr, MINE)
    assert decision.allowed, decision.refused
    # Moving to someone else's code is still a move between operators.
    gr.checkout("main")
    gr.branch("elsewhere")
    gr.move(f"users/PROV-HOSHI/{staff}.yaml", f"users/OTHEROP1/{staff}.yaml")
    gr.commit("move a user to another operator")
    elsewhere = review(gr, MAINTAINER, head="elsewhere").decision
    assert elsewhere is not None
    assert {rule for _, rule in refused(elsewhere)} == {"user-move"}


def test_cli_exit_codes_and_one_line_per_refused_path(gr: GitRegistry) -> None:
    gr.write("registry/systems.yaml", "changed\n")
    gr.write(".github/workflows/pull-request.yml", "changed\n")
    gr.reg.user(email="fine@test-gas.example.co.jp")
    gr.commit("mixed")
    result = run_cli("authorize", "--base", "main", "--head", "pr", "--actor", MINE, cwd=gr.path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        f".github/workflows/pull-request.yml:1:1: [error] {ONLY_MAINTAINERS} (maintainers-only)",
        f"registry/systems.yaml:1:1: [error] {ONLY_MAINTAINERS} (maintainers-only)",
    ]
    assert lines[2].startswith("not allowed: 2 refusals among 3 changed paths for window-1")
    ok = run_cli("authorize", "--base", "main", "--actor", MAINTAINER, "--head", "pr",
                 "--format", "json", cwd=gr.path)  # fmt: skip
    assert ok.returncode == 0
    assert json.loads(ok.stdout)["role"] == "maintainer"


ONLY_MAINTAINERS = (
    "Only a maintainer may change this file: ask the reception centre to make this change, or "
    "leave the file out"
)
WORKFLOW_COMMAND = re.compile(
    r"^::(error|warning) file=([^,]*),line=(\d+),col=(\d+),title=([^:,]*)::(.*) \(([a-z-]+)\)$"
)


def test_the_decision_is_printed_by_validates_reporters(gr: GitRegistry) -> None:
    gr.write("registry/systems.yaml", "changed\n")
    gr.reg.operator("NEWOP001", contacts=[contact(n=5, github="founder")], subcontractors=[])
    gr.commit("a new operator and the catalog")
    args = ("authorize", "--base", "main", "--head", "pr", "--actor", "founder")
    text = run_cli(*args, cwd=gr.path)
    assert text.returncode == 1, text.stderr
    assert text.stdout.splitlines() == [
        "registry/operators/NEWOP001.yaml:1:1: [warning] A new operator NEWOP001: a maintainer "
        "must review the usage application (roles, systems, OCCTO membership, privacy policy "
        "page) (new-operator)",
        f"registry/systems.yaml:1:1: [error] {ONLY_MAINTAINERS} (maintainers-only)",
        "not allowed: 1 refusal among 2 changed paths for founder (neither a maintainer "
        "nor a window person)",
    ]
    github = run_cli(*args, "--format", "github", cwd=gr.path)
    assert github.returncode == 1, github.stderr
    commands = [
        m.groups() for line in github.stdout.splitlines() if (m := WORKFLOW_COMMAND.match(line))
    ]
    assert [(c[0], c[1], c[2], c[4], c[6]) for c in commands] == [
        ("warning", "registry/operators/NEWOP001.yaml", "1", title("new-operator"), "new-operator"),
        ("error", "registry/systems.yaml", "1", title("maintainers-only"), "maintainers-only"),
    ]
    assert github.stdout.splitlines()[-1].startswith("not allowed: 1 refusal ")
    data = json.loads(run_cli(*args, "--format", "json", cwd=gr.path).stdout)
    assert data["allowed"] is False
    assert data["refused"] == [
        {
            "file": "registry/systems.yaml",
            "line": 1,
            "col": 1,
            "level": "error",
            "rule": "maintainers-only",
            "message": ONLY_MAINTAINERS,
            "path": "",
        }
    ]
    assert [(p["file"], p["level"], p["rule"]) for p in data["review"]] == [
        ("registry/operators/NEWOP001.yaml", "warning", "new-operator")
    ]


def test_a_step_down_is_fast_tracked_in_the_words_of_the_plan(gr: GitRegistry) -> None:
    """A step-down (1011 to 1010, 縮小) takes nothing away whole: the fast track is worded
    for removals and narrowings alike, as the plan's 削除・縮小のみ is."""
    gr.reg.user(permissions={"taxis": "1010", "johs": "J1010"})
    gr.commit("update rights to none")
    assert decide(gr, MINE).fast_track
    asked = ("--base", "main", "--head", "pr", "--actor", MINE)
    md = run_cli("--lang", "ja", "plan", *asked, "--format", "markdown",
                 "--accepted-on", "2026-11-24", cwd=gr.path)  # fmt: skip
    assert md.returncode == 0, md.stderr
    assert "**削除・縮小のみ**" in md.stdout
    assert "**優先処理可**: 権限の削除・縮小だけの変更で、申請者に権限があります。" in md.stdout
    text = run_cli("--lang", "ja", "authorize", *asked, cwd=gr.path)
    assert text.returncode == 0, text.stderr
    assert "優先処理可: すべての項目が権限の削除・縮小で、申請者に権限があります" in text.stdout
    assert "権限を外す" not in md.stdout + text.stdout


def test_plan_with_actor_marks_fast_track(gr: GitRegistry) -> None:
    gr.remove(USER1)
    gr.commit("delete")
    md = run_cli("plan", "--base", "main", "--head", "pr", "--actor", MINE, "--format",
                 "markdown", "--accepted-on", "2026-11-24", cwd=gr.path)  # fmt: skip
    assert md.returncode == 0, md.stderr
    assert "**Fast-track**" in md.stdout
    assert "**Revoke only**" in md.stdout
    js = run_cli("plan", "--base", "main", "--head", "pr", "--actor", "stranger", "--format",
                 "json", cwd=gr.path)  # fmt: skip
    data = json.loads(js.stdout)
    assert data["revoke_only"] is True
    assert data["authorization"]["allowed"] is False
    assert data["authorization"]["fast_track"] is False
