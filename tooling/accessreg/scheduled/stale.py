"""Long-unused IDs (000 §5-6, §5-7): days since the last login, the stage, digests and drift.

The authentication system counts from the last login, or from the day the ID was issued for
an ID never used, and acts each morning: 120 days → warning 1, 150 → warning 2, 180 → locked,
210 → deleted. The registry mirrors that count so that window persons learn of every stage
change of their users in one digest per stage, and so that the deletion application the seed
still requires of them (5-7 留意事項) is prepared for them.

"Issued" is the day the ID was registered in the authentication system (000 §5-7 ※1), as
apply recorded it: the earliest date recorded at acceptance for the user's permissions of
the provider's systems (M+6 for TAXIS/JOHS, 000 §5-1), never the merge day; for an ID a
first apply loaded (and no later application added again), the day of the load, on which
everything it loaded took effect (``BatchRecord.loaded_on``). An ID accepted before dates
were recorded counts from the day its addition took effect, counted as the catalog's timing
counts it from the day its file was last added to the registry's history (a file not
committed yet counts from today). Only users holding a permission in a
system of the export's provider are judged. A judged user the export does not list counts
on from the day remembered for it when it was last seen locked (the authentication system
has deleted it since); otherwise it is reported as absent (not imported yet).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal, NamedTuple

from accessreg.errors import UsageError
from accessreg.escape import quote
from accessreg.model.changes import ChangeKind
from accessreg.model.messages import msg
from accessreg.model.registry import Registry, UserEntry
from accessreg.outputs.csv_ import LOGIN_ID, OPERATOR_CODE
from accessreg.provision.state import BatchRecord
from accessreg.scheduled import deletions
from accessreg.scheduled.duty import DutyResult, Inputs, Options, Table
from accessreg.scheduled.idstages import (
    DAYS,
    DELETE_DAYS,
    LOCK_DAYS,
    SCHEDULE,
    STAGE_LABELS,
    stage_of,
)
from accessreg.scheduled.keyed_notices import Digest, Item
from accessreg.scheduled.lastlogins import LastLogins
from accessreg.timeline.effective import Dates, Events

DEFAULT_PROVIDER = "tokyo_gas_network"

Basis = Literal["login", "issued", "remembered", "absent"]
KEPT_STAGES = ("locked", "deleted")  # whose count is remembered once the export drops the ID


def _context(stage: str) -> tuple[tuple[str, object], ...]:
    """A digest's words for its stage (``警告1：120日``) and the schedule it is a step of."""
    return (("label", f"{STAGE_LABELS[stage]}：{DAYS[stage]}日"), ("schedule", SCHEDULE))


class UserAge(NamedTuple):  # one per judged user, 135,000 at 200,000 users: made as tuples are
    """One judged user: where the count starts and the stage it has reached."""

    operator: str
    file: str  # relative to the registry directory
    login_id: str
    last_login: date | None
    since: date | None  # None when the export does not list the ID
    basis: Basis
    days: int | None
    stage: str | None
    systems: tuple[str, ...]  # the user's systems of the export's provider
    kept_systems: tuple[str, ...]  # systems of other providers, untouched by a deletion

    @property
    def key(self) -> str:
        return f"stale/{self.operator}/{self.login_id.lower()}/{self.since}/{self.stage}"

    @property
    def lock_on(self) -> date | None:
        return self.since + timedelta(days=LOCK_DAYS) if self.since else None

    @property
    def delete_on(self) -> date | None:
        return self.since + timedelta(days=DELETE_DAYS) if self.since else None

    @property
    def login_by(self) -> date | None:
        """The last day a login keeps the ID from being locked (the seed's ※3)."""
        return self.lock_on - timedelta(days=1) if self.lock_on else None

    @property
    def unlock_by(self) -> date | None:
        """The last day to have a locked ID unlocked before it is deleted."""
        return self.delete_on - timedelta(days=1) if self.delete_on else None


@dataclass(frozen=True, slots=True)
class Drift:
    """An ID of the export that the registry does not know (compared ignoring case)."""

    provider: str
    login_id: str
    last_login: date | None
    line: int

    @property
    def key(self) -> str:
        return f"drift/{self.provider}/{self.login_id.lower()}"


@dataclass(frozen=True)
class StaleResult:
    users: tuple[UserAge, ...]
    drift: tuple[Drift, ...]
    outcome: DutyResult

    def remember(self) -> dict[str, date]:
        """Login → the day counted from, for IDs locked or deleted: kept for the next run."""
        return {
            u.login_id.lower(): u.since for u in self.users if u.stage in KEPT_STAGES and u.since
        }

    def deleted(self) -> dict[str, list[UserAge]]:
        by_operator: dict[str, list[UserAge]] = defaultdict(list)
        for u in self.users:
            if u.stage == "deleted":
                by_operator[u.operator].append(u)
        return dict(by_operator)


def provider_systems(registry: Registry, provider: str) -> frozenset[str]:
    return frozenset(s.id for s in registry.catalog.systems if s.provider == provider)


def _judged(registry: Registry, systems: frozenset[str]) -> Iterator[UserEntry]:
    for entry in registry.iter_operators():
        if entry.operator.status != "active":
            continue
        for user in registry.users_of(entry.operator.code):
            if not systems.isdisjoint(user.user.permissions):
                yield user


def estimated_issue(registry: Registry, systems: tuple[str, ...], added: date) -> date:
    """The day an ID added on ``added`` (and accepted then) was issued, for an ID accepted
    before dates were recorded: the earliest of its systems' dates of use (000 §5-1: M+6 for
    TAXIS/JOHS); ``added`` itself when none has a date."""
    dates = Dates.of(registry, Events(added, added, added).known(added))
    days = [d for s in systems if (d := dates.permission(s, ChangeKind.ADD).on) is not None]
    return min(days, default=added)


def _window_ids(registry: Registry, systems: frozenset[str]) -> Iterator[str]:
    """The window persons' IDs (lower case) of the operators using the provider's systems."""
    for entry in registry.iter_operators():
        if systems.intersection(entry.operator.systems):
            yield from (c.email.lower() for c in entry.operator.contacts)


# The seed's words for the count (000 §5-7: 最終ログイン日から起算), the forms' for the rest.
TABLE_HEADER = (
    OPERATOR_CODE,
    LOGIN_ID,
    "最終ログイン日",
    "起算日",
    "起算日の根拠",
    "経過日数",
    "段階",
)
DRIFT_HEADER = (LOGIN_ID, "最終ログイン日", "一覧の行番号")  # the line of the export
# The values of 起算日の根拠: the export's last login, the day the ID was issued, the day
# remembered when it was last seen locked, or none (the export does not list it).
BASIS_LABELS: dict[Basis, str] = {
    "login": "最終ログイン日",
    "issued": "発行日",
    "remembered": "ロック時の記録",
    "absent": "一覧になし",
}


def recorded_issues(batches: Iterable[BatchRecord], systems: frozenset[str]) -> dict[str, date]:
    """Login ID → the day it was issued: the earliest day at which one of its permissions
    in ``systems`` was held downstream (``BatchRecord.held_from``: the day announced, or the
    system's confirmed import when later, as the completion notice said), in the last
    application that set one."""
    found: dict[str, date] = {}
    for batch in batches:
        for record in batch.applications:
            starts: dict[str, date] = {}
            for item in record.items:
                if item.subject != "user" or item.action != "add" or item.system not in systems:
                    continue
                on = batch.held_from(item)
                if on is not None and (item.key not in starts or on < starts[item.key]):
                    starts[item.key] = on
            found.update(starts)
    return found


def stale(
    registry: Registry,
    export: LastLogins,
    added: Mapping[str, date],
    today: date,
    provider: str = DEFAULT_PROVIDER,
    remembered: Mapping[str, date] | None = None,
    issued: Iterable[BatchRecord] = (),
    loaded: Mapping[str, date] | None = None,
) -> StaleResult:
    """Judge every user of ``provider``'s systems against the export; ``added`` maps user files
    (relative to the registry) to the day they were added to the history, ``remembered``
    login IDs (lower case) seen locked before to the day their count started; ``issued``
    are the batches whose applications and imports say when each ID was issued, and
    ``loaded`` the user files a first apply loaded to its day (``state.loaded_users``)."""
    systems = provider_systems(registry, provider)
    counted = remembered or {}
    loaded_on = loaded or {}
    days_of = recorded_issues(issued, systems)
    # The same systems added on the same day give the same issue day: counted once.
    estimate = functools.cache(functools.partial(estimated_issue, registry))
    by_id = export.by_id
    # Per user only what is its own: its systems split, a day's text and a count's stage
    # are worked out once for all the users that share them.
    split: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}
    shown: dict[date | None, str] = {None: ""}
    stages: dict[int, str | None] = {}
    users: list[UserAge] = []
    rows: list[tuple[str, ...]] = []
    known: set[str] = set()
    groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for entry in _judged(registry, systems):
        user = entry.user
        permissions = tuple(user.permissions)
        if (held_kept := split.get(permissions)) is None:
            held_kept = split[permissions] = (
                tuple(sorted(s for s in permissions if s in systems)),
                tuple(sorted(s for s in permissions if s not in systems)),
            )
        held, kept_systems = held_kept
        login = user.email.lower()
        known.add(login)
        row = by_id.get(login)
        code, file = entry.operator_code, entry.file
        if row is None and login not in counted:
            age = UserAge(code, file, user.email, None, None, "absent", None, None, *held_kept)
            users.append(age)
            rows.append((code, user.email, "", "", BASIS_LABELS["absent"], "", ""))
            continue
        basis: Basis
        last = row.last_login if row else None
        if row is None:
            since, basis = counted[login], "remembered"
        elif last is not None:
            since, basis = last, "login"
        else:
            recorded = days_of.get(login) or loaded_on.get(file)
            added_on = added.get(file)
            if recorded is not None:
                since = recorded
            else:
                since = estimate(held, added_on) if added_on else today
            basis = "issued"
        days = (today - since).days
        if days not in stages:
            stages[days] = stage_of(days)
        stage = stages[days]
        age = UserAge(code, file, user.email, last, since, basis, days, stage, held, kept_systems)
        users.append(age)
        for day in (last, since):
            if day is not None and day not in shown:
                shown[day] = day.isoformat()
        rows.append(
            (
                code,
                user.email,
                shown[last],
                shown[since],
                BASIS_LABELS[basis],
                str(days),
                STAGE_LABELS[stage] if stage else "",
            )
        )
        if stage is not None:
            groups[code, stage].append(age)
    known.update(_window_ids(registry, systems))
    # Sorted once told apart: the drift, not the whole export.
    unknown = sorted((key, row) for key, row in by_id.items() if key not in known)
    drift = tuple(Drift(provider, row.login_id, row.last_login, row.line) for _, row in unknown)
    notices = [
        Digest("stale-ids", stage, "window", operator, tuple(found), context=_context(stage))
        for (operator, stage), found in sorted(groups.items())
    ]
    if drift:
        notices.append(Digest("stale-drift", "unknown", "reviewers", None, drift))
    drift_rows = tuple(
        (d.login_id, d.last_login.isoformat() if d.last_login else "", str(d.line)) for d in drift
    )
    outcome = DutyResult(
        notices=tuple(notices),
        tables=(
            Table("stale", TABLE_HEADER, tuple(rows)),
            Table("stale-drift", DRIFT_HEADER, drift_rows),
        ),
        problems=export.problems,
    )
    return StaleResult(tuple(users), drift, outcome)


# -- as a duty (scheduled.duties) -------------------------------------------------------------

NEEDS_HISTORY = True  # an ID never used before dates were recorded: from its file's addition
NEEDS_EXPORT = True
TITLE = msg("long-unused IDs")
NEEDS_PULLS = False


def check(options: Options) -> None:
    """Nothing to check before the registry is read (the provider is checked against it)."""


def judge(inputs: Inputs) -> DutyResult:
    """The stages, the digests, and per operator the deletion application on its branch."""
    registry, provider = inputs.registry, inputs.options.provider
    providers = sorted({s.provider for s in registry.catalog.systems})
    if provider not in providers:
        raise UsageError(
            msg(
                "Unknown provider {provider} (known: {value})",
                provider=quote(provider),
                value=", ".join(providers),
            )
        )
    assert inputs.export is not None, "NEEDS_EXPORT: the run reads it"
    judged = stale(
        registry,
        inputs.export,
        inputs.added,
        inputs.today,
        provider,
        inputs.remembered,
        inputs.batches,
        inputs.loaded,
    )
    return replace(
        judged.outcome,
        applications=tuple(deletions.applications(judged, registry, inputs.read)),
        branch_prefix=deletions.BRANCH_PREFIX,
        remember=judged.remember(),
    )
