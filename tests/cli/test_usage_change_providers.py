"""A usage change of an operator using systems of both providers is filed with each for its
own systems (000 §3-2 at Tokyo Gas Network; 002 §2.1.1 at OCCTO): one giving up JOHS alone
is done in Tokyo Gas Network's about 15 business days, with no step of OCCTO's help desk;
one giving up the switching support system alone waits for the help desk's step, and for
nothing of Tokyo Gas Network's; one giving up a system of each is each provider's part,
dated by that provider alone; a change of the terms the operator has with both (its name)
is done on the later of both, as each provider's. The plan, the 受付 mail, ``status``,
``confirm`` and the whitelists all read that one date."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import csv_rows, ldif_entries, nginx_whitelist, scim_users, written_mails
from tests.helpers.provisioning import accessreg, merge, over_applied, state
from tests.helpers.regfactory import RegistryFactory, certificate, contact
from tests.helpers.scheduled_scenario import on

ACCEPTED = date(2026, 12, 11)  # a Friday
# 15 business days after it, over the centre's year-end closure (12-31 to 01-04)
TOKYO_GAS_DAY = "2027-01-06"
CONFIRMED = date(2026, 12, 15)
HELP_DESK = "スイッチング支援システム ヘルプデスクの作業完了後"
SYSTEMS = ["taxis", "johs", "juju", "loacus", "switching"]
ROLES = ["gas_retailer", "wheeling_client", "demand_response"]


def _operator(reg: RegistryFactory, systems: list[str] = SYSTEMS, **over: object) -> None:
    """TESTOP01 as a gas retailer of Tokyo Gas Network's systems and a demand-response
    contractor of OCCTO's switching support system, with a certificate for all of them."""
    reg.operator(roles=ROLES, systems=systems, certificates=[certificate(1)], **over)


@pytest.fixture
def both(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """The operator of both providers, loaded on 12/07."""
    _operator(reg)
    gr = GitRegistry(reg)
    first = accessreg(gr, "apply", "--out", str(tmp_path / "o0"), "--initial", "--confirm",
                      "--today", "2026-12-07")  # fmt: skip
    assert first.returncode == 0, first.stderr
    try:
        yield gr
    finally:
        gr.close()


def _gives_up_johs(gr: GitRegistry) -> None:
    """JOHS given up, and its user's JOHS ID with it (000 §5-3)."""
    _operator(gr.reg, [s for s in SYSTEMS if s != "johs"])
    gr.reg.user(permissions={"taxis": "1011"})


def _gives_up_switching(gr: GitRegistry) -> None:
    _operator(gr.reg, [s for s in SYSTEMS if s != "switching"])


def _gives_up_johs_and_switching(gr: GitRegistry) -> None:
    """JOHS (and its user's JOHS ID) and the switching support system given up in one
    application: a usage change at each provider."""
    _gives_up_johs(gr)
    _operator(gr.reg, [s for s in SYSTEMS if s not in ("johs", "switching")])


def _renamed(gr: GitRegistry) -> None:
    _operator(gr.reg, name="試験ガス改称株式会社")


def _renamed_giving_up_johs(gr: GitRegistry) -> None:
    """JOHS given up and a new name in one application: the name is both providers'."""
    _gives_up_johs(gr)
    _operator(gr.reg, [s for s in SYSTEMS if s != "johs"], name="試験ガス改称株式会社")


def _applied(
    gr: GitRegistry, tmp_path: Path, change: Callable[[GitRegistry], None]
) -> tuple[str, str, str]:
    """The pull request ``change``, merged and applied on ``ACCEPTED``: its plan (in
    Japanese), the bodies of its 受付 mails and its batch."""
    gr.branch("change", "main")
    change(gr)
    gr.commit("change: change")
    planned = accessreg(gr, "--lang", "ja", "plan", "--base", "main", "--head", "change",
                        "--today", str(ACCEPTED))  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "change", env=on(ACCEPTED))
    before = set(state(gr)["batches"])
    out = tmp_path / "o1"
    ran = accessreg(gr, "apply", "--out", str(out), "--confirm", "--today", str(ACCEPTED),
                    "--accepted-on", str(ACCEPTED))  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    (batch,) = set(state(gr)["batches"]) - before
    accepted = written_mails(out, "*-accepted-*.eml")  # one per window person told apart
    assert accepted
    return planned.stdout, "\n".join(str(m.get_content()) for m in accepted), batch


def _usage_work(gr: GitRegistry, day: str) -> str:
    """``status``'s 利用申請の手続き of the operator's latest application on ``day``."""
    ran = accessreg(gr, "--lang", "ja", "status", "--operator", "TESTOP01", "--today", day)
    assert ran.returncode == 0, ran.stderr
    table = ran.stdout.split("\n\n")[0].splitlines()
    column = table[0].split("\t").index("利用申請の手続き")
    return table[-1].split("\t")[column]


def _confirm_imports(gr: GitRegistry, batch: str, day: date) -> None:
    """The batch's files taken by each system it holds but the switching support system: its
    users' rows, imported at once."""
    for system in state(gr)["batches"][batch]["systems"]:
        if system != "switching":
            done = accessreg(gr, "confirm", batch, "--system", system, "--today", str(day))
            assert done.returncode == 0, done.stderr


def _certs(out: Path, system: str) -> str:
    return (out / "whitelist" / system / "cert-map.conf").read_text("utf-8")


def test_giving_up_johs_is_done_on_tokyo_gas_networks_day_with_no_occto_step(
    both: GitRegistry, tmp_path: Path
) -> None:
    gr = both
    planned, mail, batch = _applied(gr, tmp_path, _gives_up_johs)
    assert TOKYO_GAS_DAY in planned and HELP_DESK not in planned, planned
    assert f"反映 {TOKYO_GAS_DAY} 以降" in mail and HELP_DESK not in mail, mail
    # No step of OCCTO's to confirm: the switching support system is none of its batch's
    assert "switching" not in state(gr)["batches"][batch]["systems"]
    _confirm_imports(gr, batch, ACCEPTED)
    assert _usage_work(gr, "2027-01-05") == "未済"
    assert _usage_work(gr, TOKYO_GAS_DAY) == "済"
    # The certificate reaches JOHS until the change is done
    assert "7A0001 TESTOP01;" in _certs(over_applied(gr, tmp_path, "2027-01-05"), "johs")
    done = over_applied(gr, tmp_path, TOKYO_GAS_DAY)
    assert "7A0001" not in _certs(done, "johs")
    assert "7A0001 TESTOP01;" in _certs(done, "switching")


def test_giving_up_the_switching_system_waits_for_the_help_desk_alone(
    both: GitRegistry, tmp_path: Path
) -> None:
    gr = both
    planned, mail, batch = _applied(gr, tmp_path, _gives_up_switching)
    for told in (planned, mail):
        assert HELP_DESK in told and TOKYO_GAS_DAY not in told, told
    assert "switching" in state(gr)["batches"][batch]["systems"]
    _confirm_imports(gr, batch, ACCEPTED)
    assert _usage_work(gr, "2027-01-29") == "未済"  # until the help desk's step is recorded
    assert "7A0001 TESTOP01;" in _certs(over_applied(gr, tmp_path, "2026-12-14"), "switching")
    confirm = accessreg(gr, "confirm", batch, "--system", "switching", "--out",
                        str(tmp_path / "confirmed"), "--today", str(CONFIRMED))  # fmt: skip
    assert confirm.returncode == 0, confirm.stderr
    # Done on the confirmation: no period of Tokyo Gas Network's to wait for
    assert _usage_work(gr, str(CONFIRMED)) == "済"
    done = over_applied(gr, tmp_path, str(CONFIRMED))
    assert "7A0001" not in _certs(done, "switching")
    assert "7A0001 TESTOP01;" in _certs(done, "johs")


def test_giving_up_a_system_of_each_provider_dates_each_by_its_provider(
    both: GitRegistry, tmp_path: Path
) -> None:
    """JOHS and the switching support system given up in one pull request: Tokyo Gas
    Network's part is done on its own day, without waiting for OCCTO's help desk, and
    OCCTO's on the help desk's confirmation, without waiting for Tokyo Gas Network's 15
    business days, as two pull requests would have been (a deletion held back by nothing
    it does not touch)."""
    gr = both
    planned, mail, batch = _applied(gr, tmp_path, _gives_up_johs_and_switching)
    for told in (planned, mail):
        # Each part with its own day: none waits for the other provider's
        assert TOKYO_GAS_DAY in told and HELP_DESK in told, told
        assert f"{HELP_DESK}、{TOKYO_GAS_DAY}" not in told, told
    # The JSON and markdown plans: one item per provider, each with its own date
    documents = tmp_path / "plan.json", tmp_path / "plan.md"
    again = accessreg(gr, "--lang", "ja", "plan", "--base", "HEAD~1", "--head", "HEAD",
                      "--today", str(ACCEPTED), "--json", str(documents[0]),
                      "--markdown", str(documents[1]))  # fmt: skip
    assert again.returncode == 0, again.stderr
    (op,) = json.loads(documents[0].read_text("utf-8"))["operators"]
    parts = {i["part"]: i["effective"] for i in op["items"] if i["subject"] == "operator"}
    assert parts["tokyo_gas_network"]["on"] == TOKYO_GAS_DAY, parts
    assert (parts["occto"]["on"], parts["occto"]["start"]) == (None, "manual"), parts
    markdown = documents[1].read_text("utf-8")
    assert f"<br>適用 {TOKYO_GAS_DAY} |" in markdown, markdown
    assert f"<br>適用 {HELP_DESK} |" in markdown, markdown
    # Each part names the desk it is filed with, in the plan and in the 受付 mail
    assert "スイッチング支援システム ヘルプデスク への申請分" in markdown, markdown
    assert "受付窓口: スイッチング支援システム ヘルプデスク）" in mail, mail
    assert "switching" in state(gr)["batches"][batch]["systems"]
    _confirm_imports(gr, batch, ACCEPTED)
    # Tokyo Gas Network's part done, the help desk's not yet: JOHS no longer takes it
    done = over_applied(gr, tmp_path, TOKYO_GAS_DAY)
    assert "7A0001" not in _certs(done, "johs")
    assert "7A0001 TESTOP01;" in _certs(done, "switching")
    assert _usage_work(gr, TOKYO_GAS_DAY) == "未済"  # the help desk's part is still to come
    # The help desk's part done on 12-15, before Tokyo Gas Network's day: the switching
    # support system stops taking the certificate then, JOHS still takes it
    confirmed = tmp_path / "confirmed"
    confirm = accessreg(gr, "confirm", batch, "--system", "switching", "--out", str(confirmed),
                        "--today", str(CONFIRMED))  # fmt: skip
    assert confirm.returncode == 0, confirm.stderr
    early = over_applied(gr, tmp_path, str(CONFIRMED))
    assert "7A0001" not in _certs(early, "switching")
    assert "7A0001 TESTOP01;" in _certs(early, "johs")
    # Its completion notice lists OCCTO's part alone, on the confirmation's day
    notices = "\n".join(str(m.get_content()) for m in written_mails(confirmed, "*.eml"))
    given_up = (
        "利用をやめるシステム: スイッチング支援システム、受付窓口: スイッチング支援システム "
        f"ヘルプデスク）（{CONFIRMED} 以降）"
    )
    assert given_up in notices, notices
    assert "利用をやめるシステム: 託送情報開示システム" not in notices, notices
    assert TOKYO_GAS_DAY not in notices, notices
    # The application's usage work is done once both parts are
    assert _usage_work(gr, "2027-01-05") == "未済"
    assert _usage_work(gr, TOKYO_GAS_DAY) == "済"


def test_a_new_name_holds_back_no_system_given_up_beside_it(
    both: GitRegistry, tmp_path: Path
) -> None:
    """A new name and JOHS given up in one pull request: the name is a term of both
    providers, done on the later (below); JOHS is Tokyo Gas Network's part, done on its
    day whatever OCCTO's help desk does (a deletion held back by nothing it does not
    touch)."""
    gr = both
    planned, mail, batch = _applied(gr, tmp_path, _renamed_giving_up_johs)
    for told in (planned, mail):
        assert f"反映 {TOKYO_GAS_DAY} 以降" in told or f"適用 {TOKYO_GAS_DAY}" in told, told
        assert HELP_DESK in told, told  # the new name's part
    _confirm_imports(gr, batch, ACCEPTED)
    # The help desk has confirmed nothing: JOHS stops taking the certificate all the same
    done = over_applied(gr, tmp_path, TOKYO_GAS_DAY)
    assert "7A0001" not in _certs(done, "johs")
    assert "7A0001 TESTOP01;" in _certs(done, "switching")
    assert _usage_work(gr, TOKYO_GAS_DAY) == "未済"  # the new name waits for the help desk


MEMBER = {"status": "member", "member_since": "2020-04-01"}


def _member(reg: RegistryFactory, systems: list[str]) -> None:
    """An OCCTO member using the member system (under terms of its own, 003) beside the
    switching support system and Tokyo Gas Network's systems."""
    reg.operator(roles=["gas_retailer", "wheeling_client", "electricity_retailer"],
                 systems=systems, occto_member=True, membership=MEMBER,
                 certificates=[certificate(1)])  # fmt: skip


def test_giving_up_systems_under_two_of_occtos_terms_waits_for_each_desk_alone(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """The switching support system (002, its help desk) and the member system (003, its
    own terms and desk) given up together: each is its own desk's filing, as the window
    person files them, so each part waits for its own desk's step alone."""
    _member(reg, ["taxis", "johs", "switching", "member_portal"])
    gr = GitRegistry(reg)
    first = accessreg(gr, "apply", "--out", str(tmp_path / "o0"), "--initial", "--confirm",
                      "--today", "2026-12-07")  # fmt: skip
    assert first.returncode == 0, first.stderr
    planned, mail, batch = _applied(gr, tmp_path, lambda g: _member(g.reg, ["taxis", "johs"]))
    assert "スイッチング支援システム ヘルプデスク への申請分" in planned, planned
    assert "、受付窓口: スイッチング支援システム ヘルプデスク）" in mail, mail
    steps = [
        i["steps"]
        for a in state(gr)["batches"][batch]["applications"]
        for i in a["items"]
        if i["subject"] == "operator" and i["system"] is None
    ]
    assert sorted(steps) == [["member_portal"], ["switching"]], steps
    confirm = accessreg(gr, "confirm", batch, "--system", "switching", "--today",
                        str(CONFIRMED))  # fmt: skip
    assert confirm.returncode == 0, confirm.stderr
    # The help desk's part done: the switching support system stops taking the
    # certificate though the member system's desk has done nothing yet
    done = over_applied(gr, tmp_path, str(CONFIRMED))
    assert "7A0001" not in _certs(done, "switching")
    gr.close()


@pytest.mark.parametrize("change", [_renamed, _renamed_giving_up_johs], ids=["name", "with-johs"])
def test_a_new_name_is_each_providers_and_done_on_the_later(
    both: GitRegistry, tmp_path: Path, change: Callable[[GitRegistry], None]
) -> None:
    gr = both
    planned, mail, batch = _applied(gr, tmp_path, change)
    for told in (planned, mail):
        assert HELP_DESK in told, told
    assert "switching" in state(gr)["batches"][batch]["systems"]
    _confirm_imports(gr, batch, ACCEPTED)
    assert _usage_work(gr, TOKYO_GAS_DAY) == "未済"  # the help desk has not done its part
    confirm = accessreg(gr, "confirm", batch, "--system", "switching", "--out",
                        str(tmp_path / "confirmed"), "--today", str(CONFIRMED))  # fmt: skip
    assert confirm.returncode == 0, confirm.stderr
    # Confirmed early, still not before Tokyo Gas Network's day
    assert _usage_work(gr, "2027-01-05") == "未済"
    assert _usage_work(gr, TOKYO_GAS_DAY) == "済"


def test_giving_up_a_suspended_system_is_its_providers_alone(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """A suspended system given up takes its suspension with it (``suspension``: none of
    a system not used): that is part of the system's change, not a term of both, so JOHS
    given up while suspended waits for no step of OCCTO's either."""
    stopped = {"system": "johs", "suspended_on": "2026-12-01", "reason": "証明書の紛失"}
    _operator(reg, suspensions=[stopped])
    gr = GitRegistry(reg)
    first = accessreg(gr, "apply", "--out", str(tmp_path / "o0"), "--initial", "--confirm",
                      "--today", "2026-12-07")  # fmt: skip
    assert first.returncode == 0, first.stderr
    planned, mail, batch = _applied(gr, tmp_path, _gives_up_johs)
    assert TOKYO_GAS_DAY in planned and HELP_DESK not in planned, planned
    assert f"反映 {TOKYO_GAS_DAY} 以降" in mail and HELP_DESK not in mail, mail
    assert "switching" not in state(gr)["batches"][batch]["systems"]


def test_a_window_persons_notice_gives_the_day_the_acceptance_gave_as_its_least(
    both: GitRegistry, tmp_path: Path
) -> None:
    """A deputy added to an operator of both waits for the help desk's step and for Tokyo
    Gas Network's period (the 受付 mail: 「… 作業完了後、2027-01-06 以降」). Every step
    confirmed on 12-15, the completion notices give 2027-01-06, the least day the 受付 mail
    gave, as the state's ``in_effect_on`` does: they gave the confirmation's day."""
    gr = both
    _, mail, batch = _applied(
        gr, tmp_path, lambda g: _operator(g.reg, contacts=[contact(), contact("deputy", 2)])
    )
    assert f"{HELP_DESK}、{TOKYO_GAS_DAY} 以降" in mail, mail
    notices = []
    for system in state(gr)["batches"][batch]["systems"]:
        out = tmp_path / f"confirmed-{system}"
        done = accessreg(gr, "confirm", batch, "--system", system, "--out", str(out),
                         "--today", str(CONFIRMED))  # fmt: skip
        assert done.returncode == 0, done.stderr
        notices += [str(m.get_content()) for m in written_mails(out, "*.eml")]
    assert notices
    said = "\n".join(notices)
    assert TOKYO_GAS_DAY in said and f"{CONFIRMED} から" not in said, said
    assert f"開始 {CONFIRMED}" not in said, said


def _applied_on(
    gr: GitRegistry, tmp_path: Path, name: str, day: str, change: Callable[[], None]
) -> str:
    """The pull request ``name`` merged and applied on ``day``; its batch."""
    merge(gr, name, change)
    before = set(state(gr)["batches"])
    # Few IDs: a window person's removal is none of a mass removal's.
    ran = accessreg(gr, "apply", "--out", str(tmp_path / name), "--confirm", "--today", day,
                    "--accepted-on", day, "--allow-mass-removal")  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    (batch,) = set(state(gr)["batches"]) - before
    return str(batch)


def _confirmed(gr: GitRegistry, out: Path, batch: str, day: date) -> list[str]:
    """Every system of ``batch`` confirmed on ``day``: the bodies of the notices it owes."""
    notices = []
    for system in state(gr)["batches"][batch]["systems"]:
        done = accessreg(gr, "confirm", batch, "--system", system, "--out",
                         str(out / system), "--today", str(day))  # fmt: skip
        assert done.returncode == 0, done.stderr
        notices += [str(m.get_content()) for m in written_mails(out / system, "*.eml")]
    return notices


def test_a_later_removal_of_a_manual_step_is_held_from_the_least_day_it_was_given(
    both: GitRegistry, tmp_path: Path
) -> None:
    """A deputy added (batch A) and removed again (batch B), each waiting for the help
    desk's step and for Tokyo Gas Network's period: B's removal comes on its least day
    (``BatchRecord.held_from`` reads ``not_before`` as ``in_effect_on`` does), not on the
    confirmation of its step, which came earlier. A's notice, sent once both are confirmed,
    says the deputy's ID begins on A's least day and is deleted on B's: it said the ID was
    deleted already on the confirmation, before it ever began."""
    gr = both
    deputy = contact("deputy", 2)
    added = _applied_on(gr, tmp_path, "add", "2026-12-11",
                        lambda: _operator(gr.reg, contacts=[contact(), deputy]))  # fmt: skip
    removed = _applied_on(gr, tmp_path, "remove", "2026-12-14",
                          lambda: _operator(gr.reg, contacts=[contact()]))  # fmt: skip
    assert _confirmed(gr, tmp_path / "removed", removed, CONFIRMED)
    said = "\n".join(_confirmed(gr, tmp_path / "added", added, CONFIRMED))
    lines = [ln for ln in said.splitlines() if f"（ID: {deputy['email']}）: 設定" in ln]
    assert lines, said
    for line in lines:  # the permission-management system's and the info-sharing site's
        assert f"開始 {TOKYO_GAS_DAY}" in line, line
        assert "抹消済み" not in line and "2027-01-07 に抹消されます" in line, line


TAKEN_BACK = date(2026, 12, 14)  # a Monday, before PR1's day
TAKEN_BACK_DAY = "2027-01-07"  # 15 business days after it
USER = "user1@test-gas.example.co.jp"


def _johs_serials(out: Path, day: str) -> set[str]:
    """The serials JOHS's nginx map lets through in the run ``out``, as nginx parses it."""
    folder = out / "whitelist" / "johs"
    parsed = nginx_whitelist(out.parent / f"nginx-{day}", folder / "ip-geo.conf",
                             folder / "cert-map.conf")  # fmt: skip
    return set(parsed.map)


def _johs_holders(out: Path) -> list[set[str]]:
    """Who holds a JOHS ID in the run's CSV, SCIM and LDIF snapshots, each as parsed."""
    rows = csv_rows((out / "imports/johs/snapshot.csv").read_bytes())
    scim = (out / "scim/snapshot.json").read_bytes()
    assert scim_users(scim)  # validated as RFC 7643/7644 resources
    (group,) = [o["data"] for o in json.loads(scim)["Operations"]
                if o["path"] == "/Groups" and o["data"]["displayName"] == "johs-J1010"]  # fmt: skip
    ldif = ldif_entries((out / "ldif/snapshot.ldif").read_bytes())
    members = ldif["cn=johs-J1010,ou=groups,dc=accessreg,dc=example"]["member"]
    return [
        {r["メールアドレス（ID）"] for r in rows if r["権限コード"] == "J1010"},
        {m["value"].removeprefix("bulkId:") for m in group["members"]},
        {m.split(",")[0].removeprefix("uid=") for m in members if m.startswith("uid=")},
    ]


@pytest.mark.parametrize(
    ("gives_up", "keeps"),
    [
        (_gives_up_johs, [s for s in SYSTEMS if s != "johs"]),
        (_gives_up_johs_and_switching, [s for s in SYSTEMS if s not in ("johs", "switching")]),
    ],
    ids=["johs", "johs-and-switching"],
)
def test_a_system_taken_back_before_its_give_up_is_done_is_kept_until_that_day(
    both: GitRegistry,
    tmp_path: Path,
    gives_up: Callable[[GitRegistry], None],
    keeps: list[str],
) -> None:
    """JOHS given up (PR1, done on 01-06 as its 受付 mail says) and taken back by a second
    usage change merged before that day (PR2, done on 01-07): each application is done on
    its own day (000 §3-2, about 15 business days each; nothing in the seeds has a later
    application cancel one in progress). The certificate stays in JOHS's whitelist until
    PR1's day and is back from PR2's, and the user's JOHS ID, given up and given back with
    it, the same in every snapshot: PR2 dropped both from its merge until its own day."""
    gr = both
    _, mail, batch = _applied(gr, tmp_path, gives_up)
    assert f"反映 {TOKYO_GAS_DAY} 以降" in mail, mail
    _confirm_imports(gr, batch, ACCEPTED)
    gr.branch("back", "main")
    _operator(gr.reg, [*keeps, "johs"])
    gr.reg.user(permissions={"taxis": "1011", "johs": "J1010"})
    gr.commit("back: JOHS taken back")
    planned = accessreg(gr, "--lang", "ja", "plan", "--base", "main", "--head", "back",
                        "--today", str(TAKEN_BACK))  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    assert TAKEN_BACK_DAY in planned.stdout, planned.stdout
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "back", env=on(TAKEN_BACK))
    out = tmp_path / "back"
    ran = accessreg(gr, "apply", "--out", str(out), "--confirm", "--today", str(TAKEN_BACK),
                    "--accepted-on", str(TAKEN_BACK))  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    told = "\n".join(str(m.get_content()) for m in written_mails(out, "*-accepted-*.eml"))
    assert f"反映 {TAKEN_BACK_DAY} 以降" in told, told
    # The user's JOHS ID, deleted with PR1 on its acceptance (a deletion of 000 §5-3) and
    # set again with PR2 on its own, as its delta dates it
    (row,) = csv_rows((out / "imports/johs/delta-day-2026-12-14.csv").read_bytes())
    assert (row["区分"], row["適用日"], row["メールアドレス（ID）"]) == ("新規", "2026-12-14", USER)
    kept = {"2026-12-11": True, "2026-12-14": True, "2027-01-05": True, TOKYO_GAS_DAY: False,
            TAKEN_BACK_DAY: True}  # fmt: skip
    for day, held in kept.items():
        run = over_applied(gr, tmp_path, day)
        assert ("7A0001" in _johs_serials(run, day)) is held, day
        assert "7A0001 TESTOP01;" in _certs(run, "taxis"), day
        holders = {USER} if day >= str(TAKEN_BACK) else set()
        assert _johs_holders(run) == [holders] * 3, day
    # The status of PR2's usage change: done on its own day
    assert _usage_work(gr, TOKYO_GAS_DAY) == "未済"
    assert _usage_work(gr, TAKEN_BACK_DAY) == "済"
