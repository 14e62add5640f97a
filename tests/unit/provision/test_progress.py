"""Progress of an application in the seed's terms (000 §5-1 ⑦), provision/notices.progress."""

from __future__ import annotations

from datetime import date

import pytest

from accessreg.files.loading import load
from accessreg.files.sources import DirectorySource
from accessreg.model import Catalog
from accessreg.provision.notices import progress
from accessreg.provision.state import ApplicationRecord, BatchRecord, ItemDates, SystemProgress
from tests.helpers.regfactory import ROOT

DAY = date(2026, 12, 3)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    registry = load(DirectorySource(ROOT / "registry")).registry
    assert registry is not None
    return registry.catalog


def _record(systems: tuple[str, ...], items: tuple[ItemDates, ...] = ()) -> ApplicationRecord:
    return ApplicationRecord(
        id="0123456789ab/TESTOP01",
        commit="0123456789ab" * 3 + "0123",
        parent=None,
        operator="TESTOP01",
        title="",
        accepted_on=DAY,
        processing_day=date(2026, 12, 16),
        kinds=("利用権限の設定申請",),
        systems=systems,
        items=items,
    )


def _batch(imported: dict[str, bool]) -> BatchRecord:
    return BatchRecord(
        id="20261203-01234567",
        number=1,
        base=None,
        head="0" * 40,
        created_on=DAY,
        applications=(),
        systems={
            s: SystemProgress(generated_on=DAY, imported_on=DAY if done else None)
            for s, done in imported.items()
        },
    )


def test_pattern_13_taxis_and_johs_alone_are_done_once_both_are(catalog: Catalog) -> None:
    # The user's rows also touch the info-sharing site, derived from them: it follows and
    # never holds the application open (000 §5-1 ⑦ pattern 13: 処理完了).
    record = _record(("taxis", "johs", "info_site"))
    overall, rows = progress(_batch({"taxis": True, "johs": True, "info_site": False}), record,
                             catalog, DAY)  # fmt: skip
    assert overall == "処理完了"
    by_id = {r["id"]: r["status"] for r in rows}
    assert (by_id["taxis"], by_id["johs"], by_id["juju"], by_id["info_site"]) == (
        "済", "済", "（不要）", "未済",
    )  # fmt: skip
    overall, _ = progress(_batch({"taxis": True, "johs": False, "info_site": True}), record,
                          catalog, DAY)  # fmt: skip
    assert overall == "処理中"


def test_an_application_of_derived_systems_only_waits_for_them(catalog: Catalog) -> None:
    record = _record(("admin_console",))
    assert progress(_batch({"admin_console": False}), record, catalog, DAY)[0] == "処理中"
    assert progress(_batch({"admin_console": True}), record, catalog, DAY)[0] == "処理完了"


def test_a_certificate_is_done_on_its_recorded_date(catalog: Catalog) -> None:
    cert = ItemDates(subject="certificate", key="EP-1", on=date(2026, 12, 24), action="add")
    record = _record((), (cert,))
    before, rows = progress(_batch({}), record, catalog, date(2026, 12, 23))
    assert before == "処理中"
    assert {r["id"]: r["status"] for r in rows}["registration"] == "未済"
    assert progress(_batch({}), record, catalog, date(2026, 12, 24))[0] == "処理完了"
    # A removal registers nothing: nothing to wait for.
    gone = ItemDates(subject="certificate", key="EP-1", on=DAY, action="remove")
    assert progress(_batch({}), _record((), (gone,)), catalog, DAY)[0] == "処理完了"
