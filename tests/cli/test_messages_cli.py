"""The broken registry through the command line, in every format and both languages."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.broken import break_everything
from tests.helpers.regfactory import RegistryFactory, run_cli


def test_every_output_format_shows_words(tmp_path: Path) -> None:
    # Words, never a data structure, and never a traceback.
    reg = RegistryFactory(tmp_path / "repo")
    break_everything(reg)
    for lang in ("ja", "en"):
        for fmt in ("text", "json", "github"):
            result = run_cli("--lang", lang, "validate", "--format", fmt, "--today", "2026-11-22",
                             cwd=reg.repo)  # fmt: skip
            assert result.returncode == 1, result.stderr
            assert "Message(" not in result.stdout + result.stderr
            assert "Traceback" not in result.stderr
    ja = run_cli("validate", "--today", "2026-11-22", cwd=reg.repo).stdout
    assert "字下げにタブは使えません。空白で字下げしてください (yaml-syntax)" in ja
