"""The git room: revisions, snapshots, blob ids and changed paths of real repositories."""

from __future__ import annotations

import hashlib
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accessreg.errors import ConfigError, UsageError
from accessreg.files.loading import load
from accessreg.gitio import runner
from accessreg.gitio.repo import GitRepository
from accessreg.gitio.runner import Git, GitError
from accessreg.model.commits import PathChange
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory

USER = "users/TESTOP01/user1@test-gas.example.co.jp.yaml"


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    made = GitRegistry(reg)
    yield made
    made.close()


@pytest.fixture
def repo(gr: GitRegistry) -> Iterator[GitRepository]:
    with GitRepository(gr.path) as opened:
        yield opened


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_outside_a_repository_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not inside a git repository"):
        GitRepository(tmp_path)


def test_resolve_and_unknown_revisions(gr: GitRegistry, repo: GitRepository) -> None:
    with GitRepository(gr.path / "registry") as sub:  # found from a subdirectory
        assert sub.root == gr.path
    assert repo.resolve("main") == gr.rev("main")
    assert repo.resolve("HEAD") == gr.rev()
    for bad in ("no-such-branch", "--output=/tmp/x", ""):
        with pytest.raises(UsageError):
            repo.resolve(bad)


def _user2(gr: GitRegistry, repo: GitRepository) -> tuple[str, str]:
    """HEAD, and the commit after it adding a second user."""
    first = repo.resolve("HEAD")
    gr.reg.user(email="user2@test-gas.example.co.jp")
    return first, gr.commit("add user2")


def _commands(repo: GitRepository, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Every git command ``repo`` runs from now on, as it runs it (``maybe``'s and
    ``fixed``'s too), and each name it asks its reader for, as ``("cat-file", name)``."""
    ran: list[tuple[str, ...]] = []
    call, ask = repo._git.call, repo._git._reader.ask
    monkeypatch.setattr(repo._git, "call", lambda *a, **k: ran.append(a) or call(*a, **k))

    def asked(names: list[str]) -> object:
        ran.extend(("cat-file", name) for name in names)
        return ask(names)

    monkeypatch.setattr(repo._git._reader, "ask", asked)
    return ran


def test_an_object_id_is_resolved_once_and_a_name_every_time(
    gr: GitRegistry, repo: GitRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _user2(gr, repo)
    assert repo.resolve("HEAD") == second  # a name may name another commit later
    assert repo.resolve(first) == first
    changed = repo.changed_blobs(first, second, "registry")
    assert list(changed) == ["users/TESTOP01/user2@test-gas.example.co.jp.yaml"]
    changed.clear()  # the caller's copy: the next caller gets the whole answer again
    ran = _commands(repo, monkeypatch)
    assert repo.resolve(second) == second
    assert repo.resolve(first) == first
    assert len(repo.changed_blobs(first, second, "registry")) == 1
    assert ran == []  # the same ids and the same two trees: git is not asked again
    assert repo.resolve(second[:12]) == second  # an abbreviation is asked, as a name is
    assert len(ran) == 1


def test_what_ids_name_is_asked_once_a_process_whatever_opens_the_repository(
    gr: GitRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = gr.rev()
    gr.reg.user(email="user2@test-gas.example.co.jp")
    second = gr.commit("add user2")

    def questions(repo: GitRepository) -> tuple[object, ...]:
        return (
            repo.tree_entries(second, "registry/users/TESTOP01"),
            repo.tree_id(first, "registry/users"),
            repo.tree_id(first, "registry/no-such-directory"),  # a definite no: kept too
            repo.is_ancestor(first, second),
            repo.is_ancestor(second, first),
            repo.first_parent_paths(first, second),
            repo.commit(second),
            repo.file_paths(second, "registry/users"),
        )

    with GitRepository(gr.path) as repo:
        asked = questions(repo)
    with GitRepository(gr.path) as again:  # another opening, as each run's session and state
        ran = _commands(again, monkeypatch)
        assert questions(again) == asked
        assert ran == []
        assert again.resolve("HEAD") == second  # a name may name another commit later
        assert ran == [("cat-file", "HEAD^{commit}")]
        assert again.tree_entries(second, "registry/no-such-directory") == {}
        assert again.tree_entries(second, "registry/no-such-directory") == {}
        assert ran[1:] == [("cat-file", f"{second}:registry/no-such-directory")]  # a no: kept


def test_the_answers_kept_stay_within_their_limits(
    gr: GitRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = gr.rev()
    listing = ("ls-tree", "-r", "-z", "--full-tree", head)
    size = len(Git(gr.path).fixed(*listing)[1])
    monkeypatch.setattr(runner, "_kept", OrderedDict())
    monkeypatch.setattr(runner, "_kept_size", 0)
    monkeypatch.setattr(runner, "_KEPT_ONE", size - 1)  # one answer too large to keep
    with GitRepository(gr.path) as repo:
        ran = _commands(repo, monkeypatch)
        repo.resolve(head)
        repo.tree_blobs(head)
        repo.tree_blobs(head)
        assert ran.count(listing) == 2
        monkeypatch.setattr(runner, "_KEPT_ONE", size)
        monkeypatch.setattr(runner, "_KEPT_LIMIT", size + 10)  # room for the listing alone
        repo.tree_blobs(head)
        repo.tree_blobs(head)
        assert ran.count(listing) == 3
        repo.tree_entries(head, "registry")  # the listing, the oldest, gives way
        repo.tree_blobs(head)
        assert ran.count(listing) == 4
        assert runner._kept_size <= size + 10


def test_a_comparison_asked_once_is_not_kept_unless_asked_before(
    gr: GitRegistry, repo: GitRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not kept: neither what it was read into (a first apply's comparisons of whole
    registries held 68 MB) nor git's listing, when it is too large for the answers kept."""
    first, second = _user2(gr, repo)
    monkeypatch.setattr(runner, "_KEPT_ONE", 0)  # every listing too large to keep
    ran = _commands(repo, monkeypatch)
    once = repo.changed_blobs(first, second, "registry", kept=False)
    assert list(once) == ["users/TESTOP01/user2@test-gas.example.co.jp.yaml"]
    compared = [a for a in ran if a[0] == "diff-tree"]
    assert len(compared) == 1
    assert repo.changed_blobs(first, second, "registry") == once  # not kept: asked again
    assert len([a for a in ran if a[0] == "diff-tree"]) == 2
    assert repo.changed_blobs(first, second, "registry", kept=False) == once
    assert len([a for a in ran if a[0] == "diff-tree"]) == 2  # kept before: taken from it


def test_a_small_listing_of_a_comparison_not_kept_is_still_asked_once(
    gr: GitRegistry, repo: GitRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _user2(gr, repo)
    ran = _commands(repo, monkeypatch)
    once = repo.changed_blobs(first, second, "registry", kept=False)
    assert repo.changed_blobs(first, second, "registry", kept=False) == once
    assert repo.changed_blobs(second, first, "registry") == {
        "users/TESTOP01/user2@test-gas.example.co.jp.yaml": None
    }
    assert len([a for a in ran if a[0] == "diff-tree"]) == 1


def test_the_commits_of_a_history_are_known_without_asking_git_again(
    gr: GitRegistry, repo: GitRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = repo.resolve("HEAD")
    for n in (2, 3):
        gr.reg.user(email=f"user{n}@test-gas.example.co.jp")
        gr.commit(f"add user{n}")
    history = repo.first_parent_history(first, "HEAD")
    assert [c.parent for c in history] == [first, history[0].sha]
    ran = _commands(repo, monkeypatch)
    for commit in history:  # as a range's steps load each, and its parent
        assert repo.resolve(commit.sha) == commit.sha
        assert commit.parent is not None and repo.resolve(commit.parent) == commit.parent
    assert ran == []
    assert repo.resolve("HEAD") == history[-1].sha  # a name is still asked
    assert len(ran) == 1


def test_two_trees_compared_one_way_are_known_the_other_way_without_asking_git(
    gr: GitRegistry, repo: GitRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("changed", "removed", "linked", "unlinked-target"):
        gr.write(f"registry/{name}.yaml", f"{name}: 1\n")
    (gr.path / "registry" / "unlinked.yaml").symlink_to("unlinked-target.yaml")
    first = gr.commit("before")
    gr.write("registry/changed.yaml", "changed: 2\n")
    gr.write("registry/added.yaml", "added: 1\n")
    (gr.path / "registry" / "removed.yaml").unlink()
    (gr.path / "registry" / "linked.yaml").unlink()
    (gr.path / "registry" / "linked.yaml").symlink_to("changed.yaml")  # a file made a link
    (gr.path / "registry" / "unlinked.yaml").unlink()
    gr.write("registry/unlinked.yaml", "unlinked: 1\n")  # a link made a file
    second = gr.commit("after")

    def answers(of: GitRepository, base: str, head: str) -> tuple[object, ...]:
        return (
            of.changed_blobs(base, head, "registry"),
            of.added_files(base, head, "registry"),
            of.changed_irregular(base, head, "registry"),
        )

    forwards = answers(repo, first, second)
    ran = _commands(repo, monkeypatch)
    backwards = answers(repo, second, first)
    assert ran == []  # read from the comparison the other way
    monkeypatch.setattr(runner, "_kept", OrderedDict())  # as a process that made none
    with GitRepository(gr.path) as fresh:
        assert backwards == answers(fresh, second, first)
        assert forwards == answers(fresh, first, second)
    assert backwards[1] == {"removed.yaml", "linked.yaml"}  # what ``first`` has as files
    assert backwards[0]["added.yaml"] is None and backwards[2] == {"unlinked.yaml": "symlink"}


def test_two_trees_are_compared_without_reading_the_checkouts_index(
    gr: GitRegistry, repo: GitRepository
) -> None:
    # diff-tree loads the whole index of the checkout (28 MB at 200,000 files) for nothing
    # a raw comparison of two trees uses: one it cannot read must not matter.
    first, second = _user2(gr, repo)
    (gr.path / ".git" / "index").write_bytes(b"not an index")
    changed = repo.changed_blobs(first, second, "registry")
    assert list(changed) == ["users/TESTOP01/user2@test-gas.example.co.jp.yaml"]
    blob = (gr.path / "registry" / next(iter(changed))).read_bytes()
    assert changed == {next(iter(changed)): blob_id(blob)}


def test_merge_base_of_a_branch_that_fell_behind(gr: GitRegistry, repo: GitRepository) -> None:
    start = gr.rev()
    gr.branch("pr")
    gr.reg.user(email="user2@test-gas.example.co.jp")
    gr.commit("add user2")
    gr.checkout("main")
    gr.reg.user(email="user3@test-gas.example.co.jp")
    gr.commit("add user3")
    assert repo.merge_base("main", "pr") == start
    assert repo.is_ancestor(start, "pr")
    assert not repo.is_ancestor("pr", "main")


def test_unrelated_histories_have_no_merge_base(gr: GitRegistry, repo: GitRepository) -> None:
    gr.repo.git.checkout("-q", "--orphan", "other")
    gr.commit("unrelated")
    with pytest.raises(UsageError, match="no common ancestor"):
        repo.merge_base("main", "other")


def test_snapshot_reads_an_old_revision_without_touching_the_work_tree(
    gr: GitRegistry, repo: GitRepository
) -> None:
    old = gr.rev()
    gr.reg.user(email="user1@test-gas.example.co.jp", name="改名 太郎")
    gr.commit("rename user1")
    gr.reg.user(email="user9@test-gas.example.co.jp")  # uncommitted, untracked
    on_disk = (gr.reg.root / USER).read_bytes()

    snap = repo.snapshot(old, "registry")
    assert snap.label == "registry"
    assert "users/TESTOP01/user9@test-gas.example.co.jp.yaml" not in snap.paths()
    assert "試験 太郎".encode() in snap.read(USER)
    assert (gr.reg.root / USER).read_bytes() == on_disk  # the work tree is as it was
    assert (
        gr.repo.git.status("--porcelain")
        == "?? registry/users/TESTOP01/user9@test-gas.example.co.jp.yaml"
    )
    loaded = load(snap)
    assert loaded.registry is not None
    assert [u.user.name for u in loaded.registry.users] == ["試験 太郎"]


def test_snapshot_selects_files(gr: GitRegistry, repo: GitRepository) -> None:
    snap = repo.snapshot("HEAD", "registry", lambda rel: rel.startswith("users/"))
    assert snap.paths() == [USER]


def test_blob_ids_from_tree_and_index_are_gits(gr: GitRegistry, repo: GitRepository) -> None:
    tree = repo.tree_blobs("HEAD", "registry")
    assert tree == repo.index_blobs("registry")
    assert tree[USER] == blob_id((gr.reg.root / USER).read_bytes())
    whole = repo.tree_blobs("HEAD")
    assert whole[f"registry/{USER}"] == tree[USER]


def test_many_blobs_are_read_in_one_pipelined_batch(gr: GitRegistry, repo: GitRepository) -> None:
    # More than a pipe buffer in both directions: the writer and reader must overlap.
    for i in range(1700):  # 1700 ids are 70 kB: more than a pipe holds
        gr.write(f"bulk/{i:05d}.txt", f"{i}\n" * 40)
    gr.commit("bulk")
    blobs = repo.tree_blobs("HEAD", "bulk")
    content = repo.read_blobs(blobs.values())
    assert len(content) == len({*blobs.values()}) == 1700
    assert content[blobs["01234.txt"]] == b"1234\n" * 40
    assert repo.read_blobs([]) == {}


def test_changes_detect_renames_copies_and_both_sides(gr: GitRegistry, repo: GitRepository) -> None:
    gr.reg.user(email="user2@test-gas.example.co.jp")
    base = gr.commit("add user2")
    gr.move(USER, "users/OTHEROP1/user1@test-gas.example.co.jp.yaml")
    (gr.reg.root / "users/TESTOP01/user2@test-gas.example.co.jp.yaml").write_text(
        (gr.reg.root / "users/TESTOP01/user2@test-gas.example.co.jp.yaml").read_text()
        + "memo: 追記\n",
        encoding="utf-8",
    )
    gr.write(
        "registry/users/OTHEROP1/user2@test-gas.example.co.jp.yaml",
        (gr.reg.root / "users/TESTOP01/user2@test-gas.example.co.jp.yaml").read_text(),
    )
    gr.remove("calendar.yaml")
    gr.write("README.md", "# readme\n")
    head = gr.commit("move, copy, delete, add")

    changes = {c.path: c for c in repo.changes(base, head)}
    moved = changes["registry/users/OTHEROP1/user1@test-gas.example.co.jp.yaml"]
    assert (moved.status, moved.old_path) == ("R", f"registry/{USER}")
    assert moved.similarity == 100
    assert moved.paths == (f"registry/{USER}", moved.path)
    copied = changes["registry/users/OTHEROP1/user2@test-gas.example.co.jp.yaml"]
    assert copied.status == "C"
    assert copied.old_path == "registry/users/TESTOP01/user2@test-gas.example.co.jp.yaml"
    assert changes["registry/calendar.yaml"] == PathChange("D", "registry/calendar.yaml")
    assert changes["README.md"].status == "A"
    assert changes["registry/users/TESTOP01/user2@test-gas.example.co.jp.yaml"].status == "M"


def test_worktree_changes_since_a_revision(gr: GitRegistry, repo: GitRepository) -> None:
    base = gr.rev()
    gr.reg.user(email="user2@test-gas.example.co.jp")
    gr.commit("add user2")
    gr.reg.user(email="user1@test-gas.example.co.jp", memo="変更")  # modified, not staged
    gr.reg.user(email="user3@test-gas.example.co.jp")  # untracked
    gr.remove("calendar.yaml")  # deleted on disk
    gr.write("README.md", "outside the prefix\n")
    assert repo.worktree_changes(base, "registry") == {
        "users/TESTOP01/user2@test-gas.example.co.jp.yaml",
        USER,
        "users/TESTOP01/user3@test-gas.example.co.jp.yaml",
        "calendar.yaml",
    }
    assert "README.md" in repo.worktree_changes("HEAD")


def test_listing_only_some_paths_and_every_file_under_a_directory(
    gr: GitRegistry, repo: GitRepository
) -> None:
    gr.reg.operator("TESTOP012")  # a directory name that begins like another's
    gr.reg.user("TESTOP012", "other@test-gas.example.co.jp")
    gr.commit("another operator")
    listed = repo.tree_blobs("HEAD", "registry", ["users/TESTOP01", "systems.yaml"])
    assert sorted(listed) == ["systems.yaml", USER]
    assert repo.file_paths("HEAD", "registry/users/TESTOP01") == [f"registry/{USER}"]
    assert sorted(repo.file_paths("HEAD", "registry/users")) == [
        f"registry/{USER}",
        "registry/users/TESTOP012/other@test-gas.example.co.jp.yaml",
    ]
    assert repo.file_paths("HEAD", "registry/nope") == []


def test_more_paths_than_one_listing_takes_give_the_same_files(
    gr: GitRegistry, repo: GitRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    gr.reg.operator("TESTOP012")  # a directory name that begins like another's
    gr.reg.user("TESTOP012", "other@test-gas.example.co.jp")
    gr.commit("another operator")
    wanted = ["users/TESTOP01", "systems.yaml", "operators/TESTOP012.yaml"]
    given = repo.tree_blobs("HEAD", "registry", wanted)
    monkeypatch.setattr("accessreg.gitio.repo._LISTED_PATHS", 1)
    assert repo.tree_blobs("HEAD", "registry", wanted) == given
    assert sorted(given) == ["operators/TESTOP012.yaml", "systems.yaml", USER]


def test_a_bare_repository_a_missing_directory_and_a_missing_git_are_told_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    with pytest.raises(ConfigError, match="is a bare repository; run from a checkout"):
        GitRepository(bare)
    with pytest.raises(ConfigError, match="not inside a git repository"):
        GitRepository(tmp_path / "no-such-directory")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ConfigError, match="git is not installed"):
        GitRepository(tmp_path)  # where no repository was found before in this process


def test_git_runs_from_the_top_of_the_checkout_and_its_failures_say_what_git_said(
    gr: GitRegistry,
) -> None:
    with Git(gr.path / "registry") as git:
        assert git.work_tree == gr.path.resolve()
        assert git.common_dir == (gr.path / ".git").resolve()
        assert git.text("rev-parse", "--show-prefix") == ""  # found from a subdirectory
        with pytest.raises(GitError, match="bad revision") as failed:
            git.run("log", "-1", "no-such-branch", "--")
        assert "no-such-branch" in failed.value.stderr


def test_one_reader_answers_a_runs_lookups_and_ends_with_the_repository(
    gr: GitRegistry,
) -> None:
    gr.write("registry/odd\nname.yaml", "odd: true\n")  # a name a line cannot hold
    gr.write("registry/ spaced .yaml", "spaced: true\n")  # a line, taken whole
    head = gr.commit("a file named over two lines")
    with Git(gr.path) as git:
        names = [head, f"{head}:registry/odd\nname.yaml", "no-such-branch", f"{head}:registry"]
        answers = git.objects([*names, f"{head}:registry/ spaced .yaml"])
        kinds = [a[1] if a else None for a in answers]
        assert kinds == ["commit", "blob", None, "tree", "blob"]
        assert answers[1] is not None and answers[1][2] == b"odd: true\n"
        assert answers[4] is not None and answers[4][2] == b"spaced: true\n"
        reader = git._reader._proc
        assert reader is not None and reader.poll() is None  # one process, still there
        # More than a pipe holds both ways, asked at once: fed while the answers are read.
        blob = answers[1][0]
        many = git.objects([blob] * 5000)
        assert len(many) == 5000 and {a[2] if a else None for a in many} == {b"odd: true\n"}
        assert git._reader._proc is reader
        # A git that stops answering fails the request, for one name or many; the next
        # request is answered by another.
        for count in (1, 5000):
            stopped = git._reader._proc
            assert stopped is not None
            stopped.kill()
            stopped.wait()
            with pytest.raises(GitError, match="git stopped answering"):
                git.objects([blob] * count)
            assert git.objects([blob]) == [answers[1]]
        reader = git._reader._proc
    assert reader is not None and reader.returncode is not None  # ended with the repository


def test_answers_that_cannot_be_read_end_the_request_while_git_still_writes(
    gr: GitRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading stops at an answer it cannot take while git has far more to write than a
    pipe holds and far more still to read: the request fails at once, it does not wait on
    a git that waits on it."""
    blob = gr.repo.git.rev_parse("HEAD:registry/systems.yaml")
    read = runner._answers

    def unreadable(stdout: IO[bytes], count: int) -> object:
        read(stdout, 1)
        raise ValueError("an answer out of step")

    monkeypatch.setattr(runner, "_answers", unreadable)
    failed: list[BaseException] = []
    with Git(gr.path) as git:

        def ask() -> None:
            try:
                git.objects([blob] * 20000)
            except GitError as exc:
                failed.append(exc)

        asking = threading.Thread(target=ask, daemon=True)
        asking.start()
        asking.join(timeout=60)
        assert not asking.is_alive(), "the request waits on git"
        assert len(failed) == 1 and "stopped answering" in str(failed[0])
        monkeypatch.setattr(runner, "_answers", read)
        assert git.objects([blob])[0] is not None  # another git answers the next


# Names a pull request may give its files: a newline or the commit marker's byte first,
# forty hex digits, spaces, Japanese.
_NAMES = st.sampled_from(
    ["a.yaml", "\nlead.yaml", "\x01" + "a" * 40, "b" * 40, "with space.yaml", "利用者.yaml"]
)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(st.sampled_from(["write", "remove", "rename"]), _NAMES, _NAMES),
            max_size=4,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_the_paths_of_a_range_come_from_one_listing_as_from_each_merge(
    tmp_path_factory: pytest.TempPathFactory, merges: list[list[tuple[str, str, str]]]
) -> None:
    """``first_parent_paths`` (one ``git log`` for a range) gives each merge the paths
    its own diff against its first parent gives, both sides of a rename, whatever the
    names; an empty merge has none."""
    root = tmp_path_factory.mktemp("paths")
    env = {
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "PATH": "/usr/bin:/bin",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.jp",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.jp",
    }

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)

    git("init", "-q", "-b", "main")
    (root / "d").mkdir()
    (root / "d" / "a.yaml").write_text("start\n")
    git("add", "-A")
    git("commit", "-q", "-m", "root")
    for n, edits in enumerate(merges):
        git("checkout", "-q", "-b", f"pr{n}")
        for kind, name, other in edits:
            path, target = root / "d" / name, root / "d" / other
            if kind == "write":
                path.parent.mkdir(exist_ok=True)  # git removes a directory left empty
                path.write_text(f"{n} {name}\n")
            elif kind == "remove" and path.exists():
                path.unlink()
            elif kind == "rename" and path.exists() and not target.exists():
                path.rename(target)
        git("add", "-A")
        git("commit", "-q", "--allow-empty", "-m", f"pr{n}")
        git("checkout", "-q", "main")
        git("merge", "-q", "--no-ff", "--no-edit", f"pr{n}")
    with GitRepository(root) as repo:
        history = repo.first_parent_history(None, "HEAD")
        listed = repo.first_parent_paths(history[0].sha, "HEAD")
        assert listed.keys() <= {c.sha for c in history[1:]}
        for commit in history[1:]:
            assert commit.parent is not None
            own = {p for change in repo.changes(commit.parent, commit.sha) for p in change.paths}
            assert set(listed.get(commit.sha, ())) == own
        assert repo.first_parent_paths(None, history[0].sha) == {history[0].sha: ("d/a.yaml",)}
