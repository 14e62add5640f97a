"""Shared by the benchmarks that compare two registry sizes: CPU time of a command's process
tree, the registries under ``benchmarks/work/``, and the 200k / 20k ratio.

CPU time (user + system of the command and every process it waited for, from
``os.wait4`` of the run) is what is compared: on a shared machine the
wall time follows the other work, the CPU time much less.
"""

from __future__ import annotations

import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.jp"]
# name → (operators, users): the sizes compared.
SIZES = {"20k": (200, 20000), "200k": (2000, 200000)}


@dataclass(frozen=True)
class Run:
    cpu: float  # user + system seconds of the process tree
    system: float  # the system's part of it, which varies most from run to run
    peak_mib: float  # ru_maxrss of the largest process among them
    returncode: int
    stdout: str
    stderr: str


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """``git ARGS`` in ``repo`` (``env`` added to the environment): its output."""
    done = subprocess.run([*GIT, "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=os.environ | (env or {}))  # fmt: skip
    return done.stdout.strip()


def registry_day(repo: Path) -> str:
    """The day a generated registry keeps every rule on (its manifest's ``today``): its
    certificates' renewals start after it, so a later day finds two API certificates
    valid at once for some operators, and the runs measured would be of errors."""
    manifest = json.loads((repo / "manifest.json").read_text(encoding="utf-8"))
    return str(manifest["today"])


def on_day(day: str, minute: int = 0) -> dict[str, str]:
    """The environment of a commit made on ``day`` (in Japan, from 09:00, ``minute``
    minutes later), whatever the machine's clock says: a merge's day is the day its
    application is dated."""
    hours, minutes = divmod(9 * 60 + minute, 60)
    stamp = f"{day}T{hours:02d}:{minutes:02d}:00+09:00"
    return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}


def tool_env() -> dict[str, str]:
    """The environment of a run of this checkout's tooling, as an installed package runs.

    ``pip install .`` (the workflows' way) byte-compiles the package once; a run from the
    source tree with ``PYTHONDONTWRITEBYTECODE`` set would compile every module again in
    every process (about 0.3 s). The compiled files go to ``work/pycache``, not the checkout.
    """
    dropped = ("ACCESSREG_CACHE_DIR", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PYTHONPATH"] = str(ROOT / "tooling")
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    return env


def accessreg(
    repo: Path, *args: str, ok: tuple[int, ...] = (0, 1), env: dict[str, str] | None = None
) -> Run:
    """One ``python -m accessreg ARGS`` in ``repo``, with this checkout's tooling (and
    ``env`` added to its environment)."""
    label = f"accessreg {shlex.join(args)}"
    return _child(repo, ["-m", "accessreg", *args], label, ok, env)


# Every YAML file of a registry read and parsed with PyYAML's C loader, and nothing else.
_PARSE_ONLY = """
import pathlib, sys, yaml
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.yaml"))
for path in files:
    yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
print(len(files))
"""


def parse_floor(repo: Path) -> Run:
    """The floor issue 14 measures a full ``validate`` against: parsing every file of
    ``repo``'s registry with PyYAML's C loader, in one process (its stdout: how many)."""
    return _child(repo, ["-c", _PARSE_ONLY, "registry"], "the parse floor", (0,))


def _child(
    repo: Path,
    argv: list[str],
    label: str,
    ok: tuple[int, ...],
    extra: dict[str, str] | None = None,
) -> Run:
    """``python ARGV`` in ``repo`` with this checkout's tooling, and what it cost."""
    env = tool_env() | (extra or {})
    # os.wait4 gives this child's own figures (its waited-for workers included): the peak of
    # RUSAGE_CHILDREN would be that of the largest child so far, not of this one.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, *argv], cwd=repo, env=env, stdout=out,
                                stderr=err)  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if returncode not in ok:
        sys.exit(f"{label} exited {returncode}:\n{stderr[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(cpu, usage.ru_stime, usage.ru_maxrss / 1024, returncode, stdout, stderr)


def registry(size: str) -> Path:
    """``benchmarks/work/reg<size>``, generated and committed the first time."""
    operators, users = SIZES[size]
    repo = WORK / f"reg{size}"
    if not (repo / "registry").is_dir():
        print(f"generating {repo} ({operators} operators, {users} users)...", flush=True)
        subprocess.run([sys.executable, str(HERE / "make_registry.py"), str(repo), "--operators",
                        str(operators), "--users", str(users)], check=True)  # fmt: skip
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "registry", env=on_day(registry_day(repo)))
    if git(repo, "status", "--porcelain", "--untracked-files=no"):
        sys.exit(f"{repo} has uncommitted changes; `git -C {repo} reset --hard` first")
    return repo


def median(values: list[float]) -> float:
    return statistics.median(values)


def describe(label: str, cpus: list[float]) -> str:
    runs = ", ".join(f"{c:.2f}" for c in cpus)
    return f"{label}: median {median(cpus):.2f} s CPU (runs: {runs})"


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"load average {load} on {os.cpu_count()} CPUs, shared with other work: "
        "CPU seconds are compared, wall time is not"
    )
