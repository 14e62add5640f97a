"""Client-certificate rules (000 §4, 001 p38-46, 002 §3.1, 004)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

from accessreg.model import Certificate, System
from accessreg.model.messages import Message, msg
from accessreg.model.problems import DataPath, Level, Problem
from accessreg.model.registry import Registry
from accessreg.rules.base import Context, Due, Scope, finding, rule
from accessreg.timeline.periods import certificate_validity_fits

START_AHEAD_REFUSED = timedelta(days=180)  # 004: "180日以上先" cannot be asked for


def _certs(reg: Registry) -> Iterator[tuple[str, str, int, Certificate]]:
    for entry in reg.iter_operators():
        for i, cert in enumerate(entry.operator.certificates):
            yield entry.file, entry.operator.code, i, cert


_FIELDS = {"serial": msg("serial"), "id": msg("ID")}


def _registered_twice(field: str, value: str, others: str) -> Message:
    if field == "serial":
        return msg(
            "The certificate serial {value} is registered more than once (also in {others}): "
            "check the serial against the certificate",
            value=value,
            others=others,
        )
    return msg(
        "The certificate ID {value} is registered more than once (also in {others}): check "
        "the ID against the certificate",
        value=value,
        others=others,
    )


@rule("certificate-unique", "000 §4, 004", Scope.OPERATORS)
def certificate_unique(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A certificate serial or certificate ID is registered twice in the registry.

    The serial is what the reverse proxy matches a client by: two operators must never share
    one. EPPCERT does not check the operator code of an order (004), so nothing but the
    registry ties a certificate to its operator: one registered to two operators is refused
    with both named.
    Reported on every place in a file the change added or altered; on every place when
    the change touched none.
    """
    for field in ("serial", "id"):
        seen: dict[str, list[tuple[str, str, DataPath]]] = defaultdict(list)
        for file, code, i, cert in _certs(reg):
            seen[getattr(cert, field)].append((file, code, ("certificates", i, field)))
        for value, places in seen.items():
            if len(places) < 2:
                continue
            operators = sorted({code for _, code, _ in places})
            for file, _, path in places:
                others = ", ".join(sorted({f for f, _, p in places if (f, p) != (file, path)}))
                if len(operators) > 1:
                    message = msg(
                        "The certificate {field} {value} is registered to {count} operators "
                        "({operators}): a certificate belongs to one operator; check it against "
                        "the certificate (also in {others})",
                        field=_FIELDS[field],
                        value=value,
                        count=len(operators),
                        operators=tuple(operators),
                        others=others,
                    )
                else:
                    message = _registered_twice(field, value, others)
                yield finding(file, message, path, clash=f"{field} {value}")


@rule("certificate-subject", "004", Scope.OPERATORS)
def certificate_subject(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A certificate's subject (CN) does not carry its operator's code.

    The operator code is written on the EPPCERT order, and EPPCERT does not check it against
    the company (004): the code in the subject is what shows a certificate was issued for
    this operator.
    """
    for file, code, i, cert in _certs(reg):
        if code.upper() not in cert.cn.upper():
            yield finding(
                file,
                msg(
                    "Certificate {id}: its CN {cn} does not carry the operator code {code}: "
                    "check the operator code written on the EPPCERT order",
                    id=cert.id,
                    cn=cert.cn,
                    code=code,
                ),
                ("certificates", i, "cn"),
            )


@rule("certificate-validity", "000 §4-1, 001 p39", Scope.OPERATORS)
def certificate_validity(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A certificate's validity is longer than two years, or ends before it starts.

    EPPCERT certificates are valid for two years: `not_after` may be at most the day two
    years after `not_before` (one day of slack for an end written as the anniversary).
    """
    for file, _, i, cert in _certs(reg):
        if not certificate_validity_fits(cert.not_before, cert.not_after):
            yield finding(
                file,
                msg(
                    "Certificate {id}: the validity {start} to {end} is not within the two "
                    "years EPPCERT issues: copy the dates from the certificate",
                    id=cert.id,
                    start=cert.not_before,
                    end=cert.not_after,
                ),
                ("certificates", i, "not_after"),
            )


@rule("certificate-start", "004", Scope.OPERATORS)
def certificate_start(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A certificate's validity starts 180 days or more after today.

    EPPCERT lets a renewal start in the future, but a start 180 days or more ahead
    (180日以上先) cannot be asked for.
    """
    for file, _, i, cert in _certs(reg):
        if cert.not_before - ctx.today >= START_AHEAD_REFUSED:
            yield finding(
                file,
                msg(
                    "Certificate {id} starts on {start}, 180 days or more after {today}: "
                    "EPPCERT does not issue such a start; apply again closer to the date",
                    id=cert.id,
                    start=cert.not_before,
                    today=ctx.today,
                ),
                ("certificates", i, "not_before"),
            )


@rule("certificate-api", "001 p46", Scope.OPERATORS, due=Due.TIME)
def certificate_api(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """An operator has more API certificates valid at the same time than a system allows.

    OCCTO's switching support system takes one certificate per client for the web and one
    per operator for the API (001 p46): the catalog's `api_per_operator`. A renewal whose
    validity has not started yet, an expired or a suspended one does not count; a renewal
    becomes valid on its start day, so this falls due with the days.
    """
    for entry in reg.iter_operators():
        op = entry.operator
        for system in reg.catalog.systems:
            limit = system.certificates.api_per_operator if system.certificates else None
            if limit is None or system.id not in op.systems:
                continue
            valid = [
                (i, cert)
                for i, cert in enumerate(op.certificates)
                if cert.purpose == "api"
                and cert.is_valid_on(ctx.today)
                and op.reaches(reg.catalog, system, cert)
            ]
            for i, cert in valid[limit:]:
                yield finding(
                    entry.file,
                    msg(
                        "Certificate {id} is a valid API certificate of {code} for {system} "
                        "beyond the {limit} the system allows per operator: remove an old one "
                        "or use this one for the web",
                        id=cert.id,
                        code=op.code,
                        system=system.named,
                        limit=limit,
                    ),
                    ("certificates", i, "purpose"),
                )


def _needing_certificates(
    reg: Registry,
) -> Iterator[tuple[str, int, System, list[Certificate]]]:
    """Each system of an active operator that needs a client certificate, with the
    operator's certificates for it."""
    for entry in reg.iter_operators():
        op = entry.operator
        if op.status != "active":
            continue
        for j, system_id in enumerate(op.systems):
            system = reg.catalog.by_id.get(system_id)
            if system is None or system.certificates is None or not system.certificates.required:
                continue
            certs = [c for c in op.certificates if op.reaches(reg.catalog, system, c)]
            yield entry.file, j, system, certs


@rule("certificate-required", "002 §2.1.1, §3.1; 000 §7-2", Scope.OPERATORS)
def certificate_required(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """An operator uses a system that needs a client certificate and has none for it.

    The switching support system is applied for only with a client certificate already
    obtained (002 §3.1, §2.1.1), and the wheeling API is used with an API certificate: the
    catalog's `certificates.required`. None registered for the system is an error; none
    valid today is `certificate-none-valid`.
    """
    for file, j, system, certs in _needing_certificates(reg):
        if not certs and system.certificates is not None:
            yield finding(
                file,
                msg(
                    "{system} needs a registered client certificate ({purposes}) before it "
                    "is applied for: register one first with a client certificate "
                    "registration (クライアント証明書登録申請); a new operator gives it with "
                    "its new usage application (利用申請（新規）)",
                    system=system.named,
                    purposes=tuple(system.certificates.purposes),
                ),
                ("systems", j),
            )


@rule("certificate-none-valid", "002 §3.1; 000 §7-2", Scope.OPERATORS, Level.WARNING, Due.TIME)
def certificate_none_valid(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A system that needs a client certificate has certificates, none valid today.

    All are expired, suspended or not started yet: the system cannot be reached until a
    renewed one is registered (or starts). A warning, since it falls due as the days pass.
    """
    for file, j, system, certs in _needing_certificates(reg):
        if certs and not any(c.is_valid_on(ctx.today) for c in certs):
            yield finding(
                file,
                msg(
                    "No client certificate for {system} is valid on {today}: register a "
                    "renewed one",
                    system=system.named,
                    today=ctx.today,
                ),
                ("systems", j),
            )


@rule("certificate-expired", "000 §4-1, 004", Scope.OPERATORS, Level.WARNING, Due.TIME)
def certificate_expired(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """Warning: a certificate has expired; it is left out of the whitelists. Remove it."""
    for file, _, i, cert in _certs(reg):
        if cert.not_after < ctx.today:
            yield finding(
                file,
                msg(
                    "Certificate {id} expired on {end}: remove it, or register its renewal",
                    id=cert.id,
                    end=cert.not_after,
                ),
                ("certificates", i, "not_after"),
            )


@rule("certificate-system", "000 §4-2, 001 p46", Scope.OPERATORS)
def certificate_system(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A certificate is registered for a system the operator is not approved for, or that
    does not take certificates of its purpose.

    Web certificates serve the screens, API certificates the API (001 p46); the catalog's
    `certificates.purposes` says which a system takes, and a system without `certificates`
    (the member system) takes none.
    """
    for entry in reg.iter_operators():
        for i, cert in enumerate(entry.operator.certificates):
            for j, system_id in enumerate(cert.systems):
                system = reg.catalog.by_id.get(system_id)
                use = system.certificates if system else None
                if system_id not in entry.operator.systems:
                    message = msg(
                        "Certificate {id} names {system}, which the operator is not approved "
                        "for: remove the system or apply for its use first",
                        id=cert.id,
                        system=reg.catalog.named(system_id),
                    )
                elif use is None:
                    message = msg(
                        "Certificate {id} names {system}, which takes no client certificate: "
                        "remove the system",
                        id=cert.id,
                        system=reg.catalog.named(system_id),
                    )
                elif cert.purpose not in use.purposes:
                    message = msg(
                        "Certificate {id} ({purpose}) names {system}, which takes {purposes} "
                        "certificates only: remove the system or register the right kind",
                        id=cert.id,
                        purpose=cert.purpose,
                        system=reg.catalog.named(system_id),
                        purposes=tuple(use.purposes),
                    )
                else:
                    continue
                yield finding(entry.file, message, ("certificates", i, "systems", j))


@rule("certificate-unused", "000 §4-2, 001 p46", Scope.OPERATORS, Level.WARNING)
def certificate_unused(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """Warning: a certificate registered for every system of its operator reaches none.

    None of the operator's systems (nor the sites reached with their certificates) takes a
    client certificate of its purpose: an operator using OCCTO's member system alone, which
    takes none, or an API certificate where no API is used. Registering it would register
    it nowhere; the operator should know where each certificate is used (001 p46).
    """
    for entry in reg.iter_operators():
        op = entry.operator
        for i, cert in enumerate(op.certificates):
            if cert.systems:  # named systems: `certificate-system` checks each
                continue
            if any(op.reaches(reg.catalog, system, cert) for system in reg.catalog.systems):
                continue
            yield finding(
                entry.file,
                msg(
                    "Certificate {id} ({purpose}) reaches none of the operator's systems: none "
                    "of them takes {purpose} certificates. Remove it, or apply for the system "
                    "it is meant for first",
                    id=cert.id,
                    purpose=cert.purpose,
                ),
                ("certificates", i),
                Level.WARNING,
            )


RULES = (
    certificate_unique,
    certificate_subject,
    certificate_validity,
    certificate_start,
    certificate_api,
    certificate_required,
    certificate_none_valid,
    certificate_expired,
    certificate_system,
    certificate_unused,
)
