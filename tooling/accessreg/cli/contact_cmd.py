"""``accessreg contact add|remove``: window-responsible persons (000 §2-4, §3-2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from accessreg.cli.edit_options import conclude, edit_options, open_draft
from accessreg.cli.operator_cmd import contact_options, contact_spec
from accessreg.cli.options import operator_option
from accessreg.cli.verdict import Verdict
from accessreg.edit import contacts


@click.group("contact")
def command() -> None:
    """Add, promote or remove a window-responsible person (システム窓口責任者)."""


@command.command("add")
@operator_option
@click.option(
    "--role", type=click.Choice(["primary", "deputy"]), default="deputy", show_default=True,
    help="正担当 (exactly one per operator) or 副担当.",
)  # fmt: skip
@click.option("--replaces", metavar="EMAIL", help="Remove this window person in the same change.")
@contact_options
@edit_options
def add(
    operator: str,
    role: str,
    replaces: str | None,
    registry: Path | None,
    today: date | None,
    dry_run: bool,
    **contact: Any,
) -> Verdict:
    """Add a window person; with --replaces, one takes another's place (e.g. a new primary).

    A new primary may be one of the deputies: they become the primary as recorded (the
    details given must be theirs; a change of them is its own application), and the window
    person --replaces names leaves.

    \b
    Example:
      accessreg contact add --operator AOBAGS01 --role deputy \\
        --contact-name '西村 葵' --contact-name-kana 'ニシムラ アオイ' \\
        --contact-email aoi.nishimura@aoba-gas.example.co.jp \\
        --contact-phone 03-0000-0103 --contact-github nishimura-aoi
    """
    draft = open_draft(registry, today)
    contacts.add(draft, operator, contact_spec(role, contact), replaces)
    return conclude(draft, dry_run)


@command.command("promote")
@operator_option
@click.option("--email", required=True, help="The deputy (副担当) who becomes the primary.")
@click.option(
    "--former-primary", "former",
    type=click.Choice([contacts.FORMER_LEAVES, contacts.FORMER_DEPUTY]), required=True,
    help="What becomes of the current primary: leaves (removed) or deputy (stays as 副担当).",
)  # fmt: skip
@edit_options
def promote(
    operator: str,
    email: str,
    former: str,
    registry: Path | None,
    today: date | None,
    dry_run: bool,
) -> Verdict:
    """Make a deputy the primary window person (正担当) in one usage change.

    \b
    Example:
      accessreg contact promote --operator SAKURAGM \\
        --email daisuke.hayashi@sakura-gm.example.co.jp \\
        --former-primary leaves
    """
    draft = open_draft(registry, today)
    contacts.promote(draft, operator, email, former)
    return conclude(draft, dry_run)


@command.command("remove")
@operator_option
@click.option("--email", required=True, help="The window person's e-mail.")
@edit_options
def remove(
    operator: str, email: str, registry: Path | None, today: date | None, dry_run: bool
) -> Verdict:
    """Remove a window person (they lose the permission-management system).

    \b
    Example:
      accessreg contact remove --operator AOBAGS01 \\
        --email misaki.ishida@aoba-gas.example.co.jp
    """
    draft = open_draft(registry, today)
    contacts.remove(draft, operator, email)
    return conclude(draft, dry_run)
