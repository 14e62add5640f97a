"""The completion notices owed while they are not sent are composed once and kept in the
cache: the runs after read them back, byte for byte what composing them again gives, and
compose them again when what they follow changes (the batch, the sender)."""

from __future__ import annotations

import email
import email.message
import email.policy
import hashlib
import itertools
import json
import os
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

import pytest

from accessreg.gitio.repo import GitRepository
from accessreg.mail.compose import Composed, Later, compose
from accessreg.provision import completion, owed
from accessreg.provision import state as recorded
from accessreg.provision.merges import Snapshots
from accessreg.provision.state import State
from accessreg.timeline.clock import JST
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.lapsed import D_LEAVER, D, user_file
from tests.helpers.provisioning import accessreg, merge
from tests.helpers.smtpserver import Mailbox, smtp_env, smtp_server

ON = "2026-12-03"
DAY = ["--today", ON, "--accepted-on", ON]
LATER = date(2027, 6, 1)
SENDER = "託送受付センター <desk@example.jp>"


@pytest.fixture
def gr(lapsed_gr: GitRegistry) -> GitRegistry:
    return lapsed_gr


@pytest.fixture
def repo(gr: GitRegistry, tmp_path: Path) -> Iterator[GitRepository]:
    """The registry after its first apply and a merge."""
    done = accessreg(gr, "apply", "--out", str(tmp_path / "initial"), "--confirm", "--initial",
                     *DAY)  # fmt: skip
    assert done.returncode == 0, done.stderr
    merge(gr, "one", lambda: gr.reg.user(D, "newcomer@leaver-d.example.jp"))
    done = accessreg(gr, "apply", "--out", str(tmp_path / "merge"), "--confirm", *DAY)
    assert done.returncode == 0, done.stderr
    repo = GitRepository(gr.path)
    yield repo
    repo.close()


def _state(gr: GitRegistry) -> State:
    raw = gr.repo.git.show("refs/accessreg/state:state.json")
    return recorded.load({recorded.STATE_FILE: raw.encode()})


def _imported(state: State) -> State:
    """Every batch imported by every system."""
    batches = {b.id: completion.confirmed(b, [], LATER) for b in state.ordered()}
    return state.model_copy(update={"batches": batches})


def _fresh(state: State, repo: GitRepository, sender: str) -> list[Composed]:
    """The mails as a run without the cache composes them."""
    due = completion.due(state, Snapshots(repo), _to(state, repo))
    return [compose(n, sender) for d in due for n in d.notices]


def _to(state: State, repo: GitRepository) -> completion.Handovers:
    """The window persons on the day of the notices (no change of them to come)."""
    return completion.Handovers(state, Snapshots(repo), LATER)


def _bytes(mails: list[Composed | Later]) -> list[tuple[str, bytes]]:
    return [(m.message_id, (m if isinstance(m, Composed) else m.make()).data) for m in mails]


def _not_rebuilt(monkeypatch: pytest.MonkeyPatch) -> None:
    """No application rebuilt from git (``completion.accepted``), in whole or in parts."""

    def refused(*_: object) -> None:
        raise AssertionError("the applications were rebuilt")

    monkeypatch.setattr(completion, "accepted", refused)


def test_owed_mails_are_read_back_as_composing_them_again_gives(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    imported = _imported(_state(gr))
    expected = _fresh(imported, repo, SENDER)
    assert len(expected) > 10
    cache = tmp_path / "kept"
    due, first = owed.mails(imported, Snapshots(repo, cache=cache), SENDER, _to(imported, repo))
    assert _bytes(first) == [(m.message_id, m.data) for m in expected]
    assert [(d.batch.id, d.system) for d in due] == [
        (b.id, s) for b, systems in completion.owing(imported) for s in systems
    ]
    _not_rebuilt(monkeypatch)
    to = _to(imported, repo)
    due_again, again = owed.mails(imported, Snapshots(repo, cache=cache), SENDER, to)
    assert _bytes(again) == _bytes(first)
    assert [(d.batch.id, d.system, d.notices) for d in due_again] == [
        (d.batch.id, d.system, [m.notice for m in mails_of(first, d.notices)]) for d in due
    ]
    # What names each mail is kept with it: its file's name, the outbox's record.
    assert [(m.notice.kind, m.notice.application, m.notice.recipient, m.notice.day,
             m.notice.key) for m in again] == [
        (m.notice.kind, m.notice.application, m.notice.recipient, m.notice.day, m.notice.key)
        for m in expected
    ]  # fmt: skip


def mails_of(mails: list[Composed | Later], notices: list[object]) -> list[Composed | Later]:
    """The mails of ``notices``, by the identity of their notice."""
    wanted = {id(n) for n in notices}
    return [m for m in mails if id(m.notice) in wanted]


def test_a_change_of_what_the_mails_follow_composes_them_again(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path
) -> None:
    """Another system imported since changes every notice's progress (済 / 未済); another
    sender changes every From header; a kept file cut short is a miss."""
    state = _state(gr)
    first = state.ordered()[0]
    cache = tmp_path / "kept"
    one = recorded.with_batch(
        state, completion.confirmed(first, [next(iter(first.systems))], LATER)
    )
    _, mails = owed.mails(one, Snapshots(repo, cache=cache), SENDER, _to(one, repo))
    kept = _bytes(mails)  # read now: the next run drops the file it lies in
    assert kept == [(m.message_id, m.data) for m in _fresh(one, repo, SENDER)]
    every = _imported(state)
    _, now = owed.mails(every, Snapshots(repo, cache=cache), SENDER, _to(every, repo))
    fresh = _fresh(every, repo, SENDER)
    assert _bytes(now) == [(m.message_id, m.data) for m in fresh]
    same_id = {m.message_id: m.data for m in fresh}
    assert any(same_id.get(i) not in (None, d) for i, d in kept)  # the progress moved
    other = "desk@example.co.jp"
    _, resent = owed.mails(every, Snapshots(repo, cache=cache), other, _to(every, repo))
    assert _bytes(resent) == [(m.message_id, m.data) for m in _fresh(every, repo, other)]
    for kept_dir in (cache / "owed").iterdir():
        path = next(kept_dir.iterdir())
        path.write_bytes(path.read_bytes()[:-1])
    _, cut = owed.mails(every, Snapshots(repo, cache=cache), other, _to(every, repo))
    assert _bytes(cut) == _bytes(resent)


def test_a_later_run_dates_the_mails_it_owes_its_own_day(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path
) -> None:
    """A mail is dated the day of the run that writes it: kept by one day's run, the next
    day's composes it again with its own Date, under the same Message-ID."""
    imported = _imported(_state(gr))
    cache = tmp_path / "kept"
    _, mails = owed.mails(imported, Snapshots(repo, cache=cache), SENDER, _to(imported, repo))
    first = _bytes(mails)  # read now: the next run drops the file it lies in
    next_day = completion.Handovers(imported, Snapshots(repo), LATER + timedelta(days=1))
    _, mails = owed.mails(imported, Snapshots(repo, cache=cache), SENDER, next_day)
    again = _bytes(mails)
    assert [i for i, _ in again] == [i for i, _ in first]
    for kept, day in ((first, LATER), (again, LATER + timedelta(days=1))):
        for _, data in kept:
            read = email.message_from_bytes(data, policy=email.policy.strict)
            assert read["Date"].datetime == datetime.combine(day, dtime(9), JST)


def test_mails_no_run_owes_any_more_leave_the_cache(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path
) -> None:
    imported = _imported(_state(gr))
    cache = tmp_path / "kept"
    owed.mails(imported, Snapshots(repo, cache=cache), SENDER, _to(imported, repo))
    assert list((cache / "owed").iterdir())
    delivered = imported
    for batch, systems in completion.owing(imported):
        for system in systems:
            delivered = recorded.with_batch(
                delivered, completion.notified(delivered.batches[batch.id], system)
            )
    due, mails = owed.mails(delivered, Snapshots(repo, cache=cache), SENDER, _to(delivered, repo))
    assert due == [] and mails == []
    assert list((cache / "owed").iterdir()) == []


def test_an_apply_owing_notices_confirm_wrote_reads_them_back(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``confirm`` writes the completion notices, not sent: the next ``apply`` writes the
    same files without rebuilding a single application."""
    [first, _] = _state(gr).ordered()
    notices = tmp_path / "notices"
    done = accessreg(gr, "confirm", first.id, "--out", str(notices), "--today", ON)
    assert done.returncode == 0, done.stderr
    written = {p.name: p.read_bytes() for p in (notices / "mail").iterdir()}
    assert written
    merge(gr, "two", lambda: gr.reg.user(D, "second@leaver-d.example.jp"))
    _not_rebuilt(monkeypatch)
    out = tmp_path / "out"
    done = accessreg(gr, "apply", "--out", str(out), *DAY)
    assert done.returncode == 0, done.stderr
    again = {p.name: p.read_bytes() for p in (out / "mail").iterdir() if p.name in written}
    assert again == written
    # Each a second name of the file the cache keeps (never written again), listed in the
    # manifest with the digest it was kept with.
    cache = Path(os.environ["ACCESSREG_CACHE_DIR"])  # the tests' own (``conftest``)
    kept = {p.stat().st_ino for p in (cache / "owed").glob("*/*")}
    assert all((out / "mail" / name).stat().st_ino in kept for name in written)
    listed = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    for name, data in written.items():
        assert listed[f"mail/{name}"] == {
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
        }


def test_a_later_batch_removing_an_id_composes_its_kept_notices_again(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path
) -> None:
    """A completion notice names the removal a batch recorded after its own holds for an ID
    it lists (``notices.coming``): those ``confirm`` kept before that batch are composed
    again by the ``apply`` that records it, and only those naming the ID change."""
    [first, _] = _state(gr).ordered()
    notices = tmp_path / "notices"
    done = accessreg(gr, "confirm", first.id, "--out", str(notices), "--today", ON)
    assert done.returncode == 0, done.stderr
    written = {p.name: p.read_bytes() for p in (notices / "mail").iterdir()}
    merge(gr, "leave", lambda: gr.remove(user_file(D, D_LEAVER)))
    out = tmp_path / "out"
    done = accessreg(gr, "apply", "--out", str(out), *DAY)
    assert done.returncode == 0, done.stderr
    again = {p.name: p.read_bytes() for p in (out / "mail").iterdir() if p.name in written}
    assert again.keys() == written.keys()
    changed = {name for name in written if again[name] != written[name]}
    assert changed
    for name, data in again.items():
        body = _body(email.message_from_bytes(data, policy=email.policy.strict))
        named = [line for line in body.splitlines() if f"（ID: {D_LEAVER}）" in line]
        # Each notice listing the ID (the systems it held, the information-sharing site
        # it held for them) names the removal; no other changed.
        assert (name in changed) == bool(named), body
        assert all("に抹消されます" in line for line in named), body


def test_a_cache_that_cannot_be_written_leaves_the_mails_composed_as_they_are_written(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    imported = _imported(_state(gr))

    def full(*_: object, **__: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(owed.tempfile, "mkdtemp", full)
    cache = tmp_path / "kept"
    _, mails = owed.mails(imported, Snapshots(repo, cache=cache), SENDER, _to(imported, repo))
    assert _bytes(mails) == [(m.message_id, m.data) for m in _fresh(imported, repo, SENDER)]
    assert list((cache / "owed").iterdir()) == []


def test_a_write_failing_midway_leaves_that_key_composed_as_written_and_nothing_half_kept(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mails are written as each part of a batch is composed: a disk that fills after the
    first gives up the key (its directory removed), and its mails are composed again, as
    without a cache, byte for byte those a run with room writes."""
    imported = _imported(_state(gr))
    cache = tmp_path / "kept"
    written = Path.write_bytes

    def filling(path: Path, data: bytes) -> int:
        if path.name != "0.eml" and (cache / "owed") in path.parents:
            raise OSError(28, "No space left on device")
        return written(path, data)

    monkeypatch.setattr(Path, "write_bytes", filling)
    _, mails = owed.mails(imported, Snapshots(repo, cache=cache), SENDER, _to(imported, repo))
    fresh = _fresh(imported, repo, SENDER)
    assert len(fresh) > 1  # so that a write after the first failed
    assert _bytes(mails) == [(m.message_id, m.data) for m in fresh]
    # A key of one mail was kept; none of more, nor any part of one.
    kept = list((cache / "owed").iterdir())
    assert not any(p.name.startswith(".") for p in kept)
    assert all([f.name for f in p.iterdir()] == ["0.eml"] for p in kept)
    assert len(kept) < len(fresh)
    monkeypatch.undo()
    _, again = owed.mails(imported, Snapshots(repo, cache=cache), SENDER, _to(imported, repo))
    assert _bytes(again) == [(m.message_id, m.data) for m in fresh]


def test_each_part_of_a_batch_is_written_before_the_next_is_rebuilt(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory: a part's notices, each with what its mail says, go to disk before the next
    part's applications are rebuilt (a first batch's 20,141, held together until written,
    took 330 MiB at 200,000 users); the mails are the same as made whole."""
    imported = _imported(_state(gr))
    monkeypatch.setattr(completion, "_PART", 1)
    events: list[str] = []
    rebuild, add = completion.accepted, owed._Writing.add

    def rebuilt(*args: Any) -> Any:
        events.append("rebuilt")
        return rebuild(*args)

    def added(self: owed._Writing, mails: Any) -> None:
        before = len(self.kept)
        add(self, mails)
        events.extend(["written"] * (len(self.kept) - before))

    monkeypatch.setattr(completion, "accepted", rebuilt)
    monkeypatch.setattr(owed._Writing, "add", added)
    cache = tmp_path / "kept"
    _, mails = owed.mails(imported, Snapshots(repo, cache=cache), SENDER, _to(imported, repo))
    # The first batch's applications are parts of one: each part's mails come between.
    assert events.count("rebuilt") > 2
    assert ("rebuilt", "rebuilt") not in set(itertools.pairwise(events))
    monkeypatch.undo()
    assert _bytes(mails) == [(m.message_id, m.data) for m in _fresh(imported, repo, SENDER)]


def test_kept_notices_are_sent_as_kept_and_then_leave_the_cache(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``confirm`` writes the notices and keeps them; the merge workflow's next run sends
    those very mails (the envelope and Message-ID kept with them), records them delivered,
    and the run after finds nothing owed and the cache emptied of them."""
    [first, _] = _state(gr).ordered()
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        env = smtp_env(port)
        notices = tmp_path / "notices"
        done = accessreg(gr, "confirm", first.id, "--out", str(notices), "--today", ON, env=env)
        assert done.returncode == 0, done.stderr
        kept = [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.strict)
            for p in sorted((notices / "mail").iterdir())
        ]
        assert kept and mailbox.received == []
        merge(gr, "two", lambda: gr.reg.user(D, "second@leaver-d.example.jp"))
        _not_rebuilt(monkeypatch)
        out = tmp_path / "sent"
        done = accessreg(gr, "apply", "--out", str(out), "--confirm", "--send", *DAY, env=env)
        assert done.returncode == 0, done.stderr
    cache = Path(os.environ["ACCESSREG_CACHE_DIR"]) / "owed"
    sent = {str(m["Message-ID"]): m for m in mailbox.received}
    for message in kept:
        got = sent[str(message["Message-ID"])]
        assert (got["To"], got["Subject"]) == (message["To"], message["Subject"])
        assert _body(got) == _body(message)
    assert all(p.notified for p in _state(gr).ordered()[0].systems.values())
    again = accessreg(gr, "apply", "--out", str(tmp_path / "after"), "--confirm", *DAY)
    assert again.returncode == 0, again.stderr
    assert list(cache.iterdir()) == []


def _body(message: email.message.Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert isinstance(part, email.message.EmailMessage)
    return str(part.get_content())


def test_a_directory_another_run_is_writing_is_left_alone_until_it_is_abandoned(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Named for its writer (``.<key>.<pid>.<random>``, as ``atomic.sweep``'s leftovers
    are): kept while that process lives and the directory is younger than an hour."""
    imported = _imported(_state(gr))
    cache = tmp_path / "kept"
    gone = _gone_pid()
    owed_dir = cache / "owed"
    writing = owed_dir / f".0123.{os.getpid()}.abc"  # this process: alive
    left = owed_dir / f".4567.{os.getpid()}.def"  # alive, but a day old
    killed = owed_dir / f".89ab.{gone}.ghi"  # its writer gone: a minute old
    for directory in (writing, left, killed):
        directory.mkdir(parents=True)
        (directory / "0.eml").write_bytes(b"Subject: x\r\n\r\n")
    day = time.time() - 24 * 3600
    os.utime(left, (day, day))
    made: list[str] = []
    mkdtemp = owed.tempfile.mkdtemp

    def recorded(*args: Any, **kwargs: Any) -> str:
        made.append(mkdtemp(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(owed.tempfile, "mkdtemp", recorded)
    owed.mails(imported, Snapshots(repo, cache=cache), SENDER, _to(imported, repo))
    assert writing.exists() and not left.exists() and not killed.exists()
    # This run's own directories, while it wrote them, named for it.
    assert made and all(Path(m).name.split(".")[-2] == str(os.getpid()) for m in made)


def _gone_pid() -> int:
    """A process id no process has."""
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


def test_a_later_change_of_a_memo_leaves_the_kept_notices_as_they_are(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path
) -> None:
    """A later batch that changes an ID's memo (or name) changes no permission its
    notices foretell (``notices.coming`` reads what a code change or a removal does): the
    notices ``confirm`` kept stay byte for byte as they were, and the run that records it
    reads them back rather than rebuild the first batch's applications (27 s of every run
    at 200,000 users while they are owed)."""
    [first, _] = _state(gr).ordered()
    notices = tmp_path / "notices"
    done = accessreg(gr, "confirm", first.id, "--out", str(notices), "--today", ON)
    assert done.returncode == 0, done.stderr
    written = {p.name: p.read_bytes() for p in (notices / "mail").iterdir()}
    merge(gr, "memo", lambda: gr.reg.user(D, D_LEAVER, memo="異動予定"))
    out = tmp_path / "out"
    done = accessreg(gr, "apply", "--out", str(out), *DAY)
    assert done.returncode == 0, done.stderr
    again = {p.name: p.read_bytes() for p in (out / "mail").iterdir() if p.name in written}
    assert again == written
