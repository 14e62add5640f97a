"""Business days and processing dates (000 §4-2, §5-1 to §5-3).

A business day of the reception centre is a weekday that is neither a Japanese public holiday
nor one of the centre's own closed days (``registry/calendar.yaml``). Applications are batched
twice a month on the processing day M: accepted on the 1st-15th → the 16th, on the 16th-end →
the 1st of the next month, moved to the next business day when it is not one. When a change
takes effect is the catalog's ``timing`` per system and change kind (``add``/``change``/
``remove``), counted from the acceptance date or from M; this module only does the counting.

Pure: no I/O; the holiday tables are computed (``holidays``) and memoised per year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Literal

import holidays

from accessreg.errors import ProblemsFound
from accessreg.model import CalendarFile, Catalog, ClosedRange, Timing
from accessreg.model.changes import ChangeKind
from accessreg.model.registry import Registry

Start = Literal["accepted", "processing_day", "manual"]

# Far enough for any schedule the catalog can express; a loop past it means a broken calendar.
_MAX_SEARCH_DAYS = 366


class CalendarClosed(ProblemsFound):
    """The closed days of registry/calendar.yaml leave no business day to count with (the
    ``calendar-range`` rule reports where)."""


@cache
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("JP", years=year))


def closed_days(calendar: CalendarFile | None) -> frozenset[date]:
    """Every day the calendar file closes, ranges expanded."""
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


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekends, Japanese public holidays and the centre's own closed days are not business."""

    closed: frozenset[date] = frozenset()

    @classmethod
    def from_file(cls, calendar: CalendarFile | None) -> BusinessCalendar:
        return cls(closed_days(calendar))

    @classmethod
    def with_closed(cls, days: Iterable[date]) -> BusinessCalendar:
        return cls(frozenset(days))

    def is_business_day(self, day: date) -> bool:
        return (
            day.weekday() < 5 and day not in self.closed and day not in _public_holidays(day.year)
        )

    def on_or_after(self, day: date) -> date:
        """``day`` if it is a business day, else the next one."""
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_business_day(day):
                return day
            day += timedelta(days=1)
        raise CalendarClosed(
            f"calendar.yaml: the closed days leave no business day within {_MAX_SEARCH_DAYS} "
            f"days of {day} (calendar-range)"
        )

    def next_after(self, day: date) -> date:
        """The first business day strictly after ``day`` (翌営業日)."""
        return self.on_or_after(day + timedelta(days=1))

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

    def processing_day(self, accepted_on: date) -> date:
        """The processing day M of the batch an acceptance falls into."""
        accepted = self.effective_acceptance(accepted_on)
        if accepted.day <= 15:
            nominal = accepted.replace(day=16)
        elif accepted.month == 12:
            nominal = date(accepted.year + 1, 1, 1)
        else:
            nominal = date(accepted.year, accepted.month + 1, 1)
        return self.on_or_after(nominal)


@dataclass(frozen=True)
class Effective:
    """When one change takes effect.

    ``on`` is None when the date is not known in advance: the catalog says a manual step of
    the system operator decides it (``start == "manual"``), or gives no timing at all
    (``start is None``).
    """

    on: date | None
    start: Start | None
    processing_day: date | None = None  # M, when the date is counted from it

    @property
    def pending(self) -> bool:
        return self.on is None


@dataclass(frozen=True)
class Schedule:
    """The dates of one accepted application: the calendar and the catalog's timing rules."""

    calendar: BusinessCalendar
    catalog: Catalog
    accepted_on: date

    @classmethod
    def of(cls, registry: Registry, accepted_on: date) -> Schedule:
        """The schedule under a registry's own catalog and calendar."""
        return cls(BusinessCalendar.from_file(registry.calendar), registry.catalog, accepted_on)

    @property
    def accepted(self) -> date:
        """The acceptance date as it counts (a business day)."""
        return self.calendar.effective_acceptance(self.accepted_on)

    @property
    def processing_day(self) -> date:
        return self.calendar.processing_day(self.accepted_on)

    def effective(self, timing: Timing | None) -> Effective:
        if timing is None:
            return Effective(None, None)
        if timing.start == "manual":
            return Effective(None, "manual")
        m: date | None = None
        if timing.start == "processing_day":
            m = self.processing_day
            base = m
        else:
            base = self.accepted
        day = self.calendar.add_business_days(base, timing.business_days)
        return Effective(day + timedelta(days=timing.days), timing.start, m)

    def timing_of(self, system_id: str, kind: ChangeKind) -> Timing | None:
        system = self.catalog.by_id.get(system_id)
        if system is None or system.timing is None:
            return None
        timing: Timing | None = getattr(system.timing, kind)
        return timing

    def for_system(self, system_id: str, kind: ChangeKind) -> Effective:
        """When ``kind`` of a permission of ``system_id`` takes effect; a suspension and its
        lifting on the acceptance day (001 p46)."""
        if kind in (ChangeKind.SUSPEND, ChangeKind.RESTORE):
            return Effective(self.accepted, "accepted")
        return self.effective(self.timing_of(system_id, kind))

    def _latest(self, timings: Iterable[Timing | None]) -> Effective:
        """The latest of several dates: one not known in advance (a manual step) is later
        than any known one."""
        found = [self.effective(t) for t in timings]
        if not found:
            return Effective(None, None)
        pending = [e for e in found if e.on is None]
        if pending:
            return next((e for e in pending if e.start is not None), pending[0])
        return max(found, key=lambda e: e.on or date.min)

    def certificate_registration(self, systems: Iterable[str]) -> Effective:
        """When a client certificate registered for ``systems`` becomes usable: each
        provider's own step (000 §4-2: M+6 at Tokyo Gas Network; OCCTO's help desk, 001
        p13), the latest when it is registered with several."""
        providers = self.catalog.providers_of(systems)
        return self._latest(p.certificate_registration for p in providers)

    def usage_application(self, systems: Iterable[str]) -> Effective:
        """When a usage application's operator-level change is done, for an operator using
        ``systems`` (000 §3-1 to §3-3: about 15 business days at Tokyo Gas Network)."""
        providers = self.catalog.providers_of(systems)
        return self._latest(p.usage_application for p in providers)
