"""Client certificates (rules/certificates.py; 000 §4, 001 p38-46, 004)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.helpers.regfactory import OPERATOR, TODAY, RegistryFactory, certificate, contact, shown

OTHER = "operators/OTHER001.yaml"


def test_valid_certificates_are_clean(reg: RegistryFactory) -> None:
    reg.operator(
        systems=["taxis", "johs", "juju", "loacus", "wheeling_api"],
        certificates=[certificate(1), certificate(2, purpose="api")],
    )
    assert reg.found() == []


# --- certificate-unique ----------------------------------------------------------------------


def test_duplicate_serial_across_operators(reg: RegistryFactory) -> None:
    """A certificate registered to two operators: nothing but the registry ties a
    certificate to its operator, EPPCERT does not check the code (004)."""
    reg.operator(certificates=[certificate(1)])
    reg.operator(
        "OTHER001",
        contacts=[contact(n=9, email="window9@other-gas.example.co.jp")],
        subcontractors=None,
        certificates=[certificate(2, serial="7A0001", cn="OTHER001-PC02")],
    )
    assert reg.found() == [
        ("certificate-unique", shown(OTHER), reg.line_of(OTHER, "serial:"), "error"),
        ("certificate-unique", shown(OPERATOR), reg.line_of(OPERATOR, "serial:"), "error"),
    ]
    for p in reg.validate().problems:
        assert "7A0001 is registered to 2 operators (OTHER001, TESTOP01)" in p.message.english()


def test_duplicate_certificate_id_within_an_operator(reg: RegistryFactory) -> None:
    reg.operator(certificates=[certificate(1), certificate(2, id="EP-TEST-0001")])
    assert reg.found() == [
        ("certificate-unique", shown(OPERATOR), reg.line_of(OPERATOR, "- id:", 1), "error"),
        ("certificate-unique", shown(OPERATOR), reg.line_of(OPERATOR, "- id:", 2), "error"),
    ]


# --- certificate-validity --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("not_before", "not_after", "ok"),
    [
        ("2026-01-01", "2027-12-31", True),  # two years, ending the day before
        ("2026-01-01", "2028-01-01", True),  # ending on the anniversary
        ("2026-01-01", "2028-01-02", True),  # a day of slack
        ("2026-01-01", "2028-01-03", False),
        ("2026-03-01", "2028-03-02", True),  # across 29 February 2028
        ("2026-03-01", "2028-03-03", False),
        ("2024-02-29", "2026-03-01", True),
        ("2024-02-29", "2026-03-02", False),
        ("2026-01-01", "2029-01-01", False),  # three years
        ("2026-06-01", "2026-06-01", False),  # ends as it starts
        ("2026-06-01", "2026-05-01", False),  # ends before it starts
    ],
)
def test_certificate_validity(
    reg: RegistryFactory, not_before: str, not_after: str, ok: bool
) -> None:
    reg.operator(certificates=[certificate(1, not_before=not_before, not_after=not_after)])
    today = date.fromisoformat(min(not_before, not_after))  # neither expired nor far ahead
    line = reg.line_of(OPERATOR, "not_after:")
    expected = [] if ok else [("certificate-validity", shown(OPERATOR), line, "error")]
    assert reg.found(today) == expected


# --- certificate-start -----------------------------------------------------------------------


@pytest.mark.parametrize(("days", "ok"), [(179, True), (180, False), (400, False)])
def test_certificate_start_ahead(reg: RegistryFactory, days: int, ok: bool) -> None:
    # 004: a start "180日以上先" (180 days or more ahead) cannot be asked for.
    start = TODAY + timedelta(days=days)
    end = start + timedelta(days=700)
    reg.operator(certificates=[certificate(1, not_before=str(start), not_after=str(end))])
    line = reg.line_of(OPERATOR, "not_before:")
    expected = [] if ok else [("certificate-start", shown(OPERATOR), line, "error")]
    assert reg.found() == expected


# --- certificate-api (001 p46) ---------------------------------------------------------------


def test_two_valid_api_certificates_for_switching(reg: RegistryFactory) -> None:
    """OCCTO: one certificate per operator for the API (001 p46)."""
    reg.switching_operator(
        certificates=[certificate(1, purpose="api"), certificate(2, purpose="api")]
    )
    line = reg.line_of(OPERATOR, "purpose: api", 2)
    assert reg.found() == [("certificate-api", shown(OPERATOR), line, "error")]


def test_two_api_certificates_for_the_wheeling_api_are_clean(reg: RegistryFactory) -> None:
    """The one-API-certificate rule is OCCTO's (001 p46); 000 gives none for the 託送API."""
    reg.operator(
        systems=["taxis", "johs", "juju", "loacus", "wheeling_api"],
        certificates=[certificate(1, purpose="api"), certificate(2, purpose="api")],
    )
    assert reg.found() == []


def test_future_dated_api_renewal_does_not_count(reg: RegistryFactory) -> None:
    renewal = certificate(2, purpose="api", not_before="2027-05-01", not_after="2029-04-30")
    reg.switching_operator(certificates=[certificate(1, purpose="api"), renewal])
    assert reg.found() == []
    # Once the renewal has started, both are valid until the old one ends.
    line = reg.line_of(OPERATOR, "purpose: api", 2)
    assert reg.found(date(2027, 5, 1)) == [("certificate-api", shown(OPERATOR), line, "error")]


def test_suspended_api_certificate_does_not_count(reg: RegistryFactory) -> None:
    old = certificate(1, purpose="api", suspended_on="2026-10-01")
    reg.switching_operator(certificates=[old, certificate(2, purpose="api")])
    assert reg.found() == []


def test_api_certificates_of_two_operators_are_clean(reg: RegistryFactory) -> None:
    reg.switching_operator(certificates=[certificate(1, purpose="api")])
    reg.operator(
        "OTHER001",
        roles=["demand_response"],
        systems=["switching"],
        contacts=[contact(n=9, email="window9@other-gas.example.co.jp")],
        subcontractors=None,
        certificates=[certificate(2, purpose="api", cn="OTHER001-API")],
    )
    reg.user("OTHER001", "admin@other-gas.example.co.jp", permissions={"switching": "dr_admin"})
    assert reg.found() == []


def test_api_certificate_named_for_another_system_does_not_count(reg: RegistryFactory) -> None:
    reg.switching_operator(
        systems=["switching", "wheeling_api"],
        roles=["demand_response", "wheeling_client"],
        certificates=[
            certificate(1, purpose="api", systems=["switching"]),
            certificate(2, purpose="api", systems=["wheeling_api"]),
        ],
    )
    assert reg.found() == []


# --- certificate-required (002 §3.1, §2.1.1) -------------------------------------------------


def test_switching_without_a_certificate_is_an_error(reg: RegistryFactory) -> None:
    """The switching application follows the certificate (002 §3.1, §2.1.1 ①(ウ) ②(イ))."""
    reg.switching_operator(certificates=None)
    line = reg.line_of(OPERATOR, "- switching")
    assert reg.found() == [("certificate-required", shown(OPERATOR), line, "error")]


def test_switching_with_only_a_certificate_for_another_system(reg: RegistryFactory) -> None:
    reg.switching_operator(
        systems=["switching", "johs"],
        roles=["demand_response", "gas_retailer"],
        certificates=[certificate(1, systems=["johs"])],
    )
    line = reg.line_of(OPERATOR, "- switching")
    assert reg.found() == [("certificate-required", shown(OPERATOR), line, "error")]


def test_switching_with_only_an_expired_certificate_is_a_warning(reg: RegistryFactory) -> None:
    old = certificate(1, not_before="2024-11-01", not_after="2026-10-31")
    reg.switching_operator(certificates=[old])
    assert reg.found() == [
        (
            "certificate-none-valid",
            shown(OPERATOR),
            reg.line_of(OPERATOR, "- switching"),
            "warning",
        ),
        ("certificate-expired", shown(OPERATOR), reg.line_of(OPERATOR, "not_after:"), "warning"),
    ]


def test_wheeling_api_needs_an_api_certificate(reg: RegistryFactory) -> None:
    """The 託送API is used with an API certificate (000 §1, §7-2; `purpose: api`)."""
    reg.operator(
        systems=["taxis", "johs", "juju", "loacus", "wheeling_api"],
        certificates=[certificate(1)],
    )
    line = reg.line_of(OPERATOR, "- wheeling_api")
    assert reg.found() == [("certificate-required", shown(OPERATOR), line, "error")]


# --- certificate-subject (004) -----------------------------------------------------------------


def test_certificate_whose_cn_lacks_the_operator_code(reg: RegistryFactory) -> None:
    """EPPCERT does not check the operator code it is given (004)."""
    reg.operator(certificates=[certificate(1, cn="HONSHA-PC01"), certificate(2, cn="testop01-pc2")])
    line = reg.line_of(OPERATOR, "cn: HONSHA-PC01")
    [found] = reg.validate().problems
    assert (found.rule, found.file, found.line) == ("certificate-subject", shown(OPERATOR), line)
    assert "TESTOP01" in found.message.english()


# --- certificate-expired ---------------------------------------------------------------------


def test_expired_certificate_is_a_warning(reg: RegistryFactory) -> None:
    reg.operator(certificates=[certificate(1, not_before="2024-11-01", not_after="2026-10-31")])
    line = reg.line_of(OPERATOR, "not_after:")
    assert reg.found() == [("certificate-expired", shown(OPERATOR), line, "warning")]


def test_certificate_valid_through_today_is_clean(reg: RegistryFactory) -> None:
    reg.operator(certificates=[certificate(1, not_before="2024-11-23", not_after=str(TODAY))])
    assert reg.found() == []


def test_expired_api_certificate_does_not_count_as_a_second_one(reg: RegistryFactory) -> None:
    old = certificate(1, purpose="api", not_before="2024-11-01", not_after="2026-10-31")
    reg.switching_operator(certificates=[old, certificate(2, purpose="api")])
    assert [rule for rule, *_ in reg.found()] == ["certificate-expired"]


# --- certificate-system ----------------------------------------------------------------------


def test_certificate_for_a_system_the_operator_is_not_approved_for(reg: RegistryFactory) -> None:
    reg.operator(certificates=[certificate(1, systems=["taxis", "switching"])])
    line = reg.line_of(OPERATOR, "- switching")
    assert reg.found() == [("certificate-system", shown(OPERATOR), line, "error")]


# --- certificate-unused ----------------------------------------------------------------------


def test_certificate_for_an_operator_whose_systems_take_none(reg: RegistryFactory) -> None:
    """OCCTO's member system takes no client certificate (003 §3): a certificate of an
    operator using it alone would be registered nowhere."""
    reg.operator(
        roles=["electricity_retailer"],
        occto_member=True,
        membership={"status": "member", "member_since": "2026-01-01"},
        systems=["member_portal"],
        subcontractors=None,
        certificates=[certificate(1)],
    )
    reg.user(permissions={"member_portal": "admin"})
    line = reg.line_of(OPERATOR, "- id:")
    assert reg.found() == [("certificate-unused", shown(OPERATOR), line, "warning")]


def test_api_certificate_where_no_system_takes_api_ones(reg: RegistryFactory) -> None:
    """The wheeling systems' screens take web certificates only; the API takes API ones."""
    reg.operator(certificates=[certificate(1), certificate(2, purpose="api")])
    line = reg.line_of(OPERATOR, "- id:", 2)
    assert reg.found() == [("certificate-unused", shown(OPERATOR), line, "warning")]
    message = reg.validate().problems[0].message.english()
    assert message.startswith("Certificate EP-TEST-0002 (api) reaches none")


def test_certificate_naming_its_systems_is_judged_by_certificate_system(
    reg: RegistryFactory,
) -> None:
    """A certificate that names systems is checked system by system, once."""
    reg.operator(certificates=[certificate(1, purpose="api", systems=["taxis"])])
    assert [rule for rule, *_ in reg.found()] == ["certificate-system"]
