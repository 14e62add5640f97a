"""Judging a registry's problems as a change's: what the change is answerable for.

A pull request (or an edit) is judged on what it wrote, not on what time did to files it
never touched, and a limit or clash it causes is reported where it caused it:

- a *time* rule's finding (``rules.Due.TIME``) counts only on an operator the change
  touched (or, in a shared file such as the calendar, when the change touched that file);
  the others are set aside (the scheduled duties and the reviewers deal with them);
- a finding of a limit or clash (``Problem.clash``) is reported on every file of the change
  that takes part in it (for ``apply``, on the files downstream does not hold yet, where
  one takes part: ``Change.newcomers``), and only when none does on the files it names by
  itself (``Problem.blamed_unchanged``).

Without a change (a plain ``validate``) every finding stands, and a clash is reported where
the rule puts it by itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from accessreg.gitio.repo import GitRepository
from accessreg.model import layout
from accessreg.model.problems import Problem
from accessreg.rules import TIME_RULES


@dataclass(frozen=True)
class Change:
    """The files a change added, altered or removed, relative to the registry directory."""

    files: frozenset[str]
    # False: no time rule counts at all (``apply``, which time never stops).
    counts_time: bool = True
    # Of ``files``, those downstream does not hold (``apply``: added since the applied
    # revision, or held back since they came). A clash they take part in is theirs alone,
    # never a holder's that downstream already has, whatever else changed in its file.
    newcomers: frozenset[str] | None = None

    @cached_property
    def operators(self) -> frozenset[str]:
        """The operators it touched: their operator file or one of their users' files."""
        return frozenset(code for rel in self.files if (code := layout.split(rel)[1]))


def worktree_change(repo: GitRepository, rev: str, prefix: str) -> Change:
    """The change of the work tree since ``rev``, for the registry at ``prefix``."""
    return Change(frozenset(repo.worktree_changes(rev, prefix)))


@dataclass(frozen=True)
class Judged:
    problems: list[Problem]  # what the change is answerable for
    set_aside: list[Problem]  # time findings on operators it did not touch


def operator_of(problem: Problem) -> str | None:
    """The operator whose file a problem is in (its path relative to the registry)."""
    return layout.split(problem.file)[1]


def judge(problems: Iterable[Problem], change: Change | None) -> Judged:
    """``problems`` (files relative to the registry, not yet located) judged as ``change``'s."""
    kept: list[Problem] = []
    set_aside: list[Problem] = []
    clashes: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in problems:
        if change is not None and p.rule in TIME_RULES:
            code = operator_of(p)
            touched = p.file in change.files if code is None else code in change.operators
            if not change.counts_time or not touched:
                set_aside.append(p)
                continue
        if p.clash:
            clashes[(p.rule, p.clash)].append(p)
        else:
            kept.append(p)
    for group in clashes.values():
        changed = [p for p in group if change is not None and p.file in change.files]
        if change is not None and change.newcomers is not None:
            changed = [p for p in changed if p.file in change.newcomers] or changed
        kept.extend(changed or [p for p in group if p.blamed_unchanged])
    return Judged(kept, set_aside)
