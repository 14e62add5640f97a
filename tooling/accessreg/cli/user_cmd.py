"""``accessreg user add|change|remove``: the permission applications of 000 §5-1 to §5-3."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from accessreg.cli.edit_options import (
    PermissionCommand,
    RemovablePermissionCommand,
    conclude,
    edit_options,
    open_draft,
    permissions,
)
from accessreg.cli.options import operator_option
from accessreg.cli.verdict import Verdict
from accessreg.edit import users
from accessreg.errors import UsageError
from accessreg.model.messages import msg


@click.group("user")
def command() -> None:
    """Add, change or remove a user (one file per person) and their permissions."""


def _who(f: Any) -> Any:
    f = click.option("--email", required=True, help="The e-mail address, which is the login ID.")(f)
    return operator_option(f)


def _details(f: Any) -> Any:
    f = click.option("--memo", help="Free note for the reviewers (申請メモ).")(f)
    f = click.option(
        "--affiliation",
        help="The operator code, or a declared subcontractor's code [default: --operator].",
    )(f)
    f = click.option("--name-kana", help="Name in full-width katakana (利用者名（カナ）).")(f)
    return click.option("--name", help="Name in kanji (利用者名（漢字）).")(f)


def _handover(f: Any) -> Any:
    f = click.option(
        "--former-admin-keeps",
        metavar="CODE",
        help="With --replaces-admin: the code the replaced admin keeps on that system, or "
        "none to remove only that system's permission [default: their ID is deleted].",
    )(f)
    return click.option(
        "--replaces-admin",
        metavar="EMAIL",
        help="The admin whose admin ID (issued once, 002 §3.2.1) this user takes over, "
        "in the same change: a change of admin (002 §3.2.2).",
    )(f)


def _former(replaces_admin: str | None, keeps: str | None) -> users.FormerAdmin | None:
    if replaces_admin is None:
        if keeps is not None:
            raise UsageError(msg("Give --former-admin-keeps with --replaces-admin"))
        return None
    return users.FormerAdmin(replaces_admin, keeps)


@command.command("add", cls=PermissionCommand)
@_who
@_details
@_handover
@edit_options
def add(
    operator: str,
    email: str,
    name: str | None,
    name_kana: str | None,
    affiliation: str | None,
    memo: str | None,
    replaces_admin: str | None,
    former_admin_keeps: str | None,
    registry: Path | None,
    today: date | None,
    dry_run: bool,
    **kwargs: Any,
) -> Verdict:
    """Register a new user with permissions (利用権限の設定申請, 000 §5-1).

    With --replaces-admin, the user takes over that admin's admin ID in the same change,
    which is then a permission change (利用権限の変更申請, 002 §3.2.2).

    \b
    Example:
      accessreg user add --operator AOBAGS01 \\
        --email hanako.kimura@aoba-gas.example.co.jp \\
        --name '木村 花子' --name-kana 'キムラ ハナコ' --taxis 1011 --johs
    """
    former = _former(replaces_admin, former_admin_keeps)
    draft = open_draft(registry, today)
    spec = users.UserSpec(operator, email, name, name_kana, affiliation, memo, permissions(kwargs))
    users.add(draft, spec, former)
    return conclude(draft, dry_run)


@command.command("change", cls=RemovablePermissionCommand)
@_who
@_details
@_handover
@edit_options
def change(
    operator: str,
    email: str,
    name: str | None,
    name_kana: str | None,
    affiliation: str | None,
    memo: str | None,
    replaces_admin: str | None,
    former_admin_keeps: str | None,
    registry: Path | None,
    today: date | None,
    dry_run: bool,
    **kwargs: Any,
) -> Verdict:
    """Change only what is named (利用権限の変更申請, 000 §5-2); `none` removes a permission.

    \b
    Example:
      accessreg user change --operator AOBAGS01 \\
        --email sayaka.endo@aoba-gas.example.co.jp --taxis 1011 --loacus none
    """
    former = _former(replaces_admin, former_admin_keeps)
    draft = open_draft(registry, today)
    spec = users.UserSpec(operator, email, name, name_kana, affiliation, memo, permissions(kwargs))
    users.change(draft, spec, former)
    return conclude(draft, dry_run)


@command.command("remove")
@_who
@edit_options
def remove(
    operator: str, email: str, registry: Path | None, today: date | None, dry_run: bool
) -> Verdict:
    """Delete the user's file (利用権限の抹消申請, 000 §5-3).

    \b
    Example:
      accessreg user remove --operator AOBAGS01 \\
        --email yui.kato@aoba-gas.example.co.jp
    """
    draft = open_draft(registry, today)
    users.remove(draft, operator, email)
    return conclude(draft, dry_run)
