"""Calendar arithmetic in months and years, as the seeds count deadlines (一年, 六か月, 二年)."""

from __future__ import annotations

import calendar
from datetime import date


def months_later(day: date, months: int) -> date:
    """The same day ``months`` later; a day the month lacks becomes its last (31 Jan → 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def years_later(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February falls back to 28 February."""
    return months_later(day, 12 * years)
