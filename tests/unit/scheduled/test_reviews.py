"""The reviewers' deadlines: review by the second business day, complete in about 15
(000 §3-1 ②, §3-1 to §3-3)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from accessreg.scheduled.reviews import OpenPull, overdue, read_pulls
from accessreg.timeline.business_days import BusinessCalendar
from tests.helpers.regfactory import RegistryFactory
from tests.helpers.registries import loaded

MAINTAINERS = ["uketsuke-sato"]


def _api(number: int, created_at: str, **over: Any) -> dict[str, Any]:
    """One pull request as GitHub's REST API lists it (the fields read, and others)."""
    item: dict[str, Any] = {
        "number": number,
        "title": f"[TESTOP01] 利用権限の設定申請 #{number}",
        "html_url": f"https://github.example.jp/o/r/pull/{number}",
        "user": {"login": "window-1", "type": "User"},
        "created_at": created_at,
        "draft": False,
        "labels": [{"name": "application"}],
        "state": "open",
    }
    item.update(over)
    return item


def test_the_api_json_is_read_in_japan_time() -> None:
    data = json.dumps([_api(7, "2026-11-19T16:30:00Z")]).encode()
    read = read_pulls(data, "pulls.json")
    assert read.problems == ()
    # 16:30 UTC on the 19th is 01:30 on the 20th in Japan: filed on the 20th.
    assert [(p.number, p.filed_on, p.labels) for p in read.pulls] == [
        (7, date(2026, 11, 20), ("application",))
    ]


def test_an_unreadable_entry_is_a_problem_and_the_rest_is_read() -> None:
    data = json.dumps([{"number": 1}, _api(2, "2026-11-20T00:00:00Z"), "x"]).encode()
    read = read_pulls(data, "pulls.json")
    assert [p.number for p in read.pulls] == [2]
    assert [(p.file, p.rule, p.path) for p in read.problems] == [
        ("pulls.json", "open-pulls", (0,)),
        ("pulls.json", "open-pulls", (2,)),
    ]
    assert (
        read_pulls(b"{not json", "pulls.json")
        .problems[0]
        .message.english()
        .startswith("Not a JSON")
    )


def test_a_pull_request_marked_ready_is_filed_when_it_was_marked(reg: RegistryFactory) -> None:
    """A draft opened on 1 November and marked ready on Friday 20 November was counted
    from its opening, past its review deadline the moment it left draft: it is filed
    when it was entered (``entered_at``), as the plan and the merge read it."""
    item = _api(7, "2026-11-01T01:00:00Z", entered_at="2026-11-20T01:00:00Z")
    (pull,) = read_pulls(json.dumps([item]).encode(), "pulls.json").pulls
    assert pull.filed_on == date(2026, 11, 20)
    catalog = loaded(reg).catalog
    # The second business day after the 20th (23 November a holiday) is the 25th.
    assert overdue([pull], catalog, BusinessCalendar(), MAINTAINERS, date(2026, 11, 25)) == []


FILED = "2026-11-20T01:00:00Z"  # Friday 20 November 2026 in Japan


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # 23 November is a holiday (勤労感謝の日): the second business day is Wednesday 25.
        (date(2026, 11, 25), []),
        (date(2026, 11, 26), [("review", date(2026, 11, 25), 1)]),
        (date(2026, 12, 16), [("review", date(2026, 11, 25), 15)]),
        # 15 business days after the review deadline: 16 December.
        (date(2026, 12, 17), [("completion", date(2026, 12, 16), 1)]),
    ],
)
def test_stages_fall_due_after_their_day(
    reg: RegistryFactory, today: date, expected: list[tuple[str, date, int]]
) -> None:
    pulls = read_pulls(json.dumps([_api(7, FILED)]).encode(), "pulls.json").pulls
    found = overdue(pulls, loaded(reg).catalog, BusinessCalendar(), MAINTAINERS, today)
    assert [(o.stage, o.due_on, o.business_days_over) for o in found] == expected


def test_drafts_and_a_maintainers_own_changes_are_not_applications(reg: RegistryFactory) -> None:
    pulls = [
        OpenPull(1, "draft", "u", "window-1", date(2026, 11, 2), ("application",), draft=True),
        OpenPull(2, "tooling", "u", "Uketsuke-Sato", date(2026, 11, 2)),
        OpenPull(3, "on behalf", "u", "uketsuke-sato", date(2026, 11, 2), ("application",)),
        OpenPull(4, "web editor", "u", "window-1", date(2026, 11, 2)),
    ]
    found = overdue(pulls, loaded(reg).catalog, BusinessCalendar(), MAINTAINERS, date(2026, 11, 6))
    assert [o.pull.number for o in found] == [3, 4]
    assert {o.key for o in found} == {
        "reviews/3/2026-11-02/review",
        "reviews/4/2026-11-02/review",
    }
