"""The fast YAML path reads every document exactly as the general constructor does.

``yamlsafe.load`` builds plain documents itself and hands anything unusual (tags it does not
know, duplicate keys, merge keys) to PyYAML's constructor. The reference below is the
general path alone; both must give the same data, or the same problem at the same place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from accessreg.files import yamlsafe

ROOT = Path(__file__).resolve().parents[3]


class _Reference(yaml.CSafeLoader):
    yaml_implicit_resolvers = yamlsafe._RESOLVERS


_Reference.add_constructor("tag:yaml.org,2002:map", yamlsafe._construct_mapping)


def _outcome(load: Any, raw: bytes) -> tuple[str, object]:
    try:
        data = load(raw)
    except yamlsafe.YamlProblem as exc:
        return "problem", (exc.rule, exc.line, exc.col, exc.message.english())
    return "data", (repr(data), data)  # repr tells True from 1 and 1.0 from 1


def _reference(raw: bytes) -> Any:
    """Before the fast path: scan when needed, then PyYAML's constructor builds everything."""
    if b"&" in raw or b"*" in raw or b"!" in raw:
        yamlsafe._scan_events(raw)
    try:
        return yaml.load(raw, Loader=_Reference)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise yamlsafe.YamlProblem(
            "yaml-syntax", yamlsafe._syntax(exc, raw, line), line, col
        ) from None
    except yaml.YAMLError:
        raise yamlsafe.YamlProblem("yaml-syntax", yamlsafe._NOT_YAML) from None


DOCUMENTS = [
    "",
    "# only a comment\n",
    "a: 1\nb: '1'\nc: 1.5\nd: 1e3\ne: 0x1F\nf: 0o17\ng: 017\nh: 1_000\ni: 190:20:30\n",
    "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: y\ng: ~\nh: null\ni:\nj: ''\n",
    "a: .inf\nb: -.Inf\nc: .nan\nd: +12\ne: -0\nf: 2026-11-22\ng: 2026-11-22T10:00:00Z\n",
    "email: Taro.Yamada@example.co.jp\nname: 山田 太郎\npermissions:\n  taxis: '1011'\n",
    "roles: [gas_retailer, wheeling_client]\nsystems: []\nmeta: {}\nflow: {a: 1, b: [x, y]}\n",
    "list:\n  - a\n  - {b: 2}\n  - [c, d]\n  -\n  - - nested\n",
    "text: |\n  line one\n  line two\nfolded: >-\n  folded\n  text\n",
    "'quoted key': 1\n\"double\": 2\n3: three\ntrue: yes\nnull: x\n",
    "? complex\n: value\n",
    "a: 1\na: 2\n",
    "a: {b: 1, b: 2}\nc: 1\nc: 2\n",
    "a: [x, {b: 1, b: 2}]\nc: {d: 1, d: 2}\n",
    "1: a\ntrue: b\n1.0: c\n",
    "a: 1\n<<: {b: 2}\n",
    "<<: [{a: 1}]\n",
    "a: =\n",
    "=: a\n",
    "? [a]\n: 1\n",
    "? {a: 1}\n: 1\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: !custom x\n",
    "note: 'wow!'\nmemo: a & b * c\n",
    "a: 1\n---\nb: 2\n",
    "a: [1, 2\n",
    "a:\n\tb: 1\n",
    "- just\n- a\n- list\n",
    "plain scalar\n",
    "a: b: c\n",
    "a: 'it''s'\nb: \"\\u3042\\n\"\n",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_fast_path_matches_the_general_constructor(text: str) -> None:
    raw = text.encode("utf-8")
    assert _outcome(yamlsafe.load, raw) == _outcome(_reference, raw)


def test_fast_path_matches_on_the_sample_registry() -> None:
    files = sorted((ROOT / "registry").rglob("*.yaml"))
    assert len(files) > 25
    for path in files:
        raw = path.read_bytes()
        assert _outcome(yamlsafe.load, raw) == _outcome(_reference, raw), path


def test_a_list_or_mapping_as_a_key_is_a_problem_not_a_crash() -> None:
    for text in ("? [a]\n: 1\n", "? {a: 1}\n: 1\n", "x: 1\n[a, b]: 2\n"):
        with pytest.raises(yamlsafe.YamlProblem) as caught:
            yamlsafe.load(text.encode())
        assert caught.value.rule == "yaml-syntax"
        assert "key must be plain text" in caught.value.message.english()
