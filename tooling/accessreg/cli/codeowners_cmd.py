"""``accessreg codeowners``: write or check .github/CODEOWNERS."""

from __future__ import annotations

from pathlib import Path

import click

from accessreg.cli import generated_files
from accessreg.cli.options import registry_option
from accessreg.cli.verdict import Verdict
from accessreg.files import workspace
from accessreg.files.loading import load_maintainers
from accessreg.review import codeowners


@click.command("codeowners")
@registry_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the file is stale.")
def command(registry: Path | None, check: bool) -> Verdict:
    """Generate .github/CODEOWNERS from registry/maintainers.yaml."""
    root = workspace.registry_dir(registry)
    wanted = codeowners.wanted(load_maintainers(root), root.resolve().parent)
    return generated_files.sync(wanted, check, "accessreg codeowners")
