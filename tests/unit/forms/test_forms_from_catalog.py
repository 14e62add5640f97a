"""What the forms tell the window person from the catalog: when an application takes effect
(each system's timing in words, 000 §5-1..§5-3, the timing the plan, the imports and the
mails count from) and how many API certificates a system allows. A changed catalog changes
the forms, and `validate` reports the committed ones stale (generated-stale)."""

from __future__ import annotations

from typing import Any

import pytest

from accessreg.files.loading import load
from accessreg.files.sources import DirectorySource
from accessreg.forms.definitions import forms
from accessreg.model import Catalog
from tests.helpers.regfactory import ROOT

TOKYO_GAS_WEB = "託送システム・託送情報開示システム"
TOKYO_GAS_BATCH = "消費機器保安情報授受システム・託送ロードカーブシステム"
OCCTO = "スイッチング支援システム・会員情報管理システム"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    registry = load(DirectorySource(ROOT / "registry")).registry
    assert registry is not None
    return registry.catalog


def _intro(catalog: Catalog, kind: str) -> str:
    return next(f for f in forms(catalog) if f.kind == kind).intro


def _changed(catalog: Catalog, key: str, values: dict[str, dict[str, Any]]) -> Catalog:
    """``catalog`` with ``values`` merged into the ``key`` of the systems they name."""
    data = catalog.model_dump(by_alias=True, exclude_none=True)
    for system in data["systems"]:
        if system["id"] in values:
            system[key] = {**system.get(key, {}), **values[system["id"]]}
    return Catalog.model_validate(data)


def _with_timing(catalog: Catalog, timings: dict[str, dict[str, Any]]) -> Catalog:
    return _changed(catalog, "timing", timings)


def test_each_kind_tells_every_system_s_day(catalog: Catalog) -> None:
    add = _intro(catalog, "user-add")
    assert add.count("システム処理日 M が決まり") == 1
    assert f"{TOKYO_GAS_WEB}は M から 6 営業日目以降に、" in add
    assert f"{TOKYO_GAS_BATCH}は M から 9 営業日目以降に、" in add
    assert f"{OCCTO}は受付の日に使えるようになります。" in add
    change = _intro(catalog, "user-change")
    assert f"{TOKYO_GAS_WEB}・{OCCTO}は申請入力の日に、" in change
    assert f"{TOKYO_GAS_BATCH}は M から 9 営業日目以降に反映されます。" in change
    remove = _intro(catalog, "user-remove")
    assert f"{TOKYO_GAS_WEB}は申請入力の翌日に、" in remove
    assert f"{TOKYO_GAS_BATCH}はシステム運営部門の作業完了後に、" in remove
    assert f"{OCCTO}は申請入力の日に使えなくなります。" in remove


def test_a_changed_timing_changes_what_the_form_says(catalog: Catalog) -> None:
    changed = _with_timing(
        catalog,
        {
            "taxis": {
                "add": {"start": "processing_day", "business_days": 7},
                "remove": {"start": "accepted", "days": 2},
            },
            "switching": {"add": {"start": "accepted", "business_days": 3}},
        },
    )
    add = _intro(changed, "user-add")
    assert "託送システムは M から 7 営業日目以降に、託送情報開示システムは M から 6 営業日目" in add
    assert (
        "スイッチング支援システムは受付から 3 営業日目以降に、会員情報管理システムは受付の日に"
        in add
    )
    assert "託送システムは申請入力の 2 日後に" in _intro(changed, "user-remove")


def test_the_processing_day_is_explained_only_where_one_counts_from_it(catalog: Catalog) -> None:
    at_once = {"start": "accepted"}
    changed = _with_timing(catalog, {s: {"change": at_once} for s in ("juju", "loacus")})
    change = _intro(changed, "user-change")
    assert "システム処理日 M" not in change
    assert "申請入力の日に反映されます。" in change
    assert "システム処理日 M が決まり" in _intro(changed, "user-add")


def test_a_usage_change_says_when_it_is_done_and_that_a_system_given_up_stays_until_then(
    catalog: Catalog,
) -> None:
    """000 §3-2: about 15 business days from acceptance to the completion notice, the
    catalog's ``usage_application``; a system given up stays usable until the day the 受付
    mail gives. A provider's changed period changes the form."""
    change = _intro(catalog, "operator-change")
    assert "東京ガスネットワークのシステムでは受付から約 15 営業日後、" in change
    assert "電力広域的運営推進機関のシステムでは同機関の作業完了後です。" in change
    assert "受付のお知らせに載る反映日（「反映 … 以降」）までは" in change
    data = catalog.model_dump(by_alias=True, exclude_none=True)
    data["providers"][0]["usage_application"] = {"start": "accepted", "business_days": 10}
    slower = _intro(Catalog.model_validate(data), "operator-change")
    assert "東京ガスネットワークのシステムでは受付から約 10 営業日後、" in slower


def test_a_usage_change_says_whose_step_completes_it_where_two_providers_have_one(
    catalog: Catalog,
) -> None:
    """Each provider takes the change of its own systems (000 §3-2, 002 §2.1.1): a change
    that adds or gives up systems is done by their desks' steps, each desk's apart, a
    change of the common terms by the later. Where one provider alone has a usage
    application there is nothing to choose."""
    both = "追加・終了するシステムはその受付窓口の手続きで（窓口が複数なら窓口ごとに別々に）、"
    assert both in _intro(catalog, "operator-change")
    data = catalog.model_dump(by_alias=True, exclude_none=True)
    del data["providers"][1]["usage_application"]
    assert both not in _intro(Catalog.model_validate(data), "operator-change")


def _help(catalog: Catalog, kind: str, field: str) -> str:
    found = next(f for f in forms(catalog) if f.kind == kind).field(field)
    assert found is not None
    return found.help


def test_the_api_certificates_a_system_allows_are_the_catalog_s(catalog: Catalog) -> None:
    said = "スイッチング支援システムの API利用は事業者に {} 枚です。"
    assert said.format(1) in _help(catalog, "cert-add", "purpose")
    two = _changed(catalog, "certificates", {"switching": {"api_per_operator": 2}})
    assert said.format(2) in _help(two, "cert-add", "purpose")
    assert said.format(1) not in _help(two, "operator-new", "purpose")


def test_a_form_cites_every_provider_s_section_of_its_application(catalog: Catalog) -> None:
    """A form serves every system: it cites Tokyo Gas Network's manual and OCCTO's terms
    for the systems each gives a section for (the member system's own, 003), and a form
    OCCTO's terms give nothing for (an overseas address, 000 §2-8) Tokyo Gas Network's alone."""
    seeds = {f.kind: f.seed for f in forms(catalog)}
    assert seeds["user-add"] == "000 §5-1, 002 §3.2.1, §3.3, 003 §3.1, §3.2"
    assert seeds["user-remove"] == "000 §5-3, 002 §3.3, §2.2.1, §2.2.2, 003 §3.2"
    assert seeds["ip"] == "000 §2-8"
    changed = _changed(catalog, "sources", {"member_portal": {"permission_set": "003 §3.2"}})
    assert {f.kind: f.seed for f in forms(changed)}["user-add"] == (
        "000 §5-1, 002 §3.2.1, §3.3, 003 §3.2"
    )


def test_a_code_the_forms_do_not_know_is_offered_by_its_label_alone(catalog: Catalog) -> None:
    """Tokyo Gas Network's codes are its forms' own (000 §5-1 ①: 1011：更新権限あり); the
    switching and member systems' codes are the catalog's keys, offered in the seeds' words
    (002 §3.2, §3.3), and an issue filed while the form showed the key still reads."""
    (form,) = [f for f in forms(catalog) if f.kind == "user-add"]
    taxis, switching = form.field("perm_taxis"), form.field("perm_switching")
    assert "1011：更新権限あり" in [c.text for c in taxis.choices]
    texts = [c.text for c in switching.choices]
    assert "管理者ID（需要抑制契約者）" in texts and "ユーザID（小売電気事業者）" in texts
    assert not any("dr_" in t or "retailer_" in t for t in texts), texts
    admin = next(c for c in switching.choices if c.value == "dr_admin")
    assert admin.means("dr_admin：管理者ID（需要抑制契約者）")
    member = [c.text for c in form.field("perm_member_portal").choices]
    assert "管理者ユーザ" in member and not any("admin" in t for t in member), member
