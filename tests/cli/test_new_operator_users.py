"""A new operator's users are keyed on its registration, in every output.

The window person's ID is issued when the usage application (new) is done (000 §3-1 ⑥
【注３】), and only with it is a user's permission-set application filed (§5-1): a user
added with the operator, or while its registration applied before is still to come, is
keyed on the registration's day, and falls into the batch M of that day. The operator
NAGIGS01 is approved on 2026-12-23 and registered on 2027-01-19 (about 15 business days,
over the year-end closure); its user is keyed on 2027-01-19: M = 2027-02-01, TAXIS and
JOHS from M+6, 2027-02-09 (not the acceptance's M of 2027-01-05 and 2027-01-14). The plan,
the CSV, SCIM and LDIF deltas, the 受付 mail, the state and ``status`` all say so.
"""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import (
    apply_merged,
    edited,
    loaded,
    merged_pull,
    planned,
    read_csv,
    state,
    status_table,
)
from tests.helpers.regfactory import RegistryFactory

CODE = "NAGIGS01"
LOGIN = "taro@nagisa-gas.example.co.jp"
WINDOW = "ichiro.nagisa@nagisa-gas.example.co.jp"
NEW_OPERATOR = (
    "operator", "new", "--operator", CODE, "--name", "なぎさガス株式会社",
    "--name-kana", "ナギサガス カブシキガイシャ", "--role", "gas_retailer",
    "--role", "wheeling_client", "--system", "taxis", "--system", "johs",
    "--privacy-policy-url", "https://nagisa-gas.example.co.jp/privacy",
    "--contact-name", "渚 一郎", "--contact-name-kana", "ナギサ イチロウ",
    "--contact-email", WINDOW, "--contact-phone", "03-0000-0901",
    "--contact-github", "nagisa-ichiro",
)  # fmt: skip
NEW_USER = (
    "user", "add", "--operator", CODE, "--email", LOGIN, "--name", "渚 太郎",
    "--name-kana", "ナギサ タロウ", "--taxis", "1011", "--johs", "J1010",
)  # fmt: skip
CODES = {"taxis": "1011", "johs": "J1010"}
LABELS = {"taxis": "託送システム", "johs": "託送情報開示システム"}

ACCEPTED = "2026-12-23"  # the operator's usage application, approved and merged
REGISTERED = "2027-01-19"  # about 15 business days after, over the year-end closure
M = "2027-02-01"  # the batch of a user keyed on 2027-01-19 (its second half of January)
ON = "2027-02-09"  # M+6 business days, TAXIS and JOHS
# Keyed on the acceptance, as the user was before: the batch of 2027-01-05, from 2027-01-14.
NOT_M, NOT_ON = "2027-01-05", "2027-01-14"


pytestmark = pytest.mark.usefixtures("english")  # they read the English words


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """The baseline registry in git, loaded downstream a week before."""
    made = loaded(reg, tmp_path, "2026-12-15")
    yield made
    made.close()


def _user_item(plan: dict[str, Any]) -> dict[str, Any]:
    (op,) = [o for o in plan["operators"] if o["code"] == CODE]
    (item,) = [i for i in op["items"] if i["subject"] == "user" and i["key"] == LOGIN]
    return dict(item)


def _check_plan(plan: dict[str, Any]) -> None:
    """The user's permissions keyed on the registration, and the reviewer told why."""
    effects = {e["system"]: e["effective"] for e in _user_item(plan)["effects"]}
    assert set(effects) == set(CODES)
    for effective in effects.values():
        assert (effective["on"], effective["processing_day"]) == (ON, M)
        assert (effective["key"], effective["keyed_on"]) == ("registered", REGISTERED)
    assert M in plan["processing_days"] and NOT_M not in plan["processing_days"]
    notes = [n["message"] for n in plan["notes"] if n["subject"] == LOGIN]
    assert any(
        f"usage application (new) of {CODE}, expected on {REGISTERED}" in n for n in notes
    ), notes


def _check_outputs(out: Path) -> None:
    """The rows, the deltas of every format and the 受付 mail of the run that applied the
    user, all on the one date."""
    for system, code in CODES.items():
        rows = [
            (path.name, row["区分"], row["適用日"], row["システム処理日（M）"])
            for path in sorted((out / "imports" / system).glob("delta-*.csv"))
            for row in read_csv(path)
            if row["メールアドレス（ID）"] == LOGIN
        ]
        assert rows == [(f"delta-{M}.csv", "新規", ON, M)], system
        # SCIM and LDIF: the user joins the code's group in the delta of that date only.
        group = f"{system}-{code}"
        for kind, suffix, needle in (("scim", "json", group), ("ldif", "ldif", f"cn={group}")):
            named = [
                path.name
                for path in sorted((out / kind).glob(f"delta-*.{suffix}"))
                if LOGIN in (text := path.read_text(encoding="utf-8")) and needle in text
            ]
            assert named == [f"delta-{ON}.{suffix}"], (kind, system)
    bodies = []
    for path in sorted((out / "mail").glob("*-accepted-*.eml")):
        body = message_from_bytes(path.read_bytes(), policy=policy.default).get_content()
        if LOGIN in body:
            bodies.append(body)
    (body,) = bodies
    for system in CODES:
        line = next(ln for ln in body.splitlines() if ln.strip().startswith(LABELS[system]))
        assert f"利用開始 {ON}" in line, line
        assert "利用申請（新規）の手続き完了後の申請となるため、完了予定日から数えます" in line
    assert f"システム処理日（M）は {M} です" in body
    assert NOT_ON not in body and NOT_M not in body


def _recorded(gr: GitRegistry) -> list[tuple[str | None, str, str, str, str]]:
    """The user's items as the state records them: system, date, M, key and its day."""
    return sorted(
        (i["system"], i["on"], i["processing_day"], i["keyed"], i["keyed_on"])
        for b in state(gr)["batches"].values()
        for a in b["applications"]
        for i in a["items"]
        if i["key"] == LOGIN
    )


def _status_m(gr: GitRegistry, day: str) -> str:
    """The M ``status`` gives the application that adds the user."""
    (row,) = [
        r
        for r in status_table(gr, day)
        if "利用権限の設定申請" in r["申請種別"] and CODE in r["申請番号"]
    ]
    return row["M"]


def test_a_user_added_with_a_new_operator_is_keyed_on_its_registration(
    gr: GitRegistry, tmp_path: Path
) -> None:
    edited(gr, "newop", NEW_OPERATOR, NEW_USER)
    plan = planned(gr, "newop", "2026-12-22", ACCEPTED)
    # The registration itself, and the window person's ID with it, keep their own date.
    (op,) = plan["operators"]
    (registration,) = [i for i in op["items"] if i["subject"] == "operator"]
    assert registration["effective"]["on"] == REGISTERED
    (window,) = [i for i in op["items"] if i["subject"] == "window_person"]
    assert window["effects"][0]["effective"]["on"] == REGISTERED
    _check_plan(plan)
    out = apply_merged(gr, tmp_path, ACCEPTED, merged_pull(gr, "newop", "2026-12-22", ACCEPTED))
    _check_outputs(out)
    assert _recorded(gr) == [(s, ON, M, "registered", REGISTERED) for s in sorted(CODES)]
    assert _status_m(gr, ACCEPTED) == M


def test_a_user_added_while_the_registration_applied_before_is_still_to_come_waits_for_it(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The operator merged and applied on 12/23; its user approved on 12/25, before the
    registration is done: the state knows the registration still comes, and the plan of the
    user's pull request and the run that applies it key the user on it."""
    edited(gr, "newop", NEW_OPERATOR)
    apply_merged(gr, tmp_path, ACCEPTED, merged_pull(gr, "newop", "2026-12-22", ACCEPTED))
    edited(gr, "user", NEW_USER)
    _check_plan(planned(gr, "user", "2026-12-24", "2026-12-25"))
    out = apply_merged(
        gr, tmp_path, "2026-12-25", merged_pull(gr, "user", "2026-12-24", "2026-12-25")
    )
    _check_outputs(out)
    assert _recorded(gr) == [(s, ON, M, "registered", REGISTERED) for s in sorted(CODES)]
    assert _status_m(gr, "2026-12-25") == M


def test_one_run_applying_the_operator_and_then_its_user_keys_the_user_on_the_registration(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The same two merges applied by one run on 12/25: its second step knows the
    registration the first brings, as a later run knows it from the state."""
    edited(gr, "newop", NEW_OPERATOR)
    operator = merged_pull(gr, "newop", "2026-12-22", ACCEPTED)
    edited(gr, "user", NEW_USER)
    user = merged_pull(gr, "user", "2026-12-24", "2026-12-25")
    out = apply_merged(gr, tmp_path, "2026-12-25", operator, user)
    _check_outputs(out)
    assert _recorded(gr) == [(s, ON, M, "registered", REGISTERED) for s in sorted(CODES)]


def test_a_user_added_once_the_registration_is_done_is_keyed_on_its_own_acceptance(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Approved on 2027-01-20, the day after the registration: nothing waits, the user is
    keyed on its acceptance as any other (the batch of 2027-02-01 all the same, from its own
    acceptance), and no note is made."""
    edited(gr, "newop", NEW_OPERATOR)
    apply_merged(gr, tmp_path, ACCEPTED, merged_pull(gr, "newop", "2026-12-22", ACCEPTED))
    edited(gr, "user", NEW_USER)
    plan = planned(gr, "user", "2027-01-20", "2027-01-20")
    effects = {e["system"]: e["effective"] for e in _user_item(plan)["effects"]}
    for effective in effects.values():
        assert (effective["key"], effective["keyed_on"]) == ("accepted", "2027-01-20")
    assert not [n for n in plan["notes"] if n["subject"] == LOGIN]


def test_a_load_on_a_closed_day_counts_no_user_from_a_registration(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """A first apply on Sunday 2026-11-22 loads every operator as registered: its users'
    lines in the 受付 mails say the load's day, with no registration to wait for, although
    that Sunday counts as the next business day for the centre (2026-11-24, after the
    holiday): a load is no registration still to come."""
    made = loaded(reg, tmp_path, "2026-11-22")
    made.close()
    lines = [
        line
        for path in sorted((tmp_path / "initial" / "mail").glob("*-accepted-*.eml"))
        for line in message_from_bytes(path.read_bytes(), policy=policy.default)
        .get_content()
        .splitlines()
        if "利用開始" in line
    ]
    assert lines and all("利用開始 2026-11-22" in line for line in lines), lines[:3]
    assert not [line for line in lines if "完了予定日から数えます" in line], lines[:3]
