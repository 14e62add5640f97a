"""How ``schemas``, ``forms`` and ``codeowners`` report their generated files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import click

from accessreg import i18n
from accessreg.cli.verdict import Verdict
from accessreg.files import generated, workspace
from accessreg.model.messages import msg


def sync(wanted: Mapping[Path, str], check: bool, command: str) -> Verdict:
    """Write the stale files (or, with ``check``, only name them); a check fails when any is
    stale."""
    result = generated.sync(wanted, check)
    for path in result.stale:
        shown = workspace.display(path)
        message = (
            msg("written: {file}", file=shown)
            if result.written
            else msg("stale: {file} (run `{command}`)", file=shown, command=command)
        )
        click.echo(i18n.text(message))
    return Verdict.of(result.fresh or result.written)
