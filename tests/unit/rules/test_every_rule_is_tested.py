"""Every rule id has a test in the test module mirroring the rule's own module."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessreg.rules import RULES, Rule

HERE = Path(__file__).resolve().parent


def _test_module(r: Rule) -> Path:
    # Load rules have no check function: they live in rules/loading.py.
    module = r.check.__module__ if r.check is not None else "accessreg.rules.loading"
    return HERE / f"test_{module.rsplit('.', 1)[-1]}.py"


@pytest.mark.parametrize("r", RULES, ids=[r.id for r in RULES])
def test_rule_has_a_test_that_asserts_its_id(r: Rule) -> None:
    path = _test_module(r)
    assert path.exists(), f"no {path.name} for the module of {r.id}"
    assert f'"{r.id}"' in path.read_text(encoding="utf-8"), f"{path.name} never asserts {r.id}"


def test_rule_ids_are_unique_and_documented() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(r.summary for r in RULES)
