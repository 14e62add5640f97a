"""CPU cost and peak memory of ``accessreg daily`` with a last-login export of every user, at
20,000 and 200,000 users, and the ratio 200k / 20k.

    python benchmarks/bench_daily.py [--sizes 20k 200k] [--runs 3]

The registries are ``benchmarks/work/reg20k`` and ``reg200k`` (see ``cputime.py``). Their
``main`` is left alone: each is cloned once (``git clone --shared --no-checkout``, objects
borrowed, no work tree) to ``benchmarks/work/daily-reg<size>``, where the runs keep their
parse cache. The export (``daily-reg<size>/last-logins.csv``) lists every user from the
tree's paths, with a last login 0–260 days before the day in four date formats, a quarter
never used, and 1 % IDs the registry does not know, as the authentication system would
write it; the open pull requests are an empty list. Then, each a fresh process with this
checkout's ``tooling/``:

    daily --last-logins F --open-pulls P --today 2026-11-22 --out DIR

with an empty notice log, so every notice is due: the first day's run, the heaviest. The
first run parses every file into the cache (reported apart as *cold*); the medians of
``--runs`` further runs (*warm*, as the workflow runs with its kept cache) are printed with
the peak memory of the largest process. Nothing is sent or recorded; nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import resource
import shlex
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

from cputime import WORK, Run, accessreg, describe, git, machine, median, registry

TODAY = date(2026, 11, 22)


def clone(size: str) -> Path:
    """A clone of ``reg<size>`` without a work tree, for this benchmark only."""
    source = registry(size)
    target = WORK / f"daily-reg{size}"
    if not (target / "HEAD").exists() and not (target / ".git").exists():
        git(WORK, "clone", "-q", "--shared", "--no-checkout", str(source), str(target))
    return target


def export(repo: Path, seed: int = 1) -> Path:
    """Every user of HEAD (the file name is the login ID in lower case), as an export."""
    path = repo / "last-logins.csv"
    if path.exists():
        return path
    rng = random.Random(seed)
    users = git(repo, "ls-tree", "-r", "--name-only", "HEAD", "--", "registry/users")
    lines = ["ユーザID,氏名,最終ログイン日時"]
    for i, rel in enumerate(users.splitlines()):
        login = rel.rsplit("/", 1)[1].removesuffix(".yaml")
        day = TODAY - timedelta(days=rng.randint(0, 260))
        cells = ("", day.isoformat(), f"{day:%Y/%m/%d} 08:30", f"{day.isoformat()}T08:30:00+09:00")
        lines.append(f"{login},試験,{cells[i % 4]}")
    lines += [f"ghost{n}@unknown.example.jp,,2026-01-01" for n in range(len(lines) // 100)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def fresh(repo: Path, out: Path, argv: list[str]) -> Run:
    """One run into an empty output directory, as the workflow's fresh checkout has it
    (replacing the last run's 13,000 files is not the command's own cost)."""
    shutil.rmtree(out, ignore_errors=True)
    return accessreg(repo, *argv, ok=(0,))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["20k", "200k"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"$ python benchmarks/bench_daily.py {shlex.join(sys.argv[1:])}")
    results: dict[str, tuple[float, float, float]] = {}
    for size in args.sizes:
        repo = clone(size)
        logins = export(repo)
        pulls = repo / "open-pulls.json"
        pulls.write_text("[]\n", encoding="utf-8")
        out = repo / "daily-out"
        argv = ["daily", "--last-logins", str(logins), "--open-pulls", str(pulls),
                "--today", TODAY.isoformat(), "--out", str(out)]  # fmt: skip
        print(f"{size}: {repo}\n  $ accessreg {shlex.join(argv)}", flush=True)
        first = fresh(repo, out, argv)
        print(f"    cold (fills the cache): {first.cpu:.2f} s CPU", flush=True)
        runs: list[Run] = [fresh(repo, out, argv) for _ in range(args.runs)]
        cpus = [r.cpu for r in runs]
        # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: sizes run smallest first.
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        mails = len(list((out / "mail").glob("*.eml")))
        results[size] = (first.cpu, median(cpus), peak)
        print(f"    {describe('warm', cpus)}; peak {peak:.0f} MiB; {mails} mails", flush=True)
    print("\nCPU seconds (peak MiB of the largest process)")
    print("| daily | " + " | ".join(args.sizes) + " | ratio |")
    for label, index in (("cold cache, 1 run", 0), ("warm cache, median", 1)):
        cells = [results[s] for s in args.sizes]
        shown = " | ".join(f"{c[index]:.2f}" + (f" ({c[2]:.0f})" if index else "") for c in cells)
        ratio = f"{cells[-1][index] / cells[0][index]:.2f}" if len(cells) > 1 else "-"
        print(f"| {label} | {shown} | {ratio} |")
    print(machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
