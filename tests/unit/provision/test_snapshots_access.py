"""The accesses of registries loaded side by side (both ends of a merge): a holder whose
files are the same models at both ends is taken as it is, and each access is the one
computed from nothing."""

from __future__ import annotations

from pathlib import Path

from accessreg.gitio.repo import GitRepository
from accessreg.outputs.access import Access, effective_access
from accessreg.provision.merges import Snapshots
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory

OP = "TESTOP01"
KEPT, CHANGED = "user2@test-gas.example.co.jp", "user3@test-gas.example.co.jp"


def _both_ends(gr: GitRegistry, base: str, cache: Path) -> tuple[Access, Access]:
    head = gr.commit("the merge")
    with GitRepository(gr.path) as repo:
        # As an apply reads a merge: the operators it changed, files from the parse cache.
        snapshots = Snapshots(repo, scope={OP}, cache=cache)
        before, after = snapshots.at(base), snapshots.at(head)
        was, now = snapshots.access(before), snapshots.access(after)
        assert was == effective_access(before, {OP})
        assert now == effective_access(after, {OP})
    return was, now


def _registry(reg: RegistryFactory) -> GitRegistry:
    reg.user(email=KEPT, permissions={"taxis": "1010"})
    reg.user(email=CHANGED, permissions={"johs": "J1010"})
    return GitRegistry(reg)


def test_a_user_the_merge_did_not_touch_is_the_same_holder(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    gr = _registry(reg)
    base = gr.rev()
    reg.user(email=CHANGED, permissions={"johs": "J1010", "taxis": "1011"}, memo="変更")
    was, now = _both_ends(gr, base, tmp_path)
    assert now[KEPT] is was[KEPT]
    assert now[CHANGED] is not was[CHANGED]
    assert now[CHANGED].memo == "変更"


def test_an_operator_file_changed_makes_every_holder_anew(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    gr = _registry(reg)
    base = gr.rev()
    reg.operator(name="改名ガス株式会社")
    was, now = _both_ends(gr, base, tmp_path)
    assert now[KEPT] is not was[KEPT]
    assert now[KEPT].operator_name == "改名ガス株式会社"


def test_a_catalog_changed_makes_every_holder_anew(reg: RegistryFactory, tmp_path: Path) -> None:
    gr = _registry(reg)
    base = gr.rev()
    # The info-sharing site now follows TAXIS alone: a JOHS user no longer reads it.
    derived = "derived: {kind: users_of, systems: [%s]}"
    reg.edit("systems.yaml", derived % "taxis, johs, juju, loacus", derived % "taxis")
    was, now = _both_ends(gr, base, tmp_path)
    assert now[KEPT] is not was[KEPT]
    assert "info_site" in was[CHANGED].permissions
    assert "info_site" not in now[CHANGED].permissions
