"""Who receives a system's applications and who registers them, as the catalog says: Tokyo
Gas Network's centre and system operating department (000 §3-1 ⑤, §5-1), the switching
support system's help desk (001 p13-15), OCCTO itself for its member system (003 §3.1)."""

from __future__ import annotations

import pytest

from accessreg.files.loading import load
from accessreg.files.sources import DirectorySource
from accessreg.model import Catalog
from tests.helpers.regfactory import ROOT


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    registry = load(DirectorySource(ROOT / "registry")).registry
    assert registry is not None
    return registry.catalog


def test_each_system_goes_to_its_own_desk(catalog: Catalog) -> None:
    desks = {s.id: catalog.desk_of(s) for s in catalog.systems}
    assert desks["taxis"] == desks["admin_console"] == "託送受付センター"
    assert desks["switching"] == "スイッチング支援システム ヘルプデスク"
    assert desks["member_portal"] == "電力広域的運営推進機関"
    assert catalog.desks(["member_portal", "taxis", "johs"]) == [
        "託送受付センター",
        "電力広域的運営推進機関",
    ]


def test_the_registration_work_is_the_registrars_or_the_desks(catalog: Catalog) -> None:
    registrars = {s.id: catalog.registrar_of(s) for s in catalog.systems}
    assert registrars["juju"] == "システム運営部門"
    assert registrars["switching"] == "スイッチング支援システム ヘルプデスク"
    assert registrars["member_portal"] == "電力広域的運営推進機関"
    assert catalog.registrars(["switching", "member_portal", "loacus"]) == [
        "システム運営部門",
        "スイッチング支援システム ヘルプデスク",
        "電力広域的運営推進機関",
    ]


def test_a_provider_the_catalog_does_not_list_is_named_by_its_id(catalog: Catalog) -> None:
    """A catalog with that error still names a desk (its rule reports the error)."""
    occtoless = Catalog(
        providers=tuple(p for p in catalog.providers if p.id != "occto"), systems=catalog.systems
    )
    switching = occtoless.by_id["switching"]
    assert occtoless.desk_of(switching) == occtoless.registrar_of(switching) == "occto"
    assert occtoless.desk_of(occtoless.by_id["member_portal"]) == "電力広域的運営推進機関"
