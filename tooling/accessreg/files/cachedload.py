"""Loading a snapshot whose files are known by git blob id, parsing only what the cache of
incremental validation does not already hold.

A plan or an authorization reads every operator file on both sides of a change; most of
them are the same blobs every run, and ``validate --changed-since`` has usually parsed them
already. Files come from the cache by (path, blob id); the rest are parsed once (a blob
shared by both sides of a change is parsed once for both) and added to the cache. The
result is that of :func:`loading.load` on the same files: the cache only skips work.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import pickle
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from accessreg.files import gcpause, schemagen
from accessreg.files.loading import (
    Contribution,
    LoadResult,
    Models,
    Parsed,
    load,
    load_catalog,
    parse_all,
)
from accessreg.files.parsecache import ParseCache, namespace, namespace_file
from accessreg.files.sources import Identified, Irregular, Source
from accessreg.model import Catalog, layout
from accessreg.model.layout import Kind
from accessreg.model.problems import Problem
from accessreg.model.registry import Registry, UserEntry


class BlobSource(Source, Identified, Protocol):
    """A source whose files have git blob ids and can be read in one batch."""

    def prefetch(self, rels: Iterable[str]) -> None: ...


def schemas_namespace(catalog: Catalog) -> str:
    """The cache namespace of files checked against the schemas ``catalog`` generates."""
    return namespace(schemagen.checks(catalog).text)


def parse_key(rel: str, blob: str) -> str:
    """The key of a parsed file in the cache: its path and its blob id."""
    return f"{rel}\0{blob}"


class _Streamed(Mapping[str, Parsed]):
    """The parsed files of one load, read from the cache a slice at a time in the order the
    load asks for them, each let go once its model is built: the parsed data of a whole
    registry is never in memory at once beside its models."""

    _SLICE = 4000

    def __init__(
        self,
        order: Sequence[tuple[str, Kind]],
        keys: Mapping[str, str],
        cache: ParseCache,
        fresh: dict[str, Parsed],
        parse_one: Callable[[str, Kind], Parsed],
    ) -> None:
        self._order = order
        self._at = {rel: i for i, (rel, _) in enumerate(order)}
        self._keys = keys
        self._cache = cache
        self._fresh = fresh
        self._parse_one = parse_one
        self._slice: dict[str, Parsed] = {}

    def __contains__(self, rel: object) -> bool:
        return rel in self._keys

    def __getitem__(self, rel: str) -> Parsed:
        key = self._keys[rel]
        if key in self._fresh:
            return self._fresh.pop(key)
        if key not in self._slice:
            start = self._at[rel]
            ahead = [self._keys[r] for r, _ in self._order[start : start + self._SLICE]]
            self._slice = self._cache.get(
                "parsed", [k for k in ahead if k not in self._fresh], Parsed
            )
        found = self._slice.pop(key, None)
        # Gone from the cache since it was listed (or the cache failed): parsed now.
        return found if found is not None else self._parse_one(rel, self._order[self._at[rel]][1])

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _load_one(source: BlobSource, directory: Path) -> LoadResult:
    """One source, as :func:`load_cached` loads it, streaming the cached files."""
    rels = source.paths()
    catalog, _ = load_catalog(source, rels)
    if catalog is None:  # load() reports why
        return load(source)
    by_kind = schemagen.checks(catalog).checkers
    items = _items(rels)
    keys = {rel: parse_key(rel, source.blob(rel)) for rel, _ in items}
    cache = ParseCache(directory, schemas_namespace(catalog))
    try:
        held = cache.present("parsed", keys.values())
        missing = [(rel, kind) for rel, kind in items if keys[rel] not in held]
        source.prefetch(rel for rel, _ in missing)
        fresh = {keys[p.rel]: p for p in parse_all(source, by_kind, missing)}
        cache.put("parsed", fresh)

        def parse_one(rel: str, kind: Kind) -> Parsed:
            [parsed] = parse_all(source, by_kind, [(rel, kind)])
            return parsed

        return load(source, _Streamed(items, keys, cache, fresh, parse_one))
    finally:
        cache.close()


def _items(rels: Sequence[str]) -> list[tuple[str, Kind]]:
    return [
        (rel, kind)
        for rel in rels
        if (kind := layout.classify(rel)) is not None
        and kind is not Kind.CATALOG
        and layout.readable_name(rel)
    ]


def load_snapshot(source: BlobSource, directory: Path, keep: bool = True) -> LoadResult:
    """``source`` loaded as :func:`load_cached` loads it on its own, the whole result kept in
    the cache with the blob ids of every file: a registry nobody changed since the last run
    (a daily run's) is read back in one piece, a fifth of the CPU of building its models
    from the parsed files again; one a merge changed since is read back and only its changed
    files loaded (``_patched``). Only the last snapshot is kept, and only with ``keep``: a
    read of an older revision leaves the head's in place. A source with entries that
    are no file (``file-type``) is loaded as it is: the key names files alone, and such an
    entry is an error of its own that a kept result would not hold."""
    rels = source.paths()
    catalog, _ = load_catalog(source, rels)
    if catalog is None:  # load() reports why
        return load(source)
    if isinstance(source, Irregular) and source.irregular():
        return _load_one(source, directory)
    blobs = {rel: source.blob(rel) for rel in rels}
    text = _blobs_text(blobs)
    key = hashlib.sha256(text).hexdigest()
    kept_in = _snapshot_file(directory, catalog)
    with gcpause.paused():  # millions of objects without cycles
        kept = _read_snapshot(kept_in, key, blobs)
    if kept is not None and not kept[1]:
        return kept[0]
    result = _patched(source, *kept) if kept is not None else None
    if result is None:
        result = _load_one(source, directory)
    if keep:
        _write_snapshot(kept_in, key, blobs, text, result)
    return result


def keep_loaded(blobs: Mapping[str, str], directory: Path, result: LoadResult) -> None:
    """Keep ``result``, the files with these blob ids loaded by a check (``salvage``), as
    :func:`load_snapshot` keeps what it loads: its next load of the same files reads it
    back. A first apply, or a cold cache checked whole, has just loaded every file; a
    status or daily run after it parsed them all again. Kept only where it is what a load
    gives: every file loaded as it is (a check keeps what it can of a file with errors, a
    load leaves the file out) and every file of ``blobs`` in it (a check does not read a
    hidden one, a load lists it)."""
    registry = result.registry
    if registry is not None and not registry.broken and registry.files == blobs.keys():
        text = _blobs_text(blobs)
        kept_in = _snapshot_file(directory, registry.catalog)
        _write_snapshot(kept_in, hashlib.sha256(text).hexdigest(), blobs, text, result)


def _snapshot_file(directory: Path, catalog: Catalog) -> Path:
    """Where the snapshot of a registry of ``catalog`` is kept: what a file gives a load
    follows from its bytes and the schemas the catalog generates."""
    return namespace_file(directory, schemas_namespace(catalog), "snapshot")


def _blobs_text(blobs: Mapping[str, str]) -> bytes:
    """The blob ids of a snapshot's files, as one value (its SHA-256 is the snapshot's
    key): read back whole in a few milliseconds when the snapshot is current, taken apart
    only when it is not."""
    return "".join(f"{rel}\0{blob}\n" for rel, blob in blobs.items()).encode(
        "utf-8", "surrogateescape"
    )


def _blobs_of(text: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in text.decode("utf-8", "surrogateescape").splitlines():
        rel, _, blob = line.partition("\0")
        found[rel] = blob
    return found


def _changed(kept: Mapping[str, str], blobs: Mapping[str, str]) -> set[str] | None:
    """The files added, changed or removed since the kept snapshot, if patching it pays
    (None: too many did). What a file gives a load follows from its bytes and the
    generated schemas, which name the snapshot's file (``namespace_file``)."""
    changed = {rel for rel, blob in blobs.items() if kept.get(rel) != blob}
    changed.update(rel for rel in kept if rel not in blobs)
    if len(changed) > max(_PATCH_FILES, len(blobs) // 10):
        return None
    return changed


# Changed files up to which a kept snapshot is patched rather than built again from the
# parse cache (or a tenth of the registry, if more): a merge's files are loaded in a fraction
# of a second, a whole registry read back from the cache takes seconds.
_PATCH_FILES = 2000


def _patched(source: BlobSource, kept: LoadResult, changed: set[str]) -> LoadResult | None:
    """``source`` loaded from ``kept`` (the last snapshot, ``changed`` files ago): each
    unchanged file gives what it gave then, and only the changed ones are loaded. The
    result is that of a load of ``source`` (``load``'s own assembly, in its order); None if
    ``kept`` does not say what each file gave."""
    registry = kept.registry
    if registry is None:
        return None
    problems: dict[str, list[Problem]] = {}
    for p in kept.problems:
        problems.setdefault(p.file, []).append(p)
    if not problems.keys() <= registry.files:
        return None
    models: dict[str, BaseModel] = {u.file: u.user for u in registry.users}
    models.update((e.file, e.operator) for e in registry.operators.values())
    if registry.maintainers is not None:
        models[layout.MAINTAINERS_FILE] = registry.maintainers
    if registry.calendar is not None:
        models[layout.CALENDAR_FILE] = registry.calendar
    return load(source, known=_Given(registry.files, changed, models, problems))


class _Given(Mapping[str, Contribution]):
    """What each file of a kept snapshot that did not change gave its load, looked up as
    the load asks (a load of 200,000 files asks for each once)."""

    def __init__(
        self,
        files: frozenset[str],
        changed: set[str],
        models: dict[str, BaseModel],
        problems: dict[str, list[Problem]],
    ) -> None:
        self._files = files
        self._changed = changed
        self._models = models
        self._problems = problems

    def __contains__(self, rel: object) -> bool:
        return rel in self._files and rel not in self._changed

    def __getitem__(self, rel: str) -> Contribution:
        if rel not in self:
            raise KeyError(rel)
        return self._models.get(rel), self._problems.get(rel, [])

    def __iter__(self) -> Iterator[str]:
        return (rel for rel in self._files if rel not in self._changed)

    def __len__(self) -> int:
        return sum(1 for _ in self)


# Users per pickle of a kept snapshot: each pickle's memo (an entry per object pickled) is
# let go when it ends. One pickle of the whole registry held 135 MB of memo at 200,000
# users, on top of the registry, at the peak of a cold daily run.
_USERS_PER_PART = 20_000


def _write_snapshot(
    path: Path, key: str, blobs: Mapping[str, str], text: bytes, result: LoadResult
) -> None:
    """Keep ``result`` in ``path`` under ``key``, streamed a part at a time: its key, the
    blob ids of its files (``text``), the result without its users (their files are theirs,
    taken out of ``files`` so that each path is pickled once), then its users, an
    operator's apart from the next one's and each part with its files' blob ids, and last
    where each operator's parts are (``kept_users``) with their files' problems. Written
    beside and renamed: a reader sees the last snapshot or this one. A result that does not
    pickle is simply not kept."""
    registry = result.registry
    users = registry.users if registry is not None else ()
    problems: dict[str, list[Problem]] = {}
    if registry is not None:
        own = {u.file for u in users}
        registry = replace(registry, users=(), files=registry.files - own)
        for p in result.problems:
            if p.file in own:
                problems.setdefault(p.file, []).append(p)
    fresh = path.with_name(f"{path.name}.{os.getpid()}.new")
    try:
        # Paused: a pickled model's parts are made and let go 200,000 times.
        with gcpause.paused(), fresh.open("wb") as out:
            head = (key, text, replace(result, registry=registry), len(users))
            for value in head:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            at: dict[str, list[int]] = {}  # operator → where each of its parts starts
            for code, group in _parts(users):
                at.setdefault(code, []).append(out.tell())
                ids = [blobs.get(u.file, "") for u in group]
                pickle.dump((group, ids), out, pickle.HIGHEST_PROTOCOL)
            index = out.tell()
            pickle.dump((at, problems), out, pickle.HIGHEST_PROTOCOL)
            out.write(_TRAILER.pack(_MAGIC, index))
        fresh.replace(path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        fresh.unlink(missing_ok=True)


def _parts(users: Sequence[UserEntry]) -> Iterator[tuple[str, list[UserEntry]]]:
    """The users a part at a time: an operator's (its users are one run of the registry's
    path order), in parts of at most ``_USERS_PER_PART``."""
    for code, run in itertools.groupby(users, key=lambda u: u.operator_code):
        group = list(run)
        for start in range(0, len(group), _USERS_PER_PART):
            yield code, group[start : start + _USERS_PER_PART]


# The end of a kept snapshot: a mark of its layout, and where its index of operators' parts
# starts. A snapshot without it, or with another layout's (an earlier version's), is read
# whole, never in parts.
_TRAILER = struct.Struct("<8sQ")
_MAGIC = b"ARSNAP02"


def kept_users(directory: Path, space: str, wanted: Mapping[str, str]) -> dict[str, Contribution]:
    """What each of the ``wanted`` user files (path → blob id) gave the load of the snapshot
    kept in ``directory`` for the schemas of ``space``, where it is the same blob there:
    read from the parts of their operators alone. After a first apply the parse cache holds
    no user file (it keeps the loaded registry instead); a merge of 100 files then checks
    their operators' 10,000 users again, and parsing them was a third of its run. A file the
    load left out (its errors) is not given: it is parsed, and judged, again."""
    found: dict[str, Contribution] = {}
    try:
        with namespace_file(directory, space, "snapshot").open("rb") as kept:
            kept.seek(-_TRAILER.size, os.SEEK_END)
            mark, index = _TRAILER.unpack(kept.read(_TRAILER.size))
            if mark != _MAGIC:
                return {}
            kept.seek(index)
            at, problems = pickle.load(kept)
            codes = {code for rel in wanted if (code := layout.split(rel)[1]) is not None}
            with gcpause.paused():
                for code in sorted(codes):
                    for offset in at.get(code, ()):
                        kept.seek(offset)
                        users, ids = pickle.load(kept)
                        for u, blob in zip(users, ids, strict=True):
                            if wanted.get(u.file) == blob:
                                found[u.file] = (u.user, problems.get(u.file, []))
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError,
            ValueError, IndexError, struct.error):  # fmt: skip
        return {}
    return found


def _read_snapshot(
    path: Path, key: str, blobs: Mapping[str, str]
) -> tuple[LoadResult, set[str]] | None:
    """The result kept in ``path`` and the files changed since (none: it is kept under
    ``key``), if it is worth reading (``_changed``); None if it is not, or the file cannot
    be read back whole."""
    try:
        with path.open("rb") as kept:
            current = pickle.load(kept) == key
            text = pickle.load(kept)
            if not isinstance(text, bytes):
                return None
            changed = set() if current else _changed(_blobs_of(text), blobs)
            if changed is None:
                return None
            result, count = pickle.load(kept), pickle.load(kept)
            users: list[UserEntry] = []
            while len(users) < count:
                users.extend(pickle.load(kept)[0])
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError,
            ValueError, IndexError):  # fmt: skip
        return None
    if not isinstance(result, LoadResult) or len(users) != count:
        return None
    registry = result.registry
    if registry is None:
        return result, changed
    files = registry.files.union(u.file for u in users)
    return replace(result, registry=replace(registry, users=tuple(users), files=files)), changed


# What loads share: namespace → key → parsed file, and the model built of each parsed file.
Parsings = dict[str, dict[str, Parsed]]


@dataclass
class Shared:
    """Parsed files and their models, shared by the loads of one run: an apply's validation
    hands what it parsed and built to the registries it then loads at both ends."""

    parsed: Parsings = field(default_factory=dict)
    models: Models = field(default_factory=dict)
    # The registry validation loaded at a commit (its sha): every file but the users of
    # the operators it did not check again.
    head: tuple[str, Registry] | None = None


def load_cached(
    sources: Sequence[BlobSource],
    directory: Path,
    known: Parsings | None = None,
    models: Models | None = None,
) -> list[LoadResult]:
    """Each source loaded, as :func:`loading.load` loads it, with parsed files shared
    between the sources (and with earlier calls given the same ``known`` and ``models``)
    and the cache in ``directory``. One source on its own streams the cached files."""
    if len(sources) == 1 and known is None and models is None:
        return [_load_one(sources[0], directory)]
    results: list[LoadResult] = []
    known = {} if known is None else known
    models = {} if models is None else models  # built once for a file several sources hold
    for source in sources:
        rels = source.paths()
        catalog, _ = load_catalog(source, rels)
        if catalog is None:  # load() reports why
            results.append(load(source))
            continue
        space = schemas_namespace(catalog)
        items = _items(rels)
        keys = {rel: parse_key(rel, source.blob(rel)) for rel, _ in items}
        have = known.setdefault(space, {})
        wanted = [k for k in keys.values() if k not in have]
        cache = ParseCache(directory, space)
        try:
            have.update(cache.get("parsed", wanted, Parsed))
            missing = [(rel, kind) for rel, kind in items if keys[rel] not in have]
            source.prefetch(rel for rel, _ in missing)
            fresh = {
                keys[p.rel]: p
                for p in parse_all(source, schemagen.checks(catalog).checkers, missing)
            }
            cache.put("parsed", fresh)
        finally:
            cache.close()
        have.update(fresh)
        results.append(load(source, {rel: have[keys[rel]] for rel, _ in items}, models))
    return results
