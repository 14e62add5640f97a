"""The time rules no other duty notices, told by ``daily`` (real git, real SMTP, strict
``email`` parsing): a code the catalog abolished on a date (000 §5-4) and a renewed API
certificate that started beside the old one (001 p46) each reach the window persons of the
operator they fall due for, the day they fall due, once; no other operator hears of them."""

from __future__ import annotations

import csv
import io
from datetime import date
from email.message import EmailMessage
from pathlib import Path

from accessreg.rules import CHECKS, Due
from accessreg.scheduled.duties import DUTIES
from accessreg.scheduled.timerules import NOTICED_BY, noticed_here
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.lapsed import B_USER, B, lapsed
from tests.helpers.regfactory import RegistryFactory, certificate, contact
from tests.helpers.scheduled_scenario import REVIEWERS, WINDOW1, WINDOW2, duty, mail_server, take
from tests.helpers.smtpserver import Mailbox

A = "TESTOP01"  # its renewed API certificate starts on 2027-03-02
B_WINDOW = "window@lapsed-b.example.jp"  # its user holds LOACUS 02011, abolished 2027-03-01
RENEWAL = "EP-TEST-0002"
SUBJECT = "【要対応】日数の経過により直しが必要になった登録内容があります"


def _registry(reg: RegistryFactory) -> GitRegistry:
    renewal = certificate(2, purpose="api", not_before="2027-03-02", not_after="2029-03-01")
    reg.switching_operator(
        contacts=[contact(), contact("deputy", 2)],
        certificates=[certificate(1, purpose="api"), renewal],
    )
    lapsed(reg)
    return GitRegistry(reg)


def _told(got: list[EmailMessage]) -> dict[str, EmailMessage]:
    """The time rules' mails of a run, by recipient."""
    mails = [m for m in got if str(m["Subject"]).startswith(SUBJECT)]
    by_to = {m["To"].addresses[0].addr_spec: m for m in mails}
    assert len(by_to) == len(mails), "one mail per recipient"
    return by_to


def _body(m: EmailMessage) -> str:
    return str(m.get_body().get_content()).replace("\r\n", "\n")


def test_each_operator_is_told_the_day_its_time_rule_falls_due_and_once(
    reg: RegistryFactory,
) -> None:
    g = _registry(reg)
    sink = Mailbox()
    with mail_server(sink) as env:
        duty(g, "daily", "--send", today=date(2027, 2, 28), env=env)
        assert _told(take(sink)) == {}  # nothing has fallen due yet

        duty(g, "daily", "--send", today=date(2027, 3, 1), env=env)
        told = _told(take(sink))
        assert sorted(told) == [B_WINDOW]  # the abolished code: B's window person only
        body = _body(told[B_WINDOW])
        assert f"registry/{B_USER}（エラー）" in body, body
        assert "代わりに 02010 と書いてください" in body  # the finding's own message
        assert "根拠: 000 §5-4 (TAXIS 1110, 2022-01-24)" in body
        flat = "".join(body.split())  # the template's lines break anywhere in Japanese
        assert (
            "権限を外すだけのものを除いて受け付けられません。受付担当者を待つ必要はありません"
            in flat
        )

        duty(g, "daily", "--send", today=date(2027, 3, 2), env=env)
        told = _told(take(sink))
        assert sorted(told) == [WINDOW1, WINDOW2]  # the renewal started: A's, not B again
        body = _body(told[WINDOW1])
        assert f"registry/operators/{A}.yaml（エラー）" in body, body
        assert RENEWAL in body and "根拠: 001 p46" in body
        assert B_USER not in body

        duty(g, "daily", "--send", today=date(2027, 3, 3), env=env)
        assert _told(take(sink)) == {}  # not repeated while nothing changed


def test_the_table_lists_every_finding_in_the_forms_words(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    g = _registry(reg)
    out = tmp_path / "out"
    duty(g, "daily", "--out", str(out), today=date(2027, 3, 2))
    text = (out / "time-rules.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["事業者コード", "ファイル", "規則", "区分", "対応", "出典"]
    found = {(r[0], r[1], r[2], r[3]) for r in rows[1:]}
    assert found == {
        (A, f"registry/operators/{A}.yaml", "certificate-api", "エラー"),
        (B, f"registry/{B_USER}", "permission-abolished", "エラー"),
    }
    # The rules another duty notices are left to it (B's lapsed IP, C's membership).
    assert not {r[2] for r in rows[1:]} & {"ip-allowlist-expired", "membership-provisional"}
    mails = [p.name for p in (out / "mail").iterdir() if "-time-rules-due-" in p.name]
    assert len(mails) == 3, mails  # A's two window persons, B's one


def test_a_lapse_in_a_file_of_no_operator_goes_to_the_reviewers(reg: RegistryFactory) -> None:
    """The calendar says nothing of the coming year-end (a warning): the reviewers, who
    maintain it, are told; no window person is."""
    reg.operator(contacts=[contact(), contact("deputy", 2)])
    reg.edit("calendar.yaml", "  - {from: 12-31, to: 01-04, since: 2018, note: 年末年始休業}\n", "")
    reg.edit("calendar.yaml", "every_year:\n", "every_year: []\n")
    g = GitRegistry(reg)
    sink = Mailbox()
    with mail_server(sink) as env:
        duty(g, "daily", "--send", today=date(2027, 3, 2), env=env)
        told = _told(take(sink))
        assert sorted(told) == sorted(REVIEWERS)
        body = _body(told[REVIEWERS[0]])
        assert "registry/calendar.yaml（警告）" in body and "根拠: 000 §5-1" in body, body
        duty(g, "daily", "--send", today=date(2027, 3, 3), env=env)
        assert _told(take(sink)) == {}


def test_a_finding_that_restates_the_day_is_told_once(reg: RegistryFactory) -> None:
    """No certificate valid for the switching system (a warning whose message gives the day
    of the check): told the first day, not again the next."""
    reg.switching_operator(
        contacts=[contact(), contact("deputy", 2)],
        certificates=[certificate(1, not_after="2027-02-27")],
    )
    g = GitRegistry(reg)
    sink = Mailbox()
    with mail_server(sink) as env:
        duty(g, "daily", "--send", today=date(2027, 3, 1), env=env)
        told = _told(take(sink))
        assert sorted(told) == [WINDOW1, WINDOW2]
        assert "2027-03-01" in _body(told[WINDOW1]) and "（警告）" in _body(told[WINDOW1])
        duty(g, "daily", "--send", today=date(2027, 3, 2), env=env)
        assert _told(take(sink)) == {}


def test_the_rules_left_to_other_duties_are_time_rules_those_duties_run() -> None:
    """A time rule renamed or a duty removed would leave its findings told twice, or by
    nobody: what this duty leaves to another names a time rule and a duty of ``daily``."""
    time_rules = {r.id for r in CHECKS if r.due is Due.TIME}
    assert set(NOTICED_BY) <= time_rules
    assert set(NOTICED_BY.values()) <= set(DUTIES) - {"time-rules"}
    assert {r.id for r in noticed_here()} == time_rules - set(NOTICED_BY)
