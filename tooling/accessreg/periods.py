"""Periods the seeds count in years (certificate validity, provisional membership)."""

from __future__ import annotations

from datetime import date


def years_later(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
