"""``accessreg confirm``: a downstream system has imported a batch."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

from accessreg.cli.options import state_remote_option, today_option
from accessreg.files import workspace
from accessreg.provision import confirm, report
from accessreg.timeline import clock


@click.command("confirm")
@click.argument("batch")
@click.option(
    "--system",
    "systems",
    multiple=True,
    metavar="ID",
    help="The system that imported it (repeatable) [default: every system of the batch].",
)
@today_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the completion notices owed as .eml files into this directory.",
)
@click.option("--send", is_flag=True, help="Deliver the completion notices over SMTP.")
@state_remote_option
def command(
    batch: str,
    systems: tuple[str, ...],
    today: date | None,
    out: Path | None,
    send: bool,
    state_remote: str | None,
) -> None:
    """Record that BATCH's files were imported (000 §5-1 ④⑥), and owe the completion
    notices (利用開始周知 / 手続き完了通知) of the applications it holds."""
    result = confirm.run(
        confirm.ConfirmRequest(
            root=workspace.repository_root(),
            batch=batch,
            systems=list(systems),
            today=today or clock.today_in_japan(),
            out=out,
            send=send,
            state_remote=state_remote,
            env=dict(os.environ),
        )
    )
    click.echo(report.confirm_text(result), nl=False)
    if result.stopped is not None:  # the import recorded all the same: reported, then exit 2
        raise result.stopped
