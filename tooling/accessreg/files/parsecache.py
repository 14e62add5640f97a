"""The cache of incremental validation: parsed files and rule findings, keyed by blob ids.

One SQLite file per *namespace*: the tool's version and source code, the versions of Python
and pydantic, and the generated schemas (which follow the models and the catalog). Anything
that changes how a file is read or checked changes the namespace, so a stale entry can never
be used; older files are deleted when a new namespace is opened.

- ``parsed``: a file as parsed (its data and its own problems), keyed by its path and git
  blob id.
- ``groups``: the findings of the rules scoped to one operator, keyed by a digest of the
  blob ids they were computed from and the day (rules depend on the date).
- ``trees``: what a registry tree holds (``incremental.TreeState``), keyed by its tree id;
  in the namespace of operator indexes, what a plan needs of every operator
  (``model.registry.OperatorIndex``), keyed by the operators' tree and the catalog.
- ``shares``: an operator's share of the snapshot outputs (``provision.shares``), keyed by
  the blob and tree ids it was rendered from.
- ``units``: where each holder's bytes lie in a share (``outputs.fragments.Units``), under
  the share's key, so that rendering the operator again keeps those of unchanged holders.
- ``carried``: the days over which an operator's share on the day, kept under a key of its
  own, holds (``provision.shares.Carried``), keyed by the operator, its files and the
  applied revision.
- ``cache-<namespace>.snapshot``, a file beside the tables (``namespace_file``): a whole
  loaded registry (``cachedload.load_snapshot``) with the blob id of every file, read back
  as it is when none changed, patched with the changed files when a few did; only the last
  one is kept. Its users are kept an operator at a time, with an index of where each
  operator's are: a check reads the users of the operators it checks (``kept_users``).
- ``members`` and ``groups_listed``: an index from a name to the groups holding it, looked
  up by name (``review.logins``: login ID → the git trees of users' directories with a file
  of that name). A group is listed once all its members are in, in the same transaction;
  a group's key names its content (a tree id), so what it lists never goes stale.

Where it lives: ``$ACCESSREG_CACHE_DIR`` if set, else ``accessreg-cache/`` in the
repository's git directory (``.git/accessreg-cache``), which no checkout or commit sees.
The cache is only ever an optimisation: when it cannot be opened or written, validation
goes on without it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sqlite3
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import version as pydantic_version

from accessreg import __version__
from accessreg.model.messages import Message, Verbatim, msg

ENV_DIR = "ACCESSREG_CACHE_DIR"
DIR_NAME = "accessreg-cache"
# The key-value tables; their names are never input.
Table = Literal["parsed", "groups", "trees", "shares", "units", "carried", "owed"]
_CHUNK = 900  # below SQLite's limit on query parameters
_STALE_SECONDS = 7 * 24 * 3600  # other namespaces (other versions, worktrees) left alone a week


def cache_dir(git_dir: Path) -> Path:
    env = os.environ.get(ENV_DIR)
    return Path(env) if env else git_dir / DIR_NAME


@functools.cache
def code_digest() -> str:
    """A digest of the package's own source: a checkout at another commit is another tool,
    whatever its version number says."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent  # every module: the rules too
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def namespace(schemas_text: str) -> str:
    """The digest of everything a cached entry depends on besides its own content."""
    h = hashlib.sha256()
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    # The kept models are pydantic's: another version of it may read them back as
    # something else, or not at all (each pins its pydantic-core).
    pydantic = pydantic_version.VERSION
    for part in (__version__, python, pydantic, code_digest(), schemas_text):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:24]


def namespace_file(directory: Path, space: str, name: str) -> Path:
    """The file ``name`` of the namespace ``space``: its tables (``sqlite3``), or beside
    them a value too large to be one row, read and written as a stream (``snapshot``);
    removed with the namespace when it goes stale."""
    return directory / f"cache-{space}.{name}"


class _Damaged:
    """What a row that does not unpickle reads back as."""


_DAMAGED = _Damaged()


def _unpickled(value: bytes) -> object:
    try:
        return pickle.loads(value)
    except Exception:  # the unpickler raises whatever the bytes lead it to
        return _DAMAGED


class ParseCache:
    """A store of pickled values in key-value tables; every failure degrades to a miss."""

    def __init__(self, directory: Path, space: str) -> None:
        self.directory = directory  # its tables' file and the namespace's others
        self.path = namespace_file(directory, space, "sqlite3")
        self.error: Message | None = None
        self._db: sqlite3.Connection | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            now = time.time()
            for old in directory.glob("cache-*"):
                if not old.name.startswith(f"cache-{space}.") and (
                    now - old.stat().st_mtime > _STALE_SECONDS
                ):
                    old.unlink(missing_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            os.utime(self.path)  # in use: not stale for other namespaces' clean-up
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            for table in get_args(Table):
                self._db.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value BLOB)"
                )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS members (member TEXT, grp TEXT, name TEXT,"
                " PRIMARY KEY (member, grp, name)) WITHOUT ROWID"
            )
            self._db.execute("CREATE TABLE IF NOT EXISTS groups_listed (grp TEXT PRIMARY KEY)")
        except (OSError, sqlite3.Error) as exc:
            self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        self.error = msg(
            "Cache {file} not used: {why}", file=Verbatim(str(self.path)), why=Verbatim(str(exc))
        )
        if self._db is not None:
            self._db.close()
        self._db = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def get(
        self, table: Table, keys: Iterable[str], kind: type | tuple[type, ...] = object
    ) -> dict[str, Any]:
        """The values kept under ``keys``, each an instance of ``kind``. A value that does
        not read back as one (a corrupted row, or one pickled by other versions of the
        libraries) empties its table, so that this run's results replace it: a miss, as
        if the table had never been filled."""
        if self._db is None:
            return {}
        wanted = list(keys)
        found: dict[str, Any] = {}
        try:
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, value FROM {table} WHERE key IN ({marks})",
                    chunk,
                )
                for key, value in rows:
                    item = _unpickled(value)
                    if item is _DAMAGED or not isinstance(item, kind):
                        self.clear(table)
                        return {}
                    found[key] = item
        except sqlite3.Error as exc:
            self._fail(exc)
            return {}
        return found

    def present(self, table: Table, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` the table holds, without reading their values."""
        return self._column(f"SELECT key FROM {table} WHERE key IN ({{marks}})", keys)

    def put(self, table: Table, values: Mapping[str, Any]) -> None:
        if self._db is None or not values:
            return
        try:
            with self._db:
                self._db.execute("BEGIN")
                # Pickled as they are inserted: a cold run puts 200,000 parsed files at
                # once, whose pickles held together took 120 MB more at its peak.
                self._db.executemany(
                    f"INSERT OR REPLACE INTO {table} (key, value) VALUES (?, ?)",
                    (
                        (k, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL))
                        for k, v in values.items()
                    ),
                )
        except sqlite3.Error as exc:
            self._fail(exc)

    def prune(self, table: Table, keep: Iterable[str]) -> None:
        """Delete every entry of ``table`` but ``keep`` (what the current registry uses)."""
        self._keep_only(keep, f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM keep)")

    def _keep_only(self, keep: Iterable[str], *deletes: str) -> None:
        """Run ``deletes``, which drop what the temporary table ``keep`` does not hold."""
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
                self._db.execute("DELETE FROM keep")
                self._db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keep))
                for delete in deletes:
                    self._db.execute(delete)
        except sqlite3.Error as exc:
            self._fail(exc)

    def add_groups(self, groups: Mapping[str, Iterable[tuple[str, str]]]) -> None:
        """Record each group's every (member, name), and that the group is complete, in one
        transaction: a group is listed with all its members or not at all."""
        if self._db is None or not groups:
            return
        # In key order: a B-tree filled in order is written once, not split at random.
        rows = sorted(
            (member, grp, name) for grp, pairs in groups.items() for member, name in pairs
        )
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany("INSERT OR IGNORE INTO members VALUES (?, ?, ?)", rows)
                self._db.executemany(
                    "INSERT OR IGNORE INTO groups_listed VALUES (?)", ((g,) for g in groups)
                )
        except (sqlite3.Error, UnicodeError) as exc:  # text SQLite cannot hold
            self._fail(exc)

    def groups_listed(self, groups: Iterable[str]) -> set[str]:
        """Which of ``groups`` are complete in the index."""
        return self._column("SELECT grp FROM groups_listed WHERE grp IN ({marks})", groups)

    def members_of(self, members: Iterable[str]) -> list[tuple[str, str, str]]:
        """(member, group, name) of every listed group holding one of ``members``."""
        if self._db is None:
            return []
        wanted = list(dict.fromkeys(members))
        found: list[tuple[str, str, str]] = []
        try:
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                found.extend(
                    self._db.execute(
                        f"SELECT member, grp, name FROM members WHERE member IN ({marks})", chunk
                    )
                )
        except (sqlite3.Error, UnicodeError) as exc:
            self._fail(exc)
            return []
        return found

    def count_groups(self) -> int:
        if self._db is None:
            return 0
        try:
            row = self._db.execute("SELECT count(*) FROM groups_listed").fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
            return 0
        return int(row[0])

    def prune_groups(self, keep: Iterable[str]) -> None:
        """Forget every group of the index but ``keep``."""
        self._keep_only(
            keep,
            "DELETE FROM groups_listed WHERE grp NOT IN (SELECT key FROM keep)",
            "DELETE FROM members WHERE grp NOT IN (SELECT key FROM keep)",
        )

    def _column(self, query: str, keys: Iterable[str]) -> set[str]:
        if self._db is None:
            return set()
        wanted = list(keys)
        found: set[str] = set()
        try:
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                rows = self._db.execute(query.format(marks=",".join("?" * len(chunk))), chunk)
                found.update(key for (key,) in rows)
        except sqlite3.Error as exc:
            self._fail(exc)
            return set()
        return found

    def clear(self, table: Table) -> None:
        if self._db is None:
            return
        try:
            self._db.execute(f"DELETE FROM {table}")
        except sqlite3.Error as exc:
            self._fail(exc)

    def holds_more_than(self, table: Table, limit: int) -> bool:
        """Whether ``table`` holds more than ``limit`` entries. Its largest row id answers
        with one lookup while it is within ``limit``: every row has an id of its own, so
        there are never more rows than that (a replaced entry takes a new id; a cleared
        table starts again from 1). Only then are they counted: a count reads the whole
        table's index, 0.2 s of every run at 200,000 files."""
        if self._db is None:
            return False
        try:
            row = self._db.execute(f"SELECT max(rowid) FROM {table}").fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
            return False
        return row[0] is not None and row[0] > limit and self.count(table) > limit

    def count(self, table: Table) -> int:
        if self._db is None:
            return 0
        try:
            row = self._db.execute(f"SELECT count(*) FROM {table}").fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
            return 0
        return int(row[0])
