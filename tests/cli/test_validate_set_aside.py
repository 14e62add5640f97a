"""``accessreg validate`` on a copy of the sample registry: a file missing a required field
still has every other error reported in the same run (README, guide-reviewer §1)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import git
import pytest

from tests.helpers.regfactory import ROOT, run_cli

TODAY = "2026-11-24"
SUZUKI = "registry/users/AOBAGS01/taro.suzuki@aoba-gas.example.co.jp.yaml"
AOBA = "registry/operators/AOBAGS01.yaml"
USER_LINES = {
    "comment": "# yaml-language-server: $schema=../../../schemas/user.schema.json",
    "email": "email: taro.suzuki@aoba-gas.example.co.jp",
    "name": "name: 鈴木 太郎",
    "affiliation": "affiliation: AOBAGS01",
    "permissions": 'permissions: {taxis: "1110", loacus: "03010"}',
}


pytestmark = pytest.mark.usefixtures("english")  # they read the English words


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A repository holding the sample registry, committed."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "registry", repo / "registry")
    shutil.copytree(ROOT / "schemas", repo / "schemas")
    made = git.Repo.init(repo)
    made.git.add("-A")
    who = {"NAME": "Sample", "EMAIL": "sample@example.jp"}
    made.git.commit(
        "-q",
        "-m",
        "sample",
        env={f"GIT_{r}_{k}": v for r in ("AUTHOR", "COMMITTER") for k, v in who.items()},
    )
    return repo


def reported(repo: Path) -> set[tuple[str, str, str]]:
    result = run_cli("validate", "--today", TODAY, "--format", "json", cwd=repo)
    assert result.returncode == 1, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return {(p["file"], p["rule"], p["path"]) for p in found}


@pytest.mark.parametrize(
    ("lines", "refused"),
    [
        (USER_LINES, "name_kana"),  # the case reported: no name_kana
        ({**USER_LINES, "name_kana": "name_kana:"}, "name_kana"),
        (
            {k: v for k, v in USER_LINES.items() if k != "name"}
            | {"kana": "name_kana: スズキ タロウ"},
            "name",
        ),
    ],
)
def test_a_user_missing_a_field_has_its_other_errors_reported(
    sample: Path, lines: dict[str, str], refused: str
) -> None:
    (sample / SUZUKI).write_text("\n".join(lines.values()) + "\n", encoding="utf-8")
    assert reported(sample) == {
        (SUZUKI, "schema", refused),
        (SUZUKI, "permission-abolished", "permissions/taxis"),  # use 1011
        (SUZUKI, "system-role", "permissions/loacus"),  # 03010 needs the manufacturer role
    }


def test_an_operator_missing_a_field_has_its_other_errors_reported(sample: Path) -> None:
    text = (sample / AOBA).read_text(encoding="utf-8")
    changed = (
        text.replace("name_kana: アオバガス カブシキガイシャ\n", "", 1)
        .replace("  - role: deputy\n", "  - role: primary\n", 1)
        .replace(
            "  - {code: AOBASV01,", "  - {code: AOBAGS01, name: 自社}\n  - {code: AOBASV01,", 1
        )
    )
    assert changed.count("\n") == text.count("\n")
    (sample / AOBA).write_text(changed, encoding="utf-8")
    assert reported(sample) == {
        (AOBA, "schema", "name_kana"),
        (AOBA, "contact-primary", "contacts/1"),
        (AOBA, "subcontractor-code", "subcontractors/0/code"),
    }
