"""Progress of every accepted application per system, in the seed's terms (000 §5-1 ⑦),
and what is suspended.

済 when the downstream system has imported the batch holding the application, 未済 while it
has not, （不要） when the application needs nothing from that system; 処理完了 once every
system it needs is 済, else 処理中. Suspensions (001 p46, 002 §2.6, §3.4.4) are not
applications to complete but a state that lasts until it is lifted: they are listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accessreg.model import Catalog
from accessreg.model.registry import Registry
from accessreg.provision.notices import NOT_NEEDED, REGISTRATION_ROW, progress
from accessreg.provision.state import ApplicationRecord, BatchRecord, State
from accessreg.timeline.effective import SuspensionDays


@dataclass(frozen=True)
class Progress:
    batch: BatchRecord
    application: ApplicationRecord
    overall: str  # 処理中 / 処理完了
    systems: list[tuple[str, str]]  # (system id, 済 / 未済 / （不要）) in catalog order


def progress_of(
    state: State, catalog: Catalog, today: date, operator: str | None = None
) -> list[Progress]:
    found = []
    for batch, app in state.applications():
        if operator is not None and app.operator != operator:
            continue
        overall, rows = progress(batch, app, catalog, today)
        found.append(Progress(batch, app, overall, [(r["id"], r["status"]) for r in rows]))
    return found


def columns(rows: list[Progress], catalog: Catalog) -> list[str]:
    """The systems any listed application needs (others would only show （不要）)."""
    needed = {s for r in rows for s, status in r.systems if status != NOT_NEEDED}
    shown = [s.id for s in catalog.systems if s.id in needed]
    return [*shown, REGISTRATION_ROW] if REGISTRATION_ROW in needed else shown


_HEADINGS = {REGISTRATION_ROW: "証明書・IP"}


def table(rows: list[Progress], catalog: Catalog) -> str:
    """A plain-text table: one line per application."""
    shown = columns(rows, catalog)
    header = [
        "申請番号",
        "受付日",
        "M",
        "バッチ",
        "進捗",
        *(_HEADINGS.get(s) or catalog.by_id[s].name_ja for s in shown),
        "申請種別",
    ]
    lines = ["\t".join(header)]
    for r in rows:
        by_system = dict(r.systems)
        lines.append(
            "\t".join(
                [
                    r.application.id,
                    r.application.accepted_on.isoformat(),
                    _day(r.application.processing_day),
                    r.batch.id,
                    r.overall,
                    *(by_system.get(s, NOT_NEEDED) for s in shown),
                    "・".join(r.application.kinds),
                ]
            )
        )
    return "\n".join(lines) + "\n"


def _day(day: date | None) -> str:
    """A day as the table shows it; none (an application in no batch has no M): blank."""
    return day.isoformat() if day is not None else ""


@dataclass(frozen=True)
class Suspended:
    operator: str
    what: str  # 証明書 / 利用者ID / システムの利用
    target: str  # the certificate ID and serial, the login ID, or the named system
    since: str


NONE_RECORDED = SuspensionDays()  # a registry alone: each suspension from its file's day


def suspensions(
    registry: Registry, operator: str | None = None, days: SuspensionDays = NONE_RECORDED
) -> list[Suspended]:
    """Every suspension in force at HEAD: certificates, user IDs, operators' use of systems,
    each from the day it took effect, as its application recorded it (``days``)."""
    found: list[Suspended] = []
    for entry in registry.iter_operators():
        op = entry.operator
        if operator is not None and op.code != operator:
            continue
        for s in op.suspensions:
            system = registry.catalog.named(s.system).japanese  # as the forms name it
            since = days.since("operator", op.code, s.system, s.suspended_on)
            found.append(Suspended(op.code, "システムの利用", system, since.isoformat()))
        for c in op.certificates:
            if c.suspended_on is not None:
                target = f"{c.id}（シリアル {c.serial}）"
                since = days.since("certificate", c.id, None, c.suspended_on)
                found.append(Suspended(op.code, "証明書", target, since.isoformat()))
        for u in sorted(registry.users_of(op.code), key=lambda u: u.user.email.lower()):
            user = u.user
            if user.suspended_on is not None:
                since = days.since("user", user.email.lower(), None, user.suspended_on)
                found.append(Suspended(op.code, "利用者ID", user.email, since.isoformat()))
    return found


def suspension_table(found: list[Suspended]) -> str:
    """After a blank line: one line per suspension, tab-separated; nothing when none."""
    if not found:
        return ""
    lines = ["", "\t".join(["利用停止中", "事業者コード", "対象", "停止日"])]
    lines += ["\t".join([s.what, s.operator, s.target, s.since]) for s in found]
    return "\n".join(lines) + "\n"
