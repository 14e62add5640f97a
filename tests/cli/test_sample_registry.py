"""The shipped sample registry validates clean, and the committed schemas are fresh."""

from __future__ import annotations

import json

import yaml

from tests.helpers.regfactory import ROOT, run_cli


def test_sample_registry_validates_clean() -> None:
    result = run_cli("validate", "--strict", "--format", "json", "--today", "2026-11-22", cwd=ROOT)
    assert json.loads(result.stdout) == []
    assert result.returncode == 0, result.stderr


def test_sample_registry_is_realistic() -> None:
    operators = list((ROOT / "registry" / "operators").glob("*.yaml"))
    users = list((ROOT / "registry" / "users").glob("*/*.yaml"))
    assert len(operators) >= 4
    assert len(users) >= 25


def test_committed_schemas_are_fresh() -> None:
    result = run_cli("schemas", "--check", cwd=ROOT)
    assert result.returncode == 0, result.stdout


def test_sample_registry_shows_what_the_seeds_describe() -> None:
    """The sample carries an example of each: an operator holding both OCCTO roles with an
    admin per role (002 §2.1.1), a suspended certificate and a suspended user (001 p46), an
    API certificate of the 託送API (000 §1, §7-2), and a provisional member without an
    operator code (003 §2.2)."""
    registry = ROOT / "registry"
    operators = [
        yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in (registry / "operators").glob("*.yaml")
    ]
    users = [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in (registry / "users").glob("*/*.yaml")
    ]
    both = [o for o in operators if {"electricity_retailer", "demand_response"} <= set(o["roles"])]
    assert both and "switching" in both[0]["systems"]
    admins = {
        u["permissions"]["switching"]
        for u in users
        if u["affiliation"] == both[0]["code"] and "switching" in u["permissions"]
    }
    assert {"retailer_admin", "dr_admin"} <= admins
    certificates = [c for o in operators for c in o.get("certificates", ())]
    assert any(c.get("suspended_on") for c in certificates)
    assert any(u.get("suspended_on") for u in users)
    assert any(
        c["purpose"] == "api" and "wheeling_api" in o["systems"]
        for o in operators
        for c in o.get("certificates", ())
    )
    provisional = [o for o in operators if o["code"].startswith("PROV-")]
    assert provisional and provisional[0]["membership"]["status"] == "provisional"
