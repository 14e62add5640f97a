"""``accessreg codeowners``: write or check .github/CODEOWNERS."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from accessreg.cli.options import registry_option
from accessreg.files import workspace
from accessreg.files.atomic import write_text
from accessreg.files.loading import load_maintainers
from accessreg.review import codeowners


@click.command("codeowners")
@registry_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the file is stale.")
def command(registry: Path | None, check: bool) -> None:
    """Generate .github/CODEOWNERS from registry/maintainers.yaml."""
    root = workspace.registry_dir(registry)
    text = codeowners.render(load_maintainers(root))
    path = root.resolve().parent / codeowners.PATH
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current == text:
        sys.exit(0)
    if check:
        click.echo(f"stale: {workspace.display(path)} (run `accessreg codeowners`)")
        sys.exit(1)
    write_text(path, text)
    click.echo(f"written: {workspace.display(path)}")
