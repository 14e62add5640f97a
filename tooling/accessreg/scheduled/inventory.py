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

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial

from accessreg.errors import UsageError
from accessreg.files.loading import mistyped_code
from accessreg.model import layout
from accessreg.model.messages import msg
from accessreg.model.registry import Registry
from accessreg.outputs import csv_
from accessreg.outputs.access import Access, Holder, effective_access, holders
from accessreg.scheduled.duty import DutyResult, Inputs, Options, Table
from accessreg.scheduled.keyed_notices import Digest, Document
from accessreg.timeline.periods import months_later

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


def _logins(registry: Registry, code: str) -> set[str]:
    op = registry.operators[code].operator
    return {u.user.email.lower() for u in registry.users_of(code)} | {
        c.email.lower() for c in op.contacts
    }


def shared_logins(registry: Registry) -> dict[str, list[str]]:
    """Login ID → the operators that hold it (as a user or a window person), for the IDs
    more than one operator holds: the clashes validation reports, few or none."""
    first: dict[str, str] = {}
    shared: dict[str, list[str]] = {}
    for code in registry.operators:
        for login in _logins(registry, code):
            if first.setdefault(login, code) != code:
                shared.setdefault(login, [first[login]]).append(code)
    return shared


def access_of(
    registry: Registry, codes: Collection[str], shared: Mapping[str, list[str]] | None = None
) -> Access:
    """What :func:`effective_access` gives the operators ``codes``, from them alone and the
    operators sharing a login ID with them (``shared``, from :func:`shared_logins`, if
    given): an ID belongs to the first active operator that gives it a permission, so those
    are all that can decide whose an ID of ``codes`` is. The holders of the other operators
    it returns are not to be used."""
    wanted = set(codes)
    ids = set().union(*(_logins(registry, code) for code in wanted))
    if shared is not None:
        keep = wanted.union(*(shared.get(login, ()) for login in ids))
    else:
        keep = {
            code
            for code in registry.operators
            if code in wanted or not ids.isdisjoint(_logins(registry, code))
        }
    return effective_access(
        Registry(
            registry.catalog,
            {code: registry.operators[code] for code in keep},
            tuple(u for code in sorted(keep) for u in registry.users_of(code)),
            registry.maintainers,
            registry.calendar,
        )
    )


class OperatorCsvs:
    """Renders ``inventory/<CODE>/<system>.csv`` for every system where an operator has holders.

    Derived systems are included: the permission-management system's file lists the window
    persons, who may hold nothing else. Given the whole registry's ``access``, it is split by
    operator once. Without it, an operator's holders are worked out when its first CSV is
    asked for, from its users and those of the operators sharing an ID with it, and let go
    once its CSVs are rendered: a day reads the users of the operators whose reminder is
    mailed, not those of every operator due (most were reminded already), and a day without
    any reads none. ``scope`` is the operators that may be asked for: when there are several,
    the index of shared IDs is made once rather than the registry searched for each.
    """

    def __init__(
        self, registry: Registry, access: Access | None = None, scope: Collection[str] = ()
    ) -> None:
        self.registry = registry
        self.scope = sorted(set(scope))
        self.by_operator: dict[str, dict[str, Holder]] | None = None  # None: worked out
        if access is not None:
            self.by_operator = {}
            for login, person in access.items():
                self.by_operator.setdefault(person.operator, {})[login] = person
        self._done: dict[str, tuple[Document, ...]] = {}
        self._shared: dict[str, list[str]] | None = None

    def __call__(self, code: str) -> tuple[Document, ...]:
        if code in self._done:
            return self._done[code]
        if self.by_operator is not None:
            self._done[code] = self._render(code, self.by_operator.get(code, {}))
            return self._done[code]
        found = access_of(self.registry, [code], self._sharing())
        mine = {login: person for login, person in found.items() if person.operator == code}
        self._done[code] = self._render(code, mine)
        return self._done[code]

    def _sharing(self) -> dict[str, list[str]] | None:
        """The index of shared IDs, once more than one operator may be asked for."""
        if self._shared is None and len(self.scope) > 1:
            self._shared = shared_logins(self.registry)
        return self._shared

    def _render(self, code: str, mine: dict[str, Holder]) -> tuple[Document, ...]:
        found = []
        for system in self.registry.catalog.systems:
            people = holders(mine, system.id)
            if not people:
                continue
            name = f"inventory/{code}/{system.id}.csv"
            data = csv_.snapshot(name, people, system.id, self.registry.catalog, csv_.Encoding.UTF8)
            found.append(Document(name, data, charset="utf-8"))
        return tuple(found)


# The reviewers' list of overdue operators, in the words of its mail.
TABLE_HEADER = (csv_.OPERATOR_CODE, csv_.OPERATOR_NAME, "前回の棚卸日", "棚卸の期限", "利用者数")


def inventory(
    registry: Registry,
    today: date,
    snapshot: Callable[[str], tuple[Document, ...]],
    added: Mapping[str, date],
    months: int = DEFAULT_MONTHS,
    operator: str | None = None,
    all_csvs: bool = True,
) -> DutyResult:
    """The reminders due, with the review CSVs (``snapshot`` renders one operator's, e.g.
    ``OperatorCsvs``) attached; ``all_csvs`` also lists every operator's CSVs as files (the
    daily run leaves that out: the CSVs travel with the mails that are due).

    ``added`` maps operator files (relative to the registry) to the day they were added.
    """
    active = [e.operator for e in registry.iter_operators() if e.operator.status == "active"]
    if operator is None:  # only what a provider's terms ask: OCCTO's systems have no 棚卸
        active = [op for op in active if registry.catalog.citation("inventory", op.systems)]
    if operator is not None:
        active = [op for op in active if op.code == operator]
        if not active:
            raise UsageError(
                mistyped_code(operator, None)
                or msg("{operator} is not an active operator of the registry", operator=operator)
            )
    notices: list[Digest] = []
    overdue: list[InventoryDue] = []
    for op in active:
        count = len(registry.users_of(op.code))
        if operator is not None:
            request = InventoryRequest(op.code, op.name, op.last_inventory, count, today)
            attach = partial(snapshot, op.code)
            notices.append(
                Digest("inventory-request", "request", "window", op.code, (request,), attach)
            )
            continue
        due = due_on(registry, op.code, months, added, today)
        if today >= due:
            item = InventoryDue(op.code, op.name, op.last_inventory, due, count)
            if today > due:  # on its due date a review is due, not yet overdue
                overdue.append(item)
            attach = partial(snapshot, op.code)
            notices.append(
                Digest("inventory-reminder", "reminder", "window", op.code, (item,), attach)
            )
    if overdue:
        notices.append(Digest("inventory-overdue", "overdue", "reviewers", None, tuple(overdue)))
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
    return DutyResult(
        notices=tuple(notices),
        tables=(Table("inventory-overdue", TABLE_HEADER, rows),) if operator is None else (),
        files=tuple(doc for op in active for doc in snapshot(op.code)) if all_csvs else (),
    )


# -- as a duty (scheduled.duties) -------------------------------------------------------------

NEEDS_HISTORY = True  # an operator that never recorded a review counts from its file's addition
NEEDS_EXPORT = False
TITLE = msg("periodic review of permissions")
NEEDS_PULLS = False


def check(options: Options) -> None:
    if options.months < 1:
        raise UsageError(msg("The inventory period must be at least one month"))


def judge(inputs: Inputs) -> DutyResult:
    registry, options = inputs.registry, inputs.options
    if options.operator is not None:  # its CSVs alone: nobody else's access is worked out
        csvs = OperatorCsvs(registry, scope=[options.operator])
    elif options.all_csvs:
        csvs = OperatorCsvs(registry, effective_access(registry))
    else:  # only the reminders' CSVs, of the operators due
        due = [
            code
            for code, entry in registry.operators.items()
            if entry.operator.status == "active"
            and inputs.today >= due_on(registry, code, options.months, inputs.added, inputs.today)
        ]
        csvs = OperatorCsvs(registry, scope=due)
    return inventory(
        registry,
        inputs.today,
        csvs,
        inputs.added,
        options.months,
        options.operator,
        options.all_csvs,
    )
