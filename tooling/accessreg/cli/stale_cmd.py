"""``accessreg stale``: long-unused IDs from the authentication system's last-login export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from accessreg.cli.duty_options import duty_options, run_duties
from accessreg.cli.options import today_option
from accessreg.scheduled.stale import DEFAULT_PROVIDER


@click.command("stale")
@click.option(
    "--last-logins",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The export of last-login dates (CSV; see the README for the format).",
)
@click.option(
    "--provider",
    default=DEFAULT_PROVIDER,
    show_default=True,
    help="The catalog provider whose authentication system wrote the export.",
)
@click.option("--strict", is_flag=True, help="Refuse an export with rows that cannot be read.")
@today_option
@duty_options
def command(
    last_logins: Path,
    provider: str,
    strict: bool,
    today: date | None,
    out: Path | None,
    send: bool,
    head: str,
    state_remote: str | None,
) -> None:
    """Stage every user by days since the last login (120 warning 1, 150 warning 2, 180
    locked, 210 deleted; 000 §5-7): one digest per operator per stage, the deletion
    application on a branch per operator, unknown IDs reported as drift.

    Exit 0 when done (unreadable rows are reported on stderr), 1 when refused (--strict, a
    registry that does not load), 2 on a usage, configuration or delivery error.
    """
    run_duties(
        ("stale",),
        today,
        out,
        send,
        head,
        state_remote,
        last_logins=last_logins,
        provider=provider,
        strict=strict,
    )
