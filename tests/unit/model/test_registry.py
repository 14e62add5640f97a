"""The loaded registry (model/registry.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from hypothesis import given
from hypothesis import strategies as st

from accessreg.model import Catalog, User
from accessreg.model.registry import Registry, UserEntry
from tests.helpers.regfactory import RegistryFactory


def test_a_replaced_registry_lists_each_user_once(reg: RegistryFactory) -> None:
    reg.user(email="second@test-gas.example.co.jp")
    registry = reg.validate().registry
    assert registry is not None
    copy = replace(registry, broken=frozenset({"operators/TESTOP01.yaml"}))
    assert [u.file for u in copy.users_of("TESTOP01")] == [
        u.file for u in registry.users_of("TESTOP01")
    ]
    assert len(copy.users_of("TESTOP01")) == 2


def test_operators_picked_by_code_come_in_code_order(reg: RegistryFactory) -> None:
    for code in ("TESTOP03", "TESTOP02"):
        reg.operator(code=code)
    registry = reg.validate().registry
    assert registry is not None
    every = [e.operator.code for e in registry.iter_operators()]
    assert every == ["TESTOP01", "TESTOP02", "TESTOP03"]
    picked = [
        e.operator.code for e in registry.iter_operators({"TESTOP03", "TESTOP01", "NONE0001"})
    ]
    assert picked == ["TESTOP01", "TESTOP03"]
    assert list(registry.iter_operators(set())) == []


def test_a_registry_made_of_groups_holds_its_users_in_the_order_of_their_paths(
    reg: RegistryFactory,
) -> None:
    # A code ends at its "/": users/PROV-AB/… comes before users/PROV/…, as "-" before "/".
    codes = ("PROV0001", "PROV", "PROV-AB")
    for code in codes:
        reg.operator(code=code)
        for name in ("b-user", "a-user"):
            reg.user(code, f"{name}@{code.lower()}.example.co.jp")
    registry = reg.validate().registry
    assert registry is not None
    groups = {code: registry.users_of(code) for code in ("TESTOP01", *codes)}
    assert [len(group) for group in groups.values()] == [1, 2, 2, 2]
    made = Registry.of_groups(
        registry.catalog, registry.operators, groups, registry.maintainers,
        registry.calendar, registry.files, registry.broken,
    )  # fmt: skip
    assert [u.file for u in made.users] == sorted(u.file for u in registry.users)
    assert made.users == registry.users
    assert made.groups() is groups  # given, not made again from its users
    assert made.users_of("PROV-AB") == groups["PROV-AB"]


# Operator codes (``[A-Z0-9]{4,8}`` or ``PROV-…``) of few letters, so that one is often the
# start of another: PROV, PROV0, PROV-A.
_CODES = st.from_regex(r"PROV([A0]{0,4}|-[A0]{1,3})", fullmatch=True)
_NAMES = st.from_regex(r"[a-z0-9][a-z0-9.\-]{0,12}@[a-z0-9\-]{1,8}\.example\.jp", fullmatch=True)


@given(st.dictionaries(_CODES, st.lists(_NAMES, min_size=1, max_size=4, unique=True), max_size=8))
def test_any_groups_come_out_in_the_order_of_their_paths(named: dict[str, list[str]]) -> None:
    catalog = cast(Catalog, None)  # not read: the users' order alone is asked
    groups = {
        code: [
            UserEntry(f"users/{code}/{name}.yaml", code, cast(User, None)) for name in sorted(names)
        ]
        for code, names in named.items()
    }
    made = Registry.of_groups(catalog, {}, groups, None, None, frozenset(), frozenset())
    files = [u.file for u in made.users]
    assert files == sorted(files)
    assert len(files) == sum(len(names) for names in named.values())
