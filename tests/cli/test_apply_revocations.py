"""An operator file that reached main with an error is held back, but what it revokes goes
out at once over the version downstream holds (README "When provisioning stops"): a lost
certificate's suspension, an overseas address removed, a window person who left, a user's
suspension. Nothing it adds goes out before the fix, and nothing it revoked comes back while
the file stays held (real git, apply, daily and confirm through the command, nginx)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import accessreg, deltas, state
from tests.helpers.regfactory import OPERATOR, USER, RegistryFactory, certificate, contact
from tests.helpers.scheduled_scenario import WINDOW1, WINDOW2, commit_on, dated, scenario
from tests.helpers.servers import binary, includes, nginx_conf, nginx_test
from tests.helpers.smtpserver import Mailbox, smtp_env, smtp_server

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


START = date(2026, 12, 1)
FORCED = date(2026, 12, 7)
TODAY = "2026-12-08"
LOST = certificate(1)  # serial 7A0001: reported lost, suspended first (001 p46)
STAYS = certificate(2)  # 7A0002
NEW = certificate(3)  # 7A0003
GONE_IP = {"cidr": "41.203.64.10/32", "reason": "シンガポール拠点", "expires_on": "2027-09-30"}
KEPT_IP = {"cidr": "41.203.64.20/32", "reason": "香港拠点", "expires_on": "2027-09-30"}
NEW_IP = {"cidr": "41.203.64.30/32", "reason": "台北拠点", "expires_on": "2027-09-30"}
HELD = [OPERATOR, USER]
OTHER = "OTHERGS1"  # the operator file and its user's


@pytest.fixture
def g(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GitRegistry]:
    """TESTOP01 with two window persons, two certificates and two overseas addresses, loaded
    downstream on START."""
    monkeypatch.setenv("ACCESSREG_CACHE_DIR", str(tmp_path / "cache"))
    # Another operator, so that one window person leaving is no mass removal.
    reg.operator(OTHER, contacts=[contact(n=5, email="window@other.example.co.jp")],
                 subcontractors=[])  # fmt: skip
    for n in range(3):
        reg.user(OTHER, f"user{n}@other.example.co.jp")
    made = dated(scenario(reg, certificates=[LOST, STAYS], ip_allowlist=[GONE_IP, KEPT_IP]), START)
    first = accessreg(made, "apply", "--out", str(tmp_path / "first"), "--initial", "--confirm",
                      "--today", START.isoformat())  # fmt: skip
    assert first.returncode == 0, first.stderr
    yield made
    made.close()


def break_and_revoke(g: GitRegistry, **more: Any) -> str:
    """A forced commit on main: TESTOP01's file gets a schema error and, in the same change,
    revokes (the lost certificate suspended, an address and the deputy removed) and adds (a
    certificate, an address); its user is suspended."""
    g.reg.operator(
        occto_member="maybe",
        contacts=[contact()],
        certificates=[{**LOST, "suspended_on": FORCED.isoformat()}, STAYS, NEW],
        ip_allowlist=[KEPT_IP, NEW_IP],
        **more,
    )
    g.reg.user(suspended_on=FORCED.isoformat())
    return commit_on(g, "forced: a schema error beside revocations", FORCED)


def whitelist(out: Path, name: str) -> str:
    return (out / "whitelist" / "taxis" / name).read_text(encoding="utf-8")


def applied(g: GitRegistry, out: Path, mailbox: Mailbox | None = None, *extra: str) -> str:
    with smtp_server(mailbox or Mailbox()) as port:
        result = accessreg(g, "apply", "--out", str(out), "--confirm", "--send", "--today", TODAY,
                           *extra, env=smtp_env(port))  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_revocations_of_a_held_operator_file_go_out_and_its_additions_wait_for_the_fix(
    g: GitRegistry, tmp_path: Path
) -> None:
    head = break_and_revoke(g)
    mails = Mailbox()
    out = tmp_path / "held"
    report = applied(g, out, mails)
    # Still held back, with its error told; the revocations applied over downstream's copy.
    assert "held back: 2 files of 1 operator" in report
    assert "(schema)" in report
    assert "revocations of 2 files held back applied:" in report
    held = state(g)["held"]
    assert sorted(held) == HELD and all(held[rel]["revoked"] == [head] for rel in HELD)
    certs, geo = whitelist(out, "cert-map.conf"), whitelist(out, "ip-geo.conf")
    assert "7A0001" not in certs and "7A0002 TESTOP01;" in certs
    assert "7A0003" not in certs  # added beside the error: waits for the fix
    assert GONE_IP["cidr"] not in geo and f"{KEPT_IP['cidr']} 1;" in geo
    assert NEW_IP["cidr"] not in geo
    nginx = binary("nginx")
    checked = nginx_test(nginx, nginx_conf(tmp_path / "nginx", includes(
        sorted((out / "whitelist" / "taxis").glob("*.conf")))))  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    # The deputy leaves the permission-management system; the user is suspended.
    assert {(r["区分"], r["メールアドレス（ID）"]) for r in deltas(out, "admin_console")} == {
        ("抹消", WINDOW2)
    }
    assert {(r["区分"], r["メールアドレス（ID）"]) for r in deltas(out, "taxis")} == {
        ("停止", "user1@test-gas.example.co.jp")
    }
    # Accepted as an application of the forced commit: its 受付 to the window persons, the
    # one removed too.
    accepted = {
        m["To"].addresses[0].addr_spec: m.get_content()
        for m in mails.received
        if str(m["Subject"]).startswith("【受付】")
    }
    assert set(accepted) == {WINDOW1, WINDOW2}
    body = accepted[WINDOW1]
    assert "EP-TEST-0001" in body and GONE_IP["cidr"] in body and WINDOW2 in body
    assert "EP-TEST-0003" not in body and NEW_IP["cidr"] not in body
    # The reviewers are told what goes out of a held file.
    held_mails = [m for m in mails.received if str(m["Subject"]).startswith("【保留】")]
    assert held_mails and all("権限を狭める変更" in m.get_content() for m in held_mails)
    (batch,) = [b for b in state(g)["batches"].values() if b["head"] == head]
    (app,) = batch["applications"]
    assert (app["commit"], app["revoked"]) == (head, HELD)

    # Nothing revoked comes back while the file stays held: the next run, the daily run.
    again = tmp_path / "again"
    assert "batch: none" in applied(g, again)
    assert "7A0001" not in whitelist(again, "cert-map.conf")
    assert GONE_IP["cidr"] not in whitelist(again, "ip-geo.conf")
    daily = accessreg(g, "daily", "--out", str(tmp_path / "daily"), "--today", TODAY)
    assert daily.returncode == 0, daily.stdout + daily.stderr
    assert "7A0001" not in whitelist(tmp_path / "daily", "cert-map.conf")

    # The import confirmed: the application is rebuilt as applied and its notice sent.
    with smtp_server(done := Mailbox()) as port:
        confirm = accessreg(g, "confirm", batch["id"], "--send", "--today", TODAY,
                            env=smtp_env(port))  # fmt: skip
    assert confirm.returncode == 0, confirm.stdout + confirm.stderr
    (completed,) = [m for m in done.received if "システム利用権限管理システム" in str(m["Subject"])]
    assert WINDOW2 in completed.get_content() and "EP-TEST-0003" not in completed.get_content()

    # The fix releases the rest, from what downstream holds: the additions, not the
    # revocations again.
    g.reg.operator(
        contacts=[contact()],
        certificates=[{**LOST, "suspended_on": FORCED.isoformat()}, STAYS, NEW],
        ip_allowlist=[KEPT_IP, NEW_IP],
    )
    fix = commit_on(g, "fix the schema error", FORCED)
    fixed = tmp_path / "fixed"
    report = applied(g, fixed)
    assert "released: 2 files held back before" in report and "held back:" not in report
    assert state(g)["held"] == {}
    assert "7A0001" not in whitelist(fixed, "cert-map.conf")
    assert f"{NEW_IP['cidr']} 1;" in whitelist(fixed, "ip-geo.conf")
    (batch,) = [b for b in state(g)["batches"].values() if b["head"] == fix]
    (release,) = batch["applications"]
    assert release["released"] == HELD
    keys = {i["key"] for i in release["items"]}
    assert {"EP-TEST-0003", NEW_IP["cidr"]} <= keys
    assert not keys & {"EP-TEST-0001", GONE_IP["cidr"], WINDOW2, "user1@test-gas.example.co.jp"}


def test_a_later_version_with_errors_takes_back_no_revocation(
    g: GitRegistry, tmp_path: Path
) -> None:
    """Held back twice: the second version lifts the suspension and adds the deputy back;
    downstream keeps both revoked, and takes the second version's own revocation."""
    first = break_and_revoke(g)
    applied(g, tmp_path / "first")
    g.reg.operator(
        occto_member="maybe",
        contacts=[contact(), contact("deputy", 2)],
        certificates=[LOST, STAYS, NEW],
        ip_allowlist=[NEW_IP],  # the other address removed now
    )
    second = commit_on(g, "forced again", FORCED)
    out = tmp_path / "second"
    # One operator: its address is a third of the whitelists' entries, beyond the rail.
    applied(g, out, None, "--max-removal-share", "0.5")
    assert state(g)["held"][OPERATOR]["revoked"] == [first, second]
    certs, geo = whitelist(out, "cert-map.conf"), whitelist(out, "ip-geo.conf")
    assert "7A0001" not in certs
    assert KEPT_IP["cidr"] not in geo and GONE_IP["cidr"] not in geo
    assert WINDOW2 not in json.dumps(deltas(out, "admin_console"))


def test_an_operator_file_that_does_not_parse_revokes_nothing(
    g: GitRegistry, tmp_path: Path
) -> None:
    g.reg.write(OPERATOR, "code: [\n")
    commit_on(g, "forced: not YAML", FORCED)
    out = tmp_path / "out"
    report = applied(g, out)
    assert "(yaml-syntax)" in report and "revocations" not in report
    assert "7A0001 TESTOP01;" in whitelist(out, "cert-map.conf")
    assert state(g)["held"][OPERATOR].get("revoked") is None


def test_the_plan_of_the_fix_releases_from_what_downstream_holds_after_the_revocations(
    g: GitRegistry, tmp_path: Path
) -> None:
    """The fix's plan (「このマージと同時に反映されるもの」) shows what its merge releases as
    apply will: the additions, not the revocations downstream already has."""
    break_and_revoke(g)
    applied(g, tmp_path / "held")
    g.branch("fix", "main")
    g.reg.operator(
        contacts=[contact()],
        certificates=[{**LOST, "suspended_on": FORCED.isoformat()}, STAYS, NEW],
        ip_allowlist=[KEPT_IP, NEW_IP],
    )
    commit_on(g, "fix the schema error", FORCED)
    g.checkout("main")
    args = ("plan", "--base", "main", "--head", "fix", "--today", TODAY, "--merged-on", TODAY,
            "--accepted-on", TODAY, "--format", "json")  # fmt: skip
    planned = accessreg(g, *args)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    (released,) = json.loads(planned.stdout)["released"]
    keys = {i["key"] for i in released["items"]}
    assert keys == {"EP-TEST-0003", NEW_IP["cidr"]}
