"""The ``accessreg`` command line: thin commands over the core, exit codes decided here.

Exit codes: 0 clean, 1 problems found or a refusal, 2 usage or configuration error.
"""

from __future__ import annotations

from typing import Any

import click

from accessreg import __version__
from accessreg.cli import (
    apply_cmd,
    authorize_cmd,
    cert_cmd,
    codeowners_cmd,
    confirm_cmd,
    contact_cmd,
    daily_cmd,
    expiry_cmd,
    forms_cmd,
    from_issue_cmd,
    inventory_cmd,
    ip_cmd,
    membership_cmd,
    operator_cmd,
    plan_cmd,
    rules_cmd,
    schemas_cmd,
    stale_cmd,
    status_cmd,
    user_cmd,
    validate_cmd,
)
from accessreg.errors import AccessregError


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AccessregError as exc:
            click.echo(f"accessreg: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="accessreg")
def main() -> None:
    """Access governance as code: the registry of operators, window persons and users."""


COMMANDS = (
    validate_cmd.command,
    schemas_cmd.command,
    rules_cmd.command,
    plan_cmd.command,
    authorize_cmd.command,
    codeowners_cmd.command,
    user_cmd.command,
    operator_cmd.command,
    contact_cmd.command,
    ip_cmd.command,
    cert_cmd.command,
    forms_cmd.command,
    from_issue_cmd.command,
    apply_cmd.command,
    confirm_cmd.command,
    status_cmd.command,
    expiry_cmd.command,
    stale_cmd.command,
    inventory_cmd.command,
    membership_cmd.command,
    daily_cmd.command,
)
for _command in COMMANDS:
    main.add_command(_command)
