"""Time ``accessreg validate`` on a synthetic registry, as a user runs it.

    python benchmarks/bench_validate.py [--operators 2000] [--users 200000] [--runs 5]
                                        [--broken 60] [--seed 1]

The registries are generated once by ``make_registry.py`` into ``benchmarks/work/`` (ignored
by git) and reused. Each run starts ``python -m accessreg validate --registry … --today …``
with this checkout's ``tooling/`` on the path, in a fresh process, and measures:

- wall time, from starting the process to its exit; files per second from it; the CPU time
  of the child and its workers, and the load average before the run (other work on the
  machine slows a run down: compare CPU time across runs);
- ``ru_maxrss`` of the child as ``os.wait4`` reports it, which is what
  ``getrusage(RUSAGE_CHILDREN)`` reports for that child alone: the peak RSS of the largest
  single process among the child and the workers it forked and reaped. A maximum, not a sum;
- so the process tree is also sampled every 10 ms from /proc: the peak of the summed RSS of
  the child and all its descendants (an upper bound: pages the forked workers share with
  their parent copy-on-write count once per process), and the peak of the summed PSS (shared
  pages split between the processes that map them: the tree's real footprint).

One more run validates the registry with ``--broken`` problems planted and checks that the
report is exactly the manifest: every planted problem with its file, line and rule, nothing
else. The exit status is 1 when a report is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1 << 20


@dataclass(frozen=True)
class Run:
    wall: float
    files: int
    maxrss: int  # bytes, largest single process (wait4 / RUSAGE_CHILDREN)
    tree_rss: int  # bytes, peak of the summed RSS of the process tree
    tree_pss: int  # bytes, peak of the summed PSS of the process tree
    cpu: float  # seconds of CPU (user + system) of the child and its workers
    load: float  # the machine's 1-minute load average when the run started
    stdout: bytes

    @property
    def rate(self) -> float:
        return self.files / self.wall


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue  # it has exited meanwhile
    return found


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:  # noqa: PTH123
        return int(f.read().split()[1]) * PAGE


def _pss(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as f:  # noqa: PTH123
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


class TreeSampler(threading.Thread):
    """Peak summed RSS and PSS of a process and its descendants, sampled until stopped."""

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.done = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.done.is_set():
            rss = pss = 0
            for p in _descendants(self.pid):
                try:
                    rss += _rss(p)
                    if n % 5 == 0:  # PSS walks the page tables: sample it less often
                        pss += _pss(p)
                except OSError:
                    continue
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            n += 1
            self.done.wait(self.interval)


def registry(operators: int, users: int, seed: int, broken: int) -> tuple[Path, dict[str, Any]]:
    """The generated repository for these parameters, made on first use."""
    name = f"reg-{operators}x{users}-s{seed}" + (f"-broken{broken}" if broken else "")
    out = WORK / name
    manifest = out / "manifest.json"
    if not manifest.exists():
        print(f"generating {out.relative_to(ROOT)} (once) …", file=sys.stderr)
        cmd = [
            sys.executable,
            str(HERE / "make_registry.py"),
            str(out),
            f"--operators={operators}",
            f"--users={users}",
            f"--seed={seed}",
            f"--broken={broken}",
            "--force",
        ]
        subprocess.run(cmd, check=True, stdout=sys.stderr)
    return out, json.loads(manifest.read_text(encoding="utf-8"))


def validate_once(repo: Path, today: str, files: int) -> Run:
    cmd = [sys.executable, "-m", "accessreg", "validate", "--registry", "registry"]
    cmd += ["--today", today, "--strict", "--format", "json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tooling")}
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=repo, env=env, stdout=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    sampler.done.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"validate failed with exit code {proc.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(
        wall, files, usage.ru_maxrss * 1024, sampler.peak_rss, sampler.peak_pss, cpu, load, stdout
    )


def compare(report: bytes, manifest: dict[str, Any]) -> list[str]:
    """Differences between the problems reported and the problems planted."""
    prefix = "registry/"
    got = {(p["file"].removeprefix(prefix), p["line"], p["rule"]) for p in json.loads(report)}
    want = {(e["file"], e["line"], e["rule"]) for e in manifest["expected"]}
    return [f"missing: {w}" for w in sorted(want - got)] + [
        f"unexpected: {g}" for g in sorted(got - want)
    ]


def describe(run: Run) -> str:
    return (
        f"{run.wall:6.2f} s  {run.rate:8.0f} files/s  max RSS {run.maxrss / MIB:6.0f} MiB  "
        f"tree RSS {run.tree_rss / MIB:6.0f} MiB  tree PSS {run.tree_pss / MIB:6.0f} MiB  "
        f"CPU {run.cpu:5.1f} s  load {run.load:4.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operators", type=int, default=2000)
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="timed runs on the clean registry")
    parser.add_argument("--broken", type=int, default=60, help="problems planted (0: skip)")
    args = parser.parse_args()

    clean, manifest = registry(args.operators, args.users, args.seed, 0)
    files, today = manifest["files"], manifest["today"]
    print(
        f"registry: {manifest['operators']} operators, {manifest['users']} users, {files} files; "
        f"{os.cpu_count()} cores"
    )
    runs = []
    failed = False
    for i in range(args.runs):
        run = validate_once(clean, today, files)
        runs.append(run)
        print(f"run {i + 1}: {describe(run)}", flush=True)
        if run.stdout.strip() != b"[]":
            print("  the clean registry reported problems:", run.stdout[:500].decode())
            failed = True
    walls = [r.wall for r in runs]
    best = min(runs, key=lambda r: r.wall)
    print(
        f"wall time: best {best.wall:.2f} s ({best.rate:.0f} files/s), "
        f"median {statistics.median(walls):.2f} s ({files / statistics.median(walls):.0f} files/s)"
    )
    print(
        f"peak memory: largest process {max(r.maxrss for r in runs) / MIB:.0f} MiB, "
        f"process tree RSS {max(r.tree_rss for r in runs) / MIB:.0f} MiB, "
        f"PSS {max(r.tree_pss for r in runs) / MIB:.0f} MiB"
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(f"getrusage(RUSAGE_CHILDREN).ru_maxrss over all runs: {children / MIB:.0f} MiB")

    if args.broken:
        broken, planted = registry(args.operators, args.users, args.seed, args.broken)
        run = validate_once(broken, today, planted["files"])
        print(f"broken registry ({len(planted['expected'])} planted problems): {describe(run)}")
        differences = compare(run.stdout, planted)
        for line in differences:
            print(f"  {line}")
        if differences:
            failed = True
        else:
            print("  every planted problem reported with its file, line and rule; nothing else")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
