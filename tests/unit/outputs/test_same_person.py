"""Holders that differ in their permissions alone: a first apply's stages make each holder
with some of its permissions, and the deltas of later stages skip comparing their person
entries and user resources (``same_person``, ``scim.same_user``)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from accessreg.outputs import ldif, scim
from accessreg.outputs.access import DirectoryGroups, same_person
from tests.helpers.content import whole
from tests.helpers.holders import HOLDER

BASE = "dc=example,dc=jp"
_TEXT = st.text(st.sampled_from("aB 1,=+\"'\\\n\u3000試験"), max_size=6)
_CHANGES = {
    "login": _TEXT,
    "email": _TEXT,
    "operator": _TEXT,
    "operator_name": _TEXT,
    "affiliation": _TEXT,
    "affiliation_name": _TEXT,
    "name": _TEXT,
    "name_kana": _TEXT,
    "memo": _TEXT,
    "window_person": st.booleans(),
    "file": _TEXT,
    "permissions": st.dictionaries(st.sampled_from(["taxis", "johs"]), st.just("1010")),
    "suspended": st.frozensets(st.sampled_from(["taxis", "johs"])),
}


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(_CHANGES)), st.none(), max_size=3), st.data())
def test_the_same_person_has_one_entry_and_the_same_user_one_resource(
    changed: dict[str, None], data: st.DataObject
) -> None:
    a = HOLDER
    b = replace(a, **{name: data.draw(_CHANGES[name]) for name in changed})
    # Equal but for the permissions, exactly.
    assert same_person(a, b) == (replace(a, permissions=b.permissions, suspended=b.suspended) == b)
    if same_person(a, b):
        assert ldif.person_record(a, BASE) == ldif.person_record(b, BASE)
        assert ldif.person_attrs(a) == ldif.person_attrs(b)
    if scim.same_user(a, b):
        assert scim.user_resource(a) == scim.user_resource(b)


def test_a_stage_adding_permissions_changes_no_entry_nor_resource() -> None:
    """A holder gaining a system in a later stage: its groups change, its entry does not."""
    was = replace(HOLDER, permissions={"taxis": "1011"})
    now = replace(HOLDER, permissions={"taxis": "1011", "johs": "J1010"})
    standing = DirectoryGroups(["taxis-1011", "johs-J1010"])
    records = whole(ldif.delta_pieces({was.login: was}, {now.login: now}, standing, BASE))
    assert b"member: uid=u1@example.co.jp" in records  # its new group's
    assert b"dn: uid=" not in records  # and no record of the person
    ops = whole(scim.delta_pieces({was.login: was}, {now.login: now}, standing))
    assert b'"PATCH"' in ops or b'"/Groups"' in ops
    assert b'"PUT"' not in ops
    stopped = replace(now, suspended=frozenset(now.permissions))  # every one: inactive
    ops = whole(scim.delta_pieces({now.login: now}, {now.login: stopped}, standing))
    assert b'"PUT"' in ops and b'"active": false' in ops
