"""The merges since the last applied revision, each turned into its own applications.

Several merges may come before one apply, and an apply may have failed: the range is always
from the last applied revision to HEAD. Each first-parent commit in it that changed the
registry is one merged pull request; its plan (``accessreg.plan``) says what each operator
applied for, accepted on the day it was merged (or ``--accepted-on``). The combined change
of the whole range is what downstream systems must do; each of its rows takes its dates from
the last merge that touched it.

Files held back (``provision.holding``) are *pinned*: every registry of the range holds
them as downstream systems have them, so no merge applies or notifies anything of them.
Files held back before and released now join at the end, one step per operator, from what
downstream holds to HEAD's content, attributed to the last merge that changed them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from accessreg.errors import ConfigError
from accessreg.files.loading import load
from accessreg.files.sources import MemorySource
from accessreg.gitio.repo import GitRepository
from accessreg.model import layout
from accessreg.model.changes import ChangeKind
from accessreg.model.commits import CommitInfo
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


def _loaded(source: MemorySource, sha: str) -> Registry:
    result = load(source)
    if result.registry is None:
        raise ConfigError(f"the registry at {sha[:12]} cannot be read (its catalog does not load)")
    return result.registry


class Snapshots:
    """Registries at revisions, each loaded once. With ``pins`` (path → content, None:
    absent), every registry holds those files as pinned: what downstream systems hold of the
    files held back."""

    def __init__(self, repo: GitRepository, pins: Mapping[str, bytes | None] | None = None) -> None:
        self.repo = repo
        self.pins = dict(pins or {})
        self._cache: dict[str, Registry] = {}

    def keep(self, sha: str, registry: Registry) -> None:
        """Use ``registry`` as the one at commit ``sha`` (already loaded elsewhere, so
        without pins: kept only when nothing is pinned)."""
        if not self.pins:
            self._cache[sha] = registry

    def source(self, rev: str, unpinned: Collection[str] = ()) -> MemorySource:
        """The files at ``rev``, the pinned ones as pinned unless ``unpinned``."""
        snapshot = self.repo.snapshot(rev, PREFIX)
        files = snapshot.files
        for rel, content in self.pins.items():
            if rel in unpinned:
                continue
            if content is None:
                files.pop(rel, None)
            else:
                files[rel] = content
        return snapshot

    def contents(self, rev: str, rels: Collection[str]) -> dict[str, bytes | None]:
        """What ``rels`` hold at ``rev`` (None: absent there)."""
        wanted = frozenset(rels)
        files = self.repo.snapshot(rev, PREFIX, select=wanted.__contains__).files
        return {rel: files.get(rel) for rel in wanted}

    def at(self, rev: str) -> Registry:
        sha = self.repo.resolve(rev)
        if sha not in self._cache:
            self._cache[sha] = _loaded(self.source(sha), sha)
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
    released: tuple[str, ...] = ()  # files held back before that this step releases

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


def pinned_content(repo: GitRepository, revs: Mapping[str, str | None]) -> dict[str, bytes | None]:
    """Each file's content at the revision given (None: no revision, or absent there)."""
    by_rev: dict[str, list[str]] = defaultdict(list)
    for rel, rev in revs.items():
        if rev is not None:
            by_rev[rev].append(rel)
    content: dict[str, bytes | None] = dict.fromkeys(revs)
    plain = Snapshots(repo)
    for rev, rels in by_rev.items():
        content.update(plain.contents(rev, rels))
    return content


def pinned_snapshots(repo: GitRepository, revs: Mapping[str, str | None]) -> Snapshots:
    """Snapshots pinning each file to its content at the revision given (None: absent)."""
    return Snapshots(repo, pinned_content(repo, revs))


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
    previous: Registry | None = None
    for commit in repo.first_parent_history(base, head):
        if not _registry_changed(repo, commit):
            continue
        try:
            after = snapshots.at(commit.sha)
        except ConfigError:
            # A merge whose catalog does not load (fixed by a later one) is no step: what
            # it changed counts with the next merge that can be read.
            continue
        if previous is None:
            previous = snapshots.at(commit.parent) if commit.parent else empty_like(after)
        yield step_between(commit, previous, after, _accepted(commit, accepted_on))
        previous = after


def step(snapshots: Snapshots, commit: CommitInfo, accepted_on: date) -> Step:
    """One merge, from its first parent to itself, accepted on ``accepted_on``."""
    after = snapshots.at(commit.sha)
    before = snapshots.at(commit.parent) if commit.parent else empty_like(after)
    return step_between(commit, before, after, accepted_on)


def step_between(
    commit: CommitInfo,
    before: Registry,
    after: Registry,
    accepted_on: date,
    released: Collection[str] = (),
) -> Step:
    schedule = Schedule.of(after, accepted_on)
    plan = compute_plan(before, after, schedule)
    changes = diff(effective_access(before), effective_access(after), after.catalog)
    return Step(
        commit, before, after, schedule, plan.operators, tuple(changes), tuple(sorted(released))
    )


def released_step(
    snapshots: Snapshots,
    at: str,
    before: Registry,
    rels: Collection[str],
    accepted_on: date,
    also: Collection[str] = (),
    commit: CommitInfo | None = None,
) -> Step:
    """Files held back before and released now (``rels``, pinned in ``before``, which has
    ``also`` released already): from what downstream holds of them to their content at
    ``at``, attributed to ``commit``, by default the last merge on the first-parent line that
    changed one of them."""
    after = _loaded(snapshots.source(at, unpinned={*rels, *also}), at)
    if commit is None:
        repo = snapshots.repo
        last = repo.revisions_changing(at, [layout.repo_path(r) for r in sorted(rels)], 1)
        commit = repo.commit(last[0] if last else at)
    return step_between(commit, before, after, accepted_on, rels)


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
    snapshots: Snapshots,
    base: str | None,
    head: str,
    accepted_on: date | None,
    today: date,
    released: Collection[str] = (),
) -> History:
    """Everything between the applied revision ``base`` (None: nothing yet) and ``head``;
    the ``released`` files (pinned) join at the end, accepted as of ``head``'s merge."""
    repo = snapshots.repo
    head_sha = repo.resolve(head)
    base_sha = repo.resolve(base) if base is not None else None
    after = snapshots.at(head_sha)
    before = snapshots.at(base_sha) if base_sha is not None else empty_like(after)
    steps = list(_steps(repo, snapshots, base_sha, head_sha, accepted_on))
    by_operator: dict[str, list[str]] = defaultdict(list)
    for rel in sorted(released):
        by_operator[layout.operator_of(rel) or ""].append(rel)
    now = _accepted(repo.commit(head_sha), accepted_on)
    done: list[str] = []
    for rels in by_operator.values():
        steps.append(released_step(snapshots, head_sha, after, rels, now, done))
        after = steps[-1].after
        done += rels
    before_access, after_access = effective_access(before), effective_access(after)
    fallback = Schedule.of(after, accepted_on or today)
    rows = _rows(before_access, after_access, after, tuple(steps), fallback)
    return History(
        base_sha, head_sha, before, after, tuple(steps), rows, before_access, after_access
    )
