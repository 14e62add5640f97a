"""The merge workflow: valid, serial, safe; and the state round trip it relies on, on fresh
clones of a real remote as a CI runner has them."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import git
import pytest
import yaml

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import bare_origin, deltas
from tests.helpers.regfactory import ROOT, RegistryFactory, run_cli

WORKFLOW = ROOT / ".github/workflows/provision.yml"
ON = ["--today", "2026-12-03", "--accepted-on", "2026-12-03"]


def _workflow() -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    return data


def test_one_run_at_a_time_never_cancelled_on_push_to_main() -> None:
    flow = _workflow()
    assert flow[True]["push"] == {"branches": ["main"]}  # YAML 1.1 reads `on` as True
    assert "pull_request" not in flow[True] and "pull_request_target" not in flow[True]
    assert flow["jobs"]["provision"]["concurrency"] == {
        "group": "accessreg-provision",
        "cancel-in-progress": False,
    }
    # Write only the state ref; read the merged pull requests' events.
    assert flow["permissions"] == {"contents": "write", "pull-requests": "read"}


def test_a_manual_run_takes_the_first_runs_start_and_a_reviewed_mass_removal() -> None:
    flow = _workflow()
    inputs = flow[True]["workflow_dispatch"]["inputs"]
    assert inputs["initial"]["type"] == inputs["allow_mass_removal"]["type"] == "boolean"
    assert inputs["initial"]["default"] is inputs["allow_mass_removal"]["default"] is False
    assert inputs["base"]["type"] == "string"
    # The mass removal waits in an environment whose reviewers are the maintainers; the
    # apply job runs after its approval, or when none was asked for, never after a refusal.
    gate = flow["jobs"]["approve-mass-removal"]
    assert gate["environment"] == "mass-removal"
    assert gate["if"] == "github.event_name == 'workflow_dispatch' && inputs.allow_mass_removal"
    provision = flow["jobs"]["provision"]
    assert provision["needs"] == "approve-mass-removal"
    condition = " ".join(provision["if"].split())
    assert "needs.approve-mass-removal.result == 'success'" in condition
    assert "needs.approve-mass-removal.result == 'skipped'" in condition
    assert "failure" not in condition and "cancelled" not in condition


def test_it_applies_with_confirm_and_send_and_keeps_the_outputs() -> None:
    job = _workflow()["jobs"]["provision"]
    steps = job["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any("set -- apply --out provision-out --confirm --send" in r for r in runs)
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()"
    assert "provision-out/" in upload["with"]["path"]
    assert job["env"]["ACCESSREG_STATE_REMOTE"] == "origin"
    # Secrets reach only the steps that send, and inputs never reach a script unquoted.
    for step in steps:
        env = step.get("env", {})
        has_secret = any("secrets." in str(v) for v in env.values())
        assert has_secret == ("accessreg" in step.get("run", "") and "--send" in step["run"])
        assert "${{" not in step.get("run", "")


@pytest.fixture
def origin(reg: RegistryFactory, tmp_path: Path) -> Path:
    """A bare remote holding main (six login IDs), as GitHub would."""
    for n in range(2, 6):
        reg.user(email=f"user{n}@test-gas.example.co.jp")
    made = GitRegistry(reg)
    bare = bare_origin(made, tmp_path / "origin.git")
    made.close()
    return bare


def _runner(origin: Path, where: Path) -> git.Repo:
    clone = git.Repo.clone_from(str(origin), where)
    with clone.config_writer() as config:
        config.set_value("user", "name", "runner")
        config.set_value("user", "email", "runner@example.jp")
    return clone


def _push_merge(origin: Path, where: Path, change: str, text: str | None) -> None:
    """A developer's clone merging one change into main and pushing it."""
    dev = _runner(origin, where)
    path = Path(dev.working_dir) / change
    if text is None:
        path.unlink()
    else:
        path.write_text(text, encoding="utf-8")
    dev.git.add("-A")
    dev.git.commit("-q", "-m", f"change {change}")
    dev.git.push("-q", "origin", "main")
    dev.close()


def _apply(runner: git.Repo, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "apply", "--out", str(out), "--confirm", "--state-remote", "origin", *ON, *extra,
        cwd=Path(runner.working_dir),
    )  # fmt: skip


def test_each_fresh_runner_continues_from_the_recorded_revision(
    origin: Path, tmp_path: Path
) -> None:
    first = _runner(origin, tmp_path / "run1")
    assert _apply(first, tmp_path / "out1", "--initial").returncode == 0
    catalog = "registry/systems.yaml"
    valid = (Path(first.working_dir) / catalog).read_text(encoding="utf-8")
    first.close()
    recorded = git.Repo(origin).git.rev_parse("refs/accessreg/state")

    user = "registry/users/TESTOP01/user1@test-gas.example.co.jp.yaml"
    _push_merge(origin, tmp_path / "dev1", user, None)

    # A run that fails (the catalog at HEAD is broken) leaves the remote state alone.
    _push_merge(origin, tmp_path / "dev2", catalog, "systems: [\n")
    broken = _runner(origin, tmp_path / "run2")
    result = _apply(broken, tmp_path / "out2")
    assert result.returncode == 1, result.stderr
    broken.close()
    assert git.Repo(origin).git.rev_parse("refs/accessreg/state") == recorded

    # Fixed by another merge: the next fresh runner still produces the deletion.
    _push_merge(origin, tmp_path / "dev3", catalog, valid)
    third = _runner(origin, tmp_path / "run3")
    result = _apply(third, tmp_path / "out3")
    assert result.returncode == 0, result.stderr
    assert ("抹消", "user1@test-gas.example.co.jp") in {
        (r["区分"], r["メールアドレス（ID）"]) for r in deltas(tmp_path / "out3", "taxis")
    }
    head = third.git.rev_parse("HEAD")
    third.close()
    state = git.Repo(origin).git.show("refs/accessreg/state:state.json")
    assert f'"applied": "{head}"' in state


def test_the_readme_says_what_resolves_each_stop_with_the_workflows_inputs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### When provisioning stops", 1)[1].split("\n### ", 1)[0]
    for name in _workflow()[True]["workflow_dispatch"]["inputs"]:
        assert f"`{name}`" in section, name
    for refusal in ("no applied revision is recorded yet", "refusing to remove", "mass-removal"):
        assert refusal in section
    # An SMTP server down stops a run recorded all the same, and one with nothing to record.
    smtp = [row for row in section.splitlines() if row.startswith("| `… への SMTP 接続を")]
    assert sorted("without `実行はそのまま記録しました`" in row for row in smtp) == [False, True]
