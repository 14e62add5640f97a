"""Business days and processing dates (000 §4-2, §5-1 to §5-3).

A business day of the reception centre is a weekday that is neither a Japanese public holiday
nor one of the centre's own closed days (``registry/calendar.yaml``). Applications are batched
twice a month on the processing day M: accepted on the 1st-15th → the 16th, on the 16th-end →
the 1st of the next month, moved to the next business day when it is not one. When a change
takes effect is ``timeline.effective``; this module only does the counting.

Pure: no I/O. Japan's public holidays come from ``holiday_table`` for the years it holds (made
from the ``holidays`` library by ``holiday_table_source``; the suite fails when the library
says otherwise), and from the library itself for any other year: importing it costs a
command's start-up about 60 ms, more than anything else the package imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Literal

from accessreg.errors import ProblemsFound
from accessreg.model import CalendarFile, ClosedRange, YearlyClosure
from accessreg.model.messages import msg
from accessreg.timeline import holiday_table

Start = Literal["accepted", "processing_day", "manual"]

# Far enough for any schedule the catalog can express; a loop past it means a broken calendar.
_MAX_SEARCH_DAYS = 366


class CalendarClosed(ProblemsFound):
    """The closed days of registry/calendar.yaml leave no business day to count with (the
    ``calendar-range`` rule reports where)."""


def _library(year: int) -> Iterable[date]:
    """Japan's holidays of ``year`` as the ``holidays`` library gives them (the table's
    source, and the answer for a year past it)."""
    import holidays  # not at start-up: the table holds every year a date may fall in

    return holidays.country_holidays("JP", years=year)


@cache
def _tabled() -> dict[int, frozenset[date]]:
    days: dict[int, set[date]] = {}
    for text in holiday_table.DAYS.split():
        day = date.fromisoformat(text)
        days.setdefault(day.year, set()).add(day)
    return {year: frozenset(found) for year, found in days.items()}


@cache
def _public_holidays(year: int) -> frozenset[date]:
    if holiday_table.FIRST_YEAR <= year <= holiday_table.LAST_YEAR:
        return _tabled().get(year, frozenset())
    return frozenset(_library(year))


def holiday_table_source(first: int, last: int) -> str:
    """The text of ``holiday_table.py`` for the years ``first`` to ``last``, from the
    library; the README says how to write it again."""
    days = [day.isoformat() for year in range(first, last + 1) for day in sorted(_library(year))]
    lines = "\n".join(" ".join(days[i : i + 8]) for i in range(0, len(days), 8))
    return (
        '"""Japan\'s public holidays, year by year: made from the ``holidays`` library by\n'
        '``business_days.holiday_table_source``, and checked against it by the suite."""\n'
        "\n"
        f"FIRST_YEAR = {first}\n"
        f"LAST_YEAR = {last}\n"
        f'DAYS = """\n{lines}\n"""\n'
    )


def closed_days(calendar: CalendarFile | None) -> frozenset[date]:
    """Every day the calendar file's explicit entries close, ranges expanded."""
    days: set[date] = set()
    for entry in calendar.closed if calendar is not None else ():
        if isinstance(entry, ClosedRange):
            day = entry.start
            while day <= entry.end:
                days.add(day)
                day += timedelta(days=1)
        else:
            days.add(entry)
    return frozenset(days)


def _month_day(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


@dataclass(frozen=True)
class Yearly:
    """A closure repeated every year: ``start``..``end`` as (month, day), ``end`` before
    ``start`` meaning the next year; for the years ``since``..``until`` of its start."""

    start: tuple[int, int]
    end: tuple[int, int]
    since: int
    until: int | None = None

    @classmethod
    def of(cls, rule: YearlyClosure) -> Yearly:
        return cls(_month_day(rule.start), _month_day(rule.end), rule.since, rule.until)

    def holds_for(self, year: int) -> bool:
        return self.since <= year and (self.until is None or year <= self.until)

    def closes(self, day: date) -> bool:
        md = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= md <= self.end and self.holds_for(day.year)
        # Across the new year: the December part belongs to this year's rule, the January
        # part to last year's.
        if md >= self.start:
            return self.holds_for(day.year)
        return md <= self.end and self.holds_for(day.year - 1)


def yearly_closures(calendar: CalendarFile | None) -> tuple[Yearly, ...]:
    return tuple(Yearly.of(r) for r in calendar.every_year) if calendar is not None else ()


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekends, Japanese public holidays and the centre's own closed days are not business:
    its yearly closures (the year-end and new year) and its further closed days."""

    closed: frozenset[date] = frozenset()
    yearly: tuple[Yearly, ...] = ()

    @classmethod
    def from_file(cls, calendar: CalendarFile | None) -> BusinessCalendar:
        return cls(closed_days(calendar), yearly_closures(calendar))

    @classmethod
    def with_closed(cls, days: Iterable[date]) -> BusinessCalendar:
        return cls(frozenset(days))

    def is_closed(self, day: date) -> bool:
        """One of the centre's own closed days."""
        return day in self.closed or any(y.closes(day) for y in self.yearly)

    def is_business_day(self, day: date) -> bool:
        return (
            day.weekday() < 5 and day not in _public_holidays(day.year) and not self.is_closed(day)
        )

    def on_or_after(self, day: date) -> date:
        """``day`` if it is a business day, else the next one."""
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_business_day(day):
                return day
            day += timedelta(days=1)
        raise CalendarClosed(
            msg(
                "calendar.yaml: the closed days leave no business day within {count} days "
                "of {day}: open some of them (calendar-range)",
                count=_MAX_SEARCH_DAYS,
                day=day,
            )
        )

    def next_after(self, day: date) -> date:
        """The first business day strictly after ``day`` (翌営業日)."""
        return self.on_or_after(day + timedelta(days=1))

    def days_past(self, due: date, today: date) -> int:
        """How many business days ``today`` is past a deadline of business days ``due``:
        those after ``due`` up to ``today``. 0 until the first business day after it:
        a closed day overruns nothing, since the centre was not at work to meet it, and the
        next business day is the first to count (a notice of the overrun waits for it)."""
        count, day = 0, due
        while (day := self.next_after(day)) <= today:
            count += 1
        return count

    def add_business_days(self, day: date, count: int) -> date:
        """The ``count``-th business day after ``day`` (M+6: six business days after M)."""
        for _ in range(count):
            day = self.next_after(day)
        return day

    def acceptance_date(self, entered_on: date) -> date:
        """When an application entered on ``entered_on`` is accepted: the next business day.

        This is the seed's paper flow (受付 on 翌営業日). In this project the reviewers'
        approval is the acceptance, so commands take the acceptance date itself.
        """
        return self.next_after(entered_on)

    def effective_acceptance(self, accepted_on: date) -> date:
        """An acceptance on a non-business day counts as the next business day."""
        return self.on_or_after(accepted_on)

    def processing_day(self, keyed_on: date) -> date:
        """The processing day M of the batch of an application keyed on ``keyed_on``, by the
        half of the month that day is in, whatever day of the week: an acceptance is on a
        business day already (``effective_acceptance``), but an entry is the system's, on
        any day (000 §5-2 ③: 「当月１日から当月１５日までの期間で①変更申請入力を行ったもの」),
        so a change entered on Sunday the 15th is in the batch of the 16th."""
        if keyed_on.day <= 15:
            nominal = keyed_on.replace(day=16)
        elif keyed_on.month == 12:
            nominal = date(keyed_on.year + 1, 1, 1)
        else:
            nominal = date(keyed_on.year, keyed_on.month + 1, 1)
        return self.on_or_after(nominal)
