"""The registry being validated incrementally, known without listing every file.

A *tree state* (every non-user file with its blob id; per operator, a digest of its users'
paths and blob ids) is cached per registry tree id; the changes since ``REV`` are applied to
it and users are listed only for the operators a run needs.
"""

from __future__ import annotations

import copy
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from accessreg.errors import ConfigError
from accessreg.files.parsecache import ParseCache, cache_dir, namespace
from accessreg.files.sources import Entry, entry_at, read_in
from accessreg.gitio.repo import GitRepository, blob_id
from accessreg.model import layout
from accessreg.model.layout import Kind
from accessreg.model.messages import msg
from accessreg.validation.judge import Change


def _hidden(rel: str) -> bool:
    # A full run walks the directory skipping hidden directories; see the same files.
    if "." not in rel[:1] and "/." not in rel:
        return False
    directory = rel.rpartition("/")[0]
    return directory.startswith(".") or "/." in directory


def digest(*parts: Iterable[str]) -> str:
    text = "\1".join("\0".join(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _user_code(rel: str) -> str | None:
    """The operator of a user's file; None for any other file."""
    kind, code = layout.split(rel)
    return code if kind is Kind.USER else None


def _users_digest(users: Mapping[str, str]) -> str:
    return digest(f"{rel}:{users[rel]}" for rel in sorted(users))


@dataclass(frozen=True)
class TreeState:
    """A registry tree, small: kept in the cache by tree id."""

    others: dict[str, str]  # every file that is not a user's → its blob id
    groups: dict[str, tuple[str, int]]  # operator code → (digest of its users, how many)
    # Entries that stand where a file would but are none (``files.sources.Entry``).
    irregular: dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def of(cls, blobs: Mapping[str, str], irregular: Mapping[str, Entry]) -> TreeState:
        odd = {rel: what for rel, what in irregular.items() if not _hidden(rel)}
        others: dict[str, str] = {}
        users: dict[str, dict[str, str]] = defaultdict(dict)
        for rel, blob in blobs.items():
            if _hidden(rel):
                continue
            kind, code = layout.split(rel)
            if kind is Kind.USER and code is not None:
                users[code][rel] = blob
            else:
                others[rel] = blob
        groups = {c: (_users_digest(u), len(u)) for c, u in users.items()}
        return cls(others, groups, odd)


class Snapshot:
    """The registry being validated, as a ``Source``: the state of ``rev`` with the changes
    since applied. Users are listed per operator, only for the operators a run needs."""

    def __init__(
        self,
        repo: GitRepository,
        prefix: str,
        root: Path,
        label: str,
        rev: str,
        head: str | None,
        listed: tuple[Mapping[str, str], Mapping[str, Entry]] | None = None,
    ) -> None:
        self.repo = repo
        self.prefix = prefix
        self.root = root
        self.label = label
        self.rev = rev  # the revision the change is from
        self.head = head  # None: the work tree
        self.listed_at = head or rev  # where listings come from (then the work tree's changes)
        self.fresh: dict[str, bytes] = {}  # content already read
        self.odd_changes: dict[str, Entry] = {}  # of ``changes``, those that are no file
        self.blobs: dict[str, str] = {}  # every file known so far → its blob id
        self._users: dict[str, dict[str, str]] = defaultdict(dict)  # listed, per operator
        self._listed: set[str] = set()  # operators whose users are in ``blobs``
        self._full = False
        # The catalog decides the namespace of parsed files and findings, and the tree state
        # says where the catalog is: tree states have a cache of their own.
        trees = ParseCache(cache_dir(repo.common_dir), namespace("trees"))
        try:
            base = self._state(rev, trees, listed)
            self.changes = self._changes(rev)  # rel → blob, None when gone
            self.state = self._apply(base, trees)
        finally:
            trees.close()
        self.blobs.update(self.state.others)

    # -- building the state ------------------------------------------------------------------

    def _state(
        self,
        rev: str,
        cache: ParseCache,
        listed: tuple[Mapping[str, str], Mapping[str, Entry]] | None = None,
    ) -> TreeState:
        """``rev``'s tree state, from the cache, or else from ``listed`` (every file under
        the prefix at ``rev`` and the entries that are no file, listed already) or a
        listing of the tree."""
        tree = self.repo.tree_id(rev, self.prefix)
        if tree is None:
            raise ConfigError(msg("{rev} has no {prefix}/ directory", rev=rev, prefix=self.prefix))
        cached: TreeState | None = cache.get("trees", [tree], TreeState).get(tree)
        if cached is None:
            cached = TreeState.of(*(listed or self.repo.tree_listing(rev, self.prefix)))
            _keep_state(cache, tree, cached)
        return cached

    def _changes(self, rev: str) -> dict[str, str | None]:
        """What changed since ``rev``: each path → its new blob id, None when it is gone or
        no file (those are ``odd_changes``)."""
        if self.head is not None:
            self.odd_changes = self.repo.changed_irregular(rev, self.head, self.prefix)
            return self.repo.changed_blobs(rev, self.head, self.prefix)
        found: dict[str, str | None] = {}
        for rel in self.repo.worktree_changes(rev, self.prefix):
            # A link is never read; a directory named as a registry file (a submodule
            # checked out) is reported as a full run reports it, any other is no file.
            what = entry_at(self.root / rel)
            if what == "symlink" or (what == "directory" and layout.classify(rel) is not None):
                self.odd_changes[rel] = what
                found[rel] = None
                continue
            try:
                self.fresh[rel] = read_in(self.root, rel)
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                found[rel] = None  # gone (a directory is no file git holds)
            else:
                found[rel] = blob_id(self.fresh[rel])
        return found

    def _apply(self, base: TreeState, cache: ParseCache) -> TreeState:
        others = dict(base.others)
        odd = dict(base.irregular)
        touched: set[str] = set()
        for rel, blob in self.changes.items():
            if _hidden(rel):
                continue
            if rel in self.odd_changes:
                odd[rel] = self.odd_changes[rel]
            else:
                odd.pop(rel, None)
            kind, code = layout.split(rel)
            if kind is Kind.USER and code is not None:
                touched.add(code)
            elif blob is None:
                others.pop(rel, None)
            else:
                others[rel] = blob
        groups = dict(base.groups)
        self.users_of(touched)
        for code in touched:
            mine = self._users.get(code)
            if mine:
                groups[code] = (_users_digest(mine), len(mine))
            else:
                groups.pop(code, None)
        state = TreeState(others, groups, odd)
        if self.head is not None and (tree := self.repo.tree_id(self.head, self.prefix)):
            _keep_state(cache, tree, state)  # the next run on this commit starts here
        return state

    # -- listing users -----------------------------------------------------------------------

    def users_of(self, codes: Iterable[str]) -> dict[str, str]:
        """Every user file (→ blob id) of these operators, as the snapshot has them."""
        wanted = {c for c in codes if not c.startswith(".")}
        missing = sorted(wanted - self._listed)
        if missing and not self._full:
            many = len(missing) > 200  # one listing of everything is cheaper than that
            under = [] if many else [layout.users_dir(code) for code in missing]
            listed = self.repo.tree_blobs(self.listed_at, self.prefix, under)
            if self.head is None:
                for rel, blob in self.changes.items():
                    listed.pop(rel, None)
                    if blob is not None:
                        listed[rel] = blob
            for rel, blob in listed.items():
                kind, code = layout.split(rel)
                if kind is Kind.USER and code and (many or code in wanted) and not _hidden(rel):
                    self.blobs[rel] = blob
                    self._users[code][rel] = blob
            self._listed.update(missing)
            self._full = many
        return {rel: blob for code in wanted for rel, blob in self._users.get(code, {}).items()}

    def overlaid(self, files: Mapping[str, bytes | None]) -> Snapshot:
        """This snapshot with ``files`` laid over it (None: removed), as if they had been
        written to the work tree: an edit, checked before anything touches the disk."""
        touched = {code for rel in files if (code := _user_code(rel)) is not None}
        self.users_of(touched)  # listed here first: the copy starts from the same listing
        other = copy.copy(self)
        other.fresh = dict(self.fresh)
        other.blobs = dict(self.blobs)
        other._users = defaultdict(dict, {code: dict(u) for code, u in self._users.items()})
        other._listed = set(self._listed)
        other.changes = dict(self.changes)
        other.odd_changes = {r: w for r, w in self.odd_changes.items() if r not in files}
        others = dict(self.state.others)
        for rel, raw in files.items():
            blob: str | None = None
            if raw is None:
                other.fresh.pop(rel, None)
                other.blobs.pop(rel, None)
            else:
                blob = other.blobs[rel] = blob_id(raw)
                other.fresh[rel] = raw
            other.changes[rel] = blob
            if _hidden(rel):
                continue
            code = _user_code(rel)
            place = other._users[code] if code is not None else others
            if blob is None:
                place.pop(rel, None)
            else:
                place[rel] = blob
        groups = dict(self.state.groups)
        for code in touched:
            mine = other._users.get(code)
            if mine:
                groups[code] = (_users_digest(mine), len(mine))
            else:
                groups.pop(code, None)
        odd = {r: w for r, w in self.state.irregular.items() if r not in files}
        other.state = TreeState(others, groups, odd)
        return other

    @property
    def change(self) -> Change:
        """What changed since the revision, as a change to judge."""
        files = frozenset(rel for rel in self.changes if not _hidden(rel))
        gone = frozenset(r for r in files if self.changes[r] is None and r not in self.odd_changes)
        return Change(files, removed=gone)

    @property
    def files(self) -> int:
        return len(self.state.others) + sum(n for _, n in self.state.groups.values())

    # -- Source ------------------------------------------------------------------------------

    def paths(self) -> list[str]:
        """The files known so far: every non-user file and the users listed."""
        return sorted(self.blobs)

    def irregular(self) -> Mapping[str, Entry]:
        """Every entry that is no file, users' directories included: few, listed whole."""
        return self.state.irregular

    def prefetch(self, rels: Iterable[str]) -> None:
        """Read many files at once (from git in one batch when checking a commit)."""
        if self.head is None:
            return
        wanted = {rel: self.blobs[rel] for rel in rels if rel not in self.fresh}
        content = self.repo.read_blobs(wanted.values())
        for rel, blob in wanted.items():
            self.fresh[rel] = content[blob]

    def read(self, rel: str) -> bytes:
        if rel not in self.fresh:
            if self.head is not None:
                self.prefetch([rel])
            else:
                return read_in(self.root, rel)
        return self.fresh[rel]


def _keep_state(cache: ParseCache, tree: str, state: TreeState) -> None:
    if cache.count("trees") > 100:  # a state per registry tree checked: start over now and then
        cache.clear("trees")
    cache.put("trees", {tree: state})


class Subset:
    """Some of a snapshot's files: what one load in this run needs."""

    def __init__(self, snapshot: Snapshot, rels: Iterable[str]) -> None:
        self.snapshot = snapshot
        self.label = snapshot.label
        self.rels = sorted(set(rels))

    def paths(self) -> list[str]:
        return self.rels

    def read(self, rel: str) -> bytes:
        return self.snapshot.read(rel)
