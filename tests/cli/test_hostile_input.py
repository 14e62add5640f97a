"""Input that parses as YAML but no registry holds: every command answers with located
problems and exit 1 (or a usage error, exit 2), never a traceback."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import parsers
from tests.helpers.formbody import confirm, render
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import USER, RegistryFactory, run_cli

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


DAY = ["--today", "2026-11-22"]
NOT_UTF8 = b"users/TESTOP01/\xff\xfe.yaml"
LOCATED = re.compile(r"^\S*registry/\S+:\d+:\d+: \[error\] .+ \([a-z-]+\)$", re.M)


def _append(reg: RegistryFactory, rel: str, text: str) -> None:
    reg.write(rel, (reg.root / rel).read_text(encoding="utf-8") + text)


def _commands(out: Path) -> list[tuple[str, ...]]:
    (out.parent / "last-logins.csv").write_text("ID,last_login\nx@example.jp,2026-01-01\n")
    body = render("user-remove", {
        "operator": "TESTOP01", "email": "user1@test-gas.example.co.jp", "reason": "退職のため",
        "confirm": confirm("user-remove"),
    })  # fmt: skip
    (out.parent / "body.md").write_text(body, encoding="utf-8")
    return [
        ("validate", *DAY),
        ("validate", *DAY, "--format", "json"),
        ("validate", *DAY, "--format", "github"),
        ("validate", *DAY, "--changed-since", "main"),
        ("validate", *DAY, "--changed-since", "main", "--head", "HEAD"),
        ("apply", "--out", str(out / "apply"), "--initial", *DAY),
        ("expiry", "--out", str(out / "expiry"), *DAY),
        ("inventory", "--out", str(out / "inventory"), *DAY),
        ("membership", "--out", str(out / "membership"), *DAY),
        ("daily", "--out", str(out / "daily"), *DAY),
        (
            "stale",
            "--out",
            str(out / "stale"),
            "--last-logins",
            str(out.parent / "last-logins.csv"),
            *DAY,
        ),
        ("codeowners", "--check"),
        (
            "user",
            "remove",
            "--operator",
            "TESTOP01",
            "--email",
            "user1@test-gas.example.co.jp",
            "--dry-run",
            *DAY,
        ),
        (
            "from-issue",
            "--body",
            str(out.parent / "body.md"),
            "--author",
            "window-1",
            "--template",
            "user-remove",
            "--dry-run",
            *DAY,
        ),
    ]


@pytest.fixture
def broken(reg: RegistryFactory) -> Iterator[GitRegistry]:
    """Every kind of input at once, committed on a branch: 500 levels of nesting (the
    maintainers' list, a user file), 5,000-digit integers (the calendar, the operator), a
    control character through a YAML escape, a file name that is not UTF-8."""
    gr = GitRegistry(reg)
    gr.branch("pr")
    nested = "[" * 500 + "]" * 500
    _append(reg, "maintainers.yaml", f"nested: {nested}\n")
    _append(reg, USER, f"nested: {nested}\n")
    _append(reg, "calendar.yaml", f"big: {'9' * 5000}\n")
    _append(reg, "operators/TESTOP01.yaml", f"big: {'9' * 5000}\n")
    reg.user(email="user2@test-gas.example.co.jp", name="二宮\x1b[31m二郎")
    Path(os.fsdecode(bytes(reg.root) + b"/" + NOT_UTF8)).write_bytes(b"x: 1\n")
    gr.commit("hostile input")
    yield gr
    gr.close()


def test_every_command_reports_located_problems_never_a_traceback(
    broken: GitRegistry, tmp_path: Path
) -> None:
    for args in _commands(tmp_path / "out"):
        result = run_cli(*args, cwd=broken.path)
        assert "Traceback" not in result.stderr, (args, result.stderr[-2000:])
        assert result.returncode == 1, (args, result.returncode, result.stderr[-2000:])
        output = result.stdout + result.stderr
        if args[:1] == ("from-issue",):  # its JSON lists the problems for the issue comment
            assert "yaml-limits" in result.stdout, args
            continue
        if "github" in args:
            assert "::error file=registry/" in output, args
        elif "json" in args:
            assert '"rule": "yaml-limits"' in output, args
        else:
            assert LOCATED.search(output), (args, output[-2000:])
        parsers.log_lines(result.stderr)


def test_plan_and_authorize_name_what_does_not_load(broken: GitRegistry) -> None:
    plan = run_cli("plan", "--base", "main", "--accepted-on", "2026-11-24", cwd=broken.path)
    assert plan.returncode == 0, plan.stderr
    lines = parsers.log_lines(plan.stdout)
    assert f"  - registry/{USER}" in lines and "  - registry/users/TESTOP01/\\xff\\xfe.yaml" in (
        lines
    )
    authorize = run_cli("authorize", "--base", "main", "--actor", "window-1", cwd=broken.path)
    assert authorize.returncode == 1 and "Traceback" not in authorize.stderr
    parsers.log_lines(authorize.stdout)


def test_without_a_catalog_every_command_names_its_problems(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    gr = GitRegistry(reg)
    try:
        gr.branch("pr")
        _append(reg, "systems.yaml", f"nested: {'[' * 500}{']' * 500}\n")
        gr.commit("a catalog that does not load")
        commands = [*_commands(tmp_path / "out"), ("schemas", "--check"), ("forms", "--check")]
        for args in [a for a in commands if a[0] != "codeowners"]:  # it reads no catalog
            result = run_cli(*args, cwd=gr.path)
            assert "Traceback" not in result.stderr, (args, result.stderr[-2000:])
            if args[:1] == ("from-issue",):  # a configuration error for the workflow to show
                assert result.returncode == 2 and "does not load" in result.stderr
                continue
            assert result.returncode == 1, (args, result.returncode, result.stderr[-2000:])
            output = result.stdout + result.stderr
            assert "registry/systems.yaml" in output and "yaml-limits" in output, args
    finally:
        gr.close()


def test_a_calendar_without_business_days_is_the_calendar_rule(reg: RegistryFactory) -> None:
    reg.write(
        "calendar.yaml",
        "# yaml-language-server: $schema=../schemas/calendar.schema.json\n"
        "closed:\n"
        "  - {from: 2026-11-01, to: 2028-12-31}\n",
    )
    gr = GitRegistry(reg)
    try:
        plan = run_cli("plan", "--base", "HEAD", "--accepted-on", "2026-11-24", cwd=reg.repo)
        apply = run_cli("apply", "--out", str(reg.repo / "out"), "--initial", *DAY, cwd=reg.repo)
    finally:
        gr.close()
    assert plan.returncode == 1 and "Traceback" not in plan.stderr
    assert "calendar.yaml: the closed days leave no business day within 366 days" in plan.stderr
    assert "(calendar-range)" in plan.stderr
    assert apply.returncode == 1 and "Traceback" not in apply.stderr
    assert "registry/calendar.yaml:3:5: [error]" in apply.stderr
