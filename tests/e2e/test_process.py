"""The command as a separate process, the way CI and a window person call it: exit codes,
``--version``, start-up, and one run of each workflow's main command.

Every other CLI test runs the command in-process (``tests.helpers.regfactory.run_cli``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from accessreg import __version__
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import OPERATOR, ROOT, RegistryFactory, run_process

ON = ["--today", "2026-12-03"]


def _clean(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout + result.stderr


def test_version(tmp_path: Path) -> None:
    result = run_process("--version", cwd=tmp_path)
    assert result.returncode == 0, _clean(result)
    assert result.stdout.strip() == f"accessreg, version {__version__}"


def test_validate_exits_0_1_2(reg: RegistryFactory) -> None:
    clean = run_process("validate", *ON, cwd=reg.repo)
    assert clean.returncode == 0, _clean(clean)
    reg.edit(OPERATOR, "code: TESTOP01", "code: testop01")
    broken = run_process("validate", *ON, cwd=reg.repo)
    assert broken.returncode == 1, _clean(broken)
    assert "registry/operators/TESTOP01.yaml:" in broken.stdout
    usage = run_process("validate", "--format", "nonsense", cwd=reg.repo)
    assert usage.returncode == 2, _clean(usage)


def _python(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``script`` run by a fresh interpreter with this checkout's tooling and nothing else."""
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT / "tooling"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_command_imports_only_what_it_runs(tmp_path: Path) -> None:
    """Subcommands load lazily: `validate` does not pay for provisioning, mail or forms."""
    script = (
        "import sys\n"
        "from accessreg.cli import main\n"
        "try:\n"
        "    main(['validate', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('provision', 'scheduled', 'mail', 'forms', 'edit', 'plan')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[1:2] and "
        "m.split('.')[1] in heavy and m.startswith('accessreg.')))\n"
    )
    result = _python(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_the_holiday_table_loads_japan_alone(tmp_path: Path) -> None:
    """Counting business days loads Japan's holidays, not the module of every country the
    library knows (a tenth of a command's start-up), and gives the library's own table."""
    script = (
        "import sys, holidays\n"
        "from accessreg.timeline import business_days\n"
        "mine = {y: business_days._public_holidays(y) for y in range(2015, 2041)}\n"
        "print(sum(m.startswith('holidays.countries.') for m in sys.modules))\n"
        "theirs = {y: frozenset(holidays.country_holidays('JP', years=y)) for y in mine}\n"
        "print(mine == theirs)\n"
    )
    result = _python(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "True"]


def test_a_pull_request_and_its_merge(reg: RegistryFactory, tmp_path: Path) -> None:
    """The pull-request check (incremental validate, plan, authorize) and the merge job
    (apply) as processes, on a real repository."""
    gr = GitRegistry(reg)
    base = gr.rev()
    gr.branch("add-user")
    reg.user(email="user2@test-gas.example.co.jp", name="二宮 二郎")
    gr.commit("add a user")
    for args in (
        ("validate", "--changed-since", base, *ON),
        ("plan", "--base", base, "--accepted-on", "2026-12-03"),
        ("authorize", "--base", base, "--actor", "window-1"),
    ):
        result = run_process(*args, cwd=gr.path)
        assert result.returncode == 0, (args, _clean(result))
    gr.checkout("main")
    gr.merge("add-user")
    out = tmp_path / "out"
    applied = run_process("apply", "--out", str(out), "--base", base, *ON, cwd=gr.path)
    assert applied.returncode == 0, _clean(applied)
    assert (out / "manifest.json").is_file()
    gr.close()
