"""Files read from git are read in batches: one ``git cat-file`` for a slice of a load, not
one per file (a first apply's history loads the files each merge changed: read one by one,
a 20,000-user registry built in ten merges started 20,000 processes, 40 of its 47 s)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import git
import pytest

from accessreg.files import loading, schemagen
from accessreg.files.sources import DirectorySource
from accessreg.gitio import runner
from accessreg.gitio.repo import GitRepository
from accessreg.model.layout import Kind, split
from tests.helpers.registries import generated

SIZE = ("--operators", "6", "--users", "300")


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated registry, committed."""
    out = generated(tmp_path_factory.mktemp("fromgit") / "repo", *SIZE)
    repo = git.Repo.init(out)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.jp")
        config.set_value("commit", "gpgsign", "false")
    repo.git.add("-A")
    repo.git.commit("-q", "-m", "registry")
    return out


@pytest.fixture
def started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A file with a line for each request for blobs to ``git cat-file``, by this process
    or a worker forked from it."""
    log = tmp_path / "started"
    log.touch()
    real = runner.Git.blobs

    def counted(self: runner.Git, shas: Iterable[str]) -> dict[str, bytes]:
        with log.open("a") as f:
            f.write("cat-file\n")
        return real(self, shas)

    monkeypatch.setattr(runner.Git, "blobs", counted)
    yield log


def _started(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if line.startswith("cat-file")]


@pytest.mark.parametrize("parallel", [False, True], ids=["here", "on-workers"])
def test_a_load_from_git_reads_its_files_in_batches(
    committed: Path, started: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    if parallel:
        monkeypatch.setattr(loading, "PARALLEL_MIN_FILES", 0)
        # Two workers whatever the machine: on many cores, a slice a file, and one batch a
        # slice would be one a file.
        monkeypatch.setattr(os, "cpu_count", lambda: 2)
    repo = GitRepository(committed)
    try:
        source = repo.blob_source("HEAD", "registry")
        found = loading.load(source)
    finally:
        repo.close()
    files = len(source.paths())
    assert files > 300
    # The catalog (unless a load before read it), then one batch per slice: all of them
    # here, or about a sixteenth of a worker's share (the last slices shorter).
    slices = 2 * 16 * 2 if parallel else 1
    assert 1 <= len(_started(started)) <= 1 + slices < files / 4
    assert found.registry is not None
    alike = loading.load(DirectorySource(committed / "registry"))
    assert alike.registry is not None
    assert found.registry.users == alike.registry.users
    assert found.registry.operators == alike.registry.operators


def test_files_parsed_from_git_are_read_in_one_batch(committed: Path, started: Path) -> None:
    repo = GitRepository(committed)
    try:
        source = repo.blob_source("HEAD", "registry")
        catalog, _ = loading.load_catalog(source, source.paths())
        assert catalog is not None
        before = len(_started(started))
        items = [(rel, kind) for rel in source.paths() if (kind := split(rel)[0]) is Kind.USER]
        parsed = loading.parse_all(source, schemagen.checks(catalog).checkers, items)
    finally:
        repo.close()
    assert len(items) >= 300
    assert len(_started(started)) == before + 1
    assert [p.rel for p in parsed] == [rel for rel, _ in items]
    assert all(p.model is not None and not p.problems for p in parsed)
