"""Effective access: the users' own permissions plus the derived ones, per login ID."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from itertools import pairwise

from accessreg.model.changes import ChangeKind
from accessreg.outputs.access import access_on, changed, diff, effective_access, stages
from tests.helpers.regfactory import RegistryFactory, contact
from tests.helpers.registries import loaded


def test_window_person_gets_admin_console_and_users_the_info_site(reg: RegistryFactory) -> None:
    access = effective_access(loaded(reg))
    user = access["user1@test-gas.example.co.jp"]
    assert user.permissions == {"taxis": "1011", "johs": "J1010", "info_site": "granted"}
    window = access["window1@test-gas.example.co.jp"]
    assert window.window_person
    assert window.permissions == {"admin_console": "granted"}


def test_window_person_who_is_a_user_is_one_login(reg: RegistryFactory) -> None:
    reg.user(email="Window1@test-gas.example.co.jp", memo="窓口兼利用者")
    access = effective_access(loaded(reg))
    person = access["window1@test-gas.example.co.jp"]
    assert person.email == "Window1@test-gas.example.co.jp"
    assert person.memo == "窓口兼利用者"
    assert person.permissions == {
        "taxis": "1011",
        "johs": "J1010",
        "info_site": "granted",
        "admin_console": "granted",
    }


def test_operator_of_another_provider_gets_no_permission_management_id(
    reg: RegistryFactory,
) -> None:
    reg.operator(
        "OCCTOP01",
        roles=["electricity_retailer"],
        occto_member=True,
        systems=["switching"],
        contacts=[contact(n=7, email="window7@occto-op.example.jp")],
        subcontractors=[],
    )
    access = effective_access(loaded(reg))
    assert "window7@occto-op.example.jp" not in access


def test_terminated_operator_grants_nothing(reg: RegistryFactory) -> None:
    reg.operator(status="terminated", terminated_on="2026-11-01")
    access = effective_access(loaded(reg))
    assert access == {}


def test_diff_classes_new_change_delete_per_system(reg: RegistryFactory) -> None:
    before = effective_access(loaded(reg))
    reg.user(permissions={"taxis": "1010"})
    reg.user(email="user2@test-gas.example.co.jp", permissions={"juju": "granted"})
    after = effective_access(loaded(reg))
    found = {(c.system, c.person.login, c.kind) for c in diff(before, after, loaded(reg).catalog)}
    assert found == {
        ("taxis", "user1@test-gas.example.co.jp", ChangeKind.CHANGE),
        ("johs", "user1@test-gas.example.co.jp", ChangeKind.REMOVE),
        ("juju", "user2@test-gas.example.co.jp", ChangeKind.ADD),
        ("info_site", "user2@test-gas.example.co.jp", ChangeKind.ADD),
    }


def test_diff_lists_by_system_in_catalog_order_then_by_login(reg: RegistryFactory) -> None:
    """Each holder is compared on the systems it holds; the list is the catalog's order."""
    before = effective_access(loaded(reg))
    reg.user(permissions={"juju": "granted", "taxis": "1010"})
    for n, permissions in ((3, {"johs": "J1010", "juju": "granted"}), (2, {"taxis": "1011"})):
        reg.user(email=f"user{n}@test-gas.example.co.jp", permissions=permissions)
    catalog = loaded(reg).catalog
    found = [
        (c.system, c.person.login) for c in diff(before, effective_access(loaded(reg)), catalog)
    ]
    order = [system.id for system in catalog.systems]
    assert found == sorted(found, key=lambda pair: (order.index(pair[0]), pair[1]))
    assert len({system for system, _ in found}) >= 4 and len({login for _, login in found}) == 3


def test_diff_sees_a_name_change_as_a_change_row(reg: RegistryFactory) -> None:
    before = effective_access(loaded(reg))
    reg.user(name="試験 次郎")
    after = effective_access(loaded(reg))
    kinds = {(c.system, c.kind) for c in diff(before, after, loaded(reg).catalog)}
    assert kinds == {
        ("taxis", ChangeKind.CHANGE),
        ("johs", ChangeKind.CHANGE),
        ("info_site", ChangeKind.CHANGE),
    }


def test_a_suspended_id_keeps_its_permissions_suspended(reg: RegistryFactory) -> None:
    """Suspension first, decision after (001 p46): the ID is stopped, not deleted."""
    before = effective_access(loaded(reg))
    reg.user(suspended_on="2026-11-20")
    after = effective_access(loaded(reg))
    person = after["user1@test-gas.example.co.jp"]
    assert person.permissions == before["user1@test-gas.example.co.jp"].permissions
    assert person.suspended == {"taxis", "johs", "info_site"}
    assert not person.active
    assert person.groups() == ("info_site-suspended", "johs-suspended", "taxis-suspended")
    catalog = loaded(reg).catalog
    assert {(c.system, c.kind) for c in diff(before, after, catalog)} == {
        ("taxis", ChangeKind.SUSPEND),
        ("johs", ChangeKind.SUSPEND),
        ("info_site", ChangeKind.SUSPEND),
    }
    assert {(c.system, c.kind) for c in diff(after, before, catalog)} == {
        ("taxis", ChangeKind.RESTORE),
        ("johs", ChangeKind.RESTORE),
        ("info_site", ChangeKind.RESTORE),
    }


def test_a_suspended_use_of_one_system_suspends_it_for_every_id(reg: RegistryFactory) -> None:
    """The system's operator may suspend an operator's use (002 §2.6, §3.4.4)."""
    suspension = {"system": "taxis", "suspended_on": "2026-11-20", "reason": "調査中"}
    reg.operator(suspensions=[suspension])
    person = effective_access(loaded(reg))["user1@test-gas.example.co.jp"]
    assert person.suspended == {"taxis"}  # JOHS, and so the info-sharing site, go on
    assert person.active
    reg.user(permissions={"taxis": "1011"})
    person = effective_access(loaded(reg))["user1@test-gas.example.co.jp"]
    assert person.suspended == {"taxis", "info_site"}  # its only source is suspended


def test_a_holder_is_taken_from_another_access_only_for_the_same_operator_and_file(
    reg: RegistryFactory,
) -> None:
    """``like``: the same models, so each holder could be taken as it is; one that another
    operator holds there, or that comes from another file, is made anew."""
    registry = loaded(reg)
    real = effective_access(registry)
    login = "user1@test-gas.example.co.jp"
    assert effective_access(registry, like=(registry, real))[login] is real[login]
    for other in (replace(real[login], operator="OTHEROP1"), replace(real[login], file="x.yaml")):
        found = effective_access(registry, like=(registry, {**real, login: other}))
        assert found[login] == real[login]
        assert found[login] is not other


def test_changed_is_a_difference_of_holders(reg: RegistryFactory) -> None:
    access = effective_access(loaded(reg))
    login = "user1@test-gas.example.co.jp"
    holder = access[login]
    assert not changed(access, access, login)  # the very same holder
    assert not changed(access, {login: replace(holder)}, login)  # an equal one
    assert changed(access, {login: replace(holder, memo="変更")}, login)
    assert changed(access, {}, login) and changed({}, access, login)


def test_a_stage_holds_the_holder_of_an_end_once_its_changes_are_made(
    reg: RegistryFactory,
) -> None:
    """Until a change of theirs takes effect a stage holds ``before``'s holder; once all
    have, ``after``'s holder itself (so that comparing stages stops at identity); between
    the two, a holder of its own with the changes made so far."""
    before = effective_access(loaded(reg))
    reg.user(permissions={"taxis": "1010"})  # taxis changed, johs removed
    reg.user(email="user2@test-gas.example.co.jp", permissions={"juju": "granted"})
    registry = loaded(reg)
    after = effective_access(registry)
    changes = diff(before, after, registry.catalog)
    user1, user2 = "user1@test-gas.example.co.jp", "user2@test-gas.example.co.jp"
    first, second = date(2026, 12, 16), date(2027, 1, 4)

    whole = [(c, first if c.person.login == user1 else second) for c in changes]
    [(_, start, reached), (_, middle, end)] = stages(before, after, whole)
    assert start is before and middle is reached and end is after
    assert reached[user1] is after[user1]
    assert user2 not in reached

    split = [(c, first if c.system == "taxis" else second) for c in changes]
    [(_, _, reached), _] = stages(before, after, split)
    assert dict(reached[user1].permissions) == {**before[user1].permissions, "taxis": "1010"}
    assert reached[user1] not in (before[user1], after[user1])


def test_each_stage_is_what_downstream_holds_on_its_day(reg: RegistryFactory) -> None:
    """Stages made one from the other give ``access_on`` each day, over two merges whose
    changes of one permission take effect in either order (the later merge's wins), and
    a holder that goes on one of those days."""
    gone = "user3@test-gas.example.co.jp"
    reg.user(email=gone, permissions={"taxis": "1010"})
    before = effective_access(loaded(reg))
    reg.user(permissions={"taxis": "1010", "juju": "granted"})
    reg.user(email="user2@test-gas.example.co.jp", permissions={"johs": "J1010"})
    (reg.root / f"users/TESTOP01/{gone}.yaml").unlink()
    middle = effective_access(loaded(reg))
    reg.user(permissions={"taxis": "1011"})
    reg.user(email="user2@test-gas.example.co.jp", permissions={"juju": "granted", "taxis": "1010"})
    registry = loaded(reg)
    after = effective_access(registry)
    changes = diff(before, middle, registry.catalog) + diff(middle, after, registry.catalog)
    days = [date(2026, 12, 16), date(2026, 12, 23), date(2027, 1, 4), None]
    pick = random.Random(14)
    seen = set()
    for _ in range(60):
        dated = [(change, pick.choice(days)) for change in changes]
        found = list(stages(before, after, dated))
        assert found[-1][2] == after
        for (label, _, reached), (_, start, _) in pairwise(found):
            assert start is reached
            on = date.fromisoformat(label)
            held = access_on(before, after, dated, on)
            assert reached == held and list(reached) == list(held)  # in login order too
            seen.add(gone in reached)
    assert seen == {True, False}  # gone on some days, not yet on others


def test_a_holders_groups_are_worked_out_once_and_never_compared(reg: RegistryFactory) -> None:
    one = effective_access(loaded(reg))["user1@test-gas.example.co.jp"]
    again = effective_access(loaded(reg))["user1@test-gas.example.co.jp"]
    assert one.groups() is one.groups()  # the same tuple: kept with the holder
    assert one == again and "_groups" not in repr(one)  # ``again`` has not worked it out
    moved = replace(one, suspended=frozenset(one.permissions))
    assert set(moved.groups()) == {f"{s}-suspended" for s in one.permissions}
    assert not set(moved.groups()) & set(one.groups())
