"""The day's holders joined from two histories: the waiting operators' (read from the
oldest batch still waiting) and the others' (read from the applied revision)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from accessreg.outputs.access import Holder
from accessreg.provision.shares import LoginClashError, joined
from tests.unit.provision.test_day_key import HOLDER


def _of(operator: str, login: str, code: str = "1010") -> Holder:
    return replace(HOLDER, operator=operator, login=login, permissions={"taxis": code})


def test_each_operator_comes_from_its_own_history_in_login_order() -> None:
    found = {
        h.login: h
        for h in (_of("MINATOEN", "b@x.example.jp"), _of("AOBAGS01", "c@x.example.jp", "old"))
    }
    day = {
        h.login: h for h in (_of("AOBAGS01", "a@x.example.jp"), _of("AOBAGS01", "c@x.example.jp"))
    }
    made = joined(found, day, {"AOBAGS01"})
    assert list(made) == ["a@x.example.jp", "b@x.example.jp", "c@x.example.jp"]
    # The waiting operator's holders as its own history has them, not as the applied
    # revision's does: its permission still to come is not in effect.
    assert made["c@x.example.jp"] is day["c@x.example.jp"]
    assert made["b@x.example.jp"] is found["b@x.example.jp"]


def test_a_login_id_on_both_sides_is_left_to_one_history_of_both() -> None:
    """Which operator holds an ID two of them list is decided over both ends of a range
    (the first one with a permission): neither history alone knows it."""
    found = {"a@x.example.jp": _of("MINATOEN", "a@x.example.jp")}
    day = {"a@x.example.jp": _of("AOBAGS01", "a@x.example.jp")}
    with pytest.raises(LoginClashError):
        joined(found, day, {"AOBAGS01"})
