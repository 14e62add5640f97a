"""gitio: the day files were added, and proposal branches created once and kept current."""

from __future__ import annotations

from datetime import date

from accessreg.gitio.added import added_on
from accessreg.gitio.branches import Branches
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory
from tests.helpers.scheduled_scenario import commit_on, on

U1 = "registry/users/TESTOP01/user1@test-gas.example.co.jp.yaml"
U2 = "registry/users/TESTOP01/b@test-gas.example.co.jp.yaml"


def dated(reg: RegistryFactory, day: date) -> GitRegistry:
    """A git registry whose first commit is on ``day``."""
    g = GitRegistry(reg)
    g.repo.git.commit("-q", "--amend", "--no-edit", "--reset-author", env=on(day))
    return g


def test_added_on_follows_the_main_line(reg: RegistryFactory) -> None:
    g = dated(reg, date(2026, 1, 5))
    g.branch("pr")
    reg.user(email="b@test-gas.example.co.jp")
    commit_on(g, "add b", date(2026, 2, 1))  # committed on the branch ...
    g.checkout("main")
    g.repo.git.merge("-q", "--no-ff", "--no-edit", "pr", env=on(date(2026, 2, 10)))  # ... merged
    g.remove("users/TESTOP01/user1@test-gas.example.co.jp.yaml")
    commit_on(g, "remove", date(2026, 3, 1))
    reg.user()
    commit_on(g, "add again", date(2026, 4, 1))
    added = added_on(reg.repo, "HEAD", "registry")
    assert added["users/TESTOP01/b@test-gas.example.co.jp.yaml"] == date(2026, 2, 10)
    assert added["users/TESTOP01/user1@test-gas.example.co.jp.yaml"] == date(2026, 4, 1)
    assert added["operators/TESTOP01.yaml"] == date(2026, 1, 5)
    assert "systems.yaml" in added and not any(k.startswith("registry/") for k in added)


def test_added_on_counts_in_japan_time(reg: RegistryFactory) -> None:
    g = GitRegistry(reg)
    stamp = "2026-01-05T23:30:00+00:00"  # 08:30 on the 6th in Japan
    env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    g.repo.git.commit("-q", "--amend", "--no-edit", "--reset-author", env=env)
    assert added_on(reg.repo, "HEAD", "registry")["operators/TESTOP01.yaml"] == date(2026, 1, 6)


def test_branch_created_once_then_kept_current(reg: RegistryFactory) -> None:
    reg.user(email="b@test-gas.example.co.jp")
    g = GitRegistry(reg)
    repo, base = g.repo, g.rev()
    name = "accessreg/stale-deletions/TESTOP01"
    with Branches(reg.repo) as branches:
        first = branches.put(name, "HEAD", [U1], {}, "delete user1")
        assert first.action == "created"
        again = branches.put(name, "HEAD", [U1], {}, "delete user1")
        assert (again.action, again.commit) == ("unchanged", first.commit)
        more = branches.put(name, "HEAD", [U1, U2], {}, "delete user1 and b")
        assert more.action == "updated"
        assert branches.names("accessreg/") == [name]
    tip = repo.commit(name)
    assert [p.hexsha for p in tip.parents] == [base]  # one commit on the base, not a chain
    assert {d.a_path for d in repo.commit(base).diff(tip)} == {U1, U2}
    assert all(d.deleted_file for d in repo.commit(base).diff(tip))
    # neither the work tree nor the checked-out branch moved
    assert repo.head.commit.hexsha == base and not repo.is_dirty(untracked_files=True)
    assert (reg.repo / U1).exists()


def test_branch_follows_the_base_and_goes_when_empty(reg: RegistryFactory) -> None:
    g = GitRegistry(reg)
    repo = g.repo
    name = "accessreg/stale-deletions/TESTOP01"
    with Branches(reg.repo) as branches:
        created = branches.put(name, "HEAD", [U1], {}, "delete user1")
        reg.operator(last_inventory="2026-01-20")
        moved = g.commit("inventory")
        updated = branches.put(name, "HEAD", [U1], {}, "delete user1")
        assert updated.action == "updated" and updated.commit != created.commit
        assert [p.hexsha for p in repo.commit(name).parents] == [moved]
        # the application was merged: nothing left to propose, the branch goes
        (reg.repo / U1).unlink()
        g.commit("merged")
        assert branches.put(name, "HEAD", [U1], {}, "delete user1").action == "deleted"
        assert branches.names("accessreg/") == []
        assert branches.delete(name).action == "absent"


def test_branch_rewrites_files(reg: RegistryFactory) -> None:
    g = GitRegistry(reg)
    repo, base = g.repo, g.rev()
    with Branches(reg.repo) as branches:
        change = branches.put("p", "HEAD", [], {U1: b"new content\n"}, "rewrite")
    assert change.action == "created"
    blob = repo.commit("p").tree / U1
    assert blob.data_stream.read() == b"new content\n"
    assert repo.head.commit.hexsha == base


def test_added_on_reads_any_file_name(reg: RegistryFactory) -> None:
    """A name a pull request chose is read as a name, whatever its bytes: the log's own
    markers (a newline, the byte before each commit's time) inside one do not split it."""
    g = dated(reg, date(2026, 1, 5))
    names = ["users/TESTOP01/\nlead.yaml", "users/TESTOP01/a\x01123.yaml", "users/TESTOP01/b\n"]
    for name in names:
        reg.write(name, "memo: x\n")
    commit_on(g, "odd names", date(2026, 2, 1))
    added = added_on(reg.repo, "HEAD", "registry")
    assert {name: added.get(name) for name in names} == dict.fromkeys(names, date(2026, 2, 1))
    assert added["operators/TESTOP01.yaml"] == date(2026, 1, 5)
