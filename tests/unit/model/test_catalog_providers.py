"""What the catalog says of each provider: who receives a system's applications and who
registers them (Tokyo Gas Network's centre and system operating department, 000 §3-1 ⑤,
§5-1; the switching support system's help desk, 001 p13-15; OCCTO itself for its member
system, 003 §3.1), and whose changes fall into batches of a processing day M (000 §5-1)."""

from __future__ import annotations

from typing import get_args

import pytest

from accessreg.files.loading import load
from accessreg.files.sources import DirectorySource
from accessreg.model.catalog import ApplicationKind, Catalog, SystemTiming, Timing
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


def test_only_tokyo_gas_networks_systems_have_a_processing_day(catalog: Catalog) -> None:
    batched = {s.id for s in catalog.systems if catalog.batched(s.id)}
    assert batched == {"taxis", "johs", "juju", "loacus", "wheeling_api", "info_site",
                       "admin_console"}  # fmt: skip
    assert not catalog.batched("no_such_system")


def test_a_provider_whose_certificates_are_registered_on_m_batches(catalog: Catalog) -> None:
    """Counted from M anywhere, by a system's timing or by the provider's own (000 §4-2),
    the provider processes in batches."""
    at_once = SystemTiming(
        add=Timing(start="accepted"), change=Timing(start="accepted"), remove=None
    )
    systems = tuple(
        s.model_copy(update={"timing": at_once}) if s.timing is not None else s
        for s in catalog.systems
    )
    without = Catalog(providers=catalog.providers, systems=systems)
    assert without.batched("taxis") and not without.batched("switching")
    registered = Timing(start="processing_day", business_days=6)
    occto = [p.model_copy(update={"certificate_registration": registered})
             for p in catalog.providers if p.id == "occto"]  # fmt: skip
    assert Catalog(providers=tuple(occto), systems=systems).batched("switching")


def test_an_application_cites_the_terms_of_the_providers_of_its_systems(
    catalog: Catalog,
) -> None:
    """A switching user's ID is issued under OCCTO's terms (the admin ID, 002 §3.2.1; the
    user IDs the admin issues, §3.3), a member-system user's under the member system's own
    (003 §3.1, §3.2), a TAXIS user's under Tokyo Gas Network's manual (000 §5-1); systems of
    two providers cite both, in catalog order, whatever order they are named in."""
    assert catalog.citation("permission_set", ["taxis", "johs"]) == "000 §5-1"
    assert catalog.citation("permission_set", ["switching"]) == "002 §3.2.1, §3.3"
    assert catalog.citation("permission_set", ["member_portal"]) == "003 §3.1, §3.2"
    assert catalog.citation("permission_set", ["switching", "taxis"]) == (
        "000 §5-1, 002 §3.2.1, §3.3"
    )
    assert catalog.citation("usage_end", ["member_portal", "switching", "juju"]) == (
        "000 §3-3, 002 §2.7.1, 003 §2.7.1"
    )


def test_an_application_its_providers_terms_do_not_give_cites_no_other_provider_s(
    catalog: Catalog,
) -> None:
    """OCCTO's terms give no change of an operator's data: a usage change of an operator
    using its systems alone cites no section, not Tokyo Gas Network's manual, which its
    help desk does not work by. An application concerning no system cites the first
    section the catalog has; Tokyo Gas Network's suspension is the catalog's own entry."""
    assert catalog.citation("usage_change", ["switching"]) == ""
    assert catalog.citation("overseas_ip", ["switching", "member_portal"]) == ""
    assert catalog.citation("permission_delete", ["switching"]) == "002 §3.3, §2.2.1, §2.2.2"
    assert catalog.citation("permission_delete", ["member_portal"]) == "003 §3.2"
    assert catalog.citation("usage_new", []) == "000 §3-1"
    assert catalog.citation("suspension", ["taxis"]) == "001 p46, 002 §2.6, §3.4.4"
    assert catalog.citation("suspension", ["taxis", "member_portal"]) == (
        "001 p46, 002 §2.6, §3.4.4, 003 §2.6, §3.3"
    )


def test_an_application_its_systems_own_terms_do_not_give_cites_their_providers(
    catalog: Catalog,
) -> None:
    """The member system's terms (003) give no client certificate: a certificate of an
    operator using it alone cites OCCTO's terms (002 §3.1), not Tokyo Gas Network's."""
    occto = next(p for p in catalog.providers if p.id == "occto")
    cited = catalog.citation("certificate_registration", ["member_portal"])
    assert cited == occto.sources["certificate_registration"] and "000" not in cited


def test_every_application_has_a_section_and_none_without_sections(catalog: Catalog) -> None:
    kinds = get_args(ApplicationKind)
    assert all(catalog.citation(k, [s.id for s in catalog.systems]) for k in kinds)
    bare = Catalog(
        providers=tuple(p.model_copy(update={"sources": {}}) for p in catalog.providers),
        systems=tuple(s.model_copy(update={"sources": None}) for s in catalog.systems),
    )
    assert [bare.citation(k, ["taxis"]) for k in kinds] == [""] * len(kinds)
