"""Business days and processing dates, checked against the worked example of 000 §5-1."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from accessreg.files.loading import load
from accessreg.files.sources import DirectorySource
from accessreg.model import CalendarFile, Catalog, ClosedRange, Timing
from accessreg.model.base import EARLIEST_DAY, LATEST_DAY
from accessreg.model.registry import Registry
from accessreg.timeline import holiday_table
from accessreg.timeline.business_days import (
    BusinessCalendar,
    CalendarClosed,
    holiday_table_source,
)
from accessreg.timeline.effective import Dates, Events, Known
from tests.helpers.regfactory import ROOT


@pytest.fixture(scope="module")
def sample() -> Registry:
    registry = load(DirectorySource(ROOT / "registry")).registry
    assert registry is not None
    return registry


@pytest.fixture(scope="module")
def calendar(sample: Registry) -> BusinessCalendar:
    return BusinessCalendar.from_file(sample.calendar)


def d(text: str) -> date:
    return date.fromisoformat(text)


# 000 §5-1 ≪参考≫ 申請入力タイミングに応じたシステム利用開始時期の具体例 (Dec 2018 - Jan 2019):
# entered (①), accepted (②), M (③), TAXIS/JOHS start (⑧), JUJU/LOACUS start (⑫).
WORKED_EXAMPLE = [
    ("2018-12-03", "2018-12-04", "2018-12-17", "2018-12-26", "2019-01-07"),
    ("2018-12-13", "2018-12-14", "2018-12-17", "2018-12-26", "2019-01-07"),
    ("2018-12-14", "2018-12-17", "2019-01-07", "2019-01-16", "2019-01-21"),
    ("2018-12-27", "2018-12-28", "2019-01-07", "2019-01-16", "2019-01-21"),
    ("2018-12-28", "2019-01-07", "2019-01-16", "2019-01-24", "2019-01-29"),
]


@pytest.mark.parametrize(("entered", "accepted", "m", "taxis", "juju"), WORKED_EXAMPLE)
def test_worked_example_of_000_5_1(
    sample: Registry,
    calendar: BusinessCalendar,
    entered: str,
    accepted: str,
    m: str,
    taxis: str,
    juju: str,
) -> None:
    assert calendar.acceptance_date(d(entered)) == d(accepted)
    dates = Dates.of(sample, Events(d(entered), d(accepted)).known(d(accepted)))
    assert dates.processing_day() == d(m)
    for system in ("taxis", "johs"):
        effective = dates.permission(system, "add")
        assert (effective.on, effective.processing_day) == (d(taxis), d(m))
        assert (effective.key, effective.keyed_on) == ("accepted", d(accepted))
    for system in ("juju", "loacus"):
        assert dates.permission(system, "add").on == d(juju)


def test_worked_example_needs_the_centres_closed_days(sample: Registry) -> None:
    # Without 2018-12-31 and 2019-01-02..04 the fifth case would be accepted on 12/31.
    bare = BusinessCalendar()
    assert bare.acceptance_date(d("2018-12-28")) == d("2018-12-31")
    assert BusinessCalendar.from_file(sample.calendar).acceptance_date(d("2018-12-28")) == d(
        "2019-01-07"
    )


def test_public_holidays_weekends_and_closed_days_are_not_business_days(
    calendar: BusinessCalendar,
) -> None:
    assert not calendar.is_business_day(d("2018-12-24"))  # 振替休日 (天皇誕生日 on a Sunday)
    assert not calendar.is_business_day(d("2019-01-14"))  # 成人の日
    assert not calendar.is_business_day(d("2018-12-22"))  # Saturday
    assert not calendar.is_business_day(d("2019-01-03"))  # the centre's closed day
    assert calendar.is_business_day(d("2018-12-25"))


def test_non_business_acceptance_counts_as_the_next_business_day(
    sample: Registry, calendar: BusinessCalendar
) -> None:
    # Saturday 15 Dec 2018 counts as Monday 17 Dec, so the batch is January's, not the 16th.
    dates = Dates(
        calendar, sample.catalog, Known(d("2018-12-15"), d("2018-12-15"), d("2018-12-15"))
    )
    assert dates.keyed_on("accepted") == d("2018-12-17")
    assert dates.processing_day() == d("2019-01-07")


@pytest.mark.parametrize(
    ("accepted", "m"),
    [
        ("2026-03-02", "2026-03-16"),  # 1st-15th → the 16th (a Monday)
        ("2026-03-13", "2026-03-16"),  # the 15th is a Sunday: Friday the 13th is the last day
        ("2026-03-16", "2026-04-01"),  # 16th-end → the 1st of the next month
        ("2026-12-16", "2027-01-05"),  # across the year: 1 Jan holiday, 2-3 weekend, 4 closed
        ("2026-08-17", "2026-09-01"),
    ],
)
def test_processing_day(calendar: BusinessCalendar, accepted: str, m: str) -> None:
    assert calendar.processing_day(d(accepted)) == d(m)


@pytest.mark.parametrize(
    ("due", "today", "over"),
    [
        ("2026-12-30", "2026-12-30", 0),  # the deadline itself
        ("2026-12-30", "2026-12-31", 0),  # closed 12-31..01-04: nothing missed yet
        ("2026-12-30", "2027-01-04", 0),
        ("2026-12-30", "2027-01-05", 1),  # the first business day after it
        ("2026-12-30", "2027-01-09", 4),  # a Saturday counts the week's days, not itself
        ("2027-01-08", "2027-01-11", 0),  # Friday's deadline over the weekend and 成人の日
        ("2027-01-08", "2027-01-12", 1),
    ],
)
def test_a_deadline_is_past_from_the_next_business_day(
    calendar: BusinessCalendar, due: str, today: str, over: int
) -> None:
    assert calendar.days_past(d(due), d(today)) == over


def test_change_and_removal_dates_follow_the_catalog(
    sample: Registry, calendar: BusinessCalendar
) -> None:
    day = d("2018-12-14")
    dates = Dates(calendar, sample.catalog, Known(day, day, day))
    # 5-2: TAXIS/JOHS changes at once, JUJU/LOACUS in the next batch (M+9).
    assert dates.permission("taxis", "change").on == d("2018-12-14")
    assert dates.permission("loacus", "change").on == d("2019-01-07")
    # 5-3: TAXIS/JOHS the day after the application; JUJU/LOACUS after a manual step.
    assert dates.permission("johs", "remove").on == d("2018-12-15")
    removal = dates.permission("juju", "remove")
    assert removal.on is None
    assert removal.start == "manual"
    assert removal.pending
    # 4-2: certificate registration from M+6.
    assert dates.certificate(["taxis"]).on == d("2018-12-26")
    # 3-1 to 3-3: about 15 business days from acceptance (12/24 and 12/31-1/4 are closed).
    assert dates.usage(["taxis"]).on == d("2019-01-15")
    # Derived systems have no timing of their own.
    assert dates.permission("info_site", "add").start is None
    assert dates.permission("no_such_system", "add").on is None


def test_timing_rules_come_from_the_catalog(sample: Registry, calendar: BusinessCalendar) -> None:
    taxis = sample.catalog.by_id["taxis"]
    assert taxis.timing is not None
    slow = taxis.model_copy(
        update={
            "timing": taxis.timing.model_copy(
                update={"add": Timing(start="processing_day", business_days=2, days=3)}
            )
        }
    )
    tgn = sample.catalog.provider_map["tokyo_gas_network"]
    provider = tgn.model_copy(update={"certificate_registration": None})
    catalog = Catalog(providers=(provider,), systems=(slow,))
    day = d("2018-12-04")
    dates = Dates(calendar, catalog, Known(day, day, day))
    # M = 12/17; +2 business days = 12/19; +3 calendar days = 12/22.
    assert dates.permission("taxis", "add").on == d("2018-12-22")
    assert dates.certificate(["taxis"]).on is None


def test_occto_timing_is_not_tokyo_gas_networks(
    sample: Registry, calendar: BusinessCalendar
) -> None:
    """OCCTO's help desk registers an application when it has checked it (001 p13): no M,
    no M+6, no 15 business days, as 000 §3-1 and §4-2 give for Tokyo Gas Network."""
    day = d("2018-12-14")
    dates = Dates(calendar, sample.catalog, Known(day, day, day))
    for effective in (
        dates.certificate(["switching"]),
        dates.usage(["switching", "member_portal"]),
    ):
        assert (effective.on, effective.start) == (None, "manual")
    # An operator using both: the later of the two, which is not known in advance.
    assert dates.usage(["taxis", "switching"]).start == "manual"
    assert dates.certificate(["taxis", "johs"]).on == d("2018-12-26")
    # Nothing used: no provider, no date.
    assert dates.usage([]).start is None


def test_closed_ranges_are_expanded() -> None:
    calendar = BusinessCalendar.from_file(
        CalendarFile(
            closed=(
                d("2030-05-07"),
                ClosedRange(**{"from": d("2030-05-08"), "to": d("2030-05-09")}),
            )
        )
    )
    assert calendar.closed == {d("2030-05-07"), d("2030-05-08"), d("2030-05-09")}
    assert calendar.on_or_after(d("2030-05-07")) == d("2030-05-10")


def test_a_calendar_without_business_days_is_an_error() -> None:
    start = d("2030-01-01")
    calendar = BusinessCalendar.with_closed(
        start.fromordinal(start.toordinal() + i) for i in range(400)
    )
    with pytest.raises(CalendarClosed, match="no business day"):
        calendar.on_or_after(start)


def test_the_holiday_table_is_what_the_library_says() -> None:
    # Written again with the command in the README when the library's holidays change.
    path = Path(holiday_table.__file__)
    first, last = holiday_table.FIRST_YEAR, holiday_table.LAST_YEAR
    assert path.read_text(encoding="utf-8") == holiday_table_source(first, last)
    # Every year a date of the registry or the command line may fall in.
    assert (first, last) == (EARLIEST_DAY.year, LATEST_DAY.year)


def test_a_year_past_the_table_is_asked_of_the_library() -> None:
    import holidays

    for year in (holiday_table.FIRST_YEAR - 1, holiday_table.LAST_YEAR + 1):
        expected = frozenset(holidays.country_holidays("JP", years=year))
        found = {d for d in _days(year) if not BusinessCalendar().is_business_day(d)}
        weekends = {d for d in _days(year) if d.weekday() >= 5}
        assert found == weekends | expected, year


def _days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


def test_counting_business_days_imports_no_holiday_library() -> None:
    # The library costs a command's start-up about 60 ms; the table serves today's years.
    code = (
        "import sys; from datetime import date; import accessreg.cli.apply_cmd;"
        "from accessreg.timeline.business_days import BusinessCalendar;"
        "assert not BusinessCalendar().is_business_day(date(2027, 1, 11));"  # 成人の日
        "print('holidays' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tooling")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
