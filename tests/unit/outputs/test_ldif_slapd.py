"""The LDIF loads into a real slapd with ldapadd, and a delta leaves exactly the next state."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path

import pytest

from accessreg.outputs import ldif
from accessreg.outputs.access import (
    Access,
    DirectoryGroups,
    directory_groups,
    effective_access,
    memberships,
)
from tests.helpers.content import whole
from tests.helpers.directory import BASE, Directory, slapd
from tests.helpers.regfactory import RegistryFactory
from tests.helpers.registries import loaded
from tests.helpers.servers import parse_ldif


@pytest.fixture
def directory(tmp_path: Path) -> Iterator[Directory]:
    with slapd(tmp_path) as found:
        yield found


def _dn(dn: str) -> str:
    """A DN compared as the directory compares it: `=` may be written \\= or \\3D."""
    return dn.lower().replace("\\3d", "=").replace("\\=", "=")


def _expected(
    access: Access, groups: Collection[str]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each person's mail, and the holders of every group of the catalog (``groups``)."""
    mails = {_dn(ldif.user_dn(login, BASE)): p.email for login, p in access.items()}
    held = {
        _dn(ldif.group_dn(name, BASE)): sorted(_dn(ldif.user_dn(m, BASE)) for m in members)
        for name, members in memberships(access).items()
    }
    return mails, {**{_dn(ldif.group_dn(name, BASE)): [] for name in groups}, **held}


PLACEHOLDER = _dn(ldif.placeholder_dn(BASE))


def _state(entries: dict[str, dict[str, list[str]]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each person's mail, and each group's holders: the placeholder every group lists
    (a ``groupOfNames`` cannot be empty) left out once checked."""
    mails = {
        _dn(dn): e["mail"][0] for dn, e in entries.items() if "inetOrgPerson" in e["objectclass"]
    }
    groups = {
        _dn(dn): [_dn(m) for m in e["member"]]
        for dn, e in entries.items()
        if "groupOfNames" in e["objectclass"]
    }
    assert all(PLACEHOLDER in members for members in groups.values()), groups
    return mails, {dn: sorted(set(members) - {PLACEHOLDER}) for dn, members in groups.items()}


def _bend(reg: RegistryFactory) -> None:
    """A second registry: a changed code, a removed user, new users, a new window person."""
    reg.user(permissions={"taxis": "1012"}, memo="更新: 業務限定")
    reg.user(email="user9@test-gas.example.co.jp", name="九条 九", permissions={"juju": "granted"})
    (reg.root / "users/TESTOP01/user2@test-gas.example.co.jp.yaml").unlink()
    reg.operator(
        contacts=[
            {
                "role": "primary",
                "name": "窓口 二号",
                "name_kana": "マドグチ ニゴウ",
                "email": "window2@test-gas.example.co.jp",
                "phone": "03-0000-0002",
                "github": "window-2",
            }
        ]
    )


def _start(reg: RegistryFactory) -> None:
    reg.user(
        email="user2@test-gas.example.co.jp",
        name="ｱﾝﾄﾞｳ 二郎",
        name_kana="アンドウ ジロウ",
        affiliation="TESTSUB1",
        permissions={"taxis": "1010", "loacus": "03010"},
        memo=" 先頭に空白: と <記号>",
    )
    reg.user(email="o'neill=x@test-gas.example.co.jp", name="Oneill Kai", name_kana="オニール カイ")


def test_ldapadd_loads_every_user_and_membership(
    reg: RegistryFactory, directory: Directory
) -> None:
    _start(reg)
    registry = loaded(reg)
    groups = directory_groups(registry.catalog)
    access = effective_access(registry)
    directory.modify(ldif.snapshot(access, BASE, groups=groups), add=True)
    found = directory.search(BASE)
    assert _state(found) == _expected(access, groups)
    person = found[ldif.user_dn("user2@test-gas.example.co.jp", BASE).lower()]
    assert person["cn"] == sorted(["ｱﾝﾄﾞｳ 二郎", "アンドウ ジロウ"])
    assert person["description"] == [" 先頭に空白: と <記号>"]
    assert person["departmentnumber"] == ["TESTSUB1"]
    assert _dn(ldif.user_dn("o'neill=x@test-gas.example.co.jp", BASE)) in {_dn(d) for d in found}


def test_a_delta_leaves_exactly_the_registrys_state(
    reg: RegistryFactory, directory: Directory
) -> None:
    _start(reg)
    registry = loaded(reg)
    groups = directory_groups(registry.catalog)
    before = effective_access(registry)
    directory.modify(ldif.snapshot(before, BASE, groups=groups), add=True)
    _bend(reg)
    after = effective_access(loaded(reg))
    delta = whole(ldif.delta_pieces(before, after, DirectoryGroups(groups), BASE))
    assert b"changetype: delete" in delta
    directory.modify(delta)
    found = directory.search(BASE)
    assert _state(found) == _expected(after, groups)
    # Every attribute equals what a fresh load of the new snapshot would hold.
    fresh_snapshot = ldif.snapshot(after, BASE, groups=groups)
    fresh = {_dn(d): e for d, e in parse_ldif(fresh_snapshot.decode()).items()}
    held = {_dn(d): e for d, e in found.items()}
    for dn, attrs in fresh.items():
        if "member" in attrs:
            attrs = {**attrs, "member": sorted(_dn(m) for m in attrs["member"])}
            held[dn] = {**held[dn], "member": sorted(_dn(m) for m in held[dn]["member"])}
        assert held[dn] == attrs, dn
    assert set(held) - set(fresh) == {BASE.lower()}
    changed = found[ldif.user_dn("user1@test-gas.example.co.jp", BASE).lower()]
    assert changed["description"] == ["更新: 業務限定"]


def test_a_suspension_moves_the_id_to_the_suspended_groups_and_back(
    reg: RegistryFactory, directory: Directory
) -> None:
    """Suspended, not deleted (001 p46, 002 §3.4.4): the entry stays, its permissions move
    to each system's suspended group; lifting the suspension moves them back."""
    _start(reg)
    registry = loaded(reg)
    groups = directory_groups(registry.catalog)
    standing = DirectoryGroups(groups)
    before = effective_access(registry)
    directory.modify(ldif.snapshot(before, BASE, groups=groups), add=True)
    reg.user(suspended_on="2026-11-20")
    after = effective_access(loaded(reg))
    directory.modify(whole(ldif.delta_pieces(before, after, standing, BASE)))
    found = directory.search(BASE)
    assert _state(found) == _expected(after, groups)
    user1 = _dn(ldif.user_dn("user1@test-gas.example.co.jp", BASE))
    assert user1 in {_dn(d) for d in found}
    _, held = _state(found)
    assert user1 in held[_dn(ldif.group_dn("taxis-suspended", BASE))]
    assert user1 not in held[_dn(ldif.group_dn("taxis-1011", BASE))]
    directory.modify(whole(ldif.delta_pieces(after, before, standing, BASE)))
    assert _state(directory.search(BASE)) == _expected(before, groups)


def test_every_group_of_the_catalog_stays_while_its_holders_come_and_go(
    reg: RegistryFactory, directory: Directory
) -> None:
    """A group's last holder leaves by a ``modify`` (the placeholder keeps it), and a later
    holder joins it by one: neither depends on the other's date. The snapshot lists every
    group of the catalog, held or not."""
    _start(reg)
    registry = loaded(reg)
    groups = directory_groups(registry.catalog)
    before = effective_access(registry)
    snapshot = ldif.snapshot(before, BASE, groups=groups)
    directory.modify(snapshot, add=True)
    _, listed = _state(directory.search(BASE))
    assert set(listed) == {_dn(ldif.group_dn(name, BASE)) for name in groups}
    assert listed[_dn(ldif.group_dn("taxis-1012", BASE))] == []
    # The only holder of LOACUS 03010 leaves it; user1 joins TAXIS 1012, which nobody held.
    reg.user(
        email="user2@test-gas.example.co.jp",
        name="ｱﾝﾄﾞｳ 二郎",
        name_kana="アンドウ ジロウ",
        affiliation="TESTSUB1",
        permissions={"taxis": "1010"},
    )
    reg.user(permissions={"taxis": "1012"})
    after = effective_access(loaded(reg))
    standing = DirectoryGroups(groups)
    delta = whole(ldif.delta_pieces(before, after, standing, BASE)).decode()
    assert "changetype: add" not in delta and "changetype: delete" not in delta
    directory.modify(delta.encode())
    found = directory.search(BASE)
    assert _state(found) == _expected(after, groups)
    assert _state(found)[1][_dn(ldif.group_dn("loacus-03010", BASE))] == []
    fresh = ldif.snapshot(after, BASE, groups=groups)
    assert _state(parse_ldif(fresh.decode())) == _state(found)


def test_one_persons_refused_change_does_not_hold_back_anothers_in_the_same_group(
    reg: RegistryFactory, directory: Directory
) -> None:
    """A group change is a record a member: a member the directory no longer has (taken
    out by hand, or by a delete it applied before) is refused alone, and the other
    person's joining the same group still lands (``ldapmodify -c``)."""
    _start(reg)
    registry = loaded(reg)
    groups = directory_groups(registry.catalog)
    before = effective_access(registry)
    directory.modify(ldif.snapshot(before, BASE, groups=groups), add=True)
    leaving = ldif.user_dn("user2@test-gas.example.co.jp", BASE)
    group = ldif.group_dn("taxis-1010", BASE)
    # Downstream took user2 out of TAXIS 1010 itself before the delta came.
    directory.modify(
        f"dn: {group}\nchangetype: modify\ndelete: member\nmember: {leaving}\n-\n".encode()
    )
    # user2 leaves TAXIS 1010 and user1 joins it, in one delta.
    reg.user(
        email="user2@test-gas.example.co.jp",
        name="ｱﾝﾄﾞｳ 二郎",
        name_kana="アンドウ ジロウ",
        affiliation="TESTSUB1",
        permissions={"loacus": "03010"},
    )
    reg.user(permissions={"taxis": "1010"})
    after = effective_access(loaded(reg))
    delta = whole(ldif.delta_pieces(before, after, DirectoryGroups(groups), BASE))
    refused = directory.modify_going_on(delta, refused={"No such attribute (16)"})
    assert refused == ["No such attribute (16)"]
    _, held = _state(directory.search(BASE))
    assert held[_dn(group)] == [_dn(ldif.user_dn("user1@test-gas.example.co.jp", BASE))]
