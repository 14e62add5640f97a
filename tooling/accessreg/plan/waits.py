"""A change of a permission still to come is dated no earlier than it comes.

A user added on 12/2 (TAXIS from 12/24, 000 §5-1) and removed on 12/7 would be deleted on
12/8 (§5-3), before the first batch's addition reaches downstream: the LDAP delete fails
there, and the addition then stands. So such a change is dated when the permission comes.
And a user's own change still to come (a new user's entry, a suspension on the next
business day) holds back any later change of the user. Only the user's own changes do:
every directory group stands whatever its members do (``outputs.ldif``), so that one
user's change never waits for another's, and a removal or a suspension is never held back
by somebody else's permission still to come.
A suspension, or its lifting, waits for nothing the person already holds downstream: the
system operator stops first (001 p46, 002 §3.4.4). It is dated at once, and told again on
the day a change of the person's applied before comes, so that the change leaves them as
the suspension does (``Stop``). Only what is not downstream yet waits: a new user's entry,
and a system new to them, which holds nothing to stop before it comes; where none of the
person's systems is there yet, the suspension item itself is dated when the first comes
(``reached``), as ``status`` then lists it. A system new to them that a removal takes away
the day it comes is never there, and nothing of it is stopped (``Waits.never_held``); one
it takes away later is stopped from the day it comes until then (``Removal.since``).
A new operator's users wait for its registration: the permission-set application is filed
with the window person's ID, issued when the usage application (new) completes (000 §3-1 ⑥
【注３】), so a user added while it is still to come is keyed on that day
(``Waits.registrations``, ``timeline.effective.Dates.permission``).
The dates of permissions applied before come from the provisioning state
(``provision.state.State.waiting``); the plan of a pull request, the merge's rows, its
受付 mail and its recorded application all read them through this module.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import NamedTuple

from accessreg.model import Catalog
from accessreg.model.messages import msg
from accessreg.plan.model import Item, Note, OperatorPlan, Plan, UserChange
from accessreg.timeline.effective import Effective


@dataclass(frozen=True)
class Waits:
    """What batches applied before make come later, as the state records it."""

    # (system, login) → the day a permission applied before comes
    people: Mapping[tuple[str, str], date] = field(default_factory=dict)
    # login → the last day a change of the user's own applied before comes: a new user's
    # entry (with its first permission), a suspension. No later change of the user, of
    # any system, reaches a directory before it
    entries: Mapping[str, date] = field(default_factory=dict)
    # Of ``people``, the permissions the person held none of before (a system new to them):
    # downstream has nothing of them to stop before they come
    added: frozenset[tuple[str, str]] = frozenset()
    # Of ``people``, the code downstream holds until the permission comes, where it
    # replaces one (recorded since this was: none of an older state's)
    held: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # Of ``people``, the permissions taken away when they come: downstream holds ``held``
    # until then, which a suspension stops at once (``removals``)
    removed: frozenset[tuple[str, str]] = frozenset()
    # Of ``people``, where more than one change of the permission still comes, the day of
    # each but the last and the code it brings (the one the next replaces): its own row,
    # written before, grants that code, so a suspension is told again after each (``stop``)
    through: Mapping[tuple[str, str], tuple[tuple[date, str], ...]] = field(default_factory=dict)
    # operator code → the day its usage application (new) applied before completes: a user
    # added to it before then is keyed on that day (``Dates.permission``)
    registrations: Mapping[str, date] = field(default_factory=dict)
    # (operator code, system) → the day a usage application applied before adds the system
    # to the operator: a permission of it set or changed before then is keyed on that day
    # (``Dates.permission``)
    uses: Mapping[tuple[str, str], date] = field(default_factory=dict)
    # (operator code, system) → the day a usage change or an OCCTO withdrawal applied
    # before takes the system from the operator: it uses the system until then, and a
    # permission of it given back before then waits for nothing
    kept: Mapping[tuple[str, str], date] = field(default_factory=dict)
    # (operator code, role) → the day a usage change applied before adds the role to the
    # operator: a permission only the role allows, set or changed before then, is keyed on
    # that day (``Dates.permission``)
    roles: Mapping[tuple[str, str], date] = field(default_factory=dict)
    # (operator code, role) → the day a usage change applied before takes the role from the
    # operator: it holds the role until then, and one taken back before then waits for
    # nothing (as a system ``kept``)
    kept_roles: Mapping[tuple[str, str], date] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(
            self.people
            or self.entries
            or self.registrations
            or self.uses
            or self.kept
            or self.roles
            or self.kept_roles
        )

    def never_held(self, key: tuple[str, str]) -> bool:
        """Whether downstream never holds the permission ``key`` (system, login) still to
        come: new to the person (``added``) and taken away (``removed``) no later than it is
        granted, no change of it coming before the removal (``through``): the grant's row
        and the removal's go out on one day, and there is nothing to stop in between."""
        return key in self.added and key in self.removed and not self.through.get(key)

    def person(self, system: str, login: str) -> date | None:
        """When ``login``'s permission of ``system`` applied before comes, or the user's
        entry, whichever is later (None: neither waits)."""
        return latest(self.people.get((system, login)), self.entries.get(login))


def comes(
    waits: Waits, catalog: Catalog, system: str, login: str, holds: Collection[str] = ()
) -> date | None:
    """When ``login``'s permission of ``system`` applied before comes (None: not waiting);
    a derived system's with the first of its sources, none while a source of it the
    person ``holds`` waits for nothing: it has come with that one (the info-sharing site
    with TAXIS at M+6, though JUJU still waits for M+9)."""
    if not waits.people and not waits.entries:
        return None
    return latest(_permission_comes(waits, catalog, system, login, holds), waits.entries.get(login))


def _permission_comes(
    waits: Waits, catalog: Catalog, system: str, login: str, holds: Collection[str]
) -> date | None:
    """``comes`` without the user's entry: the permission's own day alone."""
    people = waits.people
    found = people.get((system, login))
    derived = catalog.by_id[system].derived if system in catalog.by_id else None
    if found is None and derived is not None:
        sources = [people.get((s, login)) for s in derived.systems if s in holds]
        if None not in sources:
            found = min((w for s in derived.systems if (w := people.get((s, login)))), default=None)
    return found


def _new_to_them(
    waits: Waits, catalog: Catalog, system: str, login: str, holds: Collection[str]
) -> bool:
    """Whether ``login``'s permission of ``system`` still to come is one they held none of
    before; a derived system's, when every source of it they hold is."""
    if (system, login) in waits.added:
        return True
    derived = catalog.by_id[system].derived if system in catalog.by_id else None
    if derived is None or (system, login) in waits.people:
        return False
    sources = [s for s in derived.systems if s in holds]
    return bool(sources) and all((s, login) in waits.added for s in sources)


@dataclass(frozen=True)
class Stop:
    """When a suspension of a person's permission of a system, or its lifting, reaches the
    system: ``after`` (None: at once, on its own day) and, where a change of the permission
    applied before still comes on a later day, that day (``again``), on which it is told
    again after that change, which would otherwise grant or stop as it was applied; until
    then it stops or starts the code downstream holds (``held``, None: the one the
    registry has, all an older state knows). Where several changes still come, it is told
    again after each (``through``)."""

    after: date | None = None
    again: date | None = None
    held: str | None = None
    # The days before ``again`` an earlier change of the permission comes, each with the
    # code it brings (``Waits.through``): the suspension is told again after each too
    through: tuple[tuple[date, str], ...] = ()


def stop(
    waits: Waits, catalog: Catalog, system: str, login: str, holds: Collection[str] = ()
) -> Stop:
    """The one rule for a suspension or its lifting of ``login``'s ``system`` (001 p46):
    at once where downstream holds the permission, told again when a change of it applied
    before comes; no earlier than the user's entry (a new user's first permission) or,
    for a system new to them, than its addition: nothing is there to stop before."""
    if not waits:
        return Stop()
    entry = waits.entries.get(login)
    pending = _permission_comes(waits, catalog, system, login, holds)
    if pending is not None and _new_to_them(waits, catalog, system, login, holds):
        return Stop(latest(entry, pending))
    if pending is not None and (entry is None or pending > entry):
        key = (system, login)
        through = tuple(s for s in waits.through.get(key, ()) if entry is None or s[0] > entry)
        return Stop(entry, pending, waits.held.get(key), through)
    return Stop(entry)


def reached(waits: Waits, catalog: Catalog, login: str, own: date, holds: Collection[str]) -> date:
    """The first day a suspension or its lifting of ``login``'s ID, on its own day ``own``,
    reaches one of the systems it ``holds`` (``stop``): ``own`` where downstream holds
    anything of theirs, a code a removal still takes away too; else the day the first of
    their permissions applied before comes, a code a removal takes away later included
    (``Removal.since``), or a derived system they hold with them (the info-sharing site
    comes with the first of its sources, also one granted and taken away on the same day:
    ``Waits.never_held``). Until then the ID is in no system, and nothing of it is
    stopped: the item, its record and ``status`` say that day."""
    if not waits:
        return own
    ending = [r.since for r in removals(waits, login, own)]
    if None in ending:
        return own
    systems = {*holds, *catalog.brought_by(holds)}
    days = [stop(waits, catalog, system, login, holds).after for system in systems]
    days += ending
    return min((max(own, d) if d is not None else own for d in days), default=own)


class Removal(NamedTuple):
    """A permission a removal applied before takes away after a suspension's day
    (``removals``): downstream holds it until then, and the suspension stops it."""

    system: str
    on: date  # the removal's day
    code: str  # the code downstream holds when the suspension first stops it
    # The days after that a change of it still to come brings a code, each with that code:
    # its own row, written before, grants it, and the suspension is told again after it
    through: tuple[tuple[date, str], ...]
    # The day downstream first holds it, where that is after the suspension's day: a
    # system new to the person, granted by a change still to come (None: held already)
    since: date | None = None


def removals(waits: Waits, login: str, on: date) -> list[Removal]:
    """The permissions of ``login`` a removal applied before takes away after ``on``: the
    registry has them no more, yet a suspension on ``on`` stops them (001 p46, 002 §3.4.4)
    at once where downstream holds them already, else when the change that grants them
    comes (``Removal.since``: a system new to the person, added and taken away by changes
    still to come). Each change of it still to come before the removal grants, in its own
    row written before, the code it brings (``Waits.through``): the suspension is told
    again after it, on that code, as ``stop`` does for changes. Not one downstream never
    holds (``Waits.never_held``): granted and taken away on one day, there is nothing to
    stop."""
    found = []
    for key in sorted(waits.removed):
        system, of = key
        day = waits.people.get(key)
        if of != login or waits.never_held(key) or day is None or day <= on:
            continue
        # The codes downstream holds until the removal, each from its day (None: now)
        held: list[tuple[date | None, str]] = list(waits.through.get(key, ()))
        if key not in waits.added:
            code = waits.held.get(key)
            if code is None:  # an older state's: what downstream holds is not recorded
                continue
            held.insert(0, (None, code))
        # The suspension first stops the code held on ``on``, else the first to come
        first = max((i for i, (d, _) in enumerate(held) if d is None or d <= on), default=0)
        since, code = held[first]
        later = tuple((d, c) for d, c in held[first + 1 :] if d is not None and d < day)
        found.append(Removal(system, day, code, later, since if since and since > on else None))
    return found


def latest(*days: date | None) -> date | None:
    """The last of the days given (None: none is)."""
    return max((d for d in days if d is not None), default=None)


def not_before(effective: Effective, on: date | None) -> Effective:
    """``effective`` moved to ``on`` when it is dated earlier (a date-less one stays)."""
    if on is None or effective.on is None or effective.on >= on:
        return effective
    return replace(effective, on=on, waits=True)


def waited(plan: OperatorPlan, waits: Waits, catalog: Catalog) -> OperatorPlan:
    """``plan`` with each change of a user's permission still to come dated no earlier
    than it comes, and a suspension of their ID, or its lifting, no earlier than it
    reaches a system (``reached``)."""
    if not waits:
        return plan

    def moved(item: Item) -> Item:
        person = getattr(item, "person", None)
        if person is None:
            return item
        login = person.email.lower()
        effects = tuple(
            replace(
                e,
                effective=not_before(e.effective, waits.person(e.system, login)),
            )
            for e in item.effects
        )
        own = item.effective
        # ``stops_or_starts``: an own day and a user on both sides
        if isinstance(item, UserChange) and item.stops_or_starts and own and own.on and item.after:
            holds = set(item.after.permissions)
            own = not_before(own, reached(waits, catalog, login, own.on, holds))
        if effects == item.effects and own == item.effective:
            return item
        return replace(item, effects=effects, effective=own)

    return replace(plan, items=tuple(moved(i) for i in plan.items))


def waited_plan(plan: Plan, waits: Waits) -> Plan:
    """A pull request's ``plan`` as the merge will date it (``waited``)."""
    if not waits:
        return plan
    operators = tuple(waited(op, waits, plan.catalog) for op in plan.operators)
    return replace(plan, operators=operators)


def waiting_notes(plan: Plan, waits: Waits) -> tuple[Note, ...]:
    """For the reviewer, each item ``waited_plan`` dated later than its own events would,
    and why: the plan would otherwise show a deletion on a day the 000 §5-3 timing does
    not give."""
    found = []
    for item in plan.items:
        person = getattr(item, "person", None)
        if person is None:
            continue
        for effect in item.effects:
            day = effect.effective.on
            if not effect.effective.waits or day is None:  # a moved date is a date
                continue
            message = msg(
                "{system}: the permission of {login} applied for before comes on {day}; "
                "this change is dated that day too, so that the system has the user "
                "before it changes or deletes them",
                system=plan.catalog.named(effect.system),
                login=person.email,
                day=day,
            )
            found.append(Note(item.operator, item.application, "flag", item.key, message))
        found += _late_stops(plan, item, waits)
        found += _registering(item)
        found += _taking_up(plan, item)
    return tuple(found)


def _registering(item: Item) -> list[Note]:
    """A new user of an operator whose registration is still to come is keyed on its
    completion (``Dates.permission``): the reviewer is told why the dates are so late."""
    person = getattr(item, "person", None)
    keyed = next(
        (e.effective.keyed_on for e in item.effects if e.effective.key == "registered"), None
    )
    if person is None or keyed is None:
        return []
    message = msg(
        "{login}: the permission-set application follows the completion of the usage "
        "application (new) of {operator}, expected on {day}, when the window person receives "
        "their ID (000 §3-1 ⑥ note 3): its dates count from that day, not from the acceptance",
        login=person.email,
        operator=item.operator,
        day=keyed,
    )
    return [Note(item.operator, item.application, "flag", item.key, message)]


def _taking_up(plan: Plan, item: Item) -> list[Note]:
    """A permission of a system its operator is still taking up, or that only a role still
    to come allows, is keyed on that usage application's completion (``Dates.permission``):
    the reviewer is told why."""
    person = getattr(item, "person", None)
    if person is None:
        return []
    return [
        Note(
            item.operator,
            item.application,
            "flag",
            item.key,
            msg(
                "{system}: the permission of {login} can be applied for only once the usage "
                "application of {operator} that registers what it needs (the system, or the "
                "role its code needs) is done (000 §5-1 notes 6 and 7): it counts from {day}, "
                "not from this application",
                system=plan.catalog.named(e.system),
                login=person.email,
                operator=item.operator,
                day=day,
            ),
        )
        for e in item.effects
        if e.effective.key == "taken_up" and (day := e.effective.keyed_on) is not None
    ]


def _late_stops(plan: Plan, item: Item, waits: Waits) -> list[Note]:
    """A user's suspension (or its lifting) reaches a system later than its own day where
    the user is not there yet (``stop``): the reviewer is told which day, as the merge's
    rows and the 受付 mail say it. Where the user holds the system, it is at once."""
    if not isinstance(item, UserChange) or not item.stops_or_starts:
        return []
    own, now = item.effective, item.after
    if own is None or own.on is None or now is None:
        return []
    login = now.email.lower()
    found = []
    if own.waits:  # the ID is in no system before then (``reached``)
        message = msg(
            "{login} is in none of their systems before a permission applied for before "
            "comes on {day}: the suspension or its lifting is dated that day",
            login=now.email,
            day=own.on,
        )
        found.append(Note(item.operator, item.application, "flag", item.key, message))
    holds = set(now.permissions)
    for system in sorted(now.permissions):
        on = stop(waits, plan.catalog, system, login, holds).after
        if on is None or on <= own.on:
            continue
        message = msg(
            "{system}: {login} holds no permission there before the one applied for before "
            "comes on {day}; the suspension or its lifting reaches the system that day, "
            "not on {own}",
            system=system,
            login=now.email,
            day=on,
            own=own.on,
        )
        found.append(Note(item.operator, item.application, "flag", item.key, message))
    return found
