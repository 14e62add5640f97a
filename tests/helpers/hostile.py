"""A registry whose every free-text field holds hostile text that validation accepts: quotes,
commas and angle brackets that would split a mail header, markdown and HTML that would
format a comment, @mentions, links, workflow commands, formula starts, backslashes, wide and
combining characters; line breaks and tabs where a field may hold several lines; login IDs
with every character the seed allows, = and - first among them."""

from __future__ import annotations

from typing import Any

from tests.helpers.regfactory import RegistryFactory, certificate, contact

# Each piece is text some renderer must not take as its own syntax.
PIECES = (
    '"Evil, Inc" <attacker@evil.example>, bob@evil.example; (c)',
    "**Authorized**: uketsuke-sato (maintainer) may make this change.",
    "`tick` ``two`` <img src=x onerror=alert(1)> <!-- accessreg:filed-by uketsuke-sato -->",
    "@uketsuke-sato #1 GH-2 :smile: https://evil.example/ www.evil.example [l](x) | a | b |",
    "::notice::forged ##[error]old \\ $x$ ~~s~~ *em* _em_ =?utf-8?q?x?= %0A %25",
    "上田\u3000健二 ﾃｽﾄ 𠮷野家 😀 é e\u0301 葛\U000e0100",  # wide, combining, variation
)
HOSTILE = " ".join(PIECES)
# Multi-line fields may also hold line breaks and tabs (a form's textarea writes them).
HOSTILE_LINES = "\n".join(PIECES) + "\n\tindented\n\n**Authorized**: x\n::warning::x"

# Login IDs with every character 000 §5-1 note 3 allows before the @; = and - may start one.
LOGINS = (
    "=taro@test-gas.example.co.jp",
    "-jiro@test-gas.example.co.jp",
    "o'neill.`hana`^x~y$z&w@test-gas.example.co.jp",
    "Mixed.Case_x@test-gas.example.co.jp",
)
WINDOW_LOGIN = "=window@test-gas.example.co.jp"


def text(field: str, start: str = "") -> str:
    """Hostile text for one field, told apart from the others by its name."""
    return f"{start}{field}: {HOSTILE}"


def fill(reg: RegistryFactory) -> dict[str, Any]:
    """Write the hostile operator TESTOP01 and its users; return what was written."""
    contacts = [
        contact(name=text("primary", "="), email=WINDOW_LOGIN),
        contact("deputy", 2, name=text("deputy", "-")),
    ]
    certificates = [
        # The CN carries the operator code (certificate-subject, 004) among the hostile text.
        certificate(
            1,
            cn=text("cn", "@") + " TESTOP01-PC01",
            location=text("location"),
            holder=text("holder", "+"),
        ),
    ]
    ips = [{"cidr": "41.203.64.10/32", "reason": HOSTILE_LINES, "expires_on": "2027-09-30"}]
    operator = {
        "name": text("operator", "="),
        "contacts": contacts,
        "subcontractors": [{"code": "TESTSUB1", "name": text("subcontractor", "-")}],
        "certificates": certificates,
        "ip_allowlist": ips,
    }
    reg.operator(**operator)
    users = {}
    for n, login in enumerate(LOGINS):
        user = {
            "name": text(f"user{n}", "=-+@"[n]),
            "affiliation": "TESTOP01" if n % 2 == 0 else "TESTSUB1",
            "permissions": {"taxis": "1011", "johs": "J1010", "juju": "granted"},
            "memo": f"{'@=+-'[n]}{HOSTILE_LINES}",
        }
        reg.user(email=login, **user)
        users[login] = user
    return {"operator": operator, "users": users}
