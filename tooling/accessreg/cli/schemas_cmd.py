"""``accessreg schemas``: write or check the generated JSON Schemas."""

from __future__ import annotations

from pathlib import Path

import click

from accessreg.cli import generated_files
from accessreg.cli.options import registry_option
from accessreg.cli.verdict import Verdict
from accessreg.files import schemagen, workspace
from accessreg.files.loading import require_catalog
from accessreg.files.sources import DirectorySource
from accessreg.model.layout import SCHEMAS_DIR


@click.command("schemas")
@registry_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a schema is stale.")
def command(registry: Path | None, check: bool) -> Verdict:
    """Generate schemas/*.schema.json from the models and the catalog."""
    root = workspace.registry_dir(registry)
    catalog = require_catalog(DirectorySource(root, workspace.display(root)))
    wanted = schemagen.wanted(catalog, root.resolve().parent / SCHEMAS_DIR)
    return generated_files.sync(wanted, check, "accessreg schemas")
