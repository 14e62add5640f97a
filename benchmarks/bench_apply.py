"""CPU cost of ``accessreg apply`` at 20,000 and 200,000 users: the first apply, then merges
of 1 and of 100 changed user files, and the ratio 200k / 20k.

    python benchmarks/bench_apply.py [--sizes 20k 200k] [--runs 3] [--window 8]

The registries are ``benchmarks/work/reg20k`` and ``reg200k`` (``cputime.py``); each is cloned
into ``benchmarks/work/apply-<size>`` (the clone's state ref and commits stay there). In a
fresh process each, with this checkout's ``tooling/``, as the merge workflow runs it:

1. ``--runs`` times each, alternately: ``validate --strict`` of the whole registry, for
   comparison, and the floor issue 14 measures it against (every file parsed with PyYAML's
   C loader, nothing else); their ratio is that of the medians, taken in the same minutes
   (this machine's speed drifts by a tenth from one hour to the next, and single runs a
   few minutes apart gave 1.24 to 1.33);
2. ``apply --initial --confirm``: every user is new (the first run of a deployment), which
   also fills the cache of the operators' snapshot shares;
3. one merge and ``apply --confirm``: the first run after ``--initial``, which checks only
   the operator the merge changed (the first apply keeps every operator's findings as the
   incremental runs do; later days reuse them until a time rule moves);
4. ``--runs`` times each: a merge changing the memo of 1 user file, then of 100 user files
   spread over the operators, each followed by ``apply --confirm``;
5. once: the same one-file change applied with ``--full`` (no cache), for comparison; then
   once a one-file merge applied with an empty cache directory, as the first run after an
   upgrade of the tool finds its cache (a new namespace): every operator is rendered;
6. a merge adding one user to each of 100 operators, applied: their permissions come at
   M+6 and M+9, and until then every run reads those operators again (the snapshots
   hold what is in effect on the day; their shares on the day come from the cache once
   rendered). Then ``--runs`` times a one-file merge
   applied, and once the run over the applied revision (``--head``, as the daily one);
   then ``status`` twice (the first keeps the head's registry whole, the second reads it
   back), once after a one-file merge (the kept registry patched with that file), and
   ``status --operator`` (that operator's users alone);
7. ``--window`` (8) merges in a row, each changing the memo of 100 user files picked at
   random (from a seeded generator), each applied: the merges since the oldest waiting
   batch grow by one a run (in operation, weeks of them), and so would a run that went
   back through them for every operator it reads;
8. once: ``confirm`` of the first apply's batch (every system imported; the completion
   notices of its applications written, not sent);
9. ``--runs`` times: a one-file merge applied while those notices are owed: a run that
   does not send them writes them again (as ``confirm`` composed and kept them in the
   cache: linked), and the next run owes them still;
10. once: another, with an empty cache, as a new version's first run finds its cache while
    the notices are owed: HEAD is validated in full, the batch's applications made from
    that registry, and every notice composed again.

Each run writes into a directory of its own under ``benchmarks/work/apply-<size>-out``, as
the workflow's fresh runner does, and the benchmark then removes it, flushes the file
system and waits ``SETTLE`` seconds before anything else: the next run starts on a machine
that holds no earlier run's outputs, neither being deleted nor written back. Deleting an
earlier run's 470 MB just before a run made that run pay for it in the kernel; keeping
every run's outputs to the end made each later run's system time grow (0.6 s for one file
on a settled machine, 1.6-1.9 s after five runs' outputs had been kept).

Every run is on the registry's day (its manifest's ``today``, as for the other benchmarks),
and the benchmark's merges are committed on it: on a later day the generated registry breaks
a time rule (a renewed API certificate valid beside the one it renews), and the runs would
measure files held back, not the change.

CPU seconds (user + system of the process tree) and the peak memory of the largest process
are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from cputime import (
    WORK,
    Run,
    accessreg,
    describe,
    git,
    machine,
    median,
    on_day,
    parse_floor,
    registry,
    registry_day,
)

SETTLE = 5  # seconds after a run's outputs are removed: ext4 commits every 5 s
_MINUTES = itertools.count(1)  # the benchmark's commits, a minute apart


def _dated(repo: Path) -> dict[str, str]:
    """A commit of the benchmark: on the registry's day, a minute after the one before."""
    return on_day(registry_day(repo), next(_MINUTES))


def clone(size: str, name: str | None = None) -> Path:
    """``reg<size>`` cloned afresh into ``benchmarks/work/<name>`` (``apply-<size>``), the
    outputs of an earlier run removed."""
    source = registry(size)
    target = WORK / (name or f"apply-{size}")
    if target.exists():
        shutil.rmtree(target)
    shutil.rmtree(outputs(target), ignore_errors=True)
    subprocess.run(["git", "clone", "-q", "--local", str(source), str(target)], check=True)
    return target


def change_memos(repo: Path, files: list[str], tag: str) -> None:
    """Merge a branch that changes the memo of ``files``, as a pull request would."""
    git(repo, "checkout", "-q", "-b", tag)
    for rel in files:
        path = repo / rel
        text = re.sub(r"(?m)^memo: .*\n", "", path.read_text("utf-8"))
        path.write_text(text + f"memo: 変更申請 {tag}\n", "utf-8")
    git(repo, "commit", "-q", "-am", f"{tag}: memo", env=_dated(repo))
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", tag, env=_dated(repo))


def add_users(repo: Path, users: list[str], count: int, tag: str) -> None:
    """Merge a branch adding one user to each of ``count`` operators spread over the
    registry (a copy of the operator's first user, under a new login ID and name; an admin
    ID of the switching system made a user ID, since an operator has one admin ID of each
    role: a second one is an error, and ``apply`` would hold the new file back)."""
    git(repo, "checkout", "-q", "-b", tag)
    firsts: dict[str, str] = {}
    for rel in users:
        firsts.setdefault(rel.split("/")[2], rel)
    codes = sorted(firsts)
    for n, code in enumerate(codes[:: max(1, len(codes) // count)][:count]):
        source = repo / firsts[code]
        text = source.read_text("utf-8")
        email = re.search(r"(?m)^email: (.*)$", text)
        assert email is not None, source
        login = f"{tag}{n}.{email.group(1).strip()}"
        text = text.replace(email.group(1).strip(), login)
        text = re.sub(r"(?m)^name: .*$", f"name: 新井 {n}号", text)
        text = re.sub(r"(?m)^name_kana: .*$", "name_kana: アライ ゴウ", text)
        text = re.sub(r"\b(retailer|dr)_admin\b", r"\1_user", text)
        (source.parent / f"{login.lower()}.yaml").write_text(text, "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"{tag}: {count} new users", env=_dated(repo))
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", tag, env=_dated(repo))


def outputs(repo: Path) -> Path:
    """Where the runs of ``repo`` write, each into a directory of its own."""
    return repo.parent / f"{repo.name}-out"


def apply(repo: Path, out: str, *extra: str, env: dict[str, str] | None = None) -> Run:
    """``apply`` into a directory not made yet, as the workflow's fresh runner has; its
    outputs then removed and the machine settled."""
    target = outputs(repo) / out
    assert not target.exists(), target
    day = registry_day(repo)
    done = accessreg(repo, "apply", "--out", str(target), *extra, "--today", day,
                     "--accepted-on", day, ok=(0,), env=env)  # fmt: skip
    shutil.rmtree(target)
    os.sync()
    time.sleep(SETTLE)
    return done


def show(label: str, run: Run) -> None:
    print(f"  {label}: {run.cpu:.2f} s CPU ({run.system:.2f} s system), {run.peak_mib:.0f} MiB",
          flush=True)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["20k", "200k"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--window", type=int, default=8, help="100-file merges while waiting")
    args = parser.parse_args()
    print(f"$ python benchmarks/bench_apply.py {shlex.join(sys.argv[1:])}")
    medians: dict[tuple[str, str], float] = {}
    for size in args.sizes:
        repo = clone(size)
        shutil.rmtree(outputs(repo), ignore_errors=True)
        outputs(repo).mkdir(parents=True)
        print(f"{size}: {repo}", flush=True)
        users = git(repo, "ls-files", "--", "registry/users").splitlines()
        validations, floors = [], []
        for run in range(args.runs):
            validated = accessreg(repo, "validate", "--registry", "registry", "--strict",
                                  "--today", registry_day(repo))  # fmt: skip
            show(f"validate --strict, run {run + 1}", validated)
            floor = parse_floor(repo)
            files = floor.stdout.strip()
            show(f"parse floor ({files} files, PyYAML's C loader), run {run + 1}", floor)
            validations.append(validated.cpu)
            floors.append(floor.cpu)
        print("  " + describe("validate --strict", validations), flush=True)
        print("  " + describe("parse floor", floors), flush=True)
        validate_cpu = median(validations)
        print(f"  validate / parse floor: {validate_cpu / median(floors):.2f}", flush=True)
        first = apply(repo, "out-initial", "--initial", "--confirm")
        show("apply --initial --confirm", first)
        print(f"  ratio to validate: {first.cpu / validate_cpu:.1f}", flush=True)
        change_memos(repo, users[:1], "warm")
        show("apply, 1 file, the first run after --initial", apply(repo, "out-warm", "--confirm"))
        for label, count in (("1 file", 1), ("100 files", 100)):
            step = max(1, len(users) // count)
            cpus = []
            for run in range(args.runs):
                picked = users[run + 1 :: step][:count]
                change_memos(repo, picked, f"r{count}-{run}")
                done = apply(repo, f"out-{count}-{run}", "--confirm")
                show(f"apply, {label}, run {run + 1}", done)
                cpus.append(done.cpu)
            medians[(size, label)] = median(cpus)
            print("  " + describe(f"apply, {label}", cpus), flush=True)
        change_memos(repo, users[-1:], "full")
        show("apply --full, 1 file (no cache)", apply(repo, "out-full", "--full"))
        # The first run after an upgrade of the tool: its cache namespace is new, so nothing
        # is found there (an empty cache directory stands for it; the clone's stays warm).
        change_memos(repo, users[-2:-1], "upgrade")
        empty = outputs(repo) / "empty-cache"
        first_after = apply(
            repo, "out-upgrade", "--confirm", env={"ACCESSREG_CACHE_DIR": str(empty)}
        )
        show("apply, 1 file, empty cache (the first run after an upgrade)", first_after)
        shutil.rmtree(empty)
        # 100 operators waiting for a new user's permissions (M+6, M+9): each later run
        # reads them again until they come (``State.waiting``).
        add_users(repo, users, 100, "waiting")
        show("apply, 100 new users", apply(repo, "out-waiting", "--confirm"))
        cpus = []
        for run in range(args.runs):
            change_memos(repo, users[run + 2 :: len(users) // 3][:1], f"w1-{run}")
            done = apply(repo, f"out-w1-{run}", "--confirm")
            show(f"apply, 1 file, 100 operators waiting, run {run + 1}", done)
            cpus.append(done.cpu)
        print("  " + describe("apply, 1 file, 100 operators waiting", cpus), flush=True)
        applied = json.loads(git(repo, "show", "refs/accessreg/state:state.json"))["applied"]
        daily = apply(repo, "out-daily", "--head", applied)
        show("apply --head <applied>, as the daily run, 100 operators waiting", daily)
        # ``status``: every operator's applications and suspensions, twice (the first run
        # loads the head through the parse cache and keeps it whole, the next reads it
        # back), once after a one-file merge (the kept registry read back and patched with
        # that file), and one operator's (its users alone).
        day = ("--today", registry_day(repo))
        show("status, the first (keeps the registry)", accessreg(repo, "status", *day, ok=(0,)))
        show("status, again", accessreg(repo, "status", *day, ok=(0,)))
        change_memos(repo, users[7:8], "status-merge")
        show("status, after a one-file merge", accessreg(repo, "status", *day, ok=(0,)))
        show(
            "status --operator",
            accessreg(repo, "status", "--operator", users[0].split("/")[2], *day, ok=(0,)),
        )
        # While they wait, merges go on: each run's day history reaches back to the
        # oldest waiting batch, so the window grows with every merge (weeks of them).
        rng = random.Random(size)
        window = []
        for run in range(args.window):
            change_memos(repo, sorted(rng.sample(users, 100)), f"window-{run}")
            done = apply(repo, f"out-window-{run}", "--confirm")
            show(f"apply, 100 files, merge {args.runs + run + 2} since the waiting one", done)
            window.append(done.cpu)
        if window:
            print("  " + describe("apply, 100 files, as the merges since it grow", window))
        # Last (it records the import, so that every later run would owe the completion
        # notices it writes, not sends): the first apply's batch confirmed imported by every
        # system, each of its applications owing its window persons a notice per system.
        batches = json.loads(git(repo, "show", "refs/accessreg/state:state.json"))["batches"]
        first_batch = min(batches.values(), key=lambda b: b["number"])["id"]
        target = outputs(repo) / "out-confirm"
        confirmed = accessreg(repo, "confirm", first_batch, "--out", str(target), *day, ok=(0,))
        mails = len(list((target / "mail").glob("*.eml")))
        show(f"confirm <the first apply's batch>, {mails} notices written", confirmed)
        shutil.rmtree(target)
        owing = []
        for run in range(args.runs):  # the notices stay owed: each run writes them again
            change_memos(repo, users[3 + run : 4 + run], f"owed{run}")
            owed = apply(repo, f"out-owed-{run}", "--confirm")
            show(f"apply, 1 file, the {mails} notices of the first batch owed, run {run + 1}", owed)
            owing.append(owed.cpu)
        print("  " + describe("apply, 1 file, the notices owed", owing), flush=True)
        change_memos(repo, users[3 + args.runs : 4 + args.runs], "owed-upgrade")
        owed_upgrade = apply(
            repo, "out-owed-upgrade", "--confirm", env={"ACCESSREG_CACHE_DIR": str(empty)}
        )
        show(f"apply, 1 file, the {mails} notices owed, empty cache", owed_upgrade)
        shutil.rmtree(empty)
        medians[(size, "initial")] = first.cpu
        medians[(size, "validate")] = validate_cpu
        shutil.rmtree(outputs(repo))
    print(machine())
    if {"20k", "200k"} <= set(args.sizes):
        for label in ("1 file", "100 files"):
            ratio = medians[("200k", label)] / medians[("20k", label)]
            print(f"apply, {label}: ratio 200k / 20k {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
