"""Every operator's share of the snapshots (``outputs.fragments``): rendered for the
operators a run changes, taken from the cache for the others.

A share is keyed by what it was rendered from: the catalog's blob id, the operator file's
blob id, the tree id of its users' directory, the options and the tool itself (the cache's
namespace). Equal ids, equal files, equal share: an operator no merge touched is never read
again. One a merge touched is rendered again from its share at the applied revision: the
store keeps where each holder's bytes lie (``units``), and the holders who did not change
keep theirs (``outputs.fragments.Previous``).

A share rendered while an applied change of its operator waits for its date shows what
holds on the day, not what the files say: it is kept under its holders on the day too
(``_day_key``), so that the runs until the date find it. One whose login IDs clash with
another operator's depends on more than its own files, and is not kept.

Finding that share needs the operator's holders on the day, worked out from every merge
since its oldest change still to come: weeks of them. So the run that works them out also
keeps the share under the revision it applies (``Carried``), with the days it holds for
(until the operator's next dated change comes): the next run, applying a range that leaves
the operator's files as they were, takes it from there without reading the operator at all.

Without the cache (no directory, or one that cannot be opened) every share is rendered: the
same bytes, more slowly.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import cast

from accessreg.files.parsecache import ParseCache, namespace
from accessreg.gitio.repo import GitRepository, blob_id
from accessreg.model import layout
from accessreg.model.content import Slice
from accessreg.model.messages import Message
from accessreg.model.registry import Registry
from accessreg.outputs import fragments
from accessreg.outputs.access import Access, Holder, by_operator, effective_access
from accessreg.outputs.csv_ import Encoding
from accessreg.outputs.fragments import Fragment, Previous, Units
from accessreg.outputs.whitelist import Admitted
from accessreg.provision.merges import PREFIX, History, Snapshots
from accessreg.validation.snapshot import digest


class LoginClashError(Exception):
    """A login ID is held by operators rendered apart: only a run over the whole registry
    knows which of them holds it (the first operator, as ``effective_access`` decides)."""


def joined(found: Access, day: Access, waiting: Collection[str]) -> Access:
    """The holders on the day: those of the ``waiting`` operators as ``day`` has them (read
    from the oldest batch still waiting), the others' as ``found`` has them (read from the
    applied revision). LoginClashError when a login ID falls to both sides: only a history
    of both knows which operator holds it."""
    mine = {login: h for login, h in found.items() if h.operator not in waiting}
    if not mine.keys().isdisjoint(day):
        raise LoginClashError()
    return {login: mine.get(login) or day[login] for login in sorted(mine.keys() | day.keys())}


@dataclass(frozen=True)
class Shares:
    # One per active operator with holders (or one whose termination is still to come),
    # in operator order.
    fragments: list[Fragment]
    outside: int  # login IDs of the operators outside the run's scope (unchanged by it)
    rendered: int  # operators with a share rendered in this run; the others from the cache
    operators: int  # operators with a share (empty when it has no holder)
    read: int = 0  # active operators whose users the run read


@dataclass(frozen=True)
class Carried:
    """An operator's share on the day as the run applying the revision downstream holds
    made it, while a change of the operator waits for its date: the same on every day from
    ``since`` to the day before ``until`` (None: no later date), as long as the operator's
    files and the catalog stay as they are (its key says so)."""

    share: Fragment
    since: date
    until: date | None
    logins: int  # its login IDs as its files say (what a removal is counted against)

    def holds_on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)


def options_key(encoding: Encoding, ldap_base: str) -> str:
    """The options a share is rendered with, as its key holds them."""
    return f"{encoding}\0{ldap_base}"


# What a share is rendered from, by object id: the catalog, the operator file, its users.
_Sources = tuple[str, str, str]


def _sources(repo: GitRepository, rev: str, codes: Collection[str]) -> dict[str, _Sources]:
    """What each operator's share at ``rev`` is rendered from: three small tree listings,
    no file read."""
    top = repo.tree_entries(rev, PREFIX)
    operators = repo.tree_entries(rev, f"{PREFIX}/{layout.OPERATORS_DIR}")
    users = repo.tree_entries(rev, f"{PREFIX}/{layout.USERS_DIR}")
    catalog = top.get(layout.CATALOG_FILE, "")
    return {c: (catalog, operators.get(f"{c}.yaml", ""), users.get(c, "")) for c in codes}


def _key(code: str, ids: _Sources, options: str) -> str:
    catalog, operator, users = ids
    return digest([catalog, options], [code, operator, users])


def _carried_key(code: str, rev: str, key: str) -> str:
    """Where the share on the day of the operator ``code`` lies for the runs after the one
    that applied ``rev``, its files being those of ``key``."""
    return digest(["carried", rev, key], [code])


def _day_key(key: str, people: Sequence[Holder]) -> str:
    """The key of a share on a day its operator's holders are ``people``, not as its files
    (``key``) say: an applied change still to come. Runs until the change comes find it
    there, whatever else they merge."""
    return digest(["day", key], (_compared(p) for p in people))


def _compared(holder: Holder) -> str:
    """``holder`` as its equality sees it (every field it compares), in a text that does
    not depend on the order of its sets: holders equal by it render the same bytes."""
    values: list[object] = []
    for f in fields(holder):
        if f.compare:
            value = getattr(holder, f.name)
            if isinstance(value, Mapping):
                value = sorted(value.items())
            elif isinstance(value, frozenset | set):
                value = sorted(value)
            values.append(value)
    return repr(values)


# What the index keeps of a share: its logins, where each piece lies in its file, the
# cells it could not encode, and the file's size (a file of another size is not used).
_Entry = tuple[tuple[str, ...], dict[str, tuple[int, int]], dict[str, tuple[Message, ...]], int]
# What it keeps of a carried share beside it: since, until, its logins as its files say.
_Days = tuple[date, date | None, int]


class ShareStore:
    """Shares kept between runs: each one file of its pieces back to back (the outputs copy
    from it), and its index in the parse cache's ``shares`` table. Every failure is a miss."""

    def __init__(self, directory: Path) -> None:
        self.root = directory / "shares"
        self.index = ParseCache(directory, namespace("shares"))

    def close(self) -> None:
        self.index.close()

    def _file(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, keys: Iterable[str]) -> dict[str, Fragment]:
        found = {}
        entries: dict[str, _Entry] = self.index.get("shares", keys, tuple)
        for key, (logins, places, failures, size) in entries.items():
            path = self._file(key)
            try:
                if path.stat().st_size != size:
                    continue
            except OSError:
                continue
            pieces = {name: Slice(str(path), at, n) for name, (at, n) in places.items()}
            found[key] = Fragment.of_pieces(logins, pieces, failures)
        return found

    def put(self, shares: Mapping[str, Fragment]) -> None:
        entries: dict[str, _Entry] = {}
        units: dict[str, Units] = {}
        linked: dict[str, str] = {}  # key → the key whose file it is too
        for key, share in shares.items():
            pieces = share.pieces()
            if all(isinstance(piece, bytes) for piece in pieces.values()):
                rendered = cast(dict[str, bytes], pieces)
                places, at = {}, 0
                for name, piece in rendered.items():
                    places[name] = (at, len(piece))
                    at += len(piece)
                try:
                    _write(self._file(key), b"".join(rendered.values()))
                except OSError:
                    continue
                units[key] = share.units
            else:
                # Read from the store under another key (equal content): the same file.
                stored = _stored(share)
                if stored is None:
                    continue
                source, slices = stored
                places = {n: (p.offset, p.length) for n, p in slices.items()}
                try:
                    at = _link(source, self._file(key))
                except OSError:
                    continue
                linked[key] = source.name
            entries[key] = (share.logins, places, dict(share.failures), at)
        known = self.units(set(linked.values()))
        units.update({key: known[o] for key, o in linked.items() if o in known})
        self.index.put("shares", entries)
        self.index.put("units", units)

    def units(self, keys: Iterable[str]) -> dict[str, Units]:
        """Where each holder's bytes lie in the shares under ``keys`` (those it knows)."""
        found: dict[str, Units] = self.index.get("units", keys, Mapping)
        return found

    def carried(self, keys: Iterable[str]) -> dict[str, Carried]:
        """The shares carried under ``keys`` (those it has, with their files)."""
        entries: dict[str, _Days] = self.index.get("carried", keys, tuple)
        shares = self.get(entries)
        return {
            key: Carried(shares[key], since, until, logins)
            for key, (since, until, logins) in entries.items()
            if key in shares
        }

    def carry(self, carried: Mapping[str, Carried]) -> None:
        """Keep each share of ``carried`` under its key, with its days."""
        self.put({key: c.share for key, c in carried.items()})
        present = self.index.present("shares", carried)
        self.index.put(
            "carried",
            {k: (c.since, c.until, c.logins) for k, c in carried.items() if k in present},
        )

    def remembered(self, key: str, render: Callable[[], dict[str, bytes]]) -> dict[str, bytes]:
        """Files kept in the index under ``key``, or ``render``'s, kept there."""
        found: dict[str, bytes] | None = self.index.get("shares", [key], dict).get(key)
        if found is None:
            found = render()
            self.index.put("shares", {key: found})
        return found

    def prune(self, keep: Collection[str]) -> None:
        """Keep the store near the size of the registry: drop the shares it no longer has
        once they are a quarter of it (a share is the size of its operator's snapshots,
        and the workflow saves the store after every run)."""
        if self.index.count("shares") <= len(keep) + len(keep) // 4 + 100:
            return
        self.index.prune("shares", keep)
        self.index.prune("units", keep)
        self.index.prune("carried", keep)
        wanted = set(keep)
        for path in self.root.glob("*/*"):
            if path.name not in wanted:
                path.unlink(missing_ok=True)


def whitelists(
    snapshots: Snapshots,
    history: History,
    today: date,
    admitted: Admitted,
    render: Callable[[], dict[str, bytes]],
    directory: Path | None,
) -> dict[str, bytes]:
    """The whitelist files ``render`` gives for the history's head, kept in the cache keyed
    by what they follow: every operator file (one tree id, those held back, released, or
    revoked from: what they revoke follows from the head and what is held), the catalog,
    the day and every date recorded for them (``Admitted.key_lines``). A merge that changes
    users only finds them there."""
    if directory is None:
        return render()
    top = snapshots.repo.tree_entries(history.head, PREFIX)
    released = sorted(rel for step in history.steps for rel in step.released)
    released += sorted(f"revoked:{rel}" for step in history.steps for rel in step.revoked)
    pinned = sorted(
        f"{rel}:{blob_id(data) if data is not None else '-'}"
        for rel, data in snapshots.pins.items()
        if layout.split(rel)[0] is layout.Kind.OPERATOR
    )
    dates = admitted.key_lines()
    shared = [top.get(layout.CATALOG_FILE, ""), top.get(layout.OPERATORS_DIR, ""), str(today)]
    key = "whitelists:" + digest(shared, pinned, released, dates)
    store = ShareStore(directory)
    try:
        return store.remembered(key, render)
    finally:
        store.close()


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all (renamed into place), but not synced: it is only a cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _link(source: Path, path: Path) -> int:
    """``source`` under the name ``path`` too (a hard link: shares are never changed in
    place); its size."""
    if source != path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.link")
        tmp.unlink(missing_ok=True)
        os.link(source, tmp)
        tmp.replace(path)
    return path.stat().st_size


def _people(access: Access) -> dict[str, list[Holder]]:
    return {group[0].operator: group for group in by_operator(access)}


def clashing(registry: Registry, only: Collection[str] | None = None) -> set[str]:
    """The active operators (of ``only``) holding a login ID another one holds too, as a
    user or a window person."""
    holders: dict[str, set[str]] = {}
    for entry in registry.iter_operators(only):
        op = entry.operator
        if op.status != "active":
            continue
        logins = {c.email.lower() for c in op.contacts}
        logins.update(u.user.email.lower() for u in registry.users_of(op.code))
        for login in logins:
            holders.setdefault(login, set()).add(op.code)
    return {code for codes in holders.values() if len(codes) > 1 for code in codes}


def _shares_a_login(shares: Iterable[tuple[str, ...]]) -> bool:
    """Two of ``shares``' logins (or one twice) are one login ID: set sizes, not a count per
    login (200,000 of them every run)."""
    seen: set[str] = set()
    held = 0
    for logins in shares:
        seen.update(logins)
        held += len(logins)
        if len(seen) < held:
            return True
    return False


def _earlier(
    store: ShareStore | None,
    repo: GitRepository,
    history: History,
    sources: Mapping[str, _Sources],
    options: str,
    codes: Collection[str],
) -> dict[str, tuple[str, Fragment]]:
    """The shares of ``codes`` the cache kept at the applied revision (key, share), where
    their catalog and operator file are those of the head: the site's pages follow the
    operator's systems, and a holder's bytes follow the catalog."""
    if store is None or history.base is None or history.scope is None:
        return {}
    then = _sources(repo, history.base, codes)
    wanted = {
        code: _key(code, then[code], options)
        for code in codes
        if then[code][:2] == sources[code][:2]
    }
    kept = store.get(wanted.values())
    return {code: (k, kept[k]) for code, k in wanted.items() if k in kept}


def _stored(share: Fragment) -> tuple[Path, dict[str, Slice]] | None:
    """The one store file every piece of ``share`` lies in, and the pieces (None: a share
    rendered now, or lying in several files)."""
    pieces = share.pieces()
    slices = {name: p for name, p in pieces.items() if isinstance(p, Slice)}
    paths = {p.path for p in slices.values()}
    if len(slices) != len(pieces) or len(paths) != 1:
        return None
    return Path(paths.pop()), slices


def _read(share: Fragment) -> dict[str, memoryview] | None:
    """The pieces of a share lying in the store, read (None: it cannot be): views of its
    file's bytes, which a render takes spans of."""
    stored = _stored(share)
    if stored is None:
        return None
    path, slices = stored
    try:
        data = path.read_bytes()
    except OSError:
        return None
    view = memoryview(data)
    return {name: view[p.offset : p.offset + p.length] for name, p in slices.items()}


def earlier_share(
    share: Fragment, units: Units | None, people: list[Holder], registry: Registry
) -> Previous | None:
    """``share``, from the store, as the share of ``people`` it was rendered for (None:
    it cannot be read, or does not hold the same logins in the same order)."""
    pieces = _read(share)
    if pieces is None or units is None or share.logins != tuple(p.login for p in people):
        return None
    return Previous.of(people, registry, pieces, units)


def _origins(shares: Iterable[Fragment]) -> set[str]:
    """The store's files ``shares`` lie in (by name: their keys)."""
    return {
        Path(piece.path).name
        for share in shares
        for piece in share.pieces().values()
        if isinstance(piece, Slice)
    }


class _Spill:
    """The shares a run keeps, put in the store a few at a time, as they come, and read
    back as slices of its files, which the outputs then copy from: a run rendering every
    operator holds a few of them in memory, not half a gigabyte of bytes."""

    _BYTES = 32 << 20

    def __init__(self, store: ShareStore | None, found: dict[str, Fragment]) -> None:
        self.store = store
        self.found = found  # the run's shares, by operator: a kept one is replaced there
        self._pending: dict[str, tuple[str | None, Fragment]] = {}
        self._size = 0

    def add(self, code: str | None, key: str, share: Fragment) -> None:
        """Keep ``share`` under ``key``; ``code``: the operator whose share of this run's
        outputs it is (None: kept for the next run only)."""
        if self.store is None:
            return
        self._pending[key] = (code, share)
        self._size += sum(len(p) for p in share.pieces().values() if isinstance(p, bytes))
        if self._size >= self._BYTES:
            self.flush()

    def flush(self) -> None:
        if self.store is None or not self._pending:
            return
        self.store.put({key: share for key, (_, share) in self._pending.items()})
        stored = self.store.get(self._pending)
        for key, (code, share) in self._pending.items():
            if code is not None and key in stored and self.found.get(code) is share:
                # Where its holders' bytes lie, for the deltas (``fragments.Shown``).
                self.found[code] = replace(stored[key], units=share.units, holders=share.holders)
        self._pending, self._size = {}, 0


def carried(
    directory: Path,
    repo: GitRepository,
    base: str,
    head: str,
    codes: Collection[str],
    options: str,
    today: date,
) -> dict[str, Carried]:
    """The shares on ``today`` of the operators ``codes`` that the run applying ``base``
    carried (those it did, for days that hold ``today``), their files at ``head`` being
    as they were then."""
    if not codes:
        return {}
    sources = _sources(repo, head, codes)
    keys = {code: _carried_key(code, base, _key(code, sources[code], options)) for code in codes}
    store = ShareStore(directory)
    try:
        found = store.carried(keys.values())
    finally:
        store.close()
    return {
        code: found[key]
        for code, key in keys.items()
        if key in found and found[key].holds_on(today)
    }


def collect(
    snapshots: Snapshots,
    history: History,
    day: Access,
    encoding: Encoding,
    ldap_base: str,
    directory: Path | None,
    carry: Mapping[str, date | None],
    taken: Mapping[str, Carried],
    today: date,
    later: Mapping[str, tuple[Sequence[Holder], date]] | None = None,
) -> Shares:
    """Every active operator's share of the snapshots on the day ``day`` describes: those
    of the history's scope rendered, the others from the cache in ``directory`` (rendered
    from the head and kept there when missing). LoginClashError when shares rendered apart
    hold one login ID. ``snapshots``: those the history was read from.

    ``taken``: the shares on the day of operators outside the scope, carried by the run
    before (``carried``); ``carry``: the operators of the scope whose share on the day
    holds until a date (None: no later one), ``today`` on; ``later``: those of the scope
    whose holders in the runs after this one differ from this run's (``bundle.Lasting``), as
    they will be and until when. All are carried to the next run, under the history's
    head."""
    repo, pins = snapshots.repo, snapshots.pins
    registry = history.after
    on_day, as_files = _people(day), _people(history.after_access)
    # An operator terminated for a day still to come holds its users until then (000
    # §3-3): it has a share as long as it has holders on the day.
    holding = on_day.keys() | taken.keys()
    active = [
        e.operator.code
        for e in registry.iter_operators()
        if e.operator.status == "active" or e.operator.code in holding
    ]
    scope = history.scope
    inside = [c for c in active if scope is None or c in scope]
    outside = [c for c in active if scope is not None and c not in scope]
    options = options_key(encoding, ldap_base)
    store = ShareStore(directory) if directory is not None else None
    pinned = {layout.operator_of(rel) for rel in pins}
    try:
        sources = _sources(repo, history.head, active)
        key = {code: _key(code, ids, options) for code, ids in sources.items()}
        earlier = _earlier(store, repo, history, sources, options, set(inside) - pinned)
        before = _people(history.before_access) if earlier else {}
        # An operator whose change waits for its date shows on the day the share the last
        # run kept as its files then said (rendering it again would give those bytes).
        found = {
            code: share
            for code, (_, share) in earlier.items()
            if code in on_day and on_day[code] == before.get(code)
        }
        kept_units = store.units(k for k, _ in earlier.values()) if store is not None else {}
        known: dict[str, Previous | None] = {}

        def previous(code: str) -> Previous | None:
            """The earlier share of ``code``, for its holders that have not changed."""
            if code not in known:
                k, share = earlier.get(code, ("", None))
                units = kept_units.get(k)
                people = before.get(code, [])
                known[code] = (
                    None if share is None else earlier_share(share, units, people, registry)
                )
            return known[code]

        rendered: set[str] = set()  # operators with a share rendered in this run
        cached: dict[str, Fragment] = {}
        if store is not None and outside:
            cached = store.get(key[c] for c in outside if c not in taken)
        missing = [c for c in outside if c not in taken and key[c] not in cached]
        for code in outside:
            if code in taken:
                found[code] = taken[code].share
            elif key[code] in cached:
                found[code] = cached[key[code]]
        # Not cached: those operators' users read at the head, as the files say.
        loaded = snapshots.narrowed(missing, pins={}).at(history.head) if missing else None
        people = _people(effective_access(loaded, missing)) if loaded is not None else {}
        # Known before any share is rendered or kept (a share holds its holders' logins),
        # so that none of them is kept when they clash.
        logins = [tuple(p.login for p in on_day[c]) for c in inside if c in on_day]
        logins += [found[c].logins for c in outside if c in found]
        logins += [tuple(p.login for p in people.get(c, [])) for c in missing]
        if _shares_a_login(logins):
            raise LoginClashError()
        spill = _Spill(store, found)
        if loaded is not None:
            crossing = clashing(loaded, missing)
            # Each kept as it comes: a run rendering every operator (the first after an
            # upgrade) holds a few shares' bytes at a time, not every operator's.
            for code in missing:  # an operator without holders has an empty share
                found[code] = fragments.render(people.get(code, []), loaded, encoding, ldap_base)
                rendered.add(code)
                if code not in crossing:
                    spill.add(code, key[code], found[code])
            del loaded, people  # the head's registry, read for these shares alone
        # Shares not kept: they depend on more than their operator's files at the head.
        apart = pinned | (clashing(registry) if scope is None else set())
        # A change waits for its date: the day's share is kept under the day's holders, and
        # the share as the files say under the files' key, for the run after the date.
        # Every run until then reads both from the cache.
        dated = [c for c in inside if c not in apart and on_day.get(c) != as_files.get(c)]
        # Not for one whose share the last run kept as it is on the day (its change still
        # to come): hashing its holders only to look up what is already found.
        day_key = {c: _day_key(key[c], on_day[c]) for c in dated if c in on_day and c not in found}
        on_file: Collection[str] = ()
        if store is not None and dated:
            kept = store.get([*day_key.values(), *(key[c] for c in dated)])
            found.update({c: kept[k] for c, k in day_key.items() if k in kept})
            on_file = {c for c in dated if key[c] in kept}
        for code in inside:
            if code in on_day and code not in found:
                found[code] = fragments.render(
                    on_day[code], registry, encoding, ldap_base, previous(code)
                )
                rendered.add(code)
                if code in day_key:
                    spill.add(code, day_key[code], found[code])
            if code in apart:
                continue
            if on_day.get(code) == as_files.get(code):
                if code in found:
                    spill.add(code, key[code], found[code])
            elif store is not None and code not in on_file:
                spill.add(
                    None,
                    key[code],
                    fragments.render(
                        as_files.get(code, []), registry, encoding, ldap_base, previous(code)
                    ),
                )
                rendered.add(code)
        spill.flush()
        carrying: dict[str, Carried] = {}
        if store is not None:
            # After the flush: a share rendered now lies in the store, and is linked.
            for code, until in carry.items():
                if code in found and code in on_day and code not in apart:
                    days = Carried(found[code], today, until, len(as_files.get(code, ())))
                    carrying[_carried_key(code, history.head, key[code])] = days
            for code, was in taken.items():
                if code in found:
                    carrying[_carried_key(code, history.head, key[code])] = was
            # Not read again by the next run only to take this run's step as done.
            for code, (done, until) in (later or {}).items():
                if code in key and code not in apart:
                    share = fragments.render(
                        list(done), registry, encoding, ldap_base, previous(code)
                    )
                    days = Carried(share, today, until, len(as_files.get(code, ())))
                    carrying[_carried_key(code, history.head, key[code])] = days
            store.carry(carrying)
            # Not the shares this run's outputs copy from (a day's share may lie under the
            # key of an earlier revision).
            in_use = _origins(found[c] for c in [*inside, *taken] if c in found)
            store.prune([*key.values(), *in_use, *carrying])
    finally:
        if store is not None:
            store.close()
    ordered = [found[code] for code in active if code in found]
    beyond = sum(
        taken[c].logins if c in taken else len(found[c].logins) for c in outside if c in found
    )
    return Shares(ordered, beyond, len(rendered), len(active), len(inside) + len(missing))
