"""A first apply's SCIM delta adds every holder and creates every group, as the snapshot
does: made the long way it is the snapshot byte for byte, so it is written once
(``bundle._scim_is_snapshot``). Any other delta is made; so is one the check cannot vouch
for, whatever it would hold."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from accessreg.files import assembled
from accessreg.model.content import Assembled, Content, Piece
from accessreg.model.registry import Registry
from accessreg.outputs import fragments, scim
from accessreg.outputs.access import (
    Access,
    DirectoryGroups,
    by_operator,
    directory_groups,
    effective_access,
)
from accessreg.outputs.csv_ import Encoding
from accessreg.outputs.fragments import Fragment
from accessreg.provision.bundle import _scim_is_snapshot
from tests.helpers.regfactory import RegistryFactory, contact
from tests.helpers.registries import loaded

BASE = "dc=example,dc=jp"


@dataclass
class Load:
    """A first apply's delta of two operators: their shares, the holders as the delta lists
    them (by operator, then login) and what it knows of the groups."""

    registry: Registry
    shares: list[Fragment]
    moved_from: Access
    moved_to: Access
    groups: DirectoryGroups

    def snapshot(self) -> bytes:
        files, _ = fragments.assemble(self.registry.catalog, self.shares, Encoding.UTF8, BASE)
        return _bytes(files["scim/snapshot.json"])

    def delta(self) -> bytes:
        unit = fragments.Shown(self.shares, assembled.read).unit
        made = scim.delta_pieces(
            self.moved_from, self.moved_to, self.groups, lambda h: unit("scim", h)
        )
        return _bytes(made)

    def is_snapshot(self) -> bool:
        catalog = self.registry.catalog
        return _scim_is_snapshot(self.shares, catalog, self.moved_from, self.moved_to, self.groups)


def _bytes(content: Content | Iterable[Piece]) -> bytes:
    pieces = (content,) if isinstance(content, bytes) else content
    if isinstance(pieces, Assembled):
        pieces = pieces.pieces
    found = b""
    for piece in pieces:
        assert isinstance(piece, bytes)
        found += piece
    return found


@pytest.fixture
def load(reg: RegistryFactory) -> Load:
    """TESTOP02's ``a2…`` comes before every login of TESTOP01 and shares its TAXIS group:
    by login the group would list it first, by operator last."""
    reg.operator("TESTOP02", contacts=[contact(n=2)])
    reg.user("TESTOP02", "a2@test-gas.example.co.jp", permissions={"taxis": "1010"})
    reg.user(email="user2@test-gas.example.co.jp", permissions={"taxis": "1010", "johs": "J1010"})
    registry = loaded(reg)
    operators = by_operator(effective_access(registry))
    shares = [fragments.render(people, registry, Encoding.UTF8, BASE) for people in operators]
    after = {h.login: h for people in operators for h in people}
    groups = DirectoryGroups(frozenset(), directory_groups(registry.catalog))
    return Load(registry, shares, {}, after, groups)


def test_a_first_delta_is_the_snapshot_byte_for_byte(load: Load) -> None:
    members = next(
        op["data"]["members"]
        for op in scim_operations(load.delta())
        if op.get("bulkId") == "taxis-1010"
    )
    # A created group lists its members as the delta lists its users: by operator here.
    assert [m["value"] for m in members][-1] == "bulkId:a2@test-gas.example.co.jp"
    assert load.delta() == load.snapshot()
    assert load.is_snapshot()


def scim_operations(document: bytes) -> list[dict[str, Any]]:
    ops = json.loads(document)["Operations"]
    assert isinstance(ops, list)
    return ops


def _one_holder_less(load: Load) -> Load:
    last = list(load.moved_to)[-1]
    return replace(load, moved_to={k: v for k, v in load.moved_to.items() if k != last})


def _one_holder_otherwise(load: Load) -> Load:
    first, holder = next(iter(load.moved_to.items()))
    otherwise = replace(holder, memo="別の備考")
    return replace(load, moved_to={**load.moved_to, first: otherwise})


def _holders_out_of_order(load: Load) -> Load:
    return replace(load, moved_to=dict(sorted(load.moved_to.items())))


def _one_removed_too(load: Load) -> Load:
    holder = next(iter(load.moved_to.values()))
    gone = replace(holder, login="gone@test-gas.example.co.jp")
    return replace(load, moved_from={gone.login: gone})


def _a_group_not_created(load: Load) -> Load:
    """One that no holder is in stands already, as the groups of a later delta do."""
    held = {g for share in load.shares for g in share.scim[1]}
    standing = min(set(load.groups.created) - held)
    groups = DirectoryGroups(frozenset({standing}), frozenset(load.groups.created) - {standing})
    return replace(load, groups=groups)


def _a_group_removed(load: Load) -> Load:
    groups = DirectoryGroups(frozenset(), load.groups.created, frozenset({"taxis-9999"}))
    return replace(load, groups=groups)


def _a_share_from_the_store(load: Load) -> Load:
    """A share lying in the cache keeps its pieces, not its holders."""
    first, *rest = load.shares
    return replace(load, shares=[replace(first, holders=()), *rest])


def _a_share_from_the_store_and_none_of_its_holders(load: Load) -> Load:
    """The delta leaves out the holders of a share lying in the cache: those it lists are
    every holder the other shares keep."""
    first, *rest = load.shares
    moved_to = {k: v for k, v in load.moved_to.items() if k not in first.logins}
    return replace(load, shares=[replace(first, holders=()), *rest], moved_to=moved_to)


def _a_group_the_catalog_lacks(load: Load) -> Load:
    """A share lists a group the delta does not create (it would patch it)."""
    first, *rest = load.shares
    users, groups = first.scim
    extra = replace(first, scim=(users, {**groups, "taxis-9999": b""}))
    return replace(load, shares=[extra, *rest])


@pytest.mark.parametrize(
    "otherwise",
    [
        _one_holder_less,
        _one_holder_otherwise,
        _holders_out_of_order,
        _one_removed_too,
        _a_group_not_created,
        _a_group_removed,
        _a_share_from_the_store,
        _a_share_from_the_store_and_none_of_its_holders,
        _a_group_the_catalog_lacks,
    ],
)
def test_a_delta_the_check_cannot_vouch_for_is_made(
    load: Load, otherwise: Callable[[Load], Load]
) -> None:
    changed = otherwise(load)
    assert not changed.is_snapshot()
    if otherwise is not _a_share_from_the_store:
        assert changed.delta() != changed.snapshot()  # written as the snapshot, it would lie
