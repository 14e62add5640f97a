"""Every command and every option of ``accessreg`` says what it is for."""

from __future__ import annotations

import click

from accessreg.cli import main
from tests.helpers.regfactory import ROOT, run_cli


def _commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(main)
    found: list[tuple[str, click.Command]] = []

    def walk(cmd: click.Command, path: str) -> None:
        found.append((path, cmd))
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                assert sub is not None
                walk(sub, f"{path} {name}")

    walk(main, "accessreg")
    return found


def test_every_command_and_option_has_help() -> None:
    missing = [
        f"{path} {'/'.join(p.opts)}"
        for path, cmd in _commands()
        for p in cmd.params
        if isinstance(p, click.Option) and not p.hidden and not p.help
    ]
    assert missing == []
    undocumented = [path for path, cmd in _commands() if not cmd.help]
    assert undocumented == []


def test_help_runs_for_every_command() -> None:
    for path, _ in _commands():
        args = path.split()[1:]
        result = run_cli(*args, "--help", cwd=ROOT)
        assert result.returncode == 0, (path, result.stderr)
        assert "--help" in result.stdout
