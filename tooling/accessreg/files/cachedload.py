"""Loading a snapshot whose files are known by git blob id, parsing only what the cache of
incremental validation does not already hold.

A plan or an authorization reads every operator file on both sides of a change; most of
them are the same blobs every run, and ``validate --changed-since`` has usually parsed them
already. Files come from the cache by (path, blob id); the rest are parsed once (a blob
shared by both sides of a change is parsed once for both) and added to the cache. The
result is that of :func:`loading.load` on the same files: the cache only skips work.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from accessreg.files import schemagen
from accessreg.files.loading import LoadResult, Models, Parsed, load, load_catalog, parse_all
from accessreg.files.parsecache import ParseCache, namespace
from accessreg.files.schemacheck import checkers
from accessreg.files.sources import Source
from accessreg.model import layout
from accessreg.model.layout import Kind


class BlobSource(Source, Protocol):
    """A source whose files have git blob ids and can be read in one batch."""

    def blob(self, rel: str) -> str: ...

    def prefetch(self, rels: Iterable[str]) -> None: ...


def schemas_namespace(generated: Mapping[Kind, Any]) -> str:
    """The cache namespace of files checked against these generated schemas."""
    return namespace(json.dumps({str(k): v for k, v in generated.items()}, sort_keys=True))


def parse_key(rel: str, blob: str) -> str:
    """The key of a parsed file in the cache: its path and its blob id."""
    return f"{rel}\0{blob}"


# What loads share: namespace → key → parsed file, and the model built of each parsed file.
Parsings = dict[str, dict[str, Parsed]]


def load_cached(
    sources: Sequence[BlobSource],
    directory: Path,
    known: Parsings | None = None,
    models: Models | None = None,
) -> list[LoadResult]:
    """Each source loaded, as :func:`loading.load` loads it, with parsed files shared
    between the sources (and with earlier calls given the same ``known`` and ``models``)
    and the cache in ``directory``."""
    results: list[LoadResult] = []
    known = {} if known is None else known
    models = {} if models is None else models  # built once for a file several sources hold
    for source in sources:
        rels = source.paths()
        catalog, _ = load_catalog(source, rels)
        if catalog is None:  # load() reports why
            results.append(load(source))
            continue
        generated = schemagen.generate_all(catalog)
        space = schemas_namespace(generated)
        items: list[tuple[str, Kind]] = [
            (rel, kind)
            for rel in rels
            if (kind := layout.classify(rel)) is not None
            and kind is not Kind.CATALOG
            and layout.readable_name(rel)
        ]
        keys = {rel: parse_key(rel, source.blob(rel)) for rel, _ in items}
        have = known.setdefault(space, {})
        wanted = [k for k in keys.values() if k not in have]
        cache = ParseCache(directory, space)
        try:
            have.update(cache.get("parsed", wanted))
            missing = [(rel, kind) for rel, kind in items if keys[rel] not in have]
            source.prefetch(rel for rel, _ in missing)
            fresh = {keys[p.rel]: p for p in parse_all(source, checkers(generated), missing)}
            cache.put("parsed", fresh)
        finally:
            cache.close()
        have.update(fresh)
        results.append(load(source, {rel: have[keys[rel]] for rel, _ in items}, models))
    return results
