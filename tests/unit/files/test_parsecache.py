"""The parse cache's tables: how full one is, known without reading all of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessreg.files.parsecache import ParseCache
from accessreg.validation.incremental import Stats, _prune


@pytest.fixture
def cache(tmp_path: Path) -> ParseCache:
    return ParseCache(tmp_path, "space")


def test_a_table_is_counted_only_once_its_largest_row_id_passes_the_limit(
    cache: ParseCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[str] = []
    count = ParseCache.count
    monkeypatch.setattr(
        ParseCache, "count", lambda self, table: counted.append(table) or count(self, table)
    )
    assert not cache.holds_more_than("parsed", 0)  # empty
    cache.put("parsed", {f"k{n}": n for n in range(10)})
    assert not cache.holds_more_than("parsed", 10)
    assert counted == []  # ten row ids at most: nothing counted
    assert cache.holds_more_than("parsed", 9)
    cache.put("parsed", {f"k{n}": -n for n in range(5)})  # replaced: new row ids
    assert not cache.holds_more_than("parsed", 10)  # ids up to 15, ten rows: counted
    assert counted == ["parsed", "parsed"]
    cache.clear("parsed")
    assert not cache.holds_more_than("parsed", 0)


def test_validation_clears_a_parse_cache_grown_past_three_registries(cache: ParseCache) -> None:
    """Each file's parse is kept by its blob id: edits leave the old ones behind, and once
    the table holds more than three times the registry's files (and a thousand), it is
    cleared; up to then it is kept."""
    cache.put("parsed", {f"k{n}": n for n in range(1300)})
    _prune(cache, Stats(files=100), {})
    assert cache.count("parsed") == 1300
    cache.put("parsed", {f"more{n}": n for n in range(1)})
    _prune(cache, Stats(files=100), {})
    assert cache.count("parsed") == 0


def test_another_version_of_pydantic_is_another_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache keeps pydantic's models pickled: read back by another version of it they
    may be something else. A dependency that is not pinned changes with an install."""
    from accessreg.files import parsecache

    before = parsecache.namespace("schemas")
    monkeypatch.setattr(parsecache.pydantic_version, "VERSION", "0.0.0")
    assert parsecache.namespace("schemas") != before
