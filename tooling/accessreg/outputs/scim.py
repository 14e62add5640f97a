"""SCIM 2.0 bulk requests (RFC 7644 §3.7) for standard identity providers.

Users carry ``userName`` (the login ID), ``name``, ``emails`` and the enterprise extension's
organisation; the fields SCIM has no place for (reading in kana, operator and affiliation
codes, memo) go in an accessreg extension. Membership is written on the Group resources,
because a User's ``groups`` is read-only (RFC 7643 §4.1.2): one group per system and code.

The service provider assigns resource ids, which the registry cannot know: every resource
carries ``externalId`` (the login ID in lower case, or the group name), new ones are referred
to by ``bulkId`` within the request, and existing ones by ``/Users/<externalId>`` and
``/Groups/<externalId>`` — a provider that keys resources by ``id`` maps them with one
``filter=externalId eq "…"`` query each.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from accessreg.model.content import Assembled, Content, Piece, joined, separated
from accessreg.outputs.access import (
    Access,
    DirectoryGroups,
    Holder,
    Shown,
    by_operator,
    members_by_group,
    memberships,
    none_shown,
    same_person,
)

BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
EXTENSION = "urn:accessreg:params:scim:schemas:extension:2.0:User"

Json = dict[str, Any]


def user_resource(p: Holder) -> Json:
    family, given = p.family_and_given
    name: Json = {"formatted": p.name, "familyName": family}
    if given is not None:
        name["givenName"] = given
    return {
        "schemas": [USER, ENTERPRISE, EXTENSION],
        "externalId": p.login,
        "userName": p.email,
        "name": name,
        "displayName": p.name,
        "emails": [{"value": p.email, "type": "work", "primary": True}],
        "active": p.active,  # every permission suspended: the ID is stopped, not deleted
        ENTERPRISE: {"organization": p.operator_name, "department": p.affiliation_name},
        EXTENSION: {
            "operatorCode": p.operator,
            "affiliationCode": p.affiliation,
            "nameKana": p.name_kana,
            "windowPerson": p.window_person,
            "memo": p.memo,
        },
    }


def _group(name: str, members: Iterable[str]) -> Json:
    return {
        "schemas": [GROUP],
        "externalId": name,
        "displayName": name,
        "members": [{"value": m} for m in members],
    }


_HEAD = b'{"schemas": [' + json.dumps(BULK).encode("utf-8") + b'], "Operations": ['


def _bulk(lines: Iterable[Piece | Content]) -> Iterator[Piece]:
    """A bulk request's pieces as they come, one operation per line: diffable, and written
    by json's C encoder (indenting would make it fall back to the slow pure-Python one on
    registries of 200,000 users)."""
    first = True
    for line in lines:
        if len(line):
            yield _HEAD + b"\n" if first else b",\n"
            first = False
            yield from _pieces(line)
    yield _HEAD + b"]}\n" if first else b"\n]}\n"


def _wrap(lines: Iterable[Piece | Content], apart: bool = False) -> Content:
    return joined(_bulk(lines), apart)


def _pieces(content: Piece | Content) -> tuple[Piece, ...]:
    return content.pieces if isinstance(content, Assembled) else (content,)


def _user_path(login: str) -> str:
    return f"/Users/{quote(login, safe='@')}"


def _post_user(p: Holder) -> Json:
    return {"method": "POST", "path": "/Users", "bulkId": p.login, "data": user_resource(p)}


# One operator's share of the snapshot: its users' operations (one per line) and, for each
# group, its members' entries; the snapshot joins the shares of every operator in order
# (rendered now, or lying in the cache: ``model.content``).
Part = tuple[Piece, Mapping[str, Piece]]


# One encoder for every line: ``json.dumps`` would build one per call.
_encode = json.JSONEncoder(ensure_ascii=False).encode


def _line(op: Json | str) -> bytes:
    return _encode(op).encode("utf-8")


def people_part(people: Iterable[Holder]) -> tuple[bytes, dict[str, bytes]]:
    """The share of ``people`` (one operator's holders, in login order)."""
    people = list(people)
    return PEOPLE_SEPARATOR.join(user_line(p) for p in people), group_part(people)


# Between two users' lines in a share (the lines themselves hold no raw line break).
PEOPLE_SEPARATOR = b",\n"


def same_user(a: Holder, b: Holder) -> bool:
    """Whether ``a`` and ``b`` are one User resource: the same person, active alike
    (groups hold their permissions)."""
    return same_person(a, b) and a.active == b.active


def user_line(p: Holder) -> bytes:
    """The operation creating ``p``, one line of a share."""
    return _line(_post_user(p))


def group_part(people: Iterable[Holder]) -> dict[str, bytes]:
    """For each group, the member entries of ``people`` (in login order)."""
    return {g: members(logins) for g, logins in members_by_group(people).items()}


def members(logins: Iterable[str]) -> bytes:
    """A group's member entries for ``logins``, in that order: ``{"value": …}`` as json
    writes it, only the login encoded (600,000 entries in a first apply's snapshot)."""
    return b", ".join(b'{"value": %s}' % _line(f"bulkId:{login}") for login in logins)


def document(parts: Iterable[Part], apart: bool = False, *, groups: Iterable[str]) -> Content:
    """Create every user, then every group with its members (``groups``: the catalog's,
    and any other a share lists), from the operators' shares (``apart``: as
    ``model.content.joined`` keeps them)."""
    lines: list[Piece | Content] = []
    listed: dict[str, list[Piece]] = {name: [] for name in groups}
    for users, members in parts:
        lines.append(users)
        for group, items in members.items():
            listed.setdefault(group, []).append(items)
    for name in sorted(listed):
        op = {"method": "POST", "path": "/Groups", "bulkId": name, "data": _group(name, ())}
        empty = _line(op)  # members come last: '..."members": []}}'
        lines.append(joined([empty[: -len(b"]}}")], *separated(b", ", listed[name]), b"]}}"]))
    return _wrap(lines, apart)


def snapshot(access: Access, *, groups: Iterable[str]) -> bytes:
    """Create every user, then every group with its members (users and members by operator,
    then login)."""
    found = document((people_part(people) for people in by_operator(access)), groups=groups)
    assert isinstance(found, bytes)  # every piece is in memory
    return found


def upgrade(groups: Iterable[str]) -> bytes:
    """A bulk request that creates each of ``groups`` without members, for a provider whose
    groups came and went with their holders (the versions before standing groups): a group
    it has already fails alone (a conflict), as RFC 7644 §3.7.3 lets the others go on."""
    found = _wrap(
        _line({"method": "POST", "path": "/Groups", "bulkId": name, "data": _group(name, ())})
        for name in sorted(groups)
    )
    assert isinstance(found, bytes)  # every piece is in memory
    return found


def delta_pieces(
    before: Access, after: Access, groups: DirectoryGroups, shown: Shown = none_shown
) -> Iterator[Piece]:
    """Create, replace, re-group and delete so that a provider holding ``before`` holds
    ``after``: new users first, memberships next, deletions last (a deleted user is first
    taken out of every group). ``groups``: the groups that exist whatever the holders do,
    and those the delta creates or deletes with their code; ``shown``: a new user's line
    as a snapshot's share already holds it (:func:`user_line`). The document's pieces as
    they come: a first run's has 200,000 operations (250 MB), and is written as it is
    made."""
    return _bulk(_operations(before, after, groups, shown))


def _operations(
    before: Access, after: Access, groups: DirectoryGroups, shown: Shown
) -> Iterator[Piece]:
    added = {login for login in after if login not in before}
    for login, person in after.items():
        if login in added:
            yield shown(person) or user_line(person)
            continue
        was = before[login]
        if not same_user(was, person) and user_resource(was) != user_resource(person):
            yield _line({"method": "PUT", "path": _user_path(login), "data": user_resource(person)})
    old_groups, new_groups = memberships(before), memberships(after)

    def ref(login: str) -> str:
        return f"bulkId:{login}" if login in added else login

    emptied = []
    # A group created lists its members as ``after`` does (by login; a first apply's delta
    # by operator, then login, as the snapshot lists them).
    position: dict[str, int] = {}
    for name in sorted(groups.touched(old_groups, new_groups)):
        old, new = set(old_groups.get(name, [])), set(new_groups.get(name, []))
        if name in groups.created:
            position = position or {login: i for i, login in enumerate(after)}
            group = _group(name, (ref(m) for m in sorted(new, key=position.__getitem__)))
            yield _line({"method": "POST", "path": "/Groups", "bulkId": name, "data": group})
        elif name in groups.removed:
            emptied.append(name)
        elif old != new:
            # One PATCH a member: a provider refuses a whole PATCH when one of its
            # operations fails (a removal of a person it no longer has: RFC 7644 §3.5.2.3,
            # noTarget), and one person's failure must not hold back another's grant.
            patches: list[Json] = [
                {"op": "add", "path": "members", "value": [{"value": ref(m)}]}
                for m in sorted(new - old)
            ]
            patches += (
                {"op": "remove", "path": f'members[value eq "{m}"]'} for m in sorted(old - new)
            )
            for patch in patches:
                data = {"schemas": [PATCH], "Operations": [patch]}
                yield _line({"method": "PATCH", "path": f"/Groups/{name}", "data": data})
    for name in emptied:
        yield _line({"method": "DELETE", "path": f"/Groups/{name}"})
    for login in before:
        if login not in after:
            yield _line({"method": "DELETE", "path": _user_path(login)})
