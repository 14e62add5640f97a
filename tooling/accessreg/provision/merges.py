"""The merges since the last applied revision, each turned into its own applications.

Several merges may come before one apply, and an apply may have failed: the range is always
from the last applied revision to HEAD. Each first-parent commit in it that changed the
registry is one merged pull request; its plan (``accessreg.plan``) says what each operator
applied for, accepted on the day it was merged (or ``--accepted-on``). The combined change
of the whole range is what downstream systems must do; each of its rows takes its dates from
the last merge that touched it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from accessreg.errors import ConfigError
from accessreg.files.loading import load
from accessreg.gitio.repo import GitRepository
from accessreg.model import layout
from accessreg.model.changes import ChangeKind
from accessreg.model.commits import CommitInfo
from accessreg.model.messages import msg
from accessreg.model.registry import Registry
from accessreg.outputs.access import Access, AccessChange, diff, effective_access
from accessreg.outputs.csv_ import DatedChange
from accessreg.plan import OperatorPlan, compute_plan
from accessreg.timeline.business_days import Effective, Schedule
from accessreg.timeline.clock import JST

PREFIX = layout.REGISTRY_DIR


class Timings:
    """The catalog's date for each kind of change of each system under one schedule,
    counted once (a batch has as many rows as users, but few systems and kinds)."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self._known: dict[tuple[str, ChangeKind], Effective] = {}

    def of(self, system: str, kind: ChangeKind) -> Effective:
        key = (system, kind)
        if key not in self._known:
            self._known[key] = self.schedule.for_system(system, kind)
        return self._known[key]


def empty_like(registry: Registry) -> Registry:
    """Nothing applied yet: the same catalog and calendar, no operator, no user."""
    return Registry(catalog=registry.catalog, operators={}, users=(), calendar=registry.calendar)


class Snapshots:
    """Registries at revisions, each loaded once."""

    def __init__(self, repo: GitRepository) -> None:
        self.repo = repo
        self._cache: dict[str, Registry] = {}

    def keep(self, sha: str, registry: Registry) -> None:
        """Use ``registry`` as the one at commit ``sha`` (already loaded elsewhere)."""
        self._cache[sha] = registry

    def at(self, rev: str) -> Registry:
        sha = self.repo.resolve(rev)
        if sha not in self._cache:
            result = load(self.repo.snapshot(sha, PREFIX))
            if result.registry is None:
                raise ConfigError(
                    msg(
                        "The registry at {sha} cannot be read (its catalog does not load)",
                        sha=sha[:12],
                    )
                )
            self._cache[sha] = result.registry
        return self._cache[sha]


@dataclass(frozen=True)
class Step:
    """One merge: the registry before and after it, when it was accepted, what it changed."""

    commit: CommitInfo
    before: Registry
    after: Registry
    schedule: Schedule
    operators: tuple[OperatorPlan, ...]
    changes: tuple[AccessChange, ...]

    @property
    def accepted_on(self) -> date:
        return self.schedule.accepted_on

    def operator_codes(self) -> list[str]:
        return sorted({op.code for op in self.operators} | set(self._changes_by_operator))

    def changes_of(self, operator: str) -> list[AccessChange]:
        return self._changes_by_operator.get(operator, [])

    def plan_of(self, operator: str) -> OperatorPlan | None:
        return self._plans.get(operator)

    @cached_property
    def _changes_by_operator(self) -> dict[str, list[AccessChange]]:
        found: dict[str, list[AccessChange]] = {}
        for c in self.changes:
            for code in {p.operator for p in (c.before, c.after) if p is not None}:
                found.setdefault(code, []).append(c)
        return found

    @cached_property
    def _plans(self) -> dict[str, OperatorPlan]:
        return {op.code: op for op in self.operators}

    def effective(self, change: AccessChange) -> Effective:
        """When ``change`` takes effect: the plan's date for that person and system (the
        application decides: dropping one system in a change application is a change), else
        the catalog's timing for the kind of row (derived systems, catalog changes)."""
        found = self._plan_dates.get((change.system, change.person.login))
        if found is not None:
            return found
        return self._timings.of(change.system, change.kind)

    @cached_property
    def _timings(self) -> Timings:
        return Timings(self.schedule)

    @cached_property
    def _plan_dates(self) -> dict[tuple[str, str], Effective]:
        dates: dict[tuple[str, str], Effective] = {}
        for op in self.operators:
            for item in op.items:
                person = getattr(item, "person", None)
                if person is None:
                    continue
                for effect in item.effects:
                    dates[(effect.system, person.email.lower())] = effect.effective
        return dates


@dataclass(frozen=True)
class History:
    base: str | None
    head: str
    before: Registry  # at base (empty before the first apply)
    after: Registry  # at head
    steps: tuple[Step, ...]
    rows: tuple[DatedChange, ...]  # the combined change, each row dated by its last merge
    before_access: Access = field(repr=False)
    after_access: Access = field(repr=False)

    def systems(self) -> list[str]:
        """Systems whose downstream data the range changes, in catalog order."""
        touched = {c.system for s in self.steps for c in s.changes} | {
            r.change.system for r in self.rows
        }
        return [s.id for s in self.after.catalog.systems if s.id in touched]


def _accepted(commit: CommitInfo, accepted_on: date | None) -> date:
    return accepted_on or commit.committed_at.astimezone(JST).date()


def _registry_changed(repo: GitRepository, commit: CommitInfo) -> bool:
    if commit.parent is None:
        return bool(repo.tree_blobs(commit.sha, PREFIX))
    return any(
        layout.registry_rel(p) is not None
        for change in repo.changes(commit.parent, commit.sha)
        for p in change.paths
    )


def _steps(
    repo: GitRepository,
    snapshots: Snapshots,
    base: str | None,
    head: str,
    accepted_on: date | None,
) -> Iterator[Step]:
    if base is not None and not repo.is_ancestor(base, head):
        # History was rewritten: the merges since the common ancestor. The combined change
        # (base to head) is still what downstream systems get.
        base = repo.merge_base(base, head)
    for commit in repo.first_parent_history(base, head):
        if _registry_changed(repo, commit):
            yield step(snapshots, commit, _accepted(commit, accepted_on))


def step(snapshots: Snapshots, commit: CommitInfo, accepted_on: date) -> Step:
    """One merge, from its first parent to itself, accepted on ``accepted_on``."""
    after = snapshots.at(commit.sha)
    before = snapshots.at(commit.parent) if commit.parent else empty_like(after)
    schedule = Schedule.of(after, accepted_on)
    plan = compute_plan(before, after, schedule)
    changes = diff(effective_access(before), effective_access(after), after.catalog)
    return Step(commit, before, after, schedule, plan.operators, tuple(changes))


def _rows(
    before: Access, after: Access, registry: Registry, steps: tuple[Step, ...], fallback: Schedule
) -> tuple[DatedChange, ...]:
    last: dict[tuple[str, str], tuple[Step, AccessChange]] = {}
    for step in steps:
        for change in step.changes:
            last[(change.system, change.person.login)] = (step, change)
    rows = []
    timings = Timings(fallback)
    for change in diff(before, after, registry.catalog):
        found = last.get((change.system, change.person.login))
        if found is None:  # not from a merge on the first-parent line: date it as of now
            effective = timings.of(change.system, change.kind)
            rows.append(DatedChange(change, fallback.processing_day, effective.on))
        else:
            step, own = found
            rows.append(DatedChange(change, step.schedule.processing_day, step.effective(own).on))
    return tuple(rows)


def history(
    snapshots: Snapshots, base: str | None, head: str, accepted_on: date | None, today: date
) -> History:
    """Everything between the applied revision ``base`` (None: nothing yet) and ``head``."""
    repo = snapshots.repo
    head_sha = repo.resolve(head)
    base_sha = repo.resolve(base) if base is not None else None
    after = snapshots.at(head_sha)
    before = snapshots.at(base_sha) if base_sha is not None else empty_like(after)
    steps = tuple(_steps(repo, snapshots, base_sha, head_sha, accepted_on))
    before_access, after_access = effective_access(before), effective_access(after)
    fallback = Schedule.of(after, accepted_on or today)
    rows = _rows(before_access, after_access, after, steps, fallback)
    return History(base_sha, head_sha, before, after, steps, rows, before_access, after_access)
