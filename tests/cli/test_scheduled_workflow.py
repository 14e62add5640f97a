"""The daily workflow: valid for GitHub, at 07:00 JST, serial with the merge workflow, and
its git steps working against a real remote from fresh clones, as a runner has them."""

from __future__ import annotations

import email
import email.policy
import fnmatch
import subprocess
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import git
import yaml

from tests.helpers.provisioning import state_outbox
from tests.helpers.regfactory import ROOT, RegistryFactory, run_cli
from tests.helpers.scheduled_scenario import dated, mail_server, scenario, take
from tests.helpers.smtpserver import Mailbox

WORKFLOW = ROOT / ".github/workflows/scheduled.yml"
BRANCH = "accessreg/stale-deletions/TESTOP01"


def _workflow() -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def _steps() -> list[dict[str, Any]]:
    (job,) = _workflow()["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def _step(step_id: str) -> str:
    script: str = next(s["run"] for s in _steps() if s.get("id") == step_id)
    return script


def test_daily_at_seven_in_japan_again_at_noon_and_on_demand() -> None:
    """At 07:00 JST; again at noon, for a morning run that a merge's run replaced while it
    waited in the concurrency group (a re-run the same day sends nothing twice:
    test_fresh_runners_share_state_and_one_branch)."""
    flow = _workflow()
    triggers = flow[True]  # YAML 1.1 reads `on` as True
    # 22:00 UTC = 07:00 JST, 03:00 UTC = 12:00 JST
    assert triggers["schedule"] == [{"cron": "0 22 * * *"}, {"cron": "0 3 * * *"}]
    assert "today" in triggers["workflow_dispatch"]["inputs"]
    assert set(triggers) == {"schedule", "workflow_dispatch"}


def test_serial_with_the_merge_workflow() -> None:
    group = _workflow()["concurrency"]
    assert group == {"group": "accessreg-provision", "cancel-in-progress": False}
    provision = ROOT / ".github/workflows/provision.yml"
    if provision.exists():  # both write the outbox in refs/accessreg/state
        jobs = yaml.safe_load(provision.read_text(encoding="utf-8"))["jobs"]
        assert jobs["provision"]["concurrency"]["group"] == group["group"]


def test_it_gives_the_open_pull_requests_to_the_reviews_duty() -> None:
    """The reviewers' deadlines (000 §3-1 ②) come from the API's list of open pull requests:
    fetched with a read-only token, handed to the pure core as a file."""
    assert _workflow()["permissions"]["pull-requests"] == "read"
    fetch = next(s for s in _steps() if s.get("id") == "open-pulls")
    assert fetch["uses"].startswith("actions/github-script@")
    assert "github.rest.pulls.list" in fetch["with"]["script"]
    assert "open-pulls.json" in fetch["with"]["script"]
    assert "--open-pulls open-pulls.json" in _step("daily")


def test_it_sends_regenerates_and_keeps_the_outputs() -> None:
    steps = _steps()
    assert 'accessreg "$@"' in _step("daily")
    assert "set -- daily --out scheduled-out --send" in _step("daily")
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert all(upload["if"] == "always()" for upload in uploads)
    kept = {upload["with"]["path"].split()[0] for upload in uploads}
    assert kept == {"scheduled-out/", "provision-out/"}
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    (job,) = _workflow()["jobs"].values()
    assert job["env"]["ACCESSREG_STATE_REMOTE"] == "origin"
    assert job["defaults"]["run"]["shell"] == "bash"
    for step in steps:  # inputs and secrets reach scripts only through the environment
        assert "${{" not in step.get("run", "")


def _matches(pattern: list[str], names: list[str]) -> bool:
    if not pattern:
        return not names
    if pattern[0] == "**":
        return any(_matches(pattern[1:], names[i:]) for i in range(len(names) + 1))
    head = bool(names) and fnmatch.fnmatchcase(names[0], pattern[0])
    return head and _matches(pattern[1:], names[1:])


def _uploaded(spec: str, cwd: Path) -> set[str]:
    """The files actions/upload-artifact keeps of ``spec`` (its ``path``), as @actions/glob
    reads it: a glob a line (``*`` within a name, ``**`` across directories), ``!`` one
    excluding; a pattern matching a directory takes everything beneath it."""
    lines = [line.strip() for line in spec.splitlines() if line.strip()]

    def hit(pattern: str, rel: str) -> bool:
        names = rel.split("/")
        parts = pattern.rstrip("/").split("/")
        return any(_matches(parts, names[:n]) for n in range(1, len(names) + 1))

    files = (p.relative_to(cwd).as_posix() for p in cwd.rglob("*") if p.is_file())
    return {
        rel
        for rel in files
        if any(hit(line, rel) for line in lines if not line.startswith("!"))
        and not any(hit(line[1:], rel) for line in lines if line.startswith("!"))
    }


def _text(path: Path) -> str:
    """What a reader of the file sees: a mail's subject and every part decoded."""
    if path.suffix != ".eml":
        return path.read_bytes().decode("utf-8-sig")
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    parts = [str(mail["Subject"])]
    for part in mail.walk():
        if not part.is_multipart():
            body = part.get_content()  # type: ignore[attr-defined]
            parts.append(body.decode("utf-8-sig") if isinstance(body, bytes) else body)
    return "\n".join(parts)


def test_the_kept_outputs_hold_nothing_of_the_last_login_export(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """Every operator's window persons can read the run's artifacts. The last logins come
    from the authentication system's export, not from the registry: they reach each
    operator's window persons in its own digest and the reviewers in the drift mail, and
    stay out of the artifact (stale.csv listed every judged user of every operator)."""
    reg.user(email="b@test-gas.example.co.jp", permissions={"taxis": "1010"})
    g = dated(scenario(reg), date(2026, 1, 5))
    export = tmp_path / "last-logins.csv"
    logins = {  # 225 days (deleted), 162 (warning 2), and an ID the registry lacks
        "user1@test-gas.example.co.jp": "2026-03-17",
        "b@test-gas.example.co.jp": "2026-05-19",
        "ghost@test-gas.example.co.jp": "2026-06-23",
    }
    rows = "".join(f"{login},{day}\n" for login, day in logins.items())
    export.write_text(f"ID,last_login\n{rows}", encoding="utf-8")
    args = ("--last-logins", str(export), "--today", "2026-10-28", "--out", "scheduled-out")
    ran = run_cli("daily", *args, cwd=g.path)
    assert ran.returncode == 0, ran.stderr
    told = ("2026-03-17", "2026-05-19", "2026-06-23", "ghost@")
    out = g.path / "scheduled-out"
    written = {p.relative_to(g.path).as_posix(): _text(p) for p in out.rglob("*") if p.is_file()}
    leaking = {rel for rel, text in written.items() if any(t in text for t in told)}
    assert {"scheduled-out/stale.csv", "scheduled-out/stale-drift.csv"} <= leaking

    upload = next(s for s in _steps() if s.get("name") == "出力を保存する")
    kept = _uploaded(upload["with"]["path"], g.path)
    assert not kept & leaking, sorted(kept & leaking)
    # The rest is kept: the day's whitelists, the summary, the other duties' tables and mails.
    assert {"scheduled-out/summary.json", "scheduled-out/whitelist/taxis/allowlist.txt"} <= kept
    assert "scheduled-out/inventory-overdue.csv" in kept
    assert any("-inventory-reminder-" in rel for rel in kept)
    assert set(written) - kept == leaking


def test_it_reads_the_registry_through_the_kept_validation_cache() -> None:
    steps = _steps()
    ids = [s.get("id") for s in steps]
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache"))
    # Where the command looks for it (parsecache.cache_dir), restored before the run.
    assert cache["with"]["path"] == ".git/accessreg-cache"
    assert cache["with"]["restore-keys"].split() == ["accessreg-"]
    assert ids.index(cache["id"]) < ids.index("daily")


def _sh(script: str, cwd: Path) -> None:
    subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, check=True)


def _clone(origin: Path, where: Path) -> Path:
    repo = git.Repo.clone_from(origin, where, branch="main")
    with repo.config_writer() as cfg:
        cfg.set_value("user", "name", "runner")
        cfg.set_value("user", "email", "runner@example.jp")
    repo.close()
    return where


def _remote_branches(origin: Path) -> dict[str, str]:
    out = git.Repo(origin).git.for_each_ref("--format=%(refname) %(objectname)", "refs/heads/")
    pairs = (line.split() for line in out.splitlines())
    return {ref.removeprefix("refs/heads/"): sha for ref, sha in pairs}


def test_fresh_runners_share_state_and_one_branch(reg: RegistryFactory, tmp_path: Path) -> None:
    g = scenario(reg)
    origin = tmp_path / "origin.git"
    git.Repo.init(origin, bare=True, initial_branch="main").close()
    g.repo.git.push(str(origin), "main")
    export = tmp_path / "last-logins.csv"
    export.write_text("ID,last_login\nuser1@test-gas.example.co.jp,2026-01-01\n", encoding="utf-8")
    fetch, push = _step("fetch-deletions"), _step("push-deletions")
    mailbox = Mailbox()

    def runner(name: str, day: str) -> None:
        """What one workflow run does on a fresh clone: fetch, run, push."""
        where = _clone(origin, tmp_path / name)
        _sh(fetch, where)
        args = ("daily", "--send", "--last-logins", str(export), "--today", day)
        result = run_cli(*args, cwd=where, env={**env, "ACCESSREG_STATE_REMOTE": "origin"})
        assert result.returncode == 0, result.stderr
        _sh(push, where)

    with mail_server(mailbox) as env:
        runner("runner1", "2026-09-01")  # user1: 243 days without a login
        sent = {str(m["Message-ID"]) for m in take(mailbox)}
        assert sent
        with closing(git.Repo(origin)) as remote:  # every mail recorded there, none in doubt
            assert set(state_outbox(remote)["sent"]) == sent
            assert state_outbox(remote)["in flight"] == {}
        first = _remote_branches(origin)
        assert sorted(first) == [BRANCH, "main"]
        runner("runner2", "2026-09-01")  # the same day on another fresh runner
        assert take(mailbox) == []  # the outbox and the notice log came from the remote
        assert _remote_branches(origin) == first  # the same application, not made again
        # the window person merges the application; the next run drops the branch
        merger = _clone(origin, tmp_path / "merger")
        _sh(f"git fetch origin {BRANCH} && git merge -q --no-edit FETCH_HEAD", merger)
        _sh("git push -q origin main", merger)
        runner("runner3", "2026-09-02")
    assert sorted(_remote_branches(origin)) == ["main"]


def test_a_failed_duty_holds_back_neither_the_applied_notices_nor_the_deletions() -> None:
    """A step after a failed one is skipped unless it says otherwise. The catch-up apply,
    and when it fails the 登録完了連絡 of what was applied, read at the applied revision,
    not HEAD, run whatever the duties did; a deletion application made before the failure
    must reach the remote; none runs without what it needs: the tool installed, an applied
    revision, the deletion branches fetched (a push with --prune over none would delete
    them on the remote)."""
    by_id = {s.get("id"): s for s in _steps()}
    ids = list(by_id)
    assert ids.index("install") < ids.index("daily") < ids.index("apply")
    assert ids.index("apply") < ids.index("applied-notices")
    assert by_id["merges"]["if"] == "${{ !cancelled() && steps.install.outcome == 'success' }}"
    assert by_id["events"]["if"] == "${{ !cancelled() && steps.merges.outputs.applied != '' }}"
    assert by_id["apply"]["if"] == "${{ !cancelled() && steps.events.outcome == 'success' }}"
    assert '--head "$APPLIED"' in by_id["applied-notices"]["run"]
    assert by_id["applied-notices"]["env"]["APPLIED"] == "${{ steps.merges.outputs.applied }}"
    assert by_id["applied-notices"]["if"] == (
        "${{ !cancelled() && steps.merges.outputs.applied != '' "
        "&& steps.apply.outcome == 'failure' }}"
    )
    assert ids.index("fetch-deletions") < ids.index("daily") < ids.index("push-deletions")
    assert "--prune" in by_id["push-deletions"]["run"]
    assert by_id["push-deletions"]["if"] == (
        "${{ !cancelled() && steps.fetch-deletions.outcome == 'success' }}"
    )
