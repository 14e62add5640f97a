"""Helpers for apply tests: merges into main of a real git repository, and running apply."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import git
import pytest

from accessreg.effects.outbox import IN_FLIGHT_FILE, is_outbox_file
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, run_cli


def bare_origin(gr: GitRegistry, where: Path, push: bool = True) -> Path:
    """A bare repository at ``where`` as the clone's ``origin``, as GitHub would hold it:
    holding main once ``push``ed (the state's refs are pushed by the runs themselves)."""
    git.Repo.init(where, bare=True, initial_branch="main").close()
    gr.repo.create_remote("origin", str(where))
    if push:
        gr.repo.git.push("-q", "origin", "main")
    return where


def committed_on(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    """The commits and merges made from now on dated ``day`` (YYYY-MM-DD), at noon in
    Japan: ``apply`` takes a merge's day from its commit."""
    for var in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(var, f"{day}T12:00:00+09:00")


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


def status_table(gr: GitRegistry, day: str, *options: str) -> list[dict[str, str]]:
    """The applications ``status --today day`` lists, in the seed's words: a row each, by
    the table's headings (``options``: ``--operator CODE``)."""
    listed = accessreg(gr, "--lang", "ja", "status", *options, "--today", day)
    assert listed.returncode == 0, listed.stderr
    table = listed.stdout.strip("\n").split("\n\n")[0]
    header, *lines = (line.split("\t") for line in table.splitlines())
    return [dict(zip(header, line, strict=True)) for line in lines]


def state(gr: GitRegistry) -> dict[str, Any]:
    """state.json and the outbox of the state ref ({} before the first record)."""
    try:
        raw = gr.repo.git.show("refs/accessreg/state:state.json")
    except Exception:
        return {}
    return {**json.loads(raw), "outbox": state_outbox(gr.repo)["sent"]}


def state_outbox(repo: git.Repo) -> dict[str, dict[str, Any]]:
    """The outbox of ``repo``'s state ref as JSON: ``sent`` (every part of it, or the
    whole outbox of a state before the parts) and ``in flight``."""
    found: dict[str, dict[str, Any]] = {"sent": {}, "in flight": {}}
    for name in repo.git.ls_tree("--name-only", "refs/accessreg/state").splitlines():
        if name == IN_FLIGHT_FILE:
            found["in flight"] = json.loads(repo.git.show(f"refs/accessreg/state:{name}"))
        elif is_outbox_file(name):
            found["sent"].update(json.loads(repo.git.show(f"refs/accessreg/state:{name}")))
    return found


def break_catalog(reg: RegistryFactory) -> str:
    """The catalog of ``reg`` made one that does not load (too deeply nested), as one an
    earlier version of the tool wrote may be for this one; its text before."""
    text = (reg.root / "systems.yaml").read_text(encoding="utf-8")
    reg.write("systems.yaml", text + f"nested: {'[' * 500}{']' * 500}\n")
    return text


def read_csv(path: Path, codec: str = "utf-8-sig") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(codec), newline="")))


def deltas(out: Path, system: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((out / "imports" / system).glob("delta-*.csv")):
        rows += read_csv(path)
    return rows


def tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def loaded(reg: RegistryFactory, tmp: Path, day: str) -> GitRegistry:
    """``reg`` in git, applied once with ``--initial`` on ``day`` into ``tmp / "initial"``,
    as downstream loaded it."""
    made = GitRegistry(reg)
    first = run_cli("apply", "--out", str(tmp / "initial"), "--initial", "--confirm",
                    "--today", day, cwd=made.path)  # fmt: skip
    assert first.returncode == 0, first.stderr
    return made


def applied_from_the_start(reg: RegistryFactory, tmp: Path) -> GitRegistry:
    """``reg`` in git, its primary window person also a user of TAXIS and LOACUS, applied
    once with ``--initial`` on 2026-11-20 into ``tmp / "initial"``, as downstream loaded it."""
    reg.user(
        email="window1@test-gas.example.co.jp", permissions={"taxis": "1010", "loacus": "02011"}
    )
    return loaded(reg, tmp, "2026-11-20")


def planned(gr: GitRegistry, name: str, entered: str, accepted: str = "") -> dict[str, Any]:
    """The plan of branch ``name`` as the workflow makes it on its approval on ``accepted``
    (by default the day it was ``entered``), as JSON."""
    accepted = accepted or entered
    made = run_cli("plan", "--base", "main", "--head", name, "--format", "json",
                   "--entered-on", entered, "--accepted-on", accepted, "--today", accepted,
                   cwd=gr.path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    plan: dict[str, Any] = json.loads(made.stdout)
    return plan


def merged_pull(gr: GitRegistry, name: str, entered: str, accepted: str = "") -> dict[str, Any]:
    """Branch ``name`` merged into main as a pull request entered on ``entered`` and
    approved and merged on ``accepted`` (by default the same day): its events, as the merge
    workflow passes them."""
    accepted = accepted or entered
    return {
        "merge_commit": gr.merge(name),
        "title": name,
        "entered_at": f"{entered}T09:00:00+09:00",
        "accepted_at": f"{accepted}T10:00:00+09:00",
        "merged_at": f"{accepted}T11:00:00+09:00",
    }


def apply_merged(gr: GitRegistry, tmp: Path, day: str, *merged: dict[str, Any]) -> Path:
    """The pull requests ``merged`` (``merged_pull``) applied by one run on ``day``, as the
    merge workflow runs it; its outputs."""
    out = tmp / f"out-{day}-{merged[-1]['title']}"
    given = tmp / f"{out.name}.json"
    given.write_text(json.dumps(merged), encoding="utf-8")
    ran = run_cli("apply", "--out", str(out), "--confirm", "--pull-requests", str(given),
                  "--today", day, cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return out


def edited(gr: GitRegistry, name: str, *commands: tuple[str, ...]) -> None:
    """A branch ``name`` from main with the CLI's ``commands`` run on it, committed; back on
    main."""
    gr.branch(name, "main")
    for args in commands:
        done = run_cli(*args, cwd=gr.path)
        assert done.returncode == 0, done.stdout + done.stderr
    gr.commit(name)
    gr.checkout("main")


def over_applied(gr: GitRegistry, tmp: Path, day: str) -> Path:
    """The run over the applied revision on ``day``, as the daily workflow makes it: its
    snapshot holds every date before."""
    out = tmp / f"daily-{day}"
    ran = run_cli("apply", "--out", str(out), "--head", state(gr)["applied"], "--today", day,
                  cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return out


def logged(rel: str) -> str:
    """How a job log names a held registry file ``rel``: a user file by its operator's
    folder, not its name (the login ID)."""
    folder = rel.rpartition("/")[0]
    return f"registry/{folder}/…" if rel.startswith("users/") else f"registry/{rel}"
