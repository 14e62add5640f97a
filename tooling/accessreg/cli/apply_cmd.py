"""``accessreg apply``: provision what was merged since the last applied revision."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

from accessreg.cli.localized import WordedOption
from accessreg.cli.options import (
    BaseDnType,
    happened_by,
    merge_events_options,
    state_remote_option,
    today_option,
)
from accessreg.cli.verdict import say
from accessreg.files import workspace
from accessreg.model.messages import msg
from accessreg.model.removal import DEFAULT_MAX_REMOVAL_SHARE
from accessreg.outputs.csv_ import Encoding
from accessreg.outputs.ldif import DEFAULT_BASE
from accessreg.provision import apply, pullrequests, report
from accessreg.timeline import clock


@click.command("apply")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for every output (replaced as a whole; created if missing).",
)
@click.option(
    "--pull-requests",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="JSON: each merged pull request's merge commit, number, title and the times it "
    "was entered, approved and merged (see README); the dates of its items count from them.",
)
@merge_events_options
@today_option
@click.option("--send", is_flag=True, help="Deliver the notices over SMTP (with --confirm).")
@click.option(
    "--confirm",
    is_flag=True,
    help="Act: send (with --send) and record the applied revision. Without it, a dry run.",
)
@click.option(
    "--max-removal-share",
    type=float,
    default=DEFAULT_MAX_REMOVAL_SHARE,
    show_default=True,
    help="Refuse to remove more than this share of all login IDs, or of all whitelist entries.",
)
@click.option(
    "--allow-mass-removal",
    is_flag=True,
    help="Allow a removal beyond --max-removal-share, or of every login ID or whitelist entry.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Read and render the whole registry, without the cache: the same output as a run "
    "that reads only the operators changed since the last apply, more slowly.",
)
@click.option(
    "--head",
    default="HEAD",
    show_default=True,
    metavar="REV",
    help="Apply what is merged up to this revision.",
)
@click.option(
    "--base",
    metavar="REV",
    help="Start from this revision instead of the recorded applied revision.",
)
@click.option("--initial", is_flag=True, help="Nothing was applied before: every user is new.")
@click.option(
    "--encoding",
    type=click.Choice([e.value for e in Encoding]),
    help="CSV encoding: utf-8 (with a BOM) or cp932. Recorded: the runs that name none write "
    "in the one recorded (utf-8 before any).",
)
@click.option(
    "--ldap-base",
    cls=WordedOption,
    worded=(
        msg(
            "The base DN of the LDIF entries (uid=<login>,ou=people,<DN>). Recorded: the runs "
            "that name none write under the one recorded ({default} before any).",
            default=DEFAULT_BASE,
        ),
    ),
    type=BaseDnType(),
    metavar="DN",
)
@state_remote_option
def command(
    out: Path,
    pull_requests: Path | None,
    entered_on: date | None,
    accepted_on: date | None,
    merged_on: date | None,
    today: date | None,
    send: bool,
    confirm: bool,
    max_removal_share: float,
    allow_mass_removal: bool,
    full: bool,
    head: str,
    base: str | None,
    initial: bool,
    encoding: str | None,
    ldap_base: str | None,
    state_remote: str | None,
) -> None:
    """Render the import files, whitelists and notices for everything merged since the last
    applied revision; with --confirm, send them (--send) and record the new revision.

    An error at HEAD (with --encoding cp932, a changed value it cannot hold too) holds back
    the files it involves and the rest is applied; the report lists them. A merge refused
    as a mass removal holds back itself and the merges after it; those before it are
    applied. Exit 0 when done, 1 when refused (an error in the catalog, the calendar or the
    maintainers, a mass removal, a value downstream holds that the encoding cannot), 2 on a
    usage, configuration or delivery error.
    """
    day = today or clock.today_in_japan()
    happened_by(day, entered_on=entered_on, accepted_on=accepted_on, merged_on=merged_on)
    merged = {}
    if pull_requests is not None:
        merged = pullrequests.read(pull_requests, workspace.display(pull_requests))
    result = apply.run(
        apply.ApplyRequest(
            root=workspace.repository_root(),
            out=out,
            today=day,
            head=head,
            base=base,
            initial=initial,
            merged=merged,
            entered_on=entered_on,
            accepted_on=accepted_on,
            merged_on=merged_on,
            send=send,
            confirm=confirm,
            max_removal_share=max_removal_share,
            allow_mass_removal=allow_mass_removal,
            full=full,
            encoding=Encoding(encoding) if encoding is not None else None,
            ldap_base=ldap_base,
            state_remote=state_remote,
            env=dict(os.environ),
        )
    )
    click.echo(report.apply_text(result, workspace.display(out)), nl=False)
    if result.stopped is not None:  # recorded all the same: reported, then a red run
        if result.refused is not None:
            say(result.refused)  # a delivery error's code (2) wins
        raise result.stopped
    if result.refused is not None:  # the merges before it applied: a red run all the same
        raise result.refused
