"""The hand-written parts of docs/guide-reviewer.md that a reviewer acts on stay true: its
反映が止まったとき gives every case of README's "When provisioning stops" in Japanese,
quoting each log line as the catalog words it, and its repository settings name every
secret, variable, environment and label the workflows and the issue forms rely on."""

from __future__ import annotations

import functools
import re

import yaml
from babel.messages.pofile import read_po

from tests.helpers.regfactory import ROOT

GUIDE = ROOT / "docs" / "guide-reviewer.md"
README = ROOT / "README.md"
CATALOG = ROOT / "tooling" / "accessreg" / "locale" / "ja" / "LC_MESSAGES" / "accessreg.po"
WORKFLOWS = ROOT / ".github" / "workflows"
# Values a run fills in that the guide shows as they appear in the log, where the catalog
# has a placeholder ({encoding}, {file}, {ref}, {remote}, {max_share}).
VALUES = ("refs/accessreg/state", "recorded.json", "state.json", "origin", "CP932", "25%")
CODE = re.compile(r"`([^`]+)`")


def _section(text: str, heading: str) -> str:
    return text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def _guide(heading: str) -> str:
    return _section(GUIDE.read_text(encoding="utf-8"), heading)


def _cases() -> dict[str, list[str]]:
    """Each case of 反映が止まったとき (its heading) → what its log lines quote."""
    cases = _guide("## 反映が止まったとき").split("\n### ")[1:]
    found = {}
    for case in cases:
        title, body = case.split("\n", 1)
        log = body.split("- **ログ**", 1)[1].split("- **意味**", 1)[0]
        found[title] = [c for c in CODE.findall(log) if not c.isascii()]
    return found


@functools.cache
def _worded() -> tuple[str, ...]:
    """The Japanese catalog's text between its placeholders: what a log line can show."""
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    texts = [
        s
        for m in catalog
        if m.id
        for s in (m.string if isinstance(m.string, tuple) else (m.string,))
    ]
    return tuple(part for text in texts for part in re.split(r"\{\w*\}", text) if part)


def _readme_rows() -> list[str]:
    section = _section(README.read_text(encoding="utf-8"), "### When provisioning stops")
    return [row for row in section.splitlines() if row.startswith("| ")][2:]


def test_every_stop_of_the_readme_has_its_case_in_japanese() -> None:
    cases = _cases()
    assert len(cases) == len(_readme_rows())
    shown = _guide("## 反映が止まったとき")
    for row in _readme_rows():
        said = [c for c in CODE.findall(row.split(" | ", 1)[0]) if not c.isascii()]
        assert said, row
        for quoted in said:
            # The README writes counts as M and N, and values as <commit>; the guide as ….
            for piece in re.split(r"…|<[^>]*>|\b[MN]\b|\d+%", quoted):
                piece = piece.strip()
                if len(piece) > 2 and not piece.isascii():
                    assert piece in shown, (piece, row)
    assert "When provisioning stops" not in GUIDE.read_text(encoding="utf-8")


def test_every_log_line_the_guide_quotes_is_the_catalogs() -> None:
    worded = _worded()
    for title, quoted in _cases().items():
        assert quoted, f"{title}: no log line quoted"
        for line in quoted:
            text = line.removeprefix("accessreg: ")
            for value in VALUES:
                text = text.replace(value, "…")
            for piece in (p.strip() for p in text.split("…")):
                assert not piece or any(piece in w for w in worded), (title, piece)


def test_the_manual_run_is_named_as_the_workflow_names_it() -> None:
    workflow = yaml.safe_load((WORKFLOWS / "provision.yml").read_text(encoding="utf-8"))
    shown = _guide("## 反映が止まったとき")
    assert f"Actions → {workflow['name']} → Run workflow" in shown
    for name, spec in workflow[True]["workflow_dispatch"]["inputs"].items():
        # The form shows each input by its description, whose Japanese the guide quotes.
        (line,) = [ln for ln in shown.splitlines() if ln.startswith(f"- `{name}`（「")]
        quoted = line.split("「", 1)[1].split("」", 1)[0]
        assert quoted in spec["description"].split(" / ", 1)[0], name
    steps = [s["name"] for s in workflow["jobs"]["provision"]["steps"] if s.get("id") == "apply"]
    assert [f"「{name}」" in shown for name in steps] == [True]


def test_the_settings_name_everything_the_workflows_and_forms_rely_on() -> None:
    relied = set()
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        relied |= set(re.findall(r"\b(?:secrets|vars)\.([A-Z][A-Z0-9_]*)", text))
        relied |= set(re.findall(r"^\s*environment: ([\w-]+)$", text, re.M))
    for form in (ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml"):
        relied |= set(yaml.safe_load(form.read_text(encoding="utf-8")).get("labels", []))
    assert {"APPLICATION_BOT_TOKEN", "ACCESSREG_BOT_LOGIN", "mass-removal", "application"} <= relied
    named = set(CODE.findall(_guide("## リポジトリの設定（初回のみ）")))
    assert sorted(relied - named) == []
