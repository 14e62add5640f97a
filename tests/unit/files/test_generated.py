"""The core of every generated file: diff, then write the stale ones or report them."""

from __future__ import annotations

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
