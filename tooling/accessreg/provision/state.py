"""What provisioning remembers between runs: ``state.json`` of the state ref.

The last applied revision and every batch with its applications and, per system,
*generated* (the files exist) and *imported* (the downstream system has taken them: the
authentication-system registration of 000 §5-1 ④⑥ is done by someone else and recorded with
``accessreg confirm``); and the files an error at HEAD holds back, with the revision whose
content downstream holds of each (``provision.holding``). The same ref holds the outbox of
every mail (``effects.outbox``); the session (``effects.session``) reads and writes both.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from accessreg.errors import ConfigError, UsageError
from accessreg.escape import quote
from accessreg.gitio.repo import GitRepository
from accessreg.gitio.state import STATE_REF
from accessreg.model.base import Frozen, UnreadableError, json_document
from accessreg.model.layout import USERS_DIR, registry_rel, repo_path
from accessreg.model.messages import Param, msg
from accessreg.outputs.csv_ import Encoding
from accessreg.outputs.ldif import is_base_dn
from accessreg.plan.waits import Waits
from accessreg.timeline.effective import (
    Key,
    Suspended,
    SuspensionDays,
    processing_days,
    registered,
)

STATE_FILE = "state.json"


class SystemProgress(Frozen):
    generated_on: date
    imported_on: date | None = None
    notified: bool = False  # every completion notice of this system has been sent

    def imported_by(self, day: date) -> bool:
        """Whether the system had imported the batch on ``day``: a confirmation recorded
        for a later day had not happened yet then (``status --today``)."""
        return self.imported_on is not None and self.imported_on <= day


# Items registered by the centre on a date of their own, outside the import batches.
REGISTERED = ("certificate", "allowed_ip")
# Items of a person, whose rows of each system a completion notice lists.
_PERSONS = ("user", "window_person")


class ItemDates(Frozen):
    """One item's dates as announced at acceptance (``timeline.effective``). Read back by
    every later run, never recomputed: a calendar edit does not move an announced date."""

    subject: str  # user, window_person, certificate, allowed_ip, operator, subcontractor
    # The login ID (lower case), certificate ID, CIDR or code; one terms' part of a usage
    # change of systems under several: the code and the terms (``merges._own_key``)
    key: str
    # A permission's system, or an operator's suspended one; None: the item's own date
    system: str | None = None
    on: date | None
    start: Literal["accepted", "processing_day", "manual"] | None = None
    processing_day: date | None = None
    keyed: Key | None = None
    keyed_on: date | None = None
    serial: str | None = None  # a certificate's, as the whitelists name it
    action: Literal["add", "change", "remove"] | None = None
    waits: bool = False  # dated when a permission applied before comes (``plan.waits``)
    # A permission the person held none of before (``Effect.old`` None): until ``on``,
    # downstream has nothing of it that a suspension could stop (``plan.waits.stop``)
    added: bool = False
    # The code the person holds until ``on`` where the change replaces or removes one
    # (``Effect.old``): a suspension before then stops that code (``plan.waits.stop``)
    held: str | None = None
    # A permission the change takes away (``Effect.new`` None): a suspension before ``on``
    # stops ``held`` at once, and the removal ends it (``plan.waits.removals``). Of an
    # operator's system: one its usage change gives up, kept until ``on`` (``Admitted.dropped``)
    removed: bool = False
    # A row of the person's that changes while the code stays (their name, kana or memo, or
    # their operator's name): no change of the permission that a notice foretells
    # (``notices.coming``); written only when true, so that a version dating such rows
    # otherwise refuses the state (T18)
    fields_only: bool = False
    # A manual step's systems (``Effective.steps``): the item takes effect on the day the last
    # of them confirms the batch (``BatchRecord.in_effect_on``), not before ``not_before``.
    steps: tuple[str, ...] = ()
    not_before: date | None = None  # ``Effective.not_before``
    # A certificate registered (M+6) before its validity starts, on ``on``: the day its
    # registration is done (``Effective.registered_on``). None: done on ``on`` (and in a
    # state recorded before it was kept).
    registered_on: date | None = None
    # The roles a usage change adds to its operator, from ``on`` (``OperatorChange.added_roles``)
    roles: tuple[str, ...] = ()
    # The roles a usage change takes from its operator, held until ``on``
    # (``OperatorChange.given_up_roles``)
    roles_given_up: tuple[str, ...] = ()
    # A certificate's registration with this provider alone, where it is registered with
    # several on days of their own (``CertificateChange.part``): its whitelists take it on
    # ``on`` (``Admitted.certificate``). None: the same day for every provider.
    provider: str | None = None

    @property
    def base_key(self) -> str:
        """The key of what the item is of, without the part its own key names
        (``merges._own_key``): one terms' part of a usage change is of the operator
        (``TESTOP01/occto``), one provider's registration of a certificate (``provider``)
        of the certificate (``EP-TEST-0002/occto``)."""
        if self.subject == "operator":
            return self.key.partition("/")[0]
        return self.key.removesuffix(f"/{self.provider}") if self.provider else self.key

    @property
    def removes(self) -> bool:
        """Whether the permission goes: its holder removed, or a change dropping this system
        while keeping others (``removed``; 抹消 in its delta row and 受付 mail). A state
        recorded before ``removed`` was kept has it only as the action."""
        return self.action == "remove" or self.removed

    @property
    def registers_nothing(self) -> bool:
        """Whether it is a change of a certificate or an address that registers nothing: the
        same serial named for other systems, or with another location, an address with
        another reason, dated on its merge (``plan.diff``), when the whitelists take it. It
        is let through from its registration still (``bundle.admitted``), and no 登録完了連絡
        follows."""
        return self.subject in REGISTERED and self.action == "change" and self.keyed == "merged"

    @property
    def gives_up(self) -> bool:
        """Whether it records a system a usage change takes from its operator
        (``merges.dates_of``), or a certificate registered for it then (``serial``): kept
        until the change is done."""
        return self.subject == "operator" and bool(self.system) and self.removed

    @property
    def adds_use(self) -> bool:
        """Whether it records a system its operator's usage application adds to it, dated
        as the application (``OperatorChange.added_uses``): not one it gives up
        (``removed``), suspends or lifts, nor one its OCCTO withdrawal takes."""
        return (
            self.subject == "operator"
            and bool(self.system)
            and not self.removed
            and self.keyed not in ("withdrawn_on", "suspended_on")
        )

    @property
    def takes_use(self) -> bool:
        """Whether it records a system its operator's usage change gives up, or its OCCTO
        withdrawal takes, on its day: the operator uses it until then."""
        withdrawn = (
            self.subject == "operator" and bool(self.system) and self.keyed == "withdrawn_on"
        )
        return self.serial is None and (self.gives_up or withdrawn)

    @property
    def registered_by(self) -> date | None:
        """The day its registration is done: the 登録完了連絡 is owed from then (000 §4-2 ⑤),
        the item usable from ``on``."""
        return self.registered_on or self.on


class ApplicationRecord(Frozen):
    """One operator's part of one merged change: an application of 000 §3-§5."""

    id: str  # <commit, 12 hex>/<operator code>
    commit: str
    # The revision its merge's step started from, which rebuilds it (``completion``): the
    # commit it was merged onto, or the last one before that the run could read; None:
    # nothing (a load's first merge: downstream held nothing before it).
    parent: str | None
    operator: str
    title: str  # the pull request's number and title where known, else empty
    # The acceptance day (受付日, ``Dates.acceptance``): a business day, the approval's own
    # day moved to the next business day; for an application that only suspends or lifts,
    # or of OCCTO's systems alone, the approval's own day. Every output that names it reads
    # it here.
    accepted_on: date
    # The first of ``processing_days``; None: in no M batch (a deletion, a usage application,
    # an overseas address, a suspension); a first apply's: its batch's.
    processing_day: date | None
    kinds: tuple[str, ...]  # application types, in Japanese as the seeds name them
    systems: tuple[str, ...]  # systems whose downstream data it changes
    entered_on: date | None = None
    merged_on: date | None = None
    assumed: tuple[str, ...] = ()  # events the merge day stood in for
    items: tuple[ItemDates, ...] = ()
    # Files held back before and released by this application: it goes from what downstream
    # held of them to their content at its batch's head (``merges.released_step``).
    released: tuple[str, ...] = ()
    # Files held back that this application revokes from: it goes from what downstream held
    # of them to that content with the revocations of their version at its batch's head
    # laid over it (``merges.revoked_step``).
    revoked: tuple[str, ...] = ()
    # Its 登録完了連絡 (000 §4-2 ⑤) is in the outbox for every window person: it is owed no
    # more, and the application is not rebuilt from git again to find out.
    registration_notified: bool = False
    # Its 受付 notices were not all handed to the SMTP server when its run was recorded (the
    # server could not be reached, or stopped taking mail): provisioning went on without
    # them, and every later run sends them (``completion.acceptances_due``) until it has.
    acceptance_owed: bool = False

    @property
    def processing_days(self) -> tuple[date, ...]:
        """The batches M it falls into, as its items were dated (``processing_days``): none
        where no M batch processes any of them (a state recorded before kept the M of the
        acceptance for those: it is not read). A first apply's records no item: its own M."""
        undated = None if self.items else self.processing_day
        return processing_days((i.processing_day for i in self.items), undated)

    def as_counted(self) -> ApplicationRecord:
        """The record with its acceptance day as it counts. A state recorded before the
        acceptance day was recorded so holds the approval's own day, a Sunday's too; its
        items keyed on the acceptance recorded the business day that counted: the latest of
        them, as an item of OCCTO's counts from the approval's own day (``Dates.accepted_for``)."""
        counted = max(
            (i.keyed_on for i in self.items if i.keyed == "accepted" and i.keyed_on), default=None
        )
        if counted is None or counted == self.accepted_on:
            return self
        return self.model_copy(update={"accepted_on": counted})

    def dates(self) -> dict[tuple[str, str, str | None], ItemDates]:
        return {(i.subject, i.key, i.system): i for i in self.items}

    def announced(self) -> dict[tuple[str, str], date]:
        """(system, login) → the day its 受付 mail gave that person's row of the system (a
        permission's recorded date, a window person's permission-management ID's too): a
        completion notice dating the row later (``effective.registered``) says so beside
        it. None of a first apply's (its items are not dated) nor of a manual step's."""
        return {
            (i.system, i.key): i.on
            for i in self.items
            if i.on is not None and i.system is not None and i.subject in _PERSONS
        }

    def registrations(self) -> tuple[ItemDates, ...]:
        """Certificates and overseas addresses it registers, each with its own date: the
        application is done with them on the day each is registered (``registered_by``: 000
        §4-2 ⑤ 登録完了連絡), usable from its date. A suspension registers nothing."""
        return tuple(
            i
            for i in self.items
            if i.subject in REGISTERED
            and i.system is None
            and i.action != "remove"
            and i.keyed != "suspended_on"
            and not i.registers_nothing
            and i.on
        )


class BatchRecord(Frozen):
    id: str
    number: int  # 1, 2, ... in the order batches were recorded
    base: str | None
    head: str
    created_on: date
    applications: tuple[ApplicationRecord, ...]
    systems: dict[str, SystemProgress]
    # Files pinned in this batch's registries (held back, or released by it) → the revision
    # whose content downstream held of them (None: none), to rebuild its applications.
    pins: dict[str, str | None] = {}  # noqa: RUF012 - pydantic copies it per instance
    # Of those, the ones whose revocations downstream held too → the revisions taken from
    # (``HeldFile.revoked``).
    revoked: dict[str, tuple[str, ...]] = {}  # noqa: RUF012 - pydantic copies it per instance
    # Written by the versions whose directory groups came and went with their holders, as
    # system → code → date: the groups a later delta of the batch created or deleted (the
    # switch to standing groups waits for them: ``State.groups_to_come``), and those whose
    # members it changed (read, so that such states stay readable; not used).
    groups: dict[str, dict[str, date]] = {}  # noqa: RUF012 - pydantic copies it per instance
    members: dict[str, dict[str, date]] = {}  # noqa: RUF012 - pydantic copies it per instance
    # Holders a delta of this batch dated later moves into or out of a group of a system,
    # as system → login → that date, where no item of theirs records it (a suspension's
    # systems, a derived system): a directory has them as they were until then.
    moves: dict[str, dict[str, date]] = {}  # noqa: RUF012 - pydantic copies it per instance

    def application_systems(self, app: ApplicationRecord) -> dict[str, SystemProgress]:
        return {s: self.systems[s] for s in app.systems if s in self.systems}

    def importable_from(self, system: str) -> date:
        """The first day ``system`` can have imported the batch (``accessreg confirm``): not
        before the run that made its files (``created_on``), nor before the centre accepted
        the last of its applications that needs the system (000 §5-1: ②申請受付 comes
        before ④ the registration)."""
        accepted = [a.accepted_on for a in self.applications if system in a.systems]
        return max([self.created_on, *accepted])

    def in_effect_on(self, item: ItemDates) -> date | None:
        """The day ``item`` of one of the batch's applications takes effect: the date recorded
        at acceptance, or, for a manual step (``steps``), the day the last of its systems
        confirmed its part of the batch (``accessreg confirm``, ``effective.registered``);
        None while one has not."""
        if item.on is not None or not item.steps:
            return item.on
        days = [p.imported_on if (p := self.systems.get(s)) else None for s in item.steps]
        confirmed = [d for d in days if d is not None]
        if len(confirmed) < len(days):
            return None
        return registered(item.on, max(confirmed), item.not_before)

    def held_from(self, item: ItemDates) -> date | None:
        """The day downstream holds ``item``, a user's permission of a system: the day
        announced at acceptance, or the day the system confirmed its import of the batch
        when that came later (``effective.registered``, as the completion notice dates
        it); a manual step's as ``in_effect_on``, never before its least day
        (``not_before``); the day announced while no import is confirmed."""
        progress = self.systems.get(item.system) if item.system is not None else None
        if progress is None or progress.imported_on is None:
            return self.in_effect_on(item)
        return registered(item.on, progress.imported_on, item.not_before)

    @property
    def loaded_on(self) -> date | None:
        """The day a first apply (no base: downstream held nothing) loaded the registry as
        it stood at ``head``: everything it held took effect that day (``Dates.loaded``), and
        its applications record no dates of their own. None for any other batch."""
        return self.created_on if self.base is None else None


class HeldFile(Frozen):
    """A registry file held back (``provision.holding``): downstream holds its content at
    ``rev`` (None: nothing of it), whatever ``applied`` says."""

    rev: str | None
    operator: str
    since: date  # the first run that held it back
    # The revisions whose revocations downstream holds over that content, in the order they
    # were taken (``files.revocations``): the runs that applied them took them from the
    # file as it was at each, with its errors.
    revoked: tuple[str, ...] = ()


@dataclass(frozen=True)
class Waiting:
    """Applied applications with a permission still to take effect: downstream holds what
    their batches' ``base`` held of them until then."""

    base: str | None  # the applied revision before the oldest such batch
    operators: frozenset[str]
    # (system, login) → the day its permission comes, as announced
    until: Mapping[tuple[str, str], date]
    # login → the last day a change of the user's own comes: a new user's entry (with its
    # first permission), a suspension
    entries: Mapping[str, date] = field(default_factory=dict)
    # Of ``until``, the permissions new to the person (``ItemDates.added``)
    added: frozenset[tuple[str, str]] = frozenset()
    # Of ``until``, the code downstream holds until the first of them comes (``ItemDates.held``)
    held: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # Of ``until``, the permissions taken away when they come (``ItemDates.removed``)
    removed: frozenset[tuple[str, str]] = frozenset()
    # Of ``until``, the days of the earlier changes and the codes they bring (``Waits.through``)
    through: Mapping[tuple[str, str], tuple[tuple[date, str], ...]] = field(default_factory=dict)
    # Files held back at ``base`` (and those the oldest batch held back first) → the
    # revision whose content downstream held of them then (``BatchRecord.pins``).
    pins: Mapping[str, str | None] = field(default_factory=dict)
    revoked: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # ``BatchRecord.revoked``
    # operator → the day its registration comes (``Waits.registrations``)
    registrations: Mapping[str, date] = field(default_factory=dict)
    # (operator, system) → the day a usage application adds it (``Waits.uses``)
    uses: Mapping[tuple[str, str], date] = field(default_factory=dict)
    # (operator, system) → the day a usage change or withdrawal takes it (``Waits.kept``)
    kept: Mapping[tuple[str, str], date] = field(default_factory=dict)
    # (operator, role) → the day a usage change adds it (``Waits.roles``)
    roles: Mapping[tuple[str, str], date] = field(default_factory=dict)
    # (operator, role) → the day a usage change takes it (``Waits.kept_roles``)
    kept_roles: Mapping[tuple[str, str], date] = field(default_factory=dict)

    @property
    def waits(self) -> Waits:
        return Waits(
            self.until,
            self.entries,
            self.added,
            self.held,
            self.removed,
            self.through,
            self.registrations,
            self.uses,
            self.kept,
            self.roles,
            self.kept_roles,
        )


class Coming:
    """What applied items make come after ``today``, gathered application by application,
    the oldest first: the one reading of recorded dates into ``Waits``, for the batches of
    the runs before (``State.waiting``) and for the earlier merges of a run
    (``merges._steps``), so that a merge is dated alike whether the one before it was
    applied in the same run or in an earlier one."""

    def __init__(self, today: date, waits: Waits | None = None) -> None:
        self.today = today
        self.until: dict[tuple[str, str], date] = dict(waits.people) if waits else {}
        self.entries: dict[str, date] = dict(waits.entries) if waits else {}
        self.added: set[tuple[str, str]] = set(waits.added) if waits else set()
        self.held: dict[tuple[str, str], str] = dict(waits.held) if waits else {}
        self.removed: set[tuple[str, str]] = set(waits.removed) if waits else set()
        self.through: dict[tuple[str, str], tuple[tuple[date, str], ...]] = (
            dict(waits.through) if waits else {}
        )
        self.registrations: dict[str, date] = dict(waits.registrations) if waits else {}
        self.uses: dict[tuple[str, str], date] = dict(waits.uses) if waits else {}
        self.kept: dict[tuple[str, str], date] = dict(waits.kept) if waits else {}
        self.roles: dict[tuple[str, str], date] = dict(waits.roles) if waits else {}
        self.kept_roles: dict[tuple[str, str], date] = dict(waits.kept_roles) if waits else {}

    def take(self, items: Iterable[ItemDates]) -> bool:
        """Add an application's ``items`` dated after the day; whether any was."""
        today, entries = self.today, self.entries
        taken = False
        first: dict[str, date] = {}  # a new user's entry comes with its first permission
        for i in items:
            login = i.key.lower()
            if i.subject == "user" and i.action == "add" and i.system and i.on:
                first[login] = min(i.on, first.get(login, i.on))
            if i.subject == "operator" and i.action == "add" and i.system is None:
                # A new operator's registration (利用申請（新規）) still to come: its users
                # are keyed on it (``Waits.registrations``)
                if i.on is not None and i.on > today:
                    self.registrations[i.key] = i.on
                    taken = True
                continue
            if i.subject == "operator" and i.on is not None and i.on > today:
                code = i.base_key
                # Roles a usage change takes still to come: held until then, so that one
                # taken back meanwhile is held all along (``Waits.kept_roles``)
                self.kept_roles.update({(code, role): i.on for role in i.roles_given_up})
                # Roles a usage change adds still to come: the permissions only they allow
                # are keyed on it (``Waits.roles``); one still held goes on being held
                added = [r for r in i.roles if (code, r) not in self.kept_roles]
                self.roles.update({(code, role): i.on for role in added})
                taken = taken or bool(i.roles or i.roles_given_up)
            if i.system is not None and (i.takes_use or i.adds_use):
                use = (i.key, i.system)
                if i.on is None or i.on <= today:
                    continue
                taken = True
                if i.takes_use:
                    # Used until then: a permission of it given back waits for nothing
                    self.kept[use] = i.on
                elif use not in self.kept:
                    # A system a usage application adds still to come: its users'
                    # permissions of it are keyed on it (``Waits.uses``); one still kept
                    # goes on being used
                    self.uses[use] = i.on
                continue
            if i.on is None or i.on <= today or i.subject == "operator":
                continue
            if i.system is None and i.subject != "user":
                continue
            taken = True
            if i.system is None:  # a change of the user's own (a suspension)
                entries[login] = max(i.on, entries.get(login, i.on))
            else:
                key = (i.system, login)
                before = self.until.get(key)
                if before is not None and i.held is not None and before < i.on:
                    # The earlier change brings the code this one replaces
                    self.through[key] = (*self.through.get(key, ()), (before, i.held))
                self.until[key] = max(i.on, self.until.get(key, i.on))
                if i.added and before is None:
                    # New to the person only if nothing of it comes before: an addition
                    # after a removal still to come finds downstream holding it until then
                    self.added.add(key)
                if i.held is not None:  # the oldest application's: what came before is held
                    self.held.setdefault(key, i.held)
                if i.removed:  # the last application's says what the permission ends as
                    self.removed.add(key)
                else:
                    self.removed.discard(key)
        for login, on in first.items():
            if on > today:
                entries[login] = max(on, entries.get(login, on))
        return taken

    @property
    def waits(self) -> Waits:
        return Waits(
            dict(self.until),
            dict(self.entries),
            frozenset(self.added),
            dict(self.held),
            frozenset(self.removed),
            dict(self.through),
            dict(self.registrations),
            dict(self.uses),
            dict(self.kept),
            dict(self.roles),
            dict(self.kept_roles),
        )


# How downstream's directory groups were kept by the version that applied the state: with
# their holders (created with the first, deleted with the last: the versions before the
# key) or standing (every group of the catalog, held or not: ``outputs.ldif``).
Groups = Literal["with_holders", "standing"]


class State(Frozen):
    version: Literal[1] = 1
    groups: Groups = "with_holders"
    applied: str | None = None
    applied_on: date | None = None
    batches: dict[str, BatchRecord] = {}  # noqa: RUF012 - pydantic copies it per instance
    held: dict[str, HeldFile] = {}  # noqa: RUF012 - by registry path
    # The CSV encoding of the run that recorded it, which holds back a file whose values it
    # cannot hold: a pull request's plan judges the files held back as the merge's run will.
    # The runs that name none write in it too, as they write the LDIF under ``ldap_base``:
    # the base DN downstream's directory holds its entries under, once a run named one.
    encoding: Encoding = Encoding.UTF8
    ldap_base: str | None = None

    def applications(self) -> Iterator[tuple[BatchRecord, ApplicationRecord]]:
        for batch in self.ordered():
            for app in batch.applications:
                yield batch, app

    def waiting(self, today: date) -> Waiting | None:
        """The applications with a system's permission dated after ``today`` (a new user's
        M+6 or M+9, a termination's date, or a holder a later delta moves: ``moves``), from
        the oldest batch holding one; None when none waits. A permission with no date (a
        manual step) does not hold the range open: it waits only in the run that applies
        it."""
        found: BatchRecord | None = None
        operators: set[str] = set()
        coming = Coming(today)
        until = coming.until
        for batch, app in self.applications():
            if coming.take(app.items):
                found = found or batch
                operators.add(app.operator)
        for batch in self.ordered():
            # A holder's group of a system moved later than its items say (a suspension's
            # systems, a change dated when an earlier one comes).
            moved = _after(batch.moves, today)
            if moved:
                owner = {i.key.lower(): a.operator for a in batch.applications for i in a.items}
                for (system, login), on in moved.items():
                    if login in owner:
                        if found is None or batch.number < found.number:
                            found = batch
                        operators.add(owner[login])
                        until[system, login] = max(on, until.get((system, login), on))
        if found is None:
            return None
        return Waiting(
            found.base,
            frozenset(operators),
            until,
            coming.entries,
            frozenset(coming.added),
            coming.held,
            frozenset(coming.removed),
            coming.through,
            found.pins,
            found.revoked,
            coming.registrations,
            coming.uses,
            coming.kept,
            coming.roles,
            coming.kept_roles,
        )

    def groups_to_come(self, today: date) -> dict[tuple[str, str], date]:
        """The directory groups a delta of a version that kept groups with their holders
        still creates or deletes after ``today``, as (system, code) → the last such day
        (``BatchRecord.groups``): standing groups cannot be set up before then."""
        found: dict[tuple[str, str], date] = {}
        if self.groups == "standing":
            return found
        for batch in self.ordered():
            for key, on in _after(batch.groups, today).items():
                found[key] = max(on, found.get(key, on))
        return found

    def ordered(self) -> list[BatchRecord]:
        return sorted(self.batches.values(), key=lambda b: b.number)

    def batch(self, batch_id: str) -> BatchRecord:
        try:
            return self.batches[batch_id]
        except KeyError:
            latest = tuple(b.id for b in self.ordered()[-5:])
            known: Param = latest or msg("none yet")  # a list in the reader's words
            raise UsageError(
                msg("No batch {batch_id} (latest: {known})", batch_id=quote(batch_id), known=known)
            ) from None


def loaded_users(repo: GitRepository, state: State) -> dict[str, date]:
    """The user files (relative to the registry) a first apply loaded → the day it loaded
    them (``BatchRecord.loaded_on``): their IDs were issued then. Those of its head, but for
    the files it held back (released later, with dates of their own); empty when the state
    began otherwise (``--base``: what downstream held then has no recorded day)."""
    first = next((b for b in state.ordered() if b.loaded_on is not None), None)
    if first is None or first.loaded_on is None:
        return {}
    found: dict[str, date] = {}
    for path in repo.file_paths(first.head, repo_path(USERS_DIR)):
        rel = registry_rel(path)
        if rel is not None and rel not in first.pins:
            found[rel] = first.loaded_on
    return found


def suspension_days(records: Iterable[ApplicationRecord]) -> SuspensionDays:
    """The day each suspension took effect, as its application recorded it
    (``Dates.suspension``), by what it stops and the day its file names; the latest
    application's where several name the same."""
    found: dict[Suspended, date] = {}
    waits: dict[Suspended, bool] = {}
    for record in records:
        for i in record.items:
            if i.keyed == "suspended_on" and i.keyed_on is not None and i.on is not None:
                key = (i.subject, i.key, i.system, i.keyed_on)
                found[key], waits[key] = i.on, i.waits
    return SuspensionDays(found, frozenset(k for k, w in waits.items() if w))


def by_system(found: Mapping[tuple[str, str], date]) -> dict[str, dict[str, date]]:
    """(system, code or login) → date, as a batch records it: system → key → date."""
    nested: dict[str, dict[str, date]] = {}
    for (system, key), on in sorted(found.items()):
        nested.setdefault(system, {})[key] = on
    return nested


def _after(nested: Mapping[str, Mapping[str, date]], today: date) -> dict[tuple[str, str], date]:
    """A batch's record (``by_system``) as (system, key) → date, those after ``today``."""
    return {
        (system, key): on
        for system, keys in nested.items()
        for key, on in keys.items()
        if on > today
    }


def recorded(repo: GitRepository) -> State:
    """The state the state ref of ``repo`` records: empty before the first apply, or where
    the ref was not fetched."""
    raw = repo.file_at(STATE_REF, STATE_FILE)
    return _parsed(raw) if raw else State()


def recorded_waits(state: State, today: date) -> Waits:
    """The permissions applied before and still to come on ``today``, as ``state`` records
    them: a pull request's plan dates a change of one as its merge will (``plan.waits``)."""
    found = state.waiting(today)
    return found.waits if found is not None else Waits()


def load(files: Mapping[str, bytes]) -> State:
    """The state recorded in the state ref's files (empty before the first record)."""
    raw = files.get(STATE_FILE)
    return _parsed(raw) if raw else State()


def _parsed(raw: bytes) -> State:
    """``state.json`` as recorded. One this version does not read (a newer version wrote
    it, or it is damaged) stops the command with what to do: nothing is planned, applied
    or mailed on a state misread."""
    try:
        state = State.read_json(raw)
        if state.ldap_base is not None and not is_base_dn(state.ldap_base):
            # Written under every entry of the LDIF: as ``--ldap-base`` takes it, or not at all.
            raise UnreadableError("ldap_base", "not a base DN")
        return _as_counted(state)
    except UnreadableError as exc:
        raise ConfigError(
            msg(
                "{file} of {ref} cannot be read by this version of accessreg ({where}: "
                "{what}): a newer version wrote it, or it is damaged. Run the version that "
                "wrote it, or restore the file from the ref's history (git log {ref})",
                file=STATE_FILE,
                ref=STATE_REF,
                where=exc.where,
                what=exc.what,
            )
        ) from None


def _as_counted(state: State) -> State:
    """``state`` with every application's acceptance day as it counts
    (``ApplicationRecord.as_counted``): the same state, once recorded by this version."""
    batches = {}
    for key, batch in state.batches.items():
        apps = tuple(app.as_counted() for app in batch.applications)
        if any(a is not b for a, b in zip(apps, batch.applications, strict=True)):
            batch = batch.model_copy(update={"applications": apps})
        batches[key] = batch
    return state.model_copy(update={"batches": batches})


def dump(state: State) -> dict[str, bytes]:
    """The state ref's files that hold ``state``."""
    data = state.model_dump(mode="json")
    if data["groups"] == "with_holders":  # as the versions before the key wrote it
        del data["groups"]
    if data["encoding"] == Encoding.UTF8:  # so, too: the runs in UTF-8 read the state alike
        del data["encoding"]
    if data["ldap_base"] is None:
        del data["ldap_base"]
    for held in data["held"].values():
        if not held["revoked"]:
            del held["revoked"]
    for batch in data["batches"].values():
        # Written only when it says something: a state without any stays as earlier
        # versions wrote it (and read it), and its history does not change in every batch.
        for key in ("groups", "members", "moves", "revoked"):
            if not batch[key]:
                del batch[key]
        for app in batch["applications"]:
            for key in ("registration_notified", "acceptance_owed", "revoked"):
                if not app[key]:
                    del app[key]
            for item in app["items"]:
                if not item["steps"]:
                    del item["steps"]
                if item["not_before"] is None:
                    del item["not_before"]
                if item["registered_on"] is None:
                    del item["registered_on"]
                if not item["added"]:
                    del item["added"]
                if item["held"] is None:
                    del item["held"]
                if not item["removed"]:
                    del item["removed"]
                if not item["fields_only"]:
                    del item["fields_only"]
                if not item["roles"]:
                    del item["roles"]
                if not item["roles_given_up"]:
                    del item["roles_given_up"]
                if item["provider"] is None:
                    del item["provider"]
    return {STATE_FILE: json_document(data)}


def applied(
    state: State,
    head: str,
    day: date,
    batch: BatchRecord | None,
    held: Mapping[str, HeldFile] | None = None,
    encoding: Encoding = Encoding.UTF8,
    ldap_base: str | None = None,
) -> State:
    """``state`` with ``head`` applied on ``day`` (and ``batch``, if it made one), the files
    ``held`` back (none: nothing is held back), in ``encoding`` and under ``ldap_base``."""
    batches = dict(state.batches)
    if batch is not None:
        batches[batch.id] = batch
    update = {
        "applied": head,
        "applied_on": day,
        "batches": batches,
        "held": dict(held or {}),
        "groups": "standing",  # what every delta of this version assumes
        "encoding": encoding,
        "ldap_base": ldap_base,
    }
    return state.model_copy(update=update)


def registrations_notified(state: State, applications: Collection[str]) -> State:
    """``state`` with the 登録完了連絡 of ``applications`` (ids) delivered."""
    return _with_applications(state, applications, {"registration_notified": True})


def acceptances_owed(state: State, applications: Collection[str], owed: bool = True) -> State:
    """``state`` with the 受付 notices of ``applications`` (ids) owed, or (``owed`` false)
    delivered."""
    return _with_applications(state, applications, {"acceptance_owed": owed})


def _with_applications(
    state: State, applications: Collection[str], update: Mapping[str, bool]
) -> State:
    batches = {}
    for batch in state.batches.values():
        if any(app.id in applications for app in batch.applications):
            told = tuple(
                app.model_copy(update=update) if app.id in applications else app
                for app in batch.applications
            )
            batch = batch.model_copy(update={"applications": told})
        batches[batch.id] = batch
    return state.model_copy(update={"batches": batches})


def with_batch(state: State, batch: BatchRecord) -> State:
    return state.model_copy(update={"batches": {**state.batches, batch.id: batch}})
