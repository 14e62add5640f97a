"""The shipped sample registry validates clean, and the committed schemas are fresh."""

from __future__ import annotations

import json

from tests.helpers.regfactory import ROOT, run_cli


def test_sample_registry_validates_clean() -> None:
    result = run_cli("validate", "--strict", "--format", "json", "--today", "2026-11-22", cwd=ROOT)
    assert json.loads(result.stdout) == []
    assert result.returncode == 0, result.stderr


def test_sample_registry_is_realistic() -> None:
    operators = list((ROOT / "registry" / "operators").glob("*.yaml"))
    users = list((ROOT / "registry" / "users").glob("*/*.yaml"))
    assert len(operators) >= 4
    assert len(users) >= 25


def test_committed_schemas_are_fresh() -> None:
    result = run_cli("schemas", "--check", cwd=ROOT)
    assert result.returncode == 0, result.stdout
