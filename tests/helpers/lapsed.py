"""A registry where time has made other operators' files lapse, beside the one a pull request
changes: operator B's overseas IP expired and a code its user holds abolished (an error), C
a provisional OCCTO member for over a year, D a user about to be deleted. A (the baseline's
TESTOP01) is the applicant."""

from __future__ import annotations

from tests.helpers.regfactory import RegistryFactory, contact

A = "TESTOP01"
B = "LAPSEDB1"
C = "LAPSEDC1"
D = "LEAVERD1"
B_IP = "41.203.64.10/32"
B_IP_LAST_DAY = "2027-03-02"  # allowed until this day; gone from the 3rd
C_SINCE = "2026-01-15"  # provisional for more than a year by 2027-03-03
B_CODE_ABOLISHED = "2027-03-01"  # LOACUS 02011, held only by B's user
TODAY = "2027-03-03"
B_EMAIL = "user@lapsed-b.example.jp"
B_USER = f"users/{B}/{B_EMAIL}.yaml"
A_NEW = "newcomer@test-gas.example.co.jp"
D_LEAVER = "leaver@leaver-d.example.jp"
D_STAYS = "stays@leaver-d.example.jp"


def lapsed(reg: RegistryFactory) -> None:
    """Add B, C and D (each with a user) to the baseline registry."""
    reg.edit(
        "systems.yaml",
        "read-only', roles: [wheeling_client]}",
        f"read-only', roles: [wheeling_client], abolished_on: {B_CODE_ABOLISHED}, "
        "replaced_by: '02010'}",
    )
    reg.operator(
        B,
        contacts=[contact(n=2, email="window@lapsed-b.example.jp")],
        subcontractors=[],
        ip_allowlist=[{"cidr": B_IP, "reason": "シンガポール拠点", "expires_on": B_IP_LAST_DAY}],
    )
    reg.user(B, B_EMAIL, permissions={"taxis": "1011", "loacus": "02011"})
    reg.operator(
        C,
        roles=["gas_retailer", "electricity_retailer"],
        systems=["johs", "member_portal"],
        contacts=[contact(n=3, email="window@lapsed-c.example.jp")],
        subcontractors=[],
        membership={"status": "provisional", "provisional_since": C_SINCE},
    )
    reg.user(C, "user@lapsed-c.example.jp", permissions={"johs": "J1010"})
    reg.operator(D, contacts=[contact(n=4, email="window@leaver-d.example.jp")], subcontractors=[])
    reg.user(D, D_LEAVER)
    reg.user(D, D_STAYS)


def user_file(operator: str, email: str) -> str:
    return f"users/{operator}/{email}.yaml"
