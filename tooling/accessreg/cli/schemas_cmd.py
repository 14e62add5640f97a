"""``accessreg schemas``: write or check the generated JSON Schemas."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from accessreg import schemagen, workspace
from accessreg.atomic import write_text
from accessreg.cli.options import registry_option
from accessreg.errors import ConfigError
from accessreg.layout import SCHEMAS_DIR, schema_file
from accessreg.loading import load_catalog
from accessreg.sources import DirectorySource


@click.command("schemas")
@registry_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a schema is stale.")
def command(registry: Path | None, check: bool) -> None:
    """Generate schemas/*.schema.json from the models and the catalog."""
    root = workspace.registry_dir(registry)
    source = DirectorySource(root)
    catalog, _ = load_catalog(source, source.paths())
    if catalog is None:
        raise ConfigError("the catalog does not load; run `accessreg validate` to see why")
    out = root.resolve().parent / SCHEMAS_DIR
    stale = []
    for kind, schema in schemagen.generate_all(catalog).items():
        path = out / schema_file(kind)
        text = schemagen.dumps(schema)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(workspace.display(path))
        if not check:
            write_text(path, text)
    verb = "stale" if check else "written"
    for name in stale:
        click.echo(f"{verb}: {name}")
    sys.exit(1 if check and stale else 0)
