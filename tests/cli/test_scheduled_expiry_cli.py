"""``accessreg expiry --send`` over a timeline, against a real SMTP server on loopback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from tests.helpers.regfactory import ROOT, RegistryFactory, certificate, contact, run_cli
from tests.helpers.scheduled_scenario import (
    WINDOW1,
    WINDOW2,
    duty,
    mail_server,
    refs,
    scenario,
    summary,
    take,
)
from tests.helpers.smtpserver import Mailbox

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


CERT = certificate(1, cn="TESTOP01-PC01", not_before="2025-04-01", not_after="2027-03-31")
IP = {"cidr": "41.203.64.10/32", "reason": "シンガポール拠点", "expires_on": "2027-03-31"}
FIRST = "【証明書更新のお願い】クライアント証明書の有効期限が近づいています（テストガス株式会社）"
REMINDER = "【再通知】クライアント証明書の有効期限まで14日を切りました（テストガス株式会社）"
EXPIRED = "【有効期限切れ】クライアント証明書を接続許可から外しました（テストガス株式会社）"


def form_name(kind: str) -> str:
    """The Japanese name of the issue form ``kind`` as the repository offers it."""
    data = yaml.safe_load((ROOT / ".github/ISSUE_TEMPLATE" / f"{kind}.yml").read_text("utf-8"))
    return str(data["name"]).split(" / ")[0]


def test_each_stage_is_sent_once_on_its_day(reg: RegistryFactory) -> None:
    g = scenario(reg, certificates=[CERT])
    sink = Mailbox()
    seen_ids: list[str] = []
    timeline = [
        (date(2027, 1, 29), []),  # 61 days left
        (date(2027, 1, 30), [FIRST]),  # 60: the first notice
        (date(2027, 1, 30), []),  # the same day again
        (date(2027, 1, 31), []),
        (date(2027, 3, 16), []),  # 15
        (date(2027, 3, 17), [REMINDER]),  # 14
        (date(2027, 3, 17), []),
        (date(2027, 3, 31), []),  # the last valid day
        (date(2027, 4, 1), [EXPIRED]),  # out of the whitelist
        (date(2027, 4, 1), []),
        (date(2027, 4, 2), []),
    ]
    with mail_server(sink) as env:
        for day, subjects in timeline:
            duty(g, "expiry", "--send", today=day, env=env)
            got = take(sink)
            expected = sorted((to, s) for s in subjects for to in (WINDOW1, WINDOW2))
            assert summary(got) == expected, day
            seen_ids += [str(m["Message-ID"]) for m in got]
    assert len(seen_ids) == len(set(seen_ids)) == 6  # no message twice
    assert refs(g, "refs/accessreg/") == ["refs/accessreg/duties", "refs/accessreg/state"]


def test_the_notice_lists_what_the_seed_asks_for(reg: RegistryFactory) -> None:
    g = scenario(reg, certificates=[CERT])
    sink = Mailbox()
    with mail_server(sink) as env:
        duty(g, "expiry", "--send", today=date(2027, 2, 1), env=env)
    body = sink.received[0].get_body().get_content()  # type: ignore[union-attr]
    for text in ("TESTOP01-PC01", "EP-TEST-0001", "本社 端末", "業務部 担当者", "あと 58 日"):
        assert text in body  # CN, certificate ID, where and by whom, days left
    assert "一括" in body  # how to renew (004)
    assert f"申請フォーム「{form_name('cert-add')}」で申請してください" in body
    # 004: 「180日以上先の有効期間開始日をご指定いただくことはできません」: 179 at most.
    assert "179日先まで指定できます（180日以上先は" in body.replace("\n   ", "")
    assert "180日先まで" not in body


def test_a_skipped_day_still_sends_the_current_stage_only(reg: RegistryFactory) -> None:
    g = scenario(reg, certificates=[CERT])
    sink = Mailbox()
    with mail_server(sink) as env:
        duty(g, "expiry", "--send", today=date(2027, 3, 20), env=env)  # the job was down
        assert summary(take(sink)) == [(WINDOW1, REMINDER), (WINDOW2, REMINDER)]
        duty(g, "expiry", "--send", today=date(2027, 3, 21), env=env)
        assert take(sink) == []


def test_ip_entries_are_noticed_too(reg: RegistryFactory) -> None:
    g = scenario(reg, ip_allowlist=[IP])
    sink = Mailbox()
    with mail_server(sink) as env:
        duty(g, "expiry", "--send", today=date(2027, 1, 30), env=env)
        got = take(sink)
        assert [to for to, _ in summary(got)] == [WINDOW1, WINDOW2]
        assert "海外IP" in str(got[0]["Subject"])
        body = got[0].get_body().get_content()  # type: ignore[union-attr]
        assert "41.203.64.10/32" in body
        # What to do, by the form a window person files (the one the repository offers).
        steps = body.replace("\r\n", "")
        assert f"申請フォーム「{form_name('ip')}」で、申請内容「追加・更新」を選び" in steps
        assert "同じフォームの「削除」で申請してください。" in steps
        # No file or key of the registry in a mail to back-office staff.
        assert "registry/" not in body and "ip_allowlist" not in body
        duty(g, "expiry", "--send", today=date(2027, 3, 17), env=env)  # 14 days left
        reminder = "【再通知】海外IP許可の期限まで14日を切りました（テストガス株式会社）"
        assert summary(take(sink)) == [(WINDOW1, reminder), (WINDOW2, reminder)]
        duty(g, "expiry", "--send", today=date(2027, 4, 1), env=env)
        assert all("期限切れ" in s for _, s in summary(take(sink)))


def test_a_run_that_failed_half_way_sends_only_the_rest(reg: RegistryFactory) -> None:
    g = scenario(reg, certificates=[CERT])
    sink = Mailbox(fail_after=1)
    with mail_server(sink) as env:
        failed = run_cli("expiry", "--send", "--today", "2027-02-01", cwd=g.path, env=env)
        assert failed.returncode == 2 and "451" in failed.stderr
        assert len(sink.received) == 1
        sink.fail_after = None
        duty(g, "expiry", "--send", today=date(2027, 2, 1), env=env)
        duty(g, "expiry", "--send", today=date(2027, 2, 2), env=env)
    assert summary(sink.received) == [(WINDOW1, FIRST), (WINDOW2, FIRST)]


def test_a_dry_run_writes_mails_and_records_nothing(reg: RegistryFactory, tmp_path: Path) -> None:
    g = scenario(reg, certificates=[CERT])
    for n in (1, 2):
        result = duty(g, "expiry", "--out", str(tmp_path / f"out{n}"), today=date(2027, 2, 1))
        assert "dry run" in result.stdout
    first, second = tmp_path / "out1", tmp_path / "out2"
    mails = sorted(p.name for p in (first / "mail").iterdir())
    assert len(mails) == 2  # both window persons, nothing recorded, so the same again
    for rel in ("expiry.csv", "summary.json", *(f"mail/{m}" for m in mails)):
        assert (first / rel).read_bytes() == (second / rel).read_bytes()  # byte-identical
    assert refs(g, "refs/accessreg/") == []
    rows = (first / "expiry.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[1].startswith(
        "TESTOP01,クライアント証明書,EP-TEST-0001,TESTOP01-PC01,2027-03-31,58,初回通知,"
    )


def test_sending_needs_the_smtp_settings(reg: RegistryFactory) -> None:
    g = scenario(reg, certificates=[CERT])
    env = {"ACCESSREG_SMTP_HOST": "", "ACCESSREG_MAIL_FROM": ""}
    result = run_cli("expiry", "--send", "--today", "2027-02-01", cwd=g.path, env=env)
    assert result.returncode == 2 and "ACCESSREG_SMTP_HOST" in result.stderr
    assert refs(g, "refs/accessreg/") == []


def test_neither_out_nor_send_is_a_usage_error(reg: RegistryFactory) -> None:
    g = scenario(reg)
    result = run_cli("expiry", "--today", "2027-02-01", cwd=g.path)
    assert result.returncode == 2 and "--out" in result.stderr


RA = {"name": "証明書 担当", "email": "ra.officer@test-gas.example.co.jp"}


def test_the_first_notice_also_goes_to_the_ra_officer(reg: RegistryFactory) -> None:
    """EPPCERT writes to the 企業内RA担当者 about 60 days ahead (004): so does the first
    notice, when the operator names one; the reminder stays with the window persons."""
    g = scenario(reg, certificates=[CERT], ra_officer=RA)
    sink = Mailbox()
    with mail_server(sink) as env:
        duty(g, "expiry", "--send", today=date(2027, 1, 30), env=env)
        assert summary(take(sink)) == sorted((to, FIRST) for to in (WINDOW1, WINDOW2, RA["email"]))
        duty(g, "expiry", "--send", today=date(2027, 3, 17), env=env)
        assert summary(take(sink)) == sorted((to, REMINDER) for to in (WINDOW1, WINDOW2))


def test_a_window_person_who_is_also_the_ra_officer_gets_one_mail(reg: RegistryFactory) -> None:
    g = scenario(reg, certificates=[CERT], ra_officer={**RA, "email": WINDOW2.upper()})
    sink = Mailbox()
    with mail_server(sink) as env:
        duty(g, "expiry", "--send", today=date(2027, 1, 30), env=env)
    got = take(sink)
    assert summary(got) == sorted((to, FIRST) for to in (WINDOW1, WINDOW2))
    (both,) = [m for m in got if m["To"].addresses[0].addr_spec == WINDOW2]
    greeting = both.get_body().get_content().splitlines()[1]  # type: ignore[union-attr]
    assert greeting == "システム窓口責任者 窓口 2号 様"


def test_the_ra_officer_is_greeted_in_their_own_role(reg: RegistryFactory) -> None:
    """The 企業内RA担当者 (004) is not a window person: their notice says so, and who files
    the registration, which only window persons may (000 §2-4)."""
    g = scenario(reg, certificates=[CERT], ra_officer=RA)
    sink = Mailbox()
    with mail_server(sink) as env:
        duty(g, "expiry", "--send", today=date(2027, 1, 30), env=env)
    bodies = {
        m["To"].addresses[0].addr_spec: m.get_body().get_content()  # type: ignore[union-attr]
        for m in sink.received
    }
    filed_by = "証明書の申込み後、登録の申請はシステム窓口責任者が行います（000 §2-4）。"
    ra = bodies.pop(RA["email"])
    assert ra.splitlines()[:2] == ["テストガス株式会社", "企業内RA担当者 証明書 担当 様"]
    assert filed_by in ra
    for n, window in enumerate((WINDOW1, WINDOW2), 1):
        assert bodies[window].splitlines()[1] == f"システム窓口責任者 窓口 {n}号 様"
        assert filed_by not in bodies[window]


def test_the_renewal_steps_are_the_providers(reg: RegistryFactory) -> None:
    """OCCTO registers certificates at its help desk (001 p13), not on Tokyo Gas Network's
    processing day M (000 §4-2): each certificate's provider gives the steps."""
    g = scenario(reg, certificates=[CERT])
    reg.switching_operator(
        contacts=[contact(), contact("deputy", 2)],
        certificates=[certificate(1, not_after="2027-03-31")],
    )
    g.commit("the operator moves to OCCTO's switching support system")
    sink = Mailbox()
    with mail_server(sink) as env:
        duty(g, "expiry", "--send", today=date(2027, 2, 1), env=env)
    body = sink.received[0].get_body().get_content()  # type: ignore[union-attr]
    form = form_name("cert-add")
    assert f"ヘルプデスクへの登録を、申請フォーム「{form}」で申請してください" in body
    # Filed with the seeds' form, the expired one deleted with it too: no command, file or
    # key of the registry.
    assert "accessreg" not in body
    assert "クライアント証明書登録申請で、登録からの削除を申請してください" in body
    assert "registry/" not in body and "certificates" not in body
    assert "M＋6営業日" not in body and "180日" not in body


def test_a_refused_recipient_ends_the_run_in_red(reg: RegistryFactory) -> None:
    """The server refuses one window person's address: the other's notice goes out, and the
    run ends with exit 2, the mail held for a person (``accessreg outbox list``)."""
    g = scenario(reg, certificates=[CERT])
    sink = Mailbox(unknown=frozenset({WINDOW2}))
    with mail_server(sink) as env:
        held = run_cli("expiry", "--send", "--today", "2027-02-01", cwd=g.path, env=env)
    assert held.returncode == 2, held.stderr
    assert "SMTP refused 1 mail for good" in held.stderr
    assert summary(sink.received) == [(WINDOW1, FIRST)]
