"""A delta adding a holder takes the holder's bytes from the share of the snapshots that
shows them as the delta does (``fragments.Shown``): the same bytes as making them again,
whether the share is in memory or lies in the store, and never the bytes of a holder the
share shows otherwise."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from accessreg.files import assembled
from accessreg.model.content import Piece, Slice
from accessreg.model.registry import Registry
from accessreg.outputs import csv_, fragments, ldif, scim
from accessreg.outputs.access import (
    Access,
    DirectoryGroups,
    Holder,
    Shown,
    diff,
    directory_groups,
    effective_access,
)
from accessreg.outputs.csv_ import DatedChange, Encoding
from accessreg.outputs.fragments import Fragment
from tests.helpers.regfactory import RegistryFactory
from tests.helpers.registries import loaded

BASE = "dc=example,dc=jp"
OP = "TESTOP01"
DAY = date(2026, 12, 16)


def _people(registry: Registry) -> list[Holder]:
    return sorted(
        (h for h in effective_access(registry).values() if h.operator == OP),
        key=lambda h: h.login,
    )


def _users(reg: RegistryFactory) -> None:
    codes = [{"taxis": "1010"}, {"johs": "J1010"}, {"taxis": "1011", "johs": "J1010"}]
    for n in range(5):
        memo = "=SUM(1)" if n == 2 else f"備考{n}"  # a cell the CSV escapes
        reg.user(email=f"u{n}@test-gas.example.co.jp", permissions=codes[n % 3], memo=memo)
    # A login ID the DN escapes (000 §5-1 note 3 lets it start with "="): its DN line is
    # longer than the ID, and the entry is cut after it.
    reg.user(email="=u&9@test-gas.example.co.jp", permissions={"taxis": "1010"}, name="試験 九郎")


def _change(reg: RegistryFactory) -> None:
    """u0 changes its code and memo, u2 its code and leaves JOHS; the others stay."""
    reg.user(email="u0@test-gas.example.co.jp", permissions={"taxis": "1011"}, memo="変更後")
    reg.user(email="u2@test-gas.example.co.jp", permissions={"taxis": "1010"})


def _stored(share: Fragment, path: Path) -> Fragment:
    """``share`` as the store gives it back to the run that put it there: its pieces as
    slices of one file, its units and holders kept (``provision.shares._Spill``)."""
    pieces, at, data = {}, 0, b""
    for name, piece in share.pieces().items():
        assert isinstance(piece, bytes)
        pieces[name] = Slice(str(path), at, len(piece))
        at, data = at + len(piece), data + piece
    path.write_bytes(data)
    again = Fragment.of_pieces(share.logins, pieces, share.failures)
    return replace(again, units=share.units, holders=share.holders)


def _bytes(pieces: Iterable[Piece]) -> bytes:
    found = b""
    for piece in pieces:
        assert isinstance(piece, bytes)
        found += piece
    return found


def _deltas(
    before: Access,
    after: Access,
    registry: Registry,
    encoding: Encoding,
    shown: fragments.Shown,
    taken: dict[str, list[str]] | None = None,
) -> dict[str, bytes]:
    """Every delta from ``before`` to ``after``, each holder's bytes from ``shown`` where
    it has them; ``taken``: by piece name, the logins whose bytes the deltas took there."""
    catalog = registry.catalog
    groups = DirectoryGroups(directory_groups(catalog))
    taken = {} if taken is None else taken

    def unit(name: str) -> Shown:
        def found(holder: Holder) -> bytes | None:
            got = shown.unit(name, holder)
            if got is not None:
                taken.setdefault(name, []).append(holder.login)
            return got

        return found

    found = {
        "scim": _bytes(scim.delta_pieces(before, after, groups, unit("scim"))),
        "ldif": _bytes(ldif.delta_pieces(before, after, groups, BASE, unit("ldif"))),
    }
    changes = diff(before, after, catalog)
    for system in fragments.import_systems(catalog):
        rows = [DatedChange(c, DAY, DAY) for c in changes if c.system == system]
        label = f"imports/{system}/delta.csv"
        made = csv_.delta_pieces(label, rows, system, catalog, encoding, unit(f"imports/{system}"))
        found[label] = b"".join(made)
    return found


def _made(
    before: Access, after: Access, registry: Registry, encoding: Encoding
) -> dict[str, bytes]:
    """The same deltas, every byte made from the holders."""
    return _deltas(before, after, registry, encoding, fragments.Shown([], assembled.read))


@pytest.mark.parametrize("where", ["memory", "store"])
@pytest.mark.parametrize("encoding", list(Encoding))
def test_a_delta_adding_a_share_s_holders_takes_their_bytes_from_it(
    reg: RegistryFactory, tmp_path: Path, encoding: Encoding, where: str
) -> None:
    _users(reg)
    registry = loaded(reg)
    people = _people(registry)
    share = fragments.render(people, registry, encoding, BASE)
    if where == "store":
        share = _stored(share, tmp_path / "share")
    shown = fragments.Shown([share], assembled.read)
    after = {p.login: p for p in people}
    taken: dict[str, list[str]] = {}
    assert _deltas({}, after, registry, encoding, shown, taken) == _made(
        {}, after, registry, encoding
    )
    # Every holder's SCIM line and LDIF entry, and each import's rows, came from the share.
    logins = [p.login for p in people]
    assert taken["scim"] == taken["ldif"] == logins
    for system in ("taxis", "johs"):
        assert taken[f"imports/{system}"] == [p.login for p in people if system in p.permissions]


def test_a_holder_the_share_shows_otherwise_is_made_again(reg: RegistryFactory) -> None:
    """The share shows the holders as they were: a delta to what they are now takes no
    byte of those who changed, and the others' from the share."""
    _users(reg)
    then = _people(loaded(reg))
    share = fragments.render(then, loaded(reg), Encoding.UTF8, BASE)
    _change(reg)
    registry = loaded(reg)
    now = {p.login: p for p in _people(registry)}
    shown = fragments.Shown([share], assembled.read)
    changed = {"u0@test-gas.example.co.jp", "u2@test-gas.example.co.jp"}
    assert {login for login, p in now.items() if shown.unit("scim", p) is None} == changed
    made = _made({}, now, registry, Encoding.UTF8)
    assert _deltas({}, now, registry, Encoding.UTF8, shown) == made
    assert "変更後".encode() in made["imports/taxis/delta.csv"]


def test_a_change_row_keeps_the_code_it_replaces(reg: RegistryFactory) -> None:
    """A CSV row changing a code ends with the earlier code, which no snapshot row holds:
    made from its cells, though the share shows the holder as the delta does."""
    _users(reg)
    before = {p.login: p for p in _people(loaded(reg))}
    _change(reg)
    registry = loaded(reg)
    people = _people(registry)
    shown = fragments.Shown(
        [fragments.render(people, registry, Encoding.UTF8, BASE)], assembled.read
    )
    after = {p.login: p for p in people}
    made = _made(before, after, registry, Encoding.UTF8)
    rows = made["imports/taxis/delta.csv"].decode("utf-8-sig").splitlines()
    assert [r.rsplit(",", 1)[1] for r in rows if "u0@" in r or "u2@" in r] == ["1010", "1011"]
    assert _deltas(before, after, registry, Encoding.UTF8, shown) == made
