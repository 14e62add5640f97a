"""A delta adding a holder takes its line, record or row from the operator's share of the
snapshots (``fragments.Located``): the same bytes as making them again, and made again
whenever the share was not rendered from that very holder."""

from __future__ import annotations

import io
import operator
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accessreg.files import assembled
from accessreg.model.changes import ChangeKind
from accessreg.model.content import Deferred, Piece, Slice
from accessreg.model.registry import Registry
from accessreg.outputs import csv_, fragments, ldif, scim
from accessreg.outputs.access import (
    Access,
    Holder,
    by_operator,
    diff,
    effective_access,
    same_person,
)
from accessreg.outputs.csv_ import DatedChange, Encoding
from accessreg.outputs.fragments import Fragment, Located, import_systems
from accessreg.provision.shares import ShareStore
from tests.helpers.regfactory import RegistryFactory
from tests.helpers.registries import loaded

BASE = "dc=example,dc=jp"
M = date(2026, 12, 16)
# Cells each output escapes its own way: CSV quoting and formulas, LDIF base64 and DN
# escapes, JSON strings. Every character is one CP932 holds.
Same = Callable[[Holder, Holder], bool]
HOSTILE = ['=1+2, "引用"', " 先頭の空白", "改行\r\nの後", "a,b;c<d>", "+commas,"]


def _registry(reg: RegistryFactory) -> Registry:
    reg.operator("TESTOP02", name="第二ガス株式会社")
    codes = [{"taxis": "1010"}, {"johs": "J1010"}, {"taxis": "1011", "johs": "J1010"}]
    for n in range(7):
        operator = "TESTOP01" if n % 2 else "TESTOP02"
        email = f"u{n}@{operator.lower()}.example.co.jp"
        reg.user(operator, email, permissions=codes[n % 3], affiliation=operator)
    return loaded(reg)


def _day(registry: Registry) -> dict[str, Holder]:
    """The registry's holders, with text each output must escape in their fields."""
    access = effective_access(registry)
    return {
        login: replace(h, name=HOSTILE[n % len(HOSTILE)], memo=HOSTILE[-1 - n % len(HOSTILE)])
        for n, (login, h) in enumerate(access.items())
    }


def _shares(registry: Registry, day: Access, encoding: Encoding) -> list[Fragment]:
    return [fragments.render(p, registry, encoding, BASE) for p in by_operator(day)]


def _stored(shares: list[Fragment], where: Path) -> list[Fragment]:
    """The shares as a run's outputs copy them: slices of the store's files, with their
    units."""
    store = ShareStore(where)
    try:
        keyed = {f"{n:04d}": share for n, share in enumerate(shares)}
        store.put(keyed)
        got = store.get(keyed)
    finally:
        store.close()
    assert all(isinstance(p, Slice) for s in got.values() for p in s.pieces().values())
    return [replace(got[k], units=share.units) for k, share in keyed.items()]


def _written(pieces: Iterator[Piece]) -> bytes:
    out = io.BytesIO()
    assembled.write(out, Deferred(lambda: pieces))
    return out.getvalue()


def _deltas(before: Access, after: Access, registry: Registry, encoding: Encoding,
            located: Located | None) -> dict[str, bytes]:  # fmt: skip
    """Every delta adding ``after``'s new holders: SCIM, LDIF and each system's rows, some
    with a date of effect and some waiting for a manual step."""

    def own(piece: str, same: Same = operator.is_) -> fragments.Own | None:
        return located.units(piece, same) if located is not None else None

    catalog = registry.catalog
    found = {
        "scim": _written(scim.delta_pieces(before, after, own=own("scim", scim.same_user))),
        "ldif": _written(ldif.delta_pieces(before, after, BASE, own=own("ldif", same_person))),
    }
    changes = diff(before, after, catalog)
    for system in import_systems(catalog):
        dated = [
            DatedChange(c, M, None if n % 3 == 0 else date(2026, 12, 9 + n % 2))
            for n, c in enumerate(c for c in changes if c.system == system)
        ]
        pieces = csv_.delta_pieces("x", dated, system, catalog, encoding, own(f"imports/{system}"))
        found[system] = _written(pieces)
    return found


@pytest.mark.parametrize("stored", [False, True], ids=["in memory", "in the store"])
@pytest.mark.parametrize("encoding", list(Encoding))
def test_a_first_delta_from_the_shares_is_the_delta_made_again(
    reg: RegistryFactory, tmp_path: Path, encoding: Encoding, stored: bool
) -> None:
    registry = _registry(reg)
    day = _day(registry)
    shares = _shares(registry, day, encoding)
    if stored:
        shares = _stored(shares, tmp_path)
    made = _deltas({}, day, registry, encoding, None)
    taken = _deltas({}, day, registry, encoding, Located(shares, day))
    assert taken == made
    assert made["scim"].count(b'"method": "POST", "path": "/Users"') == len(day) > 5
    assert all(made[s].count(b"\r\n") > 2 for s in ("taxis", "johs"))


def test_only_new_holders_are_taken_from_the_shares(reg: RegistryFactory) -> None:
    """Changed and deleted holders are made as the delta makes them; the new ones, and a
    system's rows of those who gain it, come from the shares, as they would be made."""
    registry = _registry(reg)
    day = _day(registry)
    logins = list(day)
    before = {k: v for k, v in day.items() if k not in logins[:2]}
    before[logins[2]] = replace(day[logins[2]], memo="前の備考", permissions={"taxis": "1011"})
    before["gone@testop01.example.co.jp"] = replace(
        day[logins[3]], login="gone@testop01.example.co.jp"
    )
    shares = _shares(registry, day, Encoding.UTF8)
    asked: list[str] = []
    located = Located(shares, day)

    class Counting(Located):
        def units(self, piece: str, same: Same = operator.is_) -> fragments.Own:
            unit = located.units(piece, same)

            def counted(holder: Holder) -> Piece | None:
                asked.append(holder.login)
                return unit(holder)

            return counted

    made = _deltas(before, day, registry, Encoding.UTF8, None)
    taken = _deltas(before, day, registry, Encoding.UTF8, Counting(shares, day))
    assert taken == made
    gains = {
        c.person.login for c in diff(before, day, registry.catalog) if c.kind is ChangeKind.ADD
    }
    assert set(asked) == set(logins[:2]) | gains
    assert logins[2] in gains and "gone@testop01.example.co.jp" not in asked


def test_a_holder_the_shares_were_not_rendered_from_is_made_again(
    reg: RegistryFactory,
) -> None:
    """The shares show the holders of one day; a delta adding an equal login with other
    fields (a later stage) makes its bytes."""
    registry = _registry(reg)
    day = _day(registry)
    shares = _shares(registry, day, Encoding.UTF8)
    later = {
        k: replace(v, memo="後日の備考") if n % 2 else v for n, (k, v) in enumerate(day.items())
    }
    made = _deltas({}, later, registry, Encoding.UTF8, None)
    assert made != _deltas({}, day, registry, Encoding.UTF8, None)
    assert _deltas({}, later, registry, Encoding.UTF8, Located(shares, day)) == made


def test_a_share_of_other_holders_of_a_system_is_not_taken(reg: RegistryFactory) -> None:
    """A share rendered when a holder did not hold a system lists that system's rows
    without it: none of them is taken for a day on which it does."""
    registry = _registry(reg)
    day = _day(registry)
    login = next(k for k, v in day.items() if "taxis" not in v.permissions)
    shares = _shares(registry, day, Encoding.UTF8)
    gains = dict(day)
    gains[login] = replace(day[login], permissions={**day[login].permissions, "taxis": "1010"})
    made = _deltas({}, gains, registry, Encoding.UTF8, None)
    assert _deltas({}, gains, registry, Encoding.UTF8, Located(shares, gains)) == made


def test_a_share_whose_units_do_not_add_up_is_not_taken(reg: RegistryFactory) -> None:
    registry = _registry(reg)
    day = _day(registry)
    shares = _shares(registry, day, Encoding.UTF8)
    units = dict(shares[0].units)
    units["scim"] = (units["scim"][0] + 1, *units["scim"][1:])
    shares[0] = replace(shares[0], units=units)
    made = _deltas({}, day, registry, Encoding.UTF8, None)
    assert _deltas({}, day, registry, Encoding.UTF8, Located(shares, day)) == made


def test_a_stage_s_holder_with_some_permissions_takes_its_entry_and_user_line(
    reg: RegistryFactory,
) -> None:
    """A first apply's stages add each holder with the permissions of that day only: its
    LDIF entry and SCIM user line are those of the day's holder, unless it is inactive
    then (its every permission suspended)."""
    registry = _registry(reg)
    day = _day(registry)
    shares = _shares(registry, day, Encoding.UTF8)
    first = next(iter(day))
    stage: dict[str, Holder] = {}
    for login, h in day.items():
        some = dict(sorted(h.permissions.items())[:1])
        stopped = frozenset(some) if login == first else frozenset()
        stage[login] = replace(h, permissions=some, suspended=stopped)
    assert not stage[first].active and all(h.active for h in day.values())
    asked: dict[str, list[str]] = {"scim": [], "ldif": []}

    def counting(piece: str, same: Same) -> fragments.Own:
        unit = Located(shares, day).units(piece, same)

        def counted(holder: Holder) -> Piece | None:
            found = unit(holder)
            if found is not None:
                asked[piece].append(holder.login)
            return found

        return counted

    scim_made = _written(scim.delta_pieces({}, stage))
    ldif_made = _written(ldif.delta_pieces({}, stage, BASE))
    assert _written(scim.delta_pieces({}, stage, own=counting("scim", scim.same_user))) == scim_made
    ldif_taken = ldif.delta_pieces({}, stage, BASE, own=counting("ldif", same_person))
    assert _written(ldif_taken) == ldif_made
    assert asked["ldif"] == list(stage) and asked["scim"] == list(stage)[1:]


_TEXT = st.text(st.sampled_from("aB 1,=+\"'\\\n\u3000試験"), max_size=6)
_CHANGES = {
    "login": _TEXT,
    "email": _TEXT,
    "operator": _TEXT,
    "operator_name": _TEXT,
    "affiliation": _TEXT,
    "affiliation_name": _TEXT,
    "name": _TEXT,
    "name_kana": _TEXT,
    "memo": _TEXT,
    "window_person": st.booleans(),
    "file": _TEXT,
    "permissions": st.dictionaries(st.sampled_from(["taxis", "johs"]), st.just("1010")),
    "suspended": st.frozensets(st.sampled_from(["taxis", "johs"])),
}


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(_CHANGES)), st.none(), max_size=3), st.data())
def test_holders_the_same_person_have_one_entry_and_the_same_user_one_line(
    changed: dict[str, None], data: st.DataObject
) -> None:
    """What lets a stage's holder take the day's bytes: ``same_person`` holders have the
    same LDIF entry, and ``same_user`` ones the same SCIM user line."""
    a = Holder(
        login="u1@example.co.jp", email="U1@example.co.jp", operator="TESTOP01",
        operator_name="テストガス", affiliation="TESTOP01", affiliation_name="テストガス",
        name="試験 太郎", name_kana="シケン タロウ", memo="", window_person=False,
        permissions={"taxis": "1011"}, file="users/TESTOP01/u1.yaml",
    )  # fmt: skip
    b = replace(a, **{name: data.draw(_CHANGES[name]) for name in changed})
    if same_person(a, b):
        assert ldif.person_record(a, BASE) == ldif.person_record(b, BASE)
    if scim.same_user(a, b):
        assert scim.user_line(a) == scim.user_line(b)
    # Equal but for the permissions, exactly.
    assert same_person(a, b) == (replace(a, permissions=b.permissions, suspended=b.suspended) == b)


def test_a_holder_its_operator_s_share_does_not_list_is_made(reg: RegistryFactory) -> None:
    """A holder of the day whom its operator's share does not list (one that came after
    it was rendered) has no bytes there, whatever the logins around it."""
    registry = _registry(reg)
    day = _day(registry)
    shares = _shares(registry, day, Encoding.UTF8)
    some = next(iter(day.values()))
    more = dict(day)
    for login in ("a-first@testop01.example.co.jp", "zz-last@testop01.example.co.jp"):
        more[login] = replace(some, login=login, email=login, operator="TESTOP01")
    more = dict(sorted(more.items()))
    made = _deltas({}, more, registry, Encoding.UTF8, None)
    assert _deltas({}, more, registry, Encoding.UTF8, Located(shares, more)) == made
