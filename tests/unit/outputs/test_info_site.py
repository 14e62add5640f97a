"""The info-sharing site (000 §7): update-notice subscribers and the pages each user reads."""

from __future__ import annotations

import csv
import io
from datetime import date

from accessreg.model.changes import ChangeKind
from accessreg.outputs import info_site
from accessreg.outputs.access import effective_access
from accessreg.outputs.csv_ import Encoding
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


def test_update_notices_go_to_window_persons_of_the_sites_provider(reg: RegistryFactory) -> None:
    """000 §7-3: to the window persons' registered addresses; OCCTO's operators use none of
    Tokyo Gas Network's systems and get no notices of its site."""
    _occto_operator(reg)
    reg.operator(contacts=[contact(), contact("deputy", n=2)])
    found = info_site.subscribers(loaded(reg))
    assert list(found) == ["window1@test-gas.example.co.jp", "window2@test-gas.example.co.jp"]
    rows = _read(info_site.subscribers_csv(found.values(), Encoding.UTF8))
    assert [(r["事業者コード"], r["連絡先メールアドレス"]) for r in rows] == [
        ("TESTOP01", "window1@test-gas.example.co.jp"),
        ("TESTOP01", "window2@test-gas.example.co.jp"),
    ]


def test_a_new_window_person_is_registered_provisionally_and_a_leaver_removed(
    reg: RegistryFactory,
) -> None:
    """000 §7-3 (1): provisional registration, a link valid 7 days; (3): removal when the
    person leaves the role."""
    before = info_site.subscribers(loaded(reg))
    reg.operator(contacts=[contact(n=2, email="window2@test-gas.example.co.jp")])
    after = info_site.subscribers(loaded(reg))
    changes = info_site.subscriber_changes(before, after)
    assert [(c.kind, c.subscriber.key) for c in changes] == [
        (ChangeKind.REMOVE, "window1@test-gas.example.co.jp"),
        (ChangeKind.ADD, "window2@test-gas.example.co.jp"),
    ]
    rows = _read(info_site.subscriber_delta_csv(changes, date(2026, 11, 24), Encoding.UTF8))
    assert [(r["区分"], r["仮登録日"], r["本登録の期限"]) for r in rows] == [
        ("抹消", "", ""),
        ("仮登録", "2026-11-24", "2026-12-01"),
    ]
    assert info_site.subscriber_changes(after, after) == []


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
