"""Time the cores of the scheduled duties on a large registry held in memory.

    python benchmarks/bench_scheduled.py [--operators 2000] [--users 200000] [--seed 1]

The registry is built from the models directly (no YAML: loading is validate's benchmark),
with fictional example.jp data; the last-login export has one row per user in mixed date
formats, some never used, and 1 % unknown IDs. Timed, each once after the build:

- reading the export (``lastlogins.read``);
- ``stale``: every user's stage, the digests and the drift;
- ``pending`` over every notice with an empty log (the first run: everything is due);
- ``expiry``, ``membership`` and ``inventory``: as the daily run does it (rendering only the
  CSVs of the reminders due) and as the ``inventory`` command does it (every operator's).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tooling"))

from accessreg.files.loading import load  # noqa: E402
from accessreg.files.sources import DirectorySource  # noqa: E402
from accessreg.model import Operator, User  # noqa: E402
from accessreg.model.mail import Recipient, window_persons  # noqa: E402
from accessreg.model.registry import OperatorEntry, Registry, UserEntry  # noqa: E402
from accessreg.outputs.access import effective_access  # noqa: E402
from accessreg.scheduled import inventory, lastlogins, membership, stale  # noqa: E402
from accessreg.scheduled.expiry import expiry  # noqa: E402
from accessreg.scheduled.keyed_notices import pending, recipients  # noqa: E402

T = TypeVar("T")
TODAY = date(2026, 11, 22)


class _Named:
    """The window persons each operator names on ``TODAY``: no change of them is still to
    come in a registry without a provisioning history."""

    day = TODAY

    def persons(self, operator: Operator, own: str | None = None) -> list[Recipient]:
        return window_persons(operator, self.day, (), own)


def timed(label: str, work: Callable[[], T]) -> T:
    """Run ``work`` once; print its wall time and this process's CPU time (a shared machine
    stretches the first, not the second)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<38} {wall:8.3f} s wall {cpu:8.3f} s cpu")
    return result


def build(operators: int, users: int, rng: random.Random) -> Registry:
    sample = load(DirectorySource(ROOT / "registry")).registry
    assert sample is not None
    base = sample.operators["AOBAGS01"].operator.model_dump()
    ops: dict[str, OperatorEntry] = {}
    for n in range(operators):
        code = f"OP{n:06d}"
        data = {**base, "code": code, "subcontractors": []}
        data["contacts"] = [
            {**c, "email": f"w{i}@op{n}.example.jp", "github": f"w{i}-op{n}"}
            for i, c in enumerate(base["contacts"])
        ]
        data["certificates"] = [
            {**c, "id": f"EP{n:06d}-{i}", "serial": f"7F{n:06X}{i:02X}",
             "not_after": TODAY + timedelta(days=rng.randint(-40, 700))}
            for i, c in enumerate(base["certificates"])
        ]  # fmt: skip
        data["last_inventory"] = TODAY - timedelta(days=rng.randint(0, 300))
        ops[code] = OperatorEntry(f"operators/{code}.yaml", Operator.model_validate(data))
    entries = []
    for n in range(users):
        code = f"OP{n % operators:06d}"
        email = f"user{n}@op{n % operators}.example.jp"
        user = User(
            email=email,
            name="試験 太郎",
            name_kana="シケン タロウ",
            affiliation=code,
            permissions={"taxis": "1011", "johs": "J1010"},
        )
        entries.append(UserEntry(f"users/{code}/{email}.yaml", code, user))
    return Registry(sample.catalog, ops, tuple(entries), sample.maintainers, sample.calendar)


def export_csv(registry: Registry, rng: random.Random) -> bytes:
    lines = ["ユーザID,氏名,最終ログイン日時"]
    for i, entry in enumerate(registry.users):
        day = TODAY - timedelta(days=rng.randint(0, 260))
        cell = ("", day.isoformat(), f"{day:%Y/%m/%d} 08:30", f"{day.isoformat()}T08:30:00+09:00")[
            i % 4
        ]
        lines.append(f"{entry.user.email},試験,{cell}")
    lines += [f"ghost{n}@unknown.example.jp,,2026-01-01" for n in range(len(registry.users) // 100)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--operators", type=int, default=2000)
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    registry = timed("build the registry (setup)", lambda: build(args.operators, args.users, rng))
    raw = export_csv(registry, rng)
    added = {u.file: TODAY - timedelta(days=300) for u in registry.users}
    export = timed(f"read the export ({len(raw) >> 20} MiB)", lambda: lastlogins.read(raw, "x"))
    judged = timed("stale", lambda: stale.stale(registry, export, added, TODAY))
    outcomes = [
        judged.outcome,
        timed("expiry", lambda: expiry(registry, TODAY)),
        timed("membership", lambda: membership.membership(registry, TODAY)),
    ]
    access = timed("effective access (inventory input)", lambda: effective_access(registry))
    daily = timed(
        "inventory (daily: nothing rendered)",
        lambda: inventory.inventory(
            registry, TODAY, inventory.OperatorCsvs(registry, access), added, all_csvs=False
        ),
    )
    csvs = inventory.OperatorCsvs(registry, access)
    due = [n.operator for n in daily.notices if n.kind == "inventory-reminder"]
    timed(f"CSVs of the {len(due)} reminders due", lambda: [csvs(code or "") for code in due])
    outcomes.append(
        timed(
            "inventory (every operator's CSVs)",
            lambda: inventory.inventory(
                registry,
                TODAY,
                inventory.OperatorCsvs(registry, access),
                added,
            ),
        )
    )
    notices = [n for o in outcomes for n in o.notices]
    mails = timed(
        "pending (first run: all due)",
        lambda: pending(notices, lambda n: recipients(n, registry, _Named()), lambda key: False),
    )
    staged = sum(1 for u in judged.users if u.stage)
    print(
        f"users {len(registry.users)}, staged {staged}, drift {len(judged.drift)}, "
        f"notices {len(notices)}, mails {len(mails)}"
    )


if __name__ == "__main__":
    main()
