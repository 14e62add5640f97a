"""An operator taking up a system of a provider it used no system of before files that
provider's new usage application, not a change (principle 1): adding OCCTO's switching
support system is OCCTO's 利用申請 (002 §2.1.1, sent to its help desk, 001 p13), whose
contract comes into being when OCCTO notifies the admin ID (002 §2.1.2); adding a system of
Tokyo Gas Network to an operator of OCCTO's alone is its 利用申請（新規） (000 §3-1). On a
real git repository: the plan (markdown and JSON), the 受付 mail, the state and ``status``
say the same application, cited and dated by that provider."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from accessreg.gitio.repo import GitRepository
from accessreg.plan import Application
from accessreg.plan.revisions import plan_revisions
from accessreg.provision.merges import dates_of, with_recorded_dates
from accessreg.provision.state import ApplicationRecord
from accessreg.timeline.effective import Events
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import accessreg, read_csv, state, status_table
from tests.helpers.regfactory import RegistryFactory, certificate
from tests.helpers.scheduled_scenario import on

OPERATOR = "TESTOP01"
DAY = ["--today", "2026-12-02", "--accepted-on", "2026-12-02"]
GAS = ["taxis", "johs", "juju", "loacus"]
GAS_ROLES = ["gas_retailer", "wheeling_client", "manufacturer"]
NEW_SECTIONS = "利用申請（新規）（002 §2.1.1, 001 p13）"


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """A gas retailer of Tokyo Gas Network's systems, applied once, its certificate
    registered for every system it uses."""
    reg.operator(roles=GAS_ROLES, systems=GAS, certificates=[certificate(1)])
    made = GitRegistry(reg)
    first = accessreg(made, "apply", "--out", str(tmp_path / "initial"), "--initial",
                      "--confirm", *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    yield made
    made.close()


def _take_up_switching(gr: GitRegistry, **over: Any) -> None:
    """The operator takes up the switching support system as a demand-response contractor
    (002 §2.1.1 ②: no membership needed), with ``over`` changed besides."""
    gr.branch("pr", "main")
    fields = {"roles": [*GAS_ROLES, "demand_response"], **over}
    gr.reg.operator(systems=[*GAS, "switching"], certificates=[certificate(1)], **fields)
    gr.commit("switching")


def _plan(gr: GitRegistry, form: str) -> str:
    shown = accessreg(gr, "--lang", "ja", "plan", "--base", "main", "--head", "pr",
                      "--format", form, *DAY)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    return shown.stdout


def test_taking_up_switching_is_occtos_usage_application(gr: GitRegistry) -> None:
    """Not 利用申請（変更） cited by Tokyo Gas Network's 000 §3-2: the systems and the role it
    is taken up through are OCCTO's 利用申請, dated when the help desk has registered it."""
    _take_up_switching(gr)
    plan = json.loads(_plan(gr, "json"))
    (op,) = plan["operators"]
    assert op["counts"] == {"usage_new": 1}
    assert op["citations"] == {"usage_new": "002 §2.1.1, 001 p13"}
    (item,) = op["items"]
    assert (item["application"], item["action"], item["direction"]) == (
        "usage_new", "change", "grant")  # fmt: skip
    assert {f["field"]: f["new"] for f in item["fields"]} == {
        "systems": "taxis, johs, juju, loacus, switching",
        "roles": "gas_retailer, wheeling_client, manufacturer, demand_response",
    }
    # OCCTO gives no standard period (001 p13): known when OCCTO reports it.
    assert item["effective"]["on"] is None and item["effective"]["start"] == "manual"
    markdown = _plan(gr, "markdown")
    assert NEW_SECTIONS in markdown, markdown
    assert "利用申請（変更）" not in markdown and "000 §3-2" not in markdown, markdown


def test_the_rest_of_the_change_stays_a_usage_change_of_the_terms_it_has(
    gr: GitRegistry,
) -> None:
    """Renamed in the same pull request: the name is a usage change at Tokyo Gas Network
    (000 §3-2), about 15 business days after the acceptance, while the switching support
    system waits for OCCTO's help desk."""
    _take_up_switching(gr, name="テストガス新社名株式会社")
    plan = json.loads(_plan(gr, "json"))
    (op,) = plan["operators"]
    assert op["citations"] == {"usage_new": "002 §2.1.1, 001 p13", "usage_change": "000 §3-2"}
    new, change = op["items"]
    assert [f["field"] for f in new["fields"]] == ["roles", "systems"]
    assert [f["field"] for f in change["fields"]] == ["name"]
    assert change["application"] == "usage_change"
    assert new["effective"]["on"] is None
    assert change["effective"]["on"] == "2026-12-23"  # 15 business days after 12-02
    markdown = _plan(gr, "markdown")
    assert NEW_SECTIONS in markdown and "利用申請（変更）（000 §3-2）" in markdown, markdown


# The line of the usage application (new) in the 受付 mail and the completion notice: the
# role it takes up with the system too (002 §2.1.1: one application per role).
TAKEN = (
    "新規登録（追加する事業者区分: 需要抑制契約者、利用を始めるシステム: スイッチング支援システム）"
)


def test_the_merge_tells_and_records_occtos_usage_application(
    gr: GitRegistry, tmp_path: Path
) -> None:
    _take_up_switching(gr, name="テストガス新社名株式会社")
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "pr", env=on(date(2026, 12, 2)))
    merged = gr.rev()
    out = tmp_path / "out"
    applied = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert applied.returncode == 0, applied.stderr
    (batch,) = [b for b in state(gr)["batches"].values() if b["head"] == merged]
    (record,) = batch["applications"]
    assert record["kinds"] == ["利用申請（新規）", "利用申請（変更）"]
    (mail,) = written_mails(out)
    subject = "【受付】利用申請（新規）・利用申請（変更）（テストガス新社名株式会社）"
    assert mail["Subject"] == subject
    body = mail.get_content()
    assert NEW_SECTIONS in body and "利用申請（変更）（000 §3-2）" in body, body
    line = next(ln for ln in body.splitlines() if "利用申請（新規）:" in ln)
    assert TAKEN in line, line
    assert "ヘルプデスクの作業完了後" in line, line
    *_, row = status_table(gr, "2026-12-03", "--operator", OPERATOR)
    assert row["申請種別"] == "利用申請（新規）・利用申請（変更）", row
    # Each dated apart: the change on Tokyo Gas Network's day, the switching support
    # system when the help desk has registered it (``confirm``), not the change's day.
    dated = {(i["key"], i["system"]): i for i in record["items"] if i["subject"] == "operator"}
    own = [i["on"] for i in record["items"] if i["subject"] == "operator" and not i["system"]]
    assert own == ["2026-12-23"]  # the change's alone: the application's is its system's
    assert dated[OPERATOR, "switching"]["on"] is None
    assert dated[OPERATOR, "switching"]["steps"] == ["switching"]
    # The help desk's step done, its result (申請結果, 001 p13) reports the application
    # the 受付 promised it would, on that day, and nothing of the change, done apart.
    done = tmp_path / "done"
    confirmed = accessreg(gr, "confirm", batch["id"], "--system", "switching",
                          "--today", "2026-12-08", "--out", str(done))  # fmt: skip
    assert confirmed.returncode == 0, confirmed.stderr
    (result,) = written_mails(done)
    told = result.get_content()
    line = next(ln for ln in told.splitlines() if "利用申請（新規）:" in ln)
    assert TAKEN in line, told
    assert "2026-12-08 以降" in line, line
    assert "利用申請（変更）:" not in told, told


def test_each_keeps_its_own_recorded_date_when_rebuilt(gr: GitRegistry) -> None:
    """A run rebuilding the merge's plan lays the recorded dates over it: the usage
    application takes its system's (confirmed by the help desk), the change its own."""
    _take_up_switching(gr, name="テストガス新社名株式会社")
    with GitRepository(gr.path) as repo:
        plan = plan_revisions(repo, "main", "pr", Events(accepted=date(2026, 12, 2)),
                              date(2026, 12, 2))  # fmt: skip
    (op,) = plan.operators
    confirmed = date(2026, 12, 8)
    items = tuple(
        i.model_copy(update={"on": confirmed}) if i.system == "switching" else i
        for i in dates_of(op)
    )
    record = ApplicationRecord(id="x/TESTOP01", commit="x", parent=None, operator=OPERATOR,
                               title="", accepted_on=date(2026, 12, 2), processing_day=None,
                               kinds=(), systems=(), items=items)  # fmt: skip
    rebuilt = with_recorded_dates(op, record)
    assert [(i.application, i.effective and i.effective.on) for i in rebuilt.items] == [
        (Application.USAGE_NEW, confirmed),
        (Application.USAGE_CHANGE, date(2026, 12, 23)),
    ]


def test_an_operator_of_occtos_systems_alone_taking_up_tokyo_gas_networks(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """An operator of the switching support system alone, taking up TAXIS, files Tokyo Gas
    Network's 利用申請（新規） (000 §3-1), completed about 15 business days after its
    acceptance (000 §3-1), not a change that cites nothing. Its window persons' IDs of the
    permission-management system are registered in that application's work (000 §3-1 ⑥)
    and their addresses on the info-sharing site with them (000 §7-3): on its day, in no
    batch, whatever OCCTO's steps do."""
    reg.operator(roles=["demand_response"], systems=["switching"], certificates=[certificate(1)])
    gr = GitRegistry(reg)
    try:
        first = accessreg(gr, "apply", "--out", str(tmp_path / "initial"), "--initial",
                          "--confirm", *DAY)  # fmt: skip
        assert first.returncode == 0, first.stderr
        gr.branch("pr")
        reg.operator(roles=["demand_response", "wheeling_client"],
                     systems=["switching", "taxis"], certificates=[certificate(1)])  # fmt: skip
        gr.commit("taxis")
        plan = json.loads(_plan(gr, "json"))
        (op,) = plan["operators"]
        assert op["citations"] == {"usage_new": "000 §3-1"}
        (item,) = op["items"]
        assert item["application"] == "usage_new"
        assert item["effective"]["on"] == "2026-12-23"
        gr.checkout("main")
        gr.repo.git.merge("-q", "--no-ff", "--no-edit", "pr", env=on(date(2026, 12, 2)))
        out = tmp_path / "out"
        applied = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
        assert applied.returncode == 0, applied.stderr
        usage = out / "imports" / "admin_console" / "delta-day-2026-12-23.csv"
        rows = read_csv(usage)
        assert rows and {(r["区分"], r["適用日"]) for r in rows} == {("新規", "2026-12-23")}
        added = read_csv(out / "info_site" / "subscribers-delta.csv")
        assert {(r["区分"], r["実施日"]) for r in added} == {("仮登録", "2026-12-23")}
        # The days' runs after it list the window persons on the site from that day on.
        head = state(gr)["applied"]
        for day, listed in (("2026-12-22", False), ("2026-12-23", True)):
            daily = tmp_path / f"daily-{day}"
            run = accessreg(gr, "apply", "--out", str(daily), "--head", head, "--today", day)
            assert run.returncode == 0, run.stderr
            subscribers = read_csv(daily / "info_site" / "subscribers.csv")
            assert bool(subscribers) is listed, (day, subscribers)
    finally:
        gr.close()


def test_an_operator_of_the_member_system_taking_up_switching(reg: RegistryFactory) -> None:
    """The member system has terms of its own (003), as its own desk: a member using it
    alone that takes up the switching support system files OCCTO's 利用申請 under 002, not
    a member-info change (003 §2.2)."""
    member = {"status": "member", "member_since": "2020-04-01"}
    reg.operator(roles=["electricity_retailer"], systems=["member_portal"], occto_member=True,
                 membership=member, certificates=[certificate(1)])  # fmt: skip
    gr = GitRegistry(reg)
    try:
        gr.branch("pr")
        reg.operator(roles=["electricity_retailer"], systems=["member_portal", "switching"],
                     occto_member=True, membership=member,
                     certificates=[certificate(1)])  # fmt: skip
        gr.commit("switching")
        plan = json.loads(_plan(gr, "json"))
        (op,) = plan["operators"]
        assert op["citations"] == {"usage_new": "002 §2.1.1, 001 p13"}
    finally:
        gr.close()


def test_joining_occto_to_take_up_switching_is_part_of_its_usage_application(
    gr: GitRegistry,
) -> None:
    """A retailer uses the switching support system only as an OCCTO member (002 §2.1.1
    ①(イ)): the membership it joins for it is part of OCCTO's application, no change of
    what Tokyo Gas Network holds of it (000 §3-2)."""
    member = {"status": "member", "member_since": "2026-11-01"}
    _take_up_switching(gr, occto_member=True, membership=member,
                       roles=[*GAS_ROLES, "electricity_retailer"])  # fmt: skip
    (op,) = json.loads(_plan(gr, "json"))["operators"]
    assert op["citations"] == {"usage_new": "002 §2.1.1, 001 p13"}
    (item,) = op["items"]
    fields = {f["field"] for f in item["fields"]}
    assert fields == {"systems", "roles", "occto_member", "membership"}
