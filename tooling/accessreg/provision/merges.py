"""The merges since the last applied revision, each turned into its own applications.

Several merges may come before one apply, and an apply may have failed: the range is always
from the last applied revision to HEAD. Each first-parent commit in it that changed the
registry is one merged pull request; its plan (``accessreg.plan``) says what each operator
applied for, dated from that pull request's events (``timeline.effective``; where unknown,
the day it was merged stands in). The combined change of the whole range is what downstream
systems must do; each of its rows takes its dates from the last merge that touched it.

Files held back (``provision.holding``) are *pinned*: every registry of the range holds
them as downstream systems have them, so no merge applies or notifies anything of them.
Files held back before and released now join at the end, one step per operator, from what
downstream holds to HEAD's content, attributed to the last merge that changed them and
dated by HEAD's events (the run that releases them is their acceptance).
"""

from __future__ import annotations

import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, partial
from pathlib import Path

from accessreg.errors import ConfigError
from accessreg.files.cachedload import Parsings, Shared, load_cached, load_snapshot
from accessreg.files.loading import LoadResult, Models, load
from accessreg.files.revocations import revoked
from accessreg.files.sources import MemorySource
from accessreg.gitio.repo import BlobSource, GitRepository
from accessreg.model import layout
from accessreg.model.changes import ChangeKind
from accessreg.model.commits import CommitInfo
from accessreg.model.messages import msg
from accessreg.model.registry import OperatorEntry, Registry, UserEntry, in_path_order
from accessreg.outputs.access import (
    Access,
    AccessChange,
    Holder,
    diff,
    effective_access,
    form_row,
)
from accessreg.outputs.csv_ import DatedChange
from accessreg.plan import OperatorPlan, compute_plan
from accessreg.plan.issued import issued_codes
from accessreg.plan.model import (
    CertificateChange,
    Direction,
    Effect,
    Item,
    OperatorChange,
    SubcontractorChange,
    UserChange,
    WindowPersonChange,
)
from accessreg.plan.waits import (
    Removal,
    Stop,
    Waits,
    comes,
    not_before,
    removals,
    stop,
    waited,
)
from accessreg.provision.state import ApplicationRecord, Coming, ItemDates
from accessreg.timeline.clock import JST
from accessreg.timeline.effective import AT_ONCE_KINDS, Dates, Effective, Events, Known

PREFIX = layout.REGISTRY_DIR


def empty_like(registry: Registry) -> Registry:
    """Nothing applied yet: the same catalog and calendar, no operator, no user."""
    return Registry(catalog=registry.catalog, operators={}, users=(), calendar=registry.calendar)


@dataclass(frozen=True)
class MergedPullRequest:
    """What the merge workflow knows of the pull request a merge commit merged."""

    events: Events
    number: int | None = None
    title: str = ""

    @property
    def label(self) -> str:
        """How mails name the application: ``#12 <title>``; empty when unknown."""
        number = f"#{self.number}" if self.number is not None else ""
        return " ".join(p for p in (number, self.title) if p)


def _loaded(source: MemorySource, sha: str) -> Registry:
    return readable(load(source), sha)


def readable(result: LoadResult, sha: str) -> Registry:
    """The registry of ``result``; ConfigError when its catalog does not load."""
    if result.registry is None:
        raise ConfigError(
            msg("The registry at {sha} cannot be read (its catalog does not load)", sha=sha[:12])
        )
    return result.registry


class Snapshots:
    """Registries at revisions, each loaded once. With ``pins`` (path → content, None:
    absent), every registry holds those files as pinned: what downstream systems hold of the
    files held back. With a ``scope`` (operator codes), a registry holds every operator file
    but the users of those operators only: a run that changes a few operators reads a few
    directories of users, and files come from the parse cache in ``cache`` where it has
    them, or from ``shared``: what validating the head already parsed and built."""

    def __init__(
        self,
        repo: GitRepository,
        pins: Mapping[str, bytes | None] | None = None,
        scope: Collection[str] | None = None,
        cache: Path | None = None,
        shared: Shared | None = None,
    ) -> None:
        self.repo = repo
        self.pins = dict(pins or {})
        self.scope = frozenset(scope) if scope is not None else None
        self.cache = cache
        self._cache: dict[str, Registry] = {}
        shared = shared or Shared()
        self._known: Parsings = shared.parsed
        self._models: Models = shared.models
        # A registry at a commit, each scope read there taken from it (``_as_validated``):
        # the one validation loaded, or one ``read_whole`` read back from the cache.
        self._validated = shared.head
        # (id, operators) → the registry (kept, so that the id stays its own) and its access
        self._access: dict[tuple[int, frozenset[str] | None], tuple[Registry, Access]] = {}
        self._like: tuple[Registry, Access] | None = None  # ``prefer``
        # The registry read before (``keep``, or the last one loaded for the scope) and its
        # commit: the next one is made from it (``_patched``).
        self._near: tuple[str, Registry] | None = None
        # The registry given at the head (``keep``) and its files' blob ids: its entries
        # serve the files of the same content read at other commits (``_as_at_head``).
        self._head: tuple[str, Registry] | None = None
        self._head_blobs: dict[str, str] = {}
        # Its entries by file, those that loaded without error.
        self._head_users: dict[str, UserEntry] = {}
        self._head_operators: dict[str, tuple[str, OperatorEntry]] = {}

    def narrowed(
        self, scope: Collection[str] | None, pins: Mapping[str, bytes | None] | None = None
    ) -> Snapshots:
        """The same repository and cache for the operators of ``scope`` alone (None: all),
        with other ``pins`` if given; parsed files and models are shared with this one."""
        found = Snapshots(self.repo, self.pins if pins is None else pins, scope, self.cache)
        found._known, found._models, found._validated = self._known, self._models, self._validated
        return found

    def access(self, registry: Registry, only: frozenset[str] | None = None) -> Access:
        """The effective access ``registry`` grants, of the scope's operators (of ``only``
        among them, if given), computed once per registry (a range compares each one with
        its neighbours)."""
        if only is not None and self.scope is not None and self.scope <= only:
            only = None  # the whole scope: computed once, whichever way it is asked
        key = (id(registry), only)
        known = self._access.get(key)
        if known is None or known[0] is not registry:
            # Registries loaded here share the models of the files they share: the holders
            # of another one's unchanged users are taken from its access (the head's, for
            # a first apply's history: ``prefer``).
            like = self._like or next(reversed(self._access.values()), None)
            found = effective_access(registry, self.scope if only is None else only, like)
            known = self._access[key] = (registry, found)
        return known[1]

    def read_through(self) -> None:
        """A first apply's history has read every merge: let go what it read them from
        (the last registry read, whole; the head's blob ids and entries), 80 MB at 200,000
        users. A later read of a commit loads it whole."""
        self._near = None
        self._head_blobs, self._head_users, self._head_operators = {}, {}, {}

    def prefer(self, registry: Registry) -> None:
        """Take the holders of every registry read after from ``registry``'s access where
        they are the same: a first apply's history reads every user at the merge that
        added them, whose holder is, but for a later change, the head's (made again, each
        was a second holder of every user, 66 MB at 200,000 users)."""
        self._like = (registry, self.access(registry))

    def read_whole(self, rev: str, operators: Collection[str]) -> None:
        """Before scopes covering ``operators`` are read at ``rev``: when they are most of
        its operators, the registry there is read whole, once, and each scope taken from it
        (``_as_validated``), rather than their users parsed scope by scope (the
        confirmation of a first apply's batch rebuilt every operator's application 250 at a
        time, parsing all 200,000 users, 40 % of its CPU). Made from the registry that
        validation loaded at another commit (the head, in a run owing a batch's notices),
        the files that differ laid over it and every other entry shared; else read back
        from the one the cache keeps (``load_snapshot``), a fifth of parsing them. Without a
        cache, nothing: the scopes parse their own; nor with the catalog pinned, which
        ``_as_validated`` does not lay over."""
        if self.cache is None or layout.CATALOG_FILE in self.pins:
            return
        sha = self.repo.resolve(rev)
        if self._validated is not None and self._validated[0] == sha:
            return
        present = self.repo.tree_entries(sha, f"{PREFIX}/{layout.USERS_DIR}")
        if len(present.keys() & set(operators)) * 2 <= len(present):
            return
        if self._validated is not None and self._whole(*self._validated):
            # Read back from the cache, a second registry stood beside it; from an empty
            # cache (a new version's first run), every user parsed again: 1.2 GiB at
            # 200,000 users in a run owing a first batch's completion notices.
            found = self._moved(*self._validated, sha, lambda rel: True, ())
            if found is not None:
                self._validated = (sha, found)
                return
        # Not kept in its turn: the cache keeps the head's, which ``status`` and ``daily`` read.
        loaded = load_snapshot(self.repo.blob_source(sha, PREFIX), self.cache, keep=False)
        if loaded.registry is not None:
            self._validated = (sha, loaded.registry)

    def _whole(self, sha: str, registry: Registry) -> bool:
        """Whether ``registry``, read at ``sha``, holds every file there (validation's holds
        only the users of the operators it checked, in a run the cache served)."""
        return self.repo.tree_blobs(sha, PREFIX).keys() <= registry.files

    def let_go(self, sha: str) -> None:
        """Hold the registry read at commit ``sha`` no longer (read again if asked for),
        nor its access."""
        found = self._cache.pop(sha, None)
        if found is not None:
            self._access = {k: v for k, v in self._access.items() if v[0] is not found}

    def keep(self, sha: str, registry: Registry) -> None:
        """Use ``registry`` as the one at commit ``sha`` (already loaded elsewhere, so
        without pins: kept only when nothing is pinned and every user is wanted)."""
        self._head = (sha, registry)
        if not self.pins and self.scope is None:
            self._cache[sha] = registry
            self._near = (sha, registry)

    def _as_at_head(self, part: BlobSource, rels: Collection[str]) -> frozenset[str]:
        """Of the operator and user files ``rels`` of ``part``, those whose content is the
        one a file of that name has in the registry ``keep`` was given, and loaded there
        without error: their entries there are theirs (the same catalog loading the same
        content gives the same). A first apply's history loads every file again, at the
        merge that added it: a second set of every model, 450 MB at 200,000 users."""
        if self._head is None:
            return frozenset()
        if not self._head_blobs:
            sha, registry = self._head
            self._head_blobs = self.repo.tree_blobs(sha, PREFIX)
            fine = registry.files - registry.broken
            self._head_users = {u.file: u for u in registry.users if u.file in fine}
            self._head_operators = {
                e.file: (code, e) for code, e in registry.operators.items() if e.file in fine
            }
        blobs = self._head_blobs
        if part.blobs.get(layout.CATALOG_FILE) != blobs.get(layout.CATALOG_FILE):
            return frozenset()
        return frozenset(
            rel
            for rel in rels
            if (rel in self._head_users or rel in self._head_operators)
            and part.blobs.get(rel) == blobs.get(rel)
        )

    def as_held(
        self,
        rev: str,
        held: Mapping[str, str | None],
        revoked: Mapping[str, Sequence[str]] | None = None,
    ) -> Registry | None:
        """The registry at ``rev`` as downstream held it, where its files ``held`` back
        then (``BatchRecord.pins``) are not pinned here: each as it was at the revision it
        maps to (None: downstream had none), with the revocations ``revoked`` took from it
        then (``BatchRecord.revoked``). None when this one's ``at`` gives that."""
        chains = revoked or {}
        then = {
            rel: on
            for rel, on in held.items()
            if (on != rev or chains.get(rel)) and rel not in self.pins and self._covers(rel)
        }
        if not then:
            return None
        content = pinned_content(self.repo, then, chains)
        return self.narrowed(self.scope, {**content, **self.pins}).at(rev)

    def _under(self, rev: str) -> list[str] | None:
        """The entries of the registry to list at ``rev``: None for all of it."""
        if self.scope is None:
            return None
        shared = [n for n in self.repo.tree_entries(rev, PREFIX) if n != layout.USERS_DIR]
        return shared + [layout.users_dir(code) for code in sorted(self.scope)]

    def source(self, rev: str, unpinned: Collection[str] = ()) -> MemorySource:
        """The files at ``rev``, the pinned ones as pinned unless ``unpinned``."""
        under = self._under(rev)
        if under == []:
            return MemorySource({}, label=PREFIX).pinned(self.pins, keep=unpinned)
        snapshot = self.repo.snapshot(rev, PREFIX, under=under or ())
        return snapshot.pinned(self.pins, keep=unpinned)

    def contents(self, rev: str, rels: Collection[str]) -> dict[str, bytes | None]:
        """What ``rels`` hold at ``rev`` (None: absent there)."""
        wanted = frozenset(rels)
        # Those paths listed, not the whole tree: a file held back is read on every run.
        files = self.repo.snapshot(rev, PREFIX, wanted.__contains__, sorted(wanted)).files
        return {rel: files.get(rel) for rel in wanted}

    def at(self, rev: str) -> Registry:
        sha = self.repo.resolve(rev)
        if sha not in self._cache:
            under = self._under(sha)
            if self.cache is None or not under:
                found = self._patched(sha)
                if found is None:
                    # Read whole: the next is made from it (a first apply's history, whose
                    # head has files held back, loaded every merge's registry whole).
                    found = _loaded(self.source(sha), sha)
                    self._near = (sha, found)
                self._cache[sha] = found
            else:
                self._cache[sha] = (
                    self._patched(sha)
                    or self._as_validated(sha, under)
                    or self._scoped(sha, under, self.cache)
                )
        return self._cache[sha]

    def _as_validated(self, sha: str, under: list[str]) -> Registry | None:
        """The registry validation loaded at ``sha`` (or ``read_whole`` read there), without
        the users beyond the scope (validation checked more operators, or all of them; a
        registry read whole holds every operator's): what a load would give, once
        its files with errors are loaded as they are (validation keeps what it salvaged of
        those, a load does not), the pinned ones are laid over it, and the scope's files it
        did not check are added (the operator of a file held back is read on every run, its
        group checked only when it changes). None: none at that commit, or a pinned catalog."""
        if self._validated is None or layout.CATALOG_FILE in self.pins:
            return None
        at, registry = self._validated
        if at != sha:
            return None
        listed = self.repo.tree_blobs(sha, PREFIX, under)
        if not registry.files <= listed.keys():  # at the same commit: users beyond the scope
            registry = _within(registry, listed.keys())
        pins = {rel: data for rel, data in self.pins.items() if self._covers(rel)}
        unread = {rel: blob for rel, blob in listed.items() if rel not in registry.files}
        if registry.broken or pins or unread:
            again = sorted(registry.broken - pins.keys())
            blobs = self.repo.tree_blobs(sha, PREFIX, [layout.CATALOG_FILE, *again])
            blobs.update(unread)
            part = BlobSource(self.repo, blobs, PREFIX).pinned(pins)
            stale = registry.broken | pins.keys() | unread.keys()
            files = (registry.files | unread.keys()).difference(pins)
            files = files.union(r for r, d in pins.items() if d)
            registry = self._laid_over(sha, registry, stale, part, files)
        self._near = (sha, registry)
        return registry

    def _scoped(self, sha: str, under: list[str], cache: Path) -> Registry:
        """The scope's files at ``sha``, listed and loaded through the parse cache."""
        tree = self.repo.blob_source(sha, PREFIX, under=under).pinned(self.pins)
        [found] = load_cached([tree], cache, self._known, self._models)
        registry = readable(found, sha)
        self._near = (sha, registry)
        return registry

    def _covers(self, rel: str) -> bool:
        """Whether the registries read here hold ``rel``: every file but the users of the
        operators beyond the scope (``_under``)."""
        if self.scope is None:
            return True
        parts = rel.split("/", 2)
        return parts[0] != layout.USERS_DIR or (len(parts) > 1 and parts[1] in self.scope)

    def _patched(self, sha: str) -> Registry | None:
        """The registry at ``sha`` made from the one read before, taking every entry whose
        file is the same and loading only the others. A merge and its first parent differ
        in the files of its pull request: listing and loading a scope of 100 operators again
        cost 0.3 s at 200,000 users, and ``--full``'s other end, whose head is validated in
        full and which no cache serves, a third of its time and 400 MB. A file with errors
        is read again (what validation salvaged of it is not what a load holds). None:
        nothing read before, or another catalog (the catalog decides how every file loads).
        """
        if self._near is None:
            return None
        found = self._moved(*self._near, sha, self._covers, self.pins.keys())
        if found is not None:
            self._near = (sha, found)
        return found

    def _moved(
        self,
        near_sha: str,
        near: Registry,
        sha: str,
        covers: Callable[[str], bool],
        pinned: Collection[str],
    ) -> Registry | None:
        """The registry at ``sha`` made from ``near``, the one at ``near_sha``: the files
        that differ between them (those ``covers`` and not ``pinned``) and ``near``'s files
        with errors loaded, every other entry shared. None: another catalog."""
        differ = {
            rel: blob
            for rel, blob in self.repo.changed_blobs(near_sha, sha, PREFIX, kept=False).items()
            if rel not in pinned and covers(rel)
        }
        if layout.CATALOG_FILE in differ:
            return None
        stale = (differ.keys() | near.broken).difference(pinned)
        # The catalog, to load with, and the files with errors as they are at ``sha``.
        blobs = self.repo.tree_blobs(
            sha, PREFIX, [layout.CATALOG_FILE, *sorted(stale - differ.keys())]
        )
        blobs.update((rel, blob) for rel, blob in differ.items() if blob is not None)
        # The registry's 200,000 names are copied only where a file came or went.
        gone = {r for r, b in differ.items() if b is None and r in near.files}
        came = {r for r, b in differ.items() if b is not None and r not in near.files}
        files = near.files - gone if gone else near.files
        files = files | came if came else files
        return self._laid_over(sha, near, stale, BlobSource(self.repo, blobs, PREFIX), files)

    def _laid_over(
        self,
        sha: str,
        near: Registry,
        stale: Collection[str],
        part: BlobSource,
        files: Iterable[str],
    ) -> Registry:
        """The registry at ``sha``, holding ``files``: ``near``'s entries but those of its
        ``stale`` files, which are loaded from ``part`` (with the catalog, to load with)."""
        same: frozenset[str] = frozenset()
        if self.cache is not None:
            [found] = load_cached([part], self.cache, self._known, self._models)
        else:
            same = self._as_at_head(part, frozenset(stale))
            if same:
                part = BlobSource(
                    self.repo, {r: b for r, b in part.blobs.items() if r not in same}, PREFIX
                )
            found = load(part)
        loaded = readable(found, sha)
        # The users of the operators whose files changed are grouped again; the others'
        # groups are the registry's before, as they are.
        groups = dict(near.groups())
        changed: dict[str, list[UserEntry]] = {}

        def group(code: str) -> list[UserEntry]:
            if code not in changed:
                changed[code] = [u for u in near.users_of(code) if u.file not in stale]
            return changed[code]

        for rel in stale:
            if (code := layout.split(rel)[1]) is not None:
                group(code)
        for u in loaded.users:
            group(u.operator_code).append(u)
        for r in same:
            if (held := self._head_users.get(r)) is not None:
                group(held.operator_code).append(held)
        for code, users in changed.items():
            users.sort(key=lambda u: u.file)  # as a load orders them: by path
            groups[code] = users
        operators: list[tuple[str, OperatorEntry]] = [
            (code, entry) for code, entry in near.operators.items() if entry.file not in stale
        ]
        operators.extend(loaded.operators.items())
        operators.extend(self._head_operators[r] for r in same if r in self._head_operators)
        operators.sort(key=lambda item: item[1].file)
        registry = Registry.of_groups(
            catalog=near.catalog,
            operators=dict(operators),
            groups=groups,
            maintainers=(
                loaded.maintainers if layout.MAINTAINERS_FILE in stale else near.maintainers
            ),
            calendar=loaded.calendar if layout.CALENDAR_FILE in stale else near.calendar,
            files=frozenset(files),
            broken=near.broken.difference(stale).union(loaded.broken),
        )
        return registry


def _part(registry: Registry, codes: Collection[str]) -> Registry:
    """``registry`` with the operators ``codes`` alone, and their users: what a step's
    applications read of its sides (their operators' entries and users, the catalog)."""
    users = in_path_order({code: registry.users_of(code) for code in codes})
    own = [e.file for c in codes if (e := registry.operators.get(c)) is not None]
    odd = [f for f in (*registry.broken, *registry.irregular) if layout.operator_of(f) in codes]
    kept = frozenset([*own, *(u.file for u in users), *odd, *layout.SINGLETONS])
    return replace(
        registry,
        operators={c: e for c, e in registry.operators.items() if c in codes},
        users=users,
        files=kept & registry.files,
        broken=kept & registry.broken,
        irregular={f: what for f, what in registry.irregular.items() if f in kept},
    )


def _within(registry: Registry, files: Collection[str]) -> Registry:
    """``registry`` with only the users whose files are among ``files``."""
    held = frozenset(files)
    return replace(
        registry,
        users=tuple(u for u in registry.users if u.file in held),
        files=registry.files & held,
        broken=registry.broken & held,
    )


def pinned_content(
    repo: GitRepository,
    revs: Mapping[str, str | None],
    revoked: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, bytes | None]:
    """Each file's content at the revision given (None: no revision, or absent there),
    with the revocations taken from it at the revisions ``revoked`` gives it, in order
    (``HeldFile.revoked``): what downstream holds of a file held back."""
    by_rev: dict[str, list[str]] = defaultdict(list)
    for rel, rev in revs.items():
        if rev is not None:
            by_rev[rev].append(rel)
    content: dict[str, bytes | None] = dict.fromkeys(revs)
    plain = Snapshots(repo)
    for rev, rels in by_rev.items():
        content.update(plain.contents(rev, rels))
    chains = {rel: tuple(on) for rel, on in (revoked or {}).items() if on and rel in revs}
    later: dict[str, list[str]] = defaultdict(list)
    for rel, chain in chains.items():
        for rev in chain:
            later[rev].append(rel)
    taken = {rev: plain.contents(rev, rels) for rev, rels in later.items()}
    for rel, chain in chains.items():
        for rev in chain:
            content[rel] = revoked_over(rel, content[rel], taken[rev][rel])
    return content


def revoked_over(rel: str, kept: bytes | None, broken: bytes | None) -> bytes | None:
    """``kept`` (what downstream holds of ``rel``) with the revocations of ``broken`` (its
    version with errors) laid over it; ``kept`` when it revokes nothing."""
    if kept is None or broken is None:
        return kept
    return revoked(rel, kept, broken) or kept


@dataclass(frozen=True)
class Step:
    """One merge: the registry before and after it, when it was accepted, what it changed."""

    commit: CommitInfo
    before: Registry
    after: Registry
    dates: Dates
    operators: tuple[OperatorPlan, ...]
    changes: tuple[AccessChange, ...]
    title: str = ""  # the pull request's number and title, where known
    released: tuple[str, ...] = ()  # files held back before that this step releases
    revoked: tuple[str, ...] = ()  # files held back whose revocations this step takes
    waits: Waits = field(default_factory=Waits)  # what batches applied before make come later
    # The revision ``before`` is, as the run read it (None: nothing, before a load): the
    # merge's parent, or the last one before it that could be read (a merge whose catalog
    # does not load is no step). Its applications are rebuilt from there.
    since: str | None = field(kw_only=True)
    # The acceptance day (受付日) its plan gives (``compute_plan``, ``Dates.acceptance``): a
    # business day; the approval's own day for a merge that only suspends or lifts, or of
    # OCCTO's systems alone. The pull request's plan said the same.
    accepted_on: date = field(kw_only=True)
    # Whether an earlier run applied it (its application is recorded): the rows of its
    # changes were written then, and downstream holds them on their days.
    applied: bool = field(default=False, kw_only=True)
    # Whether ``since`` is a revision applied before that main's history no longer holds
    # (main rewritten): the step takes away what only it held, and its commit may be a
    # merge applied before from its own parent, whose applications' ids are taken.
    rewound: bool = field(default=False, kw_only=True)

    def operator_codes(self) -> list[str]:
        return sorted({op.code for op in self.operators} | set(self._changes_by_operator))

    def changes_of(self, operator: str) -> list[AccessChange]:
        return self._changes_by_operator.get(operator, [])

    def plan_of(self, operator: str) -> OperatorPlan | None:
        return self._plans.get(operator)

    @cached_property
    def _changes_by_operator(self) -> dict[str, list[AccessChange]]:
        found: dict[str, list[AccessChange]] = {}
        # A provisional key receiving its code (``plan.issued``): its holders' rows are
        # the code's application, as the plan has them.
        issued = issued_codes(self.before, self.after)
        for c in self.changes:
            held = {p.operator for p in (c.before, c.after) if p is not None}
            for code in {issued.get(code, code) for code in held}:
                found.setdefault(code, []).append(c)
        return found

    @cached_property
    def _plans(self) -> dict[str, OperatorPlan]:
        return {op.code: op for op in self.operators}

    def effective(self, change: AccessChange) -> Effective:
        """When ``change`` takes effect (``_effective``), no earlier than the person's
        permission of that system, applied before, comes (``waits``): downstream gets the
        person before a fix of them or their removal. A fix of the person's fields with no
        date of its own (a derived system's) comes with them; another change with none (a
        manual step) keeps none. A suspension or its lifting waits only for what is not
        downstream yet (``stop``)."""
        found = self._effective(change)
        if not self.waits:  # nothing applied before still to come (a first apply's 680,000 rows)
            return found
        holds = _holds(change)
        if change.kind in AT_ONCE_KINDS:
            return not_before(found, self.stop(change).after)
        on = comes(self.waits, self.after.catalog, change.system, change.person.login, holds)
        if on is not None and found.on is None and _fields_only(change):
            return replace(found, on=on, waits=True)
        return not_before(found, on)

    def batch_of(self, change: AccessChange, effective: Effective) -> date | None:
        """The processing day M of the batch holding ``change``'s row, dated ``effective``
        (``Dates.batch_of``). None for a row in no batch: a suspension or its lifting (001
        p46), and a row that changed only with a usage application (``_of_usage``): its
        registration work (000 §3-1 ⑤⑥, §3-2 ⑤⑥) is not an M batch and is not entered in
        the permission-management system as a 5-1..5-3 is."""
        if change.kind in AT_ONCE_KINDS or self._of_usage(change) is not None:
            return None
        return self.dates.batch_of(change.system, effective)

    def _of_usage(self, change: AccessChange) -> Effective | None:
        """The date of the usage application's item ``change``'s row comes from, where
        nothing else of the person's changes it: the person became or stopped being a
        window person (``_as_window_person``), or their operator's name or subcontractor's
        changed (``_as_operator_data``)."""
        return (
            self._as_window_person(change)
            or self._as_operator_data(change)
            or self._as_taken_up(change)
        )

    def _as_taken_up(self, change: AccessChange) -> Effective | None:
        """The date of the usage application (new) ``change``'s row comes from where its
        operator takes up a provider's systems (``OperatorChange.takes_up``) and the person,
        a window person whose item is not in the plan, gets that provider's
        permission-management ID by it: registered in that application's work (000 §3-1 ⑥),
        not in a batch or another provider's step."""
        taken = self._taken_up.get(change.person.operator)
        if taken is None or change.system not in taken[0]:
            return None
        if (change.system, change.person.login) in self._plan_dates:
            return None
        return taken[1]

    def _as_window_person(self, change: AccessChange) -> Effective | None:
        """The date of the window-person item ``change``'s row comes from: its
        permission-management ID's, and any other system's the person's user items leave
        undated."""
        login = change.person.login
        if (change.system, login) in self._plan_dates:
            return None
        return self._window_person_dates.get(login)

    def _as_operator_data(self, change: AccessChange) -> Effective | None:
        """The date of the usage change (000 §3-2) ``change``'s row comes from, where it
        changed in nothing but its operator's name or its subcontractor's (事業者名,
        所属事業者名: cells of every row, 000 §5-1 ①): the operator's data changes in the
        change's registration work (⑤, reported by ⑥手続き完了通知), and so do the rows
        that carry it. None for a row of a person's own item (``_plan_dates``,
        ``_as_window_person``), or one that changed in anything else."""
        was, now = change.before, change.after
        if change.kind is not ChangeKind.CHANGE or was is None or now is None:
            return None
        names = (was.operator_name, was.affiliation_name)
        if names == (now.operator_name, now.affiliation_name):
            return None
        login = change.person.login
        if (change.system, login) in self._plan_dates or login in self._window_person_dates:
            return None
        catalog = self.after.catalog
        system = catalog.by_id.get(change.system)
        if system is None:
            return None
        renamed = replace(
            now, operator_name=was.operator_name, affiliation_name=was.affiliation_name
        )
        derived = catalog.derived_systems
        if form_row(renamed, system, derived) != form_row(was, system, derived):
            return None  # something else of the row changed: dated by what changed it
        found = []
        # The operator's own staff carry its name twice: 所属事業者名 is the operator's.
        if was.operator_name != now.operator_name:
            found.append(self._usage_changes.get((now.operator, None)))
        if was.affiliation_name != now.affiliation_name and now.affiliation != now.operator:
            found.append(self._usage_changes.get((now.operator, now.affiliation)))
        dated = [e for e in found if e is not None]
        if not dated or len(dated) < len(found):
            return None  # no usage change renamed it (a catalog's change): its own timing
        return max(dated, key=lambda e: e.on or date.max)  # a manual step comes last

    def recorded_dates(self, code: str) -> tuple[ItemDates, ...]:
        """Every date the application of ``code`` records: its plan's (``dates_of``), and a
        change of each row of its people that its usage application alone dates
        (``_as_operator_data``, ``_as_taken_up``), the code kept, or that its OCCTO
        withdrawal alone takes away (``_withdrawn``). No item of the plan names them, but
        until that day downstream holds them as they were: the runs until then read the
        operator again (``State.waiting``), and a later change of the same permission comes
        no earlier (``plan.waits``)."""
        plan = self.plan_of(code)
        found = list(dates_of(plan)) if plan is not None else []
        dated: list[tuple[AccessChange, Effect, ChangeKind]] = []
        for change in self.changes_of(code):
            if self._as_operator_data(change) is None and self._as_taken_up(change) is None:
                continue
            held = change.person.code(change.system)
            effective = self.effective(change)
            effect = Effect(change.system, held, held, Direction.NEUTRAL, effective)
            dated.append((change, effect, ChangeKind.CHANGE))
        for change, effect in self.given_up_of(code):
            dated.append((change, effect, ChangeKind.REMOVE))
        for change, effect, action in dated:
            person = change.person
            kind, _ = layout.split(person.file)
            subject = "user" if kind is layout.Kind.USER else "window_person"
            key = (subject, person.login, change.system)
            found.append(_recorded(key, effect.effective, None, action, effect))
        return tuple(found)

    def stop(self, change: AccessChange) -> Stop:
        """For a suspension or its lifting, what it waits for and the day it is told again
        (``plan.waits.stop``); nothing for any other change."""
        if change.kind not in AT_ONCE_KINDS:
            return Stop()
        login = change.person.login
        return stop(self.waits, self.after.catalog, change.system, login, _holds(change))

    def _effective(self, change: AccessChange) -> Effective:
        """The plan's date for that person and system (the application decides: dropping
        one system in a change application is a change); for a row that changed only
        because its person became or stopped being a window person, or because its
        operator's or subcontractor's name changed, that usage change's date; for
        a row of an operator that ends, the end's date; for a derived system, the systems
        it derives from; else the catalog's timing for the kind of row (catalog changes)."""
        login = change.person.login
        if change.kind in AT_ONCE_KINDS:
            return self._suspension(change)
        found = self._plan_dates.get((change.system, login))
        if found is not None:
            return found
        found = self._of_usage(change)
        if found is not None:
            return found
        # A termination ends every holder's access on its date (000 §3-3), also what the
        # plan has no item of: a window person's permission-management ID, whose contact
        # entry a termination leaves as it is.
        found = self._ends.get(change.person.operator) or self._given_up(change)
        if found is not None:
            return found
        system = self.after.catalog.by_id.get(change.system)
        if system is not None and system.derived is not None:
            sources = [
                self._plan_dates[(s, login)]
                for s in system.derived.systems
                if (s, login) in self._plan_dates
            ]
            if sources:
                return _derived(sources, change.kind)
        return self.dates.permission(change.system, change.kind)

    def given_up_of(self, code: str) -> list[tuple[AccessChange, Effect]]:
        """The rows of ``code``'s people that take away what its usage change or OCCTO
        withdrawal alone ends, no item of the person's naming them (their files held back
        for an error: ``_given_up``), each with its effect as an item's would say it. The
        state records them and the 受付 mail lists them as it does an item's."""
        return self._given_ups.get(code, [])

    @cached_property
    def _given_ups(self) -> dict[str, list[tuple[AccessChange, Effect]]]:
        found: dict[str, list[tuple[AccessChange, Effect]]] = {}
        for code, changes in self._changes_by_operator.items():
            for change in changes:
                # A removal of the system's row only; found once, for both readers.
                if change.kind is not ChangeKind.REMOVE or change.before is None:
                    continue
                system, login = change.system, change.person.login
                if (system, login) in self._plan_dates or self._given_up(change) is None:
                    continue
                effect = Effect(
                    system, change.before.code(system), None, Direction.REVOKE,
                    self.effective(change),
                )  # fmt: skip
                found.setdefault(code, []).append((change, effect))
        return found

    def _given_up(self, change: AccessChange) -> Effective | None:
        """The date of a row that takes away what its operator's usage change or OCCTO
        withdrawal alone ends (``access._Grants``), where a person's file held back for an
        error keeps it: as the plan dates the same row of a person whose file drops it, a
        change of the person's permissions (a deletion of their ID where nothing is left),
        or the withdrawal's day for what ends with the membership (``_withdrawn``)."""
        entry = self.after.operators.get(change.person.operator)
        if entry is None or change.before is None or change.system not in change.before.permissions:
            return None
        if change.after is not None and change.system in change.after.permissions:
            return None
        withdrawn = self._withdrawn(change)
        if withdrawn is not None:
            return withdrawn
        system = self.after.catalog.by_id.get(change.system)
        if system is None or system.derived is not None or system.id in entry.operator.systems:
            return None
        # The person's file stays (held back): a change of their permissions (000 §5-2).
        stays = change.before.file in self.after.files
        kind = ChangeKind.CHANGE if stays else ChangeKind.REMOVE
        return self.dates.permission(change.system, kind)

    def _withdrawn(self, change: AccessChange) -> Effective | None:
        """A row of what its operator loses with its OCCTO membership that no item of the
        person's dates (their file held back for an error, ``access._Grants``): the
        withdrawal's day, as the plan dates its users' IDs of it (``ending``, 003 §2.7.1)."""
        entry = self.after.operators.get(change.person.operator)
        op = entry.operator if entry is not None else None
        withdrawn = op.withdrawn_on if op is not None else None
        if op is None or withdrawn is None:
            return None
        code = change.before.code(change.system) if change.before is not None else None
        if not self.after.catalog.ends_with_membership(change.system, op.roles, code):
            return None
        return self.dates.withdrawal(withdrawn)

    def _suspension(self, change: AccessChange) -> Effective:
        """A row that suspends or restores: the day of the ID's own suspension or its
        lifting, else of its operator's use of the system (of any system the merge
        suspends or lifts, for a derived one), each at once (``Dates.suspension``)."""
        own = self._own_suspensions.get(change.person.login)
        if own is not None:
            return own
        uses = self._suspended_uses.get(change.person.operator, {})
        found = uses.get(change.system)
        if found is None and uses:
            found = max(uses.values(), key=lambda e: e.on or date.min)
        return found or self.dates.suspension(None)

    @cached_property
    def _own_suspensions(self) -> dict[str, Effective]:
        """Login → the date of the user's own suspension or its lifting (the only own
        date a user's item has)."""
        return {
            item.key: item.effective
            for op in self.operators
            for item in op.items
            if isinstance(item, UserChange) and item.effective is not None
        }

    @cached_property
    def _suspended_uses(self) -> dict[str, dict[str, Effective]]:
        """Operator → system → the date its use was suspended or the suspension lifted."""
        return {
            op.code: {u.system: u.effective for u in item.suspensions}
            for op in self.operators
            for item in op.items
            if isinstance(item, OperatorChange) and item.suspensions
        }

    @cached_property
    def _plan_dates(self) -> dict[tuple[str, str], Effective]:
        """(system, login) → the date of a user's item (a window person's is
        ``_window_person_dates``)."""
        dates: dict[tuple[str, str], Effective] = {}
        for op in self.operators:
            for item in op.items:
                person = getattr(item, "person", None)
                if person is None or isinstance(item, WindowPersonChange):
                    continue
                for effect in item.effects:
                    dates[(effect.system, person.email.lower())] = effect.effective
        return dates

    @cached_property
    def _ends(self) -> dict[str, Effective]:
        """The operators this merge terminates, and the day they end (``Dates.termination``,
        as the plan dates every item of theirs)."""
        return {
            item.code: item.effective
            for op in self.operators
            for item in op.items
            if isinstance(item, OperatorChange)
            and item.action is ChangeKind.REMOVE
            and item.effective is not None
        }

    @cached_property
    def _usage_changes(self) -> dict[tuple[str, str | None], Effective]:
        """(operator, None) → the date of its usage change renaming it; (operator,
        subcontractor) → that of the one renaming that subcontractor."""
        found: dict[tuple[str, str | None], Effective] = {}
        for op in self.operators:
            for item in op.items:
                if item.action is not ChangeKind.CHANGE or item.effective is None:
                    continue
                if not any(f.field == "name" for f in item.fields):
                    continue
                if isinstance(item, OperatorChange):
                    found[item.code, None] = item.effective
                elif isinstance(item, SubcontractorChange):
                    found[item.operator, item.code] = item.effective
        return found

    @cached_property
    def _taken_up(self) -> dict[str, tuple[frozenset[str], Effective]]:
        """Operator → the permission-management systems its window persons get by the
        providers' systems its usage application (new) takes up (``OperatorChange.takes_up``),
        and that application's date."""
        catalog = self.after.catalog
        found: dict[str, tuple[frozenset[str], Effective]] = {}
        for op in self.operators:
            for item in op.items:
                if not isinstance(item, OperatorChange) or item.effective is None:
                    continue
                if not (taken := item.takes_up):
                    continue
                found[item.code] = (catalog.consoles_of(taken), item.effective)
        return found

    @cached_property
    def _window_person_dates(self) -> dict[str, Effective]:
        return {
            item.person.email.lower(): item.effective
            for op in self.operators
            for item in op.items
            if isinstance(item, WindowPersonChange) and item.effective is not None
        }


def _holds(change: AccessChange) -> set[str]:
    """The systems the person of ``change`` holds on either side of it."""
    return {s for p in (change.before, change.after) if p is not None for s in p.permissions}


def _derived(sources: list[Effective], kind: ChangeKind) -> Effective:
    """A derived permission follows its sources: it starts with the first of them and ends
    with the last (a source without a date yet leaves the end without one)."""
    if kind is ChangeKind.REMOVE:
        if any(s.on is None for s in sources):
            return next(s for s in sources if s.on is None)
        return max(sources, key=lambda s: s.on or date.min)
    dated = [s for s in sources if s.on is not None]
    return min(dated, key=lambda s: s.on or date.max) if dated else sources[0]


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
    # The operators the run loaded users of (None: all): the accesses and rows are theirs.
    scope: frozenset[str] | None = None
    # ``base`` is not in ``head``'s history (main rewritten): the range is still base to
    # head, so what only ``base`` held is withdrawn downstream.
    rewritten: bool = False

    def systems(self) -> list[str]:
        """Systems whose downstream data the range changes, in catalog order."""
        touched = {c.system for s in self.steps for c in s.changes} | {
            r.change.system for r in self.rows
        }
        return [s.id for s in self.after.catalog.systems if s.id in touched]


def application_id(commit: str, operator: str) -> str:
    return f"{commit[:12]}/{operator}"


def _recorded(
    key: tuple[str, str, str | None],
    effective: Effective,
    serial: str | None,
    action: ChangeKind,
    effect: Effect | None = None,
    removed: bool = False,
    roles: tuple[str, ...] = (),
    roles_given_up: tuple[str, ...] = (),
    provider: str | None = None,
) -> ItemDates:
    subject, item_key, system = key
    return ItemDates(
        roles=roles,
        roles_given_up=roles_given_up,
        provider=provider,
        action=action.value,
        subject=subject,
        key=item_key,
        system=system,
        on=effective.on,
        start=effective.start,
        processing_day=effective.processing_day,
        keyed=effective.key,
        keyed_on=effective.keyed_on,
        serial=serial,
        waits=effective.waits,
        steps=effective.steps,
        not_before=effective.not_before,
        registered_on=effective.registered_on,
        added=effect is not None and effect.old is None and effect.new is not None,
        held=effect.old if effect is not None else None,
        removed=removed or (effect is not None and effect.old is not None and effect.new is None),
        fields_only=effect is not None and effect.fields_only,
    )


def _effective(found: ItemDates) -> Effective:
    return Effective(
        found.on,
        found.start,
        found.processing_day,
        found.keyed,
        found.keyed_on,
        found.waits,
        found.steps,
        found.not_before,
        found.registered_on,
    )


def dates_of(plan: OperatorPlan) -> tuple[ItemDates, ...]:
    """Every date of an operator's plan, as the state keeps them."""
    out = []
    for item in plan.items:
        serial = item.serial if isinstance(item, CertificateChange) else None
        # A usage application (new) beside a usage change of the same operator has its date
        # in its systems' records (below) alone: the operator's own key is the change's.
        if item.effective is not None and not _takes_up(item):
            key = (item.subject, _own_key(item), None)
            change = item if isinstance(item, OperatorChange) else None
            roles = tuple(change.added_roles) if change else ()
            given_up = tuple(change.given_up_roles) if change else ()
            provider = item.part if isinstance(item, CertificateChange) else None
            own = _recorded(key, item.effective, serial, item.action, roles=roles,
                            roles_given_up=given_up, provider=provider)  # fmt: skip
            out.append(own)
        out += [
            _recorded((item.subject, item.key, e.system), e.effective, None, item.action, e)
            for e in item.effects
        ]
        if isinstance(item, OperatorChange):
            # Each system an OCCTO withdrawal takes, and each suspended one, on its own day;
            # a system both left and lifted is found by its suspension (``_with_dates``).
            uses = [(u.system, u.effective) for u in item.membership_ends]
            uses += [(u.system, u.effective) for u in item.suspensions]
            # Each system a usage change adds, on the change's day (``added_uses``).
            if item.effective is not None:
                uses += [(system, item.effective) for system in item.added_uses]
            out += [
                _recorded((item.subject, item.key, system), effective, None, item.action)
                for system, effective in uses
            ]
            # With each certificate registered for a system the withdrawal takes, under its
            # serial: the file may drop the system from the certificate's own list at once.
            out += [
                _recorded((item.subject, item.key, u.system), u.effective, serial, item.action)
                for u in item.membership_ends
                for serial in _registered_for(item, u.system)
            ]
            # Each system a usage change takes, on the change's day: its certificates and
            # addresses reach it until then (``Admitted.dropped``), as the 受付 mail says.
            if item.effective is not None:
                for system in _dropped_uses(item):
                    given = (item.subject, item.key, system)
                    out.append(_recorded(given, item.effective, None, item.action, removed=True))
                    # And each certificate registered for it then, under its serial: its
                    # file may drop the system from the certificate's own list at once.
                    out += [
                        _recorded(given, item.effective, serial, item.action, removed=True)
                        for serial in _registered_for(item, system)
                    ]
    return tuple(out)


def _registered_for(item: OperatorChange, system: str) -> list[str]:
    """The serials of the certificates registered for ``system`` before ``item`` (one
    naming it, or naming no system: registered for every system of its operator)."""
    if item.before is None:
        return []
    return [c.serial for c in item.before.certificates if not c.systems or system in c.systems]


def _dropped_uses(item: OperatorChange) -> list[str]:
    """The systems a usage change (000 §3-2) takes from its operator: not those its OCCTO
    withdrawal takes (``membership_ends``, on the withdrawal's day), nor one whose use was
    suspended, which ends stopped (001 p46)."""
    if item.before is None or item.after is None or item.action is not ChangeKind.CHANGE:
        return []
    kept = {u.system for u in item.membership_ends}
    stopped = {s.system for s in item.before.suspensions}
    return sorted(set(item.before.systems) - set(item.after.systems) - kept - stopped)


def _takes_up(item: Item) -> frozenset[str]:
    """The systems a usage application (new) of an operator registered before takes up."""
    return item.takes_up if isinstance(item, OperatorChange) else frozenset()


def _own_key(item: Item) -> str:
    """The key ``item``'s own date is recorded under: its own, or for one terms' part of a
    usage change (``OperatorChange.part``) the operator's code and those terms, each
    part's date apart from the others': ``TESTOP01/occto``; for one provider's registration
    of a certificate registered with several (``CertificateChange.part``), the certificate
    ID and the provider: ``EP-TEST-0002/occto``. What it is of: ``ItemDates.base_key``."""
    if isinstance(item, OperatorChange | CertificateChange) and item.part is not None:
        return f"{item.key}/{item.part}"
    return item.key


def own_dates(
    item: Item, recorded: Mapping[tuple[str, str, str | None], ItemDates]
) -> ItemDates | None:
    """The dates recorded of ``item`` itself: under its own key (``_own_key``), or for a
    usage application (new) beside a usage change of the same operator, under the systems
    it takes up (``dates_of``: the operator's own key is the change's)."""
    systems: list[str | None] = [*sorted(_takes_up(item))] or [None]
    key = _own_key(item)
    return next(filter(None, (recorded.get((item.subject, key, s)) for s in systems)), None)


def _with_dates(item: Item, recorded: Mapping[tuple[str, str, str | None], ItemDates]) -> Item:
    own = own_dates(item, recorded)
    effects = tuple(
        replace(e, effective=_effective(found))
        if (found := recorded.get((item.subject, item.key, e.system))) is not None
        else e
        for e in item.effects
    )
    if isinstance(item, OperatorChange) and item.suspensions:
        uses = tuple(
            replace(u, effective=_effective(found))
            if (found := recorded.get((item.subject, item.key, u.system))) is not None
            else u
            for u in item.suspensions
        )
        item = replace(item, suspensions=uses)
    if isinstance(item, OperatorChange) and item.membership_ends:
        left = tuple(
            replace(u, effective=_effective(found))
            if (found := recorded.get((item.subject, item.key, u.system))) is not None
            and found.keyed == "withdrawn_on"
            else u
            for u in item.membership_ends
        )
        item = replace(item, membership_ends=left)
    return replace(item, effective=_effective(own) if own else item.effective, effects=effects)


def with_recorded_dates(plan: OperatorPlan, record: ApplicationRecord) -> OperatorPlan:
    """The plan with the dates announced at its acceptance in place of recomputed ones."""
    recorded = record.dates()
    return replace(plan, items=tuple(_with_dates(i, recorded) for i in plan.items))


def merged_on(commit: CommitInfo) -> date:
    """The day a merge was made, in Japan: it stands in for the events not known."""
    return commit.committed_at.astimezone(JST).date()


_OWN = (layout.Kind.OPERATOR, layout.Kind.USER)  # an operator's own files


def _touched(
    paths: Iterable[str], scope: Collection[str] | None
) -> tuple[bool, frozenset[str] | None]:
    """Whether a merge that changed ``paths`` is a step of a history read for ``scope``
    (None: every operator), and the scope's operators whose files it changed (None: a file
    every operator depends on). A merge that changed none of the scope's files is no step
    of it: the range since a permission still to come is weeks of merges, and each step
    reads and compares the scope's registries on both of its sides."""
    codes: set[str] = set()
    for p in paths:
        rel = layout.registry_rel(p)
        if rel is None:
            continue
        kind, code = layout.split(rel)
        if kind not in _OWN or code is None:
            return True, None
        if scope is None or code in scope:
            codes.add(code)
    return bool(codes), frozenset(codes)


def _registry_paths(paths: Iterable[str] | None) -> bool:
    """Whether ``paths`` (a merge's changed files) hold a file of the registry."""
    return any(layout.registry_rel(p) is not None for p in paths or ())


def _lowered(login: str) -> str:
    low = login.lower()
    return login if low == login else low  # most are: one string, not a second


def _held(registry: Registry, codes: Iterable[str]) -> Counter[str]:
    """The login IDs (lower-cased) the users and window persons of ``codes`` hold in
    ``registry``, each as many times as it is held."""
    found: Counter[str] = Counter()
    for code in codes:
        found.update(_lowered(u.user.email) for u in registry.users_of(code))
        entry = registry.operators.get(code)
        if entry is not None:
            found.update(_lowered(c.email) for c in entry.operator.contacts)
    return found


class _Logins:
    """How many times each login ID is held on the side of a range's steps read last, by
    its users (those loaded for the scope) and the window persons of the scope's operators
    (None: every operator). Counted once, then carried from one step to the next by what
    the step changed: compared anew at each step, a first apply's history of 200,000 users
    in a hundred merges went through every user 200 times (10 s of its CPU)."""

    def __init__(self, scope: Collection[str] | None) -> None:
        self._scope = scope
        # The registry counted, not kept alive by it: the history lets each one go.
        self._side: weakref.ref[Registry] | None = None
        self._count: Counter[str] = Counter()

    def apart(
        self, before: Registry, after: Registry, codes: frozenset[str], scope: Collection[str]
    ) -> bool:
        """Whether no login ID of the users and window persons of ``codes``, on either side
        of a step that changed their files alone, is another operator's of the ``scope``
        there too. A holder is made from its operator's files alone but for such an ID (the
        first operator holding it holds it): the step's change is then that of ``codes``'
        holders alone (so it is when they are the whole scope: nothing to look at)."""
        if codes.issuperset(scope):
            self._side = None  # every operator changed: counted again when next asked
            return True
        if self._side is None or self._side() is not before:
            self._count = Counter(_lowered(u.user.email) for u in before.users)
            for code, entry in before.operators.items():
                if self._scope is None or code in self._scope:
                    self._count.update(_lowered(c.email) for c in entry.operator.contacts)
        mine, now = _held(before, codes), _held(after, codes)
        count = self._count
        # The others hold an ID as many times as it is counted but for ``codes``' holdings
        # before: the same on both sides, the step changed nothing of theirs.
        found = all(count[login] == mine[login] for login in mine.keys() | now.keys())
        count.subtract(mine)
        count.update(now)
        for login in mine.keys() - now.keys():
            if count[login] <= 0:
                del count[login]
        self._side = weakref.ref(after)
        return found


def _steps(
    repo: GitRepository,
    snapshots: Snapshots,
    base: str | None,
    head: str,
    merged: Mapping[str, MergedPullRequest],
    default: Events,
    recorded: Mapping[str, ApplicationRecord],
    loaded: date | None = None,
    waits: Waits | None = None,
    start: Registry | None = None,
    rewritten: bool = False,
    today: date | None = None,
    coming: Coming | None = None,
) -> Iterator[Step]:
    """The range's merges, each a step. A step dates its changes no earlier than what comes
    later of the same people (``waits``): what the runs before applied, and what the earlier
    steps of this one did, gathered into ``coming`` (None: nothing is gathered, as for a
    first apply, whose every item is in effect on its day), so that two merges applied in
    one run are dated, and told, as in two; and so are the files released after them."""
    # History was rewritten: the merges since the common ancestor, the first of them from
    # what downstream holds (``base``), so that what only ``base`` held is taken away by
    # that merge's applications, planned and dated as its own changes are (``rewound``).
    undone = base if rewritten else None
    if undone is not None:
        base = repo.merge_base(undone, head)
    previous: Registry | None = start
    since = undone or base  # the revision ``previous`` is (None: nothing, before a load)
    first = since
    # The scope's operators changed since ``previous`` (None: any, as from ``undone``).
    pending: set[str] | None = None if undone is not None else set()
    changed = repo.first_parent_paths(base, head)
    commits = repo.first_parent_history(base, head)
    # The last merge that changed a file of the registry has the head's: those after it
    # (documentation, schemas) changed none. Its step reads the head's registry, loaded
    # already, so that a range one merge spans compares it once (a first apply with a
    # merge of the schemas on top read and compared 200,000 users twice).
    settled = next((c.sha for c in reversed(commits) if _registry_paths(changed.get(c.sha))), None)
    logins = _Logins(snapshots.scope)
    for commit in commits:
        # Taken, not read: a first apply's history lists every file of the registry once.
        step, codes = _touched(changed.pop(commit.sha, ()), snapshots.scope)
        if not step:
            continue
        pending = None if pending is None or codes is None else pending | codes
        try:
            after = snapshots.at(head if commit.sha == settled else commit.sha)
        except ConfigError:
            # A merge whose catalog does not load (fixed by a later one) is no step: what
            # it changed counts with the next merge that can be read.
            continue
        if previous is None:
            # The range's start, what downstream holds: the merges before this one changed
            # none of the files read, or could not be read and count with this one (its
            # parent's catalog may not load either).
            previous = snapshots.at(since) if since is not None else empty_like(after)
        found = merged.get(commit.sha, MergedPullRequest(default))
        # Of a scope's operators (every operator's, where none is given: a first apply's
        # history from the registry's first merge), only those the merge changed can change:
        # their holders alone are compared (each step otherwise compares the whole scope's).
        access: Callable[[Registry], Access] = snapshots.access
        scope = snapshots.scope
        if scope is None:
            scope = frozenset(previous.operators.keys() | after.operators.keys())
        if (
            pending is not None
            and scope
            and logins.apart(previous, after, frozenset(pending), scope)
        ):
            access = partial(snapshots.access, only=frozenset(pending))
        own, rewound = recorded, undone is not None and since == undone
        if undone is not None and rewound:
            own = _rewound(recorded, undone)
        made = step_between(
            commit, previous, after, found, own, access, loaded, waits, since=since,
            rewound=rewound,
        )  # fmt: skip
        if snapshots.scope is None:
            # Whole registries on both sides: the step keeps its operators' part of them
            # (but the head's, which the run reads on), and the one before, read here, is
            # let go. Kept whole, each merge of a first apply's history held two registries
            # (a registry built in ten merges: 1.45 GiB).
            if commit.sha != settled:
                read = (pending or set()) | set(made.operator_codes())
                made = replace(made, before=_part(previous, read), after=_part(after, read))
            if since is not None and since != first:
                snapshots.let_go(since)
        yield made
        if coming is not None and _took(coming, made):
            waits = coming.waits
        previous, since, pending = after, commit.sha, set()
    if undone is not None and since == undone:
        # No merge since the common ancestor (main reset to an earlier merge): the head
        # takes away what only ``base`` held, on the run's day (the head's merge, applied
        # before, came before what it takes away did).
        after = snapshots.at(head)
        previous = snapshots.at(undone) if previous is None else previous
        found = MergedPullRequest(Events(merged=today) if today is not None else default)
        made = step_between(
            repo.commit(head), previous, after, found, _rewound(recorded, undone),
            snapshots.access, loaded, waits, since=undone, rewound=True,
        )  # fmt: skip
        yield made
        if coming is not None:
            _took(coming, made)


def _took(coming: Coming, step: Step) -> bool:
    """Whether ``coming`` took anything still to come of ``step``: each of its operators'
    recorded dates, every one read."""
    return bool([code for code in step.operator_codes() if coming.take(step.recorded_dates(code))])


def _own_records(
    recorded: Mapping[str, ApplicationRecord], commit: str
) -> dict[str, ApplicationRecord]:
    """Of the applications ``recorded``, those of the merge ``commit`` itself (not a release
    or a held file's revocations attributed to it), by operator, the plain id's where an
    operator has two. A rewritten main's step passes only those made from where it starts
    (``_rewound``), and ``confirm`` one batch's: an application of its own (``+2``) is then
    found by its operator. Looked up by the plain id alone, ``confirm`` rebuilt it without
    the dates its 受付 gave, and its completion notices said others."""
    found: dict[str, ApplicationRecord] = {}
    for record in recorded.values():
        if record.commit != commit or record.released or record.revoked:
            continue
        if record.operator not in found or "+" not in record.id:
            found[record.operator] = record
    return found


def _rewound(recorded: Mapping[str, ApplicationRecord], since: str) -> dict[str, ApplicationRecord]:
    """Of the applications ``recorded``, those of a step from ``since``, a revision main no
    longer holds: its merge may be one applied before, from its own parent."""
    return {key: r for key, r in recorded.items() if r.parent == since}


def step(
    snapshots: Snapshots,
    commit: CommitInfo,
    since: str | None,
    merged: MergedPullRequest,
    recorded: Mapping[str, ApplicationRecord] | None = None,
    loaded: date | None = None,
) -> Step:
    """One merge, from the revision ``since`` (None: nothing) to itself, dated by its pull
    request's events (the merge commit's day standing in for those not known). An
    application already ``recorded`` (by id) keeps the events and dates recorded at its
    acceptance; one a first apply ``loaded``, that day's."""
    after = snapshots.at(commit.sha)
    before = snapshots.at(since) if since is not None else empty_like(after)
    access = snapshots.access
    return step_between(commit, before, after, merged, recorded, access, loaded, since=since)


def step_between(
    commit: CommitInfo,
    before: Registry,
    after: Registry,
    merged: MergedPullRequest,
    recorded: Mapping[str, ApplicationRecord] | None = None,
    access: Callable[[Registry], Access] = effective_access,
    loaded: date | None = None,
    waits: Waits | None = None,
    *,
    since: str | None,
    rewound: bool = False,
) -> Step:
    """``step`` between two registries already loaded, whose ``access`` is compared;
    ``loaded``: the day of a first apply, every item in effect on it (``Dates.loaded``);
    ``waits``: the permissions applied before and still to come (``State.waiting``);
    ``since``: the revision ``before`` is (None: nothing); ``rewound``: one main's history
    no longer holds (``Step.rewound``)."""
    recorded = recorded or {}
    events, title = merged.events, merged.label
    known = next((r for r in recorded.values() if r.commit == commit.sha), None)
    if known is not None:
        events = Events(known.entered_on, known.accepted_on, known.merged_on)
        title = known.title
    if events.merged is None:
        events = Events(events.entered, events.accepted, merged_on(commit))
    dates = Dates.of(after, events.known(merged_on(commit)), loaded)
    plan = compute_plan(before, after, dates, waits=waits)
    own = _own_records(recorded, commit.sha)
    operators = tuple(
        with_recorded_dates(op, found) if (found := own.get(op.code)) is not None else op
        for op in plan.operators
    )
    if waits:
        operators = tuple(waited(op, waits, after.catalog) for op in operators)
    changes = diff(access(before), access(after), after.catalog)
    return Step(
        commit,
        before,
        after,
        dates,
        operators,
        tuple(changes),
        title,
        waits=waits or Waits(),
        since=since,
        accepted_on=plan.accepted,
        applied=known is not None,
        rewound=rewound,
    )


def released_step(
    snapshots: Snapshots,
    at: str,
    before: Registry,
    rels: Collection[str],
    events: Known,
    also: Collection[str] = (),
    commit: CommitInfo | None = None,
    record: ApplicationRecord | None = None,
    waits: Waits | None = None,
) -> Step:
    """Files held back before and released now (``rels``, pinned in ``before``, which has
    ``also`` released already): from what downstream holds of them to their content at
    ``at``, dated by ``events`` and attributed to ``commit``, by default the last merge on
    the first-parent line that changed one of them. Rebuilt from its ``record``, it keeps
    the dates recorded at its acceptance."""
    after = _loaded(snapshots.source(at, unpinned={*rels, *also}), at)
    held = _HeldStep(snapshots, at, events, commit, record, waits)
    return held.step(before, after, released=tuple(sorted(rels)))


def revoked_step(
    snapshots: Snapshots,
    at: str,
    before: Registry,
    contents: Mapping[str, bytes],
    events: Known,
    also: Collection[str] = (),
    laid: Mapping[str, bytes] | None = None,
    commit: CommitInfo | None = None,
    record: ApplicationRecord | None = None,
    waits: Waits | None = None,
) -> Step:
    """Files still held back whose version at ``at`` revokes (``files.revocations``): from
    what downstream holds of them (pinned in ``before``, which has ``also`` released and
    the revocations ``laid`` over other files already) to ``contents``, that with the
    revocations laid over it; dated by ``events`` and attributed to ``commit``, by default
    the last merge on the first-parent line that changed one of them. Rebuilt from its
    ``record``, it keeps the dates recorded at its acceptance."""
    source = snapshots.source(at, unpinned=also).pinned({**(laid or {}), **contents})
    after = _loaded(source, at)
    held = _HeldStep(snapshots, at, events, commit, record, waits)
    return held.step(before, after, revoked=tuple(sorted(contents)))


@dataclass(frozen=True)
class _HeldStep:
    """A step of files held back (``released_step``, ``revoked_step``): dated by
    ``events``, attributed to ``commit`` (by default the last merge on the first-parent
    line that changed one of them), with the dates its ``record`` kept, if rebuilt, and
    no change dated before what ``waits`` says still comes (``step_between``)."""

    snapshots: Snapshots
    at: str
    events: Known
    commit: CommitInfo | None
    record: ApplicationRecord | None
    waits: Waits | None = None

    def step(
        self,
        before: Registry,
        after: Registry,
        released: tuple[str, ...] = (),
        revoked: tuple[str, ...] = (),
    ) -> Step:
        repo, record, commit = self.snapshots.repo, self.record, self.commit
        if commit is None:
            files = [layout.repo_path(r) for r in (*released, *revoked)]
            last = repo.revisions_changing(self.at, files, 1)
            commit = repo.commit(last[0] if last else self.at)
        dates = Dates.of(after, self.events)
        plan = compute_plan(before, after, dates, waits=self.waits)
        operators = tuple(
            with_recorded_dates(op, record)
            if record is not None and op.code == record.operator
            else op
            for op in plan.operators
        )
        if self.waits:
            operators = tuple(waited(op, self.waits, after.catalog) for op in operators)
        changes = diff(self.snapshots.access(before), self.snapshots.access(after), after.catalog)
        title = record.title if record is not None else ""
        return Step(
            commit, before, after, dates, operators, tuple(changes), title,
            released=released, revoked=revoked, since=self.at, accepted_on=plan.accepted,
        )  # fmt: skip


def _fields_only(change: AccessChange) -> bool:
    """Whether ``change`` leaves the permission as it was (a memo or a name changed)."""
    was, now = change.before, change.after
    return (
        change.kind is ChangeKind.CHANGE
        and was is not None
        and now is not None
        and was.code(change.system) == now.code(change.system)
    )


Made = tuple[Step, AccessChange]


def _rows(
    before: Access,
    after: Access,
    registry: Registry,
    steps: tuple[Step, ...],
    fallback: Dates,
    spanned: Sequence[AccessChange] | None = None,
) -> tuple[DatedChange, ...]:
    """The range's changes, each dated by the last merge that made it, a suspension or its
    lifting in two rows where a change of the permission still comes after it
    (``_at_once``). ``spanned``: the changes of the range when one merge spans it (they
    need not be found again, and each is that merge's own)."""
    found: Iterable[tuple[AccessChange, Made | None, Made | None]]
    # The last suspension or lifting of the permission, where a later merge changes it.
    stopping: dict[str, dict[str, Made]] = defaultdict(dict)
    # The first grant of a permission in the range, and those a later merge takes away.
    arrived: dict[str, dict[str, Made]] = defaultdict(dict)
    gone: set[tuple[str, str]] = set()
    last: dict[str, dict[str, Made]] = defaultdict(dict)
    # The first change of the permission itself that no earlier run applied: this run's
    # row of it starts from what the person held before it.
    opened: dict[str, dict[str, Made]] = defaultdict(dict)
    # The changes of a permission each of which a row of its own dates (``_in_stages``).
    staged: dict[str, dict[str, list[Made]]] = defaultdict(dict)
    # The first removal of a permission in the range, and the grant of it again after it
    # (``_went_and_came``).
    left: dict[str, dict[str, Made]] = defaultdict(dict)
    returned: dict[tuple[str, str], tuple[Made, Made]] = {}
    if spanned is not None:
        (merge,) = steps
        found = ((change, (merge, change), None) for change in spanned)
    else:
        # By system, then login (a first apply's is a row of every holder: no key of two).
        # The last change of the permission itself (not its suspension nor its lifting).
        coded: dict[str, dict[str, Made]] = defaultdict(dict)
        for step in steps:
            for change in step.changes:
                of_system, login = last[change.system], change.person.login
                if change.kind is ChangeKind.ADD:
                    arrived[change.system].setdefault(login, (step, change))
                    went = left[change.system].get(login)
                    if went is not None:
                        returned[(change.system, login)] = (went, (step, change))
                elif change.kind is ChangeKind.REMOVE:
                    if login in arrived[change.system]:
                        gone.add((change.system, login))
                    left[change.system].setdefault(login, (step, change))
                # A later merge that changes only the person's fields (a memo, a name)
                # does not move the date of the permission an earlier one set.
                if login not in of_system or not _fields_only(change):
                    of_system[login] = (step, change)
                    if change.kind not in AT_ONCE_KINDS:
                        coded[change.system][login] = (step, change)
                        _stage(staged[change.system], login, (step, change))
                        if not step.applied:
                            opened[change.system].setdefault(login, (step, change))
                    else:
                        stopping[change.system][login] = (step, change)
                        staged[change.system].pop(login, None)
                elif (points := staged[change.system].get(login)) and _later(
                    (step, change), points[-1]
                ):
                    # Only the person's fields again, but coming after the change before
                    # (a LOACUS memo in a later batch, a second rename): a stage of its own.
                    points.append((step, change))
        found = (
            (
                change,
                last[change.system].get(change.person.login),
                coded[change.system].get(change.person.login),
            )
            for change in diff(before, after, registry.catalog)
        )
    rows: list[DatedChange] = []
    back = _went_and_came(before, after, returned)
    for key in sorted(back):
        rows += back[key]
    for change, made, earlier in found:
        login = change.person.login
        if (change.system, login) in back:
            continue  # its removal and its grant again, each on its day (above)
        points = staged[change.system].get(login)
        # A suspension's rows are its own (``_at_once``, ``_stopped_before``).
        if (
            points
            and len(points) > 1
            and change.kind in (ChangeKind.ADD, ChangeKind.CHANGE)
            and login not in stopping[change.system]
        ):
            rows += _in_stages(change, points)
            continue
        if made is None:  # not from a merge on the first-parent line: date it as of now
            effective = fallback.permission(change.system, change.kind)
            m = (
                None
                if change.kind in AT_ONCE_KINDS
                else fallback.batch_of(change.system, effective)
            )
        else:
            step, own = made
            effective = step.effective(own)
            if own is change or own == change:  # the step's already: not a second of each row
                change = own
            if own.kind in AT_ONCE_KINDS and effective.on is not None:
                opening = opened[change.system].get(change.person.login)
                stopped = _at_once(change, step, own, effective.on, earlier, opening)
                if stopped is not None:
                    rows += stopped
                    continue
            else:
                flagged = stopping[change.system].get(change.person.login)
                if flagged is not None:
                    rows += _stopped_before(change, own, flagged, effective.on)
            # A suspension or its lifting is at once, in no batch: it has no M (001 p46); nor
            # has a window person's row, nor a change of a system whose provider has no
            # processing day (OCCTO's).
            m = step.batch_of(own, effective)
        rows.append(DatedChange(change, m, effective.on))
    for system, login in sorted(gone):
        rows += _came_and_went(before, after, arrived[system][login], last[system][login])
    ending: set[tuple[str, str]] = set()  # (system, login) stopped until a removal: once each
    for step in steps:
        rows += _stopped_in(step, after, ending)
    return tuple(rows)


def _stage(staged: dict[str, list[Made]], login: str, made: Made) -> None:
    """A change of ``login``'s permission of the system (``made``, not a suspension nor its
    lifting) among the changes each of which dates a row of its own (``_in_stages``): a
    change coming after the one before is a stage of its own (a change of a permission
    still to come, held back until it comes, ``plan.waits``); one on the same day makes
    that stage; an addition or a removal starts again."""
    points = staged.get(login)
    if not points or made[1].kind is not ChangeKind.CHANGE:
        staged[login] = [made]
    elif _later(made, points[-1]):
        points.append(made)
    else:
        points[-1] = made


def _later(made: Made, than: Made) -> bool:
    """Whether ``made`` takes effect after ``than`` (both on a known day)."""
    (step, change), (before, was) = made, than
    on, earlier = step.effective(change).on, before.effective(was).on
    return on is not None and earlier is not None and on > earlier


def _in_stages(change: AccessChange, points: list[Made]) -> list[DatedChange]:
    """The range's ``change`` of a permission as the merges that made it come, each on
    its own day (``_stage``): a new user's permission, then its change held back until it
    comes; a rename of the operator, then another with the usage change after it (000
    §3-2). Each row goes from what the one before left to what its merge made, the last
    to the range's end. Dated by the last alone, the permission came with its change,
    weeks late; by the first, a rename came weeks early: in the day's snapshots of a run
    going back to a batch still waiting, and in the deltas of a run applying both."""
    rows = []
    held = change.before  # what downstream holds at the range's start (None: nothing)
    for n, (step, own) in enumerate(points):
        now = change.after if n == len(points) - 1 else own.after
        kind = ChangeKind.ADD if held is None else ChangeKind.CHANGE
        effective = step.effective(own)
        row = AccessChange(change.system, kind, held, now)
        rows.append(DatedChange(row, step.batch_of(own, effective), effective.on))
        held = now
    return rows


def _went_and_came(
    before: Access, after: Access, returned: Mapping[tuple[str, str], tuple[Made, Made]]
) -> dict[tuple[str, str], list[DatedChange]]:
    """The rows of a permission held at both ends of the range, taken away by one merge
    (a deletion, 000 §5-3) and granted again by a later one (a new application with the
    same ID, §5-1), the grant coming after the removal: the removal on its day and the
    grant on its own. Netted over the range the person holds it throughout (or with
    another code, a change dated by the grant), so that one run applying both never
    removed the ID, and the snapshots of the days between held a leaver. Where either
    day is not known yet (a manual step) or the grant comes first, the range's change
    stands, as before."""
    found: dict[tuple[str, str], list[DatedChange]] = {}
    for (system, login), ((went_step, went), (came_step, came)) in returned.items():
        held, end = before.get(login), after.get(login)
        if held is None or end is None or went_step is came_step:
            continue
        if system not in held.permissions or system not in end.permissions:
            continue
        ends, starts = went_step.effective(went), came_step.effective(came)
        if ends.on is None or starts.on is None or starts.on <= ends.on:
            continue
        removal = AccessChange(system, ChangeKind.REMOVE, held, None)
        grant = AccessChange(system, ChangeKind.ADD, None, end)
        found[(system, login)] = [
            DatedChange(removal, went_step.batch_of(went, ends), ends.on),
            DatedChange(grant, came_step.batch_of(came, starts), starts.on),
        ]
    return found


def _came_and_went(before: Access, after: Access, came: Made, went: Made) -> list[DatedChange]:
    """The rows of a permission granted (``came``) and taken away (``went``) by later
    merges of the range, which the person holds at neither end of it: each on its own
    day, where the grant comes first. Netted over the range there is no change, yet the
    grant may be an earlier run's, written already and coming before the removal (a new
    user whose operator then terminates): the day's snapshots of a run going back to that
    batch would not hold the person in between; and one run applying both writes them as
    two runs do."""
    (first_step, first), (step, own) = came, went
    login, system = own.person.login, own.system
    if own.kind is not ChangeKind.REMOVE or first_step is step:
        return []
    for side in (before.get(login), after.get(login)):
        if side is not None and system in side.permissions:
            return []  # the range's change of the permission is a row of its own
    starts, ends = first_step.effective(first), step.effective(own)
    if starts.on is None or (ends.on is not None and ends.on <= starts.on):
        return []
    return [
        DatedChange(first, first_step.batch_of(first, starts), starts.on),
        DatedChange(own, step.batch_of(own, ends), ends.on),
    ]


def _at_once(
    change: AccessChange,
    step: Step,
    own: AccessChange,
    on: date,
    earlier: Made | None,
    opening: Made | None,
) -> list[DatedChange] | None:
    """The rows of ``change``, whose last merge ``step`` suspends or lifts (``own``) on
    ``on``, where a change of the same permission comes later (None: no row but its own):
    the suspension on its day, on the permission as held until then, and the range's change
    on the later day, so that the change leaves the person as the suspension does (001
    p46: the system operator stops first, whatever is still to come).

    The later change is either in the range (``earlier``: its last change of the
    permission itself, dated later; ``opening``: its first that no earlier run applied),
    or applied by an earlier run, whose delta of that day
    downstream applies first (``Step.stop``). In the second case the suspension's row is
    written over what the range starts from, the permission as that delta will make it:
    until then downstream holds the code of before it (``Stop.held``), which the row names,
    and a directory keeps the person in that code's group (``Holder.behind``), which that
    delta takes them out of, and only the system's suspended group is written on the day.
    Where several such changes come, it is told again after each (``Stop.through``)."""
    system = change.system
    if earlier is not None:
        first_step, first = earlier
        comes = first_step.effective(first)
        if comes.on is not None and comes.on > on:
            m = None if change.kind in AT_ONCE_KINDS else first_step.batch_of(first, comes)
            later = DatedChange(change, m, comes.on)
            # Until it comes downstream holds what the rows of earlier runs gave: the
            # permission as this run's first change of it found it (``opening``), else as
            # the last change found it, an earlier run's rows holding every change of it.
            was = (opening or earlier)[1].before
            if was is None:  # nothing to stop before the permission comes
                return [later]
            stops = own.after is not None and own.after.is_suspended(system)
            held = was.suspended | {system} if stops else was.suspended - {system}
            now = replace(was, suspended=frozenset(held))
            return [DatedChange(AccessChange(system, own.kind, was, now), None, on), later]
    stopped = step.stop(own)
    again = stopped.again
    if again is None or again <= on or change.kind not in AT_ONCE_KINDS or change.after is None:
        return None
    rows = []
    told = [(on, stopped.held or change.after.permissions[system])]
    # Each earlier change still to come grants its code in its own row, written before:
    # told again after it, on the code it brings (a directory's groups stay as they are)
    told += [(day, code) for day, code in stopped.through if on < day < again]
    for day, code in told:
        ahead = replace(change.after, behind={**(change.after.behind or {}), system: code})
        rows.append(DatedChange(AccessChange(system, own.kind, change.before, ahead), None, day))
    return [*rows, DatedChange(change, None, again)]


def _stopped_before(
    change: AccessChange, own: AccessChange, flagged: Made, comes: date | None
) -> list[DatedChange]:
    """The row of a suspension or its lifting (``flagged``: the range's last of the
    permission) on its own day, where a later merge's change of the same permission
    (``own``), which dates the range's ``change``, comes after it or waits for a manual
    step: the system operator stops first (001 p46), on the code held until the change
    comes, which then leaves the person as the suspension did. Dated by the last merge
    alone, the suspension came with the change: weeks late, in the deltas of a run
    applying both merges and in the day's snapshots of any run whose history spans them
    (one going back to a batch still waiting from before the suspension)."""
    step, at = flagged
    on = step.effective(at).on
    if on is None or (comes is not None and comes <= on):
        return []
    system, was, now = change.system, change.before, own.before
    if was is None or now is None or system not in was.permissions or system not in now.permissions:
        return []  # nothing held to stop before the change comes
    if was.is_suspended(system) == now.is_suspended(system):
        return []
    return [DatedChange(AccessChange(system, at.kind, was, now), None, on)]


def _removals(
    change: AccessChange, step: Step, on: date, ending: set[tuple[str, str]]
) -> list[DatedChange]:
    """A suspension on ``on`` (``change``, of a step that suspends the person) of a permission
    a removal applied before takes away later (``plan.waits.removals``): the registry, and
    so the range, has it no more, yet downstream holds it until then, and the system
    operator stops it first (001 p46, 002 §3.4.4). Once per person and system
    (``_stopped_until_removed``)."""
    now = change.after
    if change.kind is not ChangeKind.SUSPEND or now is None or not step.waits.removed:
        return []
    return [
        row
        for removal in removals(step.waits, now.login, on)
        if removal.system not in now.permissions
        for row in _stopped_until_removed(change.before, now, on, removal, ending)
    ]


def _stopped_in(step: Step, after: Access, ending: set[tuple[str, str]]) -> list[DatedChange]:
    """What ``step`` suspends that a removal applied before takes away later: the
    registry has that permission no more, yet downstream holds it until the removal
    (``plan.waits.removals``), and it is stopped at once (``_stopped_until_removed``).
    Found merge by merge, not from the range's net change: a lifting by a later merge of
    the range nets the suspension away, yet the suspension's run has written the ID's
    leaving the suspended group on the removal's day, so the system stays stopped until
    then, in the day's snapshots as in the directory. Both a user's own suspension and an
    operator's of the system (002 §2.6, §3.4.4), which stops its users' IDs of it."""
    if not step.waits.removed:
        return []
    rows = []
    for change in step.changes:
        on = step.effective(change).on if change.kind is ChangeKind.SUSPEND else None
        if on is not None:
            rows += _removals(change, step, on, ending)
    stopped = {
        (op.code, use.system): use.effective.on
        for op in step.operators
        for item in op.items
        if isinstance(item, OperatorChange)
        for use in item.suspensions
        if use.suspended and use.effective.on is not None
    }
    for system, login in sorted(step.waits.removed):
        now = after.get(login)
        on = stopped.get((now.operator, system)) if now is not None else None
        if now is None or on is None or system in now.permissions:
            continue
        for removal in removals(step.waits, login, on):
            if removal.system == system:
                rows += _stopped_until_removed(now, now, on, removal, ending)
    return rows


def _stopped_until_removed(
    was: Holder | None,
    now: Holder,
    on: date,
    removal: Removal,
    ending: set[tuple[str, str]],
) -> list[DatedChange]:
    """The rows stopping ``now``'s permission a removal applied before takes away later
    (``removal``), from ``on``: the suspended code's row on the day, which a directory
    writes as joining the system's suspended group alone (the code's group keeps them
    until the removal's delta takes them out of it); and on the removal's day, after its
    own row, their leaving the suspended group, a directory's stage alone (the import files
    have the removal's row). Where a change of the permission still comes before the
    removal, the row again after it, on the code it brings (``Stop.through``'s case). A
    system new to the person, which such a change grants, is stopped from that day on
    (``Removal.since``): nothing of it is there before. Once per person and system
    (``ending``)."""
    system = removal.system
    if (system, now.login) in ending:
        return []
    ending.add((system, now.login))
    rows = []
    # Told on the day it is there, then again after each change still to come before the
    # removal
    for told, held in ((removal.since or on, removal.code), *removal.through):
        stopped = replace(
            now,
            permissions={**now.permissions, system: held},
            suspended=now.suspended | {system},
        )
        suspension = AccessChange(system, ChangeKind.SUSPEND, was, stopped)
        rows.append(DatedChange(suspension, None, told))
    gone = AccessChange(system, ChangeKind.REMOVE, stopped, None)
    rows.append(DatedChange(gone, None, removal.on, directory_only=True))
    return rows


def history(
    snapshots: Snapshots,
    base: str | None,
    head: str,
    today: date,
    merged: Mapping[str, MergedPullRequest] | None = None,
    default: Events | None = None,
    recorded: Mapping[str, ApplicationRecord] | None = None,
    released: Collection[str] = (),
    waits: Waits | None = None,
    start: Registry | None = None,
    revoked: Mapping[str, bytes] | None = None,
) -> History:
    """Everything between the applied revision ``base`` (None: nothing yet) and ``head``.

    ``merged`` are the pull requests by merge commit; ``default`` (the command's own
    options) the events of any merge not listed; ``recorded`` the applications already
    accepted, whose dates are kept. The ``released`` files (pinned) join at the end, dated
    by ``head``'s events, and after them the revocations of files still held back
    (``revoked``: each file, pinned, with them laid over it), one step per operator.
    ``waits``: the permissions applied before and still to come (``State.waiting``), no
    change of which is dated before it comes. ``start``: the
    registry at ``base`` as downstream held it, where its files held back then are not
    those the snapshots pin now (read as they are, a file with errors would be no user)."""
    repo = snapshots.repo
    head_sha = repo.resolve(head)
    base_sha = repo.resolve(base) if base is not None else None
    after = snapshots.at(head_sha)
    if base_sha is None:
        before, start = empty_like(after), None
        snapshots.prefer(after)
    elif start is None:
        before = snapshots.at(base_sha)
    else:
        before = start
    default = default or Events()
    merged = merged or {}
    # A first apply loads the registry as it stands: every item in effect on the day.
    loaded = today if base_sha is None else None
    rewritten = base_sha is not None and not repo.is_ancestor(base_sha, head_sha)
    # What the range's merges make come later, step by step (a first apply's: nothing)
    coming = Coming(today, waits) if loaded is None else None
    steps = list(
        _steps(
            repo, snapshots, base_sha, head_sha, merged, default, recorded or {}, loaded, waits,
            start, rewritten, today, coming,
        )
    )  # fmt: skip
    if base_sha is None:
        snapshots.read_through()
    by_operator: dict[str, list[str]] = defaultdict(list)
    for rel in sorted(released):
        by_operator[layout.operator_of(rel) or ""].append(rel)
    revoking: dict[str, dict[str, bytes]] = defaultdict(dict)
    for rel, data in sorted((revoked or {}).items()):
        revoking[layout.operator_of(rel) or ""][rel] = data
    if by_operator or revoking:
        day = merged_on(repo.commit(head_sha))
        events = merged.get(head_sha, MergedPullRequest(default)).events.known(day)
        # What still comes after the range's merges, as a merge after them would see it
        later = coming.waits if coming is not None else None
        done: list[str] = []
        for rels in by_operator.values():
            made = released_step(snapshots, head_sha, after, rels, events, done, waits=later)
            steps.append(made)
            after = made.after
            done += rels
        laid: dict[str, bytes] = {}
        for contents in revoking.values():
            made = revoked_step(
                snapshots, head_sha, after, contents, events, done, laid, waits=later
            )
            steps.append(made)
            after = made.after
            laid.update(contents)
    before_access, after_access = snapshots.access(before), snapshots.access(after)
    fallback = Dates.of(after, default.known(today), loaded)
    # One merge from what downstream holds to the head (a first apply's, often): its
    # changes are the range's.
    spanned = None
    if len(steps) == 1 and steps[0].after is after:
        was = snapshots.access(steps[0].before)
        if was is before_access or not (was or before_access):
            spanned = steps[0].changes
    rows = _rows(before_access, after_access, after, tuple(steps), fallback, spanned)
    return History(
        base_sha,
        head_sha,
        before,
        after,
        tuple(steps),
        rows,
        before_access,
        after_access,
        snapshots.scope,
        rewritten,
    )
