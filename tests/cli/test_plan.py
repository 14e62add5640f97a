"""Plans of real pull requests: every application type, dates, merge bases and rendering."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from accessreg import i18n
from accessreg.gitio.repo import GitRepository
from accessreg.plan import (
    AllowedIpChange,
    Application,
    CertificateChange,
    Direction,
    OperatorChange,
    Plan,
    SubcontractorChange,
    UserChange,
    WindowPersonChange,
    render_json,
    render_markdown,
    render_text,
)
from accessreg.plan.revisions import plan_revisions
from accessreg.timeline.effective import Events
from tests.helpers import githubmd
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, certificate, contact, run_cli

USER1 = "user1@test-gas.example.co.jp"
# The second case of the worked example of 000 §5-1: accepted 2018-12-17, M = 2019-01-07.
ACCEPTED = date(2018, 12, 17)
M = date(2019, 1, 7)


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    made = GitRegistry(reg)
    yield made
    made.close()


def plan_of(gr: GitRegistry, base: str = "main", head: str = "pr", on: date = ACCEPTED) -> Plan:
    with GitRepository(gr.path) as repo:
        return plan_revisions(repo, base, head, Events(accepted=on), on)


def pr(gr: GitRegistry) -> GitRegistry:
    gr.branch("pr")
    return gr


def only(plan: Plan, cls: type[Any], **match: Any) -> Any:
    found = [
        i
        for i in plan.items
        if isinstance(i, cls) and all(getattr(i, k) == v for k, v in match.items())
    ]
    assert len(found) == 1, found
    return found[0]


def effects(item: UserChange | WindowPersonChange) -> dict[str, tuple[Any, ...]]:
    return {e.system: (e.old, e.new, e.direction, e.effective.on) for e in item.effects}


def test_no_change_is_an_empty_plan(gr: GitRegistry) -> None:
    pr(gr).commit("nothing")
    plan = plan_of(gr)
    assert plan.empty
    assert not plan.revoke_only
    assert "事業者・窓口責任者・利用者の変更はありません。" in render_markdown.render(plan)


def test_permission_set_with_the_dates_of_the_worked_example(gr: GitRegistry) -> None:
    pr(gr).reg.user(
        email="New.Person@test-gas.example.co.jp",
        permissions={"taxis": "1010", "johs": "J1010", "juju": "granted", "loacus": "02011"},
    )
    gr.commit("add a user")
    plan = plan_of(gr)
    assert (plan.accepted, plan.processing_day) == (ACCEPTED, M)
    item = only(plan, UserChange)
    assert (item.application, item.action, item.direction) == (
        Application.PERMISSION_SET,
        "add",
        Direction.GRANT,
    )
    assert item.person.email == "New.Person@test-gas.example.co.jp"
    assert item.operator == "TESTOP01"
    assert effects(item) == {
        "taxis": (None, "1010", Direction.GRANT, date(2019, 1, 16)),
        "johs": (None, "J1010", Direction.GRANT, date(2019, 1, 16)),
        "juju": (None, "granted", Direction.GRANT, date(2019, 1, 21)),
        "loacus": (None, "02011", Direction.GRANT, date(2019, 1, 21)),
    }
    assert all(e.effective.processing_day == M for e in item.effects)
    assert item.after is not None and item.after.name_kana == "シケン タロウ"  # kept for apply
    assert plan.operators[0].counts == {Application.PERMISSION_SET: 1}


def test_permission_change_permission_by_permission(gr: GitRegistry) -> None:
    pr(gr).reg.user(
        email=USER1,
        name="試験 次郎",
        name_kana="シケン ジロウ",
        permissions={"taxis": "1010", "loacus": "02010"},
    )
    gr.commit("change user1")
    item = only(plan_of(gr), UserChange)
    assert (item.application, item.action) == (Application.PERMISSION_CHANGE, "change")
    assert effects(item) == {
        # TAXIS/JOHS changes take effect on acceptance; JUJU/LOACUS at M+9 (000 §5-2).
        # Update rights to none narrows access: 1011 includes 1010 in the catalog.
        "taxis": ("1011", "1010", Direction.NARROW, ACCEPTED),
        "johs": ("J1010", None, Direction.REVOKE, ACCEPTED),
        "loacus": (None, "02010", Direction.GRANT, date(2019, 1, 21)),
    }
    assert item.direction is Direction.GRANT
    fields = {f.field: f for f in item.fields}
    assert (fields["name"].old, fields["name"].new) == ("試験 太郎", "試験 次郎")
    assert fields["name_kana"].personal


def test_a_permission_taken_away_only_is_a_revoke(gr: GitRegistry) -> None:
    pr(gr).reg.user(email=USER1, permissions={"taxis": "1011"})
    gr.commit("drop johs")
    plan = plan_of(gr)
    assert only(plan, UserChange).direction is Direction.REVOKE
    assert plan.revoke_only


def test_a_removal_with_a_memo_saying_why_is_revoke_only(gr: GitRegistry) -> None:
    pr(gr).reg.user(email=USER1, permissions={"taxis": "1011"}, memo="異動のため")
    gr.commit("drop johs, say why")
    assert plan_of(gr).revoke_only


def test_a_removal_that_renames_the_user_is_not_revoke_only(gr: GitRegistry) -> None:
    """A new name and kana make the ID another person's (002 §3.3: one ID, one person):
    no fast track lets that through as a mere narrowing."""
    pr(gr).reg.user(
        email=USER1, permissions={"taxis": "1011"}, name="山田 花子", name_kana="ヤマダ ハナコ"
    )
    gr.commit("drop johs, and the ID is someone else's")
    plan = plan_of(gr)
    assert only(plan, UserChange).direction is Direction.REVOKE
    assert not plan.revoke_only


def test_a_record_only_change_is_neutral_and_not_revoke_only(gr: GitRegistry) -> None:
    pr(gr).reg.user(email=USER1, memo="担当替え")
    gr.commit("memo")
    plan = plan_of(gr)
    item = only(plan, UserChange)
    assert item.direction is Direction.NEUTRAL
    assert not plan.revoke_only


def test_permission_delete_dates(gr: GitRegistry) -> None:
    pr(gr).reg.user(
        email="two@test-gas.example.co.jp", permissions={"taxis": "1011", "juju": "granted"}
    )
    gr.commit("add two")
    gr.merge  # noqa: B018 - the user exists on main below
    gr.checkout("main")
    gr.merge("pr")
    gr.branch("pr2")
    gr.remove("users/TESTOP01/two@test-gas.example.co.jp.yaml")
    gr.commit("remove two")
    plan = plan_of(gr, head="pr2")
    item = only(plan, UserChange)
    assert (item.application, item.action, item.direction) == (
        Application.PERMISSION_DELETE,
        "remove",
        Direction.REVOKE,
    )
    removal = {e.system: e.effective for e in item.effects}
    assert removal["taxis"].on == date(2018, 12, 18)  # the day after (000 §5-3)
    assert removal["juju"].on is None and removal["juju"].start == "manual"
    assert plan.revoke_only


def test_changed_email_is_a_removal_and_an_addition(gr: GitRegistry) -> None:
    pr(gr).remove(f"users/TESTOP01/{USER1}.yaml")
    gr.reg.user(email="user1.new@test-gas.example.co.jp")
    gr.commit("new address")
    plan = plan_of(gr)
    removed = only(plan, UserChange, action="remove")
    added = only(plan, UserChange, action="add")
    assert removed.person.email == USER1
    assert added.person.email == "user1.new@test-gas.example.co.jp"
    assert {removed.application, added.application} == {
        Application.PERMISSION_DELETE,
        Application.PERMISSION_SET,
    }


def test_usage_new_operator(gr: GitRegistry) -> None:
    pr(gr).reg.operator(
        "NEWOP001",
        contacts=[contact(n=5), contact("deputy", n=6)],
        subcontractors=[{"code": "NEWSUB01", "name": "新委託株式会社"}],
        certificates=[certificate(3, not_before="2018-11-01", not_after="2020-10-31")],
        ip_allowlist=[{"cidr": "203.0.113.7/32", "reason": "海外拠点", "expires_on": "2027-03-31"}],
    )
    gr.reg.user("NEWOP001", "first@new-op.example.co.jp", affiliation="NEWSUB01")
    gr.commit("new operator")
    plan = plan_of(gr)
    (op,) = plan.operators
    assert op.code == "NEWOP001"
    assert op.counts == {
        Application.USAGE_NEW: 4,
        Application.PERMISSION_SET: 1,
        Application.CERTIFICATE: 1,
        Application.OVERSEAS_IP: 1,
    }
    reg_item = only(plan, OperatorChange)
    assert (reg_item.action, reg_item.direction) == ("add", Direction.GRANT)
    # About 15 business days from acceptance (000 §3-1).
    assert reg_item.effective.on == date(2019, 1, 16)
    window = only(plan, WindowPersonChange, role="deputy")
    assert effects(window) == {
        "admin_console": (None, "granted", Direction.GRANT, date(2019, 1, 16))
    }
    assert window.github == "window-6"
    assert only(plan, SubcontractorChange).application is Application.USAGE_NEW
    cert = only(plan, CertificateChange)
    assert cert.effective.on == date(2019, 1, 16)  # registered at M, usable from M+6
    assert only(plan, AllowedIpChange).direction is Direction.GRANT
    assert only(plan, UserChange).affiliation == "NEWSUB01"


def test_usage_change_of_an_operator(gr: GitRegistry) -> None:
    pr(gr).reg.operator(
        name="テストガス新社名株式会社",
        systems=["taxis", "johs", "juju"],
        contacts=[contact(github="window-1-renamed"), contact("deputy", n=2)],
        subcontractors=[],
    )
    gr.commit("usage change")
    plan = plan_of(gr)
    op_item = only(plan, OperatorChange)
    assert (op_item.application, op_item.action) == (Application.USAGE_CHANGE, "change")
    fields = {f.field: (f.old, f.new) for f in op_item.fields}
    assert fields["systems"] == ("taxis, johs, juju, loacus", "taxis, johs, juju")
    assert fields["name"] == ("テストガス株式会社", "テストガス新社名株式会社")
    assert op_item.direction is Direction.REVOKE  # a system taken away, nothing added
    renamed = only(plan, WindowPersonChange, action="change")
    assert renamed.direction is Direction.GRANT  # a new login may act for the operator
    assert {f.field for f in renamed.fields} == {"github"}
    added = only(plan, WindowPersonChange, action="add")
    assert added.person.email == "window2@test-gas.example.co.jp"
    removed_sub = only(plan, SubcontractorChange)
    assert (removed_sub.action, removed_sub.direction) == ("remove", Direction.REVOKE)
    assert {i.application for i in plan.items} == {Application.USAGE_CHANGE}


def test_window_person_removed_loses_admin_console(gr: GitRegistry) -> None:
    pr(gr).reg.operator(contacts=[contact(), contact("deputy", n=2)])
    gr.commit("add deputy")
    gr.checkout("main")
    gr.merge("pr")
    gr.branch("pr2")
    gr.reg.operator(contacts=[contact()])
    gr.commit("remove deputy")
    plan = plan_of(gr, head="pr2")
    item = only(plan, WindowPersonChange)
    assert (item.action, item.direction) == ("remove", Direction.REVOKE)
    assert effects(item)["admin_console"][:3] == ("granted", None, Direction.REVOKE)
    assert plan.revoke_only


def test_usage_end_lists_every_user_whose_access_ends(gr: GitRegistry) -> None:
    gr.reg.user(email="two@test-gas.example.co.jp")
    gr.commit("second user on main")
    pr(gr).reg.operator(status="terminated", terminated_on="2018-12-28")
    gr.remove(f"users/TESTOP01/{USER1}.yaml")
    gr.remove("users/TESTOP01/two@test-gas.example.co.jp.yaml")
    gr.commit("terminate")
    plan = plan_of(gr)
    end = only(plan, OperatorChange)
    assert (end.application, end.action, end.direction) == (
        Application.USAGE_END,
        "remove",
        Direction.REVOKE,
    )
    assert [p.email for p in end.ending_users] == ["two@test-gas.example.co.jp", USER1]
    assert {u.application for u in plan.users} == {Application.USAGE_END}
    assert plan.revoke_only
    text = render_text.render(plan)
    assert "利用終了: 試験 太郎 two@test-gas.example.co.jp" in text


def test_termination_lists_users_even_when_their_files_stay(gr: GitRegistry) -> None:
    pr(gr).reg.operator(status="terminated", terminated_on="2018-12-28")
    gr.commit("terminate, forgetting the users")
    end = only(plan_of(gr), OperatorChange)
    assert [p.email for p in end.ending_users] == [USER1]


MEMBER_SYSTEMS = ["taxis", "johs", "juju", "loacus", "member_portal"]


def _member(gr: GitRegistry, withdrawn_on: str | None = None) -> None:
    """TESTOP01 an OCCTO member using the member system, its user an ID of it; or, with
    ``withdrawn_on``, withdrawn on that day and using it still (its removal to come)."""
    membership = {"status": "member", "member_since": "2010-04-01"}
    if withdrawn_on is not None:
        membership = {"status": "withdrawn", "withdrawn_on": withdrawn_on}
    gr.reg.operator(
        occto_member=withdrawn_on is None, membership=membership, systems=MEMBER_SYSTEMS
    )
    gr.reg.user(permissions={"taxis": "1011", "johs": "J1010", "member_portal": "user"})
    gr.commit("an OCCTO member")


def test_a_withdrawal_and_a_termination_end_the_member_system_on_the_earlier_day(
    gr: GitRegistry,
) -> None:
    """003 §2.7.1, 000 §3-3: the member system ends with the membership, the others with
    the operator; where the termination comes first, it ends everything."""
    _member(gr)
    for terminated_on, portal in (("2019-01-31", "2019-01-10"), ("2019-01-05", "2019-01-05")):
        gr.checkout("main")
        gr.branch(f"pr-{terminated_on}", "main")
        withdrawn = {"status": "withdrawn", "withdrawn_on": "2019-01-10"}
        gr.reg.operator(
            occto_member=False,
            membership=withdrawn,
            systems=MEMBER_SYSTEMS[:-1],
            status="terminated",
            terminated_on=terminated_on,
        )
        gr.remove(f"users/TESTOP01/{USER1}.yaml")
        gr.commit("withdraw and terminate")
        user = only(plan_of(gr, head=f"pr-{terminated_on}"), UserChange)
        assert {s: e[3] for s, e in effects(user).items()} == {
            "taxis": date.fromisoformat(terminated_on),
            "johs": date.fromisoformat(terminated_on),
            "member_portal": date.fromisoformat(portal),
        }


def test_a_withdrawal_filed_before_ends_the_member_system_on_its_day(gr: GitRegistry) -> None:
    """The withdrawal was filed by an earlier merge that kept the member system: its removal
    now still ends on the withdrawal's day, for the operator and its user alike."""
    _member(gr, withdrawn_on="2019-01-10")
    pr(gr).reg.operator(
        occto_member=False,
        membership={"status": "withdrawn", "withdrawn_on": "2019-01-10"},
        systems=MEMBER_SYSTEMS[:-1],
    )
    gr.reg.user(permissions={"taxis": "1011", "johs": "J1010"})
    gr.commit("the member system removed")
    plan = plan_of(gr)
    day = date(2019, 1, 10)
    operator = only(plan, OperatorChange)
    assert operator.effective is not None
    assert (operator.effective.on, operator.effective.key) == (day, "withdrawn_on")
    assert effects(only(plan, UserChange)) == {
        "member_portal": ("user", None, Direction.REVOKE, day)
    }


def test_a_withdrawal_with_another_change_keeps_the_usage_changes_date(gr: GitRegistry) -> None:
    """A change that withdraws and changes more is a usage change of its own date; the
    member system's IDs still end on the withdrawal's day."""
    _member(gr)
    pr(gr).reg.operator(
        occto_member=False,
        membership={"status": "withdrawn", "withdrawn_on": "2019-01-10"},
        systems=["taxis", "johs", "juju"],
    )
    gr.reg.user(permissions={"taxis": "1011", "johs": "J1010"})
    gr.commit("withdraw, and stop using LOACUS")
    plan = plan_of(gr)
    operator = only(plan, OperatorChange)
    assert operator.effective is not None and operator.effective.key != "withdrawn_on"
    assert effects(only(plan, UserChange))["member_portal"][3] == date(2019, 1, 10)


def test_certificates(gr: GitRegistry) -> None:
    gr.reg.operator(certificates=[certificate(1), certificate(2)])
    gr.commit("two certificates")
    pr(gr).reg.operator(
        # Valid already: a certificate is usable from M+6, never before its validity.
        certificates=[
            certificate(1, suspended_on="2018-12-10"),
            certificate(3, not_before="2018-11-01", not_after="2020-10-31"),
        ],
    )
    gr.commit("suspend one, replace one")
    plan = plan_of(gr)
    assert {i.application for i in plan.items} == {
        Application.CERTIFICATE,
        Application.SUSPENSION,
    }
    suspended = only(plan, CertificateChange, id="EP-TEST-0001")
    assert (suspended.action, suspended.direction) == ("change", Direction.REVOKE)
    assert suspended.application is Application.SUSPENSION  # 001 p46: suspended, not revoked
    assert only(plan, CertificateChange, id="EP-TEST-0002").direction is Direction.REVOKE
    added = only(plan, CertificateChange, id="EP-TEST-0003")
    assert (added.action, added.effective.on) == ("add", date(2019, 1, 16))
    # One operator's applications, listed as Japanese lists them.
    assert "件、利用の停止（001 p46, 002 §2.6, §3.4.4） 1 件" in render_text.render(plan)


SYSTEMS = ["taxis", "johs", "juju", "loacus", "wheeling_api"]


@pytest.mark.parametrize(
    ("was", "now", "direction"),
    [
        # A web certificate turned to API use leaves the web systems for the API's: a grant,
        # whatever the day taken off its validity says.
        ({}, {"purpose": "api", "not_after": "2027-12-30"}, Direction.GRANT),
        # Named for fewer systems: it narrows.
        ({"systems": ["taxis", "johs"]}, {"systems": ["taxis"]}, Direction.REVOKE),
        # Every system of the operator instead of two named ones: wider.
        ({"systems": ["taxis", "johs"]}, {"systems": []}, Direction.GRANT),
        # A system its purpose is not taken by reaches nothing: naming it changes nothing.
        ({"systems": ["taxis"]}, {"systems": ["taxis", "wheeling_api"]}, Direction.NEUTRAL),
    ],
)
def test_a_certificates_direction_is_where_the_whitelists_let_it_through(
    gr: GitRegistry, was: dict[str, Any], now: dict[str, Any], direction: Direction
) -> None:
    gr.reg.operator(systems=SYSTEMS, certificates=[certificate(1, **was)])
    gr.commit("a certificate")
    pr(gr).reg.operator(systems=SYSTEMS, certificates=[certificate(1, **now)])
    gr.commit("its change")
    plan = plan_of(gr)
    changed = only(plan, CertificateChange, id="EP-TEST-0001")
    assert changed.direction is direction
    assert plan.revoke_only is (direction is Direction.REVOKE)
    # The whitelists let a registered serial through wherever it reaches from the merge:
    # the change is dated then, as a removal is, whatever it changes.
    assert (changed.effective.on, changed.effective.key) == (plan.events.merged, "merged")


def test_only_a_suspension_or_its_lifting_stops_or_starts_the_id(gr: GitRegistry) -> None:
    """The 受付 mail's stop lines and the plan's flag of a late stop both ask this: a
    suspension's day moved stops nothing again."""
    pr(gr).reg.user(suspended_on="2018-12-10")
    gr.commit("suspend")
    assert only(plan_of(gr), UserChange).stops_or_starts
    gr.checkout("main")
    gr.merge("pr")
    gr.branch("pr2")
    gr.reg.user(suspended_on="2018-12-11")
    gr.commit("another day")
    assert not only(plan_of(gr, head="pr2"), UserChange).stops_or_starts
    gr.checkout("main")
    gr.merge("pr2")
    gr.branch("pr3")
    gr.reg.user()
    gr.commit("lift")
    assert only(plan_of(gr, head="pr3"), UserChange).stops_or_starts


def test_suspensions_and_their_lifting(gr: GitRegistry) -> None:
    """Suspension comes first on loss, theft or misuse (001 p46, 002 §2.6, §3.4.4): a revoke;
    lifting it restores access without a new application."""
    pr(gr).reg.user(suspended_on="2018-12-10")
    gr.reg.operator(
        suspensions=[{"system": "johs", "suspended_on": "2018-12-10", "reason": "調査中"}]
    )
    gr.commit("suspend a user and the use of JOHS")
    plan = plan_of(gr)
    assert {(i.application, i.direction) for i in plan.items} == {
        (Application.SUSPENSION, Direction.REVOKE)
    }
    assert plan.revoke_only
    # The JSON gives the entry's fields as data, never the tool's own representation.
    (op,) = plan.operators
    items = [render_json.item_dict(i, op) for i in op.items]
    fields = [f for i in items for f in i["fields"]]
    assert {f["new"] for f in fields if f["field"] == "suspensions"} == {
        "system: johs, suspended_on: 2018-12-10, reason: 調査中"
    }
    # The reviewer's comment names it as the seeds do, in every rendering, and as the 受付
    # mail titles it: only suspending, it is 利用の停止 (001 p46).
    assert {i["application_label"] for i in items} == {"利用の停止"}
    assert "[利用の停止]" in render_text.render(plan)
    assert "#### 利用の停止（001 p46, 002 §2.6, §3.4.4）" in render_markdown.render(plan)
    gr.checkout("main")
    gr.merge("pr")
    gr.branch("lift")
    gr.reg.user()
    gr.reg.operator()
    gr.commit("lift both")
    lifted = plan_of(gr, head="lift")
    assert {(i.application, i.direction) for i in lifted.items} == {
        (Application.SUSPENSION, Direction.GRANT)
    }
    user = only(lifted, UserChange)
    assert user.effects == ()  # the permissions were never removed
    assert "#### 停止解除（001 p46, 002 §2.6, §3.4.4）" in render_markdown.render(lifted)
    with i18n.using("en"):
        assert "  + grant [lifting of a suspension] " in render_text.render(lifted)


def test_overseas_ip(gr: GitRegistry) -> None:
    entry = {"cidr": "203.0.113.7/32", "reason": "海外拠点", "expires_on": "2027-03-31"}
    gr.reg.operator(ip_allowlist=[entry])
    gr.commit("ip")
    pr(gr).reg.operator(
        ip_allowlist=[
            {**entry, "expires_on": "2028-03-31"},
            {"cidr": "198.51.100.0/32", "reason": "出張", "expires_on": "2027-01-31"},
        ]
    )
    gr.commit("extend and add")
    plan = plan_of(gr)
    assert {i.application for i in plan.items} == {Application.OVERSEAS_IP}
    extended = only(plan, AllowedIpChange, cidr="203.0.113.7/32")
    assert (extended.action, extended.direction) == ("change", Direction.GRANT)
    assert only(plan, AllowedIpChange, cidr="198.51.100.0/32").action == "add"


def test_a_plan_made_after_the_approval_dates_nothing_before_the_day_it_is_made(
    gr: GitRegistry,
) -> None:
    """Approved on a Friday, planned again on the Monday after, not merged yet: the merge
    is that Monday at the earliest, and an address allowed at its merge is allowed then."""
    entry = {"cidr": "198.51.100.0/32", "reason": "出張", "expires_on": "2027-01-31"}
    pr(gr).reg.operator(ip_allowlist=[entry])
    gr.commit("add an address")
    friday, monday = date(2026, 11, 6), date(2026, 11, 9)
    with GitRepository(gr.path) as repo:
        plan = plan_revisions(repo, "main", "pr", Events(accepted=friday), monday)
    added = only(plan, AllowedIpChange, cidr="198.51.100.0/32")
    assert added.effective.on is not None and added.effective.on >= monday
    assert plan.events.accepted == friday


def test_an_old_base_does_not_undo_what_was_merged_since(gr: GitRegistry) -> None:
    pr(gr).reg.user(email="mine@test-gas.example.co.jp")
    gr.commit("the pull request")
    gr.checkout("main")
    gr.branch("other")
    gr.reg.user(email="theirs@test-gas.example.co.jp")
    gr.commit("another pull request")
    gr.checkout("main")
    gr.merge("other")
    plan = plan_of(gr)  # main now has theirs@, the pull request's branch does not
    assert [u.person.email for u in plan.users] == ["mine@test-gas.example.co.jp"]
    assert plan.revisions is not None
    assert plan.revisions.merge_base != plan.revisions.base


def test_plan_across_merges_from_a_last_applied_revision(gr: GitRegistry) -> None:
    last_applied = gr.rev()
    for name in ("a", "b"):
        gr.branch(name, "main")
        gr.reg.user(email=f"{name}@test-gas.example.co.jp")
        gr.commit(f"add {name}")
        gr.checkout("main")
        gr.merge(name)
    plan = plan_of(gr, base=last_applied, head="main")
    assert sorted(u.person.email for u in plan.users) == [
        "a@test-gas.example.co.jp",
        "b@test-gas.example.co.jp",
    ]


def test_other_files_and_unreadable_files_are_reported(gr: GitRegistry) -> None:
    pr(gr).write("tooling/hack.py", "print('x')\n")
    gr.reg.write("users/TESTOP01/broken@test-gas.example.co.jp.yaml", "email: [\n")
    gr.reg.user(email=USER1, permissions={"taxis": "1011"})
    gr.commit("mixed")
    plan = plan_of(gr)
    assert plan.other_paths == ("tooling/hack.py",)
    assert plan.unreadable == ("registry/users/TESTOP01/broken@test-gas.example.co.jp.yaml",)
    assert not plan.revoke_only  # the user change alone would be


def test_the_work_tree_is_not_touched(gr: GitRegistry) -> None:
    pr(gr).reg.user(email="x@test-gas.example.co.jp")
    gr.commit("x")
    gr.checkout("main")
    gr.reg.user(email=USER1, memo="uncommitted")
    before = gr.repo.git.status("--porcelain")
    plan = plan_of(gr)
    assert [u.person.email for u in plan.users] == ["x@test-gas.example.co.jp"]
    assert gr.repo.git.status("--porcelain") == before


def test_json_has_iso_dates_and_no_personal_values(gr: GitRegistry) -> None:
    pr(gr).reg.user(email=USER1, name_kana="ヒミツ", memo="内部メモ", permissions={"taxis": "1010"})
    gr.commit("change")
    data = json.loads(render_json.render(plan_of(gr)))
    assert data["format"] == "accessreg-plan/4"
    # A change of TAXIS (at once) and a deletion of JOHS (the next day): no M batch
    # processes either (000 §5-2, §5-3), so the plan names no M.
    assert (data["processing_day"], data["processing_days"]) == (None, [])
    (item,) = data["operators"][0]["items"]
    assert item["subject"] == "user"
    assert item["person"] == {"email": USER1, "name": "試験 太郎"}
    assert item["application"] == "permission_change"
    taxis = next(e for e in item["effects"] if e["system"] == "taxis")
    assert taxis["effective"] == {
        "on": "2018-12-17",
        "start": "accepted",
        "processing_day": None,
        "key": "entered",
        "keyed_on": "2018-12-17",
        "waits": False,  # not moved to the day a permission applied before comes
    }
    assert {"field": "memo", "personal": True} in item["fields"]
    dumped = json.dumps(data, ensure_ascii=False)
    assert "ヒミツ" not in dumped and "内部メモ" not in dumped
    assert "before" not in item and "after" not in item


def test_markdown_summary_details_escaping_and_cap(gr: GitRegistry) -> None:
    branch = pr(gr)
    for i in range(40):
        code = f"BULK{i:04d}"
        branch.reg.operator(code, contacts=[contact(n=100 + i)], subcontractors=[])
        branch.reg.user(code, f"u{i}@bulk.example.jp", name="悪意 <img src=x> @octocat |")
    gr.commit("forty operators")
    plan = plan_of(gr)
    full = render_markdown.render(plan, max_chars=10**7)
    assert full.index("### 概要") < full.index("### BULK0000")
    assert "| BULK0000 テストガス株式会社 | 利用申請（新規）（000 §3-1） | 2 | 2 | 0 |" in full
    page = githubmd.render(full)
    assert "img" not in page.tags and "a" not in page.tags and page.processed() == []
    assert "悪意 <img src=x> @octocat | <u0@bulk.example.jp>" in page.shown
    capped = render_markdown.render(plan, max_chars=6000)
    assert len(capped) <= 6000
    assert "### BULK0039" not in capped
    assert "すべての項目は JSON（`plan.json`）にあります" in capped
    # The summary takes half the comment at most: its first rows, and what it leaves out.
    assert "### 概要" in capped and "| BULK0000 " in capped and "| BULK0039 " not in capped
    assert "はこの表に表示していません。すべての項目は JSON（`plan.json`）にあります。_" in capped
    assert "| BULK0039 " in render_markdown.render(plan, max_chars=20_000)


def test_cli_plan_formats_and_output_file(gr: GitRegistry) -> None:
    pr(gr).reg.user(email="cli@test-gas.example.co.jp")
    gr.commit("cli")
    out = gr.path / "out" / "plan.json"
    result = run_cli(
        "plan", "--base", "main", "--head", "pr", "--accepted-on", "2018-12-17",
        "--format", "json", "--output", str(out), cwd=gr.path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["counts"] == {"permission_set": 1}
    text = run_cli("plan", "--base", "main", "--head", "pr", "--accepted-on", "2018-12-17",
                   cwd=gr.path / "registry")  # fmt: skip
    assert (
        "+ 付与 [利用権限の設定申請] 利用者追加: 試験 太郎 <cli@test-gas.example.co.jp>"
        in text.stdout
    )
    english = run_cli("--lang", "en", "plan", "--base", "main", "--head", "pr",
                      "--accepted-on", "2018-12-17", cwd=gr.path)  # fmt: skip
    assert "+ grant [permission setting] user added: 試験 太郎 <cli@test-gas.example.co.jp>" in (
        english.stdout
    )
    # Both documents of the pull-request workflow from one run, and nothing printed.
    out_dir = gr.path / "out"
    both = run_cli(
        "plan", "--base", "main", "--head", "pr", "--accepted-on", "2018-12-17",
        "--json", str(out_dir / "both.json"), "--markdown", str(out_dir / "both.md"), cwd=gr.path,
    )  # fmt: skip
    assert both.returncode == 0, both.stderr
    assert both.stdout == ""
    assert (out_dir / "both.json").read_text() == out.read_text()
    alone = run_cli("plan", "--base", "main", "--head", "pr", "--accepted-on", "2018-12-17",
                    "--format", "markdown", cwd=gr.path)  # fmt: skip
    assert (out_dir / "both.md").read_text() == alone.stdout
    assert "cli@test-gas.example.co.jp" in alone.stdout
    bad = run_cli("plan", "--base", "no-such-rev", cwd=gr.path)
    assert bad.returncode == 2
    assert "版 'no-such-rev' が見つかりません" in bad.stderr


def cli_plan(gr: GitRegistry, *args: str) -> str:
    """The plan of ``pr`` as the command prints it (``args``: the language, the format)."""
    lang = args[:2] if args[:1] == ("--lang",) else ()
    result = run_cli(*lang, "plan", "--base", "main", "--head", "pr",
                     "--accepted-on", "2018-12-17", "--today", "2018-12-17", *args[len(lang):],
                     cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_user_change_reads_as_the_forms_name_it(gr: GitRegistry) -> None:
    """Systems by their names, codes with their labels, fields by the forms' words, the
    affiliation with its name: a reviewer reads no YAML key; English stays English."""
    pr(gr).reg.user(
        email=USER1,
        name_kana="シケン ジロウ",
        affiliation="TESTSUB1",
        permissions={"taxis": "1012", "juju": "granted"},
    )
    gr.commit("change user1")
    text = cli_plan(gr)
    assert "      所属 TESTSUB1 テスト委託株式会社\n" in text
    assert (
        "      託送システム（taxis） 1011（更新権限あり） → 1012（更新権限あり（業務限定あり））: "
        "2018-12-17\n"
    ) in text
    assert "      託送情報開示システム（johs） J1010（権限あり） → （なし）: 2018-12-17\n" in text
    # The form of JUJU shows あり / なし, not a code.
    assert (
        "      消費機器保安情報授受システム（juju） （なし） → あり: 2019-01-21（M = 2019-01-07）\n"
    ) in text
    assert "      利用者名（カナ）を変更\n" in text
    assert "      所属事業者コード TESTOP01 → TESTSUB1\n" in text
    assert "name_kana" not in text and "affiliation" not in text
    markdown = cli_plan(gr, "--format", "markdown")
    assert (
        "| 所属 TESTSUB1 テスト委託株式会社<br>託送情報開示システム（johs） J1010（権限あり） → "
        "（なし）: 2018-12-17<br>"
    ) in markdown
    assert "<br>利用者名（カナ）を変更<br>" in markdown and "name_kana" not in markdown
    english = cli_plan(gr, "--lang", "en")
    assert "      affiliation TESTSUB1 テスト委託株式会社\n" in english
    assert (
        "      taxis 1011 (update rights) → 1012 (update rights limited to some tasks): "
        "2018-12-17\n"
    ) in english
    assert "      johs J1010 (granted) → (none): 2018-12-17\n" in english
    assert "      juju (none) → granted: 2019-01-21 (M = 2019-01-07)\n" in english
    assert "      user name (kana) changed\n" in english
    assert "      affiliation (operator or subcontractor code) TESTOP01 → TESTSUB1\n" in english
    assert "権限" not in english and "託送" not in english
    # The JSON is for machines: keys and codes as the files write them.
    (item,) = json.loads(cli_plan(gr, "--format", "json"))["operators"][0]["items"]
    assert {(e["system"], e["old"], e["new"]) for e in item["effects"]} == {
        ("taxis", "1011", "1012"),
        ("johs", "J1010", None),
        ("juju", None, "granted"),
    }
    assert {"field": "affiliation", "old": "TESTOP01", "new": "TESTSUB1"} in item["fields"]
    assert (item["affiliation"], item["affiliation_name"]) == ("TESTSUB1", "テスト委託株式会社")


def test_an_operator_change_names_its_fields_and_values(gr: GitRegistry) -> None:
    entry = {"cidr": "203.0.113.7/32", "reason": "海外拠点", "expires_on": "2027-03-31"}
    gr.reg.operator(certificates=[certificate(1)], ip_allowlist=[entry])
    gr.commit("a certificate and an address")
    pr(gr).reg.operator(
        systems=["taxis", "johs", "juju"],
        contacts=[contact(phone="03-0000-9999", github="window-1-renamed")],
        certificates=[certificate(1, holder="業務部 別の担当者", suspended_on="2018-12-10")],
        ip_allowlist=[{**entry, "expires_on": "2028-03-31"}],
        suspensions=[{"system": "johs", "suspended_on": "2018-12-10", "reason": "調査中"}],
    )
    gr.commit("change the operator's file")
    text = cli_plan(gr)
    assert (
        "      利用システム 託送システム（taxis）、託送情報開示システム（johs）、"
        "消費機器保安情報授受システム（juju）、託送ロードカーブシステム（loacus） → "
        "託送システム（taxis）、託送情報開示システム（johs）、消費機器保安情報授受システム（juju）\n"
    ) in text
    assert (
        "      利用停止中のシステム （なし） → "
        "託送情報開示システム（johs） 2018-12-10 から（調査中）\n"
    ) in text
    assert "      電話番号を変更\n" in text
    assert "      GitHub アカウント window-1 → window-1-renamed\n" in text
    assert "      証明書の管理者を変更\n" in text
    assert "      利用停止日 （なし） → 2018-12-10\n" in text
    assert "      有効期限 2027-03-31 → 2028-03-31\n" in text
    keys = ("systems", "suspensions", "phone", "github", "holder", "suspended_on", "expires_on")
    assert not [line for line in text.splitlines() if line.strip().startswith(keys)]
    english = cli_plan(gr, "--lang", "en")
    assert "      systems taxis, johs, juju, loacus → taxis, johs, juju\n" in english
    assert "      suspended systems (none) → johs from 2018-12-10 (調査中)\n" in english
    assert "      phone number changed\n" in english
    assert "      GitHub account window-1 → window-1-renamed\n" in english


def test_names_and_labels_come_from_the_base_catalog(gr: GitRegistry) -> None:
    """A pull request that relabels a code cannot make the plan call what it grants by its
    new label; the catalog's own text is made literal markdown all the same."""
    gr.reg.edit("systems.yaml", "label: 権限あり,", "label: 権限あり <b>x</b> @octocat,")
    gr.commit("a label with markup on main")
    pr(gr).reg.edit("systems.yaml", "label: 権限あり <b>x</b> @octocat,", "label: 参照のみ,")
    gr.reg.user(email="new@test-gas.example.co.jp", permissions={"johs": "J1010"})
    gr.commit("relabel J1010 and grant it")
    markdown = cli_plan(gr, "--format", "markdown")
    assert "参照のみ" not in markdown
    page = githubmd.render(markdown)
    assert "b" not in page.tags and page.processed() == []
    assert (
        "託送情報開示システム（johs） （なし） → J1010（権限あり <b>x</b> @octocat）" in page.shown
    )


def test_a_change_that_breaks_the_catalog_is_still_planned(gr: GitRegistry) -> None:
    pr(gr).reg.write("systems.yaml", "systems: [\n")
    gr.reg.user(email="still@test-gas.example.co.jp")
    gr.commit("break the catalog")
    plan = plan_of(gr)
    assert plan.unreadable == ("registry/systems.yaml",)
    assert plan.other_paths == ("registry/systems.yaml",)
    assert [u.person.email for u in plan.users] == ["still@test-gas.example.co.jp"]


def test_a_file_broken_by_the_change_is_unreadable_not_removed(gr: GitRegistry) -> None:
    pr(gr).reg.write(f"users/TESTOP01/{USER1}.yaml", "email: [\n")
    gr.reg.write("operators/TESTOP01.yaml", "code: [\n")
    gr.commit("break both")
    plan = plan_of(gr)
    assert plan.items == ()  # neither a removal nor a termination
    assert plan.unreadable == (
        "registry/operators/TESTOP01.yaml",
        f"registry/users/TESTOP01/{USER1}.yaml",
    )
    assert not plan.revoke_only


def test_an_application_cites_the_terms_of_the_systems_it_concerns(gr: GitRegistry) -> None:
    """A switching user's ID is issued under OCCTO's terms (002 §3.2.1, §3.3), not under
    Tokyo Gas Network's manual: an OCCTO-only user addition cites OCCTO's sections, one of
    both providers' systems both, in catalog order, and a TAXIS one 000 §5-1 as before."""
    gr.reg.occto_member()
    gr.reg.user("DENKI001", "admin@denki-test.example.co.jp", affiliation="DENKI001",
                permissions={"switching": "retailer_admin", "member_portal": "admin"})  # fmt: skip
    gr.reg.operator("MIXED001", roles=["wheeling_client", "demand_response"],
                    systems=["taxis", "switching"], contacts=[contact(n=3)], subcontractors=None,
                    certificates=[certificate(3, cn="MIXED001-PC03")])  # fmt: skip
    gr.reg.user("MIXED001", "admin@mixed.example.jp", affiliation="MIXED001",
                permissions={"switching": "dr_admin"})  # fmt: skip
    gr.commit("an OCCTO member and an operator of both providers' systems")
    branch = pr(gr)
    branch.reg.user(email="new@test-gas.example.co.jp", permissions={"taxis": "1011"})
    branch.reg.user("DENKI001", "staff@denki-test.example.co.jp", affiliation="DENKI001",
                    permissions={"switching": "retailer_user"})  # fmt: skip
    branch.reg.user("MIXED001", "staff@mixed.example.jp", affiliation="MIXED001",
                    permissions={"taxis": "1011", "switching": "dr_user"})  # fmt: skip
    gr.commit("a user each")
    plan = plan_of(gr)
    cited = {
        "TESTOP01": "000 §5-1",
        "DENKI001": "002 §3.2.1, §3.3",
        "MIXED001": "000 §5-1, 002 §3.2.1, §3.3",
    }
    assert {op.code: op.citations for op in plan.operators} == {
        code: {Application.PERMISSION_SET: seed} for code, seed in cited.items()
    }
    markdown = render_markdown.render(plan, max_chars=10**7)
    text = render_text.render(plan)
    data = json.loads(render_json.render(plan))
    for code, seed in cited.items():
        section = markdown[markdown.index(f"### {code}") :]
        assert section.startswith(f"### {code} ")
        assert f"#### 利用権限の設定申請（{seed}）\n" in section
        assert (
            f"| {code} テストガス株式会社 | 利用権限の設定申請（{seed}） | 1 | 1 | 0 |" in markdown
        )
        assert f"事業者 {code} テストガス株式会社: 利用権限の設定申請（{seed}） 1 件" in text
        (op,) = [o for o in data["operators"] if o["code"] == code]
        assert op["citations"] == {"permission_set": seed}


def test_a_certificate_and_a_suspension_cite_the_terms_of_the_systems_they_reach(
    gr: GitRegistry,
) -> None:
    """A certificate registered for the switching support system alone, of an operator of
    both providers' systems, is obtained and registered under OCCTO's terms (002 §3.1,
    001 p13); a suspension of an OCCTO member's use of the member system under that
    system's own (003 §2.6, §3.3), not the switching system's."""
    gr.reg.occto_member()
    mixed = {"roles": ["wheeling_client", "demand_response"], "systems": ["taxis", "switching"],
             "contacts": [contact(n=3)], "subcontractors": None}  # fmt: skip
    gr.reg.operator("MIXED001", **mixed, certificates=[certificate(3)])
    gr.commit("an OCCTO member and an operator of both providers' systems")
    branch = pr(gr)
    for_switching = certificate(4, cn="MIXED001-PC04", systems=["switching"])
    branch.reg.operator("MIXED001", **mixed, certificates=[certificate(3), for_switching])
    branch.reg.occto_member(
        suspensions=[
            {"system": "member_portal", "suspended_on": "2018-12-17", "reason": "漏えいの疑い"}
        ],
    )
    gr.commit("a certificate for switching, the member system suspended")
    citations = {op.code: op.citations for op in plan_of(gr).operators}
    assert citations == {
        "DENKI001": {Application.SUSPENSION: "003 §2.6, §3.3"},
        "MIXED001": {Application.CERTIFICATE: "002 §3.1, 001 p13"},
    }


@pytest.mark.parametrize(
    ("old_admin_becomes", "expected"),
    [
        ("dr_user", Application.PERMISSION_CHANGE),  # the admin handed over (002 §3.2.2)
        (None, Application.PERMISSION_CHANGE),  # the old admin leaves
        ("dr_admin", Application.PERMISSION_SET),  # no hand-over: kept as it is, a new ID
    ],
)
def test_a_new_user_taking_over_the_admin_id_is_the_change_of_admin(
    gr: GitRegistry, old_admin_becomes: str | None, expected: Application
) -> None:
    """The switching admin ID is issued new once (002 §3.2.1); a new person taking it over
    from the one who held it is the change of admin (§3.2.2), cited as such, not a second
    issuance the help desk would refuse."""
    gr.reg.switching_operator()
    gr.commit("a switching operator whose user1 is the admin")
    pr(gr)
    if old_admin_becomes is None:
        (gr.reg.root / f"users/TESTOP01/{USER1}.yaml").unlink()
    elif old_admin_becomes != "dr_admin":
        gr.reg.user(email=USER1, permissions={"switching": old_admin_becomes})
    gr.reg.user(email="next@test-gas.example.co.jp", permissions={"switching": "dr_admin"})
    gr.commit("the admin handed over")
    plan = plan_of(gr)
    item = only(plan, UserChange, action="add")
    assert item.application is expected


def test_a_new_user_with_an_ordinary_id_stays_a_permission_set(gr: GitRegistry) -> None:
    gr.reg.switching_operator()
    gr.commit("a switching operator whose user1 is the admin")
    pr(gr).reg.user(email=USER1, permissions={"switching": "dr_user"})
    gr.reg.user(email="next@test-gas.example.co.jp", permissions={"switching": "dr_user"})
    gr.commit("a user ID")
    assert only(plan_of(gr), UserChange, action="add").application is Application.PERMISSION_SET


@pytest.mark.parametrize("old_admin_becomes", ["dr_user", None])
def test_both_sides_of_a_change_of_admin_are_one_application_on_one_day(
    gr: GitRegistry, old_admin_becomes: str | None
) -> None:
    """The new admin's grant is keyed on the same event as the old admin's removal or change
    (the entry, 000 §5-2 ①, §5-3 ①), not on the acceptance a new user's is keyed on: entered
    on Friday the 4th and approved on Saturday the 5th, the centre's acceptance counts on
    Monday the 7th, and keyed on it the new admin would come two days after the old one
    left. The old admin, deleted, is the change of admin too (002 §3.2.2)."""
    gr.reg.switching_operator()
    gr.commit("a switching operator whose user1 is the admin")
    pr(gr)
    if old_admin_becomes is None:
        (gr.reg.root / f"users/TESTOP01/{USER1}.yaml").unlink()
    else:
        gr.reg.user(email=USER1, permissions={"switching": old_admin_becomes})
    gr.reg.user(email="next@test-gas.example.co.jp", permissions={"switching": "dr_admin"})
    gr.commit("the admin handed over")
    friday, saturday = date(2026, 12, 4), date(2026, 12, 5)
    with GitRepository(gr.path) as repo:
        plan = plan_revisions(
            repo, "main", "pr", Events(entered=friday, accepted=saturday, merged=saturday), saturday
        )
    items = [i for i in plan.items if isinstance(i, UserChange)]
    assert {i.application for i in items} == {Application.PERMISSION_CHANGE}
    assert {e.effective.on for i in items for e in i.effects} == {saturday}


def test_a_deleted_admin_whose_id_nobody_takes_is_a_deletion(gr: GitRegistry) -> None:
    gr.reg.switching_operator()
    gr.reg.user(email="user2@test-gas.example.co.jp", permissions={"switching": "dr_user"})
    gr.commit("a switching operator whose user1 is the admin")
    pr(gr)
    (gr.reg.root / f"users/TESTOP01/{USER1}.yaml").unlink()
    gr.commit("the admin leaves, no one takes the ID")
    item = only(plan_of(gr), UserChange, action="remove")
    assert item.application is Application.PERMISSION_DELETE


RANKED_BY_THE_PR = (
    "{code: '1010', label: 更新権限なし, label_en: no update rights, includes: ['1011']}"
)


def test_a_code_the_old_one_includes_narrows(gr: GitRegistry) -> None:
    """1011 (update rights) includes 1010 in the catalog: the step down alone is *revoke
    only*."""
    pr(gr).reg.user(email=USER1, permissions={"taxis": "1010", "johs": "J1010"})
    gr.commit("update rights to none")
    plan = plan_of(gr)
    assert only(plan, UserChange).direction is Direction.NARROW and plan.revoke_only
    # The ID stays, with less: a narrowing wherever the plan speaks of it, never a 削除.
    markdown = render_markdown.render(plan)
    assert "| ➖ 縮小 | 利用者変更 |" in markdown
    # The summary counts it as 縮小, not among the deletions.
    assert "| 件数 | 付与 | 削除 | 縮小 |" in markdown, markdown
    assert "利用権限の変更申請（000 §5-2） | 1 | 0 | 0 | 1 |" in markdown, markdown
    assert "**削除・縮小のみ**" in markdown
    text = render_text.render(plan)
    assert "削除・縮小のみ: すべての項目が権限を狭めます" in text
    # The text plan marks it in the same word, beside the sign a removal shares.
    assert "\n  - 縮小 [利用権限の変更申請] 利用者変更: " in text, text
    (item,) = json.loads(render_json.render(plan))["operators"][0]["items"]
    assert item["direction"] == "narrow"
    assert [e["direction"] for e in item["effects"]] == ["narrow"]
    # A permission taken away with it is a removal, worded and counted as before.
    gr.reg.user(email=USER1, permissions={"taxis": "1010"})
    gr.commit("and JOHS taken away")
    plan = plan_of(gr)
    markdown = render_markdown.render(plan)
    assert "| ➖ 削除 | 利用者変更 |" in markdown
    assert "\n  - 削除 [利用権限の変更申請] 利用者変更: " in render_text.render(plan)
    assert "利用権限の変更申請（000 §5-2） | 1 | 0 | 1 | 0 |" in markdown, markdown
    (item,) = json.loads(render_json.render(plan))["operators"][0]["items"]
    assert item["direction"] == "revoke" and plan.revoke_only
    assert [e["direction"] for e in item["effects"]] == ["revoke", "narrow"]


def test_a_pull_request_cannot_rank_what_it_grants_as_a_removal(gr: GitRegistry) -> None:
    """The base's catalog ranks the codes: a pull request that ranks 1010 above 1011 in its
    own catalog and raises the user from 1010 to 1011 still grants."""
    gr.reg.user(email=USER1, permissions={"taxis": "1010", "johs": "J1010"})
    gr.commit("user1 holds 1010")
    pr(gr).reg.edit(
        "systems.yaml", "{code: '1010', label: 更新権限なし, label_en: no update rights}",
        RANKED_BY_THE_PR,
    )  # fmt: skip
    gr.reg.edit("systems.yaml", ", includes: ['1010', '1012']}", "}")
    gr.reg.user(email=USER1, permissions={"taxis": "1011", "johs": "J1010"})
    gr.commit("raise to 1011 under a catalog ranked by the pull request")
    item = only(plan_of(gr), UserChange)
    assert effects(item)["taxis"][:3] == ("1010", "1011", Direction.GRANT)
    assert item.direction is Direction.GRANT


def test_a_certificate_the_first_commit_registered_is_looked_up_again_alike(
    reg: RegistryFactory,
) -> None:
    """A pull request whose file lists a serial looks back through main for the last
    operator file that held it, and its suspension; a line the repository's first commit
    added has nothing before it: the plan is made on every run, the second (with the cache
    of the first) as the first (it stopped: 「版 '<first>^' が見つかりません」)."""
    reg.operator(certificates=[certificate(1)])
    gr = GitRegistry(reg)
    try:
        gr.branch("pr")
        operators = gr.path / "registry/operators"
        copied = (operators / "TESTOP01.yaml").read_bytes()
        (operators / "NEWOP001.yaml").write_bytes(copied)  # a copy: its code is another's
        gr.commit("an operator file copied under a new name")
        for _ in range(2):
            result = run_cli("plan", "--base", "main", "--format", "json", cwd=gr.path)
            assert result.returncode in (0, 1), result.stderr
            assert json.loads(result.stdout)["operators"], result.stdout
    finally:
        gr.close()
