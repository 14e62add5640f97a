"""LDIF (RFC 2849) for directory-based identity providers.

People are ``inetOrgPerson`` entries ``uid=<login>,ou=people,<base>``; each system and code is
a ``groupOfNames`` ``cn=<system>-<code>,ou=groups,<base>`` listing its holders. The snapshot
is LDIF content for ``ldapadd`` into an empty tree below the base; a delta is LDIF changes for
``ldapmodify`` (add, modify, delete) turning the directory of one registry into the next.

Every group of the catalog exists whether anyone holds it or not, and lists ``PLACEHOLDER``
besides its holders, because a ``groupOfNames`` cannot be empty: a group is created and
deleted only with its code, and every other change of it is a ``modify`` of its holders,
which no change of another batch's, on whatever day, can find missing.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Iterable, Iterator, Mapping

from accessreg.model.content import Content, Piece, joined, separated
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

DEFAULT_BASE = "dc=accessreg,dc=example"
PERSON_CLASSES = ("top", "person", "organizationalPerson", "inetOrgPerson")
# Attributes a delta replaces on a changed person: everything but uid and objectClass.
MANAGED = (
    "cn",
    "sn",
    "givenName",
    "displayName",
    "mail",
    "o",
    "ou",
    "businessCategory",
    "departmentNumber",
    "description",
)
# The member every group lists, no person: the DN of no entry, under the groups (whose
# names always hold a hyphen, so that no group can be named so).
PLACEHOLDER_CN = "placeholder"
_DN_SPECIAL = re.compile(r'(["+,;<>\\=])')
# What a SAFE-STRING of RFC 2849 may not start with.
_UNSAFE_START = (" ", ":", "<")

Attrs = list[tuple[str, str]]


# A base DN as a deployment writes one (RFC 4514): RDNs ``type=value`` joined by commas, a
# type a name or an OID, a value whose specials are escaped with "\\".
_CHAR = r'(?:[^,+"\\<>;=]|\\[ -~])'  # a value's character: escaped, if special
_FIRST = r'(?:[^,+"\\<>;=# ]|\\[ -~])'  # nor an unescaped space or "#" first
_LAST = r'(?:[^,+"\\<>;= ]|\\[ -~])'  # nor an unescaped space last
_RDN = rf"(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)=(?:{_FIRST}(?:{_CHAR}*{_LAST})?)"
_BASE_DN = re.compile(rf"{_RDN}(?:,{_RDN})*")


def is_base_dn(text: str) -> bool:
    """Whether ``text`` is a DN the entries can be placed under: every entry's DN ends with
    it, and a value that is not one would fail at ``ldapadd``, or, with a line break,
    stand in the LDIF as a line of its own."""
    return text.isprintable() and _BASE_DN.fullmatch(text) is not None


def escape_dn_value(value: str) -> str:
    """An attribute value as it may stand in a DN (RFC 4514 §2.4)."""
    # Most login IDs hold no special character, and each stands in every member line.
    out = _DN_SPECIAL.sub(r"\\\1", value) if _DN_SPECIAL.search(value) else value
    if out.startswith((" ", "#")):
        out = "\\" + out
    if len(value) > 1 and value.endswith(" "):  # one space is escaped as the first already
        out = out[:-1] + "\\ "
    return out


def _safe(value: str) -> bool:
    """Written as is: printable ASCII that does not start with a space, a colon or "<"
    (a SAFE-STRING of RFC 2849) nor end with a space (the RFC advises encoding it).
    Anything else goes in base64, control characters too: the RFC lets most of them stand
    plain, but parsers (OpenLDAP's, the ``ldif`` package) drop a leading tab."""
    return (
        value.isascii()
        and value.isprintable()
        and not value.startswith(_UNSAFE_START)
        and not value.endswith(" ")
    )


def line(attr: str, value: str) -> str:
    if _safe(value):
        return f"{attr}: {value}"
    encoded = base64.b64encode(value.encode("utf-8")).decode("ascii")
    return f"{attr}:: {encoded}"


def people_dn(base: str) -> str:
    return f"ou=people,{base}"


def groups_dn(base: str) -> str:
    return f"ou=groups,{base}"


def placeholder_dn(base: str) -> str:
    return f"cn={PLACEHOLDER_CN},{groups_dn(base)}"


def user_dn(login: str, base: str) -> str:
    return f"uid={escape_dn_value(login)},{people_dn(base)}"


def group_dn(name: str, base: str) -> str:
    return f"cn={escape_dn_value(name)},{groups_dn(base)}"


def _distinct(values: Iterable[str]) -> list[str]:
    """Values once each as the directory compares them (case and space insensitive)."""
    seen: set[str] = set()
    out = []
    for value in values:
        key = " ".join(value.replace("\u3000", " ").split()).casefold()
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def person_attrs(p: Holder) -> Attrs:
    """The managed attributes of a person, in a fixed order."""
    family, given = p.family_and_given
    attrs: Attrs = [("cn", v) for v in _distinct((p.name, p.name_kana))]
    attrs.append(("sn", family))
    if given is not None:
        attrs.append(("givenName", given))
    attrs += [
        ("displayName", p.name),
        ("mail", p.email),
        ("o", p.operator_name),
        ("ou", p.affiliation_name),
        ("businessCategory", p.operator),
        ("departmentNumber", p.affiliation),
    ]
    if p.memo:
        attrs.append(("description", p.memo))
    return attrs


def _record(dn: str, attrs: Attrs, changetype: str | None = None) -> str:
    lines = [line("dn", dn)]
    if changetype:
        lines.append(f"changetype: {changetype}")
    lines += [line(a, v) for a, v in attrs]
    return "\n".join(lines) + "\n"


# Every person's object classes, as they stand in each entry.
_CLASS_LINES = "\n".join(line("objectClass", c) for c in PERSON_CLASSES)
# Attributes whose values an operator's people share (its name and code, their
# affiliation's): each value's line is made once, not checked and encoded for every person.
_SHARED = frozenset(("o", "ou", "businessCategory", "departmentNumber"))


@functools.lru_cache(maxsize=256)  # a share renders one operator's people together
def _shared_line(attr: str, value: str) -> str:
    return line(attr, value)


def _person_lines(p: Holder) -> list[str]:
    """The lines of ``p``'s entry after its DN (and change type): 200,000 entries of a first
    apply's snapshot, made once each."""
    lines = [_CLASS_LINES, line("uid", p.login)]
    lines += [_shared_line(a, v) if a in _SHARED else line(a, v) for a, v in person_attrs(p)]
    return lines


def _group_entry(name: str, members: Iterable[str], base: str) -> Attrs:
    return [
        ("objectClass", "top"),
        ("objectClass", "groupOfNames"),
        ("cn", name),
        ("member", placeholder_dn(base)),
        *(("member", user_dn(m, base)) for m in members),
    ]


_VERSION = b"version: 1\n\n"


def _document(records: list[str]) -> bytes:
    return _VERSION + "\n".join(records).encode("utf-8")


# One operator's share of the snapshot: its people's entries and, for each group, its
# members' lines; the snapshot joins the shares of every operator in order (rendered now,
# or lying in the cache: ``model.content``).
Part = tuple[Piece, Mapping[str, Piece]]


def people_part(
    people: Iterable[Holder], base: str = DEFAULT_BASE
) -> tuple[bytes, dict[str, bytes]]:
    """The share of ``people`` (one operator's holders, in login order)."""
    people = list(people)
    return PEOPLE_SEPARATOR.join(person_record(p, base) for p in people), group_part(people, base)


# Between two people's records in a share (a blank line ends each record).
PEOPLE_SEPARATOR = b"\n"


def person_record(p: Holder, base: str = DEFAULT_BASE) -> bytes:
    """``p``'s entry, one record of a share."""
    return "\n".join((line("dn", user_dn(p.login, base)), *_person_lines(p), "")).encode("utf-8")


def group_part(people: Iterable[Holder], base: str = DEFAULT_BASE) -> dict[str, bytes]:
    """For each group, the member lines of ``people`` (in login order)."""
    return {g: members(logins, base) for g, logins in members_by_group(people).items()}


def members(logins: Iterable[str], base: str = DEFAULT_BASE) -> bytes:
    """A group's member lines for ``logins``, in that order."""
    return "\n".join(line("member", user_dn(login, base)) for login in logins).encode("utf-8")


def document(
    parts: Iterable[Part],
    base: str = DEFAULT_BASE,
    apart: bool = False,
    *,
    groups: Iterable[str],
) -> Content:
    """The two organisational units, every person, every group (``groups``: the catalog's,
    and any other a share lists), from the operators' shares (``apart``: as
    ``model.content.joined`` keeps them)."""
    records = [
        _record(people_dn(base), [("objectClass", "organizationalUnit"), ("ou", "people")]),
        _record(groups_dn(base), [("objectClass", "organizationalUnit"), ("ou", "groups")]),
    ]
    pieces: list[Piece] = [_document(records)]
    listed: dict[str, list[Piece]] = {name: [] for name in groups}
    for people, members in parts:
        if len(people):
            pieces += [b"\n", people]
        for group, lines in members.items():
            listed.setdefault(group, []).append(lines)
    for name in sorted(listed):
        # The entry ends with the placeholder's line; the holders' lines follow it.
        entry = _record(group_dn(name, base), _group_entry(name, (), base)).encode("utf-8")
        pieces += [b"\n", entry]
        if any(len(lines) for lines in listed[name]):
            pieces += [*separated(b"\n", listed[name]), b"\n"]
    return joined(pieces, apart)


def snapshot(access: Access, base: str = DEFAULT_BASE, *, groups: Iterable[str]) -> bytes:
    """The two organisational units, every person, every group (people and members by
    operator, then login)."""
    parts = (people_part(people, base) for people in by_operator(access))
    found = document(parts, base, groups=groups)
    assert isinstance(found, bytes)  # every piece is in memory
    return found


def upgrade(groups: Iterable[str], base: str = DEFAULT_BASE) -> bytes:
    """Changes that turn a directory whose groups came and went with their holders (the
    versions before standing groups) into one where ``groups`` stand: each group added with
    the placeholder, and the placeholder added to it. For ``ldapmodify -c``: of each pair,
    the one the directory already satisfies fails (``Already exists``, ``Type or value
    exists``) and the other does what is missing, however often it is applied."""
    records = []
    for name in sorted(groups):
        dn = group_dn(name, base)
        records.append(_record(dn, _group_entry(name, (), base), "add"))
        records.append(_modify(dn, [("add", "member", [placeholder_dn(base)])]))
    return _document(records)


def _modify(dn: str, changes: list[tuple[str, str, list[str]]]) -> str:
    """A modify record: (operation, attribute, values) each ending with ``-``."""
    lines = [line("dn", dn), "changetype: modify"]
    for op, attr, values in changes:
        lines.append(f"{op}: {attr}")
        lines += [line(attr, v) for v in values]
        lines.append("-")
    return "\n".join(lines) + "\n"


def _values(attrs: Attrs) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for attr, value in attrs:
        found.setdefault(attr, []).append(value)
    return found


def delta_pieces(
    before: Access,
    after: Access,
    groups: DirectoryGroups,
    base: str = DEFAULT_BASE,
    shown: Shown = none_shown,
) -> Iterator[Piece]:
    """Changes in an order a directory accepts: people added and changed, groups created,
    re-membered and removed, and only then people deleted. ``groups``: the groups that
    exist whatever the holders do, and those the delta creates or deletes with their code;
    ``shown``: a new person's entry as a snapshot's share already holds it
    (:func:`person_record`). The document's pieces as they come: a first run's lists every
    user (160 MB at 200,000 users), and is written as it is made."""
    yield _VERSION
    yield from separated(b"\n", _changes(before, after, base, groups, shown))


def _added(person: Holder, base: str, shown: Shown) -> bytes:
    """The record adding ``person``: their entry with its change type after the DN line."""
    entry = shown(person)
    if entry is None:
        dn = line("dn", user_dn(person.login, base))
        return "\n".join((dn, "changetype: add", *_person_lines(person), "")).encode("utf-8")
    cut = entry.index(b"\n") + 1  # the DN's line: no line of an entry is folded
    return b"".join((entry[:cut], b"changetype: add\n", memoryview(entry)[cut:]))


def _changes(
    before: Access, after: Access, base: str, groups: DirectoryGroups, shown: Shown
) -> Iterator[bytes]:
    for login, person in after.items():
        if login not in before:
            yield _added(person, base, shown)
            continue
        if same_person(before[login], person):  # the entry shows no permission
            continue
        old, new = _values(person_attrs(before[login])), _values(person_attrs(person))
        changed = [("replace", a, new.get(a, [])) for a in MANAGED if old.get(a) != new.get(a)]
        if changed:
            yield _modify(user_dn(login, base), changed).encode()
    old_groups, new_groups = memberships(before), memberships(after)
    removals = []
    for name in sorted(groups.touched(old_groups, new_groups)):
        dn = group_dn(name, base)
        was, now = set(old_groups.get(name, [])), set(new_groups.get(name, []))
        if name in groups.created:
            yield _record(dn, _group_entry(name, sorted(now), base), "add").encode()
        elif name in groups.removed:
            removals.append(_record(dn, [], "delete").encode())
        elif was != now:
            # A record a member: a directory refuses a whole record when one of its values
            # fails (a member it no longer has), and one person's failure must not hold
            # back another's grant (``ldapmodify -c`` goes on with the next record).
            for op, people in (("add", now - was), ("delete", was - now)):
                for m in sorted(people):
                    yield _modify(dn, [(op, "member", [user_dn(m, base)])]).encode()
    yield from removals
    for login in before:
        if login not in after:
            yield _record(user_dn(login, base), [], "delete").encode()
