"""The core of ``accessreg validate``: load, run every rule, locate every problem."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from accessreg.files import gcpause
from accessreg.files.loading import LoadResult, load, locate_each
from accessreg.files.sources import Source
from accessreg.model.catalog import Catalog
from accessreg.model.problems import Problem
from accessreg.model.registry import Registry
from accessreg.rules import CHECKS, Context, run_rules
from accessreg.validation.judge import Change, judge


@dataclass(frozen=True)
class ValidationResult:
    problems: list[Problem]  # located, sorted by file and position
    files: int
    registry: Registry | None
    # Time findings on operators the change judged did not touch (not located).
    set_aside: tuple[Problem, ...] = ()
    # Every problem found, before judging and locating (a full run's, for the cache), and
    # of those, the problems of loading the files.
    found: tuple[Problem, ...] = ()
    load_problems: tuple[Problem, ...] = ()
    # Errors already in the files of operators the change only takes access away from, as
    # the warnings among ``problems`` they are made (``Judged.spared``; not located).
    spared: tuple[Problem, ...] = ()
    # The catalog the run checked against (an incremental run has it without a registry):
    # what the committed generated files are compared with.
    catalog: Catalog | None = None


def run_checks(registry: Registry, today: date) -> list[Problem]:
    with gcpause.paused():
        return run_rules(CHECKS, registry, Context(today))


def locate_all(
    problems: list[Problem], source: Source, files: Collection[str] | None = None
) -> list[Problem]:
    """Give every problem a line and column, reading only the files that have problems.

    ``files`` are the source's paths when the caller has them already (listing a large
    directory again takes a while).
    """
    return sorted(locate_each(problems, source, files))


def unshadowed(problems: list[Problem]) -> list[Problem]:
    """Without the rules' findings on a value its file's schema check already refused.

    A file with schema errors is still judged on what it holds (``files.salvage``), but a
    value kept as written despite its form (``testop01`` for an affiliation) would only
    earn a second message about the same fix.
    """
    refused = {(p.file, p.path) for p in problems if p.rule == "schema" and p.path}
    if not refused:
        return problems
    return [
        p
        for p in problems
        if p.rule == "schema"
        or not any((p.file, p.path[:n]) in refused for n in range(1, len(p.path) + 1))
    ]


def validate(source: Source, today: date, change: Change | None = None) -> ValidationResult:
    """Every problem of the registry in ``source``; with ``change``, judged as that change's
    (``validation.judge``: time findings of untouched operators set aside, clashes blamed on
    the changed files)."""
    with gcpause.paused():  # re-enabled in between, it would walk the whole registry once
        return _validate(source, today, change)


def checked(source: Source, today: date) -> tuple[LoadResult, list[Problem]]:
    """Every file of ``source`` loaded (as validation loads them: ``salvage``), and every
    problem found, the load's and the rules', neither judged nor located."""
    loaded = load(source, salvage=True)
    problems = list(loaded.problems)
    if loaded.registry is not None:
        problems.extend(run_checks(loaded.registry, today))
    return loaded, problems


def _validate(source: Source, today: date, change: Change | None) -> ValidationResult:
    loaded, problems = checked(source, today)
    files = loaded.registry.files if loaded.registry is not None else frozenset(source.paths())
    judged = judge(unshadowed(problems), change)
    located = locate_all(judged.problems, source, files)
    return ValidationResult(
        sorted(located),
        len(files),
        loaded.registry,
        tuple(judged.set_aside),
        tuple(problems),
        tuple(loaded.problems),
        tuple(judged.spared),
        loaded.registry.catalog if loaded.registry is not None else None,
    )
