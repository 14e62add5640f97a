"""What a policy rule is. A rule is one function plus one line in ``rules.RULES``."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from accessreg.model.problems import Problem
from accessreg.model.registry import Registry


@dataclass(frozen=True)
class Context:
    today: date


Check = Callable[[Registry, Context], Iterable[Problem]]


class Scope(StrEnum):
    """What a rule's findings depend on; incremental validation (``--changed-since``) re-runs
    a rule only where that changed. A rule that declares none is re-run on everything.
    """

    # Findings on one operator's files (its operator file, users/<CODE>/), from those files
    # and the shared ones (catalog, calendar, maintainers) only.
    OPERATOR = "operator"
    # Never reads users: operator files and the shared files only.
    OPERATORS = "operators"
    # Findings only among the holders (users, window persons) of a login ID held by more
    # than one of them.
    LOGIN = "login"
    # Anything in the registry.
    REGISTRY = "registry"


@dataclass(frozen=True)
class Rule:
    id: str
    seed: str  # the seed section the rule comes from
    doc: str
    check: Check | None = None  # None: the rule is applied while loading
    scope: Scope = Scope.REGISTRY

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0]


def rule(rule_id: str, seed: str, scope: Scope = Scope.REGISTRY) -> Callable[[Check], Rule]:
    """Make a check function a Rule; its docstring is the rule's documentation."""

    def wrap(check: Check) -> Rule:
        return Rule(rule_id, seed, inspect.cleandoc(check.__doc__ or ""), check, scope)

    return wrap
