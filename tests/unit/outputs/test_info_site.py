"""The info-sharing site (000 §7): update-notice subscribers and the pages each user reads."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

from accessreg.model import Catalog
from accessreg.model.changes import ChangeKind
from accessreg.outputs import info_site
from accessreg.outputs.access import Holder, diff, effective_access
from accessreg.outputs.csv_ import DatedChange, Encoding
from tests.helpers.regfactory import RegistryFactory, certificate, contact
from tests.helpers.registries import loaded


def _read(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _occto_operator(reg: RegistryFactory) -> None:
    reg.operator(
        "DENKI001",
        roles=["demand_response"],
        systems=["switching"],
        contacts=[contact(n=5, email="window5@denki-test.example.co.jp")],
        subcontractors=None,
        certificates=[certificate(5, cn="DENKI001-PC05")],
    )
    reg.user(
        "DENKI001",
        "admin@denki-test.example.co.jp",
        affiliation="DENKI001",
        permissions={"switching": "dr_admin"},
    )


def _subscribers(reg: RegistryFactory) -> list[Holder]:
    registry = loaded(reg)
    return info_site.subscribers(registry.catalog, effective_access(registry).values())


def test_update_notices_go_to_window_persons_of_the_sites_provider(reg: RegistryFactory) -> None:
    """000 §7-3: to the window persons' registered addresses; OCCTO's operators use none of
    Tokyo Gas Network's systems and get no notices of its site."""
    _occto_operator(reg)
    reg.operator(contacts=[contact(), contact("deputy", n=2)])
    found = _subscribers(reg)
    assert [s.login for s in found] == [
        "window1@test-gas.example.co.jp",
        "window2@test-gas.example.co.jp",
    ]
    units = info_site.subscriber_units(found, Encoding.UTF8)
    rows = _read(info_site.subscribers_header(Encoding.UTF8) + b"".join(units))
    assert [(r["事業者コード"], r["連絡先メールアドレス"]) for r in rows] == [
        ("TESTOP01", "window1@test-gas.example.co.jp"),
        ("TESTOP01", "window2@test-gas.example.co.jp"),
    ]


def test_without_a_permission_management_system_the_site_has_no_subscribers(
    reg: RegistryFactory,
) -> None:
    """The subscribers are the holders of the provider's permission-management system: a
    catalog without one has none (an address is registered on the day that ID is made)."""
    reg.operator(contacts=[contact()])
    registry = loaded(reg)
    catalog = registry.catalog
    others = tuple(s for s in catalog.systems if s.id != "admin_console")
    without = Catalog(providers=catalog.providers, systems=others)
    assert info_site.console(catalog) == "admin_console"
    assert info_site.console(without) is None
    assert info_site.subscribers(without, effective_access(registry).values()) == []


def test_a_new_window_person_is_registered_provisionally_and_a_leaver_removed(
    reg: RegistryFactory,
) -> None:
    """000 §7-3 (1): provisional registration on the day the change takes effect, a link
    valid 7 days; (3): removal on the leaver's day. Changes to other systems are not the
    site's."""
    reg.user(email="user2@test-gas.example.co.jp", permissions={"johs": "J1010"})
    registry = loaded(reg)
    before = effective_access(registry)
    reg.operator(contacts=[contact(n=2, email="window2@test-gas.example.co.jp")])
    reg.user(email="user3@test-gas.example.co.jp", permissions={"johs": "J1010"})
    registry = loaded(reg)
    changes = diff(before, effective_access(registry), registry.catalog)
    days = {ChangeKind.ADD: date(2026, 12, 15), ChangeKind.REMOVE: date(2026, 12, 16)}
    rows = [DatedChange(c, days.get(c.kind), days.get(c.kind)) for c in changes]
    assert {r.change.system for r in rows} > {"admin_console"}  # and johs's change
    found = info_site.subscriber_changes(registry.catalog, rows)
    assert [(r.change.kind, r.change.person.login) for r in found] == [
        (ChangeKind.REMOVE, "window1@test-gas.example.co.jp"),
        (ChangeKind.ADD, "window2@test-gas.example.co.jp"),
    ]
    delta = _read(info_site.subscriber_delta_csv(found, Encoding.UTF8))
    assert [(r["区分"], r["実施日"], r["本登録の期限"]) for r in delta] == [
        ("抹消", "2026-12-16", ""),
        ("仮登録", "2026-12-15", "2026-12-22"),
    ]
    manual = [replace(r, effective=None) for r in found]
    undated = _read(info_site.subscriber_delta_csv(manual, Encoding.UTF8))
    assert [(r["実施日"], r["本登録の期限"]) for r in undated] == [("", ""), ("", "")]
    assert info_site.subscriber_changes(registry.catalog, []) == []


def test_pages_follow_the_systems_of_the_users_operator(reg: RegistryFactory) -> None:
    """000 §7-2: a system's page only for users of operators using that system; the API
    page only for users of operators using the 託送API."""
    reg.operator(
        systems=["taxis", "johs", "wheeling_api"],
        certificates=[certificate(1), certificate(2, purpose="api")],
    )
    reg.user(email="user2@test-gas.example.co.jp", permissions={"johs": "J1010"})
    _occto_operator(reg)
    registry = loaded(reg)
    access = effective_access(registry)
    readable = info_site.pages(registry, access)
    assert readable == {
        "user1@test-gas.example.co.jp": ("共通", "taxis", "johs", "wheeling_api"),
        "user2@test-gas.example.co.jp": ("共通", "taxis", "johs", "wheeling_api"),
    }
    reg.operator(systems=["taxis", "johs"], certificates=[certificate(1)])
    registry = loaded(reg)
    without_api = info_site.pages(registry, effective_access(registry))
    assert without_api["user1@test-gas.example.co.jp"] == ("共通", "taxis", "johs")
    rows = _read(info_site.pages_csv(registry.catalog, access, readable, Encoding.UTF8))
    assert rows[0]["託送API"] == "あり" and rows[0]["消費機器保安情報授受システム"] == "なし"


def test_a_suspended_reader_reads_no_page(reg: RegistryFactory) -> None:
    reg.user(suspended_on="2026-11-20")
    reg.user(email="user2@test-gas.example.co.jp", permissions={"johs": "J1010"})
    suspension = {"system": "johs", "suspended_on": "2026-11-20", "reason": "調査中"}
    reg.operator(systems=["taxis", "johs", "juju", "loacus"], suspensions=[suspension])
    registry = loaded(reg)
    readable = info_site.pages(registry, effective_access(registry))
    assert readable == {}  # the ID is suspended; the other's only system is
