"""An input a command cannot read, or outputs it cannot write, are named with why, in the
reader's words, and the command changes nothing: no output, no recorded state (never a
traceback, nor the tool's own objects shown as they are in memory)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import accessreg, state
from tests.helpers.regfactory import RegistryFactory

DAY = ["--today", "2026-12-03"]


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    reg.user(permissions={"taxis": "1010"})
    made = GitRegistry(reg)
    yield made
    made.close()


def _refused(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "Message(" not in result.stderr  # a message object printed as it is in memory


@pytest.mark.parametrize(
    "args",
    [
        ("stale", "--last-logins"),
        ("daily", "--last-logins"),
        ("daily", "--open-pulls"),
    ],
    ids=["stale", "daily-last-logins", "daily-open-pulls"],
)
def test_a_missing_input_of_a_duty_is_named_with_why(
    gr: GitRegistry, tmp_path: Path, args: tuple[str, str]
) -> None:
    missing = tmp_path / "absent.csv"
    out = tmp_path / "out"
    result = accessreg(gr, *args, str(missing), *DAY, "--out", str(out))
    _refused(result)
    assert f"{missing} を読めません: そのファイルまたはディレクトリはありません" in result.stderr
    assert not out.exists()


def test_a_pull_request_list_that_is_not_utf8_is_named_with_why(
    gr: GitRegistry, tmp_path: Path
) -> None:
    listed = tmp_path / "pulls.json"
    listed.write_bytes(b'\xff\xfe[{"merge_commit": "x"}]')
    out = tmp_path / "out"
    result = accessreg(
        gr, "apply", "--out", str(out), "--initial", "--pull-requests", str(listed), *DAY
    )
    _refused(result)
    assert f"{listed} を読めません: UTF-8 のテキストではありません" in result.stderr
    assert not out.exists() and state(gr) == {}
    english = accessreg(
        gr, "apply", "--out", str(out), "--initial", "--pull-requests", str(listed), *DAY,
        env={"ACCESSREG_LANG": "en"},
    )  # fmt: skip
    _refused(english)
    assert f"Cannot read {listed}: it is not UTF-8 text" in english.stderr


@pytest.mark.parametrize(
    ("when", "why"),
    [
        ("9999-12-31T23:59:59Z", "is not a time"),  # past the last day a date can hold, in Japan
        ("2150-01-01T09:00:00Z", "is not a date from 2000-01-01 to 2099-12-31"),
        ("1999-12-31", "is not a date from 2000-01-01 to 2099-12-31"),
    ],
)
def test_a_pull_request_time_out_of_range_is_named_with_why(
    gr: GitRegistry, tmp_path: Path, when: str, why: str
) -> None:
    listed = tmp_path / "pulls.json"
    listed.write_text(f'[{{"merge_commit": "{gr.rev()}", "accepted_at": "{when}"}}]')
    out = tmp_path / "out"
    result = accessreg(
        gr, "apply", "--out", str(out), "--initial", "--pull-requests", str(listed), *DAY,
        env={"ACCESSREG_LANG": "en"},
    )  # fmt: skip
    _refused(result)
    assert "pulls.json: pull request 1: accepted_at: " in result.stderr, result.stderr
    assert when in result.stderr and why in result.stderr, result.stderr
    assert not out.exists() and state(gr) == {}


@pytest.mark.parametrize("command", [("apply", "--initial"), ("daily",)], ids=["apply", "daily"])
def test_outputs_that_cannot_be_written_are_named_with_why(
    gr: GitRegistry, tmp_path: Path, command: tuple[str, ...]
) -> None:
    in_the_way = tmp_path / "outputs"
    in_the_way.write_text("a file where the outputs' directory would be made")
    result = accessreg(gr, *command, "--out", str(in_the_way / "out"), *DAY)
    _refused(result)
    assert "出力を書き込めません: 同じ名前のファイルがあって作れません" in result.stderr
    assert in_the_way.is_file() and state(gr) == {}
