"""Every LDIF delta, applied by a real slapd on its date, leaves the directory as the
snapshot says.

A seeded random history of merges (users added, removed, moved between codes,
suspended and restored, memos changed), each applied on its merge day as the merge
workflow does, many of them while
earlier ones wait for M+6 and M+9. The first apply's snapshot is loaded, then every
dated delta of every run on its date, a day's in the order of the runs, as downstream
applies them: slapd must accept each, and end as the snapshot of a day after the last
date says. The JUJU and LOACUS permissions, whose removal waits for a manual step done at
no known date (000 §5-3), are kept once given, so that every delta has its date.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.helpers.directory import BASE, deltas, members, slapd
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import ldif_entries
from tests.helpers.regfactory import RegistryFactory, run_cli

OPERATOR = "TESTOP01"
CODES = {
    "taxis": ["1010", "1011", "1012"],
    "johs": ["J1010"],
    "juju": ["granted"],
    "loacus": ["02010", "02011"],
}
MANUAL_REMOVAL = {"juju", "loacus"}
START = date(2026, 11, 20)
MERGES = 10


def _permissions(rng: random.Random) -> dict[str, str]:
    systems = rng.sample(sorted(CODES), rng.randint(1, 3))
    return {s: rng.choice(CODES[s]) for s in systems}


def _merge(
    gr: GitRegistry, tmp: Path, name: str, day: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The branch ``name`` merged on ``day`` (so dated in git) and applied that day."""
    stamp = f"{day.isoformat()}T10:00:00+09:00"
    monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)
    monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)
    gr.commit(name)
    gr.checkout("main")
    sha = gr.merge(name)
    events = tmp / f"{name}.json"
    events.write_text(json.dumps([{"merge_commit": sha, "accepted_at": day.isoformat()}]))
    ran = run_cli("apply", "--out", str(tmp / name), "--confirm", "--pull-requests", str(events),
                  "--today", day.isoformat(), "--allow-mass-removal", cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr


@pytest.mark.parametrize("seed", range(12))
def test_every_delta_applies_on_its_date_and_ends_as_the_snapshot(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    users = {"user1@test-gas.example.co.jp": {"taxis": "1011", "johs": "J1010"}}
    stopped: dict[str, str | None] = {}  # login → suspended_on
    memos: dict[str, str] = {}
    for n in range(3):
        login = f"u{n}@test-gas.example.co.jp"
        users[login] = _permissions(rng)
        reg.user(email=login, permissions=users[login])
    gr = GitRegistry(reg)
    day = START
    first = run_cli("apply", "--out", str(tmp_path / "initial"), "--initial", "--confirm",
                    "--today", day.isoformat(), cwd=gr.path)  # fmt: skip
    assert first.returncode == 0, first.stderr
    runs, done = [], []
    for k in range(MERGES):
        day += timedelta(days=rng.choice([0, 1, 1, 2, 5]))
        name = f"m{k}"
        gr.branch(name, "main")
        removable = sorted(u for u in users if not MANUAL_REMOVAL & set(users[u]))
        kind = rng.choice(["add", "add", "remove", "change", "change", "memo", "suspend"])
        if kind == "remove" and not removable:
            kind = "memo"
        if kind == "add" or not users:
            login = f"n{k}@test-gas.example.co.jp"
            users[login] = _permissions(rng)
            reg.user(email=login, permissions=users[login])
        elif kind == "remove":
            login = rng.choice(removable)
            gr.remove(f"users/{OPERATOR}/{login}.yaml")
            del users[login]
        else:
            login = rng.choice(sorted(users))
            if kind == "change":  # a permission whose removal is manual is kept
                kept = {s: c for s, c in users[login].items() if s in MANUAL_REMOVAL}
                users[login] = _permissions(rng) | kept
            if kind == "suspend":  # or lifted: on the day (001 p46), a holiday's the next
                stopped[login] = None if stopped.get(login) else day.isoformat()
            else:
                memos[login] = f"変更 {k}"
            reg.user(email=login, permissions=users[login], memo=memos.get(login),
                     suspended_on=stopped.get(login))  # fmt: skip
        done.append(f"{day} {kind} {login.split('@')[0]} {users.get(login, {})}")
        _merge(gr, tmp_path, name, day, monkeypatch)
        runs.append(name)
    applied = json.loads(gr.repo.git.show("refs/accessreg/state:state.json"))["applied"]
    final = tmp_path / "final"
    later = (day + timedelta(days=60)).isoformat()
    ran = run_cli("apply", "--out", str(final), "--head", applied, "--today", later, cwd=gr.path)
    assert ran.returncode == 0, ran.stderr
    found = deltas([tmp_path / run for run in runs])
    # A change after a manual step would be applied at no known date: none is made.
    manual = [p for on, _, p in found if on == "manual" and b"dn:" in p.read_bytes()]
    assert not manual, done
    found = [d for d in found if d[0] != "manual"]
    with slapd(tmp_path) as directory:
        directory.modify((tmp_path / "initial" / "ldif" / "snapshot.ldif").read_bytes(), add=True)
        for on, n, path in found:
            try:
                directory.modify(path.read_bytes())
            except AssertionError as refused:
                raise AssertionError(f"{on} of {runs[n]}: {refused}\n" + "\n".join(done)) from None
        held = members(directory.search(BASE))
    assert held == members(ldif_entries((final / "ldif" / "snapshot.ldif").read_bytes())), done
