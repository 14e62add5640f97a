"""The runner stamps each problem with its rule's id and level; rules never spell their id."""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from accessreg.model.messages import msg
from accessreg.model.problems import Level, Problem
from accessreg.review import authorize
from accessreg.rules import CHECKS, RULES, Due, RegistryRule, run_rules
from accessreg.rules.base import Rule, finding, rule
from tests.helpers.regfactory import RegistryFactory, certificate


def _yields(*levels: Level) -> Iterator[Problem]:
    for n, level in enumerate(levels):
        yield finding("operators/TESTOP01.yaml", msg("finding {n}", n=n), ("code",), level)


@rule("example-warning", "-", level=Level.WARNING)
def example_warning(n: int) -> Iterator[Problem]:
    """A rule whose every problem is a warning."""
    yield from _yields(*[Level.ERROR] * n)


@rule("example-by-finding", "-", level=None)
def example_by_finding(n: int) -> Iterator[Problem]:
    """A rule that leaves the level to each problem."""
    yield from _yields(Level.WARNING, Level.ERROR)


def test_the_runner_stamps_the_rules_id_and_level() -> None:
    found = run_rules((example_warning, example_by_finding), 2)
    assert [(p.rule, p.level, p.message.english(), p.path) for p in found] == [
        ("example-warning", Level.WARNING, "finding 0", ("code",)),
        ("example-warning", Level.WARNING, "finding 1", ("code",)),
        ("example-by-finding", Level.WARNING, "finding 0", ("code",)),
        ("example-by-finding", Level.ERROR, "finding 1", ("code",)),
    ]


def test_a_load_rule_has_nothing_to_run() -> None:
    load_rule: Rule[[int]] = Rule("example-load", "-", "Applied while reading.")
    assert run_rules((load_rule,), 1) == []


def test_every_validate_problem_names_a_rule_with_its_level(reg: RegistryFactory) -> None:
    # A warning rule (certificate-expired), an error rule and a rule whose level the
    # catalog decides (permission-limit: JUJU is a warning) on one registry.
    reg.operator(certificates=[certificate(not_after="2026-01-31")])
    for n in range(6):
        reg.user(email=f"juju{n}@test-gas.example.co.jp", permissions={"juju": "granted"})
    reg.user(affiliation="STRANGER")
    found = {(p.rule, p.level) for p in reg.validate().problems}
    assert found == {
        ("certificate-expired", Level.WARNING),
        ("permission-limit", Level.WARNING),
        ("affiliation", Level.ERROR),
    }
    by_id = {r.id: r for r in RULES}
    assert by_id["certificate-expired"].level is Level.WARNING
    assert by_id["permission-limit"].level is None


def _rule_modules() -> list[ModuleType]:
    checks: list[RegistryRule | authorize.AuthRule] = [*RULES, *authorize.RULES]
    names = {r.check.__module__ for r in checks if r.check is not None}
    return [sys.modules[name] for name in sorted(names)]


@pytest.mark.parametrize("module", _rule_modules(), ids=lambda m: m.__name__)
def test_rules_make_problems_only_through_finding(module: ModuleType) -> None:
    # ``finding`` takes no rule id: the runner stamps it, so no rule can get it wrong.
    calls = {
        node.func.id
        for node in ast.walk(ast.parse(inspect.getsource(module)))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "finding" in calls
    assert not calls & {"problem", "Problem", "replace"}


# A rule that reads the day but whose findings only go away as days pass (a start too far
# ahead) judges what was written, not what time did: a content rule.
READS_THE_DAY_AS_CONTENT = {"certificate-start"}


@pytest.mark.parametrize("r", CHECKS, ids=[r.id for r in CHECKS])
def test_a_rule_whose_findings_fall_due_with_the_days_is_a_time_rule(r: RegistryRule) -> None:
    assert r.check is not None
    reads_the_day = "ctx.today" in inspect.getsource(r.check)
    if reads_the_day and r.id not in READS_THE_DAY_AS_CONTENT:
        assert r.due is Due.TIME, f"{r.id} reads the day: declare it due=Due.TIME"
    else:
        assert r.due is Due.CONTENT, f"{r.id} never reads the day: a content rule"
