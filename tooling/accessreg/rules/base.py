"""What a policy rule is. A rule is one function plus one line in ``rules.RULES``."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from accessreg.problems import Problem
from accessreg.registry import Registry


@dataclass(frozen=True)
class Context:
    today: date


Check = Callable[[Registry, Context], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    id: str
    seed: str  # the seed section the rule comes from
    doc: str
    check: Check | None = None  # None: the rule is applied while loading

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0]


def rule(rule_id: str, seed: str) -> Callable[[Check], Rule]:
    """Make a check function a Rule; its docstring is the rule's documentation."""

    def wrap(check: Check) -> Rule:
        return Rule(rule_id, seed, inspect.cleandoc(check.__doc__ or ""), check)

    return wrap
