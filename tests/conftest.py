"""Shared fixtures. Tests import the package from tooling/ of this checkout."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tooling"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from regfactory import RegistryFactory  # noqa: E402


@pytest.fixture
def reg(tmp_path: Path) -> RegistryFactory:
    """A tiny valid registry in a temporary repository directory."""
    return RegistryFactory(tmp_path / "repo")
