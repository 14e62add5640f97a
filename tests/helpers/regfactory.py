"""Build tiny registries for tests: a valid baseline that each test bends one way."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import traceback
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from accessreg.files.sources import DirectorySource
from accessreg.model import layout
from accessreg.model.layout import Kind
from accessreg.validation.validate import ValidationResult, validate

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 22)
# The baseline's two files, relative to the registry directory.
OPERATOR = "operators/TESTOP01.yaml"
USER = "users/TESTOP01/user1@test-gas.example.co.jp.yaml"
Found = tuple[str, str, int, str]  # (rule, file as reported, line, level)


def _dump(kind: Kind, rel: str, data: dict[str, Any]) -> str:
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return f"{layout.schema_comment(kind, rel)}\n{body}"


def contact(role: str = "primary", n: int = 1, **over: Any) -> dict[str, Any]:
    base = {
        "role": role,
        "name": f"窓口 {n}号",
        "name_kana": "マドグチ イチゴウ",
        "email": f"window{n}@test-gas.example.co.jp",
        "phone": f"03-0000-{n:04d}",
        "github": f"window-{n}",
    }
    return {**base, **over}


def operator_data(code: str = "TESTOP01") -> dict[str, Any]:
    """The test operator's file as data: a gas retailer with one window person."""
    return {
        "code": code,
        "name": "テストガス株式会社",
        "name_kana": "テストガス カブシキガイシャ",
        "roles": ["gas_retailer", "wheeling_client", "manufacturer"],
        "occto_member": False,
        "privacy_policy_url": "https://test-gas.example.co.jp/privacy",
        "status": "active",
        "systems": ["taxis", "johs", "juju", "loacus"],
        "contacts": [contact()],
        "subcontractors": [{"code": "TESTSUB1", "name": "テスト委託株式会社"}],
    }


def certificate(n: int = 1, **over: Any) -> dict[str, Any]:
    base = {
        "id": f"EP-TEST-{n:04d}",
        "serial": f"7A{n:04X}",
        "cn": f"TESTOP01-PC{n:02d}",
        "medium": "DL",
        "purpose": "web",
        "not_before": "2026-01-01",
        "not_after": "2027-12-31",
        "location": "本社 端末",
        "holder": "業務部 担当者",
    }
    return {**base, **over}


class RegistryFactory:
    """A repository directory with ``registry/`` (the repo's own catalog) and ``schemas/``."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.root = repo / "registry"
        (self.root / "operators").mkdir(parents=True)
        (self.root / "users").mkdir()
        for name in ("systems.yaml", "maintainers.yaml", "calendar.yaml"):
            shutil.copy(ROOT / "registry" / name, self.root / name)
        self.operator()
        self.user()

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            text = text.encode("utf-8")
        path.write_bytes(text)
        return path

    def edit(self, rel: str, old: str, new: str) -> Path:
        """Replace the first ``old`` in a file by ``new`` (which must be there)."""
        text = (self.root / rel).read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {rel}"
        return self.write(rel, text.replace(old, new, 1))

    def line_of(self, rel: str, needle: str, nth: int = 1) -> int:
        """The 1-based number of the ``nth`` line of a file that contains ``needle``."""
        lines = (self.root / rel).read_text(encoding="utf-8").splitlines()
        return [n for n, line in enumerate(lines, 1) if needle in line][nth - 1]

    def operator(self, code: str = "TESTOP01", **over: Any) -> Path:
        data = operator_data(code)
        data.update(over)
        data = {k: v for k, v in data.items() if v is not None}
        rel = layout.operator_file(code)
        self.write(rel, _dump(Kind.OPERATOR, rel, data))
        return self.root / rel

    def user(
        self, operator: str = "TESTOP01", email: str = "user1@test-gas.example.co.jp", **over: Any
    ) -> Path:
        data: dict[str, Any] = {
            "email": email,
            "name": "試験 太郎",
            "name_kana": "シケン タロウ",
            "affiliation": operator,
            "permissions": {"taxis": "1011", "johs": "J1010"},
        }
        rel = over.pop("rel", None) or layout.user_file(operator, email)
        data.update(over)
        data = {k: v for k, v in data.items() if v is not None}
        self.write(rel, _dump(Kind.USER, rel, data))
        return self.root / rel

    def switching_operator(self, **over: Any) -> Path:
        """The baseline operator as a demand-response contractor using OCCTO's switching
        support system: a web certificate (002 §3.1) and its user as the admin (§3.2)."""
        self.user(permissions={"switching": "dr_admin"})
        data: dict[str, Any] = {
            "roles": ["demand_response"],
            "systems": ["switching"],
            "subcontractors": None,
            "certificates": [certificate(1)],
        }
        data.update(over)
        return self.operator(**data)

    def occto_member(self, code: str = "DENKI001", **over: Any) -> Path:
        """An electricity retailer, OCCTO member, using both of OCCTO's systems (switching
        with its web certificate, 002 §3.1; the member system, 003), and no user."""
        data: dict[str, Any] = {
            "roles": ["electricity_retailer"],
            "occto_member": True,
            "membership": {"status": "member", "member_since": "2020-04-01"},
            "systems": ["switching", "member_portal"],
            "contacts": [contact(n=5, email="window5@denki-test.example.co.jp")],
            "subcontractors": None,
            "certificates": [certificate(5, cn=f"{code}-PC05")],
        }
        data.update(over)
        return self.operator(code, **data)

    def validate(self, today: date = TODAY) -> ValidationResult:
        return validate(DirectorySource(self.root, "registry"), today)

    def found(self, today: date = TODAY) -> list[Found]:
        """Every problem of the registry as (rule, file, line, level), in report order."""
        return found(self.validate(today))


def found(result: ValidationResult) -> list[Found]:
    return [(p.rule, p.file, p.line, str(p.level)) for p in result.problems]


def shown(rel: str) -> str:
    """A registry path as problems report it."""
    return f"registry/{rel}"


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real command line in-process, from ``cwd``, as a user would call it.

    click's ``CliRunner`` gives the command its own stdin, stdout, stderr and environment. An
    exception the command did not handle is what a user would see as a traceback: it is put
    in stderr with exit code 1, as the process would. ``run_process`` starts a real process,
    for the few end-to-end tests that are about the process itself.
    """
    from click.testing import CliRunner

    from accessreg.cli import main

    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner(env=env).invoke(main, list(args), prog_name="accessreg")
    finally:
        os.chdir(previous)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        stderr += "Traceback (most recent call last):\n" + "".join(
            traceback.format_exception(*result.exc_info)
        )
    return subprocess.CompletedProcess(
        ["accessreg", *args], result.exit_code, result.stdout, stderr
    )


def run_process(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m accessreg`` as a separate process, for end-to-end tests."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "tooling"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "accessreg", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )
