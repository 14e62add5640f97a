"""``accessreg membership``: provisional OCCTO members nearing their one-year deadline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from accessreg.cli.duty_options import duty_options, run_duties
from accessreg.cli.options import today_option


@click.command("membership")
@today_option
@duty_options
def command(
    today: date | None, out: Path | None, send: bool, head: str, state_remote: str | None
) -> None:
    """Remind provisional members past 11 months; list those past 12 months for the
    reviewers (003 §2.7.2 ④); write membership.csv.

    Exit 0 when done, 1 when the registry does not load, 2 on a usage, configuration or
    delivery error.
    """
    run_duties(("membership",), today, out, send, head, state_remote)
