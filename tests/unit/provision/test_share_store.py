"""The store of operators' snapshot shares: what it gives back, and how it stays near the
size of the registry."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from accessreg.gitio.repo import GitRepository
from accessreg.model.content import Slice
from accessreg.outputs import fragments
from accessreg.outputs.access import effective_access
from accessreg.outputs.csv_ import Encoding
from accessreg.outputs.fragments import Fragment
from accessreg.outputs.whitelist import Admitted
from accessreg.provision.merges import History, Snapshots
from accessreg.provision.shares import Carried, ShareStore, earlier_share, whitelists
from accessreg.timeline.effective import SuspensionDays
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory
from tests.helpers.registries import loaded


def _share(n: int) -> Fragment:
    return Fragment(
        logins=(f"user{n}@example.jp",),
        imports={"taxis": f"row {n}\r\n".encode()},
        scim=(f'{{"user": {n}}}'.encode(), {"taxis-1010": f'{{"value": {n}}}'.encode()}),
        ldif=(f"dn: uid={n}\n".encode(), {"taxis-1010": f"member: {n}".encode()}),
        pages=f"page {n}\r\n".encode(),
        subscribers=f"window {n}\r\n".encode(),
        units={"scim": (len(f'{{"user": {n}}}'),)},
    )


def _bytes(piece: bytes | Slice) -> bytes:
    if isinstance(piece, bytes):
        return piece
    with Path(piece.path).open("rb") as f:
        f.seek(piece.offset)
        return f.read(piece.length)


def test_a_share_comes_back_as_slices_of_the_same_bytes(tmp_path: Path) -> None:
    store = ShareStore(tmp_path)
    try:
        store.put({"k1": _share(1)})
        found = store.get(["k1", "missing"])
    finally:
        store.close()
    assert set(found) == {"k1"}
    back, original = found["k1"], _share(1)
    assert back.logins == original.logins
    assert {k: _bytes(v) for k, v in back.pieces().items()} == original.pieces()
    assert all(isinstance(v, Slice) for v in back.pieces().values())


def test_a_share_read_back_is_kept_under_another_key_without_rendering(tmp_path: Path) -> None:
    """A share whose files changed but not its bytes (a run takes the day's share from the
    last one) is kept under its new key too, and outlives the old key's pruning."""
    store = ShareStore(tmp_path)
    try:
        store.put({"old": _share(1)})
        store.put({"new": store.get(["old"])["old"]})
        (tmp_path / "shares" / "ol" / "old").unlink()
        found = store.get(["new"])
    finally:
        store.close()
    assert {k: _bytes(v) for k, v in found["new"].pieces().items()} == _share(1).pieces()
    assert found["new"].logins == _share(1).logins
    # Where each holder's bytes lie goes with it: a later render cuts it by those.
    store = ShareStore(tmp_path)
    try:
        assert store.units(["new", "missing"]) == {"new": _share(1).units}
    finally:
        store.close()


def test_a_share_file_cut_short_is_a_miss(tmp_path: Path) -> None:
    store = ShareStore(tmp_path)
    try:
        store.put({"k1": _share(1)})
        (file,) = (tmp_path / "shares").glob("*/*")
        file.write_bytes(file.read_bytes()[:-1])
        assert store.get(["k1"]) == {}
    finally:
        store.close()


def test_shares_no_longer_wanted_go_once_they_are_many(tmp_path: Path) -> None:
    store = ShareStore(tmp_path)
    try:
        store.put({f"old{n}": _share(n) for n in range(150)})
        keep = [f"new{n}" for n in range(20)]
        store.put({k: _share(n) for n, k in enumerate(keep)})
        store.prune(keep)  # 170 > 20 + 5 + 100: the old ones go
        assert sorted(p.name for p in (tmp_path / "shares").glob("*/*")) == sorted(keep)
        assert set(store.get(keep)) == set(keep)
        assert set(store.units([*keep, "old1"])) == set(keep)
        store.put({f"old{n}": _share(n) for n in range(50)})
        store.prune(keep)  # 70 is few enough: kept
        assert len(list((tmp_path / "shares").glob("*/*"))) == 70
    finally:
        store.close()


def test_an_earlier_share_is_cut_only_by_the_holders_it_was_rendered_for(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """A share read back is taken apart holder by holder only for the same logins in the
    same order: cut by other holders, their bytes would be another person's."""
    reg.user(email="user2@test-gas.example.co.jp", permissions={"taxis": "1010"})
    registry = loaded(reg)
    people = sorted(effective_access(registry).values(), key=lambda h: h.login)
    store = ShareStore(tmp_path)
    try:
        store.put({"k": fragments.render(people, registry, Encoding.UTF8, "dc=example,dc=jp")})
        share, units = store.get(["k"])["k"], store.units(["k"])["k"]
    finally:
        store.close()
    found = earlier_share(share, units, people, registry)
    assert found is not None
    assert set(found.cuts["scim"].at) == {p.login for p in people}
    swapped = [replace(p, login=q.login) for p, q in zip(people, reversed(people), strict=True)]
    assert earlier_share(share, units, swapped, registry) is None
    assert earlier_share(share, None, people, registry) is None


def test_a_carried_share_holds_from_its_first_day_to_the_day_before_its_next_date(
    tmp_path: Path,
) -> None:
    """A share carried with its days comes back with them, and holds on those days only:
    not before the run that made it (a run dated earlier), not on the operator's next date."""
    store = ShareStore(tmp_path)
    since, until = date(2026, 12, 3), date(2026, 12, 24)
    try:
        dated, open_ended = Carried(_share(1), since, until, 1), Carried(_share(2), since, None, 1)
        store.carry({"k": dated, "open": open_ended})
        kept = store.carried(["k", "open", "missing"])
    finally:
        store.close()
    assert kept.keys() == {"k", "open"}
    assert (kept["k"].since, kept["k"].until, kept["k"].logins) == (since, until, 1)
    assert [kept["k"].holds_on(since + timedelta(days=d)) for d in (-1, 0, 20, 21)] == [
        False, True, True, False
    ]  # fmt: skip
    assert kept["open"].holds_on(date(2027, 6, 1)) and not kept["open"].holds_on(date(2026, 12, 2))


# One value per field of the recorded dates the whitelists follow: a field added without
# one here fails the test below, so that none is left out of the cache's key.
_RECORDED: dict[str, object] = {
    "certificates": {"7A0001": date(2026, 12, 24)},
    "networks": {("TESTOP01", "192.0.2.0/24"): None},
    "suspensions": SuspensionDays(
        {("operator", "TESTOP01", "johs", date(2026, 12, 3)): date(2026, 12, 3)}
    ),
    "withdrawals": {"TESTOP01": {"switching": date(2026, 12, 23)}},
    "registered_since": {"TESTOP01": frozenset({"7A0002"})},
    "uses": {("TESTOP01", "switching"): None},
    "dropped": {"TESTOP01": {"johs": date(2026, 12, 24)}},
    "reached_when_dropped": {("TESTOP01", "johs"): frozenset({"7A0001"})},
    "reached_when_withdrawn": {("TESTOP01", "switching"): frozenset({"7A0001"})},
    "certificate_parts": {"7A0001": {"occto": None, "tokyo_gas_network": date(2026, 12, 24)}},
}


def test_every_recorded_date_is_in_the_whitelists_key() -> None:
    """Each field of ``Admitted`` has a value here (a field added without one fails)."""
    assert {f.name for f in fields(Admitted)} == _RECORDED.keys()


@pytest.mark.parametrize("name", sorted(_RECORDED))
def test_the_whitelists_kept_follow_every_recorded_date(
    reg: RegistryFactory, tmp_path: Path, name: str
) -> None:
    """The whitelists a run keeps are found again only under the same records: a date
    recorded since (an OCCTO withdrawal keeping a system until its day, a confirmation, a
    usage change's day) changes them for the same revision and day, so the files kept
    without it are not served."""
    gr = GitRegistry(reg)
    repo = GitRepository(gr.path)
    try:
        registry = loaded(reg)
        history = History(None, gr.rev(), registry, registry, (), (), {}, {})
        rendered: list[Admitted] = []

        def kept(admitted: Admitted) -> dict[str, bytes]:
            def render() -> dict[str, bytes]:
                rendered.append(admitted)
                return {"whitelist/switching/allowlist.txt": str(len(rendered)).encode()}

            day = date(2026, 12, 3)
            return whitelists(Snapshots(repo), history, day, admitted, render, tmp_path / "c")

        none = Admitted()
        recorded = Admitted(**{name: _RECORDED[name]})  # type: ignore[arg-type]
        assert kept(none) == kept(none)  # rendered once, then found
        assert kept(recorded) != kept(none)
        assert rendered == [none, recorded]
    finally:
        repo.close()
        gr.close()
