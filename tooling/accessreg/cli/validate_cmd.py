"""``accessreg validate``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from accessreg.cli.options import registry_option, today_option
from accessreg.cli.verdict import Verdict
from accessreg.errors import UsageError
from accessreg.files import workspace
from accessreg.files.sources import DirectorySource
from accessreg.gitio.repo import GitRepository
from accessreg.model.problems import has_errors
from accessreg.reporting import reporters
from accessreg.timeline import clock
from accessreg.validation import validate_incremental
from accessreg.validation.validate import validate


@click.command("validate")
@registry_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(reporters.REPORTERS)),
    default="text",
    show_default=True,
    help="text: file:line:col lines; json: a list; github: workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Warnings fail too.")
@today_option
@click.option(
    "--changed-since",
    metavar="REV",
    help="Re-read only files that differ from REV (git), taking the rest from the cache; "
    "every rule still runs and the problems are those of a full run.",
)
@click.option(
    "--head",
    metavar="REV",
    help="With --changed-since: check the registry as committed at REV, read from git, "
    "instead of the work tree (nothing on disk is stat'ed: for CI's fresh checkouts).",
)
def command(
    registry: Path | None,
    fmt: str,
    strict: bool,
    today: date | None,
    changed_since: str | None,
    head: str | None,
) -> Verdict:
    """Check every file of the registry: schemas and the rules of the seeds.

    Exit 0 when clean, 1 when there are problems (errors, or warnings with --strict),
    2 on a usage or configuration error.
    """
    root = workspace.registry_dir(registry)
    schemas = workspace.schemas_dir(root)
    day = today or clock.today_in_japan()
    schemas_label = workspace.display(schemas) if schemas else "schemas"
    notes: list[str] = []
    if head is not None and changed_since is None:
        raise UsageError("--head needs --changed-since")
    if changed_since is not None:
        with GitRepository(root) as repo:
            result, stats = validate_incremental(
                repo, changed_since, root, workspace.display(root), day, schemas, schemas_label,
                head,
            )  # fmt: skip
        notes = [
            f"{stats.changed} file(s) changed since {changed_since}; {stats.parsed} parsed, "
            f"{stats.groups_checked} of {stats.groups} operator(s) re-checked (cache "
            f"{workspace.display(Path(stats.cache)) if stats.cache else 'unused'})",
            *stats.notes,
        ]
    else:
        result = validate(DirectorySource(root, workspace.display(root)), day, schemas,
                          schemas_label)  # fmt: skip
    sys.stdout.write(reporters.REPORTERS[fmt](result.problems))
    if fmt == "text":
        for note in notes:
            click.echo(note, err=True)
        click.echo(reporters.summary(result.problems, result.files), err=True)
    return Verdict.of(not has_errors(result.problems, strict))
