"""Runs killed for real at the worst moments: no mail is sent twice, none is lost silently,
and nothing they leave behind blocks or leaks (issue 11).

``accessreg apply --send`` runs as a process against a real SMTP server (aiosmtpd). A git
``reference-transaction`` hook of the test repository kills it at a chosen update of the
state ref: just before a mail is recorded as being handed over, just after, or just before
it is recorded as sent (the server has said 250). The next runs, and the explicit commands
that settle a mail in doubt, must then deliver every notice exactly once.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from accessreg.provision.bundle import MANIFEST, RECORDED
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import merge, state
from tests.helpers.regfactory import ROOT, RegistryFactory, certificate, contact, run_cli
from tests.helpers.scheduled_scenario import WINDOW1, WINDOW2, scenario, take
from tests.helpers.smtpserver import Mailbox, smtp_env, smtp_server

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


DAY = ["--today", "2026-12-03", "--accepted-on", "2026-12-03"]
USER2 = "user2@test-gas.example.co.jp"

# Runs for every update of a ref. With CRASH_AT set (a commit-subject prefix of the state
# ref's updates), at the CRASH_NTH such update in phase CRASH_PHASE, it kills the accessreg
# process (git's parent) — or, with CRASH_BLOCK set, waits until that file exists. Exiting
# non-zero in the "prepared" phase aborts the update.
HOOK = """#!/bin/sh
[ -n "$CRASH_AT" ] && [ "$1" = "$CRASH_PHASE" ] || exit 0
while read -r old new ref; do
  [ "$ref" = refs/accessreg/state ] || continue
  case "$(git log -1 --format=%s "$new")" in "$CRASH_AT"*) ;; *) continue ;; esac
  n=$(( $(cat "$CRASH_COUNT" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$CRASH_COUNT"
  [ "$n" = "$CRASH_NTH" ] || continue
  if [ -n "$CRASH_BLOCK" ]; then
    touch "$CRASH_BLOCK.reached"
    while [ ! -e "$CRASH_BLOCK" ]; do sleep 0.05; done
    exit 0
  fi
  kill -KILL "$(cut -d' ' -f4 /proc/$PPID/stat)"
  exit 1
done
exit 0
"""


def _install_hook(made: GitRegistry, tmp_path: Path) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "reference-transaction").write_text(HOOK, encoding="utf-8")
    (hooks / "reference-transaction").chmod(0o755)
    made.repo.git.config("core.hooksPath", str(hooks))


def _killed_at(at: str, phase: str, nth: int, tmp_path: Path) -> dict[str, str]:
    """The environment that has the hook kill the run at the ``nth`` update ``at``."""
    return {
        "CRASH_AT": at,
        "CRASH_PHASE": phase,
        "CRASH_NTH": str(nth),
        "CRASH_COUNT": str(tmp_path / "count"),
    }


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """Three window persons, applied once; then a merge that owes each of them a notice."""
    reg.operator(contacts=[contact(), contact("deputy", 2), contact("deputy", 3)])
    reg.user(email=USER2)
    made = GitRegistry(reg)
    made.commit("operator with three window persons")
    first = run_cli("apply", "--out", str(tmp_path / "o0"), "--initial", "--confirm", *DAY,
                    cwd=made.path)  # fmt: skip
    assert first.returncode == 0, first.stderr
    merge(made, "remove-user2", lambda: made.remove(f"users/TESTOP01/{USER2}.yaml"))
    _install_hook(made, tmp_path)
    yield made
    made.close()


def _process(gr: GitRegistry, out: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """``python -m accessreg apply --confirm --send`` (or ``args``) as its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "accessreg",
         *(args or ("apply", "--out", str(out), "--confirm", "--send", *DAY))],
        cwd=gr.path,
        env={**os.environ, "PYTHONPATH": str(ROOT / "tooling"), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _ids(messages: list[EmailMessage]) -> Counter[str]:
    return Counter(str(m["Message-ID"]) for m in messages)


@pytest.mark.parametrize(
    ("at", "phase", "nth", "delivered_in_doubt"),
    [
        ("sending ", "prepared", 1, None),  # before the first mail is recorded as in flight
        ("sending ", "committed", 2, False),  # recorded as in flight, not handed over yet
        ("sent ", "prepared", 2, True),  # the server said 250; the record never made it
        ("sent ", "committed", 3, None),  # every mail recorded; the applied revision not yet
    ],
    ids=["before-hold", "after-hold", "after-250", "before-applied"],
)
def test_a_kill_at_any_point_sends_no_mail_twice_and_loses_none(
    gr: GitRegistry, tmp_path: Path, at: str, phase: str, nth: int, delivered_in_doubt: bool | None
) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        env = smtp_env(port)
        with _process(
            gr, tmp_path / "o1", {**env, **_killed_at(at, phase, nth, tmp_path)}
        ) as killed:
            killed.communicate(timeout=120)
        assert killed.returncode == -signal.SIGKILL
        before = _ids(mailbox.received)

        rerun = run_cli("apply", "--out", str(tmp_path / "o2"), "--confirm", "--send", *DAY,
                        cwd=gr.path, env=env)  # fmt: skip
        assert rerun.returncode == 0, rerun.stderr
        after = _ids(mailbox.received)
        assert set(after.values()) == {1}  # nothing sent twice, by the rerun either
        unreceived = [mid for mid in state(gr)["outbox"] if mid not in after]
        listed = run_cli("outbox", "list", cwd=gr.path)
        doubted = [line.split(":")[0].strip() for line in listed.stdout.splitlines()[1:]]
        if delivered_in_doubt is None:
            assert doubted == [] and "in doubt" not in rerun.stdout
        else:
            (mid,) = doubted  # exactly the one mail in flight, reported by the next run ...
            assert "in doubt: 1 mail:" in rerun.stdout and mid in rerun.stdout
            assert (mid in before) is delivered_in_doubt  # ... whether it arrived or not
            settle = "delivered" if delivered_in_doubt else "resend"
            settled = run_cli("outbox", settle, mid, cwd=gr.path, env=env)
            assert settled.returncode == 0, settled.stderr
        assert unreceived == []  # nothing is recorded as sent that the server did not take

        final = _ids(mailbox.received)
        assert len(final) == 3 and set(final.values()) == {1}  # every notice, exactly once
        recorded = state(gr)
        assert sorted(recorded["outbox"]) == sorted(final)
        assert recorded["applied"] == gr.rev()
        again = run_cli("apply", "--out", str(tmp_path / "o3"), "--confirm", "--send", *DAY,
                        cwd=gr.path, env=env)  # fmt: skip
        assert again.returncode == 0 and _ids(mailbox.received) == final


@pytest.mark.parametrize("phase", ["prepared", "committed"])
def test_a_run_killed_at_its_record_leaves_outputs_that_do_not_say_they_were_recorded(
    gr: GitRegistry, tmp_path: Path, phase: str
) -> None:
    """Killed as it records its batch, every mail sent: before the record is made, the
    outputs are no batch; just after it, they are that batch, but the kill came before
    they could say so. Neither says it was recorded (never a batch imported twice: the
    README says how the second is told); the next run's outputs, recorded, do."""
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        env = smtp_env(port)
        with _process(
            gr, tmp_path / "o1", {**env, **_killed_at("applied ", phase, 1, tmp_path)}
        ) as killed:
            killed.communicate(timeout=120)
        assert killed.returncode == -signal.SIGKILL and len(mailbox.received) == 3
        out = tmp_path / "o1"
        batch = json.loads((out / MANIFEST).read_text("utf-8"))["batch"]
        assert batch and not (out / RECORDED).exists()
        assert (batch in state(gr)["batches"]) is (phase == "committed")
        rerun = run_cli("apply", "--out", str(out), "--confirm", "--send", *DAY,
                        cwd=gr.path, env=env)  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    assert len(mailbox.received) == 3 and state(gr)["applied"] == gr.rev()
    sealed = json.loads((out / RECORDED).read_text("utf-8"))
    assert sealed["state"] == gr.repo.git.rev_parse("refs/accessreg/state")
    assert (sealed["batch"] == batch) is (phase == "prepared")  # else: nothing new to apply


def test_a_second_run_at_the_same_time_sends_nothing_twice(gr: GitRegistry, tmp_path: Path) -> None:
    """Run A is held at the moment the server has taken its first mail; run B starts then.
    B must not send that mail (nor take A's lock for its own), and A finishes the job."""
    release = tmp_path / "release"
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        env = smtp_env(port)
        crash = {**_killed_at("sent ", "prepared", 1, tmp_path), "CRASH_BLOCK": str(release)}
        with _process(gr, tmp_path / "a", {**env, **crash}) as first:
            try:
                deadline = time.monotonic() + 120
                while not Path(f"{release}.reached").exists():
                    assert first.poll() is None and time.monotonic() < deadline
                    time.sleep(0.05)
                assert len(mailbox.received) == 1
                second = run_cli("apply", "--out", str(tmp_path / "b"), "--confirm", "--send",
                                 *DAY, cwd=gr.path, env=env)  # fmt: skip
                assert len(mailbox.received) == 1  # B sent nothing: not A's mail, not its own
                assert second.returncode == 2
                assert "is locked by another git process" in second.stderr
            finally:
                release.touch()  # A goes on (and a failed assertion does not leave it waiting)
            _out, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
    ids = _ids(mailbox.received)
    assert len(ids) == 3 and set(ids.values()) == {1}
    assert state(gr)["applied"] == gr.rev()


def test_the_items_of_a_digest_in_doubt_are_not_repeated_the_next_day(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """The scheduled duties: a digest left in doubt holds its items, so that the next day's
    digest to the same person does not list them again (nor resend the mail)."""
    soon = certificate(1, not_after="2027-03-31")  # 60 days left on 2027-01-30
    later = certificate(2, not_after="2027-04-01")  # 60 days left the next day
    made = scenario(reg, certificates=[soon, later])
    _install_hook(made, tmp_path)
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        env = {**smtp_env(port), **_killed_at("sent ", "prepared", 1, tmp_path)}
        args = ("expiry", "--send", "--today", "2027-01-30")
        with _process(made, tmp_path / "o", env, *args) as killed:
            killed.communicate(timeout=120)
        assert killed.returncode == -signal.SIGKILL
        (first,) = take(mailbox)  # the server took it; the run died before recording it
        told = first["To"].addresses[0].addr_spec

        next_day = run_cli("expiry", "--send", "--today", "2027-01-31", cwd=made.path,
                           env=smtp_env(port))  # fmt: skip
        assert next_day.returncode == 0, next_day.stderr
        assert "in doubt: 1 mail:" in next_day.stdout
        by_recipient = {m["To"].addresses[0].addr_spec: m for m in take(mailbox)}
        assert sorted(by_recipient) == [WINDOW1, WINDOW2]
        again = by_recipient[told].get_body().get_content()  # type: ignore[union-attr]
        assert "EP-TEST-0002" in again and "EP-TEST-0001" not in again  # only the new one
        other = WINDOW2 if told == WINDOW1 else WINDOW1
        rest = by_recipient[other].get_body().get_content()  # type: ignore[union-attr]
        assert "EP-TEST-0001" in rest and "EP-TEST-0002" in rest  # never told: both

        settled = run_cli("outbox", "delivered", str(first["Message-ID"]), cwd=made.path)
        assert settled.returncode == 0, settled.stderr
        assert run_cli("expiry", "--send", "--today", "2027-02-01", cwd=made.path,
                       env=smtp_env(port)).returncode == 0  # fmt: skip
        assert take(mailbox) == []  # told is told
    made.close()


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))


def test_outputs_half_written_by_a_killed_run_are_removed_by_the_next(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The kernel kills the run (SIGXFSZ) while it writes beside the output tree (``--full``
    writes no cache: the operators' shares go to a scratch directory there, then the
    outputs): what it left, with names and addresses in it, must not outlive the next run."""
    out = tmp_path / "out"
    code = (
        "import signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_DFL); "
        "from accessreg.cli import main; main(prog_name='accessreg')"
    )
    killed = subprocess.run(
        [sys.executable, "-c", code, "apply", "--out", str(out), "--full", *DAY],
        cwd=gr.path,
        env={**os.environ, "PYTHONPATH": str(ROOT / "tooling"), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size,
        check=False,
    )
    assert killed.returncode == -signal.SIGXFSZ, killed.stderr
    # The tree it wrote (its lock beside the outputs, empty, is let go with the process).
    (leftover,) = tmp_path.glob(".out.*.*")
    assert any(f.stat().st_size for f in leftover.rglob("*") if f.is_file()) and not out.exists()

    done = run_cli("apply", "--out", str(out), *DAY, cwd=gr.path)
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.glob(".out.*")) == []  # nothing left beside the outputs
    assert (out / "manifest.json").is_file()
