"""A share on the day is kept under its holders as their equality sees them: holders equal
by it render the same bytes, and any field that differs keys another share."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from accessreg.outputs.access import Holder
from accessreg.provision.shares import _compared, _day_key
from tests.helpers.holders import holder

HOLDER = holder(
    login="a@test-gas.example.co.jp",
    email="A@test-gas.example.co.jp",
    operator_name="テストガス株式会社",
    affiliation_name="テストガス株式会社",
    permissions={"taxis": "1010", "johs": "J1010"},
    file="users/TESTOP01/a@test-gas.example.co.jp.yaml",
    suspended=frozenset({"taxis", "johs"}),
)


def _other(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, frozenset):
        return value | {"loacus"}
    if value is None:  # ``behind``: no system
        return {"loacus": "02011"}
    return {**value, "loacus": "02010"}


def test_equal_holders_give_one_key_whatever_their_order() -> None:
    same = replace(
        HOLDER, permissions={"johs": "J1010", "taxis": "1010"}, suspended=frozenset({"johs"})
    )
    same = replace(same, suspended=same.suspended | {"taxis"})
    assert same == HOLDER
    assert _compared(same) == _compared(HOLDER)
    assert _day_key("k", [same]) == _day_key("k", [HOLDER]) != _day_key("k2", [HOLDER])


def test_every_field_the_holder_compares_keys_another_share() -> None:
    compared = [f.name for f in fields(Holder) if f.compare]
    assert "permissions" in compared and "_groups" not in compared
    for name in compared:
        changed = replace(HOLDER, **{name: _other(getattr(HOLDER, name))})
        assert changed != HOLDER, name
        assert _day_key("k", [changed]) != _day_key("k", [HOLDER]), name
