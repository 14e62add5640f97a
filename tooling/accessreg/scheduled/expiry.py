"""Certificates and allowlisted IPs that fall due (000 §4-1, 004, 000 §2-8).

A certificate is valid through its ``not_after`` day and an IP entry through its
``expires_on`` day (as the whitelist outputs and the validator count them). Stages, from the
number of days left: at most 60 → first notice (the issuer's own notice comes about 60 days
ahead, to the operator's 企業内RA担当者: the first notice goes to them too when the operator
names one, 004), at most 14 → reminder, below 0 → expired (the entry has left the
whitelist). The renewal steps a notice lists are those of the providers the certificates are
registered with (the catalog's ``certificate_renewal``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from accessreg.model import Certificate, IpAllowEntry
from accessreg.model.messages import msg
from accessreg.model.registry import Registry
from accessreg.outputs.csv_ import OPERATOR_CODE
from accessreg.scheduled.duty import DutyResult, Inputs, Options, Table
from accessreg.scheduled.keyed_notices import Audience, Digest, Item

FIRST_NOTICE_DAYS = 60
REMINDER_DAYS = 14
# The expired notice is due in the days after expiry; older expired entries are left to the
# validator's warning, so that a first run does not mail about certificates gone for years.
EXPIRED_NOTICE_DAYS = 30


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
class CertificateDue:
    operator: str
    certificate: Certificate
    days_left: int  # negative once expired
    stage: Stage
    successor: Certificate | None  # a registered renewal: same CN, valid for longer
    providers: tuple[str, ...] = ()  # whom it is registered with, in catalog order

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


def _successor(cert: Certificate, others: Iterable[Certificate]) -> Certificate | None:
    later = [
        o
        for o in others
        if o.cn == cert.cn and o.suspended_on is None and o.not_after > cert.not_after
    ]
    return min(later, key=lambda o: o.not_before) if later else None


def certificates_due(registry: Registry, today: date) -> Iterator[CertificateDue]:
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
                _successor(cert, op.certificates),
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
    renewal steps of the providers its certificates are registered with."""
    notices = []
    for (operator, stage), found in _groups(items).items():
        ids = {p for item in found if isinstance(item, CertificateDue) for p in item.providers}
        renewal = [
            {"name_ja": p.name_ja, "desk": p.desk, "steps": list(p.certificate_renewal)}
            for p in registry.catalog.providers
            if p.id in ids
        ]
        audience: Audience = "window_ra" if stage is Stage.FIRST else "window"
        notices.append(
            Digest(
                "certificate-expiry",
                str(stage),
                audience,
                operator,
                tuple(found),
                context=(("renewal", renewal), *_DAYS),
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
)
# The values of 種別: what each form registers.
CERTIFICATE, IP = "クライアント証明書", "海外IPアドレス"
# The stages in the notices' words (【再通知】, 【期限切れ】): the values of the table's 段階.
STAGE_LABELS = {Stage.FIRST: "初回通知", Stage.REMINDER: "再通知", Stage.EXPIRED: "期限切れ"}


def expiry(registry: Registry, today: date) -> DutyResult:
    """Every certificate and IP entry within 60 days of its end or past it, and the notices due."""
    certs = list(certificates_due(registry, today))
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
            d.successor.id if d.successor else "",
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
    return expiry(inputs.registry, inputs.today)
