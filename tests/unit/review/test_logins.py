"""The login index (review/logins.py) against one listing of every user file, on real git
repositories: the same answer cold, warm, after merges, and without a cache."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from accessreg.files.parsecache import ParseCache, cache_dir, namespace
from accessreg.gitio.repo import GitRepository
from accessreg.review import logins
from accessreg.review.logins import SPACE, holders, listed_holders
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory

SHARED = "shared@test-gas.example.co.jp"  # a user of TESTOP01 and OTHEROP1
MIXED = "Mixed.Case@test-gas.example.co.jp"  # a file name in mixed case
USER1 = "user1@test-gas.example.co.jp"
ASKED = [SHARED, MIXED.lower(), USER1, "nobody@test-gas.example.co.jp"]


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    reg.operator("OTHEROP1")
    reg.user("TESTOP01", SHARED)
    reg.user("OTHEROP1", SHARED)
    reg.user("OTHEROP1", MIXED, rel=f"users/OTHEROP1/{MIXED}.yaml")
    # Not users' files: nested one level too deep, another extension.
    reg.write(f"users/OTHEROP1/old/{USER1}.yaml", "email: x\n")
    reg.write(f"users/OTHEROP1/{USER1}.yml", "email: x\n")
    made = GitRegistry(reg)
    yield made
    made.close()


EXPECTED = {
    SHARED: frozenset({"TESTOP01", "OTHEROP1"}),
    MIXED.lower(): frozenset({"OTHEROP1"}),
    USER1: frozenset({"TESTOP01"}),
}


def index_of(repo: GitRepository) -> ParseCache:
    return ParseCache(cache_dir(repo.common_dir), namespace(SPACE))


def test_cold_warm_and_listed_give_the_same_answer(gr: GitRegistry) -> None:
    with GitRepository(gr.path) as repo:
        assert listed_holders(repo, "main", ASKED) == EXPECTED
        assert holders(repo, "main", ASKED) == EXPECTED  # builds the index
        cache = index_of(repo)
        assert cache.count_groups() == 2  # one per users' directory
        cache.close()
        assert holders(repo, "main", ASKED) == EXPECTED  # from the index alone


def test_a_directory_changed_by_a_merge_is_listed_again(gr: GitRegistry) -> None:
    """The index is keyed by tree id: what it says of a directory before a merge is never
    taken for the directory after it."""
    with GitRepository(gr.path) as repo:
        assert holders(repo, "main", ASKED) == EXPECTED
    gr.reg.user("OTHEROP1", USER1)
    gr.remove(f"users/TESTOP01/{SHARED}.yaml")
    gr.commit("USER1 added at OTHEROP1, SHARED removed from TESTOP01")
    after = {
        SHARED: frozenset({"OTHEROP1"}),
        MIXED.lower(): frozenset({"OTHEROP1"}),
        USER1: frozenset({"TESTOP01", "OTHEROP1"}),
    }
    with GitRepository(gr.path) as repo:
        assert holders(repo, "main", ASKED) == after == listed_holders(repo, "main", ASKED)
        assert holders(repo, "main~1", ASKED) == EXPECTED  # the older trees are still known


def test_operators_with_the_same_users_directory_share_its_entry(gr: GitRegistry) -> None:
    shutil.copytree(gr.reg.root / "users/OTHEROP1", gr.reg.root / "users/COPYOP01")
    gr.reg.operator("COPYOP01")
    gr.commit("a copy")
    with GitRepository(gr.path) as repo:
        found = holders(repo, "main", ASKED)
        assert found[SHARED] == frozenset({"TESTOP01", "OTHEROP1", "COPYOP01"})
        assert found == listed_holders(repo, "main", ASKED)


def test_without_a_usable_cache_the_listing_answers(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("ACCESSREG_CACHE_DIR", str(blocker))
    with GitRepository(gr.path) as repo:
        assert index_of(repo).error is not None
        assert holders(repo, "main", ASKED) == EXPECTED


def test_a_directory_another_run_forgets_meanwhile_is_no_answer(
    gr: GitRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another run pruning the index between the listing of what it lacks and the lookup
    (as it does once the index holds too many old directories) leaves it incomplete."""
    looked_up = ParseCache.members_of

    def after_another_run_pruned(cache: ParseCache, members: list[str]) -> object:
        other = ParseCache(cache.path.parent, namespace(SPACE))
        other.prune_groups([])
        other.close()
        return looked_up(cache, members)

    with GitRepository(gr.path) as repo:
        monkeypatch.setattr(ParseCache, "members_of", after_another_run_pruned)
        assert holders(repo, "main", ASKED) == EXPECTED


def test_old_directories_are_forgotten_once_there_are_too_many(
    gr: GitRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logins, "_MAX_LISTED", 0)  # forget beyond twice the current ones
    with GitRepository(gr.path) as repo:
        holders(repo, "main", ASKED)
        for n in range(3):
            gr.reg.user("OTHEROP1", f"new{n}@other-gas.example.co.jp")
            gr.commit(f"user {n}")
            assert holders(repo, "main", ASKED) == listed_holders(repo, "main", ASKED)
        cache = index_of(repo)
        assert cache.count_groups() <= 2 * 2
        cache.close()
