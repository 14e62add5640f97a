"""``accessreg rules``: the documentation of every rule id, from the rules' docstrings."""

from __future__ import annotations

import click

from accessreg.reporting.rules_doc import markdown


@click.command("rules")
def command() -> None:
    """Print the rules page (docs/rules.md is this output)."""
    click.echo(markdown(), nl=False)
