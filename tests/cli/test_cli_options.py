"""Option values are checked once, by shared types: a bad one is a usage error (exit 2)
naming the option, never a traceback and never a silent other meaning."""

from __future__ import annotations

import click
import pytest

from accessreg.cli import COMMANDS, main
from accessreg.cli.options import DATE, LOGIN
from tests.helpers.regfactory import RegistryFactory, run_cli

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


BAD_DATES = [
    "2026-W47-1",  # ISO week date: date.fromisoformat read it as 2026-11-16
    "20261116",  # basic format, the same
    "2026-11-16T00:00",
    "9999-12-31",  # business days overflowed
    "1999-12-31",  # before the holiday tables
    "2026-02-30",
    "",
]
# Every command option that takes a date, with the arguments its command needs to start.
DATED = [
    ("validate", "--today"),
    ("plan --base HEAD", "--accepted-on"),
    ("apply --out out --initial", "--accepted-on"),
    ("apply --out out --initial", "--today"),
    ("expiry --out out", "--today"),
    ("inventory --out out", "--today"),
    ("membership --out out", "--today"),
    ("daily --out out", "--today"),
    ("confirm 20261203-x", "--today"),
    ("operator terminate --operator TESTOP01", "--on"),
    ("ip add --operator TESTOP01 --cidr 41.203.64.11/32 --reason x", "--expires-on"),
    ("user remove --operator TESTOP01 --email user1@test-gas.example.co.jp", "--today"),
]


def _options(command: click.Command) -> list[click.Parameter]:
    if isinstance(command, click.Group):
        return [p for sub in command.commands.values() for p in _options(sub)]
    return list(command.params)


def test_every_date_option_is_the_one_date_type() -> None:
    ctx = click.Context(main)
    dated = []
    for name in COMMANDS:
        command = main.get_command(ctx, name)
        assert command is not None
        for param in _options(command):
            if param.metavar == "YYYY-MM-DD" or param.name in ("today", "accepted_on"):
                assert param.type is DATE, (name, param.name)
                dated.append(name)
    assert {"validate", "plan", "apply", "daily", "ip", "operator"} <= set(dated)


@pytest.mark.parametrize(("command", "option"), DATED)
@pytest.mark.parametrize("value", BAD_DATES)
def test_a_date_that_is_not_yyyy_mm_dd_in_range_is_a_usage_error(
    reg: RegistryFactory, command: str, option: str, value: str
) -> None:
    result = run_cli(*command.split(), option, value, cwd=reg.repo)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"Invalid value for '{option}'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["inventory --out out", "daily --out out"])
@pytest.mark.parametrize("months", ["99999999", "0", "-1", "x"])
def test_months_out_of_range_is_a_usage_error(
    reg: RegistryFactory, command: str, months: str
) -> None:
    result = run_cli(*command.split(), "--months", months, cwd=reg.repo)
    assert result.returncode == 2
    assert "Invalid value for '--months'" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("authorize", "--base", "HEAD", "--actor"),
        ("plan", "--base", "HEAD", "--actor"),
        ("from-issue", "--body", "-", "--author"),
    ],
)
@pytest.mark.parametrize("login", ["aoyama-taro\n", "a\nb", "-a", "a--b", "x" * 40, ""])
def test_a_login_that_is_not_one_is_a_usage_error(
    reg: RegistryFactory, args: tuple[str, ...], login: str
) -> None:
    result = run_cli(*args, login, cwd=reg.repo)
    assert result.returncode == 2
    assert "is not a GitHub login" in result.stderr
    assert LOGIN.convert("aoyama-taro", None, None) == "aoyama-taro"
