"""The catalog is parsed once per content in a process: a run loads the registry at every
merge of its range, and each load reads the catalog again."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessreg.files import loading
from accessreg.files.sources import Identified, MemorySource
from accessreg.gitio.repo import BlobSource, blob_id
from accessreg.model import layout
from tests.helpers.regfactory import ROOT

CATALOG = (ROOT / "registry" / layout.CATALOG_FILE).read_bytes()


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = loading.parse

    def parse(rel: str, *args: object, **kwargs: object) -> loading.Parsed:
        calls.append(rel)
        return real(rel, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loading, "parse", parse)
    monkeypatch.setattr(loading, "_CATALOGS", {})
    return calls


def _source(catalog: bytes) -> MemorySource:
    return MemorySource({layout.CATALOG_FILE: catalog})


def test_the_same_content_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counted(monkeypatch)
    first, _ = loading.load_catalog(_source(CATALOG), [layout.CATALOG_FILE])
    again, _ = loading.load_catalog(_source(bytes(CATALOG)), [layout.CATALOG_FILE])

    assert first is not None
    assert again is first
    assert calls == [layout.CATALOG_FILE]


def test_another_content_is_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counted(monkeypatch)
    first, _ = loading.load_catalog(_source(CATALOG), [layout.CATALOG_FILE])
    other, _ = loading.load_catalog(_source(CATALOG + b"\n# a comment\n"), [layout.CATALOG_FILE])

    assert calls == [layout.CATALOG_FILE, layout.CATALOG_FILE]
    assert other == first


def test_a_broken_catalog_reports_its_problems_every_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _counted(monkeypatch)
    broken = CATALOG.replace(b"systems:", b"system:", 1)
    assert broken != CATALOG
    catalog, problems = loading.load_catalog(_source(broken), [layout.CATALOG_FILE])
    assert catalog is None
    assert problems
    problems.clear()  # a caller's list is its own: the next load still reports them

    again, reported = loading.load_catalog(_source(broken), [layout.CATALOG_FILE])
    assert again is None
    assert reported
    assert all(p.file == layout.CATALOG_FILE for p in reported)


class _Blobs(MemorySource):
    """Files known by a blob id before they are read, as git's trees give them."""

    def __init__(self, files: dict[str, bytes], blob: str) -> None:
        super().__init__(files)
        self.reads: list[str] = []
        self._blob = blob

    def blob(self, rel: str) -> str:
        return self._blob

    def read(self, rel: str) -> bytes:
        self.reads.append(rel)
        return super().read(rel)


def test_a_file_known_by_its_blob_id_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counted(monkeypatch)
    blob = blob_id(CATALOG)
    first, second = (
        _Blobs({layout.CATALOG_FILE: CATALOG}, blob),
        _Blobs({layout.CATALOG_FILE: CATALOG}, blob),
    )
    assert isinstance(first, Identified)
    found, _ = loading.load_catalog(first, [layout.CATALOG_FILE])
    again, _ = loading.load_catalog(second, [layout.CATALOG_FILE])

    assert found is not None and again is found
    assert first.reads == [layout.CATALOG_FILE]
    assert second.reads == []
    assert calls == [layout.CATALOG_FILE]


def test_git_sources_are_known_by_blob_id() -> None:
    """The registries a run loads come from git trees: they must be recognised as sources
    that know blob ids, or every load reads the catalog from git again."""
    assert issubclass(BlobSource, Identified)
    assert not issubclass(MemorySource, Identified)
