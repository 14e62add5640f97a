"""Today's date where the reception centre works: every date rule counts in Japan time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def today_in_japan() -> date:
    return datetime.now(JST).date()
