"""A permission of a system the operator is still taking up is keyed on that usage
application's completion, in every output.

A permission of LOACUS for a wheeling client can be entered only once the operator is
registered as one by its usage application (000 §5-1 【注６】【注７】); so for a system the
operator adds: its users' permissions of it are applied for once the usage change is done
(about 15 business days, §3-2), when the whitelists let its certificates reach the system
too. TESTOP01 uses TAXIS alone and adds JOHS and LOACUS, approved and merged on
2026-12-07; the change is done on 2026-12-28. In the same pull request, or while the change
applied before is still to come:

- the TAXIS user given JOHS and LOACUS: a change of their ID entered on 12-28, JOHS at once
  (§5-2 ①), LOACUS in the batch of 12-28 (M 2027-01-05, M+9);
- a new user with TAXIS and JOHS: TAXIS in the acceptance's batch (12-24), JOHS a change of
  the ID entered on 12-28, once both are there;
- a new user with JOHS alone: their permission set filed on 12-28, the batch of M
  2027-01-05, from M+6.

The plan (with a note for the reviewer), the CSV, SCIM and LDIF deltas, the 受付 mail, the
state and the whitelists all say so. So for a code only a role still to come allows (000
§5-1 【注６】), and for a file held back and released meanwhile, which is dated with what
still comes as any merge is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import csv_rows, written_mails
from tests.helpers.provisioning import (
    apply_merged,
    edited,
    loaded,
    merged_pull,
    over_applied,
    planned,
    state,
)
from tests.helpers.regfactory import RegistryFactory, certificate, run_cli

CODE = "TESTOP01"
HOLDER = "user1@test-gas.example.co.jp"  # uses TAXIS; given JOHS and LOACUS
BOTH = "user2@test-gas.example.co.jp"  # new, with TAXIS and JOHS
ALONE = "user3@test-gas.example.co.jp"  # new, with JOHS alone
SERIAL = "7A0001"

ACCEPTED = "2026-12-07"  # the usage change (and the users), approved and merged
TAKEN_UP = "2026-12-28"  # about 15 business days after it: the change is done
M = "2027-01-05"  # the batch of what is keyed on 12-28 (after the year-end closure)
LOACUS_ON = "2027-01-19"  # M+9 business days: a change of LOACUS (§5-2 ③)
JOHS_NEW = "2027-01-14"  # M+6 business days: a permission set of JOHS (§5-1)
TAXIS_NEW = "2026-12-24"  # the acceptance's batch (M 12-16), M+6: TAXIS waits for nothing
# (login, system) → (date, M, key, the day it is keyed on)
EXPECTED = {
    (HOLDER, "johs"): (TAKEN_UP, None, "taken_up", TAKEN_UP),
    (HOLDER, "loacus"): (LOACUS_ON, M, "taken_up", TAKEN_UP),
    (BOTH, "taxis"): (TAXIS_NEW, "2026-12-16", "accepted", ACCEPTED),
    (BOTH, "johs"): (TAKEN_UP, None, "taken_up", TAKEN_UP),
    (ALONE, "johs"): (JOHS_NEW, M, "taken_up", TAKEN_UP),
}
LABELS = {
    "taxis": "託送システム",
    "johs": "託送情報開示システム",
    "loacus": "託送ロードカーブシステム",
}


pytestmark = pytest.mark.usefixtures("english")  # they read the English words


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """TESTOP01 using TAXIS alone, with a certificate and a TAXIS user, loaded on 12/01."""
    reg.operator(systems=["taxis"], certificates=[certificate(1)])
    reg.user(permissions={"taxis": "1011"})
    made = loaded(reg, tmp_path, "2026-12-01")
    yield made
    made.close()


ADDS = ("operator", "change", "--operator", CODE, "--add-system", "johs",
        "--add-system", "loacus")  # fmt: skip
HOLDER_GETS = ("user", "change", "--operator", CODE, "--email", HOLDER, "--johs", "J1010",
               "--loacus", "02011")  # fmt: skip
NEW_BOTH = ("user", "add", "--operator", CODE, "--email", BOTH, "--name", "試験 次郎",
            "--name-kana", "シケン ジロウ", "--taxis", "1010", "--johs", "J1010")  # fmt: skip
NEW_ALONE = ("user", "add", "--operator", CODE, "--email", ALONE, "--name", "試験 三郎",
             "--name-kana", "シケン サブロウ", "--johs", "J1010")  # fmt: skip


def _applied(gr: GitRegistry, tmp: Path, *names: str, day: str) -> Path:
    """Branches ``names`` merged in turn as pull requests entered, approved and merged on
    ``day``, and applied by one run that day; its outputs."""
    return apply_merged(gr, tmp, day, *(merged_pull(gr, name, day) for name in names))


def _check_plan(plan: dict[str, Any], logins: set[str]) -> None:
    """Each permission of ``logins`` dated as ``EXPECTED``, and the reviewer told why for
    each one keyed on the usage change."""
    (op,) = [o for o in plan["operators"] if o["code"] == CODE]
    found = {
        (i["key"], e["system"]): (
            e["effective"]["on"],
            e["effective"]["processing_day"],
            e["effective"]["key"],
            e["effective"]["keyed_on"],
        )
        for i in op["items"]
        if i["subject"] == "user" and i["key"] in logins
        for e in i["effects"]
    }
    assert found == {k: v for k, v in EXPECTED.items() if k[0] in logins}
    # The batches M the plan names: none for a change of JOHS, which the system takes at once
    assert set(plan["processing_days"]) == {m for (_, m, _, _) in found.values() if m}
    for (login, system), (_, _, key, _) in EXPECTED.items():
        if login not in logins:
            continue
        told = [
            n["message"]
            for n in plan["notes"]
            if n["subject"] == login
            and "that registers what it needs" in n["message"]
            and system in n["message"]
        ]
        assert len(told) == (key == "taken_up"), (login, system, told)
        if told:
            assert f"it counts from {TAKEN_UP}" in told[0]


def _check_outputs(out: Path, logins: set[str]) -> None:
    """The rows of every format and the 受付 mail of the run that applied the users, each
    permission on its date alone."""
    wanted = {k: v for k, v in EXPECTED.items() if k[0] in logins}
    for (login, system), (on, m, _, _) in wanted.items():
        rows = [
            (row["適用日"], row["システム処理日（M）"])
            for path in sorted((out / "imports" / system).glob("delta-*.csv"))
            for row in csv_rows(path.read_bytes())
            if row["メールアドレス（ID）"] == login
        ]
        assert rows == [(on, m or "")], (login, system)
        # SCIM and LDIF: the user joins the system's group in the delta of that date
        for kind, suffix in (("scim", "json"), ("ldif", "ldif")):
            named = [
                path.name
                for path in sorted((out / kind).glob(f"delta-*.{suffix}"))
                if login in (text := path.read_text(encoding="utf-8")) and f"{system}-" in text
            ]
            assert named == [f"delta-{on}.{suffix}"], (kind, login, system, named)
    bodies = [str(m.get_content()) for m in written_mails(out, "*-accepted-*.eml")]
    body = "\n".join(bodies)
    for login in logins:
        section = body.split(f"ID: {login}")[1].split("\n\n")[0]
        for (who, system), (on, _, key, _) in wanted.items():
            if who == login:
                line = next(ln for ln in section.splitlines() if LABELS[system] in ln)
                assert f"利用開始 {on}" in line or f"反映 {on}" in line, line
                # The window person is told why the day is so late
                said = "利用申請の手続き完了後の申請となるため、完了予定日から数えます" in line
                assert said is (key == "taken_up"), line


def _recorded(gr: GitRegistry, logins: set[str]) -> dict[tuple[str, str], tuple[Any, ...]]:
    """The users' items as the state records them."""
    return {
        (i["key"], i["system"]): (i["on"], i["processing_day"], i["keyed"], i["keyed_on"])
        for b in state(gr)["batches"].values()
        for a in b["applications"]
        for i in a["items"]
        if i["key"] in logins and i["subject"] == "user"
    }


def _in_johs(gr: GitRegistry, tmp: Path, day: str) -> tuple[bool, set[str]]:
    """Of a run on ``day``: whether its whitelists let the operator's certificate reach
    JOHS, and the users its JOHS snapshot holds."""
    out = over_applied(gr, tmp, day)
    certs = (out / "whitelist" / "johs" / "cert-map.conf").read_text("utf-8")
    rows = csv_rows((out / "imports" / "johs" / "snapshot.csv").read_bytes())
    return f"{SERIAL} {CODE};" in certs, {r["メールアドレス（ID）"] for r in rows}


def test_users_given_a_system_their_operator_takes_up_in_the_same_change_wait_for_it(
    gr: GitRegistry, tmp_path: Path
) -> None:
    logins = {HOLDER, BOTH, ALONE}
    edited(gr, "johs", ADDS, HOLDER_GETS, NEW_BOTH, NEW_ALONE)
    _check_plan(planned(gr, "johs", ACCEPTED), logins)
    out = _applied(gr, tmp_path, "johs", day=ACCEPTED)
    _check_outputs(out, logins)
    assert _recorded(gr, logins) == {k: v for k, v in EXPECTED.items() if k[0] in logins}
    # The whitelists let the certificate reach JOHS on the day the users are in its snapshot
    assert _in_johs(gr, tmp_path, "2026-12-25") == (False, set())
    assert _in_johs(gr, tmp_path, TAKEN_UP) == (True, {HOLDER, BOTH})


def test_a_user_given_the_system_while_the_change_applied_before_is_still_to_come_waits(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The usage change merged and applied on 12/07; the users' pull request on 12/10: the
    state knows the change still comes, and the plan and the run key the users on it."""
    edited(gr, "johs", ADDS)
    _applied(gr, tmp_path, "johs", day=ACCEPTED)
    edited(gr, "users", HOLDER_GETS, NEW_ALONE)
    logins = {HOLDER, ALONE}
    _check_plan(planned(gr, "users", "2026-12-10"), logins)
    out = _applied(gr, tmp_path, "users", day="2026-12-10")
    _check_outputs(out, logins)
    assert _recorded(gr, logins) == {k: v for k, v in EXPECTED.items() if k[0] in logins}


def test_a_user_given_the_system_once_the_change_is_done_waits_for_nothing(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Approved on 12/28, the day the change is done: keyed on its own events, no note."""
    edited(gr, "johs", ADDS)
    _applied(gr, tmp_path, "johs", day=ACCEPTED)
    edited(gr, "users", HOLDER_GETS)
    plan = planned(gr, "users", TAKEN_UP)
    (op,) = plan["operators"]
    keys = {e["effective"]["key"] for i in op["items"] for e in i["effects"]}
    assert keys == {"entered"}
    assert not [n for n in plan["notes"] if "that registers what it needs" in n["message"]]


def test_a_deletion_of_a_system_still_being_taken_up_waits_for_nothing(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Given JOHS with the change, then deleted on 12/10: its grant comes on 12-28, and the
    deletion is dated then, as any deletion of a permission still to come (``plan.waits``),
    never later."""
    edited(gr, "johs", ADDS, HOLDER_GETS)
    _applied(gr, tmp_path, "johs", day=ACCEPTED)
    edited(gr, "drop", ("user", "change", "--operator", CODE, "--email", HOLDER,
                         "--johs", "none"))  # fmt: skip
    plan = planned(gr, "drop", "2026-12-10")
    (op,) = plan["operators"]
    (item,) = [i for i in op["items"] if i["key"] == HOLDER]
    (effect,) = item["effects"]
    assert effect["system"] == "johs" and effect["new"] is None
    assert effect["effective"]["key"] == "entered"
    assert effect["effective"]["on"] == TAKEN_UP


@pytest.mark.parametrize("later", [False, True], ids=["with-the-change", "after-it"])
def test_a_system_taken_back_while_its_give_up_is_still_to_come_is_used_still(
    reg: RegistryFactory, tmp_path: Path, later: bool
) -> None:
    """JOHS given up (applied 12/07, done 12/28) and taken back (applied 12/09) before that
    day: the operator is registered for JOHS all along, so its user given JOHS with the
    change taking it back, or in a later one, waits for nothing: entered, at once."""
    reg.operator(systems=["taxis", "johs"], certificates=[certificate(1)])
    reg.user(permissions={"taxis": "1011"})
    gr = loaded(reg, tmp_path, "2026-12-01")
    try:
        edited(gr, "drop", ("operator", "change", "--operator", CODE,
                             "--remove-system", "johs"))  # fmt: skip
        _applied(gr, tmp_path, "drop", day=ACCEPTED)
        back = ("operator", "change", "--operator", CODE, "--add-system", "johs")
        gives = ("user", "change", "--operator", CODE, "--email", HOLDER, "--johs", "J1010")
        if later:
            edited(gr, "back", back)
            _applied(gr, tmp_path, "back", day="2026-12-09")
            edited(gr, "user", gives)
        else:
            edited(gr, "user", back, gives)
        plan = planned(gr, "user", "2026-12-10")
        (op,) = plan["operators"]
        (item,) = [i for i in op["items"] if i["key"] == HOLDER]
        (effect,) = item["effects"]
        assert (effect["effective"]["key"], effect["effective"]["on"]) == ("entered", "2026-12-10")
    finally:
        gr.close()


@pytest.fixture
def manufacturer(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """TESTOP01 as a gas retailer and manufacturer using JOHS and LOACUS, its user with
    LOACUS's manufacturer code, loaded on 12/01."""
    reg.operator(roles=["gas_retailer", "manufacturer"], systems=["johs", "loacus"])
    reg.user(permissions={"johs": "J1010", "loacus": "03010"})
    made = loaded(reg, tmp_path, "2026-12-01")
    yield made
    made.close()


BECOMES_CLIENT = ("operator", "change", "--operator", CODE, "--add-role", "wheeling_client")
TO_CLIENT_CODE = ("user", "change", "--operator", CODE, "--email", HOLDER, "--loacus", "02011")
NEW_MANUFACTURER = ("user", "add", "--operator", CODE, "--email", ALONE, "--name", "試験 三郎",
                    "--name-kana", "シケン サブロウ", "--loacus", "03010")  # fmt: skip


def _loacus(plan: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """login → the date, key and keyed day of its LOACUS permission in ``plan``."""
    (op,) = [o for o in plan["operators"] if o["code"] == CODE]
    return {
        i["key"]: (e["effective"]["on"], e["effective"]["key"], e["effective"]["keyed_on"])
        for i in op["items"]
        if i["subject"] == "user"
        for e in i["effects"]
        if e["system"] == "loacus"
    }


@pytest.mark.parametrize("later", [False, True], ids=["with-the-change", "after-it"])
def test_a_code_only_a_role_still_to_come_allows_waits_for_it(
    manufacturer: GitRegistry, tmp_path: Path, later: bool
) -> None:
    """The operator registered as a wheeling client by a usage change approved on 12/07
    (done 12/28): its user's LOACUS changed to a wheeling client's code (02011, 000 §5-1
    【注６】) with it, or on 12/10, is entered on 12/28, in that day's batch (M+9); a new user
    with the manufacturer's code, which a role the operator holds allows, waits for nothing."""
    gr = manufacturer
    day = ACCEPTED
    if later:
        edited(gr, "role", BECOMES_CLIENT)
        _applied(gr, tmp_path, "role", day=ACCEPTED)
        edited(gr, "users", TO_CLIENT_CODE, NEW_MANUFACTURER)
        day = "2026-12-10"
    else:
        edited(gr, "users", BECOMES_CLIENT, TO_CLIENT_CODE, NEW_MANUFACTURER)
    plan = planned(gr, "users", day)
    found = _loacus(plan)
    assert found[HOLDER] == (LOACUS_ON, "taken_up", TAKEN_UP)
    assert found[ALONE][1:] == ("accepted", day)
    told = [n["message"] for n in plan["notes"] if "that registers what it needs" in n["message"]]
    assert len(told) == 1 and HOLDER in told[0], told
    out = _applied(gr, tmp_path, "users", day=day)
    rows = [
        (row["メールアドレス（ID）"], row["適用日"], row["システム処理日（M）"])
        for path in sorted((out / "imports" / "loacus").glob("delta-*.csv"))
        for row in csv_rows(path.read_bytes())
        if row["メールアドレス（ID）"] == HOLDER
    ]
    assert rows == [(HOLDER, LOACUS_ON, M)]
    recorded = _recorded(gr, {HOLDER})
    assert recorded[(HOLDER, "loacus")] == (LOACUS_ON, M, "taken_up", TAKEN_UP)


@pytest.mark.parametrize("together", [False, True], ids=["applied-before", "in-the-same-run"])
def test_a_file_held_back_and_released_while_the_system_is_still_to_come_waits_for_it(
    gr: GitRegistry, tmp_path: Path, together: bool
) -> None:
    """A new user with JOHS merged on 12/08 with an error (a TAXIS code there is none of)
    is held back; the fix merged on 12/09 releases it: the release is dated as a merge then
    would be, its JOHS keyed on the usage change adding JOHS, applied on 12/07 (done 12/28)
    or merged just before the fix and applied in the same run, not on the fix's batch."""
    edited(gr, "johs", ADDS)
    if not together:
        _applied(gr, tmp_path, "johs", day=ACCEPTED)
    gr.branch("bad", "main")
    gr.reg.user(CODE, BOTH, permissions={"taxis": "1019", "johs": "J1010"})
    gr.commit("bad: no such code")
    gr.checkout("main")
    _applied(gr, tmp_path, "bad", day="2026-12-08")
    assert f"users/{CODE}/{BOTH}.yaml" in state(gr)["held"]
    gr.branch("fix", "main")
    gr.reg.user(CODE, BOTH, permissions={"taxis": "1010", "johs": "J1010"})
    gr.commit("fix: the code")
    gr.checkout("main")
    if together:
        (op,) = planned(gr, "johs", "2026-12-09")["operators"]
        taken = op["items"][0]["effective"]["on"]  # the usage change's own day
        assert taken > TAKEN_UP
        _applied(gr, tmp_path, "johs", "fix", day="2026-12-09")
    else:
        taken = TAKEN_UP
        # The fix's plan lists what its merge releases, dated so
        (op,) = planned(gr, "fix", "2026-12-09")["released"]
        (item,) = [i for i in op["items"] if i["key"] == BOTH]
        effects = {e["system"]: e["effective"] for e in item["effects"]}
        assert (effects["johs"]["on"], effects["johs"]["key"]) == (TAKEN_UP, "taken_up")
        _applied(gr, tmp_path, "fix", day="2026-12-09")
    assert state(gr)["held"] == {}
    recorded = _recorded(gr, {BOTH})
    assert recorded[(BOTH, "johs")] == (taken, None, "taken_up", taken)
    assert recorded[(BOTH, "taxis")][0] == TAXIS_NEW


def test_a_released_change_of_a_permission_still_to_come_is_dated_when_it_comes(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A new TAXIS user applied on 12/07 (from M+6, 12/24); a change of their code merged on
    12/08 with an error is held back, and released by the fix on 12/09: the change is dated
    when the user's grant comes (``plan.waits``), as a merge without the error would be,
    not on the fix, before the system has the user."""
    edited(gr, "new", ("user", "add", "--operator", CODE, "--email", BOTH, "--name", "試験 次郎",
                        "--name-kana", "シケン ジロウ", "--taxis", "1010"))  # fmt: skip
    _applied(gr, tmp_path, "new", day=ACCEPTED)
    gr.branch("bad", "main")
    changed = run_cli("user", "change", "--operator", CODE, "--email", BOTH, "--taxis", "1012",
                      cwd=gr.path)  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    gr.reg.edit(f"users/{CODE}/{BOTH}.yaml", "name_kana: シケン ジロウ", "name_kana: 試験")
    gr.commit("bad: kana that are not")
    gr.checkout("main")
    _applied(gr, tmp_path, "bad", day="2026-12-08")
    assert f"users/{CODE}/{BOTH}.yaml" in state(gr)["held"]
    edited(gr, "fix", ("user", "change", "--operator", CODE, "--email", BOTH,
                        "--name-kana", "シケン ジロウ"))  # fmt: skip
    _applied(gr, tmp_path, "fix", day="2026-12-09")
    assert state(gr)["held"] == {}
    dated = sorted(
        (i["on"], i.get("waits", False))
        for b in state(gr)["batches"].values()
        for a in b["applications"]
        for i in a["items"]
        if i["key"] == BOTH and i["system"] == "taxis"
    )
    assert dated == [(TAXIS_NEW, False), (TAXIS_NEW, True)]


GIVES_UP_CLIENT = ("operator", "change", "--operator", CODE, "--remove-role", "wheeling_client")
TO_MANUFACTURER_CODE = ("user", "change", "--operator", CODE, "--email", HOLDER, "--loacus",
                        "03010")  # fmt: skip
TAKES_BACK_CLIENT = ("operator", "change", "--operator", CODE, "--add-role", "wheeling_client")
NEW_CLIENT = ("user", "add", "--operator", CODE, "--email", ALONE, "--name", "試験 三郎",
              "--name-kana", "シケン サブロウ", "--loacus", "02011")  # fmt: skip


def _usage_line(out: Path) -> str:
    """The line of the usage change in the 受付 mail a run wrote to ``out``."""
    body = str(written_mails(out, "*-accepted-*.eml")[0].get_content())
    return next(line for line in body.splitlines() if line.startswith("・利用申請（変更）"))


@pytest.mark.parametrize("later", [False, True], ids=["with-the-change", "after-it"])
def test_a_role_taken_back_while_its_give_up_is_still_to_come_is_held_still(
    reg: RegistryFactory, tmp_path: Path, later: bool
) -> None:
    """The wheeling client's role given up (applied 12/07, done 12/28) and taken back
    (applied 12/09) before that day: the operator is registered as one all along, so a new
    user with a wheeling client's code (02011, 000 §5-1 【注６】), added with the change
    taking it back or in a later one, waits for nothing: set in the batch of its own
    acceptance, as a system taken back is."""
    reg.operator(roles=["gas_retailer", "manufacturer", "wheeling_client"], systems=["loacus"])
    reg.user(permissions={"loacus": "02011"})
    gr = loaded(reg, tmp_path, "2026-12-01")
    try:
        edited(gr, "drop", TO_MANUFACTURER_CODE, GIVES_UP_CLIENT)
        dropped = _applied(gr, tmp_path, "drop", day=ACCEPTED)
        # The 受付 mail says which role the usage change takes, as the plan does.
        assert "（外す事業者区分: 託送供給依頼者）" in _usage_line(dropped)
        day = "2026-12-09"
        if later:
            edited(gr, "back", TAKES_BACK_CLIENT)
            back = _applied(gr, tmp_path, "back", day=day)
            assert "（追加する事業者区分: 託送供給依頼者）" in _usage_line(back)
            edited(gr, "user", NEW_CLIENT)
            day = "2026-12-10"
        else:
            edited(gr, "user", TAKES_BACK_CLIENT, NEW_CLIENT)
        plan = planned(gr, "user", day)
        dated = _loacus(plan)[ALONE]
        assert dated[1:] == ("accepted", day)
        assert not [n for n in plan["notes"] if "that registers what it needs" in n["message"]]
        _applied(gr, tmp_path, "user", day=day)
        (on, _, key, keyed_on) = _recorded(gr, {ALONE})[(ALONE, "loacus")]
        assert (on, key, keyed_on) == dated
    finally:
        gr.close()
