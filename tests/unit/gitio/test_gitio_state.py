"""The provisioning state lives in its own ref: compare-and-swap updates, fetched and pushed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import git
import pytest

from accessreg.gitio.state import STATE_REF, StateConflictError, StateStore
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
