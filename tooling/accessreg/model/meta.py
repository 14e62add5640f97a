"""The maintainers' list and the reception centre's calendar."""

from __future__ import annotations

from pydantic import Field

from accessreg.model.base import GITHUB_LOGIN, LOGIN_ID, Day, Frozen


class Maintainer(Frozen):
    github: str = Field(pattern=GITHUB_LOGIN, max_length=39)
    name: str = Field(min_length=1)
    email: str = Field(pattern=LOGIN_ID)


class MaintainersFile(Frozen):
    maintainers: tuple[Maintainer, ...] = Field(min_length=1)


class ClosedRange(Frozen):
    start: Day = Field(alias="from")
    end: Day = Field(alias="to")
    note: str | None = None


class CalendarFile(Frozen):
    closed: tuple[Day | ClosedRange, ...] = ()
