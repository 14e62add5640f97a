"""How ``schemas``, ``forms`` and ``codeowners`` report their generated files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import click

from accessreg.cli.verdict import Verdict
from accessreg.files import generated, workspace


def sync(wanted: Mapping[Path, str], check: bool, command: str) -> Verdict:
    """Write the stale files (or, with ``check``, only name them); a check fails when any is
    stale."""
    result = generated.sync(wanted, check)
    for path in result.stale:
        shown = workspace.display(path)
        click.echo(f"written: {shown}" if result.written else f"stale: {shown} (run `{command}`)")
    return Verdict.of(result.fresh or result.written)
