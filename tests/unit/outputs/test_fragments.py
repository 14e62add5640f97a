"""An operator's share rendered again from its earlier share: the holders who have not
changed keep their bytes, and the result is the share rendered from nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from accessreg.model.content import Piece
from accessreg.model.registry import Registry
from accessreg.outputs import fragments
from accessreg.outputs.access import Holder, effective_access
from accessreg.outputs.csv_ import Encoding
from accessreg.outputs.fragments import Fragment, Previous
from tests.helpers.regfactory import RegistryFactory
from tests.helpers.registries import loaded

BASE = "dc=example,dc=jp"
OP = "TESTOP01"


def _people(registry: Registry) -> list[Holder]:
    return sorted(
        (h for h in effective_access(registry).values() if h.operator == OP),
        key=lambda h: h.login,
    )


def _bytes(pieces: dict[str, Piece]) -> dict[str, bytes]:
    found = {}
    for name, piece in pieces.items():
        assert isinstance(piece, bytes)
        found[name] = piece
    return found


def _earlier(reg: RegistryFactory, encoding: Encoding) -> tuple[list[Holder], Fragment]:
    for n in range(5):
        codes = [{"taxis": "1010"}, {"johs": "J1010"}, {"taxis": "1011", "johs": "J1010"}]
        reg.user(email=f"u{n}@test-gas.example.co.jp", permissions=codes[n % 3], memo=f"備考{n}")
    people = _people(loaded(reg))
    return people, fragments.render(people, loaded(reg), encoding, BASE)


def _change(reg: RegistryFactory) -> None:
    reg.user(email="u1@test-gas.example.co.jp", permissions={"johs": "J1010"}, memo="変更後")
    reg.user(email="u2@test-gas.example.co.jp", permissions={"taxis": "1010"})
    (reg.root / f"users/{OP}/u3@test-gas.example.co.jp.yaml").unlink()
    reg.user(email="u31@test-gas.example.co.jp", permissions={"taxis": "1011"}, name="新人 花子")


def _remove(reg: RegistryFactory) -> None:
    """One holder gone between two that stay: their units are no longer side by side."""
    (reg.root / f"users/{OP}/u1@test-gas.example.co.jp.yaml").unlink()


@pytest.mark.parametrize("change", [_change, _remove])
@pytest.mark.parametrize("encoding", list(Encoding))
def test_rendered_again_from_the_earlier_share_it_is_the_share_rendered_anew(
    reg: RegistryFactory, encoding: Encoding, change: Callable[[RegistryFactory], None]
) -> None:
    then, earlier = _earlier(reg, encoding)
    change(reg)
    registry = loaded(reg)
    people = _people(registry)
    previous = Previous.of(then, registry, _bytes(earlier.pieces()), earlier.units)
    again = fragments.render(people, registry, encoding, BASE, previous)
    anew = fragments.render(people, registry, encoding, BASE)
    assert again.pieces() == anew.pieces()
    assert again.units == anew.units
    assert again.logins == anew.logins


def test_only_the_holders_that_have_not_changed_keep_their_bytes(reg: RegistryFactory) -> None:
    then, _ = _earlier(reg, Encoding.UTF8)
    _change(reg)
    registry = loaded(reg)
    people = _people(registry)
    # The earlier share's LDIF records replaced by marks (as many, in the same order): a
    # holder whose mark shows in the new piece kept its bytes from there.
    marks = {h.login: f"[{h.login}]".encode() for h in then}
    records = b"\n".join(marks.values())
    lengths = tuple(len(m) for m in marks.values())
    previous = Previous.of(then, registry, {"ldif": records}, {"ldif": lengths})
    entries = fragments.render(people, registry, Encoding.UTF8, BASE, previous).ldif[0]
    assert isinstance(entries, bytes)
    kept = {login for login, mark in marks.items() if mark in entries}
    unchanged = ["u0", "u4", "user1", "window1"]  # and the sample's own two holders
    assert kept == {f"{name}@test-gas.example.co.jp" for name in unchanged}
    assert b"u2@test-gas.example.co.jp" in entries  # changed: rendered again


def test_a_piece_that_does_not_add_up_to_its_units_is_rendered_again(
    reg: RegistryFactory,
) -> None:
    then, earlier = _earlier(reg, Encoding.UTF8)
    pieces = _bytes(earlier.pieces())
    pieces["scim"] += b" "
    registry = loaded(reg)
    previous = Previous.of(then, registry, pieces, earlier.units)
    assert "scim" not in previous.cuts
    assert previous.cuts["ldif"].at
    again = fragments.render(then, registry, Encoding.UTF8, BASE, previous)
    assert again.pieces() == earlier.pieces()


def test_a_group_with_the_same_members_keeps_its_bytes(reg: RegistryFactory) -> None:
    """A group's piece lists its members' logins alone: kept when they are the same, in
    the same order, whatever else changed about them."""
    then, earlier = _earlier(reg, Encoding.UTF8)
    _change(reg)  # every group but the window persons' gains or loses a member
    registry = loaded(reg)
    people = _people(registry)
    previous = Previous.of(then, registry, _bytes(earlier.pieces()), earlier.units)
    marked = {name: (logins, f"<{name}>".encode()) for name, (logins, _) in previous.groups.items()}
    again = fragments.render(
        people, registry, Encoding.UTF8, BASE, replace(previous, groups=marked)
    )
    kept = {g for g, piece in again.scim[1].items() if piece == f"<scim-group/{g}>".encode()}
    assert kept == {"admin_console-granted"}
    anew = fragments.render(people, registry, Encoding.UTF8, BASE)
    assert {g: again.scim[1][g] for g in ("taxis-1010", "johs-J1010")} == {
        g: anew.scim[1][g] for g in ("taxis-1010", "johs-J1010")
    }
