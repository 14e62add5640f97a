"""``accessreg codeowners``: write or check .github/CODEOWNERS."""

from __future__ import annotations

from pathlib import Path

import click
from pydantic import ValidationError

from accessreg.cli import generated_files
from accessreg.cli.options import registry_option
from accessreg.cli.verdict import Verdict
from accessreg.errors import ConfigError
from accessreg.files import workspace, yamlsafe
from accessreg.model import MaintainersFile
from accessreg.review import codeowners


def _maintainers(registry: Path) -> MaintainersFile:
    path = registry / "maintainers.yaml"
    try:
        return MaintainersFile.model_validate(yamlsafe.load(path.read_bytes()))
    except (OSError, yamlsafe.YamlProblem, ValidationError) as exc:
        raise ConfigError(
            f"{workspace.display(path)} does not load ({type(exc).__name__}); "
            "run `accessreg validate` to see why"
        ) from None


@click.command("codeowners")
@registry_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the file is stale.")
def command(registry: Path | None, check: bool) -> Verdict:
    """Generate .github/CODEOWNERS from registry/maintainers.yaml."""
    root = workspace.registry_dir(registry)
    wanted = {root.resolve().parent / codeowners.PATH: codeowners.render(_maintainers(root))}
    return generated_files.sync(wanted, check, "accessreg codeowners")
