"""Certificates and allowlisted IPs that fall due (000 §4-1, 004, 000 §2-8).

A certificate is valid through its ``not_after`` day and an IP entry through its
``expires_on`` day (as the whitelist outputs and the validator count them). Stages, from the
number of days left: at most 60 → first notice (the issuer's own notice comes about 60 days
ahead, to the operator's 企業内RA担当者: the first notice goes to them too when the operator
names one, 004), at most 14 → reminder, below 0 → expired (the entry has left the
whitelist). The renewal steps a notice lists are those of the providers the certificates are
registered with (the catalog's ``certificate_renewal``).

A renewal (a later certificate of the same CN and purpose) is registered when the whitelists
let it through from the first day it is valid: ``Admitted.certificate`` over the dates apply
recorded at its acceptance (M+6 at Tokyo Gas Network, 000 §4-2) or the confirmation of the
help desk's step (OCCTO, 001 p13), to every system the expiring one reaches
(``Operator.reached``, as the whitelists decide it). Until then the notice says it is
applied for, not registered, and what the window person does meanwhile; where it does not
reach a system the expiring one does, it names that system and asks for its registration
there (a クライアント証明書登録申請, 000 §4-2). A registered renewal is told with the day it
takes over (and the days between, when it starts later than the old one ends); only a
certificate with no renewal gets the providers' renewal steps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from accessreg.model import Certificate, IpAllowEntry, Operator
from accessreg.model.messages import msg
from accessreg.model.registry import Registry
from accessreg.outputs.csv_ import OPERATOR_CODE
from accessreg.outputs.whitelist import NOTHING_RECORDED, Admitted
from accessreg.provision import bundle
from accessreg.scheduled.duty import DutyResult, Inputs, Options, Table
from accessreg.scheduled.keyed_notices import Audience, Digest, Item

FIRST_NOTICE_DAYS = 60
REMINDER_DAYS = 14
# The expired notice is due in the days after expiry; older expired entries are left to the
# validator's warning, so that a first run does not mail about certificates gone for years.
EXPIRED_NOTICE_DAYS = 30


_DAY = timedelta(days=1)

# The reminder's threshold as the mails' subjects state it.
_DAYS = (("reminder_days", REMINDER_DAYS),)


class Stage(StrEnum):
    FIRST = "first"
    REMINDER = "reminder"
    EXPIRED = "expired"


def stage_of(last_valid: date, today: date) -> Stage | None:
    left = (last_valid - today).days
    if left < 0:
        return Stage.EXPIRED
    if left <= REMINDER_DAYS:
        return Stage.REMINDER
    if left <= FIRST_NOTICE_DAYS:
        return Stage.FIRST
    return None


@dataclass(frozen=True)
class Successor:
    """A renewal of a certificate in the operator's file: same CN and purpose, valid for
    longer (an API certificate of the CN lets no terminal in where a web one did)."""

    certificate: Certificate
    # Registered where the expiring one is: the whitelists let it through from its first
    # valid day (``admitted``) and it reaches every system the expiring one reaches.
    registered: bool
    # Not registered yet: the day it will be, as recorded at its acceptance (M+6, 000 §4-2);
    # None while the system operator's manual step waits for confirmation (001 p13).
    registered_on: date | None
    desks: str  # whom to ask about its registration (the providers' desks)
    # The whitelists let it through from its first valid day (``Admitted.certificate``).
    admitted: bool = True
    # The systems the expiring one reaches and it does not (``Operator.reached``), as the
    # catalog names them: a registration to apply for.
    uncovered: tuple[str, ...] = ()


@dataclass(frozen=True)
class CertificateDue:
    operator: str
    certificate: Certificate
    days_left: int  # negative once expired
    stage: Stage
    successor: Successor | None
    providers: tuple[str, ...] = ()  # whom it is registered with, in catalog order

    @property
    def renewed(self) -> bool:
        """Whether its renewal is registered wherever it is: nothing to order or apply for."""
        return self.successor is not None and self.successor.registered

    @property
    def takes_over(self) -> date | None:
        """The day a registered renewal is the certificate in use: the day after this one
        ends, or its own first valid day where that is later."""
        if self.successor is None or not self.successor.registered:
            return None
        return max(self.successor.certificate.not_before, self.certificate.not_after + _DAY)

    @property
    def gap(self) -> tuple[date, date] | None:
        """The days between this one's end and a registered renewal's first valid day,
        when neither lets the terminal in (first and last)."""
        on = self.takes_over
        ends = self.certificate.not_after
        return (ends + _DAY, on - _DAY) if on is not None and on > ends + _DAY else None

    @property
    def successor_late(self) -> bool:
        """Whether its successor is applied for with a registration day recorded after the
        day it expires: the window person should ask the desk now."""
        s = self.successor
        on = None if s is None else s.registered_on
        return on is not None and on > self.certificate.not_after

    @property
    def key(self) -> str:
        c = self.certificate
        return f"expiry/certificate/{self.operator}/{c.id}/{c.not_after}/{self.stage}"


@dataclass(frozen=True)
class IpDue:
    operator: str
    entry: IpAllowEntry
    days_left: int
    stage: Stage

    @property
    def key(self) -> str:
        e = self.entry
        return f"expiry/ip/{self.operator}/{e.cidr}/{e.expires_on}/{self.stage}"


def _successor(
    registry: Registry, op: Operator, cert: Certificate, today: date, admitted: Admitted
) -> Successor | None:
    """The renewal of ``cert``: a registered one first, then the one missing the fewest of
    its systems, then the one valid earliest."""
    later = [
        o
        for o in op.certificates
        if o.cn == cert.cn
        and o.purpose == cert.purpose
        and o.suspended_on is None
        and o.not_after > cert.not_after
    ]
    if not later:
        return None
    catalog = registry.catalog
    reached = op.reached(catalog, cert)
    # The recorded day folds in the start of its validity (``effective.registered``): one
    # the whitelists take from its first valid day on is admitted, however far that is.
    let_in = {o.serial for o in later if admitted.certificate(o.serial, max(today, o.not_before))}
    missing = {o.serial: reached - op.reached(catalog, o) for o in later}

    def ranked(o: Certificate) -> tuple[bool, int, date]:
        return (
            o.serial not in let_in or bool(missing[o.serial]),
            len(missing[o.serial]),
            o.not_before,
        )

    chosen = min(later, key=ranked)
    desks = catalog.providers_of(chosen.systems or op.systems)
    uncovered = tuple(s.named.japanese for s in catalog.systems if s.id in missing[chosen.serial])
    return Successor(
        chosen,
        chosen.serial in let_in and not uncovered,
        None if chosen.serial in let_in else admitted.certificate_on(chosen.serial),
        "、".join(p.desk for p in desks),
        chosen.serial in let_in,
        uncovered,
    )


def certificates_due(
    registry: Registry, today: date, admitted: Admitted = NOTHING_RECORDED
) -> Iterator[CertificateDue]:
    for entry in registry.iter_operators():
        op = entry.operator
        if op.status != "active":
            continue
        for cert in op.certificates:
            stage = stage_of(cert.not_after, today)
            if stage is None or cert.suspended_on is not None:
                continue  # a suspended certificate is out of the whitelist already
            left = (cert.not_after - today).days
            providers = registry.catalog.providers_of(cert.systems or op.systems)
            yield CertificateDue(
                op.code,
                cert,
                left,
                stage,
                _successor(registry, op, cert, today, admitted),
                tuple(p.id for p in providers),
            )


def ips_due(registry: Registry, today: date) -> Iterator[IpDue]:
    for entry in registry.iter_operators():
        op = entry.operator
        if op.status != "active":
            continue
        for allow in op.ip_allowlist:
            stage = stage_of(allow.expires_on, today)
            if stage is not None:
                yield IpDue(op.code, allow, (allow.expires_on - today).days, stage)


def _groups(items: Iterable[CertificateDue | IpDue]) -> dict[tuple[str, Stage], list[Item]]:
    groups: dict[tuple[str, Stage], list[Item]] = defaultdict(list)
    for item in items:
        if item.stage is Stage.EXPIRED and -item.days_left > EXPIRED_NOTICE_DAYS:
            continue
        groups[item.operator, item.stage].append(item)
    return dict(sorted(groups.items()))


def _ip_notices(items: Iterable[IpDue]) -> list[Digest]:
    return [
        Digest("ip-expiry", str(stage), "window", operator, tuple(found), context=_DAYS)
        for (operator, stage), found in _groups(items).items()
    ]


def _certificate_notices(registry: Registry, items: Iterable[CertificateDue]) -> list[Digest]:
    """Per operator and stage; the first to the RA officer as well (004), each with the
    renewal steps of the providers its certificates with no renewal are registered with (one
    registered or applied for is neither ordered nor applied for again)."""
    notices = []
    for (operator, stage), found in _groups(items).items():
        ids = {
            p
            for item in found
            if isinstance(item, CertificateDue) and item.successor is None
            for p in item.providers
        }
        renewal = [
            {"name_ja": p.name_ja, "desk": p.desk, "steps": list(p.certificate_renewal)}
            for p in registry.catalog.providers
            if p.id in ids
        ]
        # Each provider's own word on a certificate's validity: OCCTO's notice cites no
        # section of Tokyo Gas Network's manual.
        theirs = {p for item in found if isinstance(item, CertificateDue) for p in item.providers}
        validity = ", ".join(
            dict.fromkeys(
                src
                for p in registry.catalog.providers
                if p.id in theirs and (src := p.sources.get("certificate_validity"))
            )
        )
        audience: Audience = "window_ra" if stage is Stage.FIRST else "window"
        notices.append(
            Digest(
                "certificate-expiry",
                str(stage),
                audience,
                operator,
                tuple(found),
                context=(("renewal", renewal), ("validity", validity), *_DAYS),
            )
        )
    return notices


# The columns in the words of the forms the entries were registered with (000 §4-2
# クライアント証明書登録申請, 000 §2-8 海外IPアドレスの許可申請); codes, IDs and dates as written.
TABLE_HEADER = (
    OPERATOR_CODE,
    "種別",
    "証明書ID",
    "CN・IPアドレス",
    "有効期限",
    "残り日数",
    "段階",
    "設置場所",
    "管理者",
    "理由",
    "更新後の証明書ID",
    "更新後の証明書の登録",
)
# The values of 種別: what each form registers.
CERTIFICATE, IP = "クライアント証明書", "海外IPアドレス"
# The stages in the notices' words (【再通知】, 【期限切れ】): the values of the table's 段階.
STAGE_LABELS = {Stage.FIRST: "初回通知", Stage.REMINDER: "再通知", Stage.EXPIRED: "期限切れ"}
# The values of 更新後の証明書の登録, as the notice says them.
# One registered, applied for, or missing systems the expiring one reaches (``uncovered``).
REGISTERED, APPLIED_FOR, UNCOVERED = "登録済み", "登録申請中", "一部のシステムに未登録"


def _registration(successor: Successor | None) -> str:
    if successor is None:
        return ""
    if successor.uncovered:
        return UNCOVERED
    return REGISTERED if successor.registered else APPLIED_FOR


def expiry(registry: Registry, today: date, admitted: Admitted = NOTHING_RECORDED) -> DutyResult:
    """Every certificate and IP entry within 60 days of its end or past it, and the notices
    due; ``admitted``: when each certificate is let through, as apply recorded it."""
    certs = list(certificates_due(registry, today, admitted))
    ips = list(ips_due(registry, today))
    rows = [
        (
            d.operator,
            CERTIFICATE,
            d.certificate.id,
            d.certificate.cn,
            d.certificate.not_after.isoformat(),
            str(d.days_left),
            STAGE_LABELS[d.stage],
            d.certificate.location,
            d.certificate.holder,
            "",
            d.successor.certificate.id if d.successor else "",
            _registration(d.successor),
        )
        for d in certs
    ] + [
        (
            d.operator,
            IP,
            "",
            d.entry.cidr,
            d.entry.expires_on.isoformat(),
            str(d.days_left),
            STAGE_LABELS[d.stage],
            "",
            "",
            d.entry.reason,
            "",
            "",
        )
        for d in ips
    ]
    return DutyResult(
        notices=(*_certificate_notices(registry, certs), *_ip_notices(ips)),
        tables=(Table("expiry", TABLE_HEADER, tuple(rows)),),
    )


# -- as a duty (scheduled.duties) -------------------------------------------------------------

NEEDS_HISTORY = False
NEEDS_EXPORT = False
TITLE = msg("expiry of certificates and overseas addresses")
NEEDS_PULLS = False


def check(options: Options) -> None:
    """Nothing to check: the day is all it needs."""


def judge(inputs: Inputs) -> DutyResult:
    # The admissions the day's whitelists are written from (``run``: ``whitelist_files``).
    return expiry(inputs.registry, inputs.today, bundle.admitted(inputs.batches))
