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
