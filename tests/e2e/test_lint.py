"""Lint and types are part of the one test command: ruff and mypy --strict (pyproject)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers.regfactory import ROOT


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    """A tool of the interpreter running the tests, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "args",
    [
        ("ruff", "check", "--no-cache", "tooling", "tests", "benchmarks"),
        ("ruff", "format", "--check", "--no-cache", "tooling", "tests", "benchmarks"),
        ("mypy",),  # strict, on tooling/accessreg and benchmarks: [tool.mypy] in pyproject.toml
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_passes(args: tuple[str, ...]) -> None:
    result = run_tool(*args)
    assert result.returncode == 0, result.stdout + result.stderr
