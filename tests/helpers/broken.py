"""A registry broken every way the rules know, one problem or two per rule.

The message tests read every problem of it in Japanese and in English; the one-round test
reads it for a file whose schema fails next to a cross-file problem. Each bend says which rule
it is for.
"""

from __future__ import annotations

from tests.helpers.regfactory import OPERATOR, RegistryFactory, certificate, contact

USERS = "users/TESTOP01"


def _user(reg: RegistryFactory, n: int, **over: object) -> None:
    reg.user(email=f"user{n}@test-gas.example.co.jp", **over)


def break_everything(reg: RegistryFactory) -> None:
    # --- TESTOP01: its own file -------------------------------------------------------------
    reg.operator(
        occto_member=True,  # occto-member: the membership says provisional
        membership={"status": "provisional", "provisional_since": "2025-01-01"},  # provisional
        contacts=[contact(), contact(n=2)],  # contact-primary: two primaries
        subcontractors=[
            {"code": "TESTSUB1", "name": "テスト委託株式会社"},
            {"code": "TESTSUB1", "name": "テスト委託株式会社"},  # subcontractor-code
        ],
        certificates=[
            certificate(1, purpose="api", systems=["switching"]),  # certificate-system
            certificate(2, serial="7A0001", purpose="api"),  # certificate-unique, -api, -unused
            certificate(3, not_after="2029-01-01"),  # certificate-validity
            certificate(4, not_before="2027-06-01", not_after="2029-05-31"),  # -start
            certificate(5, not_before="2024-01-01", not_after="2025-12-31"),  # -expired
        ],
        ip_allowlist=[
            {"cidr": "10.1.2.3/32", "reason": "社内", "expires_on": "2027-03-31"},  # address
            {"cidr": "41.203.64.10/32", "reason": "海外拠点", "expires_on": "2026-01-01"},
        ],
    )
    # --- TESTOP01's users -------------------------------------------------------------------
    reg.user(permissions={"taxis": "1110", "admin_console": "granted"})  # abolished, derived
    _user(reg, 2, rel=f"{USERS}/someone@test-gas.example.co.jp.yaml")  # file-name
    _user(reg, 3, affiliation="OTHER001")  # affiliation
    for n in range(4, 10):  # permission-limit: a sixth JUJU holder
        _user(reg, n, permissions={"juju": "granted"})
    # One round: the e-mail fails the schema, and the abolished code is reported too.
    reg.user(
        email="木村@test-gas.example.co.jp",
        rel=f"{USERS}/kimura@test-gas.example.co.jp.yaml",
        permissions={"taxis": "1110"},
    )
    # --- TESTOP02: an electricity retailer, terminated, with a user -------------------------
    reg.operator(
        "TESTOP02",
        roles=["electricity_retailer"],
        systems=["switching", "taxis"],  # occto-member (not a member), system-role (taxis)
        status="terminated",
        terminated_on="2026-10-31",
        contacts=[contact(n=3)],
        subcontractors=[],
    )
    reg.user("TESTOP02", "op2user@test-gas.example.co.jp", permissions={"switching": "user"})
    # --- TESTOP03: a wheeling client only ---------------------------------------------------
    # system-role (03010 needs the manufacturer role), system-not-approved (johs)
    reg.user("TESTOP03", "op3user@test-gas.example.co.jp", affiliation="TESTOP03",
             permissions={"loacus": "03010", "johs": "J1010"})  # fmt: skip
    # login-id-unique: the same ID as TESTOP01's user1, in other letter case
    reg.user("TESTOP03", "USER1@test-gas.example.co.jp", affiliation="TESTOP03",
             rel="users/TESTOP03/user1@test-gas.example.co.jp.yaml")  # fmt: skip
    # ... and the wheeling API without an API certificate (certificate-required)
    # ... with deputies holding TESTOP01's primary's GitHub account (another letter case) and
    # a reviewer's (github-account-unique)
    reg.operator("TESTOP03", roles=["wheeling_client"], systems=["taxis", "loacus", "wheeling_api"],
                 contacts=[contact(n=4), contact("deputy", n=11, github="Window-1"),
                           contact("deputy", n=12, github="uketsuke-kimura")],
                 subcontractors=[])  # fmt: skip
    # --- TESTOP04: OCCTO's switching support system, and what only maintainers record ------
    reissue = {"system": "switching", "code": "dr_user", "reissued_on": "2026-09-01"}
    reissue["reason"] = "退職"
    reg.operator(
        "TESTOP04",
        roles=["demand_response"],
        systems=["switching"],
        contacts=[contact(n=6)],
        subcontractors=[],
        certificates=[
            certificate(11, purpose="api", cn="TESTOP04-API1"),
            certificate(12, purpose="api", cn="NOCODE-API2"),  # certificate-api, -subject
        ],
        approvals=[{"system": "taxis", "approved_on": "2026-04-01", "reason": "特例"}],
        suspensions=[{"system": "johs", "suspended_on": "2026-11-20", "reason": "不正利用"}],
        admin_reissues=[
            {
                "system": "switching",
                "code": "dr_user",
                "reissued_on": "2026-09-01",
                "reason": "退職",
            }
        ],
    )
    reg.user("TESTOP04", "admin@test-gas.example.co.jp", affiliation="TESTOP04",
             permissions={"switching": "dr_admin"})  # fmt: skip
    # certificate-none-valid: TESTOP05's only certificate for switching has expired
    lapsed = certificate(21, purpose="api", cn="TESTOP05-API1", not_before="2024-01-01")
    lapsed["not_after"] = "2025-12-31"
    # occto-member-code: TESTOP05 is also an electricity retailer, not an OCCTO member; it may
    # use switching as a demand-response contractor, but not give a user a retailer's ID
    reg.operator("TESTOP05", roles=["electricity_retailer", "demand_response"],
                 systems=["switching"], contacts=[contact(n=8)], subcontractors=[],
                 certificates=[lapsed])  # fmt: skip
    reg.user("TESTOP05", "retail@test-gas.example.co.jp", affiliation="TESTOP05",
             permissions={"switching": "retailer_user"})  # fmt: skip
    # provisional-key: the code was issued, the files stayed under the key
    reg.operator("PROV-HOSHI", roles=["electricity_retailer"], systems=["member_portal"],
                 contacts=[contact(n=7)], subcontractors=None, occto_member=True,
                 membership={"status": "member", "member_since": "2026-11-01"})  # fmt: skip
    # user-operator-unknown
    reg.user("NOOP0001", "lost@test-gas.example.co.jp", affiliation="NOOP0001")
    # --- files that do not read ---------------------------------------------------------------
    reg.write(f"{USERS}/notes.txt", "memo\n")  # file-location
    (reg.root / USERS / "link@test-gas.example.co.jp.yaml").symlink_to(  # file-type
        "user1@test-gas.example.co.jp.yaml"
    )
    reg.user(email="tab@test-gas.example.co.jp")
    reg.edit(f"{USERS}/tab@test-gas.example.co.jp.yaml", "  johs: J1010", "\tjohs: J1010")
    reg.user(email="twice@test-gas.example.co.jp")  # yaml-duplicate-key
    reg.edit(f"{USERS}/twice@test-gas.example.co.jp.yaml", "  johs: J1010",
             "  johs: J1010\n  johs: J1011")  # fmt: skip
    reg.user(email="anchor@test-gas.example.co.jp")  # yaml-anchor
    reg.edit(f"{USERS}/anchor@test-gas.example.co.jp.yaml", "permissions:", "permissions: &p")
    reg.user(email="tag@test-gas.example.co.jp")  # yaml-tag
    reg.edit(f"{USERS}/tag@test-gas.example.co.jp.yaml", "  johs: J1010", "  johs: !!str J1010")
    reg.user(email="big@test-gas.example.co.jp", memo="x" * (1 << 20))  # file-too-large
    reg.user(email="deep@test-gas.example.co.jp")  # yaml-limits
    reg.edit(f"{USERS}/deep@test-gas.example.co.jp.yaml", "name: 試験 太郎",
             f"name: 試験 太郎\nmemo: {'[' * 40}{']' * 40}")  # fmt: skip
    reg.user(email="control@test-gas.example.co.jp")  # text-control
    reg.edit(f"{USERS}/control@test-gas.example.co.jp.yaml", "name: 試験 太郎",
             'name: "試験\\e太郎"')  # fmt: skip
    (reg.root / USERS / "\x1b[31m.yaml").write_text("x: 1\n")  # file-name-text
    reg.user(email="nomodeline@test-gas.example.co.jp")  # schema-comment
    reg.edit(f"{USERS}/nomodeline@test-gas.example.co.jp.yaml", "# yaml-language-server: ", "# ")
    # schema, the ways applicants get it wrong
    reg.user(email="typo@test-gas.example.co.jp", name_kane="シケン", permisions={"juju": "x"})
    reg.user(email="quote@test-gas.example.co.jp", permissions={"taxis": "1011"})
    reg.edit(f"{USERS}/quote@test-gas.example.co.jp.yaml", "taxis: '1011'",
             "taxis: 1011\n  loacus: 02010\n  juju: yes")  # fmt: skip
    reg.edit(OPERATOR, "code: TESTOP01", "code: TESTOP01\nprivacy_policy_url2: x")
    # --- the catalog and the calendar ---------------------------------------------------------
    reg.edit(
        "systems.yaml",
        "      - {code: dr_admin, max_per_operator: 1, severity: error, source: 002 §3.2}",
        "      - {code: dr_admin, max_per_operator: 1, severity: error, source: 002 §3.2}\n"
        "      - {code: nobody, max_per_operator: 1, severity: error, source: test}",
    )  # catalog-consistency
    reg.edit("calendar.yaml", "closed: []", "closed:\n  - {from: 2027-02-10, to: 2027-02-01}")
    reg.edit("calendar.yaml", "since: 2018,", "since: 2018, until: 2020,")  # calendar-year-end
