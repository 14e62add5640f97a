"""Time ``accessreg apply`` on a synthetic registry, as the merge workflow runs it.

    python benchmarks/bench_apply.py [--operators 2000] [--users 200000] [--remove 5]

The registry comes from ``benchmarks/make_registry.py`` (generated once into
``benchmarks/work/``, ignored by git) and is committed into a git repository there. Then, each
in a fresh process with this checkout's ``tooling/`` on the path:

1. ``apply --initial --confirm``: every user is new (the first run of a deployment);
2. a merge removing ``--remove`` users, then ``apply`` (a dry run of the usual case: every
   snapshot output is rendered again, the deltas hold a few rows).

Wall time and the child's CPU time are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.jp"]


def _timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tooling")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operators", type=int, default=2000)
    parser.add_argument("--users", type=int, default=200000)
    parser.add_argument("--remove", type=int, default=5)
    args = parser.parse_args()
    generator = HERE / "make_registry.py"
    if not generator.exists():
        print("benchmarks/make_registry.py is needed to generate the registry", file=sys.stderr)
        return 2
    repo = HERE / "work" / f"apply-{args.operators}-{args.users}"
    if repo.exists():
        shutil.rmtree(repo)
    subprocess.run(
        [sys.executable, str(generator), str(repo), "--operators", str(args.operators),
         "--users", str(args.users)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "registry"], cwd=repo, check=True)
    apply = [sys.executable, "-m", "accessreg", "apply", "--today", "2026-11-22"]

    wall, cpu = _timed([*apply, "--out", str(repo.parent / "out-initial"), "--initial",
                        "--confirm", "--accepted-on", "2026-11-22"], repo)  # fmt: skip
    print(f"initial apply, {args.users} users: {wall:.1f} s wall, {cpu:.1f} s CPU")

    users = sorted((repo / "registry" / "users").glob("*/*.yaml"))[: args.remove]
    subprocess.run([*GIT, "rm", "-q", *map(str, users)], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", f"remove {args.remove}"], cwd=repo, check=True)
    wall, cpu = _timed([*apply, "--out", str(repo.parent / "out-delta")], repo)
    print(f"apply of a merge removing {args.remove} users: {wall:.1f} s wall, {cpu:.1f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
