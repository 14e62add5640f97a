"""``accessreg schemas``: write or check the generated JSON Schemas."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from accessreg.cli.options import registry_option
from accessreg.files import schemagen, workspace
from accessreg.files.atomic import write_text
from accessreg.files.loading import require_catalog
from accessreg.files.sources import DirectorySource
from accessreg.model.layout import SCHEMAS_DIR


@click.command("schemas")
@registry_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a schema is stale.")
def command(registry: Path | None, check: bool) -> None:
    """Generate schemas/*.schema.json from the models and the catalog."""
    root = workspace.registry_dir(registry)
    catalog = require_catalog(DirectorySource(root, workspace.display(root)))
    out = root.resolve().parent / SCHEMAS_DIR
    stale = schemagen.stale(catalog, out)
    for name, text in stale.items():
        if not check:
            write_text(out / name, text)
        click.echo(f"{'stale' if check else 'written'}: {workspace.display(out / name)}")
    sys.exit(1 if check and stale else 0)
