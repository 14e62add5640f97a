"""How ``schemas``, ``forms`` and ``codeowners`` report their generated files, and how
``validate`` reports the latter two stale (``generated-stale``; schemas: ``schema-stale``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import click

from accessreg import i18n
from accessreg.cli.verdict import Verdict
from accessreg.errors import AccessregError
from accessreg.files import generated, workspace
from accessreg.files.loading import load_catalog, load_maintainers
from accessreg.files.sources import DirectorySource
from accessreg.model import Catalog, MaintainersFile
from accessreg.model.layout import CATALOG_FILE, ISSUE_FORMS_DIR
from accessreg.model.messages import msg
from accessreg.model.problems import Problem, problem
from accessreg.model.registry import Registry
from accessreg.review import codeowners


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


def _inputs(root: Path, registry: Registry | None) -> tuple[Catalog | None, MaintainersFile | None]:
    """The catalog and the maintainers' list, from the registry validate loaded, or read
    from the work tree as ``forms`` and ``codeowners`` read them; one that does not load is
    None (validate reports why)."""
    if registry is not None:
        return registry.catalog, registry.maintainers
    # The catalog alone: listing the registry's files would cost more than the check.
    present = [CATALOG_FILE] if (root / CATALOG_FILE).is_file() else []
    catalog, _ = load_catalog(DirectorySource(root, workspace.display(root)), present)
    try:
        maintainers: MaintainersFile | None = load_maintainers(root)
    except AccessregError:
        maintainers = None
    return catalog, maintainers


def stale_problems(root: Path, registry: Registry | None) -> list[Problem]:
    """The issue forms and CODEOWNERS of the repository holding the registry ``root`` that
    differ from what ``forms`` and ``codeowners`` write. A stale CODEOWNERS keeps a removed
    maintainer an owner whose approval still counts; a stale form offers what the catalog no
    longer says. Checked where the repository keeps them (``.github/``; the forms' folder)."""
    top = root.resolve().parent
    github = top / ".github"
    if not github.is_dir():
        return []
    catalog, maintainers = _inputs(root, registry)
    wanted: list[tuple[str, Mapping[Path, str]]] = []
    if catalog is not None and (top / ISSUE_FORMS_DIR).is_dir():
        # Loaded here only: `validate` loads no forms code for a repository without forms
        # (nor for its --help; tests/e2e/test_process.py).
        from accessreg.forms import issueform

        wanted.append(("accessreg forms", issueform.wanted(catalog, top)))
    if maintainers is not None:
        wanted.append(("accessreg codeowners", codeowners.wanted(maintainers, top)))
    return [
        problem(
            workspace.display(path),
            "generated-stale",
            msg(
                "This file is not what `{command}` generates from the registry: run it and "
                "commit the result",
                command=command,
            ),
        ).located(1, 1)
        for command, files in wanted
        for path in generated.stale(files)
    ]
