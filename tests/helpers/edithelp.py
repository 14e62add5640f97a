"""Helpers for the editing tests: byte snapshots of a whole tree, and running edit commands."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.helpers.regfactory import RegistryFactory, run_cli

TODAY_ARG = ("--today", "2026-11-22")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its bytes: equal snapshots mean nothing was touched.
    A git directory is left out: the cache of incremental validation lives there."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def edit(reg: RegistryFactory, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, *TODAY_ARG, cwd=reg.repo)


def _untouched(
    reg: RegistryFactory, code: int, args: tuple[str, ...]
) -> subprocess.CompletedProcess[str]:
    before = snapshot(reg.repo)
    result = edit(reg, *args)
    assert result.returncode == code, result.stdout + result.stderr
    assert snapshot(reg.repo) == before
    return result


def refused(reg: RegistryFactory, *args: str) -> subprocess.CompletedProcess[str]:
    """Run an edit that must be refused; assert it left every file byte-identical."""
    return _untouched(reg, 1, args)


def bad_value(reg: RegistryFactory, *args: str) -> subprocess.CompletedProcess[str]:
    """Run an edit given a value it cannot use: a usage error (exit 2), nothing touched."""
    return _untouched(reg, 2, args)


def says(page: str, text: str) -> bool:
    """Whether a help page says ``text``, wherever its lines were broken: a line of
    Japanese may break between any two characters, so spaces are not compared."""
    return "".join(text.split()) in "".join(page.split())
