"""``accessreg forms``: write or check the GitHub issue forms generated from the catalog."""

from __future__ import annotations

from pathlib import Path

import click

from accessreg.cli import generated_files
from accessreg.cli.options import registry_option
from accessreg.cli.verdict import Verdict
from accessreg.files import workspace
from accessreg.files.loading import require_catalog
from accessreg.files.sources import DirectorySource
from accessreg.forms import issueform


@click.command("forms")
@registry_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a form is stale.")
def command(registry: Path | None, check: bool) -> Verdict:
    """Generate .github/ISSUE_TEMPLATE/*.yml, one issue form per application type."""
    root = workspace.registry_dir(registry)
    catalog = require_catalog(DirectorySource(root, workspace.display(root)))
    return generated_files.sync(
        issueform.wanted(catalog, root.resolve().parent), check, "accessreg forms"
    )
