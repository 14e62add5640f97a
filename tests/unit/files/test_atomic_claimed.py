"""The lock on an output directory (``atomic.claimed``): the directories made to hold it
are removed again by a run that leaves no outputs, so that a refusal changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessreg.files import atomic


class RefusedError(Exception):
    pass


def test_a_run_that_leaves_no_outputs_removes_the_directories_it_made(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "out"
    with pytest.raises(RefusedError), atomic.claimed(out):
        assert (tmp_path / "a" / "b" / ".out.lock").is_file()
        raise RefusedError
    assert list(tmp_path.iterdir()) == []


def test_a_run_that_wrote_its_outputs_keeps_them_and_the_directories_above(
    tmp_path: Path,
) -> None:
    out = tmp_path / "a" / "out"
    with atomic.claimed(out):
        (out / "imports").mkdir(parents=True)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["out"]  # the lock is gone


def test_a_directory_that_holds_anything_stays_with_those_above_it(tmp_path: Path) -> None:
    """Another run's file (its lock, its outputs) made meanwhile in a directory this run
    made: that directory and those above stay; what is empty below them goes."""
    out = tmp_path / "a" / "b" / "out"
    with atomic.claimed(out):
        (tmp_path / "a" / "other.lock").write_bytes(b"")
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "a",
        "a/other.lock",
    ]


def test_a_directory_there_before_the_run_is_never_removed(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    with pytest.raises(RefusedError), atomic.claimed(tmp_path / "a" / "out"):
        raise RefusedError
    assert [p.name for p in tmp_path.iterdir()] == ["a"]
