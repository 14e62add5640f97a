"""SCIM 2.0 bulk requests (RFC 7644 §3.7): users, group memberships and deletions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from accessreg.model.registry import Registry
from accessreg.outputs import ldif, scim
from accessreg.outputs.access import DirectoryGroups, directory_groups, effective_access
from tests.helpers.content import whole
from tests.helpers.regfactory import RegistryFactory
from tests.helpers.registries import loaded


def _ops(data: bytes) -> list[dict[str, Any]]:
    body = json.loads(data)
    assert body["schemas"] == [scim.BULK]
    ops: list[dict[str, Any]] = body["Operations"]
    return ops


def _standing(registry: Registry) -> DirectoryGroups:
    """Every group of ``registry``'s catalog, standing."""
    return DirectoryGroups(directory_groups(registry.catalog))


def test_snapshot_creates_users_then_groups_by_bulk_id(reg: RegistryFactory) -> None:
    registry = loaded(reg)
    access = effective_access(registry)
    ops = _ops(scim.snapshot(access, groups=directory_groups(registry.catalog)))
    users = [o for o in ops if o["path"] == "/Users"]
    assert [o["method"] for o in users] == ["POST", "POST"]
    user = next(o["data"] for o in users if o["bulkId"] == "user1@test-gas.example.co.jp")
    assert user["userName"] == "user1@test-gas.example.co.jp"
    assert user["name"] == {"formatted": "試験 太郎", "familyName": "試験", "givenName": "太郎"}
    assert user["emails"] == [
        {"value": "user1@test-gas.example.co.jp", "type": "work", "primary": True}
    ]
    assert user[scim.EXTENSION]["nameKana"] == "シケン タロウ"
    groups = {o["data"]["displayName"]: o["data"]["members"] for o in ops if o["path"] == "/Groups"}
    # Every group of the catalog, held or not.
    assert set(groups) == set(directory_groups(registry.catalog))
    assert {name: members for name, members in groups.items() if members} == {
        "admin_console-granted": [{"value": "bulkId:window1@test-gas.example.co.jp"}],
        "info_site-granted": [{"value": "bulkId:user1@test-gas.example.co.jp"}],
        "johs-J1010": [{"value": "bulkId:user1@test-gas.example.co.jp"}],
        "taxis-1011": [{"value": "bulkId:user1@test-gas.example.co.jp"}],
    }
    assert ops.index(users[-1]) < min(i for i, o in enumerate(ops) if o["path"] == "/Groups")


def test_delta_adds_replaces_regroups_and_deletes_last(reg: RegistryFactory) -> None:
    reg.user(email="o'neill^x@test-gas.example.co.jp", permissions={"johs": "J1010"})
    registry = loaded(reg)
    before = effective_access(registry)
    reg.user(permissions={"taxis": "1010"}, name="試験 太朗")
    (reg.root / "users/TESTOP01/o'neill^x@test-gas.example.co.jp.yaml").unlink()
    reg.user(email="user3@test-gas.example.co.jp", permissions={"taxis": "1011"})
    after = effective_access(loaded(reg))
    ops = _ops(whole(scim.delta_pieces(before, after, _standing(registry))))
    summary = [(o["method"], o["path"]) for o in ops]
    assert summary == [
        ("PUT", "/Users/user1@test-gas.example.co.jp"),
        ("POST", "/Users"),
        ("PATCH", "/Groups/info_site-granted"),
        ("PATCH", "/Groups/info_site-granted"),
        ("PATCH", "/Groups/johs-J1010"),  # both holders left it: it stays, empty
        ("PATCH", "/Groups/johs-J1010"),
        ("PATCH", "/Groups/taxis-1010"),
        ("PATCH", "/Groups/taxis-1011"),
        ("PATCH", "/Groups/taxis-1011"),
        ("DELETE", "/Users/o%27neill%5Ex@test-gas.example.co.jp"),
    ]
    patches: dict[str, list[Any]] = {}
    for o in ops:
        if o["method"] == "PATCH":
            patches.setdefault(o["path"], []).append(o["data"]["Operations"])
    # One member a PATCH: a provider that refuses one (a person it no longer has) still
    # takes the others.
    added, removed = "bulkId:user3@test-gas.example.co.jp", "user1@test-gas.example.co.jp"
    assert patches["/Groups/taxis-1011"] == [
        [{"op": "add", "path": "members", "value": [{"value": added}]}],
        [{"op": "remove", "path": f'members[value eq "{removed}"]'}],
    ]
    assert patches["/Groups/info_site-granted"] == [
        [{"op": "add", "path": "members", "value": [{"value": added}]}],
        [{"op": "remove", "path": 'members[value eq "o\'neill^x@test-gas.example.co.jp"]'}],
    ]
    assert patches["/Groups/taxis-1010"] == [
        [{"op": "add", "path": "members", "value": [{"value": removed}]}]
    ]


def test_a_group_left_empty_stays(reg: RegistryFactory) -> None:
    registry = loaded(reg)
    before = effective_access(registry)
    reg.user(permissions={"taxis": "1011"})
    after = effective_access(loaded(reg))
    ops = _ops(whole(scim.delta_pieces(before, after, _standing(registry))))
    assert [(o["method"], o["path"]) for o in ops] == [("PATCH", "/Groups/johs-J1010")]
    assert _ops(whole(scim.delta_pieces(after, after, _standing(registry)))) == []


def test_a_suspended_id_is_inactive_and_regrouped_not_deleted(reg: RegistryFactory) -> None:
    """001 p46: the ID is stopped first; SCIM's `active` says so (RFC 7643 §4.1.1)."""
    registry = loaded(reg)
    before = effective_access(registry)
    reg.user(suspended_on="2026-11-20")
    after = effective_access(loaded(reg))
    ops = _ops(whole(scim.delta_pieces(before, after, _standing(registry))))
    assert not [o for o in ops if o["method"] == "DELETE"]
    [put] = [o for o in ops if o["method"] == "PUT"]
    assert put["data"]["active"] is False
    joined = {
        o["path"]
        for o in ops
        if o["method"] == "PATCH" and o["data"]["Operations"][0]["op"] == "add"
    }
    assert joined == {f"/Groups/{s}-suspended" for s in ("taxis", "johs", "info_site")}


def test_a_delta_is_made_an_operation_at_a_time(reg: RegistryFactory) -> None:
    """A first run's deltas list every user: each is handed to the writer one operation
    (record) at a time as it is made, never joined into one more copy of itself."""
    for n in range(2, 6):
        reg.user(email=f"user{n}@test-gas.example.co.jp", permissions={"taxis": "1010"})
    registry = loaded(reg)
    after = effective_access(registry)
    first = DirectoryGroups((), created=directory_groups(registry.catalog))
    made = scim.delta_pieces({}, after, first)
    assert isinstance(made, Iterator)
    pieces = list(made)
    assert len(pieces) > 2 * len(after) and len(_ops(whole(pieces))) > len(after)
    records = ldif.delta_pieces({}, after, first)
    assert isinstance(records, Iterator)
    pieces = list(records)
    assert len(pieces) > len(after) and whole(pieces).count(b"changetype: add") > len(after)
