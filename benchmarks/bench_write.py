"""The kernel's part of writing the snapshots, with nothing of accessreg in it: the floor under
the ``system`` seconds of an apply (which writes about 470 MB at 200,000 users, a block at a
time, as ``files/assembled.py`` does).

On a virtual machine whose balloon reports freed memory to the host, a page the host took
back costs a fault to get again: the file is written at a different price after a pause long
enough for the pages of the file deleted before it to be reported (as ``bench_apply.py``
pauses between runs, and as a fresh runner's memory is) than right after the deletion.

    python benchmarks/bench_write.py              # 470 MB, pauses of 0 and 5 s, 3 runs each
    python benchmarks/bench_write.py --mb 47 --pauses 0 2 --runs 5
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from pathlib import Path

from cputime import WORK

BLOCK = 1 << 16  # as files/assembled.py writes


def write(path: Path, size: int, pause: float) -> tuple[float, float]:
    """Delete ``path``, flush, wait ``pause`` seconds, then write ``size`` bytes to it: the
    (user, system) CPU seconds of the writing alone."""
    path.unlink(missing_ok=True)
    os.sync()
    time.sleep(pause)
    block = os.urandom(BLOCK)
    before = resource.getrusage(resource.RUSAGE_SELF)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        done = 0
        while done < size:
            done += os.write(fd, block[: min(BLOCK, size - done)])
    finally:
        os.close(fd)
    after = resource.getrusage(resource.RUSAGE_SELF)
    return after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=470)
    parser.add_argument("--pauses", type=float, nargs="+", default=[0.0, 5.0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    path = WORK / "bench-write.out"
    size = args.mb << 20
    systems: dict[float, list[float]] = {p: [] for p in args.pauses}
    try:
        for _ in range(args.runs):  # the pauses alternate, so that the machine's drift is shared
            for pause in args.pauses:
                systems[pause].append(write(path, size, pause)[1])
    finally:
        path.unlink(missing_ok=True)
    print(f"| pause before writing {args.mb} MB | system CPU s, median of {args.runs} | runs |")
    print("| --- | --- | --- |")
    for pause, found in systems.items():
        runs = ", ".join(f"{s:.2f}" for s in found)
        print(f"| {pause:g} s | {statistics.median(found):.2f} | {runs} |")


if __name__ == "__main__":
    main()
