"""Who holds what: the effective access a registry grants, one entry per login ID.

This is what downstream systems must end up holding. It adds to the users' own permissions
the ones the system operator grants by itself (``derived`` systems in the catalog): the
permission-management system to window persons, the info-sharing site to users of the
group's systems (000 §3-1 ⑥ note 3, §5-1 ①, §7-1). Terminated operators grant nothing
(000 §3-3). A suspended ID, or an operator's suspended use of a system, keeps its
permissions but marks them suspended (001 p46, 002 §2.6, §3.4.4): downstream systems stop
them without deleting the ID, and lifting the suspension restores them. Pure: no I/O.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from operator import attrgetter

from accessreg.model import Catalog, Contact, Operator, System, User
from accessreg.model.changes import ChangeKind
from accessreg.model.registry import Registry, UserEntry


@dataclass(frozen=True, slots=True)
class Holder:
    """One login ID that holds permissions, with the fields of the seed's application form
    (000 §5-1 ①). Not the plan's ``Person``, which only names who an item concerns."""

    login: str  # the e-mail in lower case: IDs differing in case are one ID (000 §5-1 note 3)
    email: str  # as written in the registry
    operator: str
    operator_name: str
    affiliation: str
    affiliation_name: str
    name: str
    name_kana: str
    memo: str
    window_person: bool
    permissions: Mapping[str, str]  # system id → code, derived ones included
    file: str  # the registry file the person comes from, for messages
    suspended: frozenset[str] = frozenset()  # systems whose permission is suspended
    # System → the code downstream holds there for now, whose group a directory keeps the
    # ID in (suspended) or out of (lifted): an earlier run's delta, still to come, moves it
    # to ``permissions``' code, and only the suspended group is written until then
    # (``provision.merges._at_once``). Never a registry's holder: only a delta's stage
    # before that day. None: no system (a mapping each for 200,000 holders).
    behind: Mapping[str, str] | None = None
    # ``groups()``, worked out once: a run asks it of the same holder for the snapshots,
    # the deltas and both ends of a merge. Never compared, shown or given.
    _groups: tuple[str, ...] | None = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )

    def code(self, system: str) -> str | None:
        return self.permissions.get(system)

    def held(self, system: str) -> str | None:
        """The code downstream holds of ``system`` on the stage's day (``behind``): what a
        row shows. ``code`` is what the stages and the directory groups go on from."""
        behind = self.behind
        if behind is not None and system in behind:
            return behind[system]
        return self.permissions.get(system)

    def is_suspended(self, system: str) -> bool:
        return system in self.suspended

    @property
    def active(self) -> bool:
        """Whether any permission is usable: an ID with every one suspended is inactive."""
        return not self.permissions.keys() <= self.suspended

    @property
    def family_and_given(self) -> tuple[str, str | None]:
        """The name split at its first space (the registry writes 姓 名), if it has one."""
        parts = self.name.replace("\u3000", " ").split(None, 1)
        return (parts[0], parts[1]) if len(parts) == 2 else (self.name, None)

    def groups(self) -> tuple[str, ...]:
        """One group per permission; a suspended one moves to its system's suspended group,
        so it is stopped and not deleted."""
        found = self._groups
        if found is None:
            found = tuple(group_name(system, code) for system, code in self.grouped())
            object.__setattr__(self, "_groups", found)
        return found

    def grouped(self) -> list[tuple[str, str]]:
        """The (system, code) of each group (``groups``): a suspended permission's code is
        ``SUSPENDED``."""
        behind = self.behind
        if not behind:
            return [
                (system, SUSPENDED if system in self.suspended else code)
                for system, code in sorted(self.permissions.items())
            ]
        found = []
        for system, code in sorted(self.permissions.items()):
            stopped = system in self.suspended
            if stopped:
                found.append((system, SUSPENDED))
            if stopped == (system in behind):  # held, or kept for now
                found.append((system, code))
        return found


# What a holder says of the person, not of its permissions.
_PERSONAL = attrgetter(
    *(
        f.name
        for f in fields(Holder)
        if f.name not in ("permissions", "suspended", "behind", "_groups")
    )
)


def same_person(a: Holder, b: Holder) -> bool:
    """Whether two holders differ at most in their permissions (the stages of a change
    make the holder of its end with some of them only): a directory's entry of the person
    shows them alike, and a delta need not compare the entries."""
    return a is b or _PERSONAL(a) == _PERSONAL(b)


def directory_alike(a: Holder, b: Holder) -> bool:
    """Whether a directory holds two holders alike: the same entry, as active, in the same
    groups (a code changed while suspended moves no group: the suspended one holds them)."""
    return same_person(a, b) and a.active == b.active and a.groups() == b.groups()


Access = Mapping[str, Holder]  # by login

# A holder's bytes as a snapshot's share already holds them, or None (then made again):
# the deltas of a first apply add every holder, whom the snapshots hold already.
Shown = Callable[[Holder], bytes | None]


def none_shown(holder: Holder) -> bytes | None:
    """No share is known: every delta's bytes are made."""
    return None


SUSPENDED = "suspended"  # the group of a system's suspended permissions


def group_name(system: str, code: str) -> str:
    """The directory group of one permission code (LDIF groupOfNames, SCIM Group)."""
    return sys.intern(f"{system}-{code}")  # a few dozen names, held by every holder


def directory_groups(catalog: Catalog) -> frozenset[str]:
    """Every directory group of the catalog: one per code of each system whose users hold
    its codes (derived ones too), and its suspended group. Each exists whether anyone holds
    it or not (``outputs.ldif``), so that no change of its members needs another's date."""
    return frozenset(
        group_name(system.id, code)
        for system in catalog.systems
        if system.level == "user"
        for code in (*(c.code for c in system.codes), SUSPENDED)
    )


@dataclass(frozen=True)
class DirectoryGroups:
    """What a delta knows of the groups beyond the holders it compares: ``standing`` exist
    before and after it whatever their holders do (the catalog's); it creates ``created``
    and deletes ``removed``, with their codes. Any other group a holder is in stands too."""

    standing: Collection[str]
    created: Collection[str] = frozenset()
    removed: Collection[str] = frozenset()

    def touched(self, before: Collection[str], after: Collection[str]) -> set[str]:
        """The groups a delta may write: with members on either side, created or removed."""
        return {*before, *after, *self.created, *self.removed}


def derived_code(system: System) -> str:
    """The code a derived permission is recorded with (the catalog lists exactly one)."""
    return system.codes[0].code


# Nothing suspended, the case of almost every holder: one object, not 200,000 empty sets.
_NONE: frozenset[str] = frozenset()


class _Grants:
    """What one operator's file decides for each of its IDs, worked out once per operator
    (a registry has 100 users per operator): the derived systems a window person gets, and
    the systems whose use the operator has suspended."""

    def __init__(self, catalog: Catalog, op: Operator) -> None:
        self.catalog = catalog
        self.op = op
        # (system id, its code, window persons' system?, the systems it derives from)
        self.derived = [
            (system.id, derived_code(system), rule.kind == "window_persons", rule.systems)
            for system in catalog.systems
            if (rule := system.derived) is not None
        ]
        # A provider's permission-management system serves the operators using its systems.
        self.console = catalog.consoles_of(op.systems)
        self.stopped = {s.system for s in op.suspensions}
        # What the operator's file lets its users hold: the systems it uses (000 §3-2), and a
        # member's codes only while it is one (002 §2.1.1 ①(イ), 003 §2.7.1). A valid
        # registry holds nothing else; a user's file held back for an error keeps what
        # downstream has of it, but not what its operator's usage change or withdrawal
        # ended, which goes on that change's day as its other users' IDs do.
        self.open = frozenset(op.systems) | {s.id for s in catalog.systems if s.derived}
        self.members_only = (
            frozenset()
            if op.occto_member
            else frozenset(
                (s.id, c.code)
                for s in catalog.systems
                for c in s.codes
                if s.needs_membership(c.code)
            )
        )

    def allowed(self, own: Mapping[str, str]) -> Mapping[str, str]:
        """``own`` without what the operator's file does not allow (``open``)."""
        closed = own.keys() - self.open
        members_only = self.members_only
        if not closed and not (members_only and any(p in members_only for p in own.items())):
            return own
        return {s: c for s, c in own.items() if s not in closed and (s, c) not in members_only}

    def derive(self, own: Mapping[str, str], window: bool) -> dict[str, str]:
        perms = dict(self.allowed(own))
        brought = self.catalog.brought_by(perms)
        for sid, code, for_window, _ in self.derived:
            granted = (window and sid in self.console) if for_window else sid in brought
            if granted:
                perms[sid] = code
            else:
                perms.pop(sid, None)
        return perms

    def suspended(self, perms: Mapping[str, str], whole: bool) -> frozenset[str]:
        """The systems of ``perms`` that are suspended: every one when the ID itself is,
        those whose use the operator has suspended, and a derived one whose every source
        is."""
        if whole:
            return frozenset(perms)
        found = {sid for sid in perms if sid in self.stopped}
        for sid, _, for_window, sources in self.derived:
            if for_window or sid not in perms:
                continue
            held = [s for s in sources if s in perms]
            if held and all(s in found for s in held):
                found.add(sid)
        return frozenset(found) if found else _NONE


def _from_user(grants: _Grants, file: str, user: User, contact: Contact | None) -> Holder:
    op = grants.op
    permissions = grants.derive(user.permissions, contact is not None)
    return Holder(
        login=user.email.lower(),
        email=user.email,
        operator=op.code,
        operator_name=op.name,
        affiliation=user.affiliation,
        affiliation_name=op.affiliation_name(user.affiliation) or user.affiliation,
        name=user.name,
        name_kana=user.name_kana,
        memo=user.memo or "",
        window_person=contact is not None,
        permissions=permissions,
        file=file,
        suspended=grants.suspended(permissions, user.suspended_on is not None),
    )


def _from_contact(grants: _Grants, file: str, contact: Contact) -> Holder:
    op = grants.op
    return Holder(
        login=contact.email.lower(),
        email=contact.email,
        operator=op.code,
        operator_name=op.name,
        affiliation=op.code,
        affiliation_name=op.name,
        name=contact.name,
        name_kana=contact.name_kana,
        memo="",
        window_person=True,
        permissions=grants.derive({}, True),
        file=file,
    )


def effective_access(
    reg: Registry, only: Collection[str] | None = None, like: tuple[Registry, Access] | None = None
) -> dict[str, Holder]:
    """Every login ID that holds at least one permission, by login, in login order; with
    ``only``, those of these operators alone (a registry loaded for some operators holds
    every operator file but only their users). ``like``: another registry loaded from the
    same parsed files where they are equal, and its access: a holder whose user, operator
    and catalog are the very same models there is taken as it is (both ends of a merge
    share all but the files it changed)."""
    if like is not None and like[0].catalog is not reg.catalog and like[0].catalog != reg.catalog:
        like = None  # another catalog: other permissions, other holders
    found: dict[str, Holder] = {}
    for entry in reg.iter_operators(only):
        op = entry.operator
        if op.status != "active":
            continue
        contacts = {c.email.lower(): c for c in op.contacts}
        grants = _Grants(reg.catalog, op)
        earlier: dict[str, tuple[User, Holder]] = {}
        if like is not None:
            other = like[0].operators.get(op.code)
            if other is not None and other.operator is op:
                earlier = _held(like[0].users_of(op.code), like[1], op.code)
        for u in sorted(reg.users_of(op.code), key=lambda e: e.file):
            login = u.user.email.lower()
            contact = contacts.pop(login, None)
            was = earlier.get(u.file)
            if was is not None and was[0] is u.user:
                person = was[1]
            else:
                person = _from_user(grants, u.file, u.user, contact)
            if person.permissions:
                found.setdefault(login, person)
        for login, contact in contacts.items():
            person = _from_contact(grants, entry.file, contact)
            if person.permissions:
                found.setdefault(login, person)
    return dict(sorted(found.items()))


def _held(users: Iterable[UserEntry], access: Access, code: str) -> dict[str, tuple[User, Holder]]:
    """By file, each of ``users`` (of operator ``code``) whose holder ``access`` holds."""
    found = {}
    for u in users:
        holder = access.get(u.user.email.lower())
        if holder is not None and holder.operator == code and holder.file == u.file:
            found[u.file] = (u.user, holder)
    return found


def members_by_group(people: Iterable[Holder]) -> dict[str, tuple[str, ...]]:
    """Each group of ``people``'s permissions, and its members' logins in their order."""
    found: dict[str, list[str]] = {}
    for p in people:
        for group in p.groups():
            found.setdefault(group, []).append(p.login)
    return {group: tuple(logins) for group, logins in found.items()}


def memberships(access: Access) -> dict[str, list[str]]:
    """Group name → the logins holding that system's code, both sorted."""
    groups: dict[str, list[str]] = {}
    for login, person in access.items():
        for group in person.groups():
            groups.setdefault(group, []).append(login)
    return {g: sorted(members) for g, members in sorted(groups.items())}


def by_operator(access: Access) -> list[list[Holder]]:
    """The holders grouped by operator, in operator order, each group in login order: the
    order of every snapshot, so that one operator's share of it can be rendered alone."""
    found: dict[str, list[Holder]] = {}
    for login in sorted(access):
        holder = access[login]
        found.setdefault(holder.operator, []).append(holder)
    return [found[code] for code in sorted(found)]


def holders(access: Access, system: str) -> list[Holder]:
    """The persons holding a permission for ``system``, by operator then login."""
    return sorted(
        (p for p in access.values() if system in p.permissions),
        key=lambda p: (p.operator, p.login),
    )


@dataclass(frozen=True, slots=True)  # one per changed holder and system
class AccessChange:
    """One login ID gaining, changing or losing its permission for one system."""

    system: str
    kind: ChangeKind
    before: Holder | None
    after: Holder | None

    @property
    def person(self) -> Holder:
        found = self.after or self.before
        assert found is not None
        return found


SUSPENDED_CELL = "停止中"


def form_row(
    holder: Holder, system: System, derived: Sequence[System], suspension: bool = True
) -> tuple[str, ...]:
    """What a system's import row shows of ``holder``: the application form's fields in its
    order (000 §5-1 ①), the permission for ``system`` and each ``derived`` system as the form
    writes it (a code, or あり / なし), whether it is suspended (停止中, 001 p46), the memo.

    The CSV writes exactly these cells; a difference among them but the suspension is a
    change row (``suspension=False`` leaves that cell out).
    """
    return (
        holder.operator,
        holder.operator_name,
        holder.affiliation,
        holder.affiliation_name,
        holder.name,
        holder.name_kana,
        holder.email,
        system.shown(holder.held(system.id)),
        *(d.shown(holder.held(d.id)) for d in derived),
        *((SUSPENDED_CELL if holder.is_suspended(system.id) else "",) if suspension else ()),
        holder.memo,
    )


def _kind(old: Holder, new: Holder, system: System, derived: Sequence[System]) -> ChangeKind | None:
    """How a holder of ``system`` before and after changed there, if at all: a row that
    differs is a change; one whose suspension differs, its permission not, is suspended or
    restored, on the day (001 p46), whatever of the person's fields changes with it (the
    memo saying why must not hold a suspension back to a change's M+9)."""
    was, now = old.is_suspended(system.id), new.is_suspended(system.id)
    if was != now and old.code(system.id) == new.code(system.id):
        return ChangeKind.SUSPEND if now else ChangeKind.RESTORE
    if form_row(old, system, derived, False) != form_row(new, system, derived, False):
        return ChangeKind.CHANGE
    return None


def diff(before: Access, after: Access, catalog: Catalog) -> list[AccessChange]:
    """Per system in catalog order, then by login: what downstream systems must change."""
    derived = catalog.derived_systems
    # A holder the same on both sides changes nowhere: only the others are compared.
    logins = sorted(login for login in set(before) | set(after) if changed(before, after, login))
    # Each holder is looked at for the systems it holds on either side only (a few of the
    # catalog's), its changes put in their system's list.
    systems: dict[str, tuple[System, list[AccessChange]]] = {
        system.id: (system, []) for system in catalog.systems
    }
    for login in logins:
        was, now = before.get(login), after.get(login)
        held = {*(was.permissions if was else ()), *(now.permissions if now else ())}
        for sid in held.intersection(systems):
            system, changes = systems[sid]
            old = was if was is not None and sid in was.permissions else None
            new = now if now is not None and sid in now.permissions else None
            if old is None and new is not None:
                changes.append(AccessChange(sid, ChangeKind.ADD, None, new))
            elif old is not None and new is None:
                changes.append(AccessChange(sid, ChangeKind.REMOVE, old, None))
            elif old is not None and new is not None:
                kind = _kind(old, new, system, derived)
                if kind is not None:
                    changes.append(AccessChange(sid, kind, old, new))
    return [change for _, changes in systems.values() for change in changes]


def changed(before: Access, after: Access, login: str) -> bool:
    """Whether ``login``'s holder differs between two accesses (the same object, taken
    from one for the other, is equal without comparing its fields)."""
    was, now = before.get(login), after.get(login)
    return was is not now and was != now


# A dated change: the change and the day it takes effect (None: after a manual step).
Dated = tuple[AccessChange, date | None]
MANUAL = "manual"


# By login, by system: the change that makes its permission, by its place in the history's
# order (a later change wins, whatever day each takes effect). Places, not pairs: a first
# apply's stages touch 600,000 of them.
_Touched = dict[str, dict[str, int]]


def _touch(touched: _Touched, changes: Sequence[AccessChange], places: Iterable[int]) -> None:
    for n in places:
        change = changes[n]
        systems = touched.setdefault(change.person.login, {})
        if systems.get(change.system, -1) < n:
            systems[change.system] = n


_STAGES = (ChangeKind.ADD, ChangeKind.CHANGE)


def _apply(
    before: Access,
    after: Access,
    changes: Sequence[AccessChange],
    touched: _Touched,
    logins: Iterable[str],
) -> Access:
    """``before`` with the ``touched`` ``changes`` made, for ``logins`` (both sides' logins
    in order): each changed system's permission, and whether it is suspended, as
    ``after`` holds it (a suspension's systems may come on different days), the person's
    own fields as the last of them that adds or changes leaves them (``after``'s but for a
    stage of the range)."""
    found: dict[str, Holder] = {}
    for login in logins:
        was, now = before.get(login), after.get(login)
        systems = touched.get(login)
        if not systems:
            if was is not None:
                found[login] = was
            continue
        permissions = dict(was.permissions) if was else {}
        suspended = set(was.suspended) if was else set()
        behind = dict(was.behind or {}) if was else {}
        for system, n in systems.items():
            made = changes[n].after
            code = made.code(system) if made is not None else None
            if code is None:
                permissions.pop(system, None)
            else:
                permissions[system] = code
            if made is not None and made.is_suspended(system):
                suspended.add(system)
            else:
                suspended.discard(system)
            if made is not None and made.behind and system in made.behind:
                behind[system] = made.behind[system]
            else:
                behind.pop(system, None)
        # The person's own fields as the last change made in effect left them: the
        # range's end, or a stage of it (a rename still to come, ``merges._in_stages``).
        last = changes[max(systems.values())]
        base = (last.after if last.kind in _STAGES else None) or now or was
        assert base is not None
        if permissions:
            # Mostly the holder of an end as it is (every change of its made): that holder
            # itself, so that comparing stages stops at identity. Permissions are looked up
            # or sorted wherever they are used: their order does not make them differ.
            stopped = frozenset(suspended.intersection(permissions))
            kept = {s: c for s, c in behind.items() if s in permissions} or None
            if permissions == base.permissions and (stopped, kept) == (base.suspended, base.behind):
                found[login] = base
            else:
                found[login] = replace(
                    base,
                    permissions=dict(sorted(permissions.items())),
                    suspended=stopped,
                    behind=kept,
                )
    return found


def access_on(before: Access, after: Access, dated: Collection[Dated], day: date) -> Access:
    """What downstream systems hold on ``day``: the changes effective by then made."""
    changes = [change for change, _ in dated]
    touched: _Touched = {}
    _touch(touched, changes, (n for n, (_, on) in enumerate(dated) if on is not None and on <= day))
    return _apply(before, after, changes, touched, sorted(set(before) | set(after)))


def stages(
    before: Access, after: Access, dated: Collection[Dated]
) -> Iterator[tuple[str, Access, Access]]:
    """The change from ``before`` to ``after`` split by the day each part takes effect:
    (label, from, to) per effective date in order (label YYYY-MM-DD), then the part that
    waits for a manual step (label ``manual``). The last stage ends at ``after``. Each is
    made when the one before has been taken: a first apply's hold every user. Each stage
    is ``access_on`` its day, its changes gathered day by day as the stages go (each day
    went through every change of the history again, 600,000 in a first apply), and made
    from the stage before: only the holders its day's changes touch are made again."""
    changes: list[AccessChange] = []
    by_day: dict[date | None, array[int]] = {}
    for n, (change, on) in enumerate(dated):
        changes.append(change)
        by_day.setdefault(on, array("q")).append(n)
    labels: list[tuple[str, date | None]] = [
        (d.isoformat(), d) for d in sorted(d for d in by_day if d is not None)
    ]
    if None in by_day:
        labels.append((MANUAL, None))
    logins = sorted(set(before) | set(after)) if len(labels) > 1 else []
    touched: _Touched = {}
    current: Access = before
    for i, (label, day) in enumerate(labels):
        if i == len(labels) - 1:
            reached: Access = after
        else:
            # Only the holders the day's changes touch differ from the stage before: the
            # others keep that stage's holder (a first apply's stages hold every user).
            today = by_day[day]
            _touch(touched, changes, today)
            moved = {changes[n].person.login for n in today}
            made = _apply(before, after, changes, touched, sorted(moved))
            kept: dict[str, Holder] = {}
            for login in logins:
                holder = made.get(login) if login in moved else current.get(login)
                if holder is not None:
                    kept[login] = holder
            reached = kept
        yield label, current, reached
        current = reached
