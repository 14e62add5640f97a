"""``accessreg codeowners``: write or check .github/CODEOWNERS."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from accessreg.cli.options import registry_option
from accessreg.errors import ConfigError
from accessreg.files import schemagen, workspace
from accessreg.files.atomic import write_text
from accessreg.files.loading import DoesNotLoad, located, model_of, parse
from accessreg.files.schemacheck import checker
from accessreg.files.sources import DirectorySource
from accessreg.model import MaintainersFile
from accessreg.model.layout import Kind
from accessreg.model.problems import Level
from accessreg.review import codeowners


def _maintainers(registry: Path) -> MaintainersFile:
    """The maintainers' list, read as ``validate`` reads it (the same checks, located)."""
    source = DirectorySource(registry, workspace.display(registry))
    rel = "maintainers.yaml"
    try:
        raw = source.read(rel)
    except OSError as exc:
        raise ConfigError(f"cannot read {source.label}/{rel}: {exc.strerror}") from None
    schema = checker(schemagen.generate(Kind.MAINTAINERS, None))
    model, problems = model_of(parse(rel, Kind.MAINTAINERS, raw, schema))
    if not isinstance(model, MaintainersFile):
        errors = [p for p in problems if p.level is Level.ERROR]
        raise DoesNotLoad(f"{source.label}/{rel}", located(source, errors))
    return model


@click.command("codeowners")
@registry_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the file is stale.")
def command(registry: Path | None, check: bool) -> None:
    """Generate .github/CODEOWNERS from registry/maintainers.yaml."""
    root = workspace.registry_dir(registry)
    text = codeowners.render(_maintainers(root))
    path = root.resolve().parent / codeowners.PATH
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current == text:
        sys.exit(0)
    if check:
        click.echo(f"stale: {workspace.display(path)} (run `accessreg codeowners`)")
        sys.exit(1)
    write_text(path, text)
    click.echo(f"written: {workspace.display(path)}")
