"""Inventory reminders and membership deadlines over a timeline, against real SMTP and git."""

from __future__ import annotations

from datetime import date

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, contact
from tests.helpers.scheduled_scenario import (
    REVIEWERS,
    WINDOW1,
    WINDOW2,
    dated,
    duty,
    mail_server,
    run_duties,
    scenario,
    summary,
    take,
)
from tests.helpers.smtpserver import Mailbox

REMINDER = "【棚卸のお願い】システム利用権限設定情報の棚卸（テストガス株式会社）"
REQUEST = "【棚卸のご依頼】システム利用権限設定情報の棚卸（テストガス株式会社）"
OVERDUE = "【棚卸】期限を過ぎた事業者があります（1件）"


def test_inventory_timeline(reg: RegistryFactory) -> None:
    g = dated(scenario(reg, last_inventory="2026-07-15"), date(2026, 1, 5))
    sink = Mailbox()
    window = [(WINDOW1, REMINDER), (WINDOW2, REMINDER)]
    reviewers = [(r, OVERDUE) for r in REVIEWERS]
    with mail_server(sink) as env:
        for day, expected in [
            (date(2027, 1, 14), []),
            (date(2027, 1, 15), sorted(window)),  # six months after the review: due
            (date(2027, 1, 15), []),
            (date(2027, 1, 16), sorted(reviewers)),  # overdue from the day after
            (date(2027, 1, 17), []),
        ]:
            run_duties(g, ("inventory",), day, env)
            got = take(sink)
            assert summary(got) == expected, day
            if (WINDOW1, REMINDER) in expected:
                to_window = next(m for m in got if m["To"].addresses[0].addr_spec == WINDOW1)
                steps = to_window.get_body().get_content().replace("\r\n", "")
                assert "前回の棚卸日として確認した日を記録するプルリクエスト" in steps
                # The field as the forms name it: no file or key of the registry.
                assert "事業者の登録内容の「前回の棚卸日」を、確認した日（例: 2027-01-15）" in steps
                assert "registry/" not in steps and "last_inventory" not in steps
                names = [p.get_filename() for p in to_window.iter_attachments()]
                assert names == [
                    "TESTOP01-taxis.csv",
                    "TESTOP01-johs.csv",
                    "TESTOP01-info_site.csv",
                    "TESTOP01-admin_console.csv",
                ]
                taxis = next(to_window.iter_attachments())
                # Decoded as a mail client decodes it, by the charset the part names.
                assert taxis.get_content_charset() == "utf-8"
                text = taxis.get_content()
                assert "user1@test-gas.example.co.jp" in text and "事業者コード" in text, text
        # the review is recorded: the reminders stop until the next one is due
        reg.operator(contacts=[contact(), contact("deputy", 2)], last_inventory="2027-01-20")
        g.commit("inventory done")
        run_duties(g, ("inventory",), date(2027, 1, 21), env)
        assert take(sink) == []
        run_duties(g, ("inventory",), date(2027, 7, 20), env)
        assert summary(take(sink)) == sorted(window)
        run_duties(g, ("inventory",), date(2027, 7, 21), env)
        assert summary(take(sink)) == sorted(reviewers)


def test_inventory_on_demand_once_a_day(reg: RegistryFactory) -> None:
    g = scenario(reg, last_inventory="2026-07-15")
    sink = Mailbox()
    with mail_server(sink) as env:
        for day in (date(2026, 8, 1), date(2026, 8, 1), date(2026, 8, 2)):
            duty(g, "inventory", "--operator", "TESTOP01", "--send", today=day, env=env)
        got = take(sink)
    assert summary(got) == sorted([(WINDOW1, REQUEST), (WINDOW2, REQUEST)] * 2)
    assert len({str(m["Message-ID"]) for m in got}) == 4  # two days, two people


MEMBER = {"status": "provisional", "provisional_since": "2026-03-02"}
M_REMINDER = "【会員加入の本申請のお願い】加入仮申請から11か月が経過しました（テストガス株式会社）"
M_TERMINATION = "【会員】加入仮申請から1年を過ぎた事業者があります（1件）"


def test_membership_timeline(reg: RegistryFactory) -> None:
    g = scenario(reg, roles=["gas_retailer", "electricity_retailer"], membership=MEMBER)
    sink = Mailbox()
    with mail_server(sink) as env:
        for day, expected in [
            (date(2027, 2, 2), []),  # eleven months to the day: not past them
            (date(2027, 2, 3), [(WINDOW1, M_REMINDER), (WINDOW2, M_REMINDER)]),
            (date(2027, 2, 3), []),
            (date(2027, 3, 2), []),  # the deadline itself
            (date(2027, 3, 3), [(r, M_TERMINATION) for r in REVIEWERS]),
            (date(2027, 3, 3), []),
            (date(2027, 3, 4), []),
        ]:
            duty(g, "membership", "--send", today=day, env=env)  # the command, as a user runs it
            got = take(sink)
            assert summary(got) == sorted(expected), day
            if (WINDOW1, M_REMINDER) in expected:
                body = got[0].get_body().get_content().replace("\r\n", "")  # type: ignore[union-attr]
                # The full membership is filed with the usage change form.
                assert _FILE_MEMBER in body
                assert not any(k in body for k in ("registry/", "member_since", "status:"))


_FILE_MEMBER = (
    "申請フォーム「利用申請（変更）」の「広域機関の会員資格」で「会員（本申請）」を選び、"
    "「会員資格の日付」に本申請の日を入力して申請してください"
)


def test_an_applicant_under_a_provisional_key_is_told_to_file_the_issued_code(
    reg: RegistryFactory,
) -> None:
    """Held under a PROV-… key, the applicant becomes a member with the operator code OCCTO
    issues (003 §2.2): that is what it files, not the membership alone (which the key
    refuses)."""
    reg.operator(
        "PROV-TEST",
        roles=["electricity_retailer"],
        systems=["member_portal"],
        contacts=[contact(), contact("deputy", 2)],
        subcontractors=None,
        membership=MEMBER,
    )
    g = GitRegistry(reg)
    sink = Mailbox()
    with mail_server(sink) as env:
        duty(g, "membership", "--send", today=date(2027, 2, 3), env=env)
        got = take(sink)
    assert [to for to, _ in summary(got)] == [WINDOW1, WINDOW2]
    body = got[0].get_body().get_content().replace("\r\n", "")  # type: ignore[union-attr]
    assert "「事業者コードの発番」にそのコードを入力して申請してください" in body
    assert _FILE_MEMBER not in body
