"""The last loading version of an operator file, on real git histories (plan/revisions.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accessreg.gitio.repo import GitRepository
from accessreg.plan.revisions import last_loaded
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, contact


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    made = GitRegistry(reg)
    yield made
    made.close()


def break_three_times(gr: GitRegistry) -> str:
    """TESTOP01 loads at the first commit, then three versions that do not; that commit."""
    loaded_at = gr.rev()
    for n in range(3):
        gr.reg.operator(systems=["taxis", "retired"], name=f"版 {n}")
        gr.commit(f"a version that does not load ({n})")
    return loaded_at


def test_the_last_version_that_loaded_with_its_window_persons(gr: GitRegistry) -> None:
    loaded_at = break_three_times(gr)
    with GitRepository(gr.path) as repo:
        found = last_loaded(repo, "main", "TESTOP01")
    assert found is not None
    rev, entry = found
    assert rev == loaded_at
    assert [c.github for c in entry.operator.contacts] == ["window-1"]


def test_only_so_many_versions_are_tried(gr: GitRegistry) -> None:
    loaded_at = break_three_times(gr)
    with GitRepository(gr.path) as repo:
        assert last_loaded(repo, "main", "TESTOP01", limit=3) is None
        found = last_loaded(repo, "main", "TESTOP01", limit=4)
    assert found is not None and found[0] == loaded_at


def test_a_file_that_was_deleted_in_between_starts_afresh(gr: GitRegistry) -> None:
    gr.remove("operators/TESTOP01.yaml")
    gr.commit("terminated and removed")
    gr.reg.operator(contacts=[contact(n=5, github="newcomer")], systems=["retired"])
    gr.commit("back, and it does not load")
    with GitRepository(gr.path) as repo:
        assert last_loaded(repo, "main", "TESTOP01") is None
