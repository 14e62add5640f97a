"""Consistency of the catalog and the calendar themselves."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date

from accessreg.model import ClosedRange
from accessreg.model.layout import CALENDAR_FILE, CATALOG_FILE
from accessreg.model.messages import Message, msg
from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry
from accessreg.rules.base import Context, Due, Scope, finding, rule
from accessreg.timeline.business_days import BusinessCalendar, CalendarClosed


@rule("catalog-consistency", "000 §5-1, §5-4, §5-5", Scope.OPERATORS)
def catalog_consistency(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """The catalog contradicts itself.

    System ids and codes are unique; a limit, a replacement code and a derivation name codes
    and systems that exist; a code's roles are among its system's roles; every system's
    provider is listed under `providers`, once; a system users apply for has codes, one the
    operator uses as a whole (`level: operator`) has none; a limit says how many at least or
    at most; a limit of API certificates is on a system that takes them.
    """
    ids = [s.id for s in reg.catalog.systems]
    providers = [p.id for p in reg.catalog.providers]
    for i, provider in enumerate(reg.catalog.providers):
        if providers.count(provider.id) > 1:
            yield finding(
                CATALOG_FILE,
                msg("The provider {id} is listed twice: list it once", id=provider.id),
                ("providers", i, "id"),
            )
    for i, system in enumerate(reg.catalog.systems):
        where = ("systems", i)

        def bad(
            message: Message, *path: str | int, _where: tuple[str | int, ...] = where
        ) -> Problem:
            return finding(CATALOG_FILE, message, (*_where, *path))

        if ids.count(system.id) > 1:
            yield bad(msg("The system id {id} is listed twice", id=system.id), "id")
        if system.provider not in providers:
            yield bad(
                msg(
                    "The provider {provider} is not listed under providers: add it there",
                    provider=system.provider,
                ),
                "provider",
            )
        if system.level == "user" and not system.codes:
            yield bad(
                msg("{system} is used by users but lists no codes: list them", system=system.id),
                "level",
            )
        if system.level == "operator" and (system.codes or system.derived):
            yield bad(
                msg(
                    "{system} is used by the operator as a whole: remove its codes",
                    system=system.id,
                ),
                "level",
            )
        use = system.certificates
        if use is not None and use.api_per_operator is not None and "api" not in use.purposes:
            yield bad(
                msg(
                    "{system} limits API certificates it does not take: add api to its "
                    "purposes or remove the limit",
                    system=system.id,
                ),
                "certificates",
            )
        codes = [c.code for c in system.codes]
        for j, code in enumerate(system.codes):
            if codes.count(code.code) > 1:
                yield bad(
                    msg("{system} lists the code {code} twice", system=system.id, code=code.code),
                    "codes",
                    j,
                    "code",
                )
            if code.replaced_by and code.replaced_by not in codes:
                yield bad(
                    msg(
                        "The replacement {code} is not a code of {system}",
                        code=code.replaced_by,
                        system=system.id,
                    ),
                    "codes",
                    j,
                    "replaced_by",
                )
            for included in code.includes:
                if included not in codes or included == code.code:
                    yield bad(
                        msg(
                            "{system} {code} includes {included}, which is no other code of "
                            "{system}",
                            system=system.id,
                            code=code.code,
                            included=included,
                        ),
                        "codes",
                        j,
                        "includes",
                    )
            if system.roles and not set(code.roles) <= set(system.roles):
                yield bad(
                    msg(
                        "{system} {code} names roles the system does not allow: list only "
                        "roles of the system",
                        system=system.id,
                        code=code.code,
                    ),
                    "codes",
                    j,
                    "roles",
                )
        for j, limit in enumerate(system.limits):
            if limit.code not in codes:
                yield bad(
                    msg(
                        "The limit names {code}, which is not a code of the system", code=limit.code
                    ),
                    "limits",
                    j,
                    "code",
                )
            if limit.max_per_operator is None and limit.min_per_operator is None:
                yield bad(
                    msg("A limit names max_per_operator or min_per_operator: add one"),
                    "limits",
                    j,
                )
        for j, sid in enumerate(system.pages):
            if sid not in ids:
                yield bad(
                    msg("A page of {system}, which is not a system of the catalog", system=sid),
                    "pages",
                    j,
                )
        if system.derived is not None:
            for sid in system.derived.systems:
                if sid not in ids:
                    yield bad(
                        msg(
                            "Derived from {system}, which is not a system of the catalog",
                            system=sid,
                        ),
                        "derived",
                        "systems",
                    )


@rule("calendar-range", "000 §5-1", Scope.OPERATORS)
def calendar_range(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A closed-day range of the calendar ends before it starts, a yearly closure names a
    day no year has or ends before it starts, or the closed days leave no business day for
    a year: dates could no longer be counted from them."""
    if reg.calendar is None:
        return
    for i, closure in enumerate(reg.calendar.every_year):
        for name, text in (("from", closure.start), ("to", closure.end)):
            month, dom = (int(p) for p in text.split("-"))
            if dom > calendar.monthrange(2000, month)[1]:  # 2000: a leap year
                yield finding(
                    CALENDAR_FILE,
                    msg("{day} is not a day of the year: write MM-DD of a real day", day=text),
                    ("every_year", i, name),
                )
        if closure.until is not None and closure.until < closure.since:
            yield finding(
                CALENDAR_FILE,
                msg(
                    "A closure from {since} until {until} ends before it starts: swap the years",
                    since=closure.since,
                    until=closure.until,
                ),
                ("every_year", i, "until"),
            )
    business = BusinessCalendar.from_file(reg.calendar)
    for i, day in enumerate(reg.calendar.closed):
        start = day.start if isinstance(day, ClosedRange) else day
        if isinstance(day, ClosedRange) and day.end < day.start:
            yield finding(
                CALENDAR_FILE,
                msg(
                    "The closed days {start} to {end} end before they start: swap the dates",
                    start=day.start,
                    end=day.end,
                ),
                ("closed", i),
            )
            continue
        try:
            business.on_or_after(start)
        except CalendarClosed:
            yield finding(
                CALENDAR_FILE,
                msg(
                    "From {start} the closed days leave no business day for a year: shorten "
                    "the range",
                    start=start,
                ),
                ("closed", i),
            )
            return


def next_year_end(today: date) -> int:
    """The year whose year-end closure comes next: last year's while its new-year days last."""
    return today.year - 1 if today <= date(today.year, 1, YEAR_END_WINDOW[1][1]) else today.year


# Days around the new year within which the centre's closure falls (000 §5-1 example:
# 12/31 and 1/2-1/4).
YEAR_END_WINDOW = ((12, 20), (1, 10))


def _says_year_end(reg: Registry, year: int) -> bool:
    assert reg.calendar is not None
    if any(
        c.since <= year and (c.until is None or year <= c.until) for c in reg.calendar.every_year
    ):
        return True
    first = date(year, *YEAR_END_WINDOW[0])
    last = date(year + 1, *YEAR_END_WINDOW[1])
    for entry in reg.calendar.closed:
        start, end = (entry.start, entry.end) if isinstance(entry, ClosedRange) else (entry, entry)
        if start <= last and end >= first:
            return True
    return False


@rule("calendar-year-end", "000 §5-1", Scope.OPERATORS, Level.WARNING, Due.TIME)
def calendar_year_end(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """The calendar does not say what happens at the next year-end.

    The reception centre closes over the new year (the worked example of 000 §5-1 closes
    2018-12-31 and 2019-01-02..04), and every date of a batch around it depends on that:
    without a yearly closure (`every_year`) in force for the coming year-end, or a closed
    day of its own between 20 December and 10 January, those days would silently count as
    business days. Time rule: it depends on the day of the check.
    """
    if reg.calendar is None and CALENDAR_FILE in reg.files:
        return  # it does not load: its own problems are reported
    year = next_year_end(ctx.today)
    if reg.calendar is None or not _says_year_end(reg, year):
        yield finding(
            CALENDAR_FILE,
            msg(
                "The calendar does not say whether the centre closes over the year-end of "
                "{year}/{next}: add a yearly closure (every_year: from 12-31 to 01-04, say) "
                "or that year-end's closed days",
                year=year,
                next=year + 1,
            ),
            ("every_year",),
        )


RULES = (catalog_consistency, calendar_range, calendar_year_end)
