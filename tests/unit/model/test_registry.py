"""The loaded registry (model/registry.py)."""

from __future__ import annotations

from dataclasses import replace

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
