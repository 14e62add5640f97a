"""Users' permissions against the catalog and their operator (rules/permissions.py)."""

from __future__ import annotations

from datetime import date

import pytest

from accessreg import i18n
from tests.helpers.regfactory import (
    OPERATOR,
    USER,
    RegistryFactory,
    certificate,
    contact,
    shown,
)

DENKI = "operators/DENKI001.yaml"


def electricity_retailer(reg: RegistryFactory, *roles: str) -> None:
    """An OCCTO member using the switching support system (with its certificate, 002 §3.1)
    and the member system."""
    reg.operator(
        "DENKI001",
        name="電力テスト株式会社",
        roles=["electricity_retailer", *roles],
        occto_member=True,
        membership={"status": "member", "member_since": "2020-04-01"},
        systems=["switching", "member_portal"],
        contacts=[contact(n=5, email="window5@denki-test.example.co.jp")],
        subcontractors=None,
        certificates=[certificate(1, cn="DENKI001-PC01")],
    )


def denki_user(reg: RegistryFactory, name: str, **permissions: str) -> str:
    reg.user(
        "DENKI001",
        f"{name}@denki-test.example.co.jp",
        affiliation="DENKI001",
        permissions=permissions,
    )
    return f"users/DENKI001/{name}@denki-test.example.co.jp.yaml"


# --- affiliation -----------------------------------------------------------------------------


def test_affiliation_unknown(reg: RegistryFactory) -> None:
    reg.user(affiliation="STRANGER")
    assert reg.found() == [("affiliation", shown(USER), reg.line_of(USER, "affiliation:"), "error")]
    [p] = reg.validate().problems
    assert "TESTSUB1" in p.message.english()


def test_affiliation_declared_subcontractor_is_clean(reg: RegistryFactory) -> None:
    reg.user(affiliation="TESTSUB1")
    assert reg.found() == []


def test_affiliation_another_operators_subcontractor(reg: RegistryFactory) -> None:
    electricity_retailer(reg)
    denki_user(reg, "admin", switching="retailer_admin")
    reg.user(
        "DENKI001",
        "staff@denki-test.example.co.jp",
        affiliation="TESTSUB1",
        permissions={"switching": "retailer_user"},
    )
    rel = "users/DENKI001/staff@denki-test.example.co.jp.yaml"
    assert reg.found() == [("affiliation", shown(rel), reg.line_of(rel, "affiliation:"), "error")]


# --- codes -----------------------------------------------------------------------------------


def test_permission_abolished_taxis_1110(reg: RegistryFactory) -> None:
    reg.user(permissions={"taxis": "1110"})
    assert reg.found() == [
        ("permission-abolished", shown(USER), reg.line_of(USER, "taxis:"), "error")
    ]
    [p] = reg.validate().problems
    assert "2022-01-24" in p.message.english()
    assert "1011" in p.message.english()
    # 000 §5-4: 「1110：委託先事業者」, as the seed names it.
    assert "taxis code 1110 (subcontractor) was abolished" in p.message.english()


def test_taxis_1110_before_its_abolition_is_clean(reg: RegistryFactory) -> None:
    reg.user(permissions={"taxis": "1110"})
    assert reg.found(today=date(2022, 1, 23)) == []


@pytest.mark.parametrize("system", ["admin_console", "info_site"])
def test_permission_derived_written_by_hand(reg: RegistryFactory, system: str) -> None:
    reg.user(permissions={"taxis": "1011", system: "granted"})
    line = reg.line_of(USER, f"{system}:")
    assert reg.found() == [("permission-derived", shown(USER), line, "error")]


def test_window_person_writing_admin_console_is_still_refused(reg: RegistryFactory) -> None:
    reg.operator(contacts=[contact(email="user1@test-gas.example.co.jp")])
    reg.user(permissions={"taxis": "1011", "admin_console": "granted"})
    line = reg.line_of(USER, "admin_console:")
    assert reg.found() == [("permission-derived", shown(USER), line, "error")]


def test_system_not_approved(reg: RegistryFactory) -> None:
    reg.operator(systems=["taxis", "johs", "loacus"])
    reg.user(permissions={"taxis": "1011", "juju": "granted"})
    line = reg.line_of(USER, "juju:")
    assert reg.found() == [("system-not-approved", shown(USER), line, "error")]


# --- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["02010", "02011"])
def test_loacus_0201x_needs_wheeling_client(reg: RegistryFactory, code: str) -> None:
    reg.operator(roles=["gas_retailer", "manufacturer"], systems=["johs", "loacus"])
    reg.user(permissions={"johs": "J1010", "loacus": code})
    line = reg.line_of(USER, "loacus:")
    assert reg.found() == [("system-role", shown(USER), line, "error")]
    [p] = reg.validate().problems
    assert "wheeling_client" in p.message.english()


def test_loacus_03010_needs_manufacturer(reg: RegistryFactory) -> None:
    reg.operator(roles=["gas_retailer", "wheeling_client"])
    reg.user(permissions={"loacus": "03010"})
    line = reg.line_of(USER, "loacus:")
    assert reg.found() == [("system-role", shown(USER), line, "error")]
    [p] = reg.validate().problems
    assert "manufacturer" in p.message.english()


def test_loacus_codes_with_their_roles_are_clean(reg: RegistryFactory) -> None:
    reg.user(permissions={"loacus": "03010"})
    reg.user(email="user2@test-gas.example.co.jp", permissions={"loacus": "02010"})
    assert reg.found() == []


def test_operator_approved_for_a_system_its_roles_do_not_allow(reg: RegistryFactory) -> None:
    (reg.root / USER).unlink()
    reg.operator(roles=["gas_retailer"], systems=["johs", "juju"])
    line = reg.line_of(OPERATOR, "- juju")
    assert reg.found() == [("system-role", shown(OPERATOR), line, "error")]


# --- limits ----------------------------------------------------------------------------------


def juju_users(reg: RegistryFactory, n: int) -> list[str]:
    rels = []
    for i in range(1, n + 1):
        email = f"juju{i}@test-gas.example.co.jp"
        reg.user(email=email, permissions={"juju": "granted"})
        rels.append(f"users/TESTOP01/{email}.yaml")
    return rels


def test_five_juju_holders_are_clean(reg: RegistryFactory) -> None:
    juju_users(reg, 5)
    assert reg.found() == []


def test_sixth_juju_holder_is_a_warning(reg: RegistryFactory) -> None:
    sixth = juju_users(reg, 6)[-1]
    line = reg.line_of(sixth, "juju:")
    assert reg.found() == [("permission-limit", shown(sixth), line, "warning")]


def test_juju_limit_counts_per_operator(reg: RegistryFactory) -> None:
    juju_users(reg, 5)
    reg.operator(
        "OTHER001",
        contacts=[contact(n=9, email="window9@other-gas.example.co.jp")],
        subcontractors=None,
    )
    reg.user("OTHER001", "juju@other-gas.example.co.jp", permissions={"juju": "granted"})
    assert reg.found() == []


def test_second_switching_admin_of_a_role_is_an_error(reg: RegistryFactory) -> None:
    """One admin ID per operator (002 §3.2)."""
    electricity_retailer(reg)
    denki_user(reg, "admin1", switching="retailer_admin")
    second = denki_user(reg, "admin2", switching="retailer_admin")
    line = reg.line_of(second, "switching:")
    assert reg.found() == [("permission-limit", shown(second), line, "error")]


def test_member_system_admins_are_not_limited(reg: RegistryFactory) -> None:
    """003 gives no limit of one admin user (003 §3.1)."""
    electricity_retailer(reg)
    denki_user(reg, "admin1", switching="retailer_admin", member_portal="admin")
    denki_user(reg, "admin2", member_portal="admin")
    assert reg.found() == []


def test_one_admin_and_many_users_are_clean(reg: RegistryFactory) -> None:
    electricity_retailer(reg)
    for i, (switching, member) in enumerate(
        [("retailer_admin", "admin"), ("retailer_user", "user"), ("retailer_user", "user")]
    ):
        denki_user(reg, f"staff{i}", switching=switching, member_portal=member)
    assert reg.found() == []


def test_an_operator_of_both_roles_has_an_admin_per_role(reg: RegistryFactory) -> None:
    """A retailer that is also a demand-response contractor files one application per role,
    each with its own admin ID (002 §2.1.1)."""
    electricity_retailer(reg, "demand_response")
    denki_user(reg, "retail", switching="retailer_admin")
    denki_user(reg, "dr", switching="dr_admin")
    denki_user(reg, "staff", switching="dr_user")
    assert reg.found() == []
    second = denki_user(reg, "second-dr", switching="dr_admin")
    line = reg.line_of(second, "switching:")
    assert reg.found() == [("permission-limit", shown(second), line, "error")]


def test_a_role_without_its_admin_is_a_warning(reg: RegistryFactory) -> None:
    """The contract of a role is made when its admin ID is issued (002 §2.1.2, §3.2.1)."""
    electricity_retailer(reg, "demand_response")
    denki_user(reg, "retail", switching="retailer_admin")
    line = reg.line_of(DENKI, "- switching")
    assert reg.found() == [("permission-limit", shown(DENKI), line, "warning")]
    [p] = reg.validate().problems
    assert "dr_admin" in p.message.english()


def test_a_role_code_the_operator_does_not_hold(reg: RegistryFactory) -> None:
    """Functions differ by role (002 §2.2.1, §2.2.2): a retailer holds no DR codes."""
    electricity_retailer(reg)
    denki_user(reg, "retail", switching="retailer_admin")
    rel = denki_user(reg, "staff", switching="dr_user")
    line = reg.line_of(rel, "switching:")
    assert reg.found() == [("system-role", shown(rel), line, "error")]


def _not_a_member(reg: RegistryFactory, **over: object) -> None:
    """DENKI001, a retailer and a demand-response contractor that is not an OCCTO member,
    using the switching support system as the latter, with its admin and a user."""
    reg.operator(
        "DENKI001", roles=["electricity_retailer", "demand_response"], occto_member=False,
        systems=["switching"], contacts=[contact(n=5, email="window5@denki-test.example.co.jp")],
        subcontractors=None, certificates=[certificate(1, cn="DENKI001-PC01")], **over,
    )  # fmt: skip
    denki_user(reg, "dr", switching="dr_admin")
    denki_user(reg, "staff", switching="dr_user")


def test_a_retailer_id_needs_the_membership_whatever_other_role_the_operator_has(
    reg: RegistryFactory,
) -> None:
    """One application per role (002 §2.1.1), the retailer's needing OCCTO membership
    (①(イ)): the demand-response role keeps the system, not a retailer's ID. Nor is the
    retailer's admin missing: none may hold it."""
    _not_a_member(reg)
    assert reg.found() == []
    rel = denki_user(reg, "retail", switching="retailer_user")
    line = reg.line_of(rel, "switching:")
    assert reg.found() == [("occto-member-code", shown(rel), line, "error")]
    [p] = reg.validate().problems
    assert p.message.english() == (
        "switching permission user ID (electricity retailer) is for electricity retailer, "
        "which only an OCCTO member may use, and DENKI001 is not one: remove the permission, "
        "or record the membership (occto_member: true)"
    )


def test_a_withdrawal_takes_the_retailer_ids_with_it(reg: RegistryFactory) -> None:
    _not_a_member(reg, membership={"status": "withdrawn", "withdrawn_on": "2026-10-31"})
    rel = denki_user(reg, "retail", switching="retailer_admin")
    line = reg.line_of(rel, "switching:")
    assert reg.found() == [("occto-member-code", shown(rel), line, "error")]
    [p] = reg.validate().problems
    assert i18n.text(p.message, "ja") == (
        # The permission as the form labels it, the role by its name: no key of a file.
        "スイッチング支援システム（switching） の 管理者ID（小売電気事業者） は 小売電気事業者"
        " のもので、広域機関の会員だけが使えます。DENKI001 は広域機関を"
        "退会しています。退会を届け出る利用申請（変更）でこの権限（小売電気事業者の ID）を削除"
        "するか、会員資格を維持してください"
    )


def test_missing_admin_is_not_judged_while_a_user_file_is_unreadable(
    reg: RegistryFactory,
) -> None:
    electricity_retailer(reg)
    rel = denki_user(reg, "admin", switching="retailer_admin")
    reg.write(rel, "email: [broken\n")
    rules = [rule for rule, *_ in reg.found()]
    assert "yaml-syntax" in rules
    assert "permission-limit" not in rules
