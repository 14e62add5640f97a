"""Outputs that a downstream system may import as a batch carry ``recorded.json``, written
once the state records the run: a run stopped before its record (SMTP refused, the state's
push refused) leaves outputs that look like a batch and are none, and a dry run records
nothing; neither has it."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import git
import pytest

from accessreg.provision.bundle import MANIFEST, RECORDED
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import accessreg, bare_origin, deltas, merge, state
from tests.helpers.regfactory import ROOT, RegistryFactory, contact, run_process
from tests.helpers.servers import free_port
from tests.helpers.smtpserver import Mailbox, smtp_env, smtp_server

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


DAY = ["--today", "2026-12-03", "--accepted-on", "2026-12-03"]
USER2 = "user2@test-gas.example.co.jp"
WINDOW2 = "window2@test-gas.example.co.jp"
REMOTE = ["--state-remote", "origin"]


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """Two window persons, everything applied once, the state on a bare ``origin``; then a
    merge that removes a user, not applied yet."""
    reg.operator(contacts=[contact(), contact("deputy", 2)])
    reg.user(email=USER2)
    made = GitRegistry(reg)
    made.commit("operator with two window persons")
    bare_origin(made, tmp_path / "origin.git", push=False)
    first = accessreg(
        made, "apply", "--out", str(tmp_path / "o0"), "--initial", "--confirm", *DAY, *REMOTE
    )
    assert first.returncode == 0, first.stderr
    merge(made, "remove-user2", lambda: made.remove(f"users/TESTOP01/{USER2}.yaml"))
    yield made
    made.close()


def _send(gr: GitRegistry, out: Path, port: int) -> Any:
    return accessreg(
        gr, "apply", "--out", str(out), "--confirm", "--send", *DAY, *REMOTE, env=smtp_env(port)
    )


def _manifest(out: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((out / MANIFEST).read_text("utf-8"))
    return found


def _remote_state(gr: GitRegistry) -> tuple[str, dict[str, Any]]:
    """The remote's state commit and its state.json."""
    origin = git.Repo(gr.repo.remotes.origin.url)
    try:
        commit = origin.git.rev_parse("refs/accessreg/state")
        return commit, json.loads(origin.git.show(f"{commit}:state.json"))
    finally:
        origin.close()


def _unrecorded(out: Path, gr: GitRegistry) -> None:
    """``out`` holds a batch's outputs, as a recorded run's look, without ``recorded.json``;
    the batch they name is not in the state."""
    manifest = _manifest(out)
    assert manifest["batch"] and manifest["head"] == gr.rev()
    assert (out / "imports/taxis/snapshot.csv").is_file()
    assert not (out / RECORDED).exists()
    _, remote = _remote_state(gr)
    assert manifest["batch"] not in remote["batches"] and remote["applied"] != gr.rev()


def _recorded(out: Path, gr: GitRegistry) -> dict[str, Any]:
    """``out``'s ``recorded.json`` names the batch and head of its manifest and the state's
    commit, on the remote, that records them."""
    manifest = _manifest(out)
    seal: dict[str, Any] = json.loads((out / RECORDED).read_text("utf-8"))
    commit, remote = _remote_state(gr)
    assert seal == {
        "format": "accessreg-apply/1",
        "batch": manifest["batch"],
        "head": manifest["head"],
        "state": commit,
    }
    assert remote["applied"] == manifest["head"] and manifest["batch"] in remote["batches"]
    # The manifest lists the outputs; the seal says something of them, and is not one.
    assert RECORDED not in manifest["files"]
    return seal


def test_a_recorded_run_seals_its_outputs_and_a_dry_run_does_not(
    gr: GitRegistry, tmp_path: Path
) -> None:
    dry = accessreg(gr, "apply", "--out", str(tmp_path / "dry"), *DAY, *REMOTE)
    assert dry.returncode == 0, dry.stderr
    _unrecorded(tmp_path / "dry", gr)  # a preview: written whole, never imported
    with smtp_server(mailbox := Mailbox()) as port:
        done = _send(gr, tmp_path / "out", port)
    assert done.returncode == 0, done.stderr
    assert len(mailbox.received) == 2
    _recorded(tmp_path / "out", gr)


def _owing(gr: GitRegistry) -> list[str]:
    """The applications whose 受付 notices the state records as owed."""
    _, remote = _remote_state(gr)
    return [
        app["id"]
        for batch in remote["batches"].values()
        for app in batch["applications"]
        if app.get("acceptance_owed")
    ]


# A setting missing or malformed, and the words that name it.
UNUSABLE = {
    "unset": ({"ACCESSREG_SMTP_HOST": ""}, "Sending mail needs ACCESSREG_SMTP_HOST"),
    "malformed": ({"ACCESSREG_SMTP_PORT": "abc"}, "ACCESSREG_SMTP_PORT must be a number"),
}


@pytest.mark.parametrize("down", ["refusing", "unreachable", *UNUSABLE])
def test_a_run_the_smtp_server_does_not_serve_is_recorded_and_owes_its_mails(
    gr: GitRegistry, tmp_path: Path, down: str
) -> None:
    """The outputs are written before the mails; the server refuses the first (or cannot be
    reached, or the settings to reach it are missing or malformed): the run is recorded and
    sealed all the same, the deletion it carries goes downstream, and the 受付 notices are
    owed. The next run sends them, once."""
    out = tmp_path / "out"
    if down == "refusing":
        with smtp_server(refusing := Mailbox(fail_after=0)) as port:
            stopped = _send(gr, out, port)
        assert "SMTP refused" in stopped.stderr and refusing.received == []
    elif down == "unreachable":
        stopped = _send(gr, out, free_port())
        assert "Cannot open SMTP" in stopped.stderr
    else:
        broken, named = UNUSABLE[down]
        with smtp_server(listening := Mailbox()) as port:
            stopped = accessreg(gr, "apply", "--out", str(out), "--confirm", "--send", *DAY,
                                *REMOTE, env={**smtp_env(port), **broken})  # fmt: skip
        assert named in stopped.stderr and listening.received == []  # none handed over
        assert "to go out with the next run once it is set" in stopped.stderr
    assert stopped.returncode == 2, stopped.stderr
    assert "what was not sent (2 mails) is owed" in stopped.stderr
    _recorded(out, gr)
    removal = ("抹消", USER2)
    assert removal in {(r["区分"], r["メールアドレス（ID）"]) for r in deltas(out, "taxis")}
    (owed,) = _owing(gr)
    told = accessreg(gr, "status", "--today", "2026-12-03", *REMOTE)
    assert told.returncode == 0, told.stderr
    (row,) = [line for line in told.stdout.splitlines() if line.startswith(owed)]
    assert "(its acceptance notice not sent yet)" in row

    with smtp_server(mailbox := Mailbox()) as port:
        again = _send(gr, tmp_path / "again", port)
    assert again.returncode == 0, again.stderr
    assert len(mailbox.received) == 2
    assert _owing(gr) == []
    assert all(owed.split("/")[1] in m.get_content() for m in mailbox.received)
    later = accessreg(gr, "status", "--today", "2026-12-03", *REMOTE).stdout
    assert owed in later and "not sent yet" not in later
    with smtp_server(quiet := Mailbox()) as port:
        assert _send(gr, tmp_path / "third", port).returncode == 0
    assert quiet.received == []  # owed no more


def _refuse_the_record(gr: GitRegistry) -> Path:
    """The remote refuses every push of an applied revision while the file returned is
    there (mails' records go through)."""
    origin = Path(gr.repo.remotes.origin.url)
    refusing = origin.parent / "refusing"
    refusing.touch()
    hook = origin / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        "while read old new ref; do\n"
        f'  if [ -e "{refusing}" ] &&\n'
        '    git log --format=%s "$old..$new" | grep -q "^applied "; then\n'
        '    echo "protected ref" >&2; exit 1\n'
        "  fi\n"
        "done\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    return refusing


def test_outputs_of_a_run_whose_record_the_remote_refused_are_not_sealed(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Every mail went out and is recorded; the batch's record is refused: the outputs are
    not that batch's, and the next run (another day: another batch id) makes it again."""
    refusing = _refuse_the_record(gr)
    with smtp_server(mailbox := Mailbox()) as port:
        stopped = _send(gr, tmp_path / "o1", port)
        assert stopped.returncode == 2, stopped.stderr
        assert "protected ref" in stopped.stderr and len(mailbox.received) == 2
        _unrecorded(tmp_path / "o1", gr)

        refusing.unlink()
        later = ["--today", "2026-12-04"]
        again = accessreg(
            gr, "apply", "--out", str(tmp_path / "o2"), "--confirm", "--send", *DAY, *later,
            *REMOTE, env=smtp_env(port),
        )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert len(mailbox.received) == 2  # sent once
    seal = _recorded(tmp_path / "o2", gr)
    assert seal["batch"] != _manifest(tmp_path / "o1")["batch"]  # the same changes, twice
    assert not (tmp_path / "o1" / RECORDED).exists()


@pytest.mark.parametrize("refusal", ["recipient", "message"])
def test_a_run_holding_a_mail_refused_for_good_is_recorded_and_sealed(
    gr: GitRegistry, tmp_path: Path, refusal: str
) -> None:
    """A 5xx for one mail, at RCPT (its address) or at DATA (its content): that mail is held
    as refused, with the server's answer, and never tried again by itself; the other mail
    goes, the run is recorded, and nothing is owed."""
    refused = frozenset({WINDOW2})
    strict = Mailbox(unknown=refused) if refusal == "recipient" else Mailbox(rejected=refused)
    with smtp_server(strict) as port:
        held = _send(gr, tmp_path / "out", port)
    assert held.returncode == 2
    assert "SMTP refused 1 mail for good" in held.stderr and len(strict.received) == 1
    seal = _recorded(tmp_path / "out", gr)
    assert f"batch: {seal['batch']} " in held.stdout  # the job's summary, as of any run
    assert "mails: 2 (1 refused, 1 sent)" in held.stdout
    assert _owing(gr) == []
    listed = accessreg(gr, "outbox", "list", *REMOTE)
    assert listed.returncode == 0 and ("550" if refusal == "recipient" else "554") in listed.stdout
    with smtp_server(later := Mailbox()) as port:
        again = _send(gr, tmp_path / "again", port)
    assert again.returncode == 0, again.stderr
    assert later.received == []  # held for a person: `outbox resend` or `delivered`


def test_a_recipient_refused_for_now_at_rcpt_is_owed_and_sent_by_the_next_run(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Greylisting (a 450 at RCPT) is no refusal for good: as a 4xx at DATA, the mail is
    owed, not held as refused, and the next run that reaches the server sends it, once."""
    with smtp_server(greylisting := Mailbox(greylisted=frozenset({WINDOW2}))) as port:
        stopped = _send(gr, tmp_path / "out", port)
    assert stopped.returncode == 2, stopped.stderr
    assert "SMTP refused" in stopped.stderr and "is owed" in stopped.stderr
    assert "refused for good" not in stopped.stderr and WINDOW2 not in stopped.stderr
    assert WINDOW2 not in greylisting.recipients()
    _recorded(tmp_path / "out", gr)
    assert _owing(gr)
    with smtp_server(later := Mailbox()) as port:
        again = _send(gr, tmp_path / "again", port)
    assert again.returncode == 0, again.stderr
    assert Counter(greylisting.recipients() + later.recipients())[WINDOW2] == 1
    assert _owing(gr) == []
    listed = accessreg(gr, "outbox", "list", *REMOTE)
    assert listed.returncode == 0 and "450" not in listed.stdout  # nothing held


def test_a_recipient_refused_for_now_holds_back_no_other_mail(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """One recipient greylisted (a 450 at RCPT) holds back only its own mail: the server
    takes mail, so the run sends the others first, then records what it owes, as for a
    server that stopped taking mail; the next run sends that one, once."""
    first = "window1@test-gas.example.co.jp"
    with smtp_server(greylisting := Mailbox(greylisted=frozenset({first}))) as port:
        stopped = _send(gr, tmp_path / "out", port)
    assert stopped.returncode == 2, stopped.stderr
    assert "refused the recipient of 1 mail for now" in stopped.stderr, stopped.stderr
    assert WINDOW2 in greylisting.recipients() and first not in greylisting.recipients()
    assert _owing(gr)
    with smtp_server(later := Mailbox()) as port:
        again = _send(gr, tmp_path / "again", port)
    assert again.returncode == 0, again.stderr
    assert later.recipients() == [first]
    assert _owing(gr) == []


class _Taking(Mailbox):
    """Takes every mail; with the first, the output directory is taken away (a file in its
    place) while the run goes on."""

    def __init__(self, out: Path) -> None:
        super().__init__()
        self.out = out

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.out.is_dir():
            shutil.rmtree(self.out)
            self.out.write_text("not a directory\n", encoding="utf-8")
        return await super().handle_DATA(server, session, envelope)


def test_a_seal_that_cannot_be_written_says_the_run_is_recorded(
    gr: GitRegistry, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with smtp_server(_Taking(out)) as port:
        result = _send(gr, out, port)
    assert result.returncode == 2
    assert f"The run is recorded, but {RECORDED} could not be written" in result.stderr
    assert "Traceback" not in result.stderr
    assert state(gr)["applied"] == gr.rev() == _remote_state(gr)[1]["applied"]


def test_the_confirmation_of_an_import_sends_the_acceptance_notices_owed(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """No merge need come after the outage: the next run of any kind that mails, here the
    confirmation of the batch's import, sends the 受付 notices owed before its own."""
    stopped = _send(gr, tmp_path / "out", free_port())
    assert stopped.returncode == 2, stopped.stderr
    batch = _manifest(tmp_path / "out")["batch"]
    assert _owing(gr)
    with smtp_server(mailbox := Mailbox()) as port:
        confirmed = accessreg(
            gr, "confirm", batch, "--send", "--today", "2026-12-24", *REMOTE, env=smtp_env(port)
        )
    assert confirmed.returncode == 0, confirmed.stderr
    subjects = [str(m["Subject"]) for m in mailbox.received]
    assert sum(s.startswith("【受付】") for s in subjects) == 2  # both window persons
    assert _owing(gr) == []


def test_a_confirmation_the_smtp_server_does_not_serve_reports_what_it_recorded(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """As apply's: the import is recorded before the mails, so a server down ends the run
    with its report (the import, each notice owed) and a sentence saying the notices go out
    with the next run, standing without the server's words; the next run sends them once."""
    with smtp_server(Mailbox()) as port:
        assert _send(gr, tmp_path / "out", port).returncode == 0
    batch = _manifest(tmp_path / "out")["batch"]
    confirm = ["confirm", batch, "--system", "taxis", "--send", "--today", "2026-12-24", *REMOTE]
    stopped = accessreg(gr, "--lang", "ja", *confirm, env=smtp_env(free_port()))
    assert stopped.returncode == 2, stopped.stderr
    assert f"バッチ {batch}" in stopped.stdout and "taxis" in stopped.stdout, stopped.stdout
    assert "メール: 2 通（2 送信待ち）" in stopped.stdout, stopped.stdout  # each owed
    said = stopped.stderr.split("詳細: ")[0]
    assert "取込はそのまま記録しました。送信できなかったメール 2 通は未送信として残り" in said
    assert "次の実行（反映、取込の記録、定期業務）で送信します" in said, stopped.stderr
    assert "Connection refused" not in said and "Traceback" not in stopped.stderr
    _, remote = _remote_state(gr)
    assert remote["batches"][batch]["systems"]["taxis"]["imported_on"] == "2026-12-24"
    with smtp_server(mailbox := Mailbox()) as port:
        again = accessreg(gr, *confirm, env=smtp_env(port))
        assert again.returncode == 0, again.stderr
        assert accessreg(gr, *confirm, env=smtp_env(port)).returncode == 0
    assert sorted(mailbox.recipients()) == sorted(["window1@test-gas.example.co.jp", WINDOW2])


class _Breaking(Mailbox):
    """Takes the first mail; the session then breaks while the second is handed over (its
    answer never comes), as when the server goes down in the middle of a mail."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.received:
            server.transport.close()
            return "250 OK"  # never read: the connection is gone
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("down", ["unreachable", "broken"])
def test_a_run_recorded_without_its_mails_reports_what_it_did(
    gr: GitRegistry, tmp_path: Path, down: str
) -> None:
    """The report is the job's summary: a run the SMTP server did not serve is recorded, and
    its report still says what it applied, where its outputs are, and what became of each
    mail: sent, in doubt (the one the session broke on) or owed to the next run."""
    out = tmp_path / "out"
    if down == "unreachable":
        stopped = _send(gr, out, free_port())
        counts = "mails: 2 (2 owed)"
    else:
        with smtp_server(breaking := _Breaking()) as port:
            stopped = _send(gr, out, port)
        assert len(breaking.received) == 1
        counts = "mails: 2 (1 in doubt, 1 sent)"
    assert stopped.returncode == 2, stopped.stderr
    assert "The run is recorded all the same" in stopped.stderr
    seal = _recorded(out, gr)
    assert f"batch: {seal['batch']} " in stopped.stdout
    assert f"files in {out}\n" in stopped.stdout
    assert counts in stopped.stdout
    assert f"state: applied revision {gr.rev()[:12]} recorded" in stopped.stdout
    if down == "broken":  # the one mail not sent is in doubt: none is owed
        assert "to import as any batch\n" in stopped.stderr, stopped.stderr
        assert "owed" not in stopped.stderr
        (doubted,) = [line for line in accessreg(gr, "outbox", "list").stdout.splitlines()[1:]]
        assert "in doubt: 1 mail" in stopped.stdout and doubted.strip() in stopped.stdout


def test_a_confirmation_whose_recipient_is_refused_ends_in_red(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The import is recorded and the completion notices go to the window person the server
    takes; the run ends with exit 2, those to the refused address held for a person."""
    with smtp_server(Mailbox()) as port:
        assert _send(gr, tmp_path / "out", port).returncode == 0
    batch = _manifest(tmp_path / "out")["batch"]
    with smtp_server(strict := Mailbox(unknown=frozenset({WINDOW2}))) as port:
        held = accessreg(
            gr, "confirm", batch, "--send", "--today", "2026-12-24", *REMOTE, env=smtp_env(port)
        )
    assert held.returncode == 2, held.stderr
    assert "for good (the recipient, or the message itself)" in held.stderr
    assert strict.received and WINDOW2 not in strict.recipients()
    assert _remote_state(gr)[1]["batches"][batch]["systems"]["taxis"]["imported_on"]


def test_a_run_on_outputs_another_run_holds_is_refused_and_touches_nothing(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The lock beside the output directory, held here as a run on it holds it: a second
    run refuses at once, before it reads the state, writes, sends or records anything."""
    out = tmp_path / "out"
    with smtp_server(mailbox := Mailbox()) as port:
        assert _send(gr, out, port).returncode == 0
        merge(gr, "add-user4", lambda: gr.reg.user(email="user4@test-gas.example.co.jp"))
        before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
        state_before = gr.repo.git.rev_parse("refs/accessreg/state")
        mailbox.received.clear()
        with (tmp_path / ".out.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            busy = _send(gr, out, port)
        assert busy.returncode == 2
        assert f"Another run is writing its outputs to {out}" in busy.stderr
        assert mailbox.received == []
        assert gr.repo.git.rev_parse("refs/accessreg/state") == state_before
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
        assert _send(gr, out, port).returncode == 0  # the lock went with its holder


@pytest.mark.parametrize("kind", ["link", "directory"])
def test_a_lock_file_that_is_no_file_is_named_and_nothing_made_elsewhere(
    gr: GitRegistry, tmp_path: Path, kind: str
) -> None:
    """A link or a directory where the lock goes: the run is refused before it reads the
    state, names the file and says what to do; a link's target is never created."""
    out, lock, target = tmp_path / "out", tmp_path / ".out.lock", tmp_path / "elsewhere"
    if kind == "link":
        lock.symlink_to(target)
    else:
        lock.mkdir()
    state_before = gr.repo.git.rev_parse("refs/accessreg/state")
    with smtp_server(Mailbox()) as port:
        refused = _send(gr, out, port)
    assert refused.returncode == 2
    assert f"Cannot use {lock}, the file that keeps two runs" in refused.stderr
    assert "remove it and run again" in refused.stderr
    assert not target.exists() and not out.exists()
    assert gr.repo.git.rev_parse("refs/accessreg/state") == state_before


def test_a_run_that_fails_before_its_record_leaves_a_recorded_run_s_outputs(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The outputs of a recorded run are its batch, and no later run writes them again: a
    run on the same directory that stops before its own record puts them back."""
    out = tmp_path / "out"
    with smtp_server(mailbox := Mailbox()) as port:
        assert _send(gr, out, port).returncode == 0
        _recorded(out, gr)
        before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
        merge(gr, "add-user4", lambda: gr.reg.user(email="user4@test-gas.example.co.jp"))
        _refuse_the_record(gr)
        stopped = _send(gr, out, port)
    assert stopped.returncode == 2 and "protected ref" in stopped.stderr
    assert len(mailbox.received) == 4  # its mails went out: the outputs were in place then
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not list(tmp_path.glob(".out.*.*"))  # nothing left beside it


class _Barrier(Mailbox):
    """Holds the first mail until ``released``: its run has written its outputs and
    recorded the mail in flight, and waits there while another run starts."""

    def __init__(self) -> None:
        super().__init__()
        self.reached = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.reached.set()
        while not self.released.is_set():
            await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


def test_two_runs_on_one_out_never_lose_the_recorded_batch(gr: GitRegistry, tmp_path: Path) -> None:
    """Two processes, the second started while the first is between its outputs and its
    record: the second is refused, and the outputs are the first's batch, sealed."""
    out = tmp_path / "out"
    args = ["apply", "--out", str(out), "--confirm", "--send", *DAY, *REMOTE]
    with smtp_server(barrier := _Barrier()) as port:
        env = {**smtp_env(port), "ACCESSREG_LANG": "en"}
        command = [sys.executable, "-m", "accessreg", *args]
        full = {**os.environ, "PYTHONPATH": str(ROOT / "tooling"), **env}
        first = subprocess.Popen(command, cwd=gr.path, env=full, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)  # fmt: skip
        try:
            assert barrier.reached.wait(60), first.communicate(timeout=60)
            second = run_process(*args, cwd=gr.path, env=env)
        finally:
            barrier.released.set()
            _, first_err = first.communicate(timeout=120)
    assert first.returncode == 0, first_err
    assert second.returncode == 2
    assert "Another run is writing its outputs" in second.stderr
    _recorded(out, gr)
    assert len(barrier.received) == 2


def test_a_seal_names_a_state_its_remote_holds(gr: GitRegistry, tmp_path: Path) -> None:
    """A state ahead of its remote (a push that failed before) and nothing new to record:
    the run pushes it before it writes ``recorded.json``, which names that state."""
    with smtp_server(Mailbox()) as port:
        assert _send(gr, tmp_path / "o1", port).returncode == 0
        ref = "refs/accessreg/state"
        tip = gr.repo.git.rev_parse(ref)
        ahead = gr.repo.git.commit_tree(f"{tip}^{{tree}}", "-p", tip, "-m", "kept here")
        gr.repo.git.update_ref(ref, ahead, tip)
        again = _send(gr, tmp_path / "o2", port)
    assert again.returncode == 0, again.stderr
    assert "is ahead of origin's" in again.stdout + again.stderr
    seal = json.loads((tmp_path / "o2" / RECORDED).read_text("utf-8"))
    assert seal["state"] == _remote_state(gr)[0] == ahead
