"""The benchmark's registry generator stays correct: its registry validates clean, and every
problem it plants is reported with its file and line (and nothing else is)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.helpers.regfactory import ROOT, TODAY, run_cli

GENERATOR = ROOT / "benchmarks" / "make_registry.py"
SIZE = ("--operators", "20", "--users", "300")


def _generate(out: Path, *args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(GENERATOR), str(out), *SIZE, "--today", TODAY.isoformat(), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    manifest: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def _validate(repo: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli(
        "validate", "--registry", "registry", "--strict", "--format", "json",
        "--today", TODAY.isoformat(), cwd=repo,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def test_generated_registry_validates_clean_and_uses_every_role_and_code(tmp_path: Path) -> None:
    out = tmp_path / "synthetic"
    manifest = _generate(out)
    registry = out / "registry"
    assert len(list((registry / "operators").glob("*.yaml"))) == 20
    assert len(list((registry / "users").glob("*/*.yaml"))) == 300
    assert manifest["expected"] == []

    code, problems = _validate(out)
    assert problems == []
    assert code == 0

    operators = [yaml.safe_load(p.read_text()) for p in (registry / "operators").glob("*.yaml")]
    users = [yaml.safe_load(p.read_text()) for p in (registry / "users").glob("*/*.yaml")]
    roles = {role for op in operators for role in op["roles"]}
    assert roles == {
        "gas_retailer",
        "wheeling_client",
        "manufacturer",
        "electricity_retailer",
        "demand_response",
    }
    catalog = yaml.safe_load((registry / "systems.yaml").read_text())
    applied = {
        (system["id"], code["code"])
        for system in catalog["systems"]
        if "derived" not in system
        for code in system.get("codes", ())
        if "abolished_on" not in code
    }
    used = {(s, c) for user in users for s, c in user["permissions"].items()}
    assert used == applied
    assert any(op.get("subcontractors") for op in operators)
    assert any(op.get("ip_allowlist") for op in operators)
    assert all(op.get("certificates") for op in operators if op["status"] == "active")


def test_same_seed_same_registry(tmp_path: Path) -> None:
    _generate(tmp_path / "a", "--seed", "7")
    _generate(tmp_path / "b", "--seed", "7")
    _generate(tmp_path / "c", "--seed", "8")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_every_planted_problem_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    out = tmp_path / "broken"
    manifest = _generate(out, "--broken", "20")
    expected = {(e["file"], e["line"], e["rule"]) for e in manifest["expected"]}
    planted_files = {e["file"] for e in manifest["expected"]}
    assert len(planted_files) >= 20  # one problem per file, a few touch a second file
    assert any(f.startswith("operators/") for f in planted_files)
    assert len({e["kind"] for e in manifest["expected"]}) >= 12

    code, problems = _validate(out)
    reported = {(p["file"].removeprefix("registry/"), p["line"], p["rule"]) for p in problems}
    assert reported == expected
    assert code == 1
