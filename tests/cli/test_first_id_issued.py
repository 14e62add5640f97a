"""A user of an operator given a system whose ID they do not have yet is issued that ID,
the provider's permission set, not a change of their permissions (principles 1 and 4).
OCCTO's IDs are per system: the switching admin ID OCCTO issues once (002 §3.2.1), the user
IDs the admin issues (§3.3), the member system's its own (003 §3.1, §3.2), whatever ID of
Tokyo Gas Network's the person holds. Tokyo Gas Network's one ID serves all of its systems:
another of them for its holder stays a change (000 §5-2). A change of the switching admin
stays one (002 §3.2.2). On a real git repository: the plan (markdown and JSON), the 受付
mail, the state and ``status`` say the same."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import accessreg, state, status_table
from tests.helpers.regfactory import RegistryFactory, certificate
from tests.helpers.scheduled_scenario import on

GAS = ["taxis", "johs", "juju", "loacus"]
GAS_ROLES = ["gas_retailer", "wheeling_client", "manufacturer"]
HELD = {"taxis": "1011", "johs": "J1010"}  # the fixture's user: Tokyo Gas Network's ID
DAYS = ["--today", "2026-12-02", "--accepted-on", "2026-12-02"]
ISSUE = "002 §3.2.1, §3.3"


def _start(reg: RegistryFactory, tmp_path: Path, **operator: Any) -> GitRegistry:
    reg.operator(**operator)
    made = GitRegistry(reg)
    first = accessreg(made, "apply", "--out", str(tmp_path / "initial"), "--initial",
                      "--confirm", "--today", "2026-12-02")  # fmt: skip
    assert first.returncode == 0, first.stderr
    made.branch("pr", "main")
    return made


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """A gas retailer of Tokyo Gas Network's systems already using OCCTO's switching support
    system as a demand-response contractor, its user holding Tokyo Gas Network's ID alone;
    on the branch ``pr``."""
    made = _start(reg, tmp_path, roles=[*GAS_ROLES, "demand_response"],
                  systems=[*GAS, "switching"], certificates=[certificate(1)])  # fmt: skip
    yield made
    made.close()


def _plan(gr: GitRegistry, form: str) -> str:
    shown = accessreg(gr, "--lang", "ja", "plan", "--base", "main", "--head", "pr",
                      "--format", form, *DAYS)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    return shown.stdout


def _user_item(gr: GitRegistry, email: str = "user1@test-gas.example.co.jp") -> dict[str, Any]:
    plan = json.loads(_plan(gr, "json"))
    (op,) = plan["operators"]
    (item,) = [i for i in op["items"] if i["subject"] == "user" and i["key"] == email]
    return {**item, "citations": op["citations"], "counts": op["counts"]}


def test_an_existing_user_given_the_switching_admin_id_is_its_issue(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Not 利用権限の変更申請 (002 §3.2.2, a change of admin) because the person's file exists:
    OCCTO issues the admin ID new (§3.2.1)."""
    gr.reg.user(permissions={**HELD, "switching": "dr_admin"})
    gr.commit("admin")
    item = _user_item(gr)
    assert (item["application"], item["action"]) == ("permission_set", "change")
    assert item["counts"] == {"permission_set": 1}
    assert item["citations"] == {"permission_set": ISSUE}
    (effect,) = item["effects"]
    assert (effect["system"], effect["old"], effect["new"]) == ("switching", None, "dr_admin")
    markdown = _plan(gr, "markdown")
    assert f"利用権限の設定申請（{ISSUE}）" in markdown, markdown
    assert "利用権限の変更申請" not in markdown and "§3.2.2" not in markdown, markdown
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "pr", env=on(date(2026, 12, 2)))
    merged = gr.rev()
    out = tmp_path / "out"
    applied = accessreg(gr, "apply", "--out", str(out), "--confirm", "--today", "2026-12-02")
    assert applied.returncode == 0, applied.stderr
    (batch,) = [b for b in state(gr)["batches"].values() if b["head"] == merged]
    (record,) = batch["applications"]
    assert record["kinds"] == ["利用権限の設定申請"]
    (mail,) = [m for m in written_mails(out) if "【受付】" in m["Subject"]]
    assert mail["Subject"] == "【受付】利用権限の設定申請（テストガス株式会社）"
    body = mail.get_content()
    assert f"申請種別: 利用権限の設定申請（{ISSUE}）" in body, body
    line = next(ln for ln in body.splitlines() if "スイッチング支援システム（switching）:" in ln)
    assert "設定 管理者ID（需要抑制契約者）" in line, line
    *_, row = status_table(gr, "2026-12-02", "--operator", "TESTOP01")
    assert row["申請種別"] == "利用権限の設定申請", row


def test_a_member_system_id_for_a_switching_user_is_its_issue(gr: GitRegistry) -> None:
    """The member system's IDs are its own (003 §3.1, §3.2): a switching user given one is
    issued it, not changed under 002."""
    gr.reg.operator(roles=[*GAS_ROLES, "demand_response", "electricity_retailer"],
                    systems=[*GAS, "switching", "member_portal"], occto_member=True,
                    membership={"status": "member", "member_since": "2020-04-01"},
                    certificates=[certificate(1)])  # fmt: skip
    gr.reg.user(permissions={**HELD, "member_portal": "user"})
    gr.commit("member system")
    item = _user_item(gr)
    assert item["application"] == "permission_set"
    assert item["citations"]["permission_set"] == "003 §3.1, §3.2", item["citations"]


def test_another_of_tokyo_gas_networks_systems_stays_a_change(gr: GitRegistry) -> None:
    """One ID serves all of Tokyo Gas Network's systems: JUJU for a TAXIS user is a
    permission change of that ID (000 §5-2)."""
    gr.reg.user(permissions={**HELD, "juju": "granted"})
    gr.commit("juju")
    item = _user_item(gr)
    assert item["application"] == "permission_change"
    assert item["citations"] == {"permission_change": "000 §5-2"}


def test_tokyo_gas_networks_first_id_for_a_switching_user_is_its_issue(gr: GitRegistry) -> None:
    """A person holding only OCCTO's ID has none of Tokyo Gas Network's: TAXIS is its
    permission set (000 §5-1), dated as a new user's TAXIS is, not at once as a change."""
    email = "occto.only@test-gas.example.co.jp"
    gr.checkout("main")
    gr.reg.user(email=email, permissions={"switching": "dr_user"})
    gr.commit("switching user")
    gr.checkout("pr")
    gr.repo.git.merge("-q", "main")
    gr.reg.user(email=email, permissions={"switching": "dr_user", "taxis": "1010"})
    gr.reg.user(email="new@test-gas.example.co.jp", permissions={"taxis": "1010"})
    gr.commit("taxis")
    item = _user_item(gr, email)
    new = _user_item(gr, "new@test-gas.example.co.jp")
    assert item["application"] == "permission_set"
    assert item["citations"] == {"permission_set": "000 §5-1"}
    (effect,) = item["effects"]
    assert effect["effective"] == new["effects"][0]["effective"]


def test_a_change_of_admin_keeps_its_section(gr: GitRegistry) -> None:
    """The switching admin handed from one user to another who holds Tokyo Gas Network's ID
    is the change of admin (002 §3.2.2), the ID issued new only once (§3.2.1)."""
    gr.checkout("main")
    gr.reg.user(email="admin@test-gas.example.co.jp", permissions={"switching": "dr_admin"})
    gr.commit("admin")
    gr.checkout("pr")
    gr.repo.git.merge("-q", "main")
    gr.reg.user(permissions={**HELD, "switching": "dr_admin"})
    gr.reg.user(email="admin@test-gas.example.co.jp", permissions={"switching": "dr_user"})
    gr.commit("handover")
    item = _user_item(gr)
    assert item["application"] == "permission_change"
    assert item["citations"] == {"permission_change": "002 §3.2.2"}


def test_a_change_that_also_issues_an_id_cites_both(gr: GitRegistry) -> None:
    """TAXIS narrowed (000 §5-2) and the switching admin ID issued (002 §3.2.1) in one
    user's change: the item stays a change, its citation names the issue too."""
    gr.reg.user(permissions={"taxis": "1010", "johs": "J1010", "switching": "dr_admin"})
    gr.commit("both")
    item = _user_item(gr)
    assert item["application"] == "permission_change"
    assert item["citations"] == {"permission_change": f"000 §5-2, {ISSUE}"}
