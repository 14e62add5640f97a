"""Calendar arithmetic in months and years, as the seeds count deadlines (一年, 六か月, 二年)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

# EPPCERT's client certificates are valid for two years (000 §4-1, 001 p39); an end written
# as the anniversary itself, not the day before, is one day of slack.
CERTIFICATE_YEARS = 2
CERTIFICATE_SLACK = timedelta(days=1)
# OCCTO may cancel a provisional member's use when the full application has not followed
# within a year (003 §2.7.2 ④); its window persons are reminded a month before.
PROVISIONAL_YEARS = 1
PROVISIONAL_REMINDER_MONTHS = 11


def months_later(day: date, months: int) -> date:
    """The same day ``months`` later; a day the month lacks becomes its last (31 Jan → 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def years_later(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February falls back to 28 February."""
    return months_later(day, 12 * years)


def provisional_deadline(since: date) -> date:
    """The last day of a provisional membership begun ``since`` before OCCTO may cancel it."""
    return years_later(since, PROVISIONAL_YEARS)


def certificate_validity_fits(not_before: date, not_after: date) -> bool:
    """Whether a validity from ``not_before`` to ``not_after`` is one EPPCERT issues: it ends
    after it starts, at most two years later."""
    return not_before < not_after <= years_later(not_before, CERTIFICATE_YEARS) + CERTIFICATE_SLACK
