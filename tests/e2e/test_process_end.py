"""The ``accessreg`` process ends with its command (``cli.entry``): the same files and
report as the command run in-process, its exit code, its streams flushed and its exit
handlers run; what the run built is left frozen and held, not walked and freed, and
anything unusual takes Python's ordinary exit."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from tests.helpers.regfactory import ROOT, RegistryFactory, run_cli, run_process
from tests.helpers.scheduled_scenario import scenario

DAY = date(2026, 9, 1)


def _python(script: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT / "tooling"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def _daily_registry(reg: RegistryFactory, tmp: Path) -> tuple[Path, list[str]]:
    """A registry with IDs at several stages and an export, and the daily command's
    arguments but ``--out``."""
    g = scenario(reg)
    for n in range(2, 5):
        reg.user("TESTOP01", f"user{n}@test-gas.example.co.jp")
    g.repo.git.add("-A")
    g.repo.git.commit("-q", "-m", "users")
    export = tmp / "last-logins.csv"
    rows = [f"user{n}@test-gas.example.co.jp,試験,2026-0{n}-01" for n in range(1, 5)]
    export.write_text("ユーザID,氏名,最終ログイン日時\n" + "\n".join(rows) + "\n", encoding="utf-8")
    pulls = tmp / "open-pulls.json"
    pulls.write_text("[]\n", encoding="utf-8")
    args = ["daily", "--last-logins", str(export), "--open-pulls", str(pulls)]
    return g.path, [*args, "--today", DAY.isoformat()]


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_daily_as_a_process_writes_and_reports_what_it_does_in_process(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    root, args = _daily_registry(reg, tmp_path)
    inside = run_cli(*args, "--out", str(tmp_path / "a"), cwd=root)
    process = run_process(*args, "--out", str(tmp_path / "b"), cwd=root)
    assert (inside.returncode, process.returncode) == (0, 0), process.stderr
    assert process.stdout.replace(str(tmp_path / "b"), "OUT") == inside.stdout.replace(
        str(tmp_path / "a"), "OUT"
    )
    assert "mail/" in "".join(_files(tmp_path / "a"))  # mails were written
    assert _files(tmp_path / "b") == _files(tmp_path / "a")
    usage = run_process("daily", "--today", DAY.isoformat(), cwd=root)  # neither --out nor --send
    assert usage.returncode == 2 and "--out" in usage.stderr, usage.stderr


def test_the_run_stays_frozen_and_held_until_the_process_ends(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    root, args = _daily_registry(reg, tmp_path)
    script = (
        "import atexit, gc, sys\n"
        "from accessreg import cli\n"
        "from accessreg.files import gcpause\n"
        "gcpause.FREEZE_FROM = 0  # this registry is small: as if large\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0,\n"
        "                              'held', len(gcpause._held or ()), file=sys.stderr))\n"
        "sys.argv = ['accessreg', *sys.argv[1:]]\n"
        "cli.entry()\n"
    )
    ended = _python(script, root, *args, "--out", str(tmp_path / "out"))
    assert ended.returncode == 0, ended.stderr
    assert "frozen True held 1" in ended.stderr


def test_the_process_ends_with_the_code_its_streams_flushed_and_its_exit_handlers_run(
    tmp_path: Path,
) -> None:
    script = (
        "import atexit, sys\n"
        "from accessreg import cli\n"
        "atexit.register(lambda: print('bye', end='') or open(sys.argv[1], 'w').write('ran'))\n"
        "sys.stdout.write('x' * 200_000)  # more than a pipe holds: still buffered\n"
        "sys.stderr.write('told')\n"
        "cli.end(SystemExit(3))\n"
    )
    ended = _python(script, tmp_path, str(tmp_path / "handler"))
    assert ended.returncode == 3
    assert (ended.stdout, ended.stderr) == ("x" * 200_000 + "bye", "told")
    assert (tmp_path / "handler").read_text() == "ran"


def test_an_unusual_end_takes_pythons_own_exit(tmp_path: Path) -> None:
    message = "import sys\nfrom accessreg import cli\ncli.end(SystemExit('stopped'))\n"
    ended = _python(message, tmp_path)
    assert (ended.returncode, ended.stderr.strip()) == (1, "stopped")
    # A thread still working is waited for, as Python waits for it.
    thread = (
        "import sys, threading, time\n"
        "from accessreg import cli\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    open(sys.argv[1], 'w').write('done')\n"
        "threading.Thread(target=late).start()\n"
        "cli.end(SystemExit(0))\n"
    )
    ended = _python(thread, tmp_path, str(tmp_path / "late"))
    assert ended.returncode == 0, ended.stderr
    assert (tmp_path / "late").read_text() == "done"
