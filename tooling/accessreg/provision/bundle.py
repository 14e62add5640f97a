"""Every output of one run, as files in memory: rendered completely before anything is written.

Layout (relative to ``--out``)::

    manifest.json                         what this run covers, every file with its SHA-256
    recorded.json                         the state's commit recording the run, written once
                                          the run is recorded (``--confirm``): outputs
                                          without it are no batch, and are never imported
    imports/<system>/snapshot.csv         every holder of the system's permissions
    imports/<system>/delta-<M>.csv        rows of processing day M (a new user's, a change
                                          of JUJU or LOACUS)
    imports/<system>/delta-<date>.csv     those of a system with no M (OCCTO's), of that day
    imports/<system>/delta-at-once-<date>.csv  suspensions and liftings of that day (no M)
    imports/<system>/delta-day-<date>.csv      other rows in no batch taking effect that day
                                          (a change of TAXIS or JOHS, a deletion, a usage
                                          application's: a window person's, a
                                          termination's, those of a rename of the operator
                                          or a subcontractor; no M)
    scim/snapshot.json                    SCIM 2.0 bulk request of the day's holders
    scim/delta-<date>.json                what changes on each effective date (delta-manual:
                                          after a manual step)
    ldif/snapshot.ldif, ldif/delta-<date>.ldif  LDIF content and changes, dated as SCIM's
    scim/upgrade.json, ldif/upgrade.ldif  downstream's standing groups, before any delta
                                          (``UPGRADE_FILES``: a run moving from the versions
                                          whose groups came and went with their holders)
    whitelist/<system>/ip-geo.conf        nginx geo block of allowlisted addresses
    whitelist/<system>/cert-map.conf      nginx map of whitelisted certificate serials
    whitelist/<system>/allowlist.txt|json the same for other proxies and WAFs
    info_site/subscribers.csv             window persons told of the info-sharing site's updates
    info_site/subscribers-delta.csv       addresses to register provisionally, or to remove,
                                          each on its day
    info_site/pages.csv                   the site's pages each user may read
    mail/<date>-<kind>-<id>.eml           the notices, as RFC 5322 messages
    .accessreg-output                     empty: marks a directory this tool writes whole
                                          (``files.atomic``)

The same input gives the same bytes: everything is sorted, and the only dates are the ones
given (acceptance, processing days, the day of the whitelists).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial

from accessreg.effects.plan import Seal
from accessreg.files import assembled
from accessreg.mail.compose import Composed, Later, mail_file
from accessreg.model import Catalog
from accessreg.model.content import (
    Content,
    Deferred,
    Digests,
    Listing,
    Output,
    SameAs,
    listed,
)
from accessreg.model.messages import Message
from accessreg.model.registry import Registry
from accessreg.outputs import csv_, fragments, info_site, ldif, nginx, scim, whitelist_text
from accessreg.outputs.access import (
    MANUAL,
    Access,
    Dated,
    DirectoryGroups,
    Holder,
    access_on,
    by_operator,
    changed,
    directory_alike,
    directory_groups,
    stages,
)
from accessreg.outputs.csv_ import CannotEncode, DatedChange, Encoding
from accessreg.outputs.fragments import Fragment, import_systems, snapshot_name
from accessreg.outputs.whitelist import Admitted, network_of, whitelists
from accessreg.provision.merges import History
from accessreg.provision.state import BatchRecord, suspension_days
from accessreg.timeline.effective import AT_ONCE_KINDS

FORMAT = "accessreg-apply/1"
MANIFEST = "manifest.json"
RECORDED = "recorded.json"
# Set up downstream's standing groups, before any delta of the run (``render``).
UPGRADE_FILES = ("ldif/upgrade.ldif", "scim/upgrade.json")


@dataclass(frozen=True)
class Options:
    encoding: Encoding = Encoding.UTF8
    ldap_base: str = ldif.DEFAULT_BASE


def delta_name(row: DatedChange, catalog: Catalog) -> str:
    """The CSV delta a row goes to: that of its processing day M; a suspension's or its
    lifting's, in no batch (001 p46), that of the day it takes effect; one of a system
    whose provider has no processing day (OCCTO's), that of the day it takes effect, as
    its SCIM and LDIF deltas are named (``delta-manual``: after a manual step). Another
    row of a system with batches that none holds (a change of TAXIS or JOHS, a deletion, a
    usage application's: a window person's, a termination's, those of a renamed
    operator's or subcontractor's people) goes to the delta of the day it takes effect,
    named apart: that day may be a batch's M too (2027-01-05), and the file named so holds
    that batch's rows alone."""
    system = row.change.system
    if row.processing_day is not None:
        return f"imports/{system}/delta-{row.processing_day.isoformat()}.csv"
    on = row.effective.isoformat() if row.effective is not None else "manual"
    if row.change.kind in AT_ONCE_KINDS:
        return f"imports/{system}/delta-at-once-{on}.csv"
    if catalog.batched(system):
        return f"imports/{system}/delta-day-{on}.csv"
    return f"imports/{system}/delta-{on}.csv"


def _imports(
    history: History,
    snapshots: dict[str, Content],
    failed: dict[str, list[Message]],
    options: Options,
    shown: fragments.Shown,
) -> dict[str, Output]:
    catalog = history.after.catalog
    files: dict[str, Output] = {}
    failures: list[Message] = []
    by_file: dict[str, list[DatedChange]] = {}
    for row in history.rows:
        if not row.directory_only:
            by_file.setdefault(delta_name(row, catalog), []).append(row)
    # A first apply's deltas add every holder of the snapshots, each with the cells its
    # snapshot row has, checked as the snapshots were assembled: they cannot fail, and
    # are made as each is written (as large as the snapshots, 90 MB at 200,000 users),
    # in the snapshots' order, each row from its share.
    # Other deltas may show a person as they were, whom no snapshot holds: made now, so
    # that a cell the encoding cannot hold stops the run before anything is written.
    later = history.base is None
    for system in import_systems(catalog):
        label = snapshot_name(system)
        failures.extend(failed.get(label, ()))
        files[label] = snapshots[label]
        for name in sorted(n for n in by_file if n.startswith(f"imports/{system}/delta-")):
            rows = _as_snapshots_rows(by_file[name]) if later else by_file[name]
            args = (name, rows, system, catalog, options.encoding)
            if later:
                unit = partial(shown.unit, f"imports/{system}")
                files[name] = Deferred(partial(csv_.delta_pieces, *args, unit))
                continue
            try:
                files[name] = csv_.delta(*args)
            except CannotEncode as exc:
                failures.extend(exc.lines)
    if failures:
        raise CannotEncode(failures)
    return files


def admitted(batches: Iterable[BatchRecord]) -> Admitted:
    """From which day each certificate and address is let through: the day its application
    put it in effect (``BatchRecord.in_effect_on``: the date recorded at its acceptance, or
    the confirmation of a manual step, not let through before it; not a suspension's), the
    latest application's where several name it; and from which day each suspension stops
    one (``state.suspension_days``); and until which day an operator keeps each system its
    OCCTO withdrawal takes (the item recorded for it, ``OperatorChange.membership_ends``),
    the latest withdrawal's, and which certificates it registered with or after that, which
    the withdrawal leaves as they are; and from which day an operator uses each system a
    usage change added (the change's day, or its manual step's confirmation), and until
    which day it keeps each one a usage change took (the same), for the certificates
    registered for it then."""
    certificates: dict[str, date | None] = {}
    parts: dict[str, dict[str, date | None]] = {}
    networks: dict[tuple[str, str], date | None] = {}
    uses: dict[tuple[str, str], date | None] = {}
    withdrawals: dict[str, dict[str, date]] = {}
    since: dict[str, set[str]] = {}
    dropped: dict[str, dict[str, date | None]] = {}
    reached: dict[tuple[str, str], set[str]] = {}
    withdrawn: dict[tuple[str, str], set[str]] = {}
    batches = list(batches)
    for batch in batches:
        for record in batch.applications:
            # The operator's own items: its users' permissions ending on the same day are
            # no system the operator keeps.
            ends = {
                i.system: i.on
                for i in record.items
                if i.subject == "operator" and i.keyed == "withdrawn_on" and i.system and i.on
            }
            if ends:
                withdrawals.setdefault(record.operator, {}).update(ends)
                since[record.operator] = set()
                for system in ends:
                    withdrawn[(record.operator, system)] = {
                        i.serial
                        for i in record.items
                        if i.keyed == "withdrawn_on" and i.system == system and i.serial
                    }
            for item in record.items:
                if item.gives_up:
                    assert item.system is not None
                    key = (record.operator, item.system)
                    if item.serial is None:
                        dropped.setdefault(record.operator, {})[item.system] = batch.in_effect_on(
                            item
                        )
                        reached[key] = set()
                    else:
                        reached.setdefault(key, set()).add(item.serial)
            for item in record.items:
                if item.subject == "certificate" and item.serial and record.operator in since:
                    since[record.operator].add(item.serial)
                if item.gives_up:
                    continue
                if item.adds_use and item.system is not None:
                    # Taken up again: an earlier give-up stays recorded, one not done yet
                    # keeping the system until its own day, as its 受付 mail said, whatever
                    # this change's day (``Admitted.given_up``).
                    # A system a usage change adds, but one a withdrawal still keeps: its use
                    # goes on (a re-join before the withdrawal's day), nothing to register.
                    kept = withdrawals.get(record.operator, {}).get(item.system)
                    if kept is not None and (item.keyed_on is None or item.keyed_on < kept):
                        uses.pop((record.operator, item.system), None)
                    elif item.on is not None or item.steps:
                        uses[(record.operator, item.system)] = batch.in_effect_on(item)
                    continue
                if item.system is not None or item.keyed == "suspended_on":
                    continue
                if item.on is None and not item.steps:
                    continue
                if item.registers_nothing:
                    continue  # let through from its registration still
                on = batch.in_effect_on(item)
                if item.subject == "certificate" and item.serial is not None:
                    if item.provider is not None:  # one provider's registration of several
                        parts.setdefault(item.serial, {})[item.provider] = on
                    else:
                        certificates[item.serial] = on
                        parts.pop(item.serial, None)
                elif item.subject == "allowed_ip":
                    networks[(record.operator, network_of(item.key))] = on
    records = [record for batch in batches for record in batch.applications]
    registered = {code: frozenset(serials) for code, serials in since.items()}
    return Admitted(
        certificates, networks, suspension_days(records), withdrawals, registered, uses,
        dropped, {key: frozenset(serials) for key, serials in reached.items()},
        {key: frozenset(serials) for key, serials in withdrawn.items()}, parts,
    )  # fmt: skip


def _info_site(
    history: History,
    snapshots: Mapping[str, Content],
    failed: dict[str, list[Message]],
    options: Options,
) -> dict[str, Content]:
    """The info-sharing site's subscribers on the day, their changes each on its day, and
    each reader's pages (000 §7)."""
    catalog = history.after.catalog
    failures: list[Message] = []
    for name in (info_site.SUBSCRIBERS, info_site.PAGES):
        failures.extend(failed.get(name, ()))
    files = {name: snapshots[name] for name in (info_site.SUBSCRIBERS, info_site.PAGES)}
    changes = info_site.subscriber_changes(catalog, history.rows)
    try:
        files[info_site.SUBSCRIBER_DELTA] = info_site.subscriber_delta_csv(
            changes, options.encoding
        )
    except CannotEncode as exc:
        failures.extend(exc.lines)
    if failures:
        raise CannotEncode(failures)
    return files


@dataclass(frozen=True)
class _Dated(Collection[Dated]):
    """Each row's change and the day it takes effect, read from the rows each time rather
    than copied: a first apply has 500,000 rows (32 MB of pairs)."""

    rows: Sequence[DatedChange]

    def __iter__(self) -> Iterator[Dated]:
        return ((r.change, r.effective) for r in self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, pair: object) -> bool:
        return any(pair == d for d in self)


def day_access(history: History, today: date, applied: History | None = None) -> Access:
    """What downstream systems hold on ``today``: the snapshots hold what is in effect on
    the day; the deltas, one per effective date, what changes on that date (a terminated
    operator's users stay until terminated_on). A first apply loads the registry as it
    stands. ``history`` may reach back before this run's range, ``applied``: a change
    with no date (a manual step) waits in the run that applies it only; one of an
    earlier run's is done by now."""
    if history.base is None:
        return history.after_access
    rows: Sequence[DatedChange] = history.rows
    if applied is not None and applied is not history:
        own = {(r.change.system, r.change.person.login) for r in applied.rows}
        rows = [
            r
            if r.effective is not None or (r.change.system, r.change.person.login) in own
            else replace(r, effective=today)
            for r in rows
        ]
    return access_on(history.before_access, history.after_access, _Dated(rows), today)


@dataclass(frozen=True)
class Lasting:
    """How long the holders on a day (``day_access``) stay so, by operator: ``until`` the
    first later day one of their changes comes (None: none to come). Not those with a
    change of no date that this run applies: it waits in this run only, and is done in the
    runs after. ``after``: of those, the ones with a later day, their holders in the runs
    after and that day (another one's next run reads its files; a waiting one's would go
    back to its oldest waiting batch to find them)."""

    until: dict[str, date | None]
    after: dict[str, tuple[list[Holder], date]]

    def but(self, codes: Collection[str], other: Lasting) -> Lasting:
        """These, but those of ``codes``, and any other ``other`` names, as ``other`` has
        them."""
        return Lasting(
            {c: on for c, on in self.until.items() if c not in codes} | other.until,
            {c: held for c, held in self.after.items() if c not in codes} | other.after,
        )


def lasting(
    history: History, today: date, applied: History, operators: Collection[str], later: bool
) -> Lasting:
    """How long the holders on ``today`` of ``operators``, and of every operator with a
    change still to come, stay so; ``later``: with the holders of the runs after this one
    where they differ (worked out only for a cache that keeps them)."""
    if history.base is None:
        return Lasting(dict.fromkeys(operators), {})
    comes, waits = _coming(history, today, applied)
    until = {code: comes.get(code) for code in comes.keys() | set(operators) if code not in waits}
    after = {code: comes[code] for code in waits if code in comes}
    return Lasting(until, _after_run(history, today, after) if later and after else {})


def _after_run(
    history: History, today: date, until: Mapping[str, date]
) -> dict[str, tuple[list[Holder], date]]:
    """The holders of the operators ``until`` names in the runs after this one, every
    change of no date done, and the day each stays so until."""
    # Their logins alone, on both sides: a holder is made from its own login's changes.
    sides = (history.before_access, history.after_access)
    logins = {login for side in sides for login, h in side.items() if h.operator in until}
    before, after = ({n: side[n] for n in logins if n in side} for side in sides)
    rows = [
        r if r.effective is not None else replace(r, effective=today)
        for r in history.rows
        if r.change.person.login in logins
    ]
    people = {g[0].operator: g for g in by_operator(access_on(before, after, _Dated(rows), today))}
    return {code: (people[code], on) for code, on in until.items() if code in people}


def _coming(history: History, today: date, applied: History) -> tuple[dict[str, date], set[str]]:
    """The first later day a change of each operator comes, and the operators with a
    change of no date that the run applying ``applied`` makes (one of ``history`` and not
    of ``applied`` was made by an earlier run: done by now)."""
    own = None
    if applied is not history:
        own = {(r.change.system, r.change.person.login) for r in applied.rows}
    comes: dict[str, date] = {}
    waits: set[str] = set()
    for row in history.rows:
        on, change = row.effective, row.change
        if on is not None and on <= today:
            continue
        for code in {p.operator for p in (change.before, change.after) if p is not None}:
            if on is not None:
                comes[code] = min(on, comes.get(code, on))
            elif own is None or (change.system, change.person.login) in own:
                waits.add(code)
    return comes, waits


def whitelist_files(
    registry: Registry, today: date, batches: Iterable[BatchRecord] = ()
) -> dict[str, bytes]:
    """``whitelist/<system>/...`` as valid on ``today`` (the daily run regenerates them)."""
    files = {}
    for wl in whitelists(registry, today, admitted(batches)):
        where = f"whitelist/{wl.system}"
        if wl.blocks_overseas:
            files[f"{where}/ip-geo.conf"] = nginx.geo(wl)
        if wl.checks_certificates:
            files[f"{where}/cert-map.conf"] = nginx.certificate_map(wl)
        files[f"{where}/allowlist.txt"] = whitelist_text.text(wl)
        files[f"{where}/allowlist.json"] = whitelist_text.document(wl)
    return files


def render(
    history: History,
    today: date,
    batch: str | None,
    mails: Sequence[Composed | Later],
    options: Options,
    operator_shares: Sequence[Fragment],
    whitelisted: Mapping[str, bytes],
    upgrade: bool = False,
) -> tuple[dict[str, Output], Listing]:
    """Every file of the run and the manifest listing them (written after them, from their
    digests), or CannotEncode listing every cell that cannot be written.
    ``operator_shares``: every operator's share of the snapshots, in operator order
    (``provision.shares``); ``whitelisted``: the whitelist files (``whitelist_files``);
    ``upgrade``: downstream's groups came and went with their holders until now, and the
    groups of the applied revision's catalog are to be set up before the deltas
    (``UPGRADE_FILES``)."""
    snapshots, failed = fragments.assemble(
        history.after.catalog, operator_shares, options.encoding, options.ldap_base
    )
    shown = fragments.Shown(operator_shares, assembled.read)
    files: dict[str, Output] = {}
    failures: list[Message] = []
    parts: list[Callable[[], Mapping[str, Output]]] = [
        lambda: _imports(history, snapshots, failed, options, shown),
        lambda: _info_site(history, snapshots, failed, options),
    ]
    for part in parts:
        try:
            files.update(part())
        except CannotEncode as exc:
            failures.extend(exc.lines)
    if failures:
        raise CannotEncode(failures)
    files["scim/snapshot.json"] = snapshots["scim/snapshot.json"]
    files["ldif/snapshot.ldif"] = snapshots["ldif/snapshot.ldif"]
    if upgrade:
        standing = directory_groups(history.before.catalog)
        files[UPGRADE_FILES[0]] = ldif.upgrade(standing, options.ldap_base)
        files[UPGRADE_FILES[1]] = scim.upgrade(standing)
    catalog = history.after.catalog
    for label, moved_from, moved_to, groups in _delta_stages(history, today):
        if history.base is None:
            moved_to = _as_snapshots(moved_to)
        name = f"scim/delta-{label}.json"
        if history.base is None and _scim_is_snapshot(
            operator_shares, catalog, moved_from, moved_to, groups
        ):
            files[name] = SameAs("scim/snapshot.json")
        else:  # made as it is written: a first run's deltas list every user (they cannot fail)
            files[name] = Deferred(
                partial(
                    scim.delta_pieces, moved_from, moved_to, groups, partial(shown.unit, "scim")
                )
            )
        files[f"ldif/delta-{label}.ldif"] = Deferred(
            partial(
                ldif.delta_pieces,
                moved_from,
                moved_to,
                groups,
                options.ldap_base,
                partial(shown.unit, "ldif"),
            )
        )
    files.update(whitelisted)
    manifest = Listing(MANIFEST, lambda digests: _manifest(history, today, batch, options, digests))
    # The mails are written last, in the plan's order: an application's notices to each of
    # its window persons one after the other, as they share the rendering of its items
    # (``compose._shared_part``). Listings sort the files by name whatever the order.
    return {**dict(sorted(files.items())), **dict(mail_file(mail) for mail in mails)}, manifest


def _scim_is_snapshot(
    shares: Sequence[Fragment],
    catalog: Catalog,
    moved_from: Access,
    moved_to: Access,
    groups: DirectoryGroups,
) -> bool:
    """Whether the SCIM delta from ``moved_from`` to ``moved_to`` is the snapshot of
    ``shares``, byte for byte: it adds every holder the snapshot lists, in its order and as
    it shows them, and creates every group the snapshot does, as a first apply's first delta
    does. It is then written once (``SameAs``)."""
    created = set(groups.created)
    return (
        not moved_from
        and not groups.removed
        and created == directory_groups(catalog)
        and all(set(share.scim[1]) <= created for share in shares)
        and fragments.lists_as_snapshot(shares, moved_to.values())
    )


def _delta_stages(
    history: History, today: date
) -> Iterator[tuple[str, Access, Access, DirectoryGroups]]:
    """The directory deltas of ``history``: for each stage, the holders it changes on each
    side and what it knows of the groups. Every group of the catalog stands whatever its
    holders do; one of a code the catalog adds is created before anything joins it (in
    the first delta, or one of the day ahead of it), one of a code it drops is deleted
    after everything has left it (in the last). A stage that changes nothing a directory
    holds has no delta (a memo changed with a permission after a manual step: the memo
    moves on the dated day, the manual stage has nothing left to do)."""
    head = directory_groups(history.after.catalog)
    held = directory_groups(history.before.catalog) if history.base is not None else frozenset()
    created, removed, standing = head - held, held - head, held
    on = today.isoformat()
    found = stages(history.before_access, history.after_access, _Dated(history.rows))
    current = next(found, None)
    if current is not None and created and (current[0] == MANUAL or current[0] > on):
        yield on, {}, {}, DirectoryGroups(standing, created)
        standing, created = standing.union(created), frozenset()
    elif current is None and (created or removed):
        yield on, {}, {}, DirectoryGroups(standing, created, removed)
    while current is not None:
        later = next(found, None)
        label, frm, to = current
        moved_from, moved_to = _moved(frm, to)
        dropped = removed if later is None else frozenset()
        if moved_from or moved_to or created or dropped:
            yield label, moved_from, moved_to, DirectoryGroups(standing, created, dropped)
        standing, created, current = standing.union(created), frozenset(), later


def later_moves(history: History, today: date) -> dict[tuple[str, str], date]:
    """The holders the LDIF and SCIM deltas of ``history`` dated after ``today`` move into
    or out of a group of a system, as (system, login) → the last such date: until then a
    directory has them as they were, whatever the batch's items say (a suspension is one
    item of no system, whose systems may come on days of their own). The state records
    them with the batch, for the runs until then (``State.waiting``)."""
    found: dict[tuple[str, str], date] = {}
    if history.base is None or not any(r.effective and r.effective > today for r in history.rows):
        return found
    for label, frm, to in stages(history.before_access, history.after_access, _Dated(history.rows)):
        if label == MANUAL or (day := date.fromisoformat(label)) <= today:
            continue
        moved_from, moved_to = _moved(frm, to)
        for login in moved_from.keys() | moved_to.keys():
            # The stages come in date order: the last date stays.
            for system, _code in _regrouping(moved_from.get(login), moved_to.get(login)):
                found[system, login] = day
    return found


def _regrouping(before: Holder | None, after: Holder | None) -> set[tuple[str, str]]:
    """The groups, as (system, code), a holder leaves or enters between two states."""
    was = set(before.grouped()) if before is not None else set()
    now = set(after.grouped()) if after is not None else set()
    return was ^ now


def _as_snapshots(access: Access) -> Access:
    """``access`` in the snapshots' order, by operator then login. A first apply's deltas
    list every holder so: each operator's bytes are then its share's, read once
    (``fragments.Shown``); a directory or an import takes a load in any order."""
    return {h.login: h for holders in by_operator(access) for h in holders}


def _as_snapshots_rows(rows: list[DatedChange]) -> list[DatedChange]:
    """:func:`_as_snapshots` for the rows of a CSV delta."""
    return sorted(rows, key=lambda r: (r.change.person.operator, r.change.person.login))


def _moved(frm: Access, to: Access) -> tuple[Access, Access]:
    """The holders a directory holds otherwise between two accesses, on each side: a delta
    needs nothing else (every group stands whatever the others do), and a holder changed
    in nothing it shows (a code changed while suspended) is no change of it."""
    moving = sorted(
        login
        for login in frm.keys() | to.keys()
        if changed(frm, to, login)
        and (login not in frm or login not in to or not directory_alike(frm[login], to[login]))
    )
    return (
        {login: frm[login] for login in moving if login in frm},
        {login: to[login] for login in moving if login in to},
    )


def _manifest(
    history: History, today: date, batch: str | None, options: Options, digests: Digests
) -> bytes:
    body = {
        "format": FORMAT,
        "batch": batch,
        "base": history.base,
        "head": history.head,
        "day": today.isoformat(),
        "encoding": str(options.encoding),
        "ldap_base": options.ldap_base,
        "processing_days": sorted(
            {r.processing_day.isoformat() for r in history.rows if r.processing_day}
        ),
        "merges": [
            {
                "commit": s.commit.sha,
                "subject": s.commit.subject,
                "accepted_on": s.accepted_on.isoformat(),
            }
            for s in history.steps
        ],
        "files": listed(digests),
    }
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def recorded(batch: str | None, head: str) -> Seal:
    """``recorded.json``, written into the outputs once the state records the run: the batch
    and head its manifest names, and the state's commit that records them."""

    def render(state: str | None) -> bytes:
        body = {"format": FORMAT, "batch": batch, "head": head, "state": state}
        return (json.dumps(body, indent=2) + "\n").encode("utf-8")

    return Seal(RECORDED, render)
