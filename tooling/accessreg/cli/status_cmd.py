"""``accessreg status``: every accepted application and its progress per system."""

from __future__ import annotations

from datetime import date

import click

from accessreg.cli.options import state_remote_option, today_option
from accessreg.files import workspace
from accessreg.provision import confirm, status
from accessreg.timeline import clock


@click.command("status")
@click.option("--operator", metavar="CODE", help="Only this operator's applications.")
@state_remote_option
@today_option
def command(operator: str | None, state_remote: str | None, today: date | None) -> None:
    """Show each application with 済 / 未済 / （不要） per system and 処理中 / 処理完了
    (000 §5-1 ⑦), then what is suspended (001 p46) and the files held back for errors,
    tab-separated. A certificate or an address is done on the day it is registered, a
    certificate valid only later too."""
    day = today or clock.today_in_japan()
    found = confirm.status(workspace.repository_root(), operator, day, state_remote)
    click.echo(status.table(found.progress, found.registry.catalog), nl=False)
    click.echo(status.suspension_table(found.suspended), nl=False)
    click.echo(status.held_table(found.held), nl=False)
