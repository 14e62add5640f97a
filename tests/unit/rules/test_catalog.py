"""Consistency of the catalog and the calendar themselves (rules/catalog.py)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.regfactory import RegistryFactory, shown

CATALOG = "systems.yaml"


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        (
            "      - {code: '1012', label:",
            "      - {code: '1010', label:",
            "'1010', label: 更新権限あり（業務限定あり）",
        ),
        ("        replaced_by: '1011'", "        replaced_by: '1013'", "replaced_by: '1013'"),
        (
            "{code: granted, max_per_operator: 5",
            "{code: grant, max_per_operator: 5",
            "code: grant,",
        ),
        (
            "derived: {kind: users_of, systems: [taxis,",
            "derived: {kind: users_of, systems: [taxi,",
            "systems: [taxi,",
        ),
        (
            "{code: '03010', label: 製造事業者, label_en: manufacturer, roles: [manufacturer]}",
            "{code: '03010', label: 製造事業者, label_en: manufacturer, roles: [gas_retailer]}",
            "roles: [gas_retailer]}",
        ),
        (
            "  - id: occto\n",
            "  - id: tokyo_gas_network\n",
            "  - id: tokyo_gas_network",
        ),
        (
            "    level: operator\n",
            "    level: operator\n    codes: [{code: granted, label: あり}]\n",
            "    level: operator",
        ),
        (
            "{purposes: [web, api], required: true, api_per_operator: 1,",
            "{purposes: [web], required: true, api_per_operator: 1,",
            "api_per_operator: 1,",
        ),
        (
            "{code: dr_admin, min_per_operator: 1, severity: warning,",
            "{code: dr_admin, severity: warning,",
            "{code: dr_admin, severity: warning,",
        ),
        (
            "pages: [taxis, johs, juju, loacus, wheeling_api]",
            "pages: [taxis, johs, juju, loacus, wheeling]",
            "pages: [taxis, johs, juju, loacus, wheeling]",
        ),
        (
            "issued_once: true, includes: [dr_user]}",
            "issued_once: true, includes: [dr_users]}",
            "includes: [dr_users]}",
        ),
    ],
    ids=[
        "code-twice",
        "unknown-replacement",
        "limit-on-unknown-code",
        "derived-from-unknown",
        "role",
        "provider-twice",
        "operator-level-with-codes",
        "api-limit-without-api",
        "limit-of-nothing",
        "page-of-unknown-system",
        "includes-unknown-code",
    ],
)
def test_catalog_consistency(reg: RegistryFactory, old: str, new: str, needle: str) -> None:
    reg.edit(CATALOG, old, new)
    line = reg.line_of(CATALOG, needle)
    assert ("catalog-consistency", shown(CATALOG), line, "error") in reg.found()
    assert {rule for rule, *_ in reg.found()} == {"catalog-consistency"}


def test_system_of_an_unlisted_provider(reg: RegistryFactory) -> None:
    """Timing and notices per provider come from `providers` (000 §4-2, 001 p13)."""
    reg.edit(CATALOG, "  - id: occto\n", "  - id: tokyo_gas_network\n")
    line = reg.line_of(CATALOG, "    provider: occto")
    assert ("catalog-consistency", shown(CATALOG), line, "error") in reg.found()


def test_user_level_system_without_codes(reg: RegistryFactory) -> None:
    reg.edit(CATALOG, "    level: operator\n", "")
    line = reg.line_of(CATALOG, "- id: wheeling_api")
    assert ("catalog-consistency", shown(CATALOG), line, "error") in reg.found()


def test_system_listed_twice(reg: RegistryFactory) -> None:
    reg.edit(CATALOG, "  - id: member_portal", "  - id: switching")
    line = reg.line_of(CATALOG, "- id: switching", 2)
    assert ("catalog-consistency", shown(CATALOG), line, "error") in reg.found()


def test_calendar_range(reg: RegistryFactory) -> None:
    reg.write(
        "calendar.yaml",
        "# yaml-language-server: $schema=../schemas/calendar.schema.json\n"
        "every_year:\n"
        "  - {from: 12-31, to: 01-04, since: 2018}\n"
        "  - {from: 02-30, to: 03-01, since: 2026}\n"
        "  - {from: 05-01, to: 05-01, since: 2026, until: 2025}\n"
        "closed:\n"
        "  - 2026-12-29\n"
        "  - {from: 2027-01-03, to: 2026-12-30}\n",
    )
    assert reg.found() == [
        ("calendar-range", shown("calendar.yaml"), 4, "error"),
        ("calendar-range", shown("calendar.yaml"), 5, "error"),
        ("calendar-range", shown("calendar.yaml"), 8, "error"),
    ]


def _calendar(*lines: str) -> str:
    return "\n".join(
        ["# yaml-language-server: $schema=../schemas/calendar.schema.json", *lines, ""]
    )


@pytest.mark.parametrize(
    ("text", "today", "warned"),
    [
        # No word on the year-end at all.
        (_calendar("closed: [2026-05-01]"), "2026-11-22", True),
        # A yearly closure in force for 2026.
        (_calendar("every_year: [{from: 12-31, to: 01-04, since: 2018}]"), "2026-11-22", False),
        # One that ended with 2025's year-end.
        (
            _calendar("every_year: [{from: 12-31, to: 01-04, since: 2018, until: 2025}]"),
            "2026-11-22",
            True,
        ),
        # ... which still covers the new year of 2026, checked on 5 January 2026.
        (
            _calendar("every_year: [{from: 12-31, to: 01-04, since: 2018, until: 2025}]"),
            "2026-01-05",
            False,
        ),
        # The year-end's own closed days say it.
        (_calendar("closed: [{from: 2026-12-29, to: 2027-01-03}]"), "2026-11-22", False),
        (_calendar("closed: [{from: 2026-12-29, to: 2027-01-03}]"), "2027-02-01", True),
    ],
)
def test_calendar_year_end(reg: RegistryFactory, text: str, today: str, warned: bool) -> None:
    reg.write("calendar.yaml", text)
    found = reg.found(date.fromisoformat(today))
    line = 2
    expected = [("calendar-year-end", shown("calendar.yaml"), line, "warning")] if warned else []
    assert [f for f in found if f[0] == "calendar-year-end"] == expected
    assert [f for f in found if f[0] != "calendar-year-end"] == []


def test_calendar_range_that_leaves_no_business_day_for_a_year(reg: RegistryFactory) -> None:
    reg.write(
        "calendar.yaml",
        "# yaml-language-server: $schema=../schemas/calendar.schema.json\n"
        "closed:\n"
        "  - 2026-12-29\n"
        "  - {from: 2027-01-04, to: 2027-12-31}\n"
        "  - {from: 2028-01-01, to: 2028-03-31}\n",
    )
    assert reg.found() == [("calendar-range", shown("calendar.yaml"), 4, "error")]
    [p] = reg.validate().problems
    assert p.message.english() == (
        "From 2027-01-04 the closed days leave no business day for a year: shorten the range"
    )
