"""CPU cost and peak memory of ``accessreg daily`` with a last-login export of every user, at
20,000 and 200,000 users, and the ratio 200k / 20k.

    python benchmarks/bench_daily.py [--sizes 20k 200k] [--runs 3]

The registries are ``benchmarks/work/reg20k`` and ``reg200k`` (see ``cputime.py``). Their
``main`` is left alone: each is cloned once (``git clone --shared --no-checkout``, objects
borrowed, no work tree) to ``benchmarks/work/daily-reg<size>``, where the runs keep their
parse cache (``.git/bench-daily-cache``, emptied before the cold run) and notice log. The
export (``daily-reg<size>/last-logins.csv``) lists every user from the tree's paths, with a
last login 0–260 days before the day in four date formats, a quarter never used, and 1 % IDs
the registry does not know, as the authentication system would write it; the open pull
requests are an empty list. Each run is a fresh process with this checkout's ``tooling/``,
into a new output directory of its own (all removed at the end):

    daily --last-logins F --open-pulls P --today DAY --out DIR

- *first day* (2026-11-22) with an empty notice log: every notice is due, the heaviest run.
  The first run parses every file into the cache (*cold*); the others read it, as the
  workflow does with the cache it restores (*warm*).
- *next day* (2026-11-23) with the first day's notices recorded as sent (the log a sending
  run would have written, put in ``refs/accessreg/duties`` of the clone and removed after):
  only what fell due overnight is mailed.
- *next day, after a merge*: as the next day, but before each run a pull request changing
  one user file (a comment added) is merged into the clone's ``main``, as most days one is:
  the registry kept by the last run is read back and patched by that file. The clone's
  ``main`` is put back where its source has it at the start and at the end.

Medians of ``--runs`` runs of CPU seconds (user + system of the process and the processes
it waited for), each run's system time, and the peak memory of the largest of them
(``os.wait4``). Nothing is sent; nothing is asserted.

The system time is printed because it depends on what the machine did just before: ext4
passes over the inodes of files deleted in the last minutes when it makes new ones, so a
run begun within five minutes of deleting tens of thousands of files (another run of this
benchmark ends so) paid 4.4-5.1 s of system time where a settled run paid about 2.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from cputime import GIT, ROOT, WORK, describe, git, machine, median, on_day, registry, tool_env

FIRST = date(2026, 11, 22)
NEXT = FIRST + timedelta(days=1)


@dataclass(frozen=True)
class Measured:
    cpu: float
    peak_mib: float
    mails: int
    system: float  # the system's part of ``cpu``, which varies most from run to run


def clone(size: str) -> Path:
    """A clone of ``reg<size>`` without a work tree, for this benchmark only."""
    source = registry(size)
    target = WORK / f"daily-reg{size}"
    if not (target / ".git").exists():
        # The clone borrows the source's objects by path: the real one, so that it outlives
        # a checkout whose benchmarks/work is a link to the one directory of registries.
        shared = source.resolve()
        git(WORK, "clone", "-q", "--shared", "--no-checkout", str(shared), str(target))
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
        day = FIRST - timedelta(days=rng.randint(0, 260))
        cells = ("", day.isoformat(), f"{day:%Y/%m/%d} 08:30", f"{day.isoformat()}T08:30:00+09:00")
        lines.append(f"{login},試験,{cells[i % 4]}")
    lines += [f"ghost{n}@unknown.example.jp,,2026-01-01" for n in range(len(lines) // 100)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def cache_of(repo: Path) -> Path:
    """The benchmark's own parse cache, emptied before the cold run."""
    return repo / ".git" / "bench-daily-cache"


def daily(repo: Path, argv: list[str], out: Path) -> Measured:
    """One ``python -m accessreg daily ARGV`` into ``out``, a directory of its own (the
    workflow's fresh checkout has none: replacing the last run's files is not the command's
    own cost). The runs' trees are removed at the end, not before each run: the file system
    makes the next creation of thousands of files pay for a deletion of as many just before
    (several times the system time of the same files written in a fresh directory)."""
    assert not out.exists(), out
    env = {**tool_env(), "ACCESSREG_CACHE_DIR": str(cache_of(repo))}
    argv = [sys.executable, "-m", "accessreg", *argv, "--out", str(out)]
    child = subprocess.Popen(argv, cwd=repo, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)  # fmt: skip
    assert child.stderr is not None
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{shlex.join(argv)} exited {child.returncode}:\n{stderr.decode()[-3000:]}")
    mails = len(list((out / "mail").glob("*.eml")))
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(cpu, usage.ru_maxrss / 1024, mails, usage.ru_stime)


def merge_one(repo: Path, rel: str, n: int) -> None:
    """Commit on ``main`` (dated the next day) ``rel`` with a comment added, as a merged
    pull request leaves it, without a work tree: through an index of its own."""
    text = git(repo, "show", f"HEAD:{rel}") + f"\n# merged {n}\n"
    blob = subprocess.run([*GIT, "-C", str(repo), "hash-object", "-w", "--stdin"],
                          input=text.encode(), capture_output=True, check=True)  # fmt: skip
    index = {"GIT_INDEX_FILE": str(repo / ".git" / "bench-daily-index")}
    git(repo, "read-tree", "HEAD", env=index)
    git(repo, "update-index", "--cacheinfo", f"100644,{blob.stdout.decode().strip()},{rel}",
        env=index)  # fmt: skip
    tree = git(repo, "write-tree", env=index)
    day = on_day(NEXT.isoformat(), n)
    commit = git(repo, "commit-tree", tree, "-p", "HEAD", "-m", f"merge {n}", env=day)
    git(repo, "update-ref", "refs/heads/main", commit)


def record_first_day(repo: Path, argv: list[str]) -> None:
    """Put in ``refs/accessreg/duties`` what a sending run on the first day would have
    logged: every item of every mail due, and the IDs seen locked.

    In a process of its own: a large benchmark process would lend its memory to the peak of
    every command it starts afterwards (a forked child's maximum counts it until the exec)."""
    if not git(repo, "for-each-ref", "refs/accessreg/duties"):
        env = {**os.environ, "ACCESSREG_CACHE_DIR": str(cache_of(repo))}
        subprocess.run([sys.executable, __file__, "--record", str(repo), *argv], env=env,
                       check=True)  # fmt: skip


def _record(repo: Path, argv: list[str]) -> None:
    sys.path.insert(0, str(ROOT / "tooling"))
    # This checkout's package, imported only here: the rest runs it as a command.
    from accessreg.scheduled import log
    from accessreg.scheduled.run import RunRequest, run

    values = dict(zip(argv[::2], argv[1::2], strict=True))
    result = run(
        RunRequest(
            root=repo,
            today=FIRST,
            duties=("expiry", "stale", "inventory", "membership", "reviews"),
            last_logins=Path(values["--last-logins"]),
            open_pulls=Path(values["--open-pulls"]),
            all_csvs=False,
        )
    )
    told = [key for mail, _ in result.mails for key in mail.log_keys]
    files = log.NoticeLog({}).updated(FIRST, told, (), result.outcomes["stale"].remember)
    assert files is not None
    entries = []
    for name, data in sorted(files.items()):
        hashed = subprocess.run(["git", "-C", str(repo), "hash-object", "-w", "--stdin"],
                                input=data, capture_output=True, check=True)  # fmt: skip
        entries.append(f"100644 blob {hashed.stdout.decode().strip()}\t{name}")
    tree = subprocess.run(["git", "-C", str(repo), "mktree"], input="\n".join(entries) + "\n",
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    commit = git(repo, "commit-tree", tree, "-m", f"bench: the notices of {FIRST} as sent")
    git(repo, "update-ref", log.DUTIES_REF, commit)
    print(f"    recorded {len(told)} items of {len(result.mails)} mails as sent", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["20k", "200k"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--record", type=Path, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.record is not None:
        _record(args.record, rest)
        return 0
    print(f"$ python benchmarks/bench_daily.py {shlex.join(sys.argv[1:])}")
    rows: dict[str, dict[str, tuple[float, float | None, int]]] = {}
    for size in args.sizes:
        repo = clone(size)
        pulls = repo / "open-pulls.json"
        pulls.write_text("[]\n", encoding="utf-8")
        inputs = ["--last-logins", str(export(repo)), "--open-pulls", str(pulls)]
        outs = (repo / f"daily-out-{n}" for n in itertools.count())
        for old in repo.glob("daily-out*"):  # the last benchmark's, before anything is measured
            shutil.rmtree(old)
        # The first day needs an empty log: a clone that has one already is set aside.
        git(repo, "update-ref", "-d", "refs/accessreg/duties")
        git(repo, "update-ref", "refs/heads/main", "refs/remotes/origin/main")
        first = ["daily", *inputs, "--today", FIRST.isoformat()]
        print(f"{size}: {repo}\n  $ accessreg {shlex.join(first)} --out DIR", flush=True)
        shutil.rmtree(cache_of(repo), ignore_errors=True)
        cold = daily(repo, first, next(outs))
        print(f"    cold (fills the cache): {cold.cpu:.2f} s CPU, {cold.mails} mails", flush=True)
        found: dict[str, tuple[float, float | None, int]] = {
            "first day, cold cache": (cold.cpu, None, cold.mails)
        }
        nxt = ["daily", *inputs, "--today", NEXT.isoformat()]
        users = git(repo, "ls-tree", "-r", "--name-only", "HEAD", "--", "registry/users")
        merged = random.Random(2).sample(users.splitlines(), args.runs)
        for label, argv in (
            ("first day", first),
            ("next day", nxt),
            ("next day after a merge", nxt),
        ):
            if label == "next day":
                record_first_day(repo, inputs)
                print(f"  $ accessreg {shlex.join(argv)} --out DIR", flush=True)
            if label == "next day after a merge":
                print("  a one-file merge, then the same", flush=True)
                runs = []
                for n, rel in enumerate(merged):
                    merge_one(repo, rel, n)
                    runs.append(daily(repo, argv, next(outs)))
            else:
                runs = [daily(repo, argv, next(outs)) for _ in range(args.runs)]
            cpus = [r.cpu for r in runs]
            peak = max(r.peak_mib for r in runs)
            found[f"{label}, warm cache"] = (median(cpus), peak, runs[0].mails)
            system = ", ".join(f"{r.system:.2f}" for r in runs)
            print(f"    {describe(label, cpus)}; system {system}; peak {peak:.0f} MiB; "
                  f"{runs[0].mails} mails",
                  flush=True)  # fmt: skip
        git(repo, "update-ref", "-d", "refs/accessreg/duties")
        git(repo, "update-ref", "refs/heads/main", "refs/remotes/origin/main")
        for old in repo.glob("daily-out-*"):
            shutil.rmtree(old)
        rows[size] = found
    print("\nCPU seconds (peak MiB of the largest process; mails)")
    print("| daily | " + " | ".join(args.sizes) + " | ratio |")
    for label in rows[args.sizes[0]]:
        cells = [rows[s][label] for s in args.sizes]
        shown = " | ".join(
            f"{cpu:.2f}" + (f" ({peak:.0f}; {mails})" if peak is not None else f" ({mails})")
            for cpu, peak, mails in cells
        )
        ratio = f"{cells[-1][0] / cells[0][0]:.2f}" if len(cells) > 1 else "-"
        print(f"| {label} | {shown} | {ratio} |")
    print(machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
