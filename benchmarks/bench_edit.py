"""CPU cost of the editing commands ``user add`` and ``user change`` at 20,000 and 200,000
users, and the ratio 200k / 20k.

    python benchmarks/bench_edit.py [--sizes 20k 200k] [--runs 3]

The registries are ``benchmarks/work/reg20k`` and ``reg200k`` (see ``cputime.py``), git
work trees: the commands check the edit incrementally, through the cache of incremental
validation, which ``validate --changed-since HEAD`` fills first (as the workflows do; its
cost is printed). Each command runs with ``--dry-run`` (validated exactly as a real edit,
nothing written, so every run sees the same registry) in a fresh process with this
checkout's ``tooling/``; medians of ``--runs`` runs of CPU seconds (user + system of the
process tree) and the peak memory of the largest process are printed (``ru_maxrss`` of the
benchmark's children: the cache fill counts too, so a fill that parses every file shows
its own peak; run again). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

import yaml
from cputime import accessreg, describe, git, machine, median, registry

TODAY = "2026-11-22"


def template(repo: Path) -> tuple[str, dict[str, Any]]:
    """A user file whose permissions are all plain codes, and its data."""
    for rel in git(repo, "ls-files", "--", "registry/users").splitlines()[::97]:
        data = yaml.safe_load((repo / rel).read_text("utf-8"))
        if all(isinstance(v, str) and v != "granted" for v in data["permissions"].values()):
            return rel, data
    sys.exit(f"no user file with plain permission codes in {repo}")


def commands(repo: Path) -> dict[str, list[str]]:
    rel, data = template(repo)
    code = rel.split("/")[2]
    perms = [arg for system, value in data["permissions"].items()
             for arg in (f"--{system}", value)]  # fmt: skip
    domain = data["email"].split("@")[1]
    common = ["--registry", str(repo / "registry"), "--today", TODAY, "--dry-run"]
    return {
        "user add": ["user", "add", "--operator", code, "--email", f"bench.new@{domain}",
                     "--name", data["name"], "--name-kana", data["name_kana"], *perms,
                     *common],
        "user change": ["user", "change", "--operator", code, "--email", data["email"],
                        "--memo", "ベンチマークの変更申請", *common],
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["20k", "200k"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"$ python benchmarks/bench_edit.py {shlex.join(sys.argv[1:])}")
    results: dict[tuple[str, str], tuple[float, float]] = {}
    for size in args.sizes:
        repo = registry(size)
        print(f"{size}: {repo}", flush=True)
        fill = accessreg(repo, "validate", "--changed-since", "HEAD", "--today", TODAY,
                         "--registry", str(repo / "registry"))  # fmt: skip
        print(f"  cache filled by validate --changed-since HEAD: {fill.cpu:.2f} s CPU", flush=True)
        for name, argv in commands(repo).items():
            print(f"  $ accessreg {shlex.join(argv)}", flush=True)
            runs = [accessreg(repo, *argv, ok=(0,)) for _ in range(args.runs)]
            cpus = [r.cpu for r in runs]
            peak = max(r.peak_mib for r in runs)
            results[(size, name)] = (median(cpus), peak)
            print(f"    {describe(name, cpus)}; peak {peak:.0f} MiB", flush=True)
    print("\nmedian CPU seconds (peak MiB of the largest process)")
    print("| command | " + " | ".join(args.sizes) + " | ratio |")
    for name in ("user add", "user change"):
        cells = [results[(s, name)] for s in args.sizes]
        shown = " | ".join(f"{c:.2f} ({m:.0f})" for c, m in cells)
        ratio = f"{cells[-1][0] / cells[0][0]:.2f}" if len(cells) > 1 else "-"
        print(f"| {name} | {shown} | {ratio} |")
    print(machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
