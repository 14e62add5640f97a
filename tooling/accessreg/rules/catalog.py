"""Consistency of the catalog and the calendar themselves."""

from __future__ import annotations

from collections.abc import Iterator

from accessreg.model import ClosedRange
from accessreg.model.layout import CALENDAR_FILE, CATALOG_FILE
from accessreg.model.problems import Problem
from accessreg.model.registry import Registry
from accessreg.rules.base import Context, Scope, finding, rule
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
                f"provider {provider.id} is listed twice",
                ("providers", i, "id"),
            )
    for i, system in enumerate(reg.catalog.systems):
        where = ("systems", i)

        def bad(message: str, *path: str | int, _where: tuple[str | int, ...] = where) -> Problem:
            return finding(CATALOG_FILE, message, (*_where, *path))

        if ids.count(system.id) > 1:
            yield bad(f"system id {system.id} is listed twice", "id")
        if system.provider not in providers:
            yield bad(f"provider {system.provider} is not listed under providers", "provider")
        if system.level == "user" and not system.codes:
            yield bad(f"{system.id} is used by users but lists no codes", "level")
        if system.level == "operator" and (system.codes or system.derived):
            yield bad(f"{system.id} is used by the operator as a whole: it has no codes", "level")
        use = system.certificates
        if use is not None and use.api_per_operator is not None and "api" not in use.purposes:
            yield bad(f"{system.id} limits API certificates it does not take", "certificates")
        codes = [c.code for c in system.codes]
        for j, code in enumerate(system.codes):
            if codes.count(code.code) > 1:
                yield bad(f"{system.id} lists code {code.code} twice", "codes", j, "code")
            if code.replaced_by and code.replaced_by not in codes:
                yield bad(
                    f"{code.replaced_by} is not a code of {system.id}", "codes", j, "replaced_by"
                )
            if system.roles and not set(code.roles) <= set(system.roles):
                yield bad(
                    f"{system.id} {code.code} names roles the system does not allow",
                    "codes",
                    j,
                    "roles",
                )
        for j, limit in enumerate(system.limits):
            if limit.code not in codes:
                yield bad(f"limit on unknown code {limit.code}", "limits", j, "code")
            if limit.max_per_operator is None and limit.min_per_operator is None:
                yield bad("a limit names max_per_operator or min_per_operator", "limits", j)
        for j, sid in enumerate(system.pages):
            if sid not in ids:
                yield bad(f"a page of an unknown system {sid}", "pages", j)
        if system.derived is not None:
            for sid in system.derived.systems:
                if sid not in ids:
                    yield bad(f"derived from unknown system {sid}", "derived", "systems")


@rule("calendar-range", "000 §5-1", Scope.OPERATORS)
def calendar_range(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A closed-day range of the calendar ends before it starts, or the closed days leave no
    business day for a year: dates could no longer be counted from them."""
    if reg.calendar is None:
        return
    business = BusinessCalendar.from_file(reg.calendar)
    for i, day in enumerate(reg.calendar.closed):
        start = day.start if isinstance(day, ClosedRange) else day
        if isinstance(day, ClosedRange) and day.end < day.start:
            yield finding(
                CALENDAR_FILE,
                f"{day.start} to {day.end} ends before it starts",
                ("closed", i),
            )
            continue
        try:
            business.on_or_after(start)
        except CalendarClosed:
            yield finding(
                CALENDAR_FILE,
                f"from {start} the closed days leave no business day for a year",
                ("closed", i),
            )
            return


RULES = (catalog_consistency, calendar_range)
