"""Periodic review of every user and permission (棚卸, 000 §5-6).

Window persons review their operator's users from CSVs of the current settings (one per
system, in the columns of the full snapshot of the import files) and record
the review as ``last_inventory`` in the operator's file (a pull request like any other).
An operator is due once ``months`` (default 6) have passed since its last review, or since
its file was added when it has never recorded one: its window persons get the CSV with a
reminder, once per overdue review, and the reviewers get the list of overdue operators.
``--operator X`` asks one operator for a review on demand, due or not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from accessreg import layout
from accessreg.access import Access, holders
from accessreg.errors import UsageError
from accessreg.outputs import csv_
from accessreg.periods import months_later
from accessreg.registry import Registry
from accessreg.scheduled.notices import Document, Notice
from accessreg.scheduled.outcome import Outcome, Table

DEFAULT_MONTHS = 6


@dataclass(frozen=True)
class InventoryDue:
    operator: str
    name: str
    last_inventory: date | None
    due_on: date
    users: int

    @property
    def key(self) -> str:
        return f"inventory/{self.operator}/{self.last_inventory or 'never'}/overdue"


@dataclass(frozen=True)
class InventoryRequest:
    operator: str
    name: str
    last_inventory: date | None
    users: int
    requested_on: date

    @property
    def key(self) -> str:
        return f"inventory/{self.operator}/request/{self.requested_on}"


def due_on(
    registry: Registry, code: str, months: int, added: Mapping[str, date], today: date
) -> date:
    """The day a review falls due: ``months`` after the last one, or after the file was added."""
    op = registry.operators[code].operator
    start = op.last_inventory or added.get(layout.operator_file(code), today)
    return months_later(start, months)


def operator_csvs(registry: Registry, access: Access, code: str) -> tuple[Document, ...]:
    """``inventory/<CODE>/<system>.csv`` for every system where the operator has holders.

    Derived systems are included: the permission-management system's file lists the window
    persons, who may hold nothing else.
    """
    found = []
    for system in registry.catalog.systems:
        name = f"inventory/{code}/{system.id}.csv"
        people = [p for p in holders(access, system.id) if p.operator == code]
        if not people:
            continue
        data = csv_.snapshot(name, people, system.id, registry.catalog, csv_.Encoding.UTF8)
        found.append(Document(name, data))
    return tuple(found)


TABLE_HEADER = ("operator_code", "operator_name", "last_inventory", "due_on", "users")


def inventory(
    registry: Registry,
    today: date,
    snapshot: Callable[[str], tuple[Document, ...]],
    added: Mapping[str, date],
    months: int = DEFAULT_MONTHS,
    operator: str | None = None,
) -> Outcome:
    """The review CSVs (``snapshot`` renders one operator's, e.g. with ``operator_csvs``) and
    the reminders due.

    ``added`` maps operator files (relative to the registry) to the day they were added.
    """
    active = [e.operator for e in registry.iter_operators() if e.operator.status == "active"]
    if operator is not None:
        active = [op for op in active if op.code == operator]
        if not active:
            raise UsageError(f"{operator} is not an active operator of the registry")
    files = {op.code: snapshot(op.code) for op in active}
    notices: list[Notice] = []
    overdue: list[InventoryDue] = []
    for op in active:
        count = len(registry.users_of(op.code))
        if operator is not None:
            request = InventoryRequest(op.code, op.name, op.last_inventory, count, today)
            attach = files[op.code]
            notices.append(
                Notice("inventory-request", "request", "window", op.code, (request,), attach)
            )
            continue
        due = due_on(registry, op.code, months, added, today)
        if today >= due:
            item = InventoryDue(op.code, op.name, op.last_inventory, due, count)
            overdue.append(item)
            attach = files[op.code]
            notices.append(
                Notice("inventory-reminder", "reminder", "window", op.code, (item,), attach)
            )
    if overdue:
        notices.append(Notice("inventory-overdue", "overdue", "reviewers", None, tuple(overdue)))
    rows = tuple(
        (
            d.operator,
            d.name,
            d.last_inventory.isoformat() if d.last_inventory else "",
            d.due_on.isoformat(),
            str(d.users),
        )
        for d in overdue
    )
    return Outcome(
        notices=tuple(notices),
        tables=(Table("inventory-overdue", TABLE_HEADER, rows),) if operator is None else (),
        files=tuple(doc for docs in files.values() for doc in docs),
    )
