"""The registry of a git work tree, read and checked through the cache of incremental
validation: what the editing commands use instead of reading the whole registry.

An edit is checked as ``validate --changed-since HEAD`` checks the work tree, with the edited
files laid over it (``Snapshot.overlaid``) before anything is written: every rule runs by its
scope, the edited operator's group is checked again, every other group, the operator files
and the login IDs of every user come from the cache. The check of the registry before the
edit and the one after it share one listing of the work tree and whatever either read from
the cache (``_Memo``). Without a git repository, or with a registry HEAD does not hold, there
is no work tree to open (``WorkTree.open`` says None) and the caller reads the directory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from accessreg.errors import ConfigError, UsageError
from accessreg.files import gcpause, schemagen
from accessreg.files.cachedload import schemas_namespace
from accessreg.files.loading import load_catalog
from accessreg.files.parsecache import ParseCache, Table, cache_dir
from accessreg.files.schemacheck import SchemaChecker
from accessreg.gitio.repo import GitRepository
from accessreg.model import Catalog, layout
from accessreg.model.layout import Kind
from accessreg.model.registry import OperatorEntry, Registry, UserEntry
from accessreg.validation.incremental import Stats, _Run, _validate
from accessreg.validation.judge import Change, judge
from accessreg.validation.snapshot import Snapshot
from accessreg.validation.validate import ValidationResult, locate_all, unshadowed

_SHARED = (Kind.CATALOG, Kind.CALENDAR, Kind.MAINTAINERS)


class _Memo(ParseCache):
    """The cache, with what this process already read from it or put in it kept in memory:
    the checks before and after an edit differ only in the edited operator's entries."""

    def __init__(self, directory: Path, space: str, memo: dict[str, dict[str, Any]]) -> None:
        super().__init__(directory, space)
        self._memo = memo

    def get(
        self, table: Table, keys: Iterable[str], kind: type | tuple[type, ...] = object
    ) -> dict[str, Any]:
        held = self._memo.setdefault(table, {})
        wanted = list(keys)
        found = {k: held[k] for k in wanted if k in held}
        missing = [k for k in wanted if k not in found]
        if missing:
            read = super().get(table, missing, kind)
            held.update(read)
            found.update(read)
        return found

    def put(self, table: Table, values: Mapping[str, Any]) -> None:
        self._memo.setdefault(table, {}).update(values)
        super().put(table, values)


class WorkTree:
    """The registry in a git work tree as a snapshot of HEAD with the work tree's changes
    (one ``git diff`` and one listing of untracked files); users listed per operator."""

    def __init__(
        self,
        repo: GitRepository,
        snapshot: Snapshot,
        catalog: Catalog,
        space: str,
        by_kind: Mapping[Kind, SchemaChecker],
        today: date,
    ) -> None:
        self.repo = repo
        self.snapshot = snapshot
        self.catalog = catalog
        self.today = today
        self._space = space
        self._by_kind = by_kind
        self._memo: dict[str, dict[str, Any]] = {}
        self._checked: dict[frozenset[tuple[str, bytes | None]], list[Any]] = {}

    @classmethod
    def open(cls, root: Path, label: str, today: date) -> WorkTree | None:
        """The work tree holding ``root``; None when there is none to read incrementally
        (no git repository, no commit holding the registry, a catalog that does not load)."""
        try:
            repo = GitRepository(root)
        except ConfigError:
            return None
        try:
            absolute = root.resolve()
            prefix = absolute.relative_to(repo.root.resolve()).as_posix()
            if prefix in ("", "."):
                raise ConfigError("the registry is the repository itself")
            head = repo.resolve("HEAD")
            snapshot = Snapshot(repo, prefix, absolute, label, head, None)
            catalog, _ = load_catalog(snapshot, snapshot.paths())
        except (ConfigError, UsageError, ValueError):
            repo.close()
            return None
        if catalog is None:  # the full check says why
            repo.close()
            return None
        space = schemas_namespace(catalog)
        return cls(repo, snapshot, catalog, space, schemagen.checks(catalog).checkers, today)

    def close(self) -> None:
        self.repo.close()

    def _cache(self) -> _Memo:
        return _Memo(cache_dir(self.repo.common_dir), self._space, self._memo)

    # -- reading -----------------------------------------------------------------------------

    def exists(self, rel: str) -> bool:
        kind, code = layout.split(rel)
        if kind is Kind.USER and code is not None:
            self.snapshot.users_of([code])  # every other file is known already
        return rel in self.snapshot.blobs

    def read(self, rel: str) -> bytes | None:
        return self.snapshot.read(rel) if self.exists(rel) else None

    def files_under(self, prefix: str) -> list[str]:
        parts = prefix.split("/")
        if len(parts) > 1 and parts[0] == layout.USERS_DIR:
            self.snapshot.users_of([parts[1]])
        return sorted(r for r in self.snapshot.blobs if r.startswith(prefix))

    def _load(self, snapshot: Snapshot, rels: Iterable[str]) -> Registry:
        cache = self._cache()
        try:
            run = _Run(snapshot, self.today, cache, Stats(files=snapshot.files))
            wanted = sorted(set(rels))
            registry, _ = run.load(wanted, run.parsed(wanted, self._by_kind))
            cache.put("parsed", run.new_parsed)
        finally:
            cache.close()
        return registry

    def registry(self) -> Registry:
        """The shared files and every operator file (their users: ``users_of``)."""
        return self._load(self.snapshot, self.snapshot.state.others)

    def _shared(self) -> list[str]:
        return [r for r in self.snapshot.state.others if layout.split(r)[0] in _SHARED]

    def operator(self, code: str) -> OperatorEntry | None:
        """One operator, from the file named after it."""
        rel = layout.operator_file(code)
        if rel not in self.snapshot.state.others:
            return None
        return self._load(self.snapshot, [*self._shared(), rel]).operators.get(code)

    def users_of(self, code: str) -> Sequence[UserEntry]:
        users = self.snapshot.users_of([code])
        return self._load(self.snapshot, [*self._shared(), *users]).users_of(code)

    def user(self, rel: str) -> UserEntry | None:
        """One user file as it loads (None: it does not), without its operator's others."""
        if not self.exists(rel):
            return None
        loaded = self._load(self.snapshot, [*self._shared(), rel])
        return next((u for u in loaded.users if u.file == rel), None)

    def around(self, changed: Mapping[str, bytes | None]) -> tuple[Registry, Registry, list[str]]:
        """The registry before and after ``changed`` (the shared files, every operator file
        and the changed files), and every user file's path before it."""
        after = self.snapshot.overlaid(changed)
        others = self.snapshot.state.others
        before_reg = self._load(self.snapshot, [*others, *(r for r in changed if self.exists(r))])
        after_reg = self._load(
            after, [*after.state.others, *(r for r in changed if changed[r] is not None)]
        )
        users = self.snapshot.users_of(self.snapshot.state.groups)
        return before_reg, after_reg, sorted(users)

    # -- checking ----------------------------------------------------------------------------

    def check(self, changed: Mapping[str, bytes | None], change: Change | None) -> ValidationResult:
        """The problems of the registry with ``changed`` laid over it (nothing laid over:
        the work tree as it is), judged as ``change``'s, located."""
        with gcpause.paused():  # the cached findings are many objects, no cycles
            return self._check(changed, change)

    def _check(
        self, changed: Mapping[str, bytes | None], change: Change | None
    ) -> ValidationResult:
        snapshot = self.snapshot.overlaid(changed) if changed else self.snapshot
        key = frozenset(changed.items())
        if key not in self._checked:
            cache = self._cache()
            try:
                run = _Run(snapshot, self.today, cache, Stats(files=snapshot.files))
                self._checked[key] = _validate(run, self._by_kind)
            finally:
                cache.close()
        judged = judge(unshadowed(self._checked[key]), change)
        # Problems are located in their files: know every file that has one.
        snapshot.users_of({c for p in judged.problems if (c := layout.split(p.file)[1])})
        located = locate_all(judged.problems, snapshot)
        return ValidationResult(sorted(located), snapshot.files, None, tuple(judged.set_aside))
