"""CPU cost and peak memory of a first ``apply --initial`` on a registry built in many merges,
against the same registry committed at once.

    python benchmarks/bench_first_apply.py [--sizes 20k 200k] [--merges 10] [--tooling DIR]

A first apply reads the history from its first commit: each merge that changed the registry
is a step, whose applications are its own (each operator's, with that merge's pull
request). The registries are ``benchmarks/work/reg20k`` and ``reg200k`` (``cputime.py``),
each cloned twice under ``benchmarks/work/first-<size>-*``: as generated (one commit), and
rewritten into ``--merges`` commits after a first one holding the shared files alone, each
adding every ``--merges``-th operator with its users, all on the registry's day. Each clone
gets ``apply --initial --confirm`` once, in a fresh process, as ``bench_apply.py`` runs it
(outputs removed and the machine settled after each). ``--tooling``: the ``tooling/``
directory of another checkout, to measure its code on the same clones.

CPU seconds (user + system of the process tree) and the peak memory of the largest process
are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
from pathlib import Path

from bench_apply import apply, clone, outputs, show
from cputime import git, machine, on_day, registry_day


def in_merges(repo: Path, merges: int) -> int:
    """Rewrite ``repo``'s one commit into a first one with the registry's shared files and
    ``merges`` more, the n-th adding every ``merges``-th operator (from the n-th on) with
    its users; no more merges than operators. How many were made."""
    day = registry_day(repo)
    git(repo, "checkout", "-q", "--orphan", "merges")
    git(repo, "rm", "-q", "-r", "--cached", "registry/operators", "registry/users")
    git(repo, "commit", "-q", "-m", "the registry's shared files", env=on_day(day))
    codes = sorted(p.stem for p in (repo / "registry" / "operators").glob("*.yaml"))
    merges = min(merges, len(codes))
    for n in range(merges):
        paths = []
        for code in codes[n::merges]:
            paths.append(f"registry/operators/{code}.yaml")
            if (repo / "registry" / "users" / code).is_dir():
                paths.append(f"registry/users/{code}")
        git(repo, "add", "--", *paths)
        git(repo, "commit", "-q", "-m", f"operators, part {n + 1}", env=on_day(day, n + 1))
    git(repo, "branch", "-q", "-f", "main")
    git(repo, "checkout", "-q", "main")
    git(repo, "branch", "-q", "-D", "merges")
    assert not git(repo, "status", "--porcelain"), "every file committed"
    return merges


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["20k", "200k"])
    parser.add_argument("--merges", type=int, default=10)
    parser.add_argument("--tooling", type=Path, help="another checkout's tooling/")
    args = parser.parse_args()
    print(f"$ python benchmarks/bench_first_apply.py {shlex.join(sys.argv[1:])}")
    env = {"PYTHONPATH": str(args.tooling.resolve())} if args.tooling else None
    for size in args.sizes:
        one = clone(size, f"first-{size}-one")
        many = clone(size, f"first-{size}-merges")
        merges = in_merges(many, args.merges)
        outputs(one).mkdir(parents=True)
        outputs(many).mkdir(parents=True)
        print(f"{size}:", flush=True)
        once = apply(one, "out", "--initial", "--confirm", env=env)
        show("apply --initial --confirm, the registry in one commit", once)
        stepped = apply(many, "out", "--initial", "--confirm", env=env)
        show(f"apply --initial --confirm, the registry in {merges} merges", stepped)
        print(f"  ratio: {stepped.cpu / once.cpu:.2f} in CPU, "
              f"{stepped.peak_mib / once.peak_mib:.2f} in memory", flush=True)  # fmt: skip
        for repo in (one, many):
            shutil.rmtree(outputs(repo))
            shutil.rmtree(repo)
    print(machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
