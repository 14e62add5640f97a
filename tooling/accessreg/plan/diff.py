"""Compute a plan from two registry snapshots. Pure: the registries are already loaded.

The snapshots need not be whole registries: a plan only looks at what they hold. The git
layer (``plan.revisions``) loads every operator file, the changed files and the users of
operators whose file changed (a termination lists them all).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Generic, TypedDict, TypeVar

from accessreg.model import (
    Catalog,
    Certificate,
    Operator,
    System,
    User,
    layout,
)
from accessreg.model.changes import ChangeKind
from accessreg.model.registry import Registry, admin_change, admin_leaves, taken_over
from accessreg.plan.issued import issued_codes
from accessreg.plan.model import (
    AllowedIpChange,
    Application,
    CertificateChange,
    Direction,
    Effect,
    EndedUse,
    FieldChange,
    Item,
    OperatorChange,
    OperatorPlan,
    Person,
    Plan,
    Revisions,
    SubcontractorChange,
    SuspendedUse,
    UserChange,
    WindowPersonChange,
    at_once,
    citations_of,
    left_with_membership,
    withdrawal_only,
)
from accessreg.plan.waits import Waits, latest
from accessreg.timeline.effective import Dates, Effective

ADMIN_CONSOLE = "admin_console"  # the permission-management system window persons get
GRANTED = "granted"
T = TypeVar("T")

# Fields whose values are personal data beyond a name and an e-mail: a plan says they
# changed, not what they say.
_PERSONAL_FIELDS = frozenset({"name_kana", "phone", "memo", "holder"})


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple | list):
        # Entries of several fields each (a suspension: system, day, reason) apart by "; ".
        apart = "; " if any(hasattr(v, "model_dump") for v in value) else ", "
        return apart.join(_text(v) or "" for v in value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if hasattr(value, "model_dump"):
        dumped = value.model_dump(mode="json", exclude_none=True)
        return ", ".join(f"{k}: {v}" for k, v in dumped.items())
    return str(value)


def _field_changes(before: object, after: object, names: Iterable[str]) -> tuple[FieldChange, ...]:
    changes = []
    for name in names:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        if name in _PERSONAL_FIELDS:
            changes.append(FieldChange(name, _text(old), _text(new), personal=True))
        else:
            changes.append(FieldChange(name, _text(old), _text(new), was=old, now=new))
    return tuple(changes)


def _overall(directions: Iterable[Direction]) -> Direction:
    """An item that widens anything is a grant; one that takes anything away a revoke; one
    that only steps codes down a narrowing."""
    found = set(directions)
    for direction in (Direction.GRANT, Direction.REVOKE, Direction.NARROW):
        if direction in found:
            return direction
    return Direction.NEUTRAL


def _set_direction(old: Iterable[str], new: Iterable[str]) -> Direction:
    before, after = set(old), set(new)
    return _overall(
        [Direction.GRANT] * bool(after - before) + [Direction.REVOKE] * bool(before - after)
    )


def _pair(
    before: Iterable[T], after: Iterable[T], key: Callable[[T], str]
) -> Iterator[tuple[str, T | None, T | None]]:
    """Match two collections by key, in a stable order (the key's)."""
    old = {key(x): x for x in before}
    new = {key(x): x for x in after}
    for k in sorted(old.keys() | new.keys()):
        yield k, old.get(k), new.get(k)


# What adding or removing an entry does to access; a change depends on the entry's kind.
_ADD_REMOVE = {ChangeKind.ADD: Direction.GRANT, ChangeKind.REMOVE: Direction.REVOKE}


@dataclass(frozen=True)
class _Keyed(Generic[T]):
    """One entry of a keyed list that was added, removed, or changed in a compared field."""

    key: str
    was: T | None
    now: T | None
    action: ChangeKind
    fields: tuple[FieldChange, ...]

    @property
    def current(self) -> T:
        found = self.now if self.now is not None else self.was
        assert found is not None
        return found

    def item(self, operator: str, application: Application, direction: Direction) -> _ItemArgs[T]:
        """The arguments every item of this entry takes."""
        return {
            "operator": operator,
            "application": application,
            "action": self.action,
            "direction": direction,
            "fields": self.fields,
            "before": self.was,
            "after": self.now,
        }


class _ItemArgs(TypedDict, Generic[T]):
    operator: str
    application: Application
    action: ChangeKind
    direction: Direction
    fields: tuple[FieldChange, ...]
    before: T | None
    after: T | None


def _keyed(
    before: Iterable[T], after: Iterable[T], key: Callable[[T], str], compared: Iterable[str]
) -> Iterator[_Keyed[T]]:
    """The entries of two keyed lists (contacts, certificates, ...) that differ, by key: added,
    removed, or changed in one of the ``compared`` fields."""
    compared = tuple(compared)
    for k, was, now in _pair(before, after, key):
        if was is None:
            yield _Keyed(k, was, now, ChangeKind.ADD, ())
        elif now is None:
            yield _Keyed(k, was, now, ChangeKind.REMOVE, ())
        elif fields := _field_changes(was, now, compared):
            yield _Keyed(k, was, now, ChangeKind.CHANGE, fields)


class _Differ:
    def __init__(
        self,
        base: Registry,
        head: Registry,
        dates: Dates,
        waits: Waits | None = None,
    ) -> None:
        self.base = base
        self.head = head
        self.dates = dates
        waits = waits or Waits()
        # Operator → the day its registration applied before comes (``Waits.registrations``).
        self.registrations = waits.registrations
        # Operator → system → the day a usage application applied before adds the system
        # to it (``Waits.uses``); → the day a give-up or a withdrawal applied before takes
        # it, the operator using it until then (``Waits.kept``); → role → the day a usage
        # change applied before adds the role to it (``Waits.roles``), or takes it, the
        # operator holding it until then (``Waits.kept_roles``).
        self.uses = _per_operator(waits.uses)
        self.kept = _per_operator(waits.kept)
        self.roles = _per_operator(waits.roles)
        self.kept_roles = _per_operator(waits.kept_roles)
        # The day the operator's registration comes, where it is still to come: applied for
        # in this change or before (``operator``). Its new users are keyed on it.
        self.registering: date | None = None
        # System → the day a usage application adds it to the operator, where it is still
        # to come: applied for in this change or before (``operator``), but not one the
        # operator still uses (``kept``). Its users' permissions of it are keyed on it.
        self.taking: dict[str, date] = {}
        # Role → the day a usage change adds it to the operator, where it is still to come
        # (``operator``): a permission only such roles allow is keyed on it (``roles_day``).
        self.roles_taking: dict[str, date] = {}
        # Per operator, from the providers of the systems it uses (``operator``).
        self.usage = dates.usage(())
        self.admin_console = True
        self.systems: set[str] = set()  # the operator's, as ``operator`` sets them
        # Those it takes up under terms new to it (``Catalog.taken_up``)
        self.taken: frozenset[str] = frozenset()
        # The date every item of a terminating operator takes effect on (000 §3-3).
        self.ends: Effective | None = None
        # The date a withdrawn OCCTO member loses what only a member holds (003 §2.7.1).
        self.withdrawal: Effective | None = None
        # The operator's file (the head's, else the base's): it names users' affiliations.
        self.declared: Operator | None = None

    def ending(self, system: str, code: str | None = None) -> Effective | None:
        """When the operator's use of ``system`` (or of its ``code``) ends, where it ends on a
        day of its own: the termination's, or for what the operator loses with its OCCTO
        membership (``Catalog.ends_with_membership``), the withdrawal's (003 §2.7.1), the
        earlier where both are."""
        withdrawal = self.withdrawal
        roles = self.declared.roles if self.declared else ()
        if withdrawal is None or not self.head.catalog.ends_with_membership(system, roles, code):
            return self.ends
        if self.ends is None:
            return withdrawal
        return min(self.ends, withdrawal, key=lambda e: e.on or date.max)

    # -- users -----------------------------------------------------------------------------

    def permission_effects(
        self,
        old: User | None,
        new: User | None,
        kind: ChangeKind,
        keyed: Mapping[str, ChangeKind] | None = None,
        rewritten: bool = False,
        floors: Mapping[str, date] | None = None,
    ) -> tuple[Effect, ...]:
        """The permissions changed, each dated as ``kind``, or as ``keyed`` says of its
        system (an admin ID taken over, as a change; an ID a user is issued, as a new
        user's); with ``rewritten`` (the user's own fields changed), also those kept, whose
        rows change all the same: each dated as a change of its system. A permission set or
        changed that the operator is registered for only by a usage application still to
        come (``registered_for``) is keyed on that day, or on the day ``floors`` gives it
        (``entry_effects``)."""
        before = old.permissions if old else {}
        after = new.permissions if new else {}
        effects = []
        for system in sorted(before.keys() | after.keys()):
            was, now = before.get(system), after.get(system)
            if was == now and not rewritten:
                continue
            if was == now:
                direction = Direction.NEUTRAL
            # A code the old one includes (an admin stepping down to a user ID) narrows
            # access, as a removal takes it away; any other change is reviewed as a grant.
            # The base's catalog: a pull request cannot rank what it grants as a removal.
            elif not self.base.catalog.narrows(system, was, now):
                direction = Direction.GRANT
            else:
                direction = Direction.REVOKE if now is None else Direction.NARROW
            ends = self.ending(system, was) if now is None else self.ends
            how = (keyed or {}).get(system, kind)
            taken_up = None
            if now is not None:
                taken_up = (floors or {}).get(system) or self.registered_for(system, now)
            when = ends or self.dates.permission(system, how, self.registering, taken_up)
            effects.append(Effect(system, was, now, direction, when))
        return tuple(effects)

    def registered_for(self, system: str, code: str) -> date | None:
        """The day the operator is registered for ``code`` of ``system`` by a usage
        application still to come (000 §5-1 【注６】【注７】): the system's (``taking``), or
        a role's it needs (``roles_day``), the later; None: it is already."""
        return latest(self.taking.get(system), self.roles_day(system, code))

    def roles_day(self, system: str, code: str) -> date | None:
        """The day the operator holds a role ``code`` of ``system`` needs (one of each of
        its gates: ``Catalog.role_gates``), where every such role it holds is still to come
        (``roles_taking``): the earliest of them, the latest gate's. None: it holds one."""
        declared = self.declared
        if not self.roles_taking or declared is None:
            return None
        days = []
        for gate in self.dates.catalog.role_gates(system, code):
            through = gate & set(declared.roles)
            pending = [self.roles_taking[r] for r in through if r in self.roles_taking]
            if through and len(pending) == len(through):
                days.append(min(pending))
        return max(days, default=None)

    def entry_effects(self, new: User, keyed: Mapping[str, ChangeKind]) -> tuple[Effect, ...]:
        """A new user's permissions (``permission_effects``), but one of a system its
        operator is still taking up (``taking``) while the user's entry comes with another
        of the same ID (``Catalog.new_ids``): that one is filed as a change of the ID once
        both the system is taken up and the entry has come (000 §5-2 after §5-1), not as a
        permission set keyed on the system's day, a batch later."""
        effects = self.permission_effects(None, new, ChangeKind.ADD, keyed)
        waiting = {e.system for e in effects if e.effective.key == "taken_up"}
        entered = [e.effective.on for e in effects if e.system not in waiting]
        if not waiting or not entered or None in entered:
            return effects
        entry = min(d for d in entered if d is not None)
        held = [e.system for e in effects if e.system not in waiting]
        changes = waiting - self.dates.catalog.new_ids(held, waiting)
        if not changes:
            return effects
        floors = {
            s: max(day, entry)
            for s in changes
            if (day := self.registered_for(s, new.permissions[s])) is not None
        }
        keyed = {**keyed, **dict.fromkeys(changes, ChangeKind.CHANGE)}
        return self.permission_effects(None, new, ChangeKind.ADD, keyed, floors=floors)

    def user_item(
        self,
        code: str,
        old: User | None,
        new: User | None,
        ending: bool,
        former: str | None = None,
    ) -> UserChange | None:
        """``former``: the key the operator had at the base (its provisional one, whose code
        this change issues: ``users``)."""
        if old is not None and old is new:
            return None  # the same model at both ends: a file the change did not touch
        current = new or old
        assert current is not None
        person = Person(current.email, current.name)
        declared = self.declared
        affiliation_name = declared.affiliation_name(current.affiliation) if declared else None
        if old is None:
            assert new is not None
            # A new user who takes over an admin ID another user gives up (002 §3.2.2) is a
            # change of admin: that grant is keyed as a change, on the same event as the
            # former admin's removal or change (both on entry), so no day falls between.
            handed = taken_over(self.base, self.head, code, new.permissions)
            effects = self.entry_effects(new, dict.fromkeys(handed, ChangeKind.CHANGE))
            admin = admin_change(self.base, self.head, code, new.permissions)
            return UserChange(
                operator=code,
                application=Application.PERMISSION_CHANGE if admin else Application.PERMISSION_SET,
                action=ChangeKind.ADD,
                direction=Direction.GRANT,
                effects=effects,
                person=person,
                affiliation=current.affiliation,
                affiliation_name=affiliation_name,
                after=new,
            )
        if new is None:
            return UserChange(
                operator=code,
                application=self._deletion(code, old, ending),
                action=ChangeKind.REMOVE,
                direction=Direction.REVOKE,
                effects=self.permission_effects(old, None, ChangeKind.REMOVE),
                person=person,
                affiliation=current.affiliation,
                affiliation_name=affiliation_name,
                before=old,
            )
        fields = _field_changes(
            old, new, ("email", "name", "name_kana", "affiliation", "memo", "suspended_on")
        )
        changed = {f.field for f in fields}
        # Every field compared but the suspension is a cell of each system's import row
        # (the form's, 000 §5-1 ①, §5-2 ①): changed, every system the user keeps has its row
        # changed, entered as a 5-2 is and dated as one. A suspension's rows stop or restart
        # the ID on its own day, whatever else changes with it (001 p46).
        # Not an affiliation that only follows its operator's code as it is issued (the
        # usage change's, 003 §2.2: the operator item dates it), none of the user's own.
        issued = former not in (None, code) and (old.affiliation, new.affiliation) == (former, code)
        own = changed - {"affiliation"} if issued else changed
        rewritten = bool(own) and "suspended_on" not in changed
        # A system whose ID the user does not have yet (a first of OCCTO's, whose IDs are
        # per system, or Tokyo Gas Network's first for one of OCCTO's alone) is issued,
        # keyed as a new user's: its provider's permission set (000 §5-1; 002 §3.2.1, §3.3;
        # 003 §3.1, §3.2), not a change; but an admin ID taken over is the change of admin
        # (002 §3.2.2), as for a new user.
        granted = {s: p for s, p in new.permissions.items() if s not in old.permissions}
        catalog = self.dates.catalog
        issues = catalog.new_ids(old.permissions, granted) - taken_over(
            self.base, self.head, code, granted
        )
        effects = self.permission_effects(
            old, new, ChangeKind.CHANGE, dict.fromkeys(issues, ChangeKind.ADD), rewritten
        )
        if not effects and not fields:
            return None
        suspension = _suspension_direction(old.suspended_on, new.suspended_on)
        # The memo saying why does not make a suspension another application (001 p46).
        only_suspension = (
            not effects and "suspended_on" in changed and changed <= {"suspended_on", "memo"}
        )
        # A suspension's own day (at once, ``Dates.suspension``): recorded, so that a later
        # change of the user waits for it (``plan.waits``).
        stopped = None
        if "suspended_on" in changed:
            stopped = self.ends or self.dates.suspension(new.suspended_on)
        if only_suspension:
            application = Application.SUSPENSION
        elif effects and "suspended_on" not in changed and {e.system for e in effects} <= issues:
            application = Application.PERMISSION_SET  # it only issues IDs new to the user
        else:
            application = Application.PERMISSION_CHANGE
        return UserChange(
            operator=code,
            application=application,
            action=ChangeKind.CHANGE,
            direction=_overall([*(e.direction for e in effects), suspension]),
            effects=effects,
            fields=fields,
            effective=stopped,
            issues=issues,
            person=person,
            affiliation=current.affiliation,
            affiliation_name=affiliation_name,
            before=old,
            after=new,
        )

    def _deletion(self, code: str, old: User, ending: bool) -> Application:
        """A deleted user's application: the deletion (000 §5-3), the termination's where
        the operator ends (§3-3); but the admin who gives the admin ID to another user in the
        same change is part of the change of admin (002 §3.2.2), as the new admin is."""
        if ending:
            return Application.USAGE_END
        if admin_leaves(self.base, self.head, code, old.permissions):
            return Application.PERMISSION_CHANGE
        return Application.PERMISSION_DELETE

    def users(self, code: str, former: str, ending: bool) -> list[Item]:
        """The users of ``code``, compared with those it had as ``former`` at the base (its
        provisional key, ``plan.issued``; else the code itself)."""
        items: list[Item] = []
        for _, old, new in _pair(
            self.base.users_of(former), self.head.users_of(code), lambda e: e.user.email.lower()
        ):
            if new is None and old is not None and old.file in self.head.broken:
                continue  # still there but unreadable: reported as such, not as a removal
            item = self.user_item(
                code, old.user if old else None, new.user if new else None, ending, former
            )
            if item is not None:
                items.append(item)
        return items

    # -- an operator's own file ------------------------------------------------------------

    def window_persons(
        self, code: str, old: Operator | None, new: Operator | None, app: Application
    ) -> list[Item]:
        items: list[Item] = []
        for entry in _keyed(
            old.contacts if old else (),
            new.contacts if new else (),
            lambda c: c.email.lower(),
            ("email", "role", "name", "name_kana", "phone", "github"),
        ):
            effects: tuple[Effect, ...] = ()
            if entry.action is ChangeKind.CHANGE:
                # A new GitHub login may act for the operator from now on.
                widens = any(f.field == "github" for f in entry.fields)
                direction = Direction.GRANT if widens else Direction.NEUTRAL
            else:
                direction = _ADD_REMOVE[entry.action]
                gains = entry.action is ChangeKind.ADD
                was, now = (None, GRANTED) if gains else (GRANTED, None)
                if self.admin_console:
                    effects = (Effect(ADMIN_CONSOLE, was, now, direction, self.ends or self.usage),)
            current = entry.current
            items.append(
                WindowPersonChange(
                    **entry.item(code, app, direction),
                    effects=effects,
                    effective=self.ends or self.usage,
                    person=Person(current.email, current.name),
                    role=current.role,
                    github=current.github,
                )
            )
        return items

    def subcontractors(
        self, code: str, old: Operator | None, new: Operator | None, app: Application
    ) -> list[Item]:
        return [
            SubcontractorChange(
                **entry.item(code, app, _ADD_REMOVE.get(entry.action, Direction.NEUTRAL)),
                effective=self.ends or self.usage,
                code=entry.key,
                name=entry.current.name,
            )
            for entry in _keyed(
                old.subcontractors if old else (),
                new.subcontractors if new else (),
                lambda s: s.code,
                ("name",),
            )
        ]

    def certificates(self, code: str, old: Operator | None, new: Operator | None) -> list[Item]:
        items: list[Item] = []
        for entry in _keyed(
            old.certificates if old else (),
            new.certificates if new else (),
            lambda c: c.id,
            tuple(Certificate.model_fields),
        ):
            was, now = entry.was, entry.now
            if was is not None and now is not None:
                assert old is not None and new is not None  # each holds its certificate
                reached = old.reached(self.base.catalog, was)
                reaches = new.reached(self.head.catalog, now)
                direction = _certificate_direction(was, now, reached, reaches)
                # Another serial is a registration to wait for; the same one, where it
                # reaches the systems of a provider new to it, for that provider alone.
                registers = was.serial != now.serial
                new_at = [] if registers else self._new_providers(reached, reaches)
            else:
                direction = _ADD_REMOVE[entry.action]
                registers = entry.action is ChangeKind.ADD
                new_at = []
            current = entry.current
            suspends = "suspended_on" in {f.field for f in entry.fields}
            suspension = [f.field for f in entry.fields] == ["suspended_on"]
            application = Application.SUSPENSION if suspension else Application.CERTIFICATE
            parts: list[tuple[str | None, Effective | None]] = [(None, None)]
            if registers and self.ends is None:
                parts = self._registrations(current, new or old)
            elif suspends:
                parts = [(None, self.dates.suspension(current.suspended_on))]
            elif new_at and self.ends is None:
                parts = self._registrations(current, new, only=new_at)
            items.extend(
                CertificateChange(
                    **entry.item(code, application, direction),
                    effective=self._entry_date(entry.action, own),
                    id=current.id,
                    cn=current.cn,
                    serial=current.serial,
                    not_after=current.not_after,
                    part=provider,
                )
                for provider, own in parts
            )
        return items

    def _entry_date(self, action: ChangeKind, registration: Effective | None) -> Effective:
        """A certificate's or an address's date: a registration waits for its batch, a
        suspension or its lifting is at once; a removal, or a change that registers or
        suspends nothing (``registration`` None: a certificate's serial named for other
        systems, its location; an address's reason), takes effect on the merge, when the
        whitelists take it: they let a serial or an address registered through wherever it
        reaches (on the termination date when the operator ends)."""
        if self.ends is not None:
            return self.ends
        if action is ChangeKind.REMOVE or registration is None:
            merged = self.dates.events.merged
            return Effective(merged, "accepted", key="merged", keyed_on=merged)
        return registration

    def _registrations(
        self, cert: Certificate, op: Operator | None, only: Collection[str] = ()
    ) -> list[tuple[str | None, Effective | None]]:
        """Each provider registers a certificate its own way (000 §4-2: Tokyo Gas Network's
        batch, usable from M+6; 001 p13, 002 §3.1: OCCTO's help desk, done when it says):
        one registered with both is one item per provider where their days differ, each
        letting it through that provider's systems on its own day, so that the help desk's
        step holds back nothing of Tokyo Gas Network's. The providers are those of the
        systems whose whitelists let it through (``Operator.reached``): a member system
        takes no certificate, and its desk registers none (003 §3). ``only``: the providers
        a certificate already registered with others is new to (``_new_providers``), each
        a registration of its own."""
        catalog = self.head.catalog
        reached = op.reached(catalog, cert) if op is not None else frozenset()
        providers = [p.id for p in catalog.providers_of(reached)]
        if only and not set(providers) <= set(only):
            return [(p, self._registered_at(cert, reached, p)) for p in providers if p in only]
        systems = reached or frozenset(cert.systems or (op.systems if op else ()))
        whole = self.dates.certificate(systems, cert.not_before)
        if len(providers) < 2:
            return [(None, whole)]
        parts: list[tuple[str | None, Effective | None]] = [
            (p, self._registered_at(cert, reached, p)) for p in providers
        ]
        if len({e for _, e in parts}) < 2:
            return [(None, whole)]  # one day for all: one registration to tell of
        return parts

    def _registered_at(
        self, cert: Certificate, reached: Collection[str], provider: str
    ) -> Effective:
        """``cert``'s registration with ``provider``, for its systems among ``reached``."""
        ids = [
            s.id for s in self.head.catalog.systems if s.id in reached and s.provider == provider
        ]
        return self.dates.certificate(ids, cert.not_before)

    def _new_providers(self, reached: Collection[str], reaches: Collection[str]) -> list[str]:
        """The providers whose systems a changed certificate (the same serial) reaches
        now and reached none of before: each registers it before its whitelists take it
        (001 p13: the help desk has never seen it); one it already reached has it."""
        before = {p.id for p in self.base.catalog.providers_of(reached)}
        return [p.id for p in self.head.catalog.providers_of(reaches) if p.id not in before]

    def allowed_ips(self, code: str, old: Operator | None, new: Operator | None) -> list[Item]:
        items: list[Item] = []
        for entry in _keyed(
            old.ip_allowlist if old else (),
            new.ip_allowlist if new else (),
            lambda e: e.cidr,
            ("reason", "expires_on"),
        ):
            was, now = entry.was, entry.now
            if was is not None and now is not None:
                if now.expires_on > was.expires_on:
                    direction = Direction.GRANT
                elif now.expires_on < was.expires_on:
                    direction = Direction.REVOKE
                else:
                    direction = Direction.NEUTRAL
            else:
                direction = _ADD_REMOVE[entry.action]
            items.append(
                AllowedIpChange(
                    **entry.item(code, Application.OVERSEAS_IP, direction),
                    # Its reason alone: the address is let through as it was registered.
                    effective=self._entry_date(
                        entry.action,
                        None
                        if direction is Direction.NEUTRAL and entry.action is ChangeKind.CHANGE
                        else self.dates.allowed_ip(self.systems),
                    ),
                    cidr=entry.key,
                    expires_on=entry.current.expires_on,
                )
            )
        return items

    def operator_items(
        self, code: str, old: Operator | None, new: Operator | None
    ) -> list[OperatorChange]:
        """The items of a change of the operator's file. Systems it takes up under terms it
        used none of before (``taken``) are that provider's new usage application (利用申請
        （新規）: 000 §3-1; OCCTO's, 002 §2.1.1), dated by its timing; the rest of the change
        is a usage change of the terms it has (000 §3-2), dated by theirs."""
        if old is None or new is None or not self.taken:
            return self.by_terms(code, old, new)
        step = _taking_up(self.head.catalog, old, new, self.taken)
        opening = OperatorChange(
            operator=code,
            application=Application.USAGE_NEW,
            action=ChangeKind.CHANGE,
            direction=Direction.GRANT,
            fields=_field_changes(old, step, [n for n in Operator.model_fields if n in _TAKEN_UP]),
            effective=self.dates.usage(self.taken),
            code=code,
            name=new.name,
            before=old,
            after=step,
        )
        return [opening, *self.by_terms(code, step, new)]

    def by_terms(
        self, code: str, old: Operator | None, new: Operator | None
    ) -> list[OperatorChange]:
        """The item of a change of the operator's file; where it is a usage change of an
        operator using systems under more than one terms of use (``Catalog.terms_of``:
        Tokyo Gas Network's, the switching support system's, the member system's), one item
        per terms whose systems it adds or gives up, as the operator files it with each
        desk (000 §3-2; 002 §2.1.1), each dated by that desk alone (``usage_change``), and
        last one of what else it changes, the terms it has with every one (the name, the
        roles: ``usage``, the later): giving up JOHS is held back neither by OCCTO's help
        desk nor by a new name, nor giving up the switching support system by Tokyo Gas
        Network's 15 business days."""
        found = self.operator_item(code, old, new)
        if found is None or found.application is not Application.USAGE_CHANGE:
            return [found] if found is not None else []
        assert old is not None and new is not None  # a change of both
        catalog = self.head.catalog
        if len({catalog.terms_of(s) for s in {*old.systems, *new.systems}}) < 2:
            return [found]  # one terms: every part would have the same day
        if self.withdrawal is not None:
            return [found]  # what ends with the membership ends on the withdrawal's day
        moved = frozenset(old.systems) ^ frozenset(new.systems)
        groups: dict[str, set[str]] = {}
        for system in catalog.systems:
            if system.id in moved:
                groups.setdefault(catalog.terms_of(system.id), set()).add(system.id)
        parts: list[tuple[str | None, frozenset[str]]] = [
            (terms, frozenset(ids)) for terms, ids in groups.items()
        ]
        if _beyond(old, new, found.fields, moved):
            parts.append((None, frozenset()))  # the common terms, after the systems
        if len(parts) < 2:
            return [found]
        items = []
        was = old
        for number, (terms, systems) in enumerate(parts, 1):
            # The last part ends at the head's file itself; each before at a step of it
            now = new if number == len(parts) else _part(was, new, systems)
            item = self.operator_item(code, was, now)
            if item is not None:
                items.append(replace(item, part=terms) if terms is not None else item)
            was = now
        return items

    def operator_item(
        self, code: str, old: Operator | None, new: Operator | None
    ) -> OperatorChange | None:
        current = new or old
        assert current is not None
        ended_before = old is not None and old.status == "terminated"
        ends = new is None or (new.status == "terminated" and not ended_before)
        action: ChangeKind
        fields: tuple[FieldChange, ...] = ()
        uses: tuple[SuspendedUse, ...] = ()
        if old is None:
            action, app, direction = ChangeKind.ADD, Application.USAGE_NEW, Direction.GRANT
        elif ends:
            action, app, direction = ChangeKind.REMOVE, Application.USAGE_END, Direction.REVOKE
            fields = _field_changes(old, new, ("status", "terminated_on")) if new else ()
        else:
            assert new is not None
            names = [
                n
                for n in Operator.model_fields
                if n not in ("contacts", "subcontractors", "certificates", "ip_allowlist")
            ]
            fields = _field_changes(old, new, names)
            if not fields:
                return None
            action, app = ChangeKind.CHANGE, Application.USAGE_CHANGE
            uses = self.suspended_uses(old, new)
            if {f.field for f in fields} == {"suspensions"}:
                app = Application.SUSPENSION
            direction = _overall(
                [
                    _set_direction(old.systems, new.systems),
                    _set_direction(old.roles, new.roles),
                    # More systems suspended narrows access; lifting one widens it (giving
                    # up a suspended system does not: ``suspended_uses``).
                    _set_direction(
                        {s.system for s in new.suspensions},
                        {s.system for s in old.suspensions if s.system in new.systems},
                    ),
                    _set_direction(
                        {a.system for a in old.approvals}, {a.system for a in new.approvals}
                    ),
                    Direction.GRANT
                    if ended_before and new.status == "active"
                    else Direction.NEUTRAL,
                ]
            )
        ending: tuple[Person, ...] = ()
        if action is ChangeKind.REMOVE:
            ending = tuple(
                Person(u.user.email, u.user.name)
                for u in sorted(self.base.users_of(code), key=lambda u: u.user.email.lower())
            )
        if action is ChangeKind.REMOVE:
            self.ends = self.dates.termination(new.terminated_on if new else None)
        effective = self.ends if action is ChangeKind.REMOVE else self.usage
        if action is ChangeKind.CHANGE:
            assert old is not None and new is not None
            effective = self.usage_change(old, new, fields)
        if old is not None and new is not None and self.only_withdraws(old, new, fields):
            effective = self.withdrawal
        if app is Application.SUSPENSION:
            # Done once its last suspension or lifting is (each is at once, on its day).
            effective = max(
                (u.effective for u in uses),
                key=lambda e: e.on or date.min,
                default=self.dates.suspension(None),
            )
        # What the withdrawal takes ends on its day, as its users' IDs of it do (``ending``);
        # a system whose use is suspended stays stopped: a withdrawal lifts no suspension
        # (001 p46, 002 §3.4.4).
        left: tuple[EndedUse, ...] = ()
        if old is not None and new is not None and self.withdrawal is not None:
            stopped = {s.system for s in old.suspensions}
            lost = left_with_membership(self.head.catalog, old, new) - stopped
            left = tuple(EndedUse(s, self.withdrawal) for s in sorted(lost))
        return OperatorChange(
            operator=code,
            application=app,
            action=action,
            direction=direction,
            fields=fields,
            effective=effective,
            code=code,
            name=current.name,
            ending_users=ending,
            suspensions=uses,
            membership_ends=left,
            before=old,
            after=new,
        )

    def usage_change(
        self, old: Operator, new: Operator, fields: Iterable[FieldChange]
    ) -> Effective:
        """When a usage change (000 §3-2) is done: each provider takes the change of its own
        systems (利用申請（変更）: 000 §3-2 at Tokyo Gas Network; 002 §2.1.1 at OCCTO), so one
        that only adds or gives up systems (``_concerned``) is dated by those systems'
        providers alone (one item per terms of use where of more: ``by_terms``), and giving
        up JOHS waits for no step of OCCTO's; a change of the operator's common terms
        (name, roles, …) is each provider's, the later (``usage``)."""
        concerned = _concerned(old, new, fields)
        return self.dates.usage(concerned) if concerned else self.usage

    def only_withdraws(self, old: Operator, new: Operator, fields: Iterable[FieldChange]) -> bool:
        """Whether a change of the operator's file files its OCCTO withdrawal, or follows it,
        and does nothing but drop the systems that end with the membership: it takes effect
        on the withdrawal's day (``Dates.withdrawal``), not as a usage change."""
        return self.withdrawal is not None and bool(
            withdrawal_only(self.head.catalog, old, new, fields)
        )

    def suspended_uses(self, old: Operator, new: Operator) -> tuple[SuspendedUse, ...]:
        """Each system of the operator whose use the change suspends or lifts the
        suspension of, on its own day (``Dates.suspension``). A suspension that goes with
        its system, which the operator gives up, is lifted by nothing: the use ends stopped
        (001 p46), as a removed suspended certificate is revoked, not lifted."""
        was = {s.system: s.suspended_on for s in old.suspensions if s.system in new.systems}
        now = {s.system: s.suspended_on for s in new.suspensions}
        return tuple(
            SuspendedUse(system, system in now, self.dates.suspension(now.get(system)))
            for system in sorted(was.keys() | now.keys())
            if was.get(system) != now.get(system)
        )

    def _ended(self, op: Operator) -> bool:
        return (
            op.status == "terminated"
            and op.terminated_on is not None
            and op.terminated_on <= self.dates.events.merged
        )

    def operator(self, code: str, former: str | None = None) -> OperatorPlan | None:
        """What ``code`` applies for; ``former``: the provisional key it had at the base
        (``plan.issued``), whose operator and users it continues as its usage change."""
        former = former or code
        old_entry, new_entry = self.base.operators.get(former), self.head.operators.get(code)
        old = old_entry.operator if old_entry else None
        new = new_entry.operator if new_entry else None
        items: list[Item] = []
        ending = False
        self.ends = None
        self.registering = self.registrations.get(code)
        self.taking = dict(self.uses.get(code, {}))
        self.roles_taking = dict(self.roles.get(code, {}))
        withdrawn = new.withdrawn_on if new else None
        self.withdrawal = None if withdrawn is None else self.dates.withdrawal(withdrawn)
        # An operator file that does not load at the head is reported as unreadable, not as
        # a termination; one at the base with no version that loads to compare with, not as
        # a new operator. Its users are still compared.
        rel = layout.operator_file(code)
        unreadable = rel in self.head.broken or (old is None and rel in self.base.broken)
        if old is None and new is not None and self._ended(new):
            # First seen already terminated (an initial apply of a registry that keeps its
            # terminated operators): nothing was granted, nothing is applied for.
            return None
        systems = {*(old.systems if old else ()), *(new.systems if new else ())}
        self.systems = systems
        self.declared = new or old
        self.taken = frozenset()
        if old is not None and new is not None and new.status == "active":
            self.taken = self.head.catalog.taken_up(old.systems, new.systems)
        # Its window persons and subcontractors, and a usage change of its common terms:
        # dated by the terms it has (a change of its systems alone: ``usage_change``).
        self.usage = self.dates.usage(systems - self.taken or systems)
        # Window persons get the permission-management system of the providers whose
        # systems the operator uses: not OCCTO's, which has none.
        console = self.head.catalog.by_id.get(ADMIN_CONSOLE)
        self.admin_console = console is not None and any(
            p.id == console.provider for p in self.head.catalog.providers_of(systems)
        )
        if (old is not None or new is not None) and not unreadable:
            for head_item in self.operator_items(code, old, new):
                items.append(head_item)
                ending = head_item.action is ChangeKind.REMOVE
                if head_item.action is ChangeKind.ADD and head_item.effective is not None:
                    # Its users' applications are filed once it is registered (000 §3-1 ⑥)
                    self.registering = latest(self.registering, head_item.effective.on)
                if head_item.effective is not None and head_item.effective.on is not None:
                    # Its users' permissions of a system it adds, once that is registered
                    # (000 §5-1 【注６】【注７】)
                    kept = self.kept.get(code, {})
                    on = head_item.effective.on
                    for system in set(head_item.added_uses) - kept.keys():
                        self.taking[system] = max(self.taking.get(system, on), on)
                    held = self.kept_roles.get(code, {})
                    for role in set(head_item.added_roles) - held.keys():
                        self.roles_taking[role] = max(self.roles_taking.get(role, on), on)
            app = Application.USAGE_NEW if old is None else Application.USAGE_CHANGE
            items += self.window_persons(code, old, new, app)
            items += self.subcontractors(code, old, new, app)
            items += self.certificates(code, old, new)
            items += self.allowed_ips(code, old, new)
        items += self.users(code, former, ending)
        if not items:
            return None
        name = (new or old).name if (new or old) else ""  # type: ignore[union-attr]
        citations = citations_of(items, self.dates.catalog, systems, self.taken)
        return OperatorPlan(code, name, tuple(items), citations)


def _per_operator(found: Mapping[tuple[str, str], date]) -> dict[str, dict[str, date]]:
    """(operator, system or role) → day, as operator → system or role → day."""
    grouped: dict[str, dict[str, date]] = {}
    for (code, key), day in found.items():
        grouped.setdefault(code, {})[key] = day
    return grouped


def _concerned(old: Operator, new: Operator, fields: Iterable[FieldChange]) -> frozenset[str]:
    """The systems a usage change adds or gives up, where that is all it changes; none
    where it changes anything else, a term the operator has with every provider. What
    goes with a system (its suspension, which must go with it, or its approval: per
    system, 000 §2-2) is part of its change where it is of those systems alone."""
    moved = frozenset(old.systems) ^ frozenset(new.systems)
    return frozenset() if _beyond(old, new, fields, moved) else moved


def _beyond(
    old: Operator, new: Operator, fields: Iterable[FieldChange], moved: frozenset[str]
) -> bool:
    """Whether a change of the operator's file changes more than the systems ``moved``
    (added or given up) and the entries naming them: a common term."""
    for f in fields:
        if f.field == "systems":
            continue
        if f.field not in _PER_SYSTEM:
            return True
        was, now = getattr(old, f.field), getattr(new, f.field)
        if not {e.system for e in set(was) ^ set(now)} <= moved:
            return True
    return False


# The fields of an operator's file whose entries each name one system.
_PER_SYSTEM = frozenset({"suspensions", "approvals"})


def _part(was: Operator, new: Operator, systems: frozenset[str]) -> Operator:
    """``was`` with ``systems`` added or given up as ``new`` has them, and the entries that
    name them (``_PER_SYSTEM``) as ``new`` has those: one terms' part of a usage change
    (``_Differ.by_terms``). The systems in ``new``'s order, then those a later part gives
    up."""
    kept = [s for s in was.systems if s not in systems]
    update: dict[str, object] = {
        "systems": (
            *(s for s in new.systems if s in systems or s in kept),
            *(s for s in kept if s not in new.systems),
        )
    }
    for name in _PER_SYSTEM:
        update[name] = (
            *(e for e in getattr(was, name) if e.system not in systems),
            *(e for e in getattr(new, name) if e.system in systems),
        )
    return was.model_copy(update=update)


# The fields of an operator's file its usage application (new) at a provider sets.
_TAKEN_UP = frozenset({"systems", "roles", "occto_member", "membership"})


def _taking_up(catalog: Catalog, old: Operator, new: Operator, taken: frozenset[str]) -> Operator:
    """``old`` with what taking up ``taken`` changes, the new usage application's part of
    the change: those systems, the roles added that only they take, and OCCTO membership
    where only they need it (002 §2.1.1 ①(イ)); the rest is a usage change of the terms the
    operator has."""
    wanted = [s for s in catalog.systems if s.id in taken]
    kept = [s for s in catalog.systems if s.id in old.systems]
    theirs = {r for s in wanted for r in s.roles} - {r for s in kept for r in s.roles}
    update: dict[str, object] = {
        "systems": (*old.systems, *(s for s in new.systems if s in taken)),
        "roles": (*old.roles, *(r for r in new.roles if r in theirs and r not in old.roles)),
    }

    def member(system: System) -> bool:
        return bool(system.occto_member_roles) or system.ends_with_membership

    if any(member(s) for s in wanted) and not any(member(s) for s in kept):
        update.update(occto_member=new.occto_member, membership=new.membership)
    return old.model_copy(update=update)


def _suspension_direction(was: date | None, now: date | None) -> Direction:
    """Suspending narrows access (001 p46); lifting a suspension widens it again."""
    if (was is None) == (now is None):
        return Direction.NEUTRAL
    return Direction.REVOKE if now is not None else Direction.GRANT


def _certificate_direction(
    was: Certificate, now: Certificate, reached: frozenset[str], reaches: frozenset[str]
) -> Direction:
    """Whether a certificate's change widens or narrows access: another serial, a
    suspension, its validity, and the systems it ``reached`` and ``reaches`` now (what it
    names, its purpose and the operator's systems decide them together: a certificate
    that turns from web to API use goes to other systems)."""
    directions = [_set_direction(reached, reaches)]
    if was.serial != now.serial:
        directions.append(Direction.GRANT)  # another certificate altogether
    directions.append(_suspension_direction(was.suspended_on, now.suspended_on))
    if now.not_after > was.not_after or now.not_before < was.not_before:
        directions.append(Direction.GRANT)
    if now.not_after < was.not_after or now.not_before > was.not_before:
        directions.append(Direction.REVOKE)
    return _overall(directions)


def _unchanged(base: Registry, head: Registry, code: str) -> bool:
    """An operator whose file is the same on both sides and whose users are the very same
    entries, or none (a registry loaded for other operators): nothing to compare. A range
    read for a scope steps through the merges of a few of its operators, and the others'
    entries are shared by both ends of each (``provision.merges.Snapshots``)."""
    old, new = base.operators.get(code), head.operators.get(code)
    if old is None or new is None:
        return False
    # The very same model first: comparing two thousand operators field by field at every
    # merge of a range was a fifth of stepping through it.
    if old.operator is not new.operator and old.operator != new.operator:
        return False
    if old.file in base.broken or old.file in head.broken:
        return False
    was, now = base.users_of(code), head.users_of(code)
    if was is now:  # the same group: a history's registry made from the one before
        return True
    return len(was) == len(now) and all(a is b for a, b in zip(was, now, strict=True))


def _operator_codes(registry: Registry) -> set[str]:
    return set(registry.operators) | registry.user_codes()


def compute_plan(
    base: Registry,
    head: Registry,
    dates: Dates,
    other_paths: Iterable[str] = (),
    unreadable: Iterable[str] = (),
    revisions: Revisions | None = None,
    revoking: Iterable[str] = (),
    waits: Waits | None = None,
) -> Plan:
    """The plan of going from ``base`` to ``head``, its items dated by ``dates``;
    ``waits``: what applied before is still to come, of which the registrations of
    operators, and of the systems and roles they add, key their users' permissions
    (``Waits.registrations``, ``Waits.uses``, ``Waits.roles``)."""
    differ = _Differ(base, head, dates, waits)
    # A provisional key that receives its code is that operator's, not one of its own.
    issued = issued_codes(base, head)
    formers = {code: key for key, code in issued.items()}
    operators = []
    for code in sorted(_operator_codes(base) | _operator_codes(head)):
        if code in issued or _unchanged(base, head, code):
            continue
        op_plan = differ.operator(code, formers.get(code))
        if op_plan is not None:
            operators.append(op_plan)
    # M and the centre's calendar are Tokyo Gas Network's (000 §5-1): a change of OCCTO's
    # systems alone, of operators using those alone, falls into no batch and is accepted on
    # the approval's own day.
    using = {
        s
        for o in operators
        for reg in (head, base)
        if (entry := reg.operators.get(o.code)) is not None
        for s in entry.operator.systems
    } | {e.system for o in operators for i in o.items for e in i.effects}
    accepted, processing_day = dates.acceptance(
        at_once(tuple(i for o in operators for i in o.items)), dates.catalog.batches(using)
    )
    return Plan(
        events=dates.events,
        accepted=accepted,
        processing_day=processing_day,
        operators=tuple(operators),
        catalog=dates.catalog,
        other_paths=tuple(sorted(set(other_paths))),
        unreadable=tuple(sorted(set(unreadable))),
        revisions=revisions,
        revoking=tuple(sorted(set(revoking))),
    )
