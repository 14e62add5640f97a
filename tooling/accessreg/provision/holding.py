"""What an error at HEAD holds back, and nothing more (README "When provisioning stops").

``main`` should never hold an error (the merge queue checks every combination), but a forced
merge or a race without the queue can leave one. Provisioning then goes on for everyone
else, and holds back exactly what the error involves:

- an error in a user's file holds back that file (both holders of a clashing login ID have
  their own finding, so both are held);
- an error in an operator's file holds back the operator: its file and its users' files;
- a file deleted at HEAD is never held: a removal is never held back;
- an error in a shared file (the catalog, the calendar, the maintainers) stops the run, since
  nothing can be provisioned against it; a file where no file belongs is not provisioned
  anyway and holds nothing back.

A held file keeps the content downstream systems have of it (none for a new one), so nothing
of it is applied and no notice is sent for it; once HEAD no longer has an error in it, the
next run releases it (``merges.history``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from accessreg.errors import ProblemsFound
from accessreg.gitio.repo import GitRepository
from accessreg.model import layout
from accessreg.model.layout import Kind
from accessreg.model.messages import Verbatim, msg
from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry
from accessreg.provision.merges import PREFIX, pinned_content
from accessreg.provision.state import HeldFile
from accessreg.reporting import reporters
from accessreg.validation.judge import Change
from accessreg.validation.validate import validate


@dataclass(frozen=True)
class Hold:
    """What one run holds back, and why."""

    files: frozenset[str]  # registry paths held back
    problems: tuple[Problem, ...]  # the errors that hold them, located
    refused: tuple[Problem, ...]  # errors in shared files: the run cannot go on

    def operators(self) -> dict[str, list[Problem]]:
        """Each operator with a file held back, and the errors in its files."""
        found: dict[str, list[Problem]] = defaultdict(list)
        for p in self.problems:
            rel = layout.registry_rel(p.file) or p.file
            found[layout.operator_of(rel) or ""].append(p)
        return dict(sorted(found.items()))

    def files_of(self, operator: str) -> list[str]:
        return sorted(f for f in self.files if layout.operator_of(f) == operator)


def hold(errors: Iterable[Problem], present: Collection[str]) -> Hold:
    """What ``errors`` (located, as ``registry/…``) hold back of HEAD's files ``present``."""
    files: set[str] = set()
    holding: list[Problem] = []
    refused: list[Problem] = []
    users: dict[str, list[str]] = defaultdict(list)
    for rel in present:
        kind, code = layout.split(rel)
        if kind is Kind.USER and code is not None:
            users[code].append(rel)
    for p in errors:
        rel = layout.registry_rel(p.file) or p.file
        kind, code = layout.split(rel)
        if kind is Kind.USER:
            files.add(rel)
        elif kind is Kind.OPERATOR and code is not None:
            files.add(rel)
            files.update(users[code])
        elif kind is not None:  # the catalog, the calendar, the maintainers
            refused.append(p)
            continue
        holding.append(p)
    return Hold(frozenset(files & set(present)), tuple(holding), tuple(refused))


@dataclass(frozen=True)
class Isolation:
    """One run's view of HEAD: what it holds back, and how downstream stands on those files."""

    registry: Registry  # HEAD, as validated
    hold: Hold
    pins: dict[str, bytes | None]  # every file held back or released → downstream's content
    revs: dict[str, str | None]  # the same files → the revision of that content
    released: frozenset[str]  # held back before, released now
    held: dict[str, HeldFile]  # what the state records once the run is applied


def isolate(
    repo: GitRepository,
    head: str,
    base: str | None,
    previous: Mapping[str, HeldFile],
    merged_on: date,
) -> Isolation:
    """Validate HEAD as of the day it was merged and decide what it holds back.

    HEAD is judged as the change since ``base`` plus the files still held back (a clash is
    blamed on those it involves, never on a holder downstream already has) with no time rule
    counting: what lapses with time never stops provisioning.
    """
    source = repo.snapshot(head, PREFIX)
    changed = set(repo.changed_blobs(base, head, PREFIX)) if base else set(source.paths())
    change = Change(frozenset(changed | set(previous)), counts_time=False)
    result = validate(source, merged_on, change=change)
    errors = [p for p in result.problems if p.level is Level.ERROR]
    found = hold(errors, result.registry.files if result.registry else source.paths())
    if found.refused or result.registry is None:
        refused = found.refused or tuple(errors)
        raise ProblemsFound(
            msg(
                "The registry at {rev} has errors in files every operator depends on; "
                "nothing was generated:\n{problems}",
                rev=head[:12],
                problems=Verbatim(reporters.text(refused).rstrip()),
            )
        )
    revs = {rel: held.rev for rel, held in previous.items()}
    revs.update({rel: base for rel in found.files if rel not in previous})
    pins = pinned_content(repo, revs)
    held = {
        rel: previous.get(rel)
        or HeldFile(rev=base, operator=layout.operator_of(rel) or "", since=merged_on)
        for rel in sorted(found.files)
    }
    released = frozenset(previous) - found.files
    return Isolation(result.registry, found, pins, revs, released, held)
