"""Judging a registry's problems as a change's: what the change is answerable for.

A pull request (or an edit) is judged on what it wrote, not on what time did to files it
never touched, and a limit or clash it causes is reported where it caused it:

- a *time* rule's finding (``rules.Due.TIME``) counts only on an operator the change
  touched (or, in a shared file such as the calendar, when the change touched that file);
  the others are set aside (the scheduled duties and the reviewers deal with them);
- a *content* error in the files of an operator the change did not touch was already
  there before it, and is set aside as well: one operator's bad file never holds another's
  application (a maintainer fixes it on ``main``). The change touches the operators of the
  files it added, altered or removed, and those of every file of a clash it takes part in;
  a change of a shared file (the catalog, the calendar, the maintainers) or of a file out
  of place touches every operator, which all depend on it. Elsewhere no content finding can
  be the change's doing: a rule's finding on an operator's files follows from those files
  and the shared ones (an operator file that claims another's code fails ``file-name``
  itself), and a clash it takes part in is reported on its own files;
- a finding of a limit or clash (``Problem.clash``) is reported on every file of the change
  that takes part in it (for ``apply``, on the files downstream does not hold yet, where
  one takes part: ``Change.newcomers``), and only when none does on the files it names by
  itself (``Problem.blamed_unchanged``), unless none of those files is of an operator the
  change touched (then an error is set aside as the others are);
- an error already in the files of an operator the change only takes access away from
  (``Change.revoking``: an address, a window person, a suspension, a termination, as
  ``files.revocations`` reads it) stands as a warning: like a deletion, nothing delays a
  revocation, and ``apply`` takes it even from a file held back for such an error. An error
  the revocation brings itself (the primary window person removed) counts as any other.

- a committed generated file (schemas, issue forms, CODEOWNERS) found stale counts only on a
  change that touches it or what it is made from (``stale_touched``); otherwise it was stale
  before the change, which a window person cannot mend, and stands as a warning.

Without a change (a plain ``validate``) every finding stands, and a clash is reported where
the rule puts it by itself.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from accessreg.gitio.repo import GitRepository
from accessreg.model import layout
from accessreg.model.messages import Message
from accessreg.model.problems import Level, Problem
from accessreg.rules import TIME_RULES

Key = tuple[str, str, str, Message]


def finding_key(p: Problem) -> Key:
    """A finding as it stands whatever its line: lines move when a file is edited."""
    return (p.file, p.rule, str(p.level), p.message)


@dataclass(frozen=True)
class Change:
    """The files a change added, altered or removed, relative to the registry directory."""

    files: frozenset[str]
    # False: no time rule counts at all (``apply``, which time never stops).
    counts_time: bool = True
    # True: an error counts in whatever operator's files it is (``apply``, which holds back
    # the files an error involves instead of setting it aside).
    counts_others: bool = False
    # Of ``files``, those downstream does not hold (``apply``: added since the applied
    # revision, or held back since they came). A clash they take part in is theirs alone,
    # never a holder's that downstream already has, whatever else changed in its file.
    newcomers: frozenset[str] | None = None
    # Of ``files``, those it deletes.
    removed: frozenset[str] = frozenset()
    # The operators whose files it only takes access away from → the findings on their
    # files before it (``finding_key``): an error still among them is no error of its own.
    revoking: Mapping[str, frozenset[Key]] = field(default_factory=dict)

    @cached_property
    def written(self) -> frozenset[str]:
        """The operators whose files it adds or alters. One whose files it only deletes (a
        利用権限の抹消) answers for nothing wrong in them, from time or from before: nothing
        delays a deletion."""
        kept = self.files - self.removed
        return frozenset(code for rel in kept if (code := layout.split(rel)[1]))

    @cached_property
    def shared(self) -> bool:
        """It touched a file that is no operator's (the catalog, the calendar, the
        maintainers, a file out of place): every operator depends on it."""
        return any(layout.split(rel)[1] is None for rel in self.files)


def worktree_change(repo: GitRepository, rev: str, prefix: str) -> Change:
    """The change of the work tree since ``rev``, for the registry at ``prefix``."""
    files = frozenset(repo.worktree_changes(rev, prefix))
    # A link pointing nowhere is there all the same: reported as a link, not removed.
    gone = frozenset(rel for rel in files if not os.path.lexists(repo.root / prefix / rel))
    return Change(files, removed=gone)


@dataclass(frozen=True)
class Judged:
    problems: list[Problem]  # what the change is answerable for
    # Time findings on operators it did not touch, and the errors already in their files.
    set_aside: list[Problem]
    # Errors already in the files of operators it only takes access away from, made
    # warnings (among ``problems`` too): a maintainer fixes them, they hold nothing.
    spared: list[Problem] = field(default_factory=list)


def operator_of(problem: Problem) -> str | None:
    """The operator whose file a problem is in (its path relative to the registry)."""
    return layout.split(problem.file)[1]


def of_time(problem: Problem) -> bool:
    """Whether a finding is a time rule's: of the set-aside ones, else an error already in
    the files of an operator the change did not touch; of an edit's errors from before it,
    else one a maintainer fixes (``edit.draft.EditResult.due``)."""
    return problem.rule in TIME_RULES


def judge(problems: Iterable[Problem], change: Change | None) -> Judged:
    """``problems`` (files relative to the registry, not yet located) judged as ``change``'s."""
    kept: list[Problem] = []
    set_aside: list[Problem] = []
    plain: list[Problem] = []
    clashes: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in problems:
        if change is not None and p.rule in TIME_RULES:
            code = operator_of(p)
            on_it = p.file in change.files if code is None else code in change.written
            if not change.counts_time or not on_it:
                set_aside.append(p)
                continue
        if p.clash:
            clashes[(p.rule, p.clash)].append(p)
        else:
            plain.append(p)
    groups = list(clashes.values())
    touched = _touched(change, groups)
    for p in plain:
        elsewhere = p.level is Level.ERROR and _outside(p, touched)
        (set_aside if elsewhere else kept).append(p)
    for group in groups:
        changed = [p for p in group if change is not None and p.file in change.files]
        if change is not None and change.newcomers is not None:
            changed = [p for p in changed if p.file in change.newcomers] or changed
        if changed:
            kept.extend(changed)
            continue
        blamed = [p for p in group if p.blamed_unchanged]
        if all(_outside(p, touched) for p in group):
            set_aside.extend(p for p in blamed if p.level is Level.ERROR)
            kept.extend(p for p in blamed if p.level is not Level.ERROR)
        else:
            kept.extend(blamed)
    if change is None or not change.revoking:
        return Judged(kept, set_aside)
    return _spared(kept, set_aside, change.revoking)


def _spared(
    kept: list[Problem], set_aside: list[Problem], revoking: Mapping[str, frozenset[Key]]
) -> Judged:
    problems: list[Problem] = []
    spared: list[Problem] = []
    for p in kept:
        code = operator_of(p) or ""
        if code in revoking and p.level is Level.ERROR and finding_key(p) in revoking[code]:
            p = replace(p, level=Level.WARNING)
            spared.append(p)
        problems.append(p)
    return Judged(problems, set_aside, spared)


def _touched(change: Change | None, clashes: list[list[Problem]]) -> frozenset[str] | None:
    """The operators ``change`` touched, those of the clashes it takes part in included;
    None: every operator (no change, a shared file changed, or errors count everywhere)."""
    if change is None or change.counts_others or change.shared:
        return None
    named = {
        code
        for group in clashes
        if any(p.file in change.files for p in group)
        for p in group
        if (code := operator_of(p)) is not None
    }
    return change.written | named


def _outside(p: Problem, touched: frozenset[str] | None) -> bool:
    """Whether ``p`` is in the files of an operator outside ``touched``."""
    if touched is None:
        return False
    code = operator_of(p)
    return code is not None and code not in touched


def stale_touched(
    repo: GitRepository, rev: str, head: str | None, paths: Mapping[str, Sequence[Path]]
) -> dict[str, bool]:
    """For each stale rule of ``paths`` (its generated files and the registry files they are
    made from: ``cli.generated_files.made_from``), whether the change from ``rev`` touches
    any. A file outside the repository (a registry at its top has its generated files above
    it) is no change's."""
    top = repo.root.resolve()
    inside = {
        rule: [p.relative_to(top).as_posix() for p in files if p.is_relative_to(top)]
        for rule, files in paths.items()
    }
    wanted = sorted({p for files in inside.values() for p in files})
    changed = repo.changed_among(rev, head, wanted) if wanted else set()
    return {
        rule: any(c == p or c.startswith(f"{p}/") for c in changed for p in files)
        for rule, files in inside.items()
    }


def judge_stale(problems: list[Problem], touched: dict[str, bool] | None) -> list[Problem]:
    """A generated file already stale before a change that touches none of what makes it is
    not that change's to mend (a window person cannot): a warning the reviewers see, not an
    error holding the application back. Unjudged (``touched`` None), an error."""
    if touched is None:
        return problems
    return [
        replace(p, level=Level.WARNING) if touched.get(p.rule) is False else p for p in problems
    ]
