"""Periodic inventory (棚卸): who is due, the CSV per operator, reminders, the reviewers' list."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from accessreg.errors import UsageError
from accessreg.model.registry import Registry
from accessreg.outputs import csv_
from accessreg.outputs.access import Access, effective_access
from accessreg.scheduled import inventory as inventory_module
from accessreg.scheduled.inventory import OperatorCsvs, inventory
from accessreg.scheduled.keyed_notices import Document
from tests.helpers.regfactory import RegistryFactory


def _registry(reg: RegistryFactory) -> Registry:
    reg.operator(last_inventory="2026-07-15")
    reg.operator("TESTOP02", contacts=[_contact(2)])
    reg.user("TESTOP02", "x@test-gas.example.co.jp")
    result = reg.validate()
    assert result.registry is not None
    return result.registry


def _contact(n: int) -> dict[str, str]:
    return {
        "role": "primary",
        "name": f"窓口 {n}",
        "name_kana": "マドグチ",
        "email": f"window{n}@test-gas.example.co.jp",
        "phone": f"03-0000-{n:04d}",
        "github": f"window-{n}",
    }


def _snapshot(code: str) -> tuple[Document, ...]:
    return (Document(f"inventory/{code}.csv", f"users of {code}".encode()),)


ADDED = {"operators/TESTOP02.yaml": date(2026, 10, 1)}


def _due(registry: Registry, today: date) -> list[tuple[str, str | None]]:
    outcome = inventory(registry, today, _snapshot, ADDED)
    return [(n.kind, n.operator) for n in outcome.notices]


def test_due_six_months_after_the_last_review(reg: RegistryFactory) -> None:
    registry = _registry(reg)
    assert _due(registry, date(2027, 1, 14)) == []
    # On its due date the review is due: the window persons are reminded; from the next day
    # it is overdue, and the reviewers hear of it too.
    assert _due(registry, date(2027, 1, 15)) == [("inventory-reminder", "TESTOP01")]
    assert _due(registry, date(2027, 1, 16)) == [
        ("inventory-reminder", "TESTOP01"),
        ("inventory-overdue", None),
    ]


def test_never_reviewed_counts_from_the_file_added(reg: RegistryFactory) -> None:
    registry = _registry(reg)
    assert ("inventory-reminder", "TESTOP02") not in _due(registry, date(2027, 3, 31))
    assert ("inventory-reminder", "TESTOP02") in _due(registry, date(2027, 4, 1))


def test_every_operator_gets_its_csv_and_the_due_one_has_it_attached(reg: RegistryFactory) -> None:
    outcome = inventory(_registry(reg), date(2027, 1, 16), _snapshot, ADDED)
    assert [f.name for f in outcome.files] == ["inventory/TESTOP01.csv", "inventory/TESTOP02.csv"]
    reminder = outcome.notices[0]
    assert [a.name for a in reminder.attachments()] == ["inventory/TESTOP01.csv"]
    (table,) = outcome.tables
    assert table.rows == (("TESTOP01", "テストガス株式会社", "2026-07-15", "2027-01-15", "1"),)
    reviewers = outcome.notices[1]
    assert reviewers.audience == "reviewers"
    assert reviewers.items[0].key == "inventory/TESTOP01/2026-07-15/overdue"


def test_a_new_review_ends_the_reminders(reg: RegistryFactory) -> None:
    registry = _registry(reg)
    key = inventory(registry, date(2027, 2, 1), _snapshot, ADDED).notices[0].items[0].key
    reg.operator(last_inventory="2027-01-20")
    result = reg.validate()
    assert result.registry is not None
    notices = inventory(result.registry, date(2027, 2, 1), _snapshot, ADDED).notices
    assert all(n.operator != "TESTOP01" for n in notices)
    later = inventory(result.registry, date(2027, 7, 20), _snapshot, ADDED).notices[0]
    assert later.items[0].key != key


def test_on_demand_request_for_one_operator(reg: RegistryFactory) -> None:
    outcome = inventory(_registry(reg), date(2026, 8, 1), _snapshot, ADDED, operator="TESTOP02")
    (notice,) = outcome.notices
    assert (notice.kind, notice.operator) == ("inventory-request", "TESTOP02")
    assert [f.name for f in outcome.files] == ["inventory/TESTOP02.csv"]
    assert notice.items[0].key == "inventory/TESTOP02/request/2026-08-01"


def test_an_unknown_operator_is_refused(reg: RegistryFactory) -> None:
    with pytest.raises(UsageError, match="NOSUCHOP"):
        inventory(_registry(reg), date(2026, 8, 1), _snapshot, ADDED, operator="NOSUCHOP")


def test_operator_csvs_are_the_snapshot_per_system(reg: RegistryFactory) -> None:
    registry = _registry(reg)
    docs = OperatorCsvs(registry, effective_access(registry))("TESTOP01")
    assert [d.name for d in docs] == [
        "inventory/TESTOP01/taxis.csv",
        "inventory/TESTOP01/johs.csv",
        "inventory/TESTOP01/info_site.csv",
        "inventory/TESTOP01/admin_console.csv",
    ]
    taxis = list(csv.reader(io.StringIO(docs[0].data.decode("utf-8-sig"))))
    assert taxis[0][:8] == list(csv_.PERSON_HEADER)
    assert [(r[0], r[6], r[7]) for r in taxis[1:]] == [
        ("TESTOP01", "user1@test-gas.example.co.jp", "1011")  # TESTOP02's user is not listed
    ]
    admin = list(csv.reader(io.StringIO(docs[3].data.decode("utf-8-sig"))))
    assert [r[6] for r in admin[1:]] == ["window1@test-gas.example.co.jp"]  # no user file


def test_the_daily_run_renders_only_the_csvs_it_attaches(reg: RegistryFactory) -> None:
    rendered: list[str] = []

    def counting(code: str) -> tuple[Document, ...]:
        rendered.append(code)
        return _snapshot(code)

    outcome = inventory(_registry(reg), date(2027, 1, 15), counting, ADDED, all_csvs=False)
    assert outcome.files == () and rendered == []  # nothing yet: no mail is due so far
    assert [a.name for a in outcome.notices[0].attachments()] == ["inventory/TESTOP01.csv"]
    assert rendered == ["TESTOP01"]


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str]]:
    """The operators of each registry the inventory works holders out of, from now on."""
    computed: list[frozenset[str]] = []
    real = inventory_module.effective_access

    def counting(sub: Registry) -> Access:
        computed.append(frozenset(sub.operators))
        return real(sub)

    monkeypatch.setattr(inventory_module, "effective_access", counting)
    return computed


def test_the_holders_are_worked_out_only_for_a_csv_that_is_asked_for(
    reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = _registry(reg)
    computed = _counted(monkeypatch)
    lazy = OperatorCsvs(registry, scope=["TESTOP01"])
    # A day with no review due: the reminders' CSVs are never asked for.
    quiet = inventory(registry, date(2026, 10, 15), lazy, ADDED, all_csvs=False)
    assert [n.kind for n in quiet.notices] == []
    assert computed == []
    due = inventory(registry, date(2027, 1, 15), lazy, ADDED, all_csvs=False)
    (notice,) = due.notices
    eager = OperatorCsvs(registry, effective_access(registry))
    assert notice.attachments() == eager("TESTOP01")
    assert computed == [frozenset({"TESTOP01"})]  # TESTOP02's users were not read
    assert lazy("TESTOP02") == eager("TESTOP02")  # outside the scope: worked out apart


def _shared_ids(reg: RegistryFactory) -> Registry:
    """Three operators; TESTOP01 and TESTOP02 hold one login ID, and a user of TESTOP02 is
    TESTOP03's window person."""
    reg.operator(last_inventory="2026-07-15")
    reg.operator("TESTOP02", contacts=[_contact(2)])
    reg.operator("TESTOP03", contacts=[_contact(3)])
    reg.user("TESTOP01", "shared@test-gas.example.co.jp")
    reg.user("TESTOP02", "shared@test-gas.example.co.jp", permissions={"johs": "J1010"})
    reg.user("TESTOP02", "window3@test-gas.example.co.jp")  # TESTOP03's window person
    reg.user("TESTOP03", "own@test-gas.example.co.jp")
    registry = reg.validate().registry
    assert registry is not None
    return registry


def test_an_id_two_operators_hold_is_listed_as_the_whole_registry_lists_it(
    reg: RegistryFactory,
) -> None:
    # One login ID in two operators (a clash validation reports): the first active operator
    # claims it, whichever operators' CSVs are asked for.
    registry = _shared_ids(reg)
    eager = OperatorCsvs(registry, effective_access(registry))
    listed = {code: b"".join(d.data for d in eager(code)) for code in ("TESTOP02", "TESTOP03")}
    assert b"shared@" not in listed["TESTOP02"]  # TESTOP01's, who comes first
    assert b"window3@" in listed["TESTOP02"] and b"window3@" not in listed["TESTOP03"]
    for code in ("TESTOP01", "TESTOP02", "TESTOP03"):
        for scope in ([code], ["TESTOP02", "TESTOP03"], []):
            assert OperatorCsvs(registry, scope=scope)(code) == eager(code), (code, scope)


def test_holders_worked_out_one_operator_at_a_time_are_those_of_the_whole_registry(
    reg: RegistryFactory,
) -> None:
    # Several operators may be asked for: the index of shared IDs decides who else is read.
    registry = _shared_ids(reg)
    assert inventory_module.shared_logins(registry) == {
        "shared@test-gas.example.co.jp": ["TESTOP01", "TESTOP02"],
        "window3@test-gas.example.co.jp": ["TESTOP02", "TESTOP03"],
    }
    eager = OperatorCsvs(registry, effective_access(registry))
    scope = ["TESTOP01", "TESTOP02", "TESTOP03"]
    for order in (scope, scope[::-1]):
        lazy = OperatorCsvs(registry, scope=scope)
        for code in order:
            assert lazy(code) == eager(code), code
        assert lazy._shared is not None


def test_only_the_operators_asked_for_are_worked_out(
    reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every operator is due, but the notice log narrows the mails to one reminder: its
    # operator's holders are worked out (with those of the operator sharing an ID with it),
    # not those of the others due, reminded before.
    registry = _shared_ids(reg)
    computed = _counted(monkeypatch)
    lazy = OperatorCsvs(registry, scope=["TESTOP01", "TESTOP02", "TESTOP03"])
    assert lazy("TESTOP03") == OperatorCsvs(registry, effective_access(registry))("TESTOP03")
    assert computed == [frozenset({"TESTOP02", "TESTOP03"})]


def test_an_operator_of_occtos_systems_alone_is_asked_for_no_review(reg: RegistryFactory) -> None:
    """The periodic review is Tokyo Gas Network's (000 §5-6); OCCTO's terms ask none: an
    electricity retailer using only the switching support system gets no reminder and is
    on no overdue list, while an operator of a Tokyo Gas Network system is."""
    reg.operator(last_inventory="2026-01-15")
    member = {"status": "member", "member_since": "2020-04-01"}
    reg.operator("OCCTOOP1", contacts=[_contact(3)], roles=["electricity_retailer"],
                 occto_member=True, membership=member, systems=["switching"],
                 last_inventory="2026-01-15", subcontractors=[])  # fmt: skip
    result = reg.validate()
    assert result.registry is not None, result.problems
    assert _due(result.registry, date(2027, 1, 16)) == [
        ("inventory-reminder", "TESTOP01"),
        ("inventory-overdue", None),
    ]
