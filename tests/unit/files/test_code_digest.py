"""The cache's namespace follows the whole package's source: cached findings of a rule
must not outlive a change to that rule's code."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessreg.files import parsecache


def test_the_code_digest_reads_every_module_of_the_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[Path] = []
    original = Path.read_bytes

    def recording(path: Path) -> bytes:
        read.append(path)
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", recording)
    parsecache.code_digest.cache_clear()
    try:
        parsecache.code_digest()
    finally:
        parsecache.code_digest.cache_clear()
    package = Path(parsecache.__file__).resolve().parent.parent
    modules = {p for p in package.rglob("*.py")}
    assert package / "rules" / "permissions.py" in modules
    assert set(read) == modules
