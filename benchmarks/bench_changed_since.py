"""Time ``accessreg validate --changed-since`` on a pull request touching a few files.

    python benchmarks/bench_changed_since.py DIR [--files 10] [--runs 5]
                                             [--today 2026-11-22] [--no-full]

DIR holds ``registry/`` (and ``schemas/``), as ``benchmarks/make_registry.py OUT`` writes
it. DIR must be the top of its own git repository; if it has no ``.git`` the script makes
it one (``git init`` and one commit of everything), so that the registry has blob ids.

What it does, each step a fresh ``python -m accessreg`` process with this checkout's
``tooling/`` on the path (start-up included, as CI sees it):

1. warms the cache: ``validate --changed-since HEAD`` on the unchanged registry (``cold``);
2. makes a pull request: a branch with one commit changing ``--files`` user files spread
   over the operators (a memo added or changed);
3. times ``validate --changed-since BASE`` ``--runs`` times on the work tree, and as many
   times with ``--head HEAD`` (the commit read from git, as the pull-request workflow runs
   it) (``warm``: the target is under 2 s for 10 files of the 200,000-user registry);
4. unless ``--no-full``, runs a full ``validate`` on the same tree and checks that both
   report exactly the same problems (the exit status is 1 if not);
5. puts the repository back on its branch and deletes the pull request's branch.

The cache lives in ``DIR/.git/accessreg-cache`` (``$ACCESSREG_CACHE_DIR`` is unset for
these runs).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRANCH = "bench-changed-since"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def accessreg(repo: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if k != "ACCESSREG_CACHE_DIR"}
    env["PYTHONPATH"] = str(ROOT / "tooling")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "accessreg", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"accessreg {' '.join(args)} failed:\n{done.stderr}")
    return elapsed, done


def ensure_repository(repo: Path) -> None:
    if (repo / ".git").exists():
        return
    print(f"making {repo} a git repository (one commit of everything)...", flush=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=bench", "-c", "user.email=bench@example.jp", "commit", "-q",
        "-m", "registry")  # fmt: skip


def touch_users(repo: Path, count: int) -> list[str]:
    """Change ``count`` user files spread evenly over the registry; their paths."""
    users = git(repo, "ls-files", "--", "registry/users").splitlines()
    step = max(1, len(users) // count)
    chosen = users[::step][:count]
    for rel in chosen:
        path = repo / rel
        lines = path.read_text(encoding="utf-8").splitlines()
        lines = [line for line in lines if not line.startswith("memo:")]
        lines.append("memo: ベンチマークの変更申請")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--today", default="2026-11-22")
    parser.add_argument("--no-full", action="store_true", help="Skip the full run.")
    args = parser.parse_args()
    repo: Path = args.dir.resolve()
    if not (repo / "registry").is_dir():
        sys.exit(f"{repo} has no registry/ directory")
    ensure_repository(repo)
    if git(repo, "status", "--porcelain", "--untracked-files=no"):
        sys.exit(f"{repo} has uncommitted changes; commit or reset them first")
    start_branch = git(repo, "rev-parse", "--abbrev-ref", "HEAD")
    base = git(repo, "rev-parse", "HEAD")
    files = len(git(repo, "ls-files", "--", "registry").splitlines())
    common = ("validate", "--format", "json", "--today", args.today)

    cold, _ = accessreg(repo, *common, "--changed-since", "HEAD")
    git(repo, "checkout", "-q", "-b", BRANCH)
    try:
        touched = touch_users(repo, args.files)
        git(repo, "-c", "user.name=bench", "-c", "user.email=bench@example.jp", "commit",
            "-q", "-am", "bench: a pull request")  # fmt: skip
        warm: list[float] = []
        committed: list[float] = []
        fast = None
        for _ in range(args.runs):
            elapsed, fast = accessreg(repo, *common, "--changed-since", base)
            warm.append(elapsed)
        for _ in range(args.runs):
            elapsed, at_head = accessreg(repo, *common, "--changed-since", base, "--head", "HEAD")
            committed.append(elapsed)
            assert fast is not None and at_head.stdout == fast.stdout
        same = None
        full_time = None
        if not args.no_full:
            full_time, full = accessreg(repo, *common)
            assert fast is not None
            same = json.loads(fast.stdout) == json.loads(full.stdout)
    finally:
        git(repo, "checkout", "-q", start_branch)
        git(repo, "branch", "-q", "-D", BRANCH)

    start = time.perf_counter()
    git(repo, "ls-files", "-s")
    ls_files = time.perf_counter() - start
    print(f"registry: {repo} ({files} files)")
    print(f"pull request: {len(touched)} user files changed")
    print(f"git ls-files -s: {ls_files:.2f} s")
    print(f"cold cache (first run, nothing changed): {cold:.2f} s")
    for what, times in (("work tree", warm), ("--head HEAD", committed)):
        print(
            f"warm cache, {len(touched)} files changed, {what}: min {min(times):.2f} s, "
            f"median {statistics.median(times):.2f} s over {len(times)} runs"
        )
    if full_time is not None:
        print(f"full validate: {full_time:.2f} s; same problems: {'yes' if same else 'NO'}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average: {load} on {os.cpu_count()} CPUs (other work inflates every figure)")
    return 0 if same in (None, True) else 1


if __name__ == "__main__":
    sys.exit(main())
