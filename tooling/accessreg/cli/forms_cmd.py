"""``accessreg forms``: write or check the GitHub issue forms generated from the catalog."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from accessreg.cli.options import registry_option
from accessreg.files import workspace
from accessreg.files.atomic import write_text
from accessreg.files.loading import require_catalog
from accessreg.files.sources import DirectorySource
from accessreg.forms.definitions import forms
from accessreg.forms.issueform import file_name, render


@click.command("forms")
@registry_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a form is stale.")
def command(registry: Path | None, check: bool) -> None:
    """Generate .github/ISSUE_TEMPLATE/*.yml, one issue form per application type."""
    root = workspace.registry_dir(registry)
    catalog = require_catalog(DirectorySource(root, workspace.display(root)))
    stale = []
    for form in forms(catalog):
        path = root.resolve().parent / file_name(form)
        text = render(form)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(workspace.display(path))
        if not check:
            write_text(path, text)
    for name in stale:
        click.echo(f"{'stale' if check else 'written'}: {name}")
    sys.exit(1 if check and stale else 0)
