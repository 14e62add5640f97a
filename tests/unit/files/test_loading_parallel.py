"""Large registries are loaded on a pool of forked workers; the result must not depend on it."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from pathlib import Path

import pytest

from accessreg.files import gcpause, loading, schemagen
from accessreg.files.sources import DirectorySource
from accessreg.model import layout
from accessreg.model.layout import Kind
from accessreg.validation.validate import validate
from tests.helpers.regfactory import ROOT, TODAY
from tests.helpers.registries import generated

SIZE = ("--operators", "12", "--users", "150", "--broken", "20")


@pytest.fixture(scope="module")
def broken_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated registry with problems of every kind the generator plants."""
    return generated(tmp_path_factory.mktemp("parallel") / "repo", *SIZE) / "registry"


def test_workers_and_a_single_process_find_the_same(
    broken_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = DirectorySource(broken_registry, "registry")
    serial = validate(source, TODAY)
    monkeypatch.setattr(loading, "PARALLEL_MIN_FILES", 0)
    parallel = validate(source, TODAY)

    assert len(serial.problems) >= 20
    assert [(p, p.path) for p in parallel.problems] == [(p, p.path) for p in serial.problems]
    assert serial.registry is not None and parallel.registry is not None
    assert parallel.registry.users == serial.registry.users
    assert parallel.registry.operators == serial.registry.operators
    assert parallel.registry.broken == serial.registry.broken
    assert parallel.files == serial.files


def test_loading_pauses_the_collector_and_restores_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert gc.isenabled()
    with gcpause.paused():
        assert not gc.isenabled()
        with gcpause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()

    seen = []
    real = loading._load

    def spy(
        source: DirectorySource,
        reuse: Mapping[str, loading.Parsed],
        models: loading.Models,
        salvage: bool,
        known: Mapping[str, loading.Contribution],
    ) -> loading.LoadResult:
        seen.append(gc.isenabled())
        return real(source, reuse, models, salvage, known)

    monkeypatch.setattr(loading, "_load", spy)
    result = loading.load(DirectorySource(ROOT / "registry"))
    assert result.registry is not None
    assert seen == [False]
    assert gc.isenabled()


def test_parsing_in_workers_gives_what_one_process_gives(
    broken_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The incremental check parses a cold cache's misses with the same pool of workers."""
    source = DirectorySource(broken_registry, "registry")
    catalog, _ = loading.load_catalog(source, source.paths())
    assert catalog is not None
    by_kind = schemagen.checks(catalog).checkers
    items = [
        (rel, kind)
        for rel in source.paths()
        if (kind := layout.classify(rel)) is not None and kind is not Kind.CATALOG
    ]
    serial = loading.parse_all(source, by_kind, items)
    monkeypatch.setattr(loading, "PARALLEL_MIN_FILES", 0)
    parallel = loading.parse_all(source, by_kind, items)

    assert [p.rel for p in serial] == [rel for rel, _ in items]
    assert any(p.data is None for p in serial) and any(p.data is not None for p in serial)
    assert parallel == serial
