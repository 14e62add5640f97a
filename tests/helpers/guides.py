"""Excerpts of the real output on the sample registry, for the guides in docs/.

The guides show what a window person and a reviewer see (a plan comment, the problems of a
mistyped file) by excerpts this module generates from ``registry/`` of this repository,
between ``<!-- generated: NAME -->`` and ``<!-- /generated -->``. The test suite fails when a
guide's excerpt is not what the tool prints; ``python -m tests.helpers.guides`` rewrites them.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import git
import yaml

from tests.helpers import formbody
from tests.helpers.regfactory import ROOT, run_cli

GUIDES = [ROOT / "docs" / "guide-reviewer.md", ROOT / "docs" / "guide-window.md"]
BLOCK = re.compile(
    r"(<!-- generated: (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /generated -->)", re.S
)
ACCEPTED = "2026-11-24"


class _Sample:
    """A git repository holding a copy of the sample registry, on ``main``."""

    def __init__(self, where: Path) -> None:
        self.path = where
        shutil.copytree(ROOT / "registry", where / "registry")
        shutil.copytree(ROOT / "schemas", where / "schemas")
        self.repo = git.Repo.init(where, initial_branch="main")
        with self.repo.config_writer() as config:
            config.set_value("user", "name", "Sample")
            config.set_value("user", "email", "sample@example.jp")
            config.set_value("commit", "gpgsign", "false")
        self.commit("sample registry")

    def commit(self, message: str) -> None:
        self.repo.git.add("-A")
        self.repo.git.commit("-q", "--allow-empty", "-m", message)

    def branch(self, name: str) -> None:
        self.repo.git.checkout("-q", "-b", name, "main")

    def edit(self, rel: str, change: Callable[[dict[str, object]], None]) -> None:
        """Change a registry file's data (as the web editor would, comments aside)."""
        path = self.path / "registry" / rel
        text = path.read_text(encoding="utf-8")
        modeline, body = text.split("\n", 1)
        data = yaml.safe_load(body)
        change(data)
        dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path.write_text(f"{modeline}\n{dumped}", encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        path = self.path / "registry" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def plan(self, head: str, actor: str) -> str:
        result = run_cli("plan", "--base", "main", "--head", head, "--format", "markdown",
                         "--accepted-on", ACCEPTED, "--today", ACCEPTED, "--actor", actor,
                         cwd=self.path)  # fmt: skip
        assert result.returncode == 0, result.stderr
        # The commits' ids change with every run: the line naming them is left out.
        lines = [ln for ln in result.stdout.splitlines() if not ln.startswith("比較: ")]
        return _quoted("\n".join(lines).strip())

    def close(self) -> None:
        self.repo.close()


def _quoted(markdown: str) -> str:
    """The comment as a block quote: its headings and tables render inside the guide."""
    return "\n".join(f"> {line}" if line else ">" for line in markdown.splitlines()) + "\n"


def _new_operator(sample: _Sample) -> str:
    sample.branch("new-operator")
    sample.write(
        "operators/NAGIGS01.yaml",
        "# yaml-language-server: $schema=../../schemas/operator.schema.json\n"
        "code: NAGIGS01\nname: なぎさガス株式会社\nname_kana: ナギサガス カブシキガイシャ\n"
        "roles: [gas_retailer, wheeling_client]\noccto_member: false\n"
        "privacy_policy_url: https://nagisa-gas.example.co.jp/privacy\nsystems: [taxis, johs]\n"
        "contacts:\n  - role: primary\n    name: 渚 一郎\n    name_kana: ナギサ イチロウ\n"
        "    email: ichiro.nagisa@nagisa-gas.example.co.jp\n    phone: 03-0000-0901\n"
        "    github: nagisa-ichiro\n",
    )
    sample.commit("利用申請（新規）: NAGIGS01")
    return sample.plan("new-operator", "nagisa-ichiro")


def _window_person_changes(sample: _Sample) -> str:
    sample.branch("aoba-changes")

    def grant(data: dict[str, object]) -> None:
        permissions = data["permissions"]
        assert isinstance(permissions, dict)
        permissions["taxis"] = "1011"  # from 1010: the update permission

    sample.edit("users/AOBAGS01/misaki.ishida@aoba-gas.example.co.jp.yaml", grant)

    def certificate(data: dict[str, object]) -> None:
        certs = data["certificates"]
        assert isinstance(certs, list)
        certs.append({
            "id": "EP2026-000913", "serial": "4A3F09D3", "cn": "AOBAGS01-PC003",
            "medium": "DL", "purpose": "web", "not_before": "2026-04-01",
            "not_after": "2028-03-31", "location": "本社 需給管理部 端末 PC003",
            "holder": "需給管理部 青山 太郎",
        })  # fmt: skip

    sample.edit("operators/AOBAGS01.yaml", certificate)
    sample.commit("AOBAGS01: 権限の変更と証明書の登録")
    return sample.plan("aoba-changes", "ishida-misaki")


def _mistyped_user(sample: _Sample) -> str:
    sample.branch("mistyped")
    rel = "users/AOBAGS01/hanako.kimura@aoba-gas.example.co.jp.yaml"
    sample.write(
        rel,
        "# yaml-language-server: $schema=../../../schemas/user.schema.json\n"
        "email: 木村hanako@aoba-gas.example.co.jp\nname: 木村 花子\nname_kane: キムラ ハナコ\n"
        "affiliation: aobags01\npermissions:\n  taxis: 1011\n  loacus: 02010\n  juju: yes\n",
    )
    result = run_cli("validate", cwd=sample.path)
    assert result.returncode == 1, result.stderr
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith(f"registry/{rel}")]
    return "```text\n" + "\n".join(lines) + "\n```\n"


def _tab(sample: _Sample) -> str:
    rel = "users/AOBAGS01/hanako.kimura@aoba-gas.example.co.jp.yaml"
    sample.write(
        rel,
        "# yaml-language-server: $schema=../../../schemas/user.schema.json\n"
        "email: hanako.kimura@aoba-gas.example.co.jp\nname: 木村 花子\n"
        "name_kana: キムラ ハナコ\naffiliation: AOBAGS01\npermissions:\n\ttaxis: '1011'\n",
    )
    result = run_cli("validate", cwd=sample.path)
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith(f"registry/{rel}")]
    return "```text\n" + "\n".join(lines) + "\n```\n"


def _form_refused(sample: _Sample) -> str:
    body = formbody.render(
        "user-add",
        {
            "operator": "AOBAGS01",
            "email": "木村hanako@aoba-gas.example.co.jp",
            "name": "木村 花子",
            "name_kana": "きむら はなこ",
            "perm_taxis": "1011：更新権限あり",
            "confirm": formbody.confirm("user-add"),
        },
    )
    path = sample.path / "body.md"
    path.write_text(body, encoding="utf-8")
    result = run_cli("from-issue", "--body", str(path), "--author", "aoyama-taro",
                     "--issue", "12", "--today", "2026-11-22", cwd=sample.path)  # fmt: skip
    assert result.returncode == 1, result.stderr
    comment = json.loads(result.stdout)["comment"]
    assert isinstance(comment, str)
    return _quoted(comment.strip())


SCENARIOS: dict[str, Callable[[_Sample], str]] = {
    "form-refused": _form_refused,
    "plan-new-operator": _new_operator,
    "plan-window-person-changes": _window_person_changes,
    "validate-mistyped-user": _mistyped_user,
    "validate-tab": _tab,
}


def excerpts() -> dict[str, str]:
    found = {}
    for name, scenario in SCENARIOS.items():
        with tempfile.TemporaryDirectory() as tmp:
            sample = _Sample(Path(tmp) / "repo")
            try:
                found[name] = scenario(sample)
            finally:
                sample.close()
    return found


def filled(text: str, generated: dict[str, str]) -> str:
    """``text`` with every generated block replaced by its excerpt."""
    return BLOCK.sub(lambda m: m.group(1) + generated[m.group("name")] + m.group(4), text)


def main() -> None:
    generated = excerpts()
    for guide in GUIDES:
        guide.write_text(filled(guide.read_text(encoding="utf-8"), generated), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
