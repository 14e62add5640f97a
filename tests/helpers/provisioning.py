"""Helpers for apply tests: merges into main of a real git repository, and running apply."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import run_cli


def merge(gr: GitRegistry, name: str, change: Callable[[], object]) -> str:
    """A pull request branch ``name`` with ``change``, merged into main with a merge commit."""
    gr.branch(name, "main")
    change()
    gr.commit(f"{name}: change")
    gr.checkout("main")
    return gr.merge(name)


def accessreg(
    gr: GitRegistry, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=gr.path, env=env)


def state(gr: GitRegistry) -> dict[str, Any]:
    """state.json and outbox.json of the state ref ({} before the first record)."""
    try:
        raw = gr.repo.git.show("refs/accessreg/state:state.json")
    except Exception:
        return {}
    outbox = json.loads(gr.repo.git.show("refs/accessreg/state:outbox.json"))
    return {**json.loads(raw), "outbox": outbox}


def read_csv(path: Path, codec: str = "utf-8-sig") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(codec), newline="")))


def deltas(out: Path, system: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((out / "imports" / system).glob("delta-*.csv")):
        rows += read_csv(path)
    return rows


def tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
