"""Progress of every accepted application per system, in the seed's terms (000 §5-1 ⑦).

済 when the downstream system has imported the batch holding the application, 未済 while it
has not, （不要） when the application needs nothing from that system; 処理完了 once every
system it needs is 済, else 処理中.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accessreg.model import Catalog
from accessreg.provision.notices import NOT_NEEDED, REGISTRATION_ROW, progress
from accessreg.provision.state import ApplicationRecord, BatchRecord, State


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
        *(_HEADINGS.get(s, s.upper()) for s in shown),
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
                    r.application.processing_day.isoformat(),
                    r.batch.id,
                    r.overall,
                    *(by_system.get(s, NOT_NEEDED) for s in shown),
                    "・".join(r.application.kinds),
                ]
            )
        )
    return "\n".join(lines) + "\n"
