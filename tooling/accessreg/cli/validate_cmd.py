"""``accessreg validate``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from accessreg import clock, reporters, workspace
from accessreg.cli.options import registry_option, today_option
from accessreg.problems import has_errors
from accessreg.sources import DirectorySource
from accessreg.validate import validate


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
def command(registry: Path | None, fmt: str, strict: bool, today: date | None) -> None:
    """Check every file of the registry: schemas and the rules of the seeds.

    Exit 0 when clean, 1 when there are problems (errors, or warnings with --strict),
    2 on a usage or configuration error.
    """
    root = workspace.registry_dir(registry)
    schemas = workspace.schemas_dir(root)
    result = validate(
        DirectorySource(root, workspace.display(root)),
        today or clock.today_in_japan(),
        schemas,
        workspace.display(schemas) if schemas else "schemas",
    )
    sys.stdout.write(reporters.REPORTERS[fmt](result.problems))
    if fmt == "text":
        click.echo(reporters.summary(result.problems, result.files), err=True)
    sys.exit(1 if has_errors(result.problems, strict) else 0)
