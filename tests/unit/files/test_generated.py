"""The core of every generated file: diff, then write the stale ones or report them."""

from __future__ import annotations

import stat
from pathlib import Path

from accessreg.files import generated


def test_check_reports_missing_and_changed_files_and_writes_nothing(tmp_path: Path) -> None:
    same, changed, missing = tmp_path / "same", tmp_path / "changed", tmp_path / "sub" / "new"
    same.write_text("ok\n", encoding="utf-8")
    changed.write_text("old\n", encoding="utf-8")
    wanted = {same: "ok\n", changed: "new\n", missing: "made\n"}
    checked = generated.sync(wanted, check=True)
    assert checked.stale == [changed, missing] and not checked.fresh and not checked.written
    assert changed.read_text(encoding="utf-8") == "old\n" and not missing.exists()


def test_sync_writes_only_the_stale_files_then_all_are_fresh(tmp_path: Path) -> None:
    same, changed = tmp_path / "same", tmp_path / "changed"
    same.write_text("ok\n", encoding="utf-8")
    changed.write_text("old\n", encoding="utf-8")
    before = same.stat().st_mtime_ns
    written = generated.sync({same: "ok\n", changed: "new\n"}, check=False)
    assert written.stale == [changed] and written.written
    assert changed.read_text(encoding="utf-8") == "new\n"
    assert same.stat().st_mtime_ns == before  # an unchanged file is not rewritten
    assert generated.sync({same: "ok\n", changed: "new\n"}, check=True).fresh


def test_a_written_file_has_the_mode_open_gives_or_the_one_it_replaces(tmp_path: Path) -> None:
    """Not the owner-only mode of the temporary file it was written as: a registry file,
    a schema or CODEOWNERS written by the tool reads like one written by an editor."""
    new, kept, control = tmp_path / "new", tmp_path / "kept", tmp_path / "control"
    kept.write_text("old\n", encoding="utf-8")
    kept.chmod(0o640)
    control.write_text("x\n", encoding="utf-8")  # as open() makes a file in this process
    generated.sync({new: "made\n", kept: "new\n"}, check=False)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert stat.S_IMODE(new.stat().st_mode) == stat.S_IMODE(control.stat().st_mode)
