"""Property: whatever text and numbers fill a registry's fields, every command exits 0, or 1
with located problems, or 2 with a usage error, never a traceback; and when the registry
is valid, every output re-parses (by parsers this project did not write) to its values."""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.helpers import parsers
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, certificate, contact, run_cli
from tests.helpers.registries import loaded

DAY = ["--today", "2026-12-03", "--accepted-on", "2026-12-03"]
LOCATED = re.compile(r"^\S+:\d+:\d+: \[(error|warning)\] .+ \([a-z-]+\)$", re.M)
UNSAFE = ("Cc", "Cf", "Cs", "Zl", "Zp")

# Text validation accepts in a one-line field, and text of any kind (controls included).
SAFE_TEXT = st.text(st.characters(exclude_categories=UNSAFE), min_size=1, max_size=40)
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
NUMBERS = st.one_of(st.integers(), st.floats(), st.integers(min_value=10**4400))
DATES = st.dates().map(lambda d: d.isoformat())
LOGINS = st.from_regex(r"[A-Za-z0-9_~.$&'`^=-]{1,12}@[a-z0-9-]{1,8}\.example\.jp", fullmatch=True)


def field(valid: Any, *others: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A valid value, hostile text, any text, a number or nothing."""
    return st.one_of(st.just(valid), *others, SAFE_TEXT, ANY_TEXT, NUMBERS, st.none())


@st.composite
def registries(draw: st.DrawFn) -> dict[str, Any]:
    """Half of them valid, with hostile text in every free-text field (so that the outputs
    are compared with them), half with anything anywhere."""
    anything = draw(st.booleans())

    def text(valid: str, *more: st.SearchStrategy[Any]) -> Any:
        return draw(field(valid, *more) if anything else st.one_of(st.just(valid), SAFE_TEXT))

    def fixed(valid: str, *more: st.SearchStrategy[Any]) -> Any:
        return draw(field(valid, *more)) if anything else valid

    lines = st.text(st.characters(exclude_categories=UNSAFE, include_characters="\n\t"),
                    min_size=1, max_size=60)  # fmt: skip
    cert = certificate(
        1,
        cn=text("TESTOP01-PC01"),
        location=text("本社 端末"),
        holder=text("業務部 担当者"),
        not_after=fixed("2027-12-31", DATES),
    )
    operator = {
        "name": text("テストガス株式会社"),
        "contacts": [
            contact(name=text("窓口 1号"), email=fixed("window1@test-gas.example.co.jp", LOGINS))
        ],
        "subcontractors": [{"code": "TESTSUB1", "name": text("テスト委託株式会社")}],
        "certificates": [cert],
        "ip_allowlist": [
            {
                "cidr": fixed("41.203.64.10/32"),
                "reason": text("出張", lines),
                "expires_on": fixed("2027-09-30", DATES),
            }
        ],
        "last_inventory": fixed("2026-07-15", DATES),
    }
    users = [
        {
            "email": draw(LOGINS) if not anything else fixed(f"u{n}@x.example.jp", LOGINS),
            "name": text("試験 太郎"),
            "name_kana": fixed("シケン タロウ"),
            "affiliation": fixed("TESTOP01"),
            "permissions": {"taxis": fixed("1011"), "juju": fixed("granted")},
            "memo": text("メモ", lines),
        }
        for n in range(draw(st.integers(1, 2)))
    ]
    return {"operator": operator, "users": users}


def _write(reg: RegistryFactory, data: dict[str, Any]) -> None:
    # PyYAML writes an integer through str(), which Python limits to 4,300 digits; lift the
    # limit only while writing, so that the tool reads such a number as any file would hold it.
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        _write_files(reg, data)
    finally:
        sys.set_int_max_str_digits(limit)


def _write_files(reg: RegistryFactory, data: dict[str, Any]) -> None:
    reg.operator(**data["operator"])
    for n, user in enumerate(data["users"]):
        email = user["email"]
        name = str(email).lower() if isinstance(email, str) else ""
        # A name the file system can hold; otherwise another one (file-name says so).
        if not re.fullmatch(r"[^/\x00]{1,200}", name) or name in (".", ".."):
            name = f"user{n}@test-gas.example.co.jp"
        reg.user(rel=f"users/TESTOP01/{name}.yaml", **user)


def _check(args: tuple[str, ...], result: Any) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in result.stderr, (args, result.stderr[-3000:])
    assert result.returncode in (0, 1, 2), (args, result.returncode)
    if result.returncode == 1:
        assert LOCATED.search(output), (args, output[-3000:])
    if result.returncode == 2:
        assert "Error:" in result.stderr or "accessreg:" in result.stderr, (args, output)
    parsers.log_lines(result.stderr)


def _outputs_match(reg: RegistryFactory, out: Path) -> None:
    registry = loaded(reg)
    files = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    users = {u.user.email: u.user for u in registry.users}
    operator = registry.operators["TESTOP01"].operator
    rows = parsers.csv_rows(files["imports/taxis/snapshot.csv"])
    for row in rows:
        user = users.get(row["メールアドレス（ID）"])
        if user is not None:
            assert parsers.csv_value(row["利用者名（漢字）"], user.name)
            assert parsers.csv_value(row["申請メモ"], user.memo or "")
            assert parsers.csv_value(row["事業者名"], operator.name)
    scim = parsers.scim_users(files["scim/snapshot.json"])
    for email, user in users.items():
        if email in scim:
            assert scim[email].display_name == user.name
            assert scim[email][parsers.AccessregUser].memo == (user.memo or "")
    entries = parsers.ldif_entries(files["ldif/snapshot.ldif"])
    by_mail = {e["mail"][0]: e for e in entries.values() if "mail" in e}
    for email, user in users.items():
        if email in by_mail:
            assert by_mail[email]["displayName"] == [user.name]
    # Every mail goes to one window person, by the address and the name the registry holds
    # (or held, for the base commit's own application).
    window = {c.email: [c.name] for c in operator.contacts}
    window.setdefault(contact()["email"], []).append(contact()["name"])
    for name, data in files.items():
        if name.startswith("mail/"):
            (address,) = parsers.mail(data)["To"].addresses
            login = f"{address.username}@{address.domain}"
            names = window[login]
            assert any(parsers.same_words(address.display_name, n) for n in names), name


@settings(max_examples=8, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(registries())
def test_any_registry_gives_an_answer_never_a_traceback(data: dict[str, Any]) -> None:
    work = Path(tempfile.mkdtemp(prefix="accessreg-property-"))
    try:
        reg = RegistryFactory(work / "repo")
        gr = GitRegistry(reg)
        try:
            _write(reg, data)
            gr.commit("generated")
            out = work / "out"
            commands = [
                ("validate", DAY[0], DAY[1]),
                (
                    "plan",
                    "--base",
                    "HEAD~1",
                    "--actor",
                    "window-1",
                    "--format",
                    "markdown",
                    *DAY[2:],
                ),
                ("apply", "--out", str(out), "--initial", *DAY),
                ("expiry", "--out", str(work / "expiry"), DAY[0], DAY[1]),
            ]
            results = {}
            for args in commands:
                results[args[0]] = run_cli(*args, cwd=reg.repo)
                _check(args, results[args[0]])
            event(f"validate exit {results['validate'].returncode}")
            if results["validate"].returncode == 0:
                assert results["apply"].returncode == 0, results["apply"].stderr
                _outputs_match(reg, out)
        finally:
            gr.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
