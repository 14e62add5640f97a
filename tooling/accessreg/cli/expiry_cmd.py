"""``accessreg expiry``: certificates and allowlisted IPs near or past their end."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from accessreg.cli.duty_options import duty_options, run_duties
from accessreg.cli.options import today_option


@click.command("expiry")
@today_option
@duty_options
def command(
    today: date | None, out: Path | None, send: bool, head: str, state_remote: str | None
) -> None:
    """Notify window persons of certificates and allowlisted IPs ending within 60 days (a
    reminder at 14, a notice once expired); write expiry.csv.

    Exit 0 when done, 1 when the registry does not load, 2 on a usage, configuration or
    delivery error.
    """
    run_duties(("expiry",), today, out, send, head, state_remote)
