"""``accessreg reviews``: open applications past the reviewers' deadlines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from accessreg.cli.duty_options import duty_options, run_duties
from accessreg.cli.options import today_option


@click.command("reviews")
@click.option(
    "--open-pulls",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The open pull requests as the GitHub REST API lists them (GET "
    "/repos/{owner}/{repo}/pulls?state=open), JSON.",
)
@click.option("--strict", is_flag=True, help="Refuse a list with entries that cannot be read.")
@today_option
@duty_options
def command(
    open_pulls: Path,
    strict: bool,
    today: date | None,
    out: Path | None,
    send: bool,
    head: str,
    state_remote: str | None,
) -> None:
    """Remind the reviewers of open applications past the second business day after they
    were filed (000 §3-1 ②), and again when still open the standard period of a usage
    application (about 15 business days, §3-1 to §3-3) after that deadline; write
    reviews.csv.

    Exit 0 when done, 1 when the registry does not load (or, with --strict, the list has
    entries that cannot be read), 2 on a usage, configuration or delivery error.
    """
    run_duties(
        ("reviews",), today, out, send, head, state_remote, open_pulls=open_pulls, strict=strict
    )
