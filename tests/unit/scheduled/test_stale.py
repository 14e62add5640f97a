"""Long-unused IDs: the count, the stage at each threshold, digests per stage and drift."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from accessreg.model.registry import Registry
from accessreg.provision.state import ApplicationRecord, BatchRecord, ItemDates, SystemProgress
from accessreg.scheduled.idstages import stage_of
from accessreg.scheduled.lastlogins import read
from accessreg.scheduled.stale import stale
from tests.helpers.regfactory import RegistryFactory, certificate

LOGIN = date(2026, 4, 1)


def _registry(reg: RegistryFactory) -> Registry:
    result = reg.validate()
    assert result.registry is not None
    return result.registry


def _export(*rows: str) -> bytes:
    return ("ID,last_login\n" + "".join(f"{r}\n" for r in rows)).encode()


@pytest.mark.parametrize(
    ("days", "stage"),
    [
        (119, None),
        (120, "warning1"),
        (149, "warning1"),
        (150, "warning2"),
        (179, "warning2"),
        (180, "locked"),
        (209, "locked"),
        (210, "deleted"),
        (400, "deleted"),
    ],
)
def test_stage_thresholds(days: int, stage: str | None) -> None:
    assert stage_of(days) == stage


def test_the_seed_worked_dates(reg: RegistryFactory) -> None:
    """000 §5-7: last login 2019/04/01 → locked from 2019/09/28, deleted from 2019/10/28."""
    export = read(_export("user1@test-gas.example.co.jp,2019/04/01"), "f")
    registry = _registry(reg)
    (user,) = stale(registry, export, {}, date(2019, 9, 28)).users
    assert (user.lock_on, user.delete_on) == (date(2019, 9, 28), date(2019, 10, 28))
    assert user.stage == "locked"
    assert stale(registry, export, {}, date(2019, 9, 27)).users[0].stage == "warning2"


def test_digest_per_operator_and_stage(reg: RegistryFactory) -> None:
    reg.user(email="b@test-gas.example.co.jp")
    reg.user(email="c@test-gas.example.co.jp")
    reg.user(email="d@test-gas.example.co.jp")
    today = LOGIN + timedelta(days=150)
    export = read(
        _export(
            f"USER1@test-gas.example.co.jp,{LOGIN}",  # case differs: the same ID
            f"b@test-gas.example.co.jp,{LOGIN + timedelta(days=30)}",  # 120 days
            f"c@test-gas.example.co.jp,{today}",  # logged in today
        ),
        "f",
    )
    result = stale(_registry(reg), export, {}, today)
    digests = {(n.operator, n.stage): [i.login_id for i in n.items] for n in result.outcome.notices}
    assert digests == {
        ("TESTOP01", "warning2"): ["user1@test-gas.example.co.jp"],
        ("TESTOP01", "warning1"): ["b@test-gas.example.co.jp"],
    }
    stages = {u.login_id: (u.basis, u.days, u.stage) for u in result.users}
    assert stages["c@test-gas.example.co.jp"] == ("login", 0, None)
    assert stages["d@test-gas.example.co.jp"] == ("absent", None, None)


def test_each_user_is_judged_on_its_own_though_what_users_share_is_worked_out_once(
    reg: RegistryFactory,
) -> None:
    # Systems split once per set of permissions, a stage once per count, a day's text once:
    # each user's row is still its own.
    reg.user(email="a@test-gas.example.co.jp", permissions={"taxis": "1010"})
    reg.user(email="b@test-gas.example.co.jp", permissions={"johs": "J1010", "taxis": "1011"})
    reg.user(email="c@test-gas.example.co.jp", permissions={"taxis": "1010"})
    reg.user(email="d@test-gas.example.co.jp", permissions={"johs": "J1010"})
    today = LOGIN + timedelta(days=150)
    export = read(
        _export(
            f"user1@test-gas.example.co.jp,{LOGIN}",
            f"a@test-gas.example.co.jp,{LOGIN}",
            f"b@test-gas.example.co.jp,{LOGIN + timedelta(days=30)}",
            "d@test-gas.example.co.jp,",
        ),
        "f",
    )
    added = {"users/TESTOP01/d@test-gas.example.co.jp.yaml": LOGIN}
    result = stale(_registry(reg), export, added, today)
    systems = {u.login_id: (u.systems, u.kept_systems) for u in result.users}
    assert systems == {
        "user1@test-gas.example.co.jp": (("johs", "taxis"), ()),
        "a@test-gas.example.co.jp": (("taxis",), ()),
        "b@test-gas.example.co.jp": (("johs", "taxis"), ()),
        "c@test-gas.example.co.jp": (("taxis",), ()),
        "d@test-gas.example.co.jp": (("johs",), ()),
    }
    table = next(t for t in result.outcome.tables if t.name == "stale")
    header, *rows = csv.reader(io.StringIO(table.encode().decode("utf-8-sig")))
    # The seed's words (000 §5-7: 最終ログイン日から起算, 警告1 …) and the form's for the ID.
    assert header == ["事業者コード", "メールアドレス（ID）", "最終ログイン日", "起算日",
                      "起算日の根拠", "経過日数", "段階"]  # fmt: skip
    assert sorted(rows) == [
        ["TESTOP01", "a@test-gas.example.co.jp", "2026-04-01", "2026-04-01", "最終ログイン日",
         "150", "警告2"],
        ["TESTOP01", "b@test-gas.example.co.jp", "2026-05-01", "2026-05-01", "最終ログイン日",
         "120", "警告1"],
        ["TESTOP01", "c@test-gas.example.co.jp", "", "", "一覧になし", "", ""],
        # never used: counted from the day TESTOP01's JOHS issued it (000 §5-1), as above
        ["TESTOP01", "d@test-gas.example.co.jp", "", "2026-04-24", "発行日", "127", "警告1"],
        ["TESTOP01", "user1@test-gas.example.co.jp", "2026-04-01", "2026-04-01",
         "最終ログイン日", "150", "警告2"],
    ]  # fmt: skip
    digests = {(n.operator, n.stage): [i.login_id for i in n.items] for n in result.outcome.notices}
    assert {k: sorted(v) for k, v in digests.items()} == {
        ("TESTOP01", "warning2"): ["a@test-gas.example.co.jp", "user1@test-gas.example.co.jp"],
        ("TESTOP01", "warning1"): ["b@test-gas.example.co.jp", "d@test-gas.example.co.jp"],
    }


def test_a_loaded_id_counts_from_the_load_unless_an_application_added_it_since(
    reg: RegistryFactory,
) -> None:
    """A first apply's IDs were issued on its day (``state.loaded_users``), whenever their
    files were committed; an ID added again by a later application counts from that one's
    recorded date."""
    reg.user(email="again@test-gas.example.co.jp", permissions={"taxis": "1010"})
    export = read(_export("user1@test-gas.example.co.jp,", "again@test-gas.example.co.jp,"), "f")
    load, committed = date(2026, 12, 5), date(2026, 11, 20)
    files = [f"users/TESTOP01/{n}@test-gas.example.co.jp.yaml" for n in ("user1", "again")]
    again = ApplicationRecord(
        id="0123456789ab/TESTOP01",
        commit="0123456789ab" * 3 + "0123",
        parent=None,
        operator="TESTOP01",
        title="",
        accepted_on=date(2027, 1, 6),
        processing_day=date(2027, 1, 18),
        kinds=("利用権限の設定申請",),
        systems=("taxis",),
        items=(
            ItemDates(subject="user", key="again@test-gas.example.co.jp", system="taxis",
                      on=date(2027, 1, 26), action="add"),
        ),
    )  # fmt: skip

    def issued(imported_on: date | None) -> dict[str, tuple[str, date]]:
        batch = BatchRecord(
            id="20270106-0123456789ab", number=2, base="f" * 40, head=again.commit,
            created_on=date(2027, 1, 6), applications=(again,),
            systems={"taxis": SystemProgress(generated_on=date(2027, 1, 6),
                                             imported_on=imported_on)},
        )  # fmt: skip
        result = stale(
            _registry(reg),
            export,
            dict.fromkeys(files, committed),
            date(2027, 6, 1),
            issued=[batch],
            loaded=dict.fromkeys(files, load),
        )
        return {u.login_id: (u.basis, u.since) for u in result.users}

    assert issued(None) == {
        "user1@test-gas.example.co.jp": ("issued", load),
        "again@test-gas.example.co.jp": ("issued", date(2027, 1, 26)),
    }
    # Imported before the announced day: in use from that day. Imported after it: the ID
    # was issued on the import, as the completion notice said.
    assert issued(date(2027, 1, 20))["again@test-gas.example.co.jp"] == (
        "issued",
        date(2027, 1, 26),
    )
    assert issued(date(2027, 2, 3))["again@test-gas.example.co.jp"] == ("issued", date(2027, 2, 3))


def test_never_used_counts_from_the_day_the_id_was_issued(reg: RegistryFactory) -> None:
    """000 §5-7 ※1: an ID never used counts from the day it was issued, not the day its
    file was merged: added on Saturday 10 January 2026, accepted Monday 12, M = 16 January,
    TAXIS/JOHS usable — the ID issued — six business days later, on 26 January (000 §5-1)."""
    export = read(_export("user1@test-gas.example.co.jp,"), "f")
    registry = _registry(reg)
    added = {"users/TESTOP01/user1@test-gas.example.co.jp.yaml": date(2026, 1, 10)}
    (user,) = stale(registry, export, added, date(2026, 8, 24)).users  # 210 days later
    assert (user.basis, user.since, user.stage) == ("issued", date(2026, 1, 26), "deleted")
    assert stale(registry, export, added, date(2026, 8, 23)).users[0].stage == "locked"
    # a file not committed yet counts from today
    assert stale(registry, export, {}, date(2026, 8, 8)).users[0].days == 0


def test_keys_change_with_stage_and_with_a_new_login(reg: RegistryFactory) -> None:
    registry = _registry(reg)

    def key(login: date, today: date) -> str:
        export = read(_export(f"user1@test-gas.example.co.jp,{login}"), "f")
        return stale(registry, export, {}, today).users[0].key

    assert key(LOGIN, LOGIN + timedelta(days=120)) == key(LOGIN, LOGIN + timedelta(days=149))
    assert key(LOGIN, LOGIN + timedelta(days=120)) != key(LOGIN, LOGIN + timedelta(days=150))
    later = LOGIN + timedelta(days=10)
    assert key(LOGIN, LOGIN + timedelta(days=200)) != key(later, later + timedelta(days=200))


def test_only_users_of_the_providers_systems(reg: RegistryFactory) -> None:
    reg.operator(
        "OCCTOOP1",
        roles=["electricity_retailer"],
        occto_member=True,
        membership={"status": "member", "member_since": "2020-01-01"},
        systems=["switching"],
        contacts=[{**_contact(), "email": "w@occto-op.example.jp", "github": "w-occto"}],
        subcontractors=[],
        certificates=[certificate(1, cn="OCCTOOP1-PC01")],
    )
    reg.user("OCCTOOP1", "s@occto-op.example.jp", permissions={"switching": "retailer_admin"})
    reg.user(email="mixed@test-gas.example.co.jp", permissions={"taxis": "1010"})
    export = read(
        _export(
            "user1@test-gas.example.co.jp,2025-01-01",
            "s@occto-op.example.jp,2025-01-01",
            "mixed@test-gas.example.co.jp,2025-01-01",
        ),
        "f",
    )
    result = stale(_registry(reg), export, {}, date(2026, 1, 1))
    assert {u.login_id for u in result.users} == {
        "user1@test-gas.example.co.jp",
        "mixed@test-gas.example.co.jp",
    }
    user1 = next(u for u in result.users if u.login_id.startswith("user1"))
    assert (user1.systems, user1.kept_systems) == (("johs", "taxis"), ())
    # the OCCTO user is not in Tokyo Gas's export: drift for this provider
    assert [d.login_id for d in result.drift] == ["s@occto-op.example.jp"]
    occto = stale(_registry(reg), export, {}, date(2026, 1, 1), provider="occto")
    assert [u.login_id for u in occto.users] == ["s@occto-op.example.jp"]


def _contact() -> dict[str, str]:
    return {
        "role": "primary",
        "name": "窓口 太郎",
        "name_kana": "マドグチ タロウ",
        "email": "w@x.example.jp",
        "phone": "03-0000-0009",
        "github": "w-x",
    }


def test_drift_ignores_case_and_knows_window_persons(reg: RegistryFactory) -> None:
    export = read(
        _export(
            "User1@Test-Gas.example.co.jp,2026-05-01",
            "WINDOW1@test-gas.example.co.jp,2026-05-01",  # a window person's own ID
            "ghost@test-gas.example.co.jp,",
        ),
        "f",
    )
    result = stale(_registry(reg), export, {}, date(2026, 6, 1))
    assert [(d.login_id, d.line) for d in result.drift] == [("ghost@test-gas.example.co.jp", 4)]
    (notice,) = [n for n in result.outcome.notices if n.kind == "stale-drift"]
    assert notice.audience == "reviewers"
    drift_table = next(t for t in result.outcome.tables if t.name == "stale-drift")
    assert drift_table.rows == (("ghost@test-gas.example.co.jp", "", "4"),)


def test_unreadable_rows_travel_with_the_outcome(reg: RegistryFactory) -> None:
    export = read(_export("user1@test-gas.example.co.jp,someday"), "logins.csv")
    result = stale(_registry(reg), export, {}, date(2026, 6, 1))
    assert [(p.file, p.line) for p in result.outcome.problems] == [("logins.csv", 2)]
    assert result.users[0].basis == "absent"  # not judged on a row it could not read


def test_deleted_grouped_per_operator(reg: RegistryFactory) -> None:
    reg.user(email="b@test-gas.example.co.jp")
    export = read(
        _export("user1@test-gas.example.co.jp,2025-01-01", "b@test-gas.example.co.jp,2026-05-01"),
        "f",
    )
    result = stale(_registry(reg), export, {}, date(2026, 6, 1))
    assert {k: [u.login_id for u in v] for k, v in result.deleted().items()} == {
        "TESTOP01": ["user1@test-gas.example.co.jp"]
    }


def test_an_id_seen_locked_counts_on_once_the_export_drops_it(reg: RegistryFactory) -> None:
    registry = _registry(reg)
    export = read(_export(f"user1@test-gas.example.co.jp,{LOGIN}"), "f")
    locked = stale(registry, export, {}, LOGIN + timedelta(days=180))
    remembered = locked.remember()
    assert remembered == {"user1@test-gas.example.co.jp": LOGIN}
    gone = read(_export(), "f")  # deleted by the authentication system: no longer exported
    later = stale(registry, gone, {}, LOGIN + timedelta(days=210), remembered=remembered)
    (user,) = later.users
    assert (user.basis, user.since, user.stage) == ("remembered", LOGIN, "deleted")
    assert list(later.deleted()) == ["TESTOP01"]
    assert stale(registry, gone, {}, LOGIN + timedelta(days=210)).users[0].basis == "absent"


def test_only_locked_and_deleted_ids_are_remembered(reg: RegistryFactory) -> None:
    export = read(_export(f"user1@test-gas.example.co.jp,{LOGIN}"), "f")
    registry = _registry(reg)
    assert stale(registry, export, {}, LOGIN + timedelta(days=179)).remember() == {}
    assert stale(registry, export, {}, LOGIN + timedelta(days=250)).remember() != {}
