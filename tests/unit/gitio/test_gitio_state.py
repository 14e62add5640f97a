"""The provisioning state lives in its own ref: compare-and-swap updates, fetched and pushed."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import git
import pytest

from accessreg.gitio.state import (
    STALE_LOCK_SECONDS,
    STATE_REF,
    StateConflictError,
    StateLockedError,
    StatePushError,
    StateStore,
)
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    made = GitRegistry(reg)
    yield made
    made.close()


def test_state_is_a_chain_of_commits_outside_every_branch(gr: GitRegistry) -> None:
    store = StateStore(gr.path)
    assert store.head() is None and store.read(None) == {}
    first = store.write({"state.json": b"{}\n"}, "first", None)
    second = store.write({"state.json": b'{"a": 1}\n', "outbox.json": b"{}\n"}, "second", first)
    assert store.head() == second
    assert store.read(second) == {"state.json": b'{"a": 1}\n', "outbox.json": b"{}\n"}
    assert store.read(first) == {"state.json": b"{}\n"}
    assert gr.repo.commit(second).parents[0].hexsha == first
    assert gr.repo.commit(second).message.strip() == "second"
    # Branches, the index and the work tree are untouched.
    assert [h.name for h in gr.repo.heads] == ["main"]
    assert not gr.repo.is_dirty(untracked_files=True)
    store.close()


def test_a_stale_writer_is_refused_and_changes_nothing(gr: GitRegistry) -> None:
    store = StateStore(gr.path)
    first = store.write({"state.json": b"1\n"}, "one", None)
    second = store.write({"state.json": b"2\n"}, "two", first)
    with pytest.raises(StateConflictError):
        store.write({"state.json": b"stale\n"}, "stale", first)
    with pytest.raises(StateConflictError):
        store.write({"state.json": b"again\n"}, "from scratch", None)
    assert store.head() == second
    store.close()


def test_remote_state_survives_a_fresh_clone(gr: GitRegistry, tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    git.Repo.init(origin, bare=True).close()
    gr.repo.create_remote("origin", str(origin))
    gr.repo.git.push("-q", "origin", "main")

    store = StateStore(gr.path, remote="origin")
    store.fetch()  # nothing there yet: not an error
    assert store.head() is None
    commit = store.write({"state.json": b"pushed\n"}, "pushed", None)
    store.close()

    clone = git.Repo.clone_from(str(origin), tmp_path / "runner")
    fresh = StateStore(Path(clone.working_dir), remote="origin")
    assert fresh.head() is None  # a clone does not fetch custom refs by itself
    fresh.fetch()
    assert fresh.head() == commit
    assert fresh.read(fresh.head()) == {"state.json": b"pushed\n"}
    fresh.close()
    clone.close()
    assert git.Repo(origin).git.rev_parse(STATE_REF) == commit


def test_a_flat_state_is_enforced(gr: GitRegistry) -> None:
    store = StateStore(gr.path)
    with pytest.raises(ValueError, match="flat"):
        store.write({"dir/file": b""}, "nested", None)
    store.close()


def test_without_a_configured_identity_the_state_commits_as_accessreg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))  # a fresh CI runner: no user.name
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        for key in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{role}_{key}", raising=False)
    git.Repo.init(tmp_path / "runner").close()
    with StateStore(tmp_path / "runner") as store:
        commit = store.write({"state.json": b"{}\n"}, "first", None)
    made = git.Repo(tmp_path / "runner").commit(commit)
    assert (made.author.name, made.author.email) == ("accessreg", "accessreg@localhost")
    assert (made.committer.name, made.committer.email) == ("accessreg", "accessreg@localhost")


def test_a_configured_identity_is_kept(gr: GitRegistry) -> None:
    with StateStore(gr.path) as store:
        commit = store.write({"state.json": b"{}\n"}, "first", None)
    assert gr.repo.commit(commit).author.name == "Test"


def test_a_record_costs_the_same_few_git_processes_however_many_came_before(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run records a state commit before and after each mail it sends: the identity it
    commits as is asked once, and without a remote the ref is not read back after each."""
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    with StateStore(gr.path) as store:
        parent = None
        for n in range(4):
            parent = store.write({"state.json": f"{n}\n".encode()}, f"record {n}", parent)
    commands = [
        line.partition("trace: built-in: git ")[2]
        for line in trace.read_text("utf-8").splitlines()
        if "trace: built-in: git " in line
    ]
    # Finding the repository, once per process (whether this test is the first is chance).
    commands = [c for c in commands if not c.startswith("rev-parse --path-format")]
    names = [command.split(" ")[0] for command in commands]
    assert names.count("config") == 1, commands
    assert names.count("rev-parse") == 0, commands
    per_record = ["hash-object", "mktree", "commit-tree", "update-ref"]
    assert sorted(names) == sorted(["config"] + per_record * 4), commands


def _origin(gr: GitRegistry, tmp_path: Path) -> Path:
    """A bare remote ``origin`` holding main, as GitHub would."""
    origin = tmp_path / "origin.git"
    git.Repo.init(origin, bare=True).close()
    gr.repo.create_remote("origin", str(origin))
    gr.repo.git.push("-q", "origin", "main")
    return origin


def _refuse_pushes(origin: Path, why: str | None) -> None:
    """The remote's pre-receive hook refuses every push (``why``), or no hook (None)."""
    hook = origin / "hooks" / "pre-receive"
    if why is None:
        hook.unlink(missing_ok=True)
        return
    hook.write_text(f"#!/bin/sh\necho '{why}' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)


def test_a_state_ahead_of_the_remote_is_kept_and_pushed_by_the_next_update(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A push that failed must not make the next run forget what was recorded (issue 11: a
    sent mail recorded locally, then overwritten by the remote's older state, went out again)."""
    origin = _origin(gr, tmp_path)
    store = StateStore(gr.path, remote="origin")
    first = store.write({"outbox.json": b'{"a": 1}\n'}, "sent a", None)
    _refuse_pushes(origin, "the remote is read-only for maintenance")
    with pytest.raises(StatePushError) as failed:
        store.write({"outbox.json": b'{"a": 1, "b": 2}\n'}, "sent b", first)
    message = str(failed.value)
    assert "origin refused the update" in message  # the real cause, not a guess ...
    assert "read-only for maintenance" in message  # ... in the remote's own words
    assert "did another run" not in message
    ahead = failed.value.commit
    assert store.head() == ahead  # recorded here all the same
    store.close()

    _refuse_pushes(origin, None)
    later = StateStore(gr.path, remote="origin")
    later.fetch()
    assert later.head() == ahead  # kept, not overwritten by the remote's older state
    assert later.read(ahead)["outbox.json"] == b'{"a": 1, "b": 2}\n'
    assert any("ahead" in note.english() for note in later.notes)
    newest = later.write({"outbox.json": b'{"a": 1, "b": 2, "c": 3}\n'}, "sent c", ahead)
    later.close()
    remote = git.Repo(origin)
    assert remote.git.rev_parse(STATE_REF) == newest
    assert remote.git.rev_parse(f"{newest}^") == ahead  # pushed with its history
    remote.close()


def _union(
    base: Mapping[str, bytes], ours: Mapping[str, bytes], theirs: Mapping[str, bytes]
) -> dict[str, bytes]:
    lines = {
        line for files in (ours, theirs) for line in files.get("log", b"").splitlines() if line
    }
    return {"log": b"".join(sorted(line + b"\n" for line in lines))}


def test_states_that_both_moved_are_merged_not_overwritten(gr: GitRegistry, tmp_path: Path) -> None:
    origin = _origin(gr, tmp_path)
    here = StateStore(gr.path, remote="origin", merge=_union)
    base = here.write({"log": b"a\n"}, "a", None)
    _refuse_pushes(origin, "offline")
    with pytest.raises(StatePushError) as failed:
        here.write({"log": b"a\nb\n"}, "b, recorded here only", base)
    mine = failed.value.commit
    _refuse_pushes(origin, None)

    runner = git.Repo.clone_from(str(origin), tmp_path / "runner")
    other = StateStore(Path(runner.working_dir), remote="origin")
    other.fetch()
    theirs = other.write({"log": b"a\nc\n"}, "c, recorded by another run", base)
    other.close()
    runner.close()

    here.fetch()
    merged = here.head()
    assert merged is not None
    assert here.read(merged) == {"log": b"a\nb\nc\n"}  # both kept
    assert [p.hexsha for p in gr.repo.commit(merged).parents] == [mine, theirs]
    here.write({"log": b"a\nb\nc\nd\n"}, "d", merged)
    here.close()
    assert git.Repo(origin).git.show(f"{STATE_REF}:log") == "a\nb\nc\nd"


def test_states_that_cannot_be_merged_are_refused_and_both_kept(
    gr: GitRegistry, tmp_path: Path
) -> None:
    origin = _origin(gr, tmp_path)
    here = StateStore(gr.path, remote="origin")  # no merge given: nothing can be merged
    base = here.write({"state": b"1\n"}, "one", None)
    _refuse_pushes(origin, "offline")
    with pytest.raises(StatePushError):
        here.write({"state": b"2\n"}, "two here", base)
    mine = here.head()
    _refuse_pushes(origin, None)
    runner = git.Repo.clone_from(str(origin), tmp_path / "runner")
    other = StateStore(Path(runner.working_dir), remote="origin")
    other.fetch()
    other.write({"state": b"3\n"}, "three there", base)
    other.close()
    runner.close()
    with pytest.raises(StateConflictError, match="both moved"):
        here.fetch()
    assert here.head() == mine  # the local state is left as it was
    here.close()


def _stale_lock(gr: GitRegistry, ref: str) -> Path:
    """A lock on ``ref`` left by a git process killed while it held it."""
    target = gr.rev()
    lock = gr.path / ".git" / f"{ref}.lock"
    with subprocess.Popen(
        ["git", "update-ref", "--stdin"],
        cwd=gr.path,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    ) as proc:
        assert proc.stdin is not None
        proc.stdin.write(f"start\nupdate {ref} {target}\nprepare\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 10
        while not lock.exists():
            assert time.monotonic() < deadline, "git never took the lock"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    assert lock.exists()
    return lock


def test_a_lock_left_by_a_killed_git_is_cleared_once_it_is_stale(gr: GitRegistry) -> None:
    store = StateStore(gr.path)
    first = store.write({"state.json": b"1\n"}, "one", None)
    lock = _stale_lock(gr, STATE_REF)

    # Just taken: another git process may hold it; the advice says what to do.
    with pytest.raises(StateLockedError) as locked:
        store.write({"state.json": b"2\n"}, "two", first)
    assert str(lock) in str(locked.value)
    assert "run the command again" not in str(locked.value)
    assert store.head() == first and lock.exists()

    old = time.time() - STALE_LOCK_SECONDS - 5
    os.utime(lock, (old, old))
    second = store.write({"state.json": b"2\n"}, "two", first)
    assert store.head() == second and not lock.exists()
    assert any(str(lock) in note.english() for note in store.notes)
    store.close()
