"""Client-certificate rules (000 §4, 001 p38-46, 004)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

from accessreg.escape import shorten
from accessreg.model import Certificate
from accessreg.model.problems import DataPath, Level, Problem
from accessreg.model.registry import Registry
from accessreg.rules.base import Context, Due, Scope, finding, rule
from accessreg.timeline.periods import years_later

VALIDITY_YEARS = 2
SLACK = timedelta(days=1)  # an end written as the anniversary itself, not the day before
START_AHEAD_REFUSED = timedelta(days=180)  # 004: "180日以上先" cannot be asked for


def _certs(reg: Registry) -> Iterator[tuple[str, str, int, Certificate]]:
    for entry in reg.iter_operators():
        for i, cert in enumerate(entry.operator.certificates):
            yield entry.file, entry.operator.code, i, cert


@rule("certificate-unique", "000 §4, 004", Scope.OPERATORS)
def certificate_unique(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A certificate serial or certificate ID is registered twice in the registry.

    The serial is what the reverse proxy matches a client by: two operators must never share
    one. Reported on every place in a file the change added or altered; on every place when
    the change touched none.
    """
    for field in ("serial", "id"):
        seen: dict[str, list[tuple[str, DataPath]]] = defaultdict(list)
        for file, _, i, cert in _certs(reg):
            seen[getattr(cert, field)].append((file, ("certificates", i, field)))
        for value, places in seen.items():
            if len(places) > 1:
                for file, path in places:
                    others = ", ".join(sorted({f for f, p in places if (f, p) != (file, path)}))
                    yield finding(
                        file,
                        f"certificate {field} {shorten(value)} is registered more than once "
                        f"(also {others})",
                        path,
                        clash=f"{field} {value}",
                    )


@rule("certificate-validity", "000 §4-1, 004 §1", Scope.OPERATORS)
def certificate_validity(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A certificate's validity is longer than two years, or ends before it starts.

    EPPCERT certificates are valid for two years: `not_after` may be at most the day two
    years after `not_before` (one day of slack for an end written as the anniversary).
    """
    for file, _, i, cert in _certs(reg):
        latest = years_later(cert.not_before, VALIDITY_YEARS) + SLACK
        if cert.not_after <= cert.not_before or cert.not_after > latest:
            yield finding(
                file,
                f"certificate {cert.id}: validity {cert.not_before} to {cert.not_after} is not "
                "within the two years EPPCERT issues",
                ("certificates", i, "not_after"),
            )


@rule("certificate-start", "004 §1", Scope.OPERATORS)
def certificate_start(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A certificate's validity starts 180 days or more after today.

    EPPCERT lets a renewal start in the future, but a start 180 days or more ahead
    (180日以上先) cannot be asked for.
    """
    for file, _, i, cert in _certs(reg):
        if cert.not_before - ctx.today >= START_AHEAD_REFUSED:
            yield finding(
                file,
                f"certificate {cert.id} starts on {cert.not_before}, 180 days or more after "
                f"{ctx.today}: EPPCERT does not issue such a start",
                ("certificates", i, "not_before"),
            )


@rule("certificate-api", "000 §4-1", Scope.OPERATORS, due=Due.TIME)
def certificate_api(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """An operator has more than one API certificate valid at the same time.

    One certificate per operator is issued for API use. A renewal whose validity has not
    started yet, an expired or a suspended one does not count; a renewal becomes valid on its
    start day, so this falls due with the days.
    """
    valid: dict[str, list[tuple[str, int, Certificate]]] = defaultdict(list)
    for file, code, i, cert in _certs(reg):
        if cert.purpose == "api" and cert.is_valid_on(ctx.today):
            valid[code].append((file, i, cert))
    for code, certs in valid.items():
        for file, i, cert in certs[1:]:
            yield finding(
                file,
                f"certificate {cert.id} is a second valid API certificate of {code}",
                ("certificates", i, "purpose"),
            )


@rule("certificate-expired", "000 §4-1, 004 §1", Scope.OPERATORS, Level.WARNING, Due.TIME)
def certificate_expired(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A certificate has expired; it is left out of the whitelists. Remove it."""
    for file, _, i, cert in _certs(reg):
        if cert.not_after < ctx.today:
            yield finding(
                file,
                f"certificate {cert.id} expired on {cert.not_after}",
                ("certificates", i, "not_after"),
            )


@rule("certificate-system", "000 §4-2", Scope.OPERATORS)
def certificate_system(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A certificate is registered for a system the operator is not approved for."""
    for entry in reg.iter_operators():
        for i, cert in enumerate(entry.operator.certificates):
            for j, system_id in enumerate(cert.systems):
                if system_id not in entry.operator.systems:
                    yield finding(
                        entry.file,
                        f"certificate {cert.id} names {system_id}, which the operator is not "
                        "approved for",
                        ("certificates", i, "systems", j),
                    )


RULES = (
    certificate_unique,
    certificate_validity,
    certificate_start,
    certificate_api,
    certificate_expired,
    certificate_system,
)
