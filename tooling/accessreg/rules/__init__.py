"""Every rule, in one list. Adding a rule is one module (or function) plus one line here."""

from datetime import date

from accessreg.model import Catalog
from accessreg.rules import (
    accounts,
    catalog,
    certificates,
    files,
    ids,
    ip_allowlist,
    loading,
    operators,
    permissions,
)
from accessreg.rules.base import Context, Due, RegistryRule, Rule, Scope, run_rules

LOAD_RULES: tuple[RegistryRule, ...] = loading.RULES
CHECKS: tuple[RegistryRule, ...] = (
    *files.RULES,
    *ids.RULES,
    *accounts.RULES,
    *permissions.RULES,
    *operators.RULES,
    *certificates.RULES,
    *ip_allowlist.RULES,
    *catalog.RULES,
)
RULES: tuple[RegistryRule, ...] = (*LOAD_RULES, *CHECKS)
# The ids of the rules that fall due as days pass (``Due.TIME``).
TIME_RULES: frozenset[str] = frozenset(r.id for r in CHECKS if r.due is Due.TIME)


def operator_epoch(catalog: Catalog, day: date) -> str:
    """What the findings on one operator's files follow of ``day``: content rules nothing,
    each time rule its ``epoch`` (the day itself when it declares none). Findings cached
    under one epoch hold on every day with the same."""
    return "|".join(
        f"{r.id}={r.epoch(catalog, day) if r.epoch else day.isoformat()}"
        for r in CHECKS
        if r.scope is Scope.OPERATOR and r.due is Due.TIME
    )


__all__ = [
    "CHECKS",
    "LOAD_RULES",
    "RULES",
    "TIME_RULES",
    "Context",
    "Due",
    "RegistryRule",
    "Rule",
    "operator_epoch",
    "run_rules",
]
