"""Every LDIF delta, applied by a real slapd on its date, leaves the directory as the
snapshot says.

A seeded random history of merges (users added, removed, moved between codes, suspended
and restored, memos changed), each applied on its merge day as the merge workflow does,
many of them while earlier ones wait for M+6 and M+9. Wider histories have a second
operator whose users share the groups, merges of two changes, and more suspensions. The
first apply's snapshot is loaded, then every dated delta of every run on its date, a day's
in the order of the runs, as downstream applies them: slapd must accept each, and end as
the snapshot of a day after the last date says. The JUJU and LOACUS permissions, whose
removal waits for a manual step done at no known date (000 §5-3), are kept once given, so
that every delta has its date.
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
from tests.helpers.provisioning import committed_on
from tests.helpers.regfactory import RegistryFactory, contact, run_cli

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
    committed_on(monkeypatch, day.isoformat())
    gr.commit(name)
    gr.checkout("main")
    sha = gr.merge(name)
    events = tmp / f"{name}.json"
    events.write_text(json.dumps([{"merge_commit": sha, "accepted_at": day.isoformat()}]))
    ran = run_cli("apply", "--out", str(tmp / name), "--confirm", "--pull-requests", str(events),
                  "--today", day.isoformat(), "--allow-mass-removal", cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr


OPERATORS = {OPERATOR: "test-gas.example.co.jp", "TESTOP02": "test-den.example.co.jp"}
KINDS = ["add", "add", "remove", "change", "change", "memo", "suspend"]


@pytest.mark.parametrize(
    ("seed", "wide"), [*((n, False) for n in range(12)), *((n, True) for n in range(8))]
)
def test_every_delta_applies_on_its_date_and_ends_as_the_snapshot(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, wide: bool
) -> None:
    rng = random.Random(seed)
    operators = dict(OPERATORS) if wide else {OPERATOR: OPERATORS[OPERATOR]}
    if wide:
        reg.operator(
            "TESTOP02",
            contacts=[contact(n=7, email="window7@test-den.example.co.jp", github="window-7")],
            subcontractors=[{"code": "TESTSUB2", "name": "テスト委託二株式会社"}],
            privacy_policy_url="https://test-den.example.co.jp/privacy",
        )
    # Suspensions weigh three times as much in the wider histories: a suspension of a
    # group's last holder while a new one is still to come is what a directory whose
    # groups came and went with their holders could not take on its day.
    kinds = [*KINDS, "suspend", "suspend"] if wide else KINDS
    users = {(OPERATOR, "user1@test-gas.example.co.jp"): {"taxis": "1011", "johs": "J1010"}}
    stopped: dict[tuple[str, str], str | None] = {}  # user → suspended_on
    memos: dict[tuple[str, str], str] = {}
    # A narrow history draws no operator: its seeds give the histories they always gave.
    for n in range(4 if wide else 3):
        op = rng.choice(sorted(operators)) if wide else OPERATOR
        user = (op, f"u{n}@{operators[op]}")
        users[user] = _permissions(rng)
        reg.user(operator=op, email=user[1], permissions=users[user])
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
        for j in range(rng.choice([1, 1, 2]) if wide else 1):
            removable = sorted(u for u in users if not MANUAL_REMOVAL & set(users[u]))
            kind = rng.choice(kinds)
            if kind == "remove" and not removable:
                kind = "memo"
            if kind == "add" or not users:
                op = rng.choice(sorted(operators)) if wide else OPERATOR
                user = (op, f"n{k}{f'x{j}' if j else ''}@{operators[op]}")
                users[user] = _permissions(rng)
                reg.user(operator=op, email=user[1], permissions=users[user])
            elif kind == "remove":
                user = rng.choice(removable)
                gr.remove(f"users/{user[0]}/{user[1]}.yaml")
                del users[user]
            else:
                user = rng.choice(sorted(users))
                if kind == "change":  # a permission whose removal is manual is kept
                    kept = {s: c for s, c in users[user].items() if s in MANUAL_REMOVAL}
                    users[user] = _permissions(rng) | kept
                if kind == "suspend":  # or lifted: at once, on the day (001 p46)
                    stopped[user] = None if stopped.get(user) else day.isoformat()
                else:
                    memos[user] = f"変更 {k}"
                reg.user(operator=user[0], email=user[1], permissions=users[user],
                         memo=memos.get(user), suspended_on=stopped.get(user))  # fmt: skip
            login = user[1].split("@")[0]
            done.append(f"{day} {name} {kind} {login} of {user[0]} {users.get(user, {})}")
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
