"""What a killed ``replace_directory`` left beside an output directory: removed once its
writer is gone (or it is old), never while the writer may still be at work."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from accessreg.files import atomic


def _leftover(parent: Path, name: str) -> Path:
    path = parent / name
    (path / "imports").mkdir(parents=True)
    (path / "imports" / "snapshot.csv").write_text("a@example.jp\n", encoding="utf-8")
    return path


def _gone_pid() -> int:
    """The pid of a process that has exited."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


def test_trees_of_gone_writers_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    dead_new = _leftover(tmp_path, f".out.new.{_gone_pid()}.k2j3h4g5")
    dead_old = _leftover(tmp_path, f".out.old.{_gone_pid()}.a1b2c3d4")
    live = _leftover(tmp_path, f".out.new.{os.getpid()}.z9y8x7w6")  # a writer at work
    unnamed = _leftover(tmp_path, ".out.new.q1w2e3r4")  # no pid: only age tells
    aged = _leftover(tmp_path, ".out.old.p0o9i8u7")
    past = time.time() - atomic.STALE_AFTER_SECONDS - 60
    os.utime(aged, (past, past))
    other = _leftover(tmp_path, ".other.new.1.abcdefgh")  # beside another directory

    atomic.replace_directory(out, {"manifest.json": b"{}\n"})
    assert not dead_new.exists() and not dead_old.exists() and not aged.exists()
    assert live.exists() and unnamed.exists() and other.exists()
    assert (out / "manifest.json").read_bytes() == b"{}\n"
