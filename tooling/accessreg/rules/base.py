"""What a policy rule is, and the runner that applies rules.

A rule is one function plus one line in its list (``rules.RULES`` for the registry,
``review.authorize.RULES`` for who may propose what); its docstring is its documentation.
A rule yields what it found with :func:`finding`; the runner, not the rule, stamps each
problem with the rule's id and level, as yamllint's linter does.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Generic, ParamSpec, TypeAlias

from accessreg.model import Catalog
from accessreg.model.messages import Message
from accessreg.model.problems import DataPath, Level, Problem, problem
from accessreg.model.registry import Registry

P = ParamSpec("P")


@dataclass(frozen=True)
class Context:
    today: date


class Due(StrEnum):
    """What makes a rule's findings appear: the files as written, or days passing.

    A *content* rule judges what a change wrote (a bad code, a clash). A *time* rule becomes
    due as days pass over files nobody changed (an expired address, a provisional member past
    a year): it counts only for an operator a change touches, is set aside for the others
    (``validation.judge``), and never stops ``apply``; the scheduled duties send its notices.
    """

    CONTENT = "content"
    TIME = "time"


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
class Rule(Generic[P]):
    """A rule over whatever its check takes: ``(Registry, Context)`` for the registry's
    rules, an ``AuthContext`` for authorization's."""

    id: str
    seed: str  # the seed section the rule comes from
    doc: str
    check: Callable[P, Iterable[Problem]] | None = None  # None: applied while loading
    scope: Scope = Scope.REGISTRY
    # Every problem of the rule has this level; None: each problem carries its own (a
    # level the catalog decides, say). For a time rule: its level within a touched operator.
    level: Level | None = Level.ERROR
    due: Due = Due.CONTENT
    # A time rule whose findings follow only some dates of the catalog: what of the day
    # they follow (equal strings, equal findings). None: the day itself.
    epoch: Callable[[Catalog, date], str] | None = None

    @property
    def summary(self) -> str:
        return first_paragraph(self.doc)


def first_paragraph(doc: str) -> str:
    """A rule's documentation, or its translation, up to the first blank line, as one line
    (a docstring's paragraph is wrapped)."""
    return " ".join(doc.split("\n\n", 1)[0].split())


# The rules of the registry itself (``validate``).
RegistryRule: TypeAlias = Rule[[Registry, Context]]


def rule(
    rule_id: str,
    seed: str,
    scope: Scope = Scope.REGISTRY,
    level: Level | None = Level.ERROR,
    due: Due = Due.CONTENT,
    epoch: Callable[[Catalog, date], str] | None = None,
) -> Callable[[Callable[P, Iterable[Problem]]], Rule[P]]:
    """Make a check function a Rule; its docstring is the rule's documentation."""

    def wrap(check: Callable[P, Iterable[Problem]]) -> Rule[P]:
        doc = inspect.cleandoc(check.__doc__ or "")
        return Rule(rule_id, seed, doc, check, scope, level, due, epoch)

    return wrap


def finding(
    file: str,
    message: Message,
    path: DataPath = (),
    level: Level = Level.ERROR,
    clash: str = "",
    blamed_unchanged: bool = True,
) -> Problem:
    """What a rule yields: a problem in ``file`` at the data path ``path``. The runner stamps
    the rule's id, and its level unless the rule leaves the level to each problem.

    A limit or a clash yields a finding on *every* file that takes part in it, with one
    ``clash`` key; ``blamed_unchanged`` is False for those reported only when the change
    touched them (the holders within a limit)."""
    return replace(
        problem(file, "", message, path, level), clash=clash, blamed_unchanged=blamed_unchanged
    )


def run_rules(rules: Iterable[Rule[P]], *args: P.args, **kwargs: P.kwargs) -> list[Problem]:
    """Every problem of ``rules`` applied to ``args``, stamped with its rule's id and level."""
    found: list[Problem] = []
    for r in rules:
        if r.check is None:  # a load rule: its problems come from reading the files
            continue
        level = r.level
        found.extend(
            replace(p, rule=r.id, level=p.level if level is None else level)
            for p in r.check(*args, **kwargs)
        )
    return found
