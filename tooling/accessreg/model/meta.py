"""The maintainers' list and the reception centre's calendar."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from accessreg.model.base import GITHUB_LOGIN, LOGIN_ID, Frozen


class Maintainer(Frozen):
    github: str = Field(pattern=GITHUB_LOGIN, max_length=39)
    name: str = Field(min_length=1)
    email: str = Field(pattern=LOGIN_ID)


class MaintainersFile(Frozen):
    maintainers: tuple[Maintainer, ...] = Field(min_length=1)


class ClosedRange(Frozen):
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    note: str | None = None


class CalendarFile(Frozen):
    closed: tuple[date | ClosedRange, ...] = ()
