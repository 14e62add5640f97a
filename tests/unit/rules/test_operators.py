"""An operator's own file: window persons, subcontractors, status (rules/operators.py)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.regfactory import (
    OPERATOR,
    USER,
    RegistryFactory,
    certificate,
    contact,
    shown,
)


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
    reg.switching_operator(roles=["electricity_retailer"])
    reg.user(permissions={"switching": "retailer_admin"})
    line = reg.line_of(OPERATOR, "- switching")
    # The system on the operator's file, its retailer ID on the user's (occto-member-code).
    held = reg.line_of(USER, "switching:")
    assert reg.found() == [
        ("occto-member", shown(OPERATOR), line, "error"),
        ("occto-member-code", shown(USER), held, "error"),
    ]


def test_demand_response_contractor_needs_no_membership_for_switching(
    reg: RegistryFactory,
) -> None:
    reg.switching_operator()
    assert reg.found() == []


WITHDRAWN = {"status": "withdrawn", "withdrawn_on": "2026-10-31"}


def test_a_withdrawn_member_keeps_no_member_system(reg: RegistryFactory) -> None:
    """The member system's contract ends with the membership (003 §2.7.1)."""
    rel = "operators/DENKI001.yaml"
    reg.occto_member(
        occto_member=False, membership=WITHDRAWN, systems=["member_portal"], certificates=None
    )
    line = reg.line_of(rel, "- member_portal")
    assert reg.found() == [("occto-member", shown(rel), line, "error")]
    # It says when the access ends: on the withdrawal's day.
    (problem,) = reg.validate().problems
    assert "their access ends on that day" in problem.message.english()
    assert "2026-10-31" in problem.message.english()


def test_the_catalog_says_which_system_ends_with_the_membership(reg: RegistryFactory) -> None:
    """The catalog's ``ends_with_membership`` decides, not that a system needs no code."""
    text = (reg.root / "systems.yaml").read_text(encoding="utf-8")
    reg.write("systems.yaml", text.replace("    ends_with_membership: true\n", ""))
    reg.occto_member(
        occto_member=False, membership=WITHDRAWN, systems=["member_portal"], certificates=None
    )
    assert reg.found() == []


def test_a_withdrawn_member_keeps_what_needs_no_membership(reg: RegistryFactory) -> None:
    """A demand-response contractor uses switching without membership (002 §2.1.1 ①)."""
    reg.switching_operator(membership=WITHDRAWN)
    assert reg.found() == []


# --- provisional-key (003 §2.2) ---------------------------------------------------------------

PROV = "operators/PROV-HOSHI.yaml"


def provisional_applicant(reg: RegistryFactory, **over: object) -> None:
    """An applicant for OCCTO membership before its code is issued (003 §2.2)."""
    fields: dict[str, object] = {
        "name": "ほし電力株式会社",
        "roles": ["electricity_retailer"],
        "systems": ["member_portal"],
        "contacts": [contact(n=7, email="window7@hoshi-denki.example.jp")],
        "subcontractors": None,
        "membership": {"status": "provisional", "provisional_since": "2026-10-01"},
        **over,
    }
    reg.operator("PROV-HOSHI", **fields)


def test_provisional_applicant_without_a_code_is_clean(reg: RegistryFactory) -> None:
    provisional_applicant(reg)
    reg.user(
        "PROV-HOSHI",
        "admin@hoshi-denki.example.jp",
        affiliation="PROV-HOSHI",
        permissions={"member_portal": "admin"},
    )
    assert reg.found() == []


def test_provisional_key_after_the_full_application(reg: RegistryFactory) -> None:
    """The code is issued before the full application (本申請): move the files to it."""
    provisional_applicant(
        reg, membership={"status": "member", "member_since": "2026-11-01"}, occto_member=True
    )
    line = reg.line_of(PROV, "membership:")
    assert reg.found() == [("provisional-key", shown(PROV), line, "error")]


def test_provisional_applicant_uses_only_what_needs_no_code(reg: RegistryFactory) -> None:
    """Certificates are ordered with the operator code (001 p12, 004); the member system is
    open to applicants (003 §2.1.1 ②)."""
    provisional_applicant(
        reg,
        roles=["electricity_retailer", "gas_retailer"],
        systems=["member_portal", "johs"],
        certificates=[certificate(1, cn="PROV-HOSHI-PC01")],
    )
    assert reg.found() == [
        ("provisional-key", shown(PROV), reg.line_of(PROV, "- johs"), "error"),
        ("provisional-key", shown(PROV), reg.line_of(PROV, "- id:"), "error"),
    ]


def test_a_provisional_key_is_not_an_operator_code(reg: RegistryFactory) -> None:
    # Its own window person: judged on the rest, a shared one would clash.
    reg.operator("PROV-hoshi", contacts=[contact(n=7, email="window7@hoshi.example.jp")])
    [p] = reg.validate().problems
    assert p.rule == "schema"


# --- approval (000 §2-2) ----------------------------------------------------------------------


def test_approval_lets_an_operator_use_johs_without_the_role(reg: RegistryFactory) -> None:
    """「その他当社が必要と認めた事業者」 (000 §2-2, JOHS and LOACUS)."""
    approvals = [{"system": "johs", "approved_on": "2026-04-01", "reason": "導管調査の委託"}]
    reg.operator(roles=["manufacturer"], systems=["johs", "loacus"], approvals=approvals)
    reg.user(permissions={"johs": "J1010", "loacus": "03010"})
    assert reg.found() == []
    reg.operator(roles=["manufacturer"], systems=["johs", "loacus"])
    line = reg.line_of(OPERATOR, "- johs")
    assert reg.found() == [("system-role", shown(OPERATOR), line, "error")]


def test_approval_is_not_for_taxis(reg: RegistryFactory) -> None:
    """TAXIS and JUJU need the basic contract without exception (000 §2-2)."""
    approvals = [{"system": "taxis", "approved_on": "2026-04-01", "reason": "特例"}]
    reg.operator(approvals=approvals)
    line = reg.line_of(OPERATOR, "- system: taxis")
    assert reg.found() == [("approval", shown(OPERATOR), line, "error")]


def test_approval_twice(reg: RegistryFactory) -> None:
    item = {"system": "loacus", "approved_on": "2026-04-01", "reason": "特例"}
    reg.operator(approvals=[item, dict(item)])
    line = reg.line_of(OPERATOR, "- system: loacus", 2)
    assert reg.found() == [("approval", shown(OPERATOR), line, "error")]


# --- suspension (001 p46; 002 §2.6, §3.4.4) ---------------------------------------------------


def test_suspension_of_a_system_in_use_is_clean(reg: RegistryFactory) -> None:
    item = {"system": "taxis", "suspended_on": "2026-11-20", "reason": "不正利用の疑い"}
    reg.operator(suspensions=[item])
    assert reg.found() == []


def test_suspension_of_a_system_not_in_use(reg: RegistryFactory) -> None:
    item = {"system": "switching", "suspended_on": "2026-11-20", "reason": "不正利用の疑い"}
    reg.operator(suspensions=[item, {**item, "system": "taxis"}, {**item, "system": "taxis"}])
    assert reg.found() == [
        ("suspension", shown(OPERATOR), reg.line_of(OPERATOR, "- system: switching"), "error"),
        ("suspension", shown(OPERATOR), reg.line_of(OPERATOR, "- system: taxis", 2), "error"),
    ]


# --- admin-reissue (002 §3.2.1) ---------------------------------------------------------------


def test_admin_reissue_names_an_admin_code(reg: RegistryFactory) -> None:
    reissue = {
        "system": "switching",
        "code": "dr_admin",
        "reissued_on": "2026-09-01",
        "reason": "管理者の退職（広域機関の承認済み）",
    }
    reg.switching_operator(admin_reissues=[reissue])
    assert reg.found() == []
    reg.switching_operator(admin_reissues=[{**reissue, "code": "dr_user"}])
    line = reg.line_of(OPERATOR, "code: dr_user")
    assert reg.found() == [("admin-reissue", shown(OPERATOR), line, "error")]
