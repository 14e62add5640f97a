"""``accessreg daily``: every scheduled duty and the day's whitelists, as the workflow runs it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from accessreg import i18n
from accessreg.cli.duty_options import duty_options, run_duties
from accessreg.cli.options import MONTHS, today_option
from accessreg.model.messages import msg
from accessreg.scheduled.duties import DUTIES
from accessreg.scheduled.inventory import DEFAULT_MONTHS
from accessreg.scheduled.stale import DEFAULT_PROVIDER


@click.command("daily")
@click.option(
    "--last-logins",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The export of last-login dates; without it the stale duty is skipped.",
)
@click.option(
    "--open-pulls",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The open pull requests (GitHub API JSON); without it the reviews duty is skipped.",
)
@click.option(
    "--provider",
    default=DEFAULT_PROVIDER,
    show_default=True,
    help="Judge stale IDs only for users of this provider's systems.",
)
@click.option(
    "--months",
    type=MONTHS,
    default=DEFAULT_MONTHS,
    show_default=True,
    help="An inventory is due this many months after the last one recorded.",
)
@today_option
@duty_options
def command(
    last_logins: Path | None,
    open_pulls: Path | None,
    provider: str,
    months: int,
    today: date | None,
    out: Path | None,
    send: bool,
    head: str,
    state_remote: str | None,
) -> None:
    """Every duty (expiry, stale with --last-logins, inventory, membership, reviews with
    --open-pulls, time-rules) in one run, and the whitelist outputs regenerated for the day
    (whitelist/<system>/ under --out).

    Exit 0 when done, 1 when the registry does not load, 2 on a usage, configuration or
    delivery error.
    """
    duties = tuple(DUTIES)
    if last_logins is None:
        duties = tuple(d for d in duties if d != "stale")
        title = DUTIES["stale"].TITLE
        click.echo(i18n.text(msg("{duty}: skipped (no --last-logins)", duty=title)), err=True)
    if open_pulls is None:
        duties = tuple(d for d in duties if d != "reviews")
        title = DUTIES["reviews"].TITLE
        click.echo(i18n.text(msg("{duty}: skipped (no --open-pulls)", duty=title)), err=True)
    run_duties(
        duties,
        today,
        out,
        send,
        head,
        state_remote,
        last_logins=last_logins,
        open_pulls=open_pulls,
        provider=provider,
        months=months,
        whitelists=True,
        all_csvs=False,  # the review CSVs travel with the reminders that are due
    )
