"""Plans between two git revisions: load just enough of each snapshot, then diff.

A pull request is compared with the merge base of its base and head, so a branch opened on
an old base does not appear to undo what was merged since. Only the files a plan looks at
are read: the catalog, calendar and maintainers, the operator files, the changed files, and
all users of an operator whose own file changed (a termination lists every one of them).

Of the operators a change does not touch, the plan and the authorization need only their
window persons, the affiliations they declare and which of their files do not load: an
``OperatorIndex`` of each side, kept in the cache by the operators' tree id and the
catalog's blob id (which decides which files load). When both sides' indexes are there and
the catalog is not changed, only the touched operators' files are read; otherwise every
operator file is, and the indexes are made from them for next time.

A catalog change (a retired system) or a schema change can leave an existing operator's file
unloadable on the main branch. It is still the same operator, never a new one: who may act
for it, and what a change to it amounts to, come from the last revision along first parents
where its file loaded with that revision's catalog (``recover_operators``). Only the last
``MAX_VERSIONS`` versions of the file and the catalog are tried, two files each, so the
cost is bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from accessreg.errors import ConfigError
from accessreg.files.cachedload import load_cached
from accessreg.files.loading import LoadResult, load
from accessreg.files.parsecache import ParseCache, cache_dir, namespace
from accessreg.files.revocations import narrows_only, revoked
from accessreg.files.sources import MemorySource, Source
from accessreg.gitio.repo import BlobSource, GitRepository
from accessreg.model import layout
from accessreg.model.commits import PathChange
from accessreg.model.layout import CATALOG_FILE, REGISTRY_DIR, Kind
from accessreg.model.messages import msg
from accessreg.model.registry import OperatorEntry, OperatorIndex, Registry
from accessreg.plan.diff import compute_plan
from accessreg.plan.model import Plan, Revisions
from accessreg.plan.waits import Waits
from accessreg.timeline.effective import Dates, Events

MAX_VERSIONS = 20  # versions of an unloadable operator file and the catalog tried


def changed_registry_files(changes: Iterable[PathChange]) -> set[str]:
    """Registry-relative paths on either side of every change."""
    return {rel for c in changes for p in c.paths if (rel := layout.registry_rel(p)) is not None}


def is_operator_data(path: str) -> bool:
    rel = layout.registry_rel(path)
    return rel is not None and layout.classify(rel) in (Kind.OPERATOR, Kind.USER)


# Beyond this many paths to list one by one, listing the whole registry is cheaper.
_MAX_LISTED = 2000


def plan_paths(changed: set[str], operators: Collection[str] | None = None) -> list[str]:
    """What a plan lists (files and directories), given the changed files and, if not all,
    the operators whose files it reads; empty: all."""
    whole = sorted(
        {layout.users_dir(code) for rel in changed
         if (place := layout.split(rel))[0] is Kind.OPERATOR and (code := place[1])}
    )  # fmt: skip
    listed = (
        [layout.OPERATORS_DIR]
        if operators is None
        else [layout.operator_file(code) for code in sorted(operators)]
    )
    paths = [*listed, *layout.SINGLETONS, *sorted(changed), *whole]
    return paths if len(paths) <= _MAX_LISTED else []


def plan_selection(
    changed: set[str], operators: Collection[str] | None = None
) -> Callable[[str], bool]:
    """The registry files a plan reads, given the changed ones and, if not all, the
    operators whose files it reads."""
    whole_operators = {
        code
        for rel in changed
        if layout.classify(rel) is Kind.OPERATOR and (code := layout.operator_of(rel))
    }

    def select(rel: str) -> bool:
        kind = layout.classify(rel)
        if kind in (Kind.CATALOG, Kind.CALENDAR, Kind.MAINTAINERS):
            return True
        if kind is Kind.OPERATOR and (operators is None or layout.operator_of(rel) in operators):
            return True
        return rel in changed or (kind is Kind.USER and layout.operator_of(rel) in whole_operators)

    return select


def registry_of(
    loaded: LoadResult, source: Source, rev: str, fallback_catalog: bytes | None = None
) -> Registry:
    """The registry a loaded snapshot holds.

    When its catalog does not load, ``fallback_catalog`` (the base's) stands in, so that a
    change that breaks the catalog can still be planned and judged; the catalog is then
    reported as a file that does not load. Without a fallback that is an error.
    """
    if loaded.registry is not None:
        return loaded.registry
    if fallback_catalog is not None:
        files = {rel: source.read(rel) for rel in source.paths()}
        stand_in = load(MemorySource({**files, CATALOG_FILE: fallback_catalog}, source.label))
        if stand_in.registry is not None:
            return replace(stand_in.registry, broken=stand_in.registry.broken | {CATALOG_FILE})
    raise ConfigError(
        msg(
            "The catalog does not load at {rev}; run `accessreg validate` there to see why",
            rev=rev[:12],
        )
    )


def load_registry(
    repo: GitRepository, rev: str, select: Callable[[str], bool], under: Sequence[str] = ()
) -> Registry:
    """The registry at ``rev`` (the files ``select`` keeps, among ``under`` if given); its
    catalog must load. Parsed files come from the validation cache where it has them."""
    source = repo.blob_source(rev, REGISTRY_DIR, select, under)
    [loaded] = load_cached([source], cache_dir(repo.common_dir))
    return registry_of(loaded, source, rev)


@dataclass(frozen=True)
class Recovered:
    registry: Registry  # with the last loading version of each recovered operator in place
    # Code → the revision its version comes from; None when none of the versions tried
    # loads (only a maintainer may act for it then).
    since: Mapping[str, str | None]


def last_loaded(
    repo: GitRepository, rev: str, code: str, limit: int = MAX_VERSIONS
) -> tuple[str, OperatorEntry] | None:
    """The newest revision, from ``rev`` back along first parents, where the file of
    ``code`` loaded, with the operator it held then; None if none of the last ``limit``
    versions of the file and the catalog loads."""
    rel = layout.operator_file(code)
    under = [rel, CATALOG_FILE]
    for commit in repo.revisions_changing(rev, [layout.repo_path(p) for p in under], limit):
        files = repo.snapshot(commit, REGISTRY_DIR, under=under)
        if rel not in files.files:
            return None  # it did not exist then: it came back unloadable, nobody's to claim
        loaded = load(files).registry
        if loaded is not None and code in loaded.operators:
            return commit, loaded.operators[code]
    return None


def recover_operators(
    repo: GitRepository,
    rev: str,
    registry: Registry,
    changes: Iterable[PathChange],
    limit: int = MAX_VERSIONS,
) -> Recovered:
    """``registry`` (read at ``rev``) with every operator the changes touch whose file is
    there but does not load replaced by its last loading version; the file stays listed as
    broken."""
    touched = {code for rel in changed_registry_files(changes) if (code := layout.operator_of(rel))}
    since: dict[str, str | None] = {}
    operators = dict(registry.operators)
    for code in sorted(touched):
        if layout.operator_file(code) not in registry.broken:
            continue
        found = last_loaded(repo, rev, code, limit)
        since[code] = found[0] if found else None
        if found is not None:
            operators[code] = found[1]
    if not since:
        return Recovered(registry, since)
    return Recovered(replace(registry, operators=operators), since)


@dataclass(frozen=True)
class Release:
    """Files held back on ``main`` that the pull request's head no longer holds back
    (``provision.holding``), each at the content downstream holds of it: their changes are
    applied with the merge, as applications of their own. Both sides of the pull request's
    own change hold them at that content; their change is from there to the head."""

    before: Registry  # the merge base, the released files as downstream holds them
    held: Registry  # the head, the same


@dataclass(frozen=True)
class Comparison:
    """What a pull request changes: its paths and the registry on both sides."""

    revisions: Revisions
    changes: tuple[PathChange, ...]
    # At the merge base, unloadable operator files recovered. Either side may hold only the
    # operators the change touches: what is needed of the others is in its index.
    base: Registry
    head: Registry
    base_index: OperatorIndex  # every operator at the merge base, those recovered too
    head_index: OperatorIndex
    # Operators whose file does not load at the merge base: see ``Recovered.since``.
    recovered: Mapping[str, str | None] = field(default_factory=dict)
    release: Release | None = None
    # Changed files with errors at the head whose revocations ``head`` holds, laid over
    # their last version that loads (``files.revocations``): ``apply`` takes those at merge.
    revoking: frozenset[str] = frozenset()
    # Of those, the ones whose change does nothing else: the rest, which waits for a fix,
    # still counts as a file that does not load (no plan of theirs is *revoke only*).
    only_revoking: frozenset[str] = frozenset()

    @property
    def other_paths(self) -> list[str]:
        return sorted({p for c in self.changes for p in c.paths if not is_operator_data(p)})

    @property
    def unreadable(self) -> list[str]:
        changed = changed_registry_files(self.changes)
        broken = self.head.broken | self.head_index.broken | (self.base.broken & changed)
        return sorted(layout.repo_path(rel) for rel in broken - self.only_revoking)


INDEX_SPACE = "operator-index"  # the cache namespace of operator indexes
_KEPT_INDEXES = 32  # beyond this many, the cache keeps only those of the last run


def index_key(repo: GitRepository, rev: str) -> str | None:
    """What an operator index is computed from: the operators' tree and the catalog (which
    decides which operator files load)."""
    top = repo.tree_entries(rev, REGISTRY_DIR)
    operators, catalog = top.get(layout.OPERATORS_DIR), top.get(CATALOG_FILE)
    return f"{operators}:{catalog}" if operators and catalog else None


class OperatorIndexes:
    """The operator indexes of some revisions, as far as the cache holds them; those made
    meanwhile are kept there for next time."""

    def __init__(self, repo: GitRepository, revs: Iterable[str]) -> None:
        self._keys = {rev: index_key(repo, rev) for rev in revs}
        self._cache = ParseCache(cache_dir(repo.common_dir), namespace(INDEX_SPACE))
        wanted = {key for key in self._keys.values() if key}
        self._known: dict[str, OperatorIndex] = self._cache.get("trees", wanted, OperatorIndex)

    def __enter__(self) -> OperatorIndexes:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._cache.count("trees") > _KEPT_INDEXES:
            self._cache.prune("trees", {key for key in self._keys.values() if key})
        self._cache.close()

    def known(self, rev: str) -> bool:
        return self._keys[rev] in self._known

    def of(self, rev: str, registry: Registry) -> OperatorIndex:
        """The index of ``rev``, whose ``registry`` holds every operator unless the index is
        known; one made is kept unless the catalog did not load (another one stood in)."""
        key = self._keys[rev]
        if key is not None and key in self._known:
            return self._known[key]
        index = OperatorIndex.of(registry)
        if key is not None and CATALOG_FILE not in registry.broken:
            self._known[key] = index
            self._cache.put("trees", {key: index})
        return index


def touched_operators(changes: Iterable[PathChange]) -> set[str]:
    """The operators whose files the changes touch, on either side."""
    return {code for rel in changed_registry_files(changes) if (code := layout.operator_of(rel))}


def recovered_entries(recovered: Recovered) -> dict[str, OperatorEntry]:
    """The operators taken from the last revision where their file loaded."""
    since = recovered.since
    return {code: recovered.registry.operators[code] for code, rev in since.items() if rev}


def load_comparison(
    repo: GitRepository,
    base: str,
    head: str,
    released: Mapping[str, bytes | None] | None = None,
) -> Comparison:
    """``released``: files held back on ``main`` that the head releases, each with the
    content downstream holds of it (None: none): see :class:`Release`."""
    released = released or {}
    base_id, head_id = repo.resolve(base), repo.resolve(head)
    merge_base = repo.merge_base(base_id, head_id)
    changes = tuple(repo.changes(merge_base, head_id))
    changed = changed_registry_files(changes)
    read = changed | set(released)
    with OperatorIndexes(repo, [merge_base, head_id]) as indexes:
        # With both indexes known, only the operators the change touches are read. A
        # catalog change may stop any operator file from loading: then all are.
        touched = None
        if CATALOG_FILE not in changed and indexes.known(merge_base) and indexes.known(head_id):
            touched = touched_operators(changes) | {
                code for rel in released if (code := layout.operator_of(rel))
            }
        select, under = plan_selection(read, touched), plan_paths(read, touched)
        base_files = repo.blob_source(merge_base, REGISTRY_DIR, select, under)
        head_files = repo.blob_source(head_id, REGISTRY_DIR, select, under)
        sources = [base_files, head_files]
        if released:
            sources += [base_files.pinned(released), head_files.pinned(released)]
        # The sides share most files: each blob is parsed once, or taken from the cache.
        loaded = load_cached(sources, cache_dir(repo.common_dir))
        base_registry = registry_of(loaded[0], base_files, merge_base)
        before = recover_operators(repo, merge_base, base_registry, changes)
        fallback = base_files.read(CATALOG_FILE) if CATALOG_FILE in base_files.blobs else None
        head_registry = registry_of(loaded[1], head_files, head_id, fallback_catalog=fallback)
        base_index = indexes.of(merge_base, base_registry)
        head_index = indexes.of(head_id, head_registry)
        erring = head_registry.broken & (changed - set(released))
        taken, only = _revocations(repo, erring, before, base_files, head_files)
        if taken:  # the index stays the head's own: it is kept by the head's tree
            view = head_files.pinned(taken)
            loaded_view = load_cached([view], cache_dir(repo.common_dir))[0]
            head_registry = registry_of(loaded_view, view, head_id, fallback_catalog=fallback)
    release = None
    if released:
        pinned_base = registry_of(loaded[2], sources[2], merge_base)
        pinned_base = recover_operators(repo, merge_base, pinned_base, changes).registry
        pinned_head = registry_of(loaded[3], sources[3], head_id, fallback_catalog=fallback)
        release = Release(pinned_base, pinned_head)
    return Comparison(
        Revisions(base_id, head_id, merge_base),
        changes,
        before.registry,
        head_registry,
        base_index.with_operators(recovered_entries(before)),
        head_index,
        before.since,
        release,
        frozenset(taken),
        only,
    )


def _revocations(
    repo: GitRepository,
    changed: Collection[str],
    before: Recovered,
    base_files: BlobSource,
    head_files: BlobSource,
) -> tuple[dict[str, bytes], frozenset[str]]:
    """Of the ``changed`` files that do not load at the head, the operators' and users' that
    revoke part of their last version that loads (the base's, or the recovered one's) →
    that version with the revocations laid over it, as ``apply`` takes them
    (``provision.holding``); and those of them that change nothing else."""
    found: dict[str, bytes] = {}
    only: set[str] = set()
    for rel in sorted(changed):
        if rel not in head_files.blobs or layout.classify(rel) not in (Kind.OPERATOR, Kind.USER):
            continue
        kept = _last_loaded(repo, rel, before, base_files)
        if kept is None:
            continue
        now = head_files.read(rel)
        if (taken := revoked(rel, kept, now)) is not None:
            found[rel] = taken
            # What the change does, from the base's version, errors and all.
            was = base_files.read(rel) if rel in base_files.blobs else None
            if was is not None and narrows_only(rel, was, now):
                only.add(rel)
    return found, frozenset(only)


def _last_loaded(
    repo: GitRepository, rel: str, before: Recovered, base_files: BlobSource
) -> bytes | None:
    """``rel``'s last version that loads: the base's, or the recovered operator's."""
    if rel in before.registry.broken:
        code = layout.operator_of(rel)
        commit = before.since.get(code or "") if layout.classify(rel) is Kind.OPERATOR else None
        if commit is None:
            return None
        return repo.snapshot(commit, REGISTRY_DIR, under=[rel]).files.get(rel)
    return base_files.read(rel) if rel in base_files.blobs else None


def plan_from(
    comparison: Comparison,
    events: Events,
    today: date,
    waits: Waits | None = None,
) -> Plan:
    """The plan of a loaded change. Dates follow the calendar and catalog of its base and
    the pull request's ``events``; ``today`` stands in for those not known yet;
    ``waits``: what applied before is still to come (``compute_plan``). The files it
    releases are a change of their own, from what downstream holds of them to the head,
    dated as the merge (``provision.merges.released_step``)."""
    release = comparison.release
    sides = (release.before, release.held) if release else (comparison.base, comparison.head)
    plan = compute_plan(
        *sides,
        Dates.of(comparison.base, events.known(today)),
        other_paths=comparison.other_paths,
        unreadable=comparison.unreadable,
        revisions=comparison.revisions,
        revoking=[layout.repo_path(rel) for rel in comparison.revoking],
        waits=waits,
    )
    if release is None:
        return plan
    head = comparison.head
    released = compute_plan(release.held, head, Dates.of(head, events.known(today)), waits=waits)
    return replace(plan, released=released.operators)


def plan_revisions(repo: GitRepository, base: str, head: str, events: Events, today: date) -> Plan:
    """The plan of going from the merge base of ``base`` and ``head`` to ``head``."""
    return plan_from(load_comparison(repo, base, head), events, today)
