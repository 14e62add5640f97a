"""CPU time of chosen functions within one first ``apply --initial``, in this process.

    python benchmarks/bench_parts.py [--size 200k] [--tooling DIR] [--part MODULE:FUNCTION ...]

A whole first apply moves with the hour by more than a change of one of its parts saves (at
200,000 users, 126 to 137 s of CPU within one hour for the same code): this measures the
parts themselves. The registry ``benchmarks/work/reg<size>`` (``cputime.py``) is cloned
under ``benchmarks/work/parts-<size>`` and given ``apply --initial --confirm`` on its day,
run here after each ``--part`` (default: composing the mails and rendering the shares' CSV
rows) is wrapped to add up its calls' CPU time (``time.process_time``: this process only;
validation's forked workers are not in it). ``--tooling``: the ``tooling/`` directory of
another checkout, to measure its code on the same clone. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_apply import clone, outputs
from cputime import ROOT, machine, registry_day

PARTS = ["accessreg.mail.compose:compose", "accessreg.outputs.csv_:rows_units"]


def _timed(module: Any, name: str, spent: dict[str, list[float]]) -> None:
    """Wrap ``module.name`` to add each call's CPU time to ``spent[name]`` (total, calls).
    Callers that look the name up in the module at each call (``partial(compose, …)`` is
    made when a mail is planned) get the wrapper."""
    made: Callable[..., Any] = getattr(module, name)
    total = spent.setdefault(f"{module.__name__}:{name}", [0.0, 0])

    @functools.wraps(made)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return made(*args, **kwargs)
        finally:
            total[0] += time.process_time() - start
            total[1] += 1

    setattr(module, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="200k")
    parser.add_argument("--tooling", type=Path, default=ROOT / "tooling")
    parser.add_argument("--part", action="append", dest="parts", metavar="MODULE:FUNCTION")
    args = parser.parse_args()
    repo = clone(args.size, f"parts-{args.size}")
    day = registry_day(repo)
    sys.path.insert(0, str(args.tooling.resolve()))
    os.environ.pop("ACCESSREG_CACHE_DIR", None)
    spent: dict[str, list[float]] = {}
    for part in args.parts or PARTS:
        module, _, name = part.partition(":")
        _timed(importlib.import_module(module), name, spent)
    cli = importlib.import_module("accessreg.cli")
    print(machine(), flush=True)
    os.chdir(repo)
    start = time.process_time()
    try:
        cli.main(
            ["apply", "--out", str(outputs(repo)), "--initial", "--confirm",
             "--today", day, "--accepted-on", day],
        )  # fmt: skip
    except SystemExit as done:
        if done.code not in (0, 1, None):
            print(f"apply exited {done.code}", file=sys.stderr)
            return 1
    whole = time.process_time() - start
    package = Path(str(cli.__file__)).parents[2]  # the code measured, as imported
    print(f"\nfirst apply at {args.size}, {package}: {whole:.2f} s of CPU in this process")
    for part, (cpu, calls) in spent.items():
        print(f"  {part}: {cpu:.2f} s in {int(calls):,} calls")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
