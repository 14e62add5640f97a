"""``accessreg ip add|remove``: fixed overseas IPs allowed through the geo block (000 §2-8)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from accessreg.cli.edit_options import conclude, edit_options, open_draft
from accessreg.cli.options import date_option, operator_option
from accessreg.cli.verdict import Verdict
from accessreg.edit import ips
from accessreg.errors import UsageError
from accessreg.model.messages import msg


@click.group("ip")
def command() -> None:
    """Allow or stop allowing a fixed overseas global IP address."""


@command.command("add")
@operator_option
@click.option("--cidr", required=True, help="A fixed global address, e.g. 41.203.64.10/32.")
@click.option("--reason", required=True, help="Why access from abroad is needed.")
@date_option("--expires-on", "Until when it is allowed (required).")
@edit_options
def add(
    operator: str,
    cidr: str,
    reason: str,
    expires_on: date | None,
    registry: Path | None,
    today: date | None,
    dry_run: bool,
) -> Verdict:
    """Allow an address; an address already allowed is renewed.

    \b
    Example:
      accessreg ip add --operator AOBAGS01 --cidr 41.203.64.11/32 \\
        --reason 'シンガポール拠点の固定IP' --expires-on 2027-09-30
    """
    if expires_on is None:
        raise UsageError(msg("Give --expires-on YYYY-MM-DD"))
    draft = open_draft(registry, today)
    ips.add(draft, operator, cidr, reason, expires_on)
    return conclude(draft, dry_run)


@command.command("remove")
@operator_option
@click.option("--cidr", required=True, help="The allowed address to remove.")
@edit_options
def remove(
    operator: str, cidr: str, registry: Path | None, today: date | None, dry_run: bool
) -> Verdict:
    """Stop allowing an address.

    \b
    Example:
      accessreg ip remove --operator AOBAGS01 --cidr 41.203.64.10/32
    """
    draft = open_draft(registry, today)
    ips.remove(draft, operator, cidr)
    return conclude(draft, dry_run)
