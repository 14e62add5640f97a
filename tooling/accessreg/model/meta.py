"""The maintainers' list and the reception centre's calendar."""

from __future__ import annotations

from pydantic import Field

from accessreg.model.base import FILLED, GITHUB_LOGIN, Day, Frozen, LoginId


class Maintainer(Frozen):
    github: str = Field(pattern=GITHUB_LOGIN, max_length=39)
    name: str = Field(min_length=1, pattern=FILLED)
    email: LoginId


class MaintainersFile(Frozen):
    maintainers: tuple[Maintainer, ...] = Field(min_length=1)


class ClosedRange(Frozen):
    start: Day = Field(alias="from")
    end: Day = Field(alias="to")
    note: str | None = None


# A day of the year, MM-DD: a yearly closure names days, not dates.
MONTH_DAY = r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


class YearlyClosure(Frozen):
    """Days the centre closes every year, such as its year-end and new-year holidays.

    ``from``/``to`` are MM-DD; a ``to`` earlier in the year than ``from`` falls in the next
    year (12-31 to 01-04). ``since``/``until`` are the years of ``from`` the rule holds for.
    """

    start: str = Field(alias="from", pattern=MONTH_DAY)
    end: str = Field(alias="to", pattern=MONTH_DAY)
    since: int = Field(ge=2000, le=2099)
    until: int | None = Field(default=None, ge=2000, le=2099)
    note: str | None = None


class CalendarFile(Frozen):
    every_year: tuple[YearlyClosure, ...] = Field(
        default=(), description="Closures the centre repeats every year (000 §5-1 example)."
    )
    closed: tuple[Day | ClosedRange, ...] = Field(
        default=(), description="Further closed days, one date or a from/to range each."
    )
