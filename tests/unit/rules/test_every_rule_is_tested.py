"""Every rule id has a test in the test module mirroring the rule's own module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accessreg.review import authorize
from accessreg.rules import RULES, Rule
from tests.helpers.regfactory import ROOT

HERE = Path(__file__).resolve().parent
EVERY_RULE: tuple[Rule[Any], ...] = (*RULES, *authorize.RULES)


def _test_module(r: Rule[Any]) -> Path:
    if r in authorize.RULES:  # judged on real git histories, through the command
        return ROOT / "tests" / "cli" / "test_authorize.py"
    # Load rules have no check function: they live in rules/loading.py.
    module = r.check.__module__ if r.check is not None else "accessreg.rules.loading"
    return HERE / f"test_{module.rsplit('.', 1)[-1]}.py"


@pytest.mark.parametrize("r", EVERY_RULE, ids=[r.id for r in EVERY_RULE])
def test_rule_has_a_test_that_asserts_its_id(r: Rule[Any]) -> None:
    path = _test_module(r)
    assert path.exists(), f"no {path.name} for the module of {r.id}"
    assert f'"{r.id}"' in path.read_text(encoding="utf-8"), f"{path.name} never asserts {r.id}"


def test_rule_ids_are_unique_and_documented() -> None:
    ids = [r.id for r in EVERY_RULE]
    assert len(ids) == len(set(ids))
    assert all(r.summary for r in EVERY_RULE)
