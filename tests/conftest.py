"""Shared fixtures. The package is imported from tooling/ of this checkout (pytest's
``pythonpath`` setting in pyproject.toml); helpers are the ``tests.helpers`` package."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.regfactory import RegistryFactory


@pytest.fixture
def reg(tmp_path: Path) -> RegistryFactory:
    """A tiny valid registry in a temporary repository directory."""
    return RegistryFactory(tmp_path / "repo")


@pytest.fixture(autouse=True)
def _japanese_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts from the default language, whatever the machine's locale; a test
    that wants English asks for it (``--lang en`` or ``ACCESSREG_LANG``)."""
    for var in ("ACCESSREG_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
