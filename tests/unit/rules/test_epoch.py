"""The findings on one operator's files follow the day only through the time rules' epochs:
incremental validation keeps them from one day to the next under that key
(``rules.operator_epoch``), so a rule that read the day otherwise would go stale."""

from __future__ import annotations

from datetime import date

from accessreg.rules import CHECKS, Context, operator_epoch, run_rules
from accessreg.rules.base import Scope
from tests.helpers.broken import break_everything
from tests.helpers.regfactory import RegistryFactory
from tests.helpers.registries import loaded_with_problems

# Far apart, with no abolition of the test catalog between them.
DAYS = (date(2024, 4, 1), date(2031, 12, 28))


def test_operator_findings_are_the_same_on_days_of_one_epoch(reg: RegistryFactory) -> None:
    break_everything(reg)
    registry = loaded_with_problems(reg)
    assert operator_epoch(registry.catalog, DAYS[0]) == operator_epoch(registry.catalog, DAYS[1])
    rules = [r for r in CHECKS if r.scope is Scope.OPERATOR]
    found = [
        sorted(
            (p.file, p.rule, p.message.english()) for p in run_rules(rules, registry, Context(d))
        )
        for d in DAYS
    ]
    assert found[0], "the broken registry breaks operator-scoped rules"
    assert found[0] == found[1]


def test_an_abolition_taking_effect_moves_the_epoch(reg: RegistryFactory) -> None:
    registry = loaded_with_problems(reg)
    abolished = [
        pc.abolished_on for s in registry.catalog.systems for pc in s.codes if pc.abolished_on
    ]
    assert abolished
    day = min(abolished)
    before = operator_epoch(registry.catalog, date.fromordinal(day.toordinal() - 1))
    assert before != operator_epoch(registry.catalog, day)
