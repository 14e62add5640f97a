"""Provisional OCCTO members: a reminder after 11 months, the termination list after a year."""

from __future__ import annotations

from datetime import date

import pytest

from accessreg.model.registry import Registry
from accessreg.scheduled.membership import membership
from accessreg.timeline.periods import months_later
from tests.helpers.regfactory import RegistryFactory


def _registry(reg: RegistryFactory, status: str = "provisional") -> Registry:
    dates = {"provisional": "provisional_since", "member": "member_since"}
    reg.operator(
        roles=["gas_retailer", "electricity_retailer"],
        membership={
            "status": status,
            "provisional_since": "2026-03-02",
            dates[status]: "2026-03-02",
        },
        occto_member=status == "member",
    )
    result = reg.validate()
    assert result.registry is not None
    return result.registry


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2027, 2, 2), []),  # exactly 11 months: not past them yet
        (date(2027, 2, 3), [("membership-reminder", "window", "TESTOP01")]),
        (date(2027, 3, 2), [("membership-reminder", "window", "TESTOP01")]),  # the deadline
        (date(2027, 3, 3), [("membership-termination", "reviewers", None)]),
    ],
)
def test_timeline(
    reg: RegistryFactory, today: date, expected: list[tuple[str, str, str | None]]
) -> None:
    outcome = membership(_registry(reg), today)
    assert [(n.kind, n.audience, n.operator) for n in outcome.notices] == expected
    # The table's 段階 in the words of 003 §2.7.2 ④, one row per notice.
    stages = {"membership-reminder": "本申請のお願い", "membership-termination": "解除の対象"}
    assert [r[4] for r in outcome.tables[0].rows] == [stages[kind] for kind, _, _ in expected]


def test_members_are_not_reminded(reg: RegistryFactory) -> None:
    outcome = membership(_registry(reg, "member"), date(2028, 1, 1))
    assert outcome.notices == ()


def test_keys_name_the_stage(reg: RegistryFactory) -> None:
    registry = _registry(reg)
    first = membership(registry, date(2027, 2, 3)).notices[0].items[0].key
    again = membership(registry, date(2027, 2, 20)).notices[0].items[0].key
    last = membership(registry, date(2027, 3, 3)).notices[0].items[0].key
    assert first == again != last


@pytest.mark.parametrize(
    ("day", "months", "later"),
    [
        (date(2026, 3, 31), 11, date(2027, 2, 28)),
        (date(2027, 3, 31), 11, date(2028, 2, 29)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
    ],
)
def test_months_later(day: date, months: int, later: date) -> None:
    assert months_later(day, months) == later
