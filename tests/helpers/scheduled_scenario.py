"""A small registry in a real git repository, and the scheduled commands run on it as a user
(or the workflow) would: ``python -m accessreg <duty> --today D --send``."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from accessreg.scheduled.run import RunRequest, RunResult, run
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, contact, run_cli
from tests.helpers.smtpserver import Mailbox, smtp_env, smtp_server

WINDOW1 = "window1@test-gas.example.co.jp"
WINDOW2 = "window2@test-gas.example.co.jp"
REVIEWERS = ("hanako.sato@reception.example.jp", "kenichi.kimura@reception.example.jp")


def scenario(reg: RegistryFactory, **operator: Any) -> GitRegistry:
    """TESTOP01 with a primary and a deputy window person, committed on ``main``."""
    reg.operator(contacts=[contact(), contact("deputy", 2)], **operator)
    return GitRegistry(reg)


def duty(
    g: GitRegistry, *args: str, today: date, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = run_cli(*args, "--today", today.isoformat(), cwd=g.path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def refs(g: GitRegistry, prefix: str) -> list[str]:
    out: str = g.repo.git.for_each_ref("--format=%(refname)", prefix)
    return out.splitlines()


def out_dir(tmp: Path, name: str) -> Path:
    return tmp / "out" / name


def on(day: date) -> dict[str, str]:
    """The environment that dates a git commit at noon, Japan time, on ``day``."""
    stamp = f"{day.isoformat()}T12:00:00+09:00"
    return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}


def commit_on(g: GitRegistry, message: str, day: date) -> str:
    g.repo.git.add("-A")
    g.repo.git.commit("-q", "--allow-empty", "-m", message, env=on(day))
    return g.rev()


def dated(g: GitRegistry, day: date) -> GitRegistry:
    """Re-date the first commit (the registry's files are added on ``day``)."""
    g.repo.git.commit("-q", "--amend", "--no-edit", "--reset-author", env=on(day))
    return g


def run_duties(
    g: GitRegistry, duties: tuple[str, ...], today: date, env: dict[str, str], **fields: Any
) -> RunResult:
    """The core of the commands, in process (real git, real SMTP): for long timelines."""
    return run(RunRequest(root=g.path, today=today, duties=duties, send=True, env=env, **fields))


@contextmanager
def mail_server(mailbox: Mailbox) -> Iterator[dict[str, str]]:
    """The loopback SMTP server; yields the ACCESSREG_* environment pointing at it."""
    with smtp_server(mailbox) as port:
        yield smtp_env(port)


def take(mailbox: Mailbox) -> list[EmailMessage]:
    """The messages received since the last call."""
    got = list(mailbox.received)
    mailbox.received.clear()
    mailbox.envelopes.clear()
    return got


def summary(messages: list[EmailMessage]) -> list[tuple[str, str]]:
    """(recipient, subject) of each message, sorted: what a test asserts about a run."""
    return sorted((m["To"].addresses[0].addr_spec, str(m["Subject"])) for m in messages)
