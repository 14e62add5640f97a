"""Each operator's share of the snapshot outputs, rendered on its own.

Every snapshot (the import CSVs, SCIM, LDIF, the info-sharing site's pages and subscribers)
lists holders by operator, then login, and a group's members in the same order. So a
snapshot is its header, then each operator's share in operator order: a run renders the
shares of the operators it changes and takes the others as they were (``provision.shares``
keeps them), and both give the same bytes as rendering everything. Within a share, each
holder's rows, entry and line are their own bytes (``Units``): rendering an operator again
takes those of the holders who have not changed from its earlier share (``Previous``).
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate

from accessreg.model import Catalog
from accessreg.model.content import Content, Piece, Slice, joined
from accessreg.model.messages import Message
from accessreg.model.registry import Registry
from accessreg.outputs import csv_, info_site, ldif, scim
from accessreg.outputs.access import Holder, directory_groups, members_by_group
from accessreg.outputs.csv_ import CannotEncode, Encoding


def import_systems(catalog: Catalog) -> list[str]:
    """The systems with an import file: the 託送API has none (the operator uses it, no user
    holds a code)."""
    return [s.id for s in catalog.systems if s.level == "user"]


def snapshot_name(system: str) -> str:
    return f"imports/{system}/snapshot.csv"


# Piece name → the byte length of each of its holders' units, in login order. Pieces of
# holders' own bytes: the imports' rows, the SCIM users' lines, the LDIF people's records,
# the site's page rows and its subscribers' rows; a group's piece lists members only and is
# rendered every time.
Units = Mapping[str, tuple[int, ...]]


# What stands between two holders' units in a piece (rows end their own line).
_SEPARATORS = {"scim": scim.PEOPLE_SEPARATOR, "ldif": ldif.PEOPLE_SEPARATOR}


def _separator(piece: str) -> bytes:
    return _SEPARATORS.get(piece, b"")


@dataclass(frozen=True)
class Fragment:
    """One operator's share of every snapshot: its pieces rendered now (bytes) or lying in
    the cache (``model.content.Slice``)."""

    logins: tuple[str, ...]  # its holders, in login order
    imports: Mapping[str, Piece]  # system → its rows of imports/<system>/snapshot.csv
    scim: scim.Part
    ldif: ldif.Part
    pages: Piece  # its rows of info_site/pages.csv
    subscribers: Piece  # its rows of info_site/subscribers.csv
    # file → the cells the encoding cannot hold (the run then writes nothing)
    failures: Mapping[str, tuple[Message, ...]] = field(default_factory=dict)
    units: Units = field(default_factory=dict)  # of a share rendered now
    # The holders a share rendered now was rendered from, in login order (the deltas take
    # their bytes from it: ``Shown``).
    holders: tuple[Holder, ...] = ()

    def pieces(self) -> dict[str, Piece]:
        """Every piece by a name of its own (how the cache stores them)."""
        found: dict[str, Piece] = {f"imports/{k}": v for k, v in self.imports.items()}
        found["scim"], found["ldif"], found["pages"] = self.scim[0], self.ldif[0], self.pages
        found["subscribers"] = self.subscribers
        found.update({f"scim-group/{g}": v for g, v in self.scim[1].items()})
        found.update({f"ldif-group/{g}": v for g, v in self.ldif[1].items()})
        return found

    @classmethod
    def of_pieces(
        cls,
        logins: tuple[str, ...],
        pieces: Mapping[str, Piece],
        failures: Mapping[str, tuple[Message, ...]],
    ) -> Fragment:
        """The fragment whose :meth:`pieces` are ``pieces``."""

        def under(prefix: str) -> dict[str, Piece]:
            return {k[len(prefix) :]: v for k, v in pieces.items() if k.startswith(prefix)}

        return cls(
            logins=logins,
            imports=under("imports/"),
            scim=(pieces["scim"], under("scim-group/")),
            ldif=(pieces["ldif"], under("ldif-group/")),
            pages=pieces["pages"],
            subscribers=pieces["subscribers"],
            failures=failures,
        )


def _members(
    people: Sequence[Holder], registry: Registry, readable: Mapping[str, object]
) -> dict[str, list[Holder]]:
    """The holders in each piece of holders' own bytes, in login order."""
    found = {
        f"imports/{s}": _in_piece(people, f"imports/{s}") for s in import_systems(registry.catalog)
    }
    found["scim"] = found["ldif"] = list(people)
    found["pages"] = [p for p in people if p.login in readable]
    found["subscribers"] = info_site.subscribers(registry.catalog, people)
    return found


def _in_piece(people: Sequence[Holder], name: str) -> list[Holder]:
    """The holders in the piece ``name`` (``scim``, ``ldif`` or ``imports/<system>``)."""
    if name.startswith("imports/"):
        system = name.removeprefix("imports/")
        return [p for p in people if system in p.permissions]
    return list(people)


@dataclass(frozen=True)
class Cut:
    """A share's piece, cut into its holders' units (``data`` as it lies in the store,
    not copied)."""

    data: bytes | memoryview
    at: Mapping[str, int]  # login → the index of its unit
    starts: Sequence[int]
    lengths: Sequence[int]

    @classmethod
    def of(
        cls,
        holders: Sequence[Holder],
        data: bytes | memoryview | None,
        lengths: Sequence[int],
        name: str,
    ) -> Cut | None:
        """``data``, the piece ``name`` of ``holders``, cut by ``lengths``; None when it
        does not add up to them."""
        gap = len(_separator(name))
        if data is None or len(holders) != len(lengths):
            return None
        starts = list(accumulate((n + gap for n in lengths), initial=0))
        if (starts[-1] - gap if lengths else 0) != len(data):
            return None
        return cls(data, {holder.login: i for i, holder in enumerate(holders)}, starts, lengths)

    def span(self, first: int, last: int) -> bytes | memoryview:
        """The units ``first`` to ``last`` and what stands between them, as they lie."""
        return self.data[self.starts[first] : self.starts[last] + self.lengths[last]]


@dataclass(frozen=True)
class Previous:
    """An earlier share of the same operator, rendered from the same catalog, operator file
    and options: the holders it showed, and where each one's bytes lie in each piece."""

    holders: Mapping[str, Holder]  # login → the holder as that share showed them
    cuts: Mapping[str, Cut]  # by piece name
    # A group's piece lists its members' logins alone: by piece name, the members it was
    # rendered for and its bytes.
    groups: Mapping[str, tuple[tuple[str, ...], bytes | memoryview]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        people: Sequence[Holder],
        registry: Registry,
        pieces: Mapping[str, bytes | memoryview],
        units: Units,
    ) -> Previous:
        """The share of ``people`` whose pieces are ``pieces``, cut by ``units``; a piece
        that does not add up to its units is left out (rendered again)."""
        readable = info_site.pages(registry, {p.login: p for p in people})
        members = _members(people, registry, readable)
        cuts: dict[str, Cut] = {}
        for name, lengths in units.items():
            cut = Cut.of(members.get(name, []), pieces.get(name), lengths, name)
            if cut is not None:
                cuts[name] = cut
        groups = {}
        for group, logins in members_by_group(people).items():
            for name in (f"scim-group/{group}", f"ldif-group/{group}"):
                if name in pieces:
                    groups[name] = (logins, pieces[name])
        return cls({p.login: p for p in people}, cuts, groups)


def render(
    people: Sequence[Holder],
    registry: Registry,
    encoding: Encoding,
    ldap_base: str,
    previous: Previous | None = None,
) -> Fragment:
    """The share of ``people``, one operator's holders in login order; ``registry`` holds
    that operator's file (the site's pages follow the systems it uses). The holders that
    ``previous`` showed as they are now keep their bytes from there."""
    catalog = registry.catalog
    same = set()
    if previous is not None:
        same = {p.login for p in people if previous.holders.get(p.login) == p}
    units: dict[str, tuple[int, ...]] = {}

    def piece(
        name: str, holders: list[Holder], make: Callable[[list[Holder]], list[bytes]]
    ) -> bytes:
        """The piece ``name`` of ``holders``: those ``previous`` showed as they are now
        from there (the holders in a row who did not change, as one span), the others made
        now."""
        cut = previous.cuts.get(name) if previous is not None else None
        at = cut.at if cut is not None else {}
        fresh = [p for p in holders if p.login not in same or p.login not in at]
        made = dict(zip((p.login for p in fresh), make(fresh), strict=True))
        segments: list[bytes | memoryview] = []
        lengths: list[int] = []
        first = last = -1  # the units of ``cut`` taken in a row, not yet in ``segments``
        for p in holders:
            unit = made.get(p.login)
            if unit is None and cut is not None:
                i = at[p.login]
                lengths.append(cut.lengths[i])
                if last >= 0 and i == last + 1:
                    last = i
                    continue
                if last >= 0:
                    segments.append(cut.span(first, last))
                first = last = i
                continue
            assert unit is not None
            if cut is not None and last >= 0:
                segments.append(cut.span(first, last))
                first = last = -1
            segments.append(unit)
            lengths.append(len(unit))
        if cut is not None and last >= 0:
            segments.append(cut.span(first, last))
        units[name] = tuple(lengths)
        return _separator(name).join(segments)

    readable = info_site.pages(registry, {p.login: p for p in people})
    members = _members(people, registry, readable)
    failures: dict[str, tuple[Message, ...]] = {}
    imports = {}
    for system in import_systems(catalog):
        holding = members[f"imports/{system}"]
        if not holding:
            continue
        label = snapshot_name(system)

        def rows(hs: list[Holder], system: str = system, label: str = label) -> list[bytes]:
            return csv_.snapshot_units(label, hs, system, catalog, encoding)

        try:
            imports[system] = piece(f"imports/{system}", holding, rows)
        except CannotEncode as exc:
            failures[label] = tuple(exc.lines)
    try:
        pages = piece(
            "pages",
            members["pages"],
            lambda hs: info_site.pages_units(catalog, hs, readable, encoding),
        )
    except CannotEncode as exc:
        failures[info_site.PAGES] = tuple(exc.lines)
        pages = b""
    try:
        subscribers = piece(
            "subscribers",
            members["subscribers"],
            lambda hs: info_site.subscriber_units(hs, encoding),
        )
    except CannotEncode as exc:
        failures[info_site.SUBSCRIBERS] = tuple(exc.lines)
        subscribers = b""
    users = piece("scim", members["scim"], lambda hs: [scim.user_line(p) for p in hs])
    entries = piece(
        "ldif", members["ldif"], lambda hs: [ldif.person_record(p, ldap_base) for p in hs]
    )
    kept = previous.groups if previous is not None else {}

    def group(name: str, logins: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        """A group's piece: from ``previous`` when it had the same members."""
        was = kept.get(name)
        return bytes(was[1]) if was is not None and was[0] == logins else make()

    scim_groups, ldif_groups = {}, {}
    for g, logins in members_by_group(people).items():
        scim_groups[g] = group(f"scim-group/{g}", logins, partial(scim.members, logins))
        ldif_groups[g] = group(f"ldif-group/{g}", logins, partial(ldif.members, logins, ldap_base))
    return Fragment(
        logins=tuple(p.login for p in people),
        imports=imports,
        scim=(users, scim_groups),
        ldif=(entries, ldif_groups),
        pages=pages,
        subscribers=subscribers,
        failures=failures,
        units=units,
        holders=tuple(people),
    )


class Shown:
    """Each holder's bytes in the run's shares, for the deltas: a delta adding a holder
    whom a share rendered in this run shows as the delta does takes those bytes instead of
    making them again (a first apply adds every holder: 200,000 SCIM lines, LDIF records
    and rows of each import, made once for the snapshots, not twice). A piece lying in
    the store is read whole by ``read`` when a unit of it is first asked for, and kept
    until one of another share is: a delta asking by operator, as a first apply's does,
    reads each piece once."""

    def __init__(self, shares: Iterable[Fragment], read: Callable[[Slice], bytes]) -> None:
        self._of: dict[str, Fragment] = {}  # login → the share rendered from its holder
        for share in shares:
            if share.units:
                self._of.update((h.login, share) for h in share.holders)
        self._read = read
        # By piece name, the share last asked: the piece's holders, and the piece cut.
        self._last: dict[str, tuple[Fragment, list[Holder], Cut | None]] = {}

    def unit(self, name: str, holder: Holder) -> bytes | None:
        """The bytes of ``holder`` in the piece ``name`` (``scim``, ``ldif``,
        ``imports/<system>``) of its share, or None when no share rendered now shows
        ``holder`` as it is (a holder as they were, or as a later date makes them)."""
        share = self._of.get(holder.login)
        if share is None:
            return None
        last = self._last.get(name)
        if last is None or last[0] is not share:
            held = _in_piece(share.holders, name)
            piece = share.pieces().get(name)
            data = self._read(piece) if isinstance(piece, Slice) else piece
            last = self._last[name] = (
                share,
                held,
                Cut.of(held, data, share.units.get(name, ()), name),
            )
        _, held, cut = last
        i = cut.at.get(holder.login) if cut is not None else None
        if cut is None or i is None or (held[i] is not holder and held[i] != holder):
            return None
        return bytes(cut.span(i, i))


def lists_as_snapshot(shares: Sequence[Fragment], holders: Iterable[Holder]) -> bool:
    """Whether ``holders``, in order, are every holder the snapshot of ``shares`` lists, in
    its order and as it shows them. A share lying in the cache keeps no holders to compare:
    its snapshot is vouched for by none."""
    if any(len(share.holders) != len(share.logins) for share in shares):
        return False
    listed = [h for share in shares for h in share.holders]
    given = list(holders)
    if len(listed) != len(given):
        return False
    return all(a is b or a == b for a, b in zip(listed, given, strict=True))


def assemble(
    catalog: Catalog, fragments: Sequence[Fragment], encoding: Encoding, ldap_base: str
) -> tuple[dict[str, Content], dict[str, list[Message]]]:
    """Every snapshot from the operators' shares in operator order, and by file the cells
    the encoding cannot hold."""
    failures: dict[str, list[Message]] = {}
    for fragment in fragments:
        for label, lines in fragment.failures.items():
            failures.setdefault(label, []).extend(lines)
    # The shares' pieces are kept as they are, not joined into one copy of everything.
    header = csv_.snapshot_header(catalog, encoding)
    files: dict[str, Content] = {
        snapshot_name(system): joined(
            [header, *(f.imports.get(system, b"") for f in fragments)], apart=True
        )
        for system in import_systems(catalog)
    }
    groups = directory_groups(catalog)
    files["scim/snapshot.json"] = scim.document((f.scim for f in fragments), True, groups=groups)
    ldif_parts = (f.ldif for f in fragments)
    files["ldif/snapshot.ldif"] = ldif.document(ldif_parts, ldap_base, True, groups=groups)
    pages = info_site.pages_header(catalog, encoding)
    files[info_site.PAGES] = joined([pages, *(f.pages for f in fragments)], apart=True)
    subscribers = info_site.subscribers_header(encoding)
    files[info_site.SUBSCRIBERS] = joined(
        [subscribers, *(f.subscribers for f in fragments)], apart=True
    )
    return files, failures
