"""Options and the run shared by the scheduled-duty commands (expiry, stale, inventory, ...)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from accessreg.cli.options import state_remote_option
from accessreg.errors import UsageError
from accessreg.files import gcpause, workspace
from accessreg.model.messages import msg
from accessreg.reporting import reporters
from accessreg.scheduled import report
from accessreg.scheduled.run import RunRequest, run
from accessreg.timeline import clock

F = TypeVar("F", bound=Callable[..., Any])


def duty_options(f: F) -> F:
    for option in reversed(
        [
            click.option(
                "--out",
                type=click.Path(file_okay=False, path_type=Path),
                help="Write the mails (.eml), the CSVs and summary.json here (replaced as a "
                "whole; created if missing).",
            ),
            click.option(
                "--send",
                is_flag=True,
                help="Deliver the mails over SMTP (ACCESSREG_SMTP_*), through the outbox, and "
                "record them; move the deletion branches. Without it nothing is sent.",
            ),
            click.option(
                "--head",
                default="HEAD",
                show_default=True,
                metavar="REV",
                help="Read the registry as committed at this revision.",
            ),
            state_remote_option,
        ]
    ):
        f = option(f)
    return f


def run_duties(
    duties: tuple[str, ...],
    today: date | None,
    out: Path | None,
    send: bool,
    head: str,
    state_remote: str | None,
    **fields: Any,
) -> None:
    """Build the request, run it, print what happened; rows the export lacks go to stderr."""
    if out is None and not send:
        raise UsageError(msg("Give --out DIR (write the mails and CSVs), --send, or both"))
    result = run(
        RunRequest(
            root=workspace.repository_root(),
            today=today or clock.today_in_japan(),
            duties=duties,
            out=out,
            send=send,
            head=head,
            state_remote=state_remote,
            env=dict(os.environ),
            **fields,
        )
    )
    if result.problems:
        sys.stderr.write(reporters.text(list(result.problems)))
    click.echo(report.text(result, workspace.display(out) if out else None), nl=False)
    gcpause.hold(result)  # the registry and what was judged: not freed one by one
    if result.stopped is not None:  # the branches and the notice log stand: reported, exit 2
        raise result.stopped
