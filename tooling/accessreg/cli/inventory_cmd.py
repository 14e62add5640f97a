"""``accessreg inventory``: the periodic review of every user and permission (棚卸)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from accessreg.cli.duty_options import duty_options, run_duties
from accessreg.cli.options import MONTHS, today_option
from accessreg.scheduled.inventory import DEFAULT_MONTHS


@click.command("inventory")
@click.option(
    "--operator",
    metavar="CODE",
    help="Ask this operator for a review now, due or not (its CSVs attached).",
)
@click.option(
    "--months",
    type=MONTHS,
    default=DEFAULT_MONTHS,
    show_default=True,
    help="A review is due this many months after the last one recorded.",
)
@today_option
@duty_options
def command(
    operator: str | None,
    months: int,
    today: date | None,
    out: Path | None,
    send: bool,
    head: str,
    state_remote: str | None,
) -> None:
    """Write inventory/<CODE>/<system>.csv for every operator; remind the window persons of
    operators whose review is due (000 §5-6) and list them for the reviewers.

    Exit 0 when done, 1 when the registry does not load, 2 on a usage, configuration or
    delivery error.
    """
    run_duties(
        ("inventory",), today, out, send, head, state_remote, operator=operator, months=months
    )
