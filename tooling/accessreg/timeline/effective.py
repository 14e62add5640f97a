"""The effective dates of every item of an application: the one place they are computed.

Each kind of application is keyed on its own event (000 §3-1..§3-3, §4-2, §5-1..§5-3):

| item | keyed on | effective |
| --- | --- | --- |
| a new user's permission (5-1) | acceptance (②申請受付) | catalog ``timing.add`` (M+6 / M+9) |
| the same, the operator's registration still to come | its completion (3-1 ⑥ 注3) | the same |
| a changed permission (5-2) | entry (①変更申請入力) | ``timing.change`` (at once / M+9) |
| an admin ID a new user takes over (002 §3.2.2) | entry, as the change it is | ``timing.change`` |
| a deleted permission (5-3) | entry (the application day) | ``timing.remove`` (next day / manual) |
| a certificate (4-2) | acceptance (審査OK) | the provider's ``certificate_registration`` |
| an overseas IP (2-8) | acceptance | the provider's ``ip_registration`` (at once) |
| usage (3-1, 3-2), window persons, subcontractors | acceptance | provider's ``usage_application`` |
| a usage change's systems (3-2; 002 §2.1.1) | acceptance | their provider's, per terms of use |
| a termination (3-3) | the chosen ``terminated_on`` | that day |
| what only an OCCTO member holds, at its withdrawal (003 §2.7.1) | ``withdrawn_on`` | that day |
| a suspension (001 p46, 002 §2.4, §2.6, §3.4.4) | the file's ``suspended_on`` | that day, at once |
| the lifting of a suspension | the merge | that day, at once |

A new operator's window person receives their ID on the completion of its usage application
(000 §3-1 ⑥ 【注３】) and only with it files the permission-set applications of 5-1: a user of
an operator whose registration is still to come is keyed on the day it completes, at the
earliest, and falls into the batch of that day (``Dates.permission``'s ``registered``).

A suspension is no application the centre processes: the system operator stops the
certificate or ID first (001 p46: 「まずは停止します」), without notice (002 §2.4:
「事前の通知や承諾なしに」), and lifts it when its investigation ends. So it waits for no
business day and no batch: it has no processing day M, and an application that only
suspends or lifts is taken on the approval's own day (``Dates.taken_on``).

The centre's calendar (``calendar.yaml``) and its batches M are Tokyo Gas Network's (000
§5-1): OCCTO's systems run 「原則として 24 時間 365 日」 (002 §2.2, 003 §2.2), so an acceptance
counts on the approval's own day for them (``Dates.accepted_for``), and an application of
theirs alone is accepted that day (``Dates.acceptance``).

A first apply loads the registry as it stands (``Dates.loaded``): downstream holds none of
it yet, and every item but a termination takes effect on the day of the load, whatever its
kind's timing. None of it is an application the centre processes.

A pull request's events stand in for the seeds' (``Events``): opened or last marked ready is
the entry, a reviewer's approval the acceptance. Where an event is unknown the merge day
stands in, and the dates say so (``Known.assumed``). Nothing takes effect before its pull
request is merged: the registry, and so every output, changes only then.

Pure: the calendar and the catalog come in, dates go out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from accessreg.model import Catalog, Provider, System, Timing
from accessreg.model.changes import ChangeKind
from accessreg.model.registry import Registry
from accessreg.timeline.business_days import BusinessCalendar, Start

Event = Literal["entered", "accepted", "merged"]
# What an item's date is counted from: an event of its pull request or a date it names.
Key = Literal[
    "entered",
    "accepted",
    "merged",
    "terminated_on",
    "suspended_on",
    "withdrawn_on",
    "registered",
    "taken_up",
]
# The keys that are a day the file names, not an event of the pull request.
NAMED_DAYS: tuple[Key, ...] = ("terminated_on", "suspended_on", "withdrawn_on")

EVENTS: tuple[Event, ...] = ("entered", "accepted", "merged")

# Which event each kind of permission change is keyed on (000 §5-1 ②, §5-2 ①, §5-3 ①); a
# suspension and its lifting are keyed on the suspension's own day (``Dates.suspension``), a
# new user of an operator still being registered on the registration's completion
# ("registered": 000 §3-1 ⑥ 【注３】, ``Dates.permission``), a permission of a system the
# operator is still taking up, or that only a role still to come allows, on the completion
# of the usage application that registers it ("taken_up": 000 §5-1 【注６】【注７】).
PERMISSION_KEY: dict[ChangeKind, Key] = {
    ChangeKind.ADD: "accepted",
    ChangeKind.CHANGE: "entered",
    ChangeKind.REMOVE: "entered",
}
# Kinds of change the system operator makes at once, outside the batches (001 p46).
AT_ONCE_KINDS = frozenset({ChangeKind.SUSPEND, ChangeKind.RESTORE})


@dataclass(frozen=True)
class Events:
    """What happened to one application (a pull request), as far as it is known."""

    entered: date | None = None  # opened, or last marked ready for review
    accepted: date | None = None  # a reviewer approved it
    merged: date | None = None

    def known(self, stand_in: date) -> Known:
        """Every event dated. An unknown merge is ``stand_in`` (the day of the run: a merge
        not made yet is made that day or later), or the acceptance when that is later (a plan
        for an approval still to come); an unknown acceptance is the merge; an unknown entry
        the acceptance. An entry after the acceptance (marked ready again after an approval)
        counts as the acceptance."""
        assumed: list[Event] = []
        merged = self.merged
        if merged is None:
            day = stand_in if self.accepted is None else max(self.accepted, stand_in)
            merged, assumed = day, [*assumed, "merged"]
        accepted = self.accepted
        if accepted is None:
            accepted, assumed = merged, [*assumed, "accepted"]
        entered = self.entered
        if entered is None:
            entered, assumed = accepted, [*assumed, "entered"]
        return Known(min(entered, accepted), accepted, merged, tuple(assumed))


@dataclass(frozen=True)
class Known:
    """An application's events, each dated; ``assumed`` names those that stood in."""

    entered: date
    accepted: date
    merged: date
    assumed: tuple[Event, ...] = ()

    def of(self, event: Event) -> date:
        day: date = getattr(self, event)
        return day


@dataclass(frozen=True)
class Effective:
    """When one item takes effect, and what that was counted from.

    ``on`` is None when the date is not known in advance: the catalog says a manual step of
    the system operator decides it (``start == "manual"``), or gives no timing at all
    (``start is None``).
    """

    on: date | None
    start: Start | None
    processing_day: date | None = None  # M, when the date is counted from it
    key: Key | None = None  # the event or date it is keyed on
    keyed_on: date | None = None
    # Moved to the day a permission applied before comes (``plan.waits``): the person is
    # downstream only then, so a change of them cannot come earlier.
    waits: bool = False
    # A manual step's systems (``start == "manual"`` of an item of no system of its own): it
    # takes effect when each has confirmed its part (``accessreg confirm --system``), on the
    # day of the last confirmation.
    steps: tuple[str, ...] = ()
    # A manual step's item in effect no earlier than this, whenever it is confirmed: a
    # certificate whose validity starts later (004), which no server takes before.
    not_before: date | None = None
    # A certificate registered before it can be used: the day its registration is done (M+6,
    # 000 §4-2 ⑤), where its validity starts only later, on ``on`` (004). None: done on ``on``.
    registered_on: date | None = None

    @property
    def pending(self) -> bool:
        return self.on is None

    @property
    def past_day(self) -> date | None:
        """The day the file names (a termination's chosen day, a suspension's, a
        withdrawal's) where it was already past at the merge, which the item takes effect
        on instead (``on``); None where the file names no day, or one not past, or the
        item waits for a permission applied before (``waits``): that, not the merge, is why
        it is later, and its own note says so."""
        if self.waits:
            return None
        named = self.key in NAMED_DAYS
        if named and self.keyed_on is not None and self.on is not None and self.keyed_on < self.on:
            return self.keyed_on
        return None


NO_DATE = Effective(None, None)


def processing_days(items: Iterable[date | None], undated: date | None = None) -> tuple[date, ...]:
    """The processing days M of an application, earliest first: those of its ``items``
    processed in an M batch (``Effective.processing_day``: a new user, 000 §5-1; a change
    of JUJU or LOACUS, §5-2; a certificate, §4-2), each keyed on its own date (a new user
    on its acceptance, a change on its entry), so that one application can fall into two
    batches. None for one no M batch processes: a deletion (the next day, or a manual step,
    §5-3), a usage application, new, change or termination (about 15 business days or the
    chosen day, §3-1..§3-3), an overseas address (§2-8), a suspension. ``undated``: the M
    of an application whose items were not dated (a first apply's load: its batch's). The
    plan, the 受付 mail, ``status`` and the report all name these."""
    found = sorted({day for day in items if day is not None})
    if found:
        return tuple(found)
    return (undated,) if undated is not None else ()


def registered(on: date | None, confirmed: date, not_before: date | None = None) -> date:
    """The day an item of a system is in effect, once the system's registration of it is
    recorded as done on ``confirmed`` (``accessreg confirm``): nothing is in effect before
    it is registered, so a registration after the announced day ``on`` moves it there (000
    §5-1: usable from M+6 *on*, later when the processing is delayed); an item of no
    announced day (a manual step) is in effect from its registration, or from
    ``not_before`` when that comes later (``Effective.not_before``)."""
    if on is None:
        return confirmed if not_before is None else max(confirmed, not_before)
    return max(on, confirmed)


# What a suspension stops, as the state keys an item: (subject, key, system), the system
# only for an operator's use of one; and the day its file names.
Suspended = tuple[str, str, str | None, date]


@dataclass(frozen=True)
class SuspensionDays:
    """The day each suspension in the files took effect (``Dates.suspension``), as recorded
    at its acceptance, by what it stops and the day its file names: the whitelists and
    ``status`` read it, as the deltas and mails were dated."""

    recorded: Mapping[Suspended, date] = field(default_factory=dict)
    # Of ``recorded``, those dated when a permission applied before comes (``Effective.waits``):
    # the ID was in no system before
    waiting: frozenset[Suspended] = frozenset()

    def since(self, subject: str, key: str, system: str | None, suspended_on: date) -> date:
        """From when ``key`` is suspended. One not recorded (loaded by a first apply, which
        records no dates, or not applied yet) from the day its file names."""
        return self.recorded.get((subject, key, system, suspended_on), suspended_on)

    def waits(self, subject: str, key: str, system: str | None, suspended_on: date) -> bool:
        """Whether ``since`` is the day a permission applied before comes."""
        return (subject, key, system, suspended_on) in self.waiting


@dataclass(frozen=True)
class Dates:
    """The dates of every item of one application, under one calendar and catalog."""

    calendar: BusinessCalendar
    catalog: Catalog
    events: Known
    loaded: date | None = None  # a first apply's day: every item (but a termination) on it
    # (system, kind, the day it is keyed on, its key) → its date: a batch has as many items
    # as users, but few systems, kinds and registrations still to come
    _permissions: dict[tuple[str, ChangeKind, date | None, Key], Effective] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _usages: dict[frozenset[str], Effective] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    # key → M: asked of every row of a batch (600,000 in a first apply)
    _processing_days: dict[Key, date] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @classmethod
    def of(cls, registry: Registry, events: Known, loaded: date | None = None) -> Dates:
        """The dates under a registry's own catalog and calendar; ``loaded``: the day a
        first apply loads the registry on."""
        calendar = BusinessCalendar.from_file(registry.calendar)
        return cls(calendar, registry.catalog, events, loaded)

    @property
    def accepted_on(self) -> date:
        """The acceptance day (受付日) of the application: every output that names it, and
        every date keyed on it, reads this one day. The centre accepts on business days only
        (000 §5-1 ②, §4-2: 翌営業日に申請受付; in the worked example of §5-1, case 3 is entered
        on Friday the 14th and accepted on Monday the 17th): an approval on a weekend, a
        public holiday or a closed day of the centre counts on the next business day. A
        first apply's is the day of the load (``loaded``): none of it is the centre's, and
        every output says that day, the batch's processing day M counted from it."""
        if self.loaded is not None:
            return self.loaded
        return self.calendar.effective_acceptance(self.events.accepted)

    @property
    def taken_on(self) -> date:
        """The acceptance day of an application that only suspends or lifts a suspension:
        the approval's own day, whatever day of the week, no later than the merge. The
        system operator stops first and without notice (001 p46, 002 §2.4), not on the
        centre's next business day."""
        if self.loaded is not None:
            return self.loaded
        return min(self.events.accepted, self.events.merged)

    def accepted_for(self, batched: bool) -> date:
        """The day an acceptance counts as for a provider's systems: the centre's business day
        (``accepted_on``) for those of a provider it batches (``Catalog.batched``: Tokyo Gas
        Network's, whose calendar ``calendar.yaml`` is, 000 §5-1); the approval's own day
        (``taken_on``) for the others. OCCTO's systems run 「原則として 24 時間 365 日」 (002
        §2.2, 003 §2.2) and the operator's own admin issues their IDs (002 §3.3, 003 §3.2):
        the centre's closed days hold nothing of theirs back."""
        return self.accepted_on if batched else self.taken_on

    def acceptance(self, at_once: bool, batched: bool = True) -> tuple[date, date | None]:
        """An application's 受付日 and its processing day M: ``accepted_on`` and the batch
        it falls into; for one that only suspends or lifts (``at_once``), ``taken_on`` and
        no M (it is in no batch); for one of systems whose provider has no processing day
        (not ``batched``: OCCTO's, ``Catalog.batched``), ``taken_on`` and no M either: the
        centre's calendar is not theirs (``accepted_for``). One touching a batched system
        too is told by the centre's rule: its 受付日 is the one its batch M counts from,
        while each item of the other provider counts from the approval's own day."""
        if at_once or not batched:
            return self.taken_on, None
        return self.accepted_on, self.processing_day()

    def batch_of(self, system_id: str, effective: Effective) -> date | None:
        """The processing day M of the batch a change of ``system_id`` dated ``effective``
        belongs to: its own M (``Effective.processing_day``), the one the plan, the 受付 mail
        and ``status`` name (``processing_days``): a new user's, the batch of the day it is
        keyed on whatever its systems' timing (000 §5-1), a change of JUJU or LOACUS (§5-2
        ③), a certificate's (§4-2). None for what no batch processes: a change of TAXIS or
        JOHS, which the system takes at once (§5-2 ①), a deletion (the next day, or the
        system operator's own step, §5-3), a usage application, a termination, a
        withdrawal, a suspension (000 §3-1..§3-3, 003 §2.7.1, 001 p46), and every change of
        a system whose provider has no processing day (OCCTO's: ``Catalog.batched``). A
        first apply loads everything in its own batch."""
        if not self.catalog.batched(system_id):
            return None
        if effective.key == "merged" or effective.key in NAMED_DAYS:
            return None
        if effective.processing_day is not None:
            return effective.processing_day
        if effective.key in ("entered", "taken_up") and self.loaded is None:
            # A change or deletion the system takes itself (§5-2 ①, §5-3 ①), entered once
            # the system is taken up where it waits for that
            return None
        # A new user's application is a batch's, whatever its systems' timing (§5-1)
        if effective.key == "registered" and effective.keyed_on is not None:
            return self.calendar.processing_day(effective.keyed_on)
        if effective.key in ("entered", "accepted"):
            return self.processing_day(effective.key)
        return self.processing_day()

    def keyed_on(self, key: Key, batched: bool = True) -> date:
        """The day ``key`` counts as: the acceptance day for the acceptance, as it counts
        for a provider the centre batches or not (``accepted_for``); an entry counts on its
        own day (the system takes it at once, 000 §5-2 ①)."""
        if key == "accepted":
            return self.accepted_for(batched)
        if (
            key == "terminated_on"
            or key == "suspended_on"
            or key == "withdrawn_on"
            or key == "registered"
            or key == "taken_up"
        ):
            raise ValueError(
                f"{key} is a date of its own: use termination(), suspension(), withdrawal() "
                "or permission(registered=...)"
            )
        return self.events.of(key)

    def processing_day(self, key: Key = "accepted") -> date:
        """M of the batch an application keyed on ``key`` falls into: an acceptance counts
        on a business day (a load's day too, which ``accepted_on`` keeps as it is), an entry
        on its own day (000 §5-2 ③)."""
        found = self._processing_days.get(key)
        if found is None:
            day = self.keyed_on(key)
            if key == "accepted":
                day = self.calendar.effective_acceptance(day)
            found = self._processing_days[key] = self.calendar.processing_day(day)
        return found

    def _counted(
        self, timing: Timing | None, key: Key, keyed_on: date | None = None, batched: bool = True
    ) -> Effective:
        """``timing`` counted from the day ``key`` counts as for a provider the centre
        batches or not (``keyed_on``), or from ``keyed_on`` where the key is a day of its
        own."""
        keyed_on = keyed_on or self.keyed_on(key, batched)
        if self.loaded is not None:
            return Effective(self.loaded, "accepted", key=key, keyed_on=keyed_on)
        if timing is None:
            return NO_DATE
        if timing.start == "manual":
            return Effective(None, "manual", key=key, keyed_on=keyed_on)
        m: date | None = None
        base = keyed_on
        if timing.start == "processing_day":
            m = base = self.calendar.processing_day(keyed_on)
        day = self.calendar.add_business_days(base, timing.business_days)
        day += timedelta(days=timing.days)
        # Nothing takes effect before the merge: only then do the outputs change.
        return Effective(max(day, self.events.merged), timing.start, m, key, keyed_on)

    def timing_of(self, system_id: str, kind: ChangeKind) -> Timing | None:
        system = self.catalog.by_id.get(system_id)
        if system is None or system.timing is None:
            return None
        timing: Timing | None = getattr(system.timing, kind)
        return timing

    def _latest(
        self,
        systems: Iterable[str],
        timing: Callable[[Provider], Timing | None],
        gated: Callable[[System], bool] = lambda _: True,
    ) -> Effective:
        """The latest of the dates the providers of ``systems`` give (an operator using
        systems of both): one not known in advance (a manual step) is later than any known
        one, and waits for each of those providers' systems among ``systems`` that the item
        passes (``gated``: a certificate, the systems that take one; all of them where none
        does); a provider that gives no timing has no say."""
        if self.loaded is not None:
            return self._counted(None, "accepted")  # the registry as it stands, no step
        wanted = set(systems)
        named = [s for s in self.catalog.systems if s.id in wanted]
        batched = self.catalog.batched_providers
        found = []
        for provider in self.catalog.providers_of(s.id for s in named):
            t = timing(provider)
            if t is None:
                continue
            effective = self._counted(t, "accepted", batched=provider.id in batched)
            if effective.start == "manual":
                own = [s for s in named if s.provider == provider.id and s.derived is None]
                gates = [s.id for s in own if gated(s)] or [s.id for s in own]
                effective = replace(effective, steps=tuple(gates))
            found.append(effective)
        if not found:
            return NO_DATE
        pending = [e for e in found if e.on is None]
        if pending:
            # The manual step's day decides, but never before the known ones: confirmed
            # early, it must not let an item in before another provider's date (M+6).
            known = [e.on for e in found if e.on is not None]
            least = max([*known, *(e.not_before for e in pending if e.not_before)], default=None)
            steps = tuple(s for e in pending for s in e.steps)
            return replace(pending[0], steps=steps, not_before=least)
        return max(found, key=lambda e: e.on or date.min)

    def permission(
        self,
        system_id: str,
        kind: ChangeKind,
        registered: date | None = None,
        taken_up: date | None = None,
    ) -> Effective:
        """A user's permission of ``system_id`` set, changed or deleted (000 §5-1..§5-3);
        suspended or restored, where the suspension's own day is not known: on the merge.

        ``registered``: the day the usage application (new) of the user's operator
        completes, where it is still to come. Only then does the window person receive the
        ID with which the permission-set application is filed (000 §3-1 ⑥ 【注３】), so a
        new user's permission is keyed on that day, at the earliest, where it is later than
        the acceptance: the batch M of its half of the month (§5-1), and the timing counted
        from there.
        ``taken_up``: the day the usage application that registers the operator for the
        permission completes (adding ``system_id``, or a role its code needs), where it is
        still to come. A permission can be entered only once the operator is registered
        for it (§5-1 【注６】【注７】), so a permission set or changed is keyed on that day,
        where it is later than its own event: a change of TAXIS or JOHS takes effect on it
        (§5-2 ①), one of JUJU or LOACUS in the batch of its half of the month. A deletion
        waits for nothing. A load (``loaded``) registers every operator as it stands:
        neither day is still to come, and the 受付 mail, which explains a date by its key,
        must not count a load's from them."""
        if kind in AT_ONCE_KINDS:
            return self.suspension(None)
        if self.loaded is not None:
            registered = taken_up = None
        batched = self.catalog.batched(system_id)
        keyed_on: date | None = None
        key: Key = PERMISSION_KEY[kind]
        if registered is not None and kind is ChangeKind.ADD:
            day = self.calendar.effective_acceptance(registered) if batched else registered
            if day > self.accepted_for(batched):  # else registered by the acceptance
                keyed_on, key = day, "registered"
        if taken_up is not None and kind is not ChangeKind.REMOVE:
            if kind is ChangeKind.ADD and batched:
                taken_up = self.calendar.effective_acceptance(taken_up)
            if taken_up > (keyed_on or self.keyed_on(key, batched)):
                keyed_on, key = taken_up, "taken_up"
        cached = (system_id, kind, keyed_on, key)
        found = self._permissions.get(cached)
        if found is None:
            timing = self.timing_of(system_id, kind)
            if keyed_on is None:
                found = self._counted(timing, key, batched=batched)
            else:
                found = self._counted(timing, key, keyed_on)
            self._permissions[cached] = found
        return found

    def certificate(self, systems: Iterable[str], valid_from: date | None = None) -> Effective:
        """A client certificate registered for ``systems``: each provider's own step, keyed
        on the review passing (000 §4-2: usable from M+6; OCCTO's help desk, 001 p13), and
        never before ``valid_from``, the start of its validity, which EPPCERT may set up to
        179 days ahead (004): until then no server takes it, and the whitelists leave it out.
        A registration done before ``valid_from`` keeps its own day (``registered_on``: the
        登録完了連絡 is owed then, 000 §4-2 ⑤). A manual step's registration, whose day is not
        known yet, keeps ``valid_from`` as the least day it can take effect on
        (``registered``)."""
        found = self._latest(
            systems, lambda p: p.certificate_registration, lambda s: s.certificates is not None
        )
        if valid_from is None:
            return found
        if found.on is None:
            if not found.steps:
                return found
            # A validity already begun by the approval bounds nothing: no step comes sooner.
            floors = [d for d in (found.not_before, valid_from) if d and d > self.taken_on]
            return replace(found, not_before=max(floors, default=None))
        if found.on >= valid_from:
            return found
        return replace(found, on=valid_from, registered_on=found.on)

    def allowed_ip(self, systems: Iterable[str]) -> Effective:
        """An overseas address whitelisted once the centre has accepted it (000 §2-8)."""
        return self._latest(systems, lambda p: p.ip_registration, lambda s: s.overseas_block)

    def usage(self, systems: Iterable[str]) -> Effective:
        """A usage application (new, change: 000 §3-1, §3-2) concerning ``systems`` done,
        window persons and subcontractors with it (about 15 business days): all the
        operator's for its common terms, those added or given up for a change of its
        systems alone (``_Differ.usage_change``), one terms' for its part of a change of
        systems under several (``_Differ.by_terms``)."""
        key = frozenset(systems)
        found = self._usages.get(key)
        if found is None:
            found = self._usages[key] = self._latest(key, lambda p: p.usage_application)
        return found

    def termination(self, terminated_on: date | None) -> Effective:
        """A termination takes effect on the day the operator chose (000 §3-3), never before
        the merge; a file simply removed ends on the merge."""
        if terminated_on is None:
            merged = self.events.merged
            return Effective(merged, "accepted", key="merged", keyed_on=merged)
        return self._named_day(terminated_on, "terminated_on")

    def withdrawal(self, withdrawn_on: date) -> Effective:
        """An OCCTO withdrawal ends the use of the member system on its day, and of all else
        only a member holds (``Catalog.ends_with_membership``): the system's contract ends
        when the membership is lost (003 §2.7.1: 「本機関の会員の資格を喪失した時点で終了す
        る」), not when the registry hears of it, and until then the operator is a member (002
        §2.1.1 ①(イ)); never before the merge."""
        return self._named_day(withdrawn_on, "withdrawn_on")

    def _named_day(self, day: date, key: Key) -> Effective:
        """An end on the day the file names, or on the merge where that day is past."""
        return Effective(max(day, self.events.merged), "accepted", key=key, keyed_on=day)

    def suspension(self, suspended_on: date | None) -> Effective:
        """A certificate, a user ID or an operator's use of a system suspended from
        ``suspended_on`` (None: the suspension lifted): at once, on that day, never before
        the merge, whatever day of the week (001 p46, 002 §2.4, §2.6, §3.4.4: the system
        operator stops first, without notice, and decides after). A lifting has no day
        of its own in the file: the merge. Keyed on ``suspended_on`` either way, and in no
        batch: no processing day M."""
        merged = self.events.merged
        on = merged if suspended_on is None else max(suspended_on, merged)
        return Effective(on, "accepted", key="suspended_on", keyed_on=suspended_on)
