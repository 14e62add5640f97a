"""How ``schemas``, ``forms`` and ``codeowners`` report their generated files, and how
``validate`` reports those committed stale (``schema-stale``, ``generated-stale``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import click

from accessreg import i18n
from accessreg.cli.verdict import Verdict
from accessreg.errors import AccessregError
from accessreg.files import generated, schemagen, workspace
from accessreg.files.loading import load_maintainers
from accessreg.model import MaintainersFile, layout
from accessreg.model.messages import Message, msg
from accessreg.model.problems import Problem, problem
from accessreg.model.registry import Registry
from accessreg.review import codeowners
from accessreg.validation.validate import ValidationResult


def sync(wanted: Mapping[Path, str], check: bool, command: str) -> Verdict:
    """Write the stale files (or, with ``check``, only name them); a check fails when any is
    stale."""
    result = generated.sync(wanted, check)
    for path in result.stale:
        shown = workspace.display(path)
        message = (
            msg("written: {file}", file=shown)
            if result.written
            else msg("stale: {file} (run `{command}`)", file=shown, command=command)
        )
        click.echo(i18n.text(message))
    return Verdict.of(result.fresh or result.written)


def _maintainers(root: Path, registry: Registry | None) -> MaintainersFile | None:
    """The maintainers' list validate loaded, or (an incremental run loads no registry) read
    as ``codeowners`` reads it; None when it does not load (validate reports why)."""
    if registry is not None:
        return registry.maintainers
    try:
        return load_maintainers(root)
    except AccessregError:
        return None


def _stale(path: Path, rule: str, message: Message) -> Problem:
    return problem(workspace.display(path), rule, message).located(1, 1)


def made_from(root: Path) -> dict[str, list[Path]]:
    """For each stale rule, the files it compares beside the registry ``root`` and the
    registry files they are made from (the catalog; for CODEOWNERS, the maintainers' list):
    what a change must touch to be answerable for one (``validation.judge.stale_touched``)."""
    registry, beside = root.resolve(), root.resolve().parent
    catalog = registry / layout.CATALOG_FILE
    return {
        "schema-stale": [catalog, beside / layout.SCHEMAS_DIR],
        "generated-stale": [
            catalog,
            registry / layout.MAINTAINERS_FILE,
            beside / layout.ISSUE_FORMS_DIR,
            beside / layout.CODEOWNERS_FILE,
        ],
    }


def stale_problems(root: Path, result: ValidationResult) -> list[Problem]:
    """The generated files committed beside the registry ``root`` that differ from what the
    catalog and the maintainers' list ``result`` checked generate: the schemas
    (``schema-stale``, where ``schemas/`` is kept), the issue forms and CODEOWNERS
    (``generated-stale``, where ``.github/`` is). A stale CODEOWNERS keeps a removed
    maintainer an owner whose approval still counts; a stale form offers what the catalog no
    longer says. Judged as a change's by ``validation.judge.judge_stale``."""
    catalog, top = result.catalog, root.resolve().parent
    found: list[Problem] = []
    schemas = workspace.schemas_dir(root)
    if catalog is not None and schemas is not None:
        said = msg(
            "This schema is not what the models and the catalog generate: run "
            "`accessreg schemas` and commit the result"
        )
        found += [
            _stale(path, "schema-stale", said)
            for path in generated.stale(schemagen.wanted(catalog, schemas))
        ]
    if not (top / ".github").is_dir():
        return found
    wanted: list[tuple[str, Mapping[Path, str]]] = []
    if catalog is not None and (top / layout.ISSUE_FORMS_DIR).is_dir():
        # Loaded here only: `validate` loads no forms code for a repository without forms
        # (nor for its --help; tests/e2e/test_process.py).
        from accessreg.forms import issueform

        wanted.append(("accessreg forms", issueform.wanted(catalog, top)))
    if (maintainers := _maintainers(root, result.registry)) is not None:
        wanted.append(("accessreg codeowners", codeowners.wanted(maintainers, top)))
    for command, files in wanted:
        said = msg(
            "This file is not what `{command}` generates from the registry: run it and commit "
            "the result",
            command=command,
        )
        found += [_stale(path, "generated-stale", said) for path in generated.stale(files)]
    return found
