"""plan and authorize read only the operators a change touches once the operator indexes
of both sides are in the cache: the same plan, notes and decision as reading every
operator without a cache, on real repositories (plan/revisions.py, model OperatorIndex)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from accessreg.gitio.repo import GitRepository
from accessreg.review.pullrequest import PullRequest, read_pull_request
from accessreg.timeline.effective import Events
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, contact

ACTOR = "window-1"  # window person of TESTOP01 and THIRDOP1
OTHER_WINDOW = "window9@other-gas.example.co.jp"  # OTHEROP1's window person's e-mail
OPERATORS = 4  # TESTOP01, OTHEROP1, THIRDOP1, BROKEN01 (which does not load)


pytestmark = pytest.mark.usefixtures("english")  # they read the English words


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    reg.operator(
        "OTHEROP1",
        contacts=[contact(n=9, email=OTHER_WINDOW)],
        subcontractors=[{"code": "OTHSUB01", "name": "他社委託株式会社"}],
    )
    reg.operator(
        "THIRDOP1",
        contacts=[contact(n=1, email="window1@third-gas.example.co.jp")],
        subcontractors=[],
    )
    reg.operator("BROKEN01", systems=["taxis", "retired"])
    reg.user("OTHEROP1", "other@other-gas.example.co.jp")
    made = GitRegistry(reg)
    made.branch("pr")
    yield made
    made.close()


def read(gr: GitRegistry, actor: str, head: str = "pr") -> PullRequest:
    with GitRepository(gr.path) as repo:
        return read_pull_request(repo, "main", head, Events(), date(2026, 11, 24), actor)


def three_ways(
    gr: GitRegistry, actor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, head: str = "pr"
) -> tuple[PullRequest, PullRequest]:
    """The pull request read without a cache, then with one (filling it, then from it);
    asserts all three agree; the first and the last."""
    with monkeypatch.context() as without:
        (tmp_path / "no-cache").write_text("")
        without.setenv("ACCESSREG_CACHE_DIR", str(tmp_path / "no-cache"))
        uncached = read(gr, actor, head)
    filling, warm = read(gr, actor, head), read(gr, actor, head)
    for pr in (filling, warm):
        assert pr.plan == uncached.plan  # its notes too
        assert pr.decision == uncached.decision
        assert pr.comparison.unreadable == uncached.comparison.unreadable
    return uncached, warm


def note_texts(pr: PullRequest) -> list[str]:
    return [note.message.english() for note in pr.plan.notes]


def test_what_untouched_operators_hold_comes_from_the_index(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gr.reg.user(email=OTHER_WINDOW)  # OTHEROP1's window person
    gr.reg.user(email="window1@test-gas.example.co.jp")  # the applicant themselves
    gr.reg.user(email="borrowed@test-gas.example.co.jp", affiliation="OTHSUB01")
    gr.commit("three users")
    uncached, warm = three_ways(gr, ACTOR, tmp_path, monkeypatch)
    assert len(uncached.comparison.base.operators) == OPERATORS - 1  # every one that loads
    assert set(warm.comparison.base.operators) == {"TESTOP01"}  # only the one touched
    decision = warm.decision
    assert decision is not None
    assert decision.acts_for == ("TESTOP01", "THIRDOP1")
    assert {(p.file, p.rule) for p in decision.refused} == {
        ("registry/users/TESTOP01/borrowed@test-gas.example.co.jp.yaml", "affiliation-foreign")
    }
    texts = note_texts(warm)
    # The reviewer's flag says the ID is taken, not whose: every operator reads the plan.
    assert any("is already another operator's: check" in t for t in texts)
    assert not any("OTHEROP1" in t for t in texts)
    assert any("The applicant grants themselves permissions" in t for t in texts)
    assert warm.comparison.unreadable == ["registry/operators/BROKEN01.yaml"]


def test_an_index_of_an_older_base_is_not_used(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is keyed by the operators' tree: after main changes an operator the pull
    request does not touch, what the index said of it before is not taken."""
    gr.reg.user(email="new@test-gas.example.co.jp")
    gr.commit("a user")
    before, _ = three_ways(gr, ACTOR, tmp_path, monkeypatch)
    assert before.decision is not None and before.decision.acts_for == ("TESTOP01", "THIRDOP1")
    gr.checkout("main")
    gr.reg.operator("OTHEROP1", contacts=[contact(n=9, email=OTHER_WINDOW), contact(n=1)])
    gr.commit("window-1 is OTHEROP1's window person too")
    gr.branch("pr2")
    gr.reg.user(email="newer@test-gas.example.co.jp")
    gr.commit("another user")
    _, after = three_ways(gr, ACTOR, tmp_path, monkeypatch, head="pr2")
    assert after.decision is not None
    assert after.decision.acts_for == ("OTHEROP1", "TESTOP01", "THIRDOP1")


def _retire_juju(gr: GitRegistry) -> None:
    """JUJU leaves the catalog; TESTOP01 and THIRDOP1 no longer use it, OTHEROP1 still
    does (its file then does not load)."""
    catalog = (gr.reg.root / "systems.yaml").read_text(encoding="utf-8")
    start, end = catalog.index("  - id: juju\n"), catalog.index("  - id: loacus\n")
    gr.reg.write("systems.yaml", catalog[:start] + catalog[end:])
    gr.reg.edit("systems.yaml", "[taxis, johs, juju, loacus]", "[taxis, johs, loacus]")
    gr.reg.operator(systems=["taxis", "johs", "loacus"])
    gr.reg.operator("THIRDOP1", systems=["taxis", "johs", "loacus"], subcontractors=[],
                    contacts=[contact(n=1, email="window1@third-gas.example.co.jp")])  # fmt: skip


def test_a_catalog_change_reads_every_operator(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retiring a system stops OTHEROP1's file from loading without touching it."""
    _retire_juju(gr)
    gr.commit("retire JUJU")
    _, warm = three_ways(gr, "uketsuke-sato", tmp_path, monkeypatch)
    assert "OTHEROP1" in warm.comparison.base.operators
    assert "registry/operators/OTHEROP1.yaml" in warm.comparison.unreadable


def test_an_operator_recovered_at_the_base_is_in_its_index(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OTHEROP1's file stops loading on main; its window person repairs it: they act for
    it by the last version that loaded, with or without the index."""
    gr.checkout("main")
    _retire_juju(gr)
    gr.commit("retire JUJU, OTHEROP1 forgotten")
    gr.branch("repair")
    gr.reg.operator(
        "OTHEROP1",
        systems=["taxis", "johs", "loacus"],
        contacts=[contact(n=9, email=OTHER_WINDOW)],
        subcontractors=[{"code": "OTHSUB01", "name": "他社委託株式会社"}],
    )
    gr.commit("repair OTHEROP1")
    _, warm = three_ways(gr, "window-9", tmp_path, monkeypatch, head="repair")
    assert warm.comparison.recovered.get("OTHEROP1") is not None  # the premise
    assert warm.decision is not None and warm.decision.acts_for == ("OTHEROP1",)


def test_an_index_made_with_another_catalog_is_not_used(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which operator files load depends on the catalog: main retiring a system that the
    operators use, without touching their files, makes another index."""
    gr.reg.user(email="new@test-gas.example.co.jp")
    gr.commit("a user")
    three_ways(gr, ACTOR, tmp_path, monkeypatch)
    gr.checkout("main")
    catalog = (gr.reg.root / "systems.yaml").read_text(encoding="utf-8")
    start, end = catalog.index("  - id: juju\n"), catalog.index("  - id: loacus\n")
    gr.reg.write("systems.yaml", catalog[:start] + catalog[end:])
    gr.commit("retire JUJU, every operator forgotten")
    gr.branch("pr2")
    gr.reg.user("THIRDOP1", "third@third-gas.example.co.jp")
    gr.commit("a user of THIRDOP1")
    _, after = three_ways(gr, "uketsuke-sato", tmp_path, monkeypatch, head="pr2")
    assert "registry/operators/OTHEROP1.yaml" in after.comparison.unreadable


def test_authority_at_a_base_that_moved_on_comes_from_its_own_index(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """main moves on after the branch: authority comes from main, not the merge base, and
    so does the index of every operator it needs."""
    gr.reg.user(email="new@test-gas.example.co.jp")
    gr.reg.user(email="borrowed@test-gas.example.co.jp", affiliation="OTHSUB02")
    gr.commit("two users")
    before, _ = three_ways(gr, ACTOR, tmp_path, monkeypatch)
    assert before.decision is not None and before.decision.acts_for == ("TESTOP01", "THIRDOP1")
    assert before.decision.refused == ()
    gr.checkout("main")
    gr.reg.operator("THIRDOP1", contacts=[contact(n=3)], subcontractors=[])
    gr.reg.operator(
        "OTHEROP1",
        contacts=[contact(n=9, email=OTHER_WINDOW)],
        subcontractors=[{"code": "OTHSUB02", "name": "他社委託二株式会社"}],
    )
    gr.commit("window-1 leaves THIRDOP1; OTHEROP1 declares OTHSUB02")
    for _ in range(2):  # the base's index made, then used
        _, after = three_ways(gr, ACTOR, tmp_path, monkeypatch)
        assert after.comparison.revisions.base != after.comparison.revisions.merge_base
        assert after.decision is not None and after.decision.acts_for == ("TESTOP01",)
        assert {(p.file, p.rule) for p in after.decision.refused} == {
            ("registry/users/TESTOP01/borrowed@test-gas.example.co.jp.yaml", "affiliation-foreign")
        }
