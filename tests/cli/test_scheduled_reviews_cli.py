"""``accessreg reviews``: the reviewers are reminded once per stage of open applications past
their deadlines (000 §3-1 ②: by the second business day; §3-1 to §3-3: about 15)."""

from __future__ import annotations

import csv
import email
import email.policy
import json
import subprocess
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from accessreg.escape import unsafe_characters
from tests.helpers.regfactory import RegistryFactory, run_cli
from tests.helpers.scheduled_scenario import REVIEWERS, duty, mail_server, scenario, summary, take
from tests.helpers.smtpserver import Mailbox

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


REVIEW = "【審査期限超過】翌々営業日までに審査されていない申請があります（1件）"
COMPLETION = "【処理期間超過】審査期限から約15営業日を過ぎても審査されていない申請があります（1件）"


def _pulls(tmp: Path, *items: dict[str, Any]) -> Path:
    path = tmp / "open-pulls.json"
    path.write_text(json.dumps(list(items)), encoding="utf-8")
    return path


def _pull(number: int, created_at: str, author: str = "window-1") -> dict[str, Any]:
    return {
        "number": number,
        "title": f"[TESTOP01] 利用権限の設定申請 (#{number})",
        "html_url": f"https://github.example.jp/o/r/pull/{number}",
        "user": {"login": author},
        "created_at": created_at,
        "draft": False,
        "labels": [{"name": "application"}],
    }


def _reviews(repo: Path, pulls: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``reviews`` of the list ``pulls`` on 2026-11-26, its outputs in ``out``."""
    result = run_cli(
        "reviews", "--open-pulls", str(pulls), "--out", str(out), "--today", "2026-11-26",
        cwd=repo,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result


def test_each_stage_is_reminded_once(reg: RegistryFactory, tmp_path: Path) -> None:
    g = scenario(reg)
    # Filed Friday 20 November 2026 (Japan); 23 November is a holiday: due Wednesday 25.
    pulls = _pulls(tmp_path, _pull(7, "2026-11-20T01:00:00Z"), _pull(8, "2026-11-25T01:00:00Z"))
    sink = Mailbox()
    with mail_server(sink) as env:

        def day(d: date) -> list[tuple[str, str]]:
            duty(g, "reviews", "--open-pulls", str(pulls), "--send", today=d, env=env)
            return summary(take(sink))

        assert day(date(2026, 11, 25)) == []
        got = day(date(2026, 11, 26))
        assert got == sorted((r, REVIEW) for r in REVIEWERS)
        assert day(date(2026, 11, 27)) == []  # the same stage is not told again
        assert day(date(2026, 11, 30)) == sorted((r, REVIEW) for r in REVIEWERS)  # #8 now
        assert day(date(2026, 12, 16)) == []
        assert day(date(2026, 12, 17)) == sorted((r, COMPLETION) for r in REVIEWERS)
    assert g.repo.head.reference.name == "main"


def test_a_deadline_passed_over_closed_days_is_told_on_the_next_business_day(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """The centre is closed 31 December to 4 January and at weekends: a deadline that falls
    before them is missed only once the centre is back, so the reminder, mailed once, goes
    out on that business day, one business day over, not on the closed day with none."""
    g = scenario(reg)
    # Filed Monday 28 December 2026: due Wednesday 30. Filed Wednesday 6 January 2027: due
    # Friday 8; Monday 11 is a holiday (成人の日).
    year_end = _pulls(tmp_path, _pull(201, "2026-12-28T01:00:00Z"))
    weekend = tmp_path / "weekend.json"
    weekend.write_text(json.dumps([_pull(301, "2027-01-06T01:00:00Z")]), encoding="utf-8")
    sink = Mailbox()
    with mail_server(sink) as env:

        def day(pulls: Path, d: date) -> tuple[list[tuple[str, str]], list[EmailMessage]]:
            """The (期限, 超過営業日数) of reviews.csv, and the reminders sent, on ``d``."""
            out = tmp_path / f"out-{d}"
            duty(g, "daily", "--open-pulls", str(pulls), "--out", str(out), "--send",
                 today=d, env=env)  # fmt: skip
            with (out / "reviews.csv").open(encoding="utf-8-sig", newline="") as table:
                rows = [(r["期限"], r["超過営業日数"]) for r in csv.DictReader(table)]
            return rows, [m for m in take(sink) if str(m["Subject"]) == REVIEW]

        for closed in (date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 4)):
            assert day(year_end, closed) == ([], []), closed
        rows, told = day(year_end, date(2027, 1, 5))
        assert rows == [("2026-12-30", "1")]
        assert sorted(m["To"].addresses[0].addr_spec for m in told) == list(REVIEWERS)
        assert "期限: 2026-12-30（1 営業日超過）" in told[0].get_content()
        for closed in (date(2027, 1, 9), date(2027, 1, 10), date(2027, 1, 11)):
            assert day(weekend, closed) == ([], []), closed
        rows, told = day(weekend, date(2027, 1, 12))
        assert rows == [("2027-01-08", "1")] and len(told) == len(REVIEWERS)
        assert "期限: 2027-01-08（1 営業日超過）" in told[0].get_content()


def test_the_second_reminder_counts_from_the_review_deadline_not_from_an_acceptance(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """An open pull request has not been accepted (受付 is the approval): the reminder past
    the usage application's standard period says it is still not reviewed, about 15
    business days after its review deadline, the day the period is counted from."""
    g = scenario(reg)
    # Filed Monday 2 November 2026 (the 3rd a holiday): reviewed by Thursday 5; 15 business
    # days more (the 23rd a holiday) end Friday 27; Monday 30 is one business day over.
    pulls = _pulls(tmp_path, _pull(7, "2026-11-02T01:00:00Z"))
    sink = Mailbox()
    with mail_server(sink) as env:
        out = tmp_path / "out"
        duty(g, "daily", "--open-pulls", str(pulls), "--out", str(out), "--send",
             today=date(2026, 11, 30), env=env)  # fmt: skip
        told = take(sink)
    assert summary(told) == sorted((r, COMPLETION) for r in REVIEWERS)
    body = told[0].get_content()
    assert "受付から" not in body, body
    said = "".join(body.splitlines()[2:5])  # the paragraph after the greeting, as one line
    assert said.startswith(
        "以下の申請は、審査の目途（申請の翌々営業日）からさらに約15営業日"
        "（利用申請の標準的な処理期間、000 §3-1〜§3-3。まだ受付されていないため、"
        "審査期限から数えています）を過ぎても審査されず、"
    ), said
    assert "申請日: 2026-11-02、期限: 2026-11-27（1 営業日超過）" in body


def test_the_mail_and_the_table_name_each_pull_request(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    g = scenario(reg)
    pulls = _pulls(tmp_path, _pull(7, "2026-11-20T01:00:00Z"), {"number": 9})
    out = tmp_path / "out"
    result = _reviews(g.path, pulls, out)
    assert "[warning] Pull request [1]: no readable title: it is left out (open-pulls)" in (
        result.stderr
    )
    table = (out / "reviews.csv").read_text(encoding="utf-8-sig").splitlines()
    assert table[1].startswith("7,[TESTOP01] 利用権限の設定申請 (#7),https://github.example.jp")
    assert table[1].endswith(",2026-11-20,審査期限超過,2026-11-25,1")
    [path] = sorted((out / "mail").glob("*.eml"))[:1]
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_content()
    assert "1. #7 [TESTOP01] 利用権限の設定申請 (#7)" in body
    assert "申請日: 2026-11-20、期限: 2026-11-25（1 営業日超過）" in body
    assert "https://github.example.jp/o/r/pull/7" in body
    strict = run_cli(
        "reviews", "--open-pulls", str(pulls), "--out", str(tmp_path / "s"), "--strict",
        "--today", "2026-11-26", cwd=g.path,
    )  # fmt: skip
    assert strict.returncode == 1 and not (tmp_path / "s").exists()


def test_daily_skips_the_reviews_without_the_list(reg: RegistryFactory, tmp_path: Path) -> None:
    g = scenario(reg)
    out = tmp_path / "out"
    result = run_cli("daily", "--out", str(out), "--today", "2026-11-26", cwd=g.path)
    assert result.returncode == 0, result.stderr
    assert "applications past their review period: skipped (no --open-pulls)" in result.stderr
    assert not (out / "reviews.csv").exists()
    pulls = _pulls(tmp_path, _pull(7, "2026-11-20T01:00:00Z"))
    with_list = run_cli(
        "daily", "--out", str(out), "--open-pulls", str(pulls), "--today", "2026-11-26",
        cwd=g.path,
    )  # fmt: skip
    assert with_list.returncode == 0, with_list.stderr
    assert (out / "reviews.csv").exists()


# What a pull request's title may hold that no validation has seen: line breaks that would
# make lines of the mail's own, ANSI and OSC-8 sequences, a bidirectional override.
HOSTILE_TITLE = (
    "利用者追加\n\n以上です。審査は不要になりました。\n\x1b[31mRED\x1b[0m "
    "\x1b]8;;https://evil.example\x07こちら\x1b]8;;\x07 \u202eTXT.exe \u200b"
)


def test_a_hostile_title_reaches_the_mail_and_the_table_as_one_line_of_text(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    g = scenario(reg)
    pulls = _pulls(tmp_path, {**_pull(7, "2026-11-20T01:00:00Z"), "title": HOSTILE_TITLE})
    out = tmp_path / "out"
    _reviews(g.path, pulls, out)
    shown = "利用者追加 以上です。審査は不要になりました。 \\x1b[31mRED\\x1b[0m"
    with (out / "reviews.csv").open(encoding="utf-8-sig", newline="") as table:
        (row,) = list(csv.DictReader(table))
    assert row["件名"].startswith(shown) and not unsafe_characters(row["件名"])
    for path in sorted((out / "mail").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.strict)
        assert isinstance(message, EmailMessage)
        body = message.get_content()
        assert f"1. #7 {shown}" in body
        assert not any(unsafe_characters(line) for line in body.splitlines())
        assert not any(line.startswith("以上です") for line in body.splitlines())


def test_the_mail_states_the_deadlines_the_catalog_counts_by(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """The reviewers' mail words the periods ``overdue`` counts (the catalog's provider):
    a catalog of three business days' review and a ten-day period says so, as it counts."""
    reg.edit("systems.yaml", "review_business_days: 2", "review_business_days: 3")
    reg.edit("systems.yaml", "business_days: 15}", "business_days: 10}")
    g = scenario(reg)
    # Filed Friday 20 November 2026; the 23rd is a holiday: three business days end the 26th.
    pulls = _pulls(tmp_path, _pull(7, "2026-11-20T01:00:00Z"), _pull(8, "2026-11-02T01:00:00Z"))
    out = tmp_path / "out"
    run_cli("reviews", "--open-pulls", str(pulls), "--out", str(out), "--today", "2026-11-27",
            cwd=g.path)  # fmt: skip
    table = (out / "reviews.csv").read_text(encoding="utf-8-sig").splitlines()
    assert table[1].endswith(",2026-11-02,処理期間超過,2026-11-20,4"), table  # 3 is a holiday
    assert table[2].endswith(",2026-11-20,審査期限超過,2026-11-26,1"), table
    subjects = set()
    for path in sorted((out / "mail").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        subjects.add(str(message["Subject"]))
        body = message.get_content()
        assert "翌々営業日" not in body and "15営業日" not in body
    assert subjects == {
        "【審査期限超過】3 営業日後までに審査されていない申請があります（1件）",
        "【処理期間超過】審査期限から約10営業日を過ぎても審査されていない申請があります（1件）",
    }
