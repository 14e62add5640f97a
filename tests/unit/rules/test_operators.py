"""An operator's own file: window persons, subcontractors, status (rules/operators.py)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.regfactory import OPERATOR, USER, RegistryFactory, contact, shown


def test_no_primary_window_person(reg: RegistryFactory) -> None:
    reg.operator(contacts=[contact("deputy")])
    line = reg.line_of(OPERATOR, "contacts:")
    assert reg.found() == [("contact-primary", shown(OPERATOR), line, "error")]


def test_two_primary_window_persons_points_at_the_second(reg: RegistryFactory) -> None:
    reg.operator(contacts=[contact(), contact(n=2, email="window2@test-gas.example.co.jp")])
    line = reg.line_of(OPERATOR, "- role: primary", nth=2)
    assert reg.found() == [("contact-primary", shown(OPERATOR), line, "error")]


def test_one_primary_and_any_number_of_deputies_is_clean(reg: RegistryFactory) -> None:
    deputies = [contact("deputy", n, email=f"window{n}@test-gas.example.co.jp") for n in (2, 3)]
    reg.operator(contacts=[contact(), *deputies])
    assert reg.found() == []


def test_subcontractor_declared_twice(reg: RegistryFactory) -> None:
    reg.operator(
        subcontractors=[
            {"code": "TESTSUB1", "name": "テスト委託株式会社"},
            {"code": "TESTSUB1", "name": "テスト委託株式会社 大阪"},
        ]
    )
    line = reg.line_of(OPERATOR, "大阪") - 1
    assert reg.found() == [("subcontractor-code", shown(OPERATOR), line, "error")]


def test_subcontractor_with_the_operators_own_code(reg: RegistryFactory) -> None:
    reg.operator(subcontractors=[{"code": "TESTOP01", "name": "自社"}])
    line = reg.line_of(OPERATOR, "- code: TESTOP01")
    assert reg.found() == [("subcontractor-code", shown(OPERATOR), line, "error")]


def test_users_of_a_terminated_operator(reg: RegistryFactory) -> None:
    reg.user(email="user2@test-gas.example.co.jp", affiliation="TESTSUB1")
    reg.operator(status="terminated", terminated_on="2026-03-31")
    second = "users/TESTOP01/user2@test-gas.example.co.jp.yaml"
    assert reg.found() == [
        ("operator-terminated-users", shown(USER), 2, "error"),
        ("operator-terminated-users", shown(second), 2, "error"),
    ]


def test_terminated_operator_without_users_is_clean(reg: RegistryFactory) -> None:
    (reg.root / USER).unlink()
    reg.operator(status="terminated", terminated_on="2026-03-31")
    assert reg.found() == []


@pytest.mark.parametrize(
    ("today", "late"),
    [(date(2026, 11, 22), False), (date(2026, 11, 23), True)],
    ids=["a-year-to-the-day", "a-year-and-a-day"],
)
def test_provisional_membership_over_one_year(
    reg: RegistryFactory, today: date, late: bool
) -> None:
    reg.operator(membership={"status": "provisional", "provisional_since": "2025-11-22"})
    line = reg.line_of(OPERATOR, "provisional_since:")
    # 「解除することができる」: OCCTO may cancel; the registry warns.
    expected = [("membership-provisional", shown(OPERATOR), line, "warning")] if late else []
    assert reg.found(today) == expected


def test_provisional_since_29_february(reg: RegistryFactory) -> None:
    reg.operator(membership={"status": "provisional", "provisional_since": "2024-02-29"})
    line = reg.line_of(OPERATOR, "provisional_since:")
    assert reg.found(date(2025, 2, 28)) == []
    assert reg.found(date(2025, 3, 1)) == [
        ("membership-provisional", shown(OPERATOR), line, "warning")
    ]


def test_occto_member_flag_contradicts_membership(reg: RegistryFactory) -> None:
    reg.operator(
        occto_member=True, membership={"status": "withdrawn", "withdrawn_on": "2025-03-31"}
    )
    line = reg.line_of(OPERATOR, "occto_member:")
    assert reg.found() == [("occto-member", shown(OPERATOR), line, "error")]


def test_electricity_retailer_uses_switching_without_membership(reg: RegistryFactory) -> None:
    (reg.root / USER).unlink()
    reg.operator(roles=["electricity_retailer"], systems=["switching"])
    line = reg.line_of(OPERATOR, "- switching")
    assert reg.found() == [("occto-member", shown(OPERATOR), line, "error")]


def test_demand_response_contractor_needs_no_membership_for_switching(
    reg: RegistryFactory,
) -> None:
    (reg.root / USER).unlink()
    reg.operator(roles=["demand_response"], systems=["switching"])
    assert reg.found() == []
