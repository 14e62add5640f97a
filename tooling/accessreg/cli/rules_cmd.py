"""``accessreg rules``: the documentation of every rule id, from the rules' docstrings."""

from __future__ import annotations

import click

from accessreg.reporting.rules_doc import markdown


@click.command("rules")
def command() -> None:
    """Print the rules page in the language of the run: docs/rules.md is `accessreg rules`,
    docs/rules.en.md is `accessreg --lang en rules`."""
    click.echo(markdown(), nl=False)
