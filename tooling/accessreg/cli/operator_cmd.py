"""``accessreg operator new|change|terminate``: the usage applications of 000 §3-1 to §3-3;
``issue-code``: an OCCTO applicant continuing under the operator code issued to it (003 §2.2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, get_args

import click

from accessreg import i18n
from accessreg.cli.edit_options import (
    CatalogCommand,
    SystemsOption,
    conclude,
    edit_options,
    open_draft,
)
from accessreg.cli.localized import WordedOption
from accessreg.cli.options import date_option, operator_option
from accessreg.cli.verdict import Verdict
from accessreg.edit import certificates, operators
from accessreg.errors import UsageError
from accessreg.escape import quote
from accessreg.model import Role
from accessreg.model.messages import Message, msg
from accessreg.model.terms import role_names


class RoleChoice(click.Choice[str]):
    """The operator roles; a value that is none of them is told with each role's name on
    the forms (ガス小売事業者（gas_retailer））, not the keys alone."""

    def __init__(self) -> None:
        super().__init__(get_args(Role))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if value in self.choices:
            return str(value)
        self.fail(
            i18n.text(
                msg(
                    "{value} is not an operator role: choose from {roles}",
                    value=quote(str(value)),
                    roles=role_names([str(c) for c in self.choices]),
                )
            ),
            param,
            ctx,
        )


def _roles(said: Message) -> dict[str, Any]:
    """An option taking operator roles, its help listing them as the forms name them."""
    listed = msg("Roles: {roles}.", roles=role_names(list(get_args(Role))))
    return {"cls": WordedOption, "worded": (said, listed), "type": RoleChoice(),
            "metavar": "ROLE", "multiple": True}  # fmt: skip


def _systems(said: Message) -> dict[str, Any]:
    """An option taking systems, its help listing the catalog's (``SystemsOption``)."""
    return {"cls": SystemsOption, "worded": (said,), "metavar": "SYSTEM", "multiple": True}


@click.group("operator")
def command() -> None:
    """Register an operator, change its usage, move an applicant to its issued code, or
    terminate it."""


def contact_options(f: Any) -> Any:
    options = (
        click.option("--contact-name", required=True, help="Window person's name in kanji."),
        click.option(
            "--contact-name-kana",
            required=True,
            help="Window person's name in full-width katakana.",
        ),
        click.option(
            "--contact-email",
            required=True,
            help="Window person's e-mail: their ID for the permission system.",
        ),
        click.option(
            "--contact-phone",
            required=True,
            help="Window person's phone number, e.g. 03-0000-0101.",
        ),
        click.option(
            "--contact-github",
            required=True,
            help="Window person's GitHub login (who may file applications).",
        ),
    )
    for option in reversed(options):
        f = option(f)
    return f


def _membership(
    status: str | None, on: date | None, today: date
) -> operators.MembershipChange | None:
    """The membership option and its day (``--on``, today unless given)."""
    if status is None:
        if on is not None:
            raise UsageError(msg("Give --on with --membership: it dates the membership's status"))
        return None
    return operators.MembershipChange(status, on or today)


def contact_spec(role: str, kwargs: dict[str, Any]) -> operators.ContactSpec:
    return operators.ContactSpec(
        role=role,
        name=kwargs["contact_name"],
        name_kana=kwargs["contact_name_kana"],
        email=kwargs["contact_email"],
        phone=kwargs["contact_phone"],
        github=kwargs["contact_github"],
    )


@command.command("new", cls=CatalogCommand)
@click.option("--operator", required=True, help="The operator code (事業者コード, from OCCTO).")
@click.option("--name", required=True, help="Company name (事業者名).")
@click.option("--name-kana", required=True, help="Company name in full-width katakana.")
@click.option("--role", "roles", required=True, **_roles(msg("Repeatable.")))
@click.option("--system", "systems", required=True, **_systems(msg("A system to use; repeatable.")))
@click.option("--privacy-policy-url", required=True, help="Joint-use policy (000 §2-5), https.")
@click.option(
    "--occto-member",
    is_flag=True,
    help="The operator is an OCCTO member; --membership member records since when.",
)
@click.option(
    "--membership",
    type=click.Choice(["provisional", "member"]),
    help="OCCTO membership: provisional (加入仮申請, under a PROV-… key until OCCTO issues "
    "the operator code) or member (本申請); whether it is an OCCTO member follows it.",
)
@date_option("--on", "With --membership: since when [default: --today].")
@click.option(
    "--subcontractor", "subcontractors", nargs=2, multiple=True, metavar="CODE NAME",
    help="A subcontractor whose staff may be users (委託先); repeatable.",
)  # fmt: skip
@click.option(
    "--certificate", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A client certificate (PEM or DER) to register with the application: the switching "
    "support system and the wheeling API are applied for with one already obtained.",
)  # fmt: skip
@click.option("--cert-id", help="With --certificate: the issuer's certificate ID (証明書ID).")
@click.option("--cert-location", help="With --certificate: where it is installed.")
@click.option("--cert-holder", help="With --certificate: who answers for it there.")
@click.option(
    "--cert-purpose", type=click.Choice(["web", "api"]), default="web", show_default=True,
    help="With --certificate: web (one per client PC) or api (one per operator).",
)  # fmt: skip
@click.option(
    "--cert-medium", type=click.Choice(["DL", "CD", "UM", "UT"]), default="DL",
    show_default=True, help="With --certificate: download, CD-R, USB memory or USB token.",
)  # fmt: skip
@contact_options
@edit_options
def new(
    operator: str,
    name: str,
    name_kana: str,
    roles: tuple[str, ...],
    systems: tuple[str, ...],
    privacy_policy_url: str,
    occto_member: bool,
    membership: str | None,
    on: date | None,
    subcontractors: tuple[tuple[str, str], ...],
    certificate: Path | None,
    cert_id: str | None,
    cert_location: str | None,
    cert_holder: str | None,
    cert_purpose: str,
    cert_medium: str,
    registry: Path | None,
    today: date | None,
    dry_run: bool,
    **contact: Any,
) -> Verdict:
    """Register a new operator with its primary window person (利用申請・新規, 000 §3-1).

    A system that needs a client certificate (the switching support system, the wheeling
    API) is applied for with the first one (--certificate, 002 §3.1); further ones are
    registered afterwards with `accessreg cert add`.

    \b
    Example:
      accessreg operator new --operator NAGIGS01 --name 'なぎさガス株式会社' \\
        --name-kana 'ナギサガス カブシキガイシャ' \\
        --role gas_retailer --role wheeling_client \\
        --system taxis --system johs \\
        --privacy-policy-url https://nagisa-gas.example.co.jp/privacy \\
        --contact-name '渚 一郎' --contact-name-kana 'ナギサ イチロウ' \\
        --contact-email ichiro.nagisa@nagisa-gas.example.co.jp \\
        --contact-phone 03-0000-0901 --contact-github nagisa-ichiro
    """
    cert = None
    if certificate is not None:
        if not (cert_id and cert_location and cert_holder):
            raise UsageError(
                msg("Give --cert-id, --cert-location and --cert-holder with --certificate")
            )
        cert = certificates.CertificateSpec(
            cert_id, cert_location, cert_holder, cert_purpose, cert_medium
        )
    draft = open_draft(registry, today)
    spec = operators.NewOperator(
        code=operator,
        name=name,
        name_kana=name_kana,
        roles=roles,
        privacy_policy_url=privacy_policy_url,
        systems=systems,
        primary=contact_spec("primary", contact),
        subcontractors=subcontractors,
        occto_member=True if occto_member else None,
        membership=_membership(membership, on, draft.today),
    )
    operators.new(draft, spec)
    if certificate is not None and cert is not None:  # the first, given with it (002 §3.1)
        certificates.with_usage_application(draft, operator, certificate.read_bytes(), cert)
    return conclude(draft, dry_run)


@command.command("change", cls=CatalogCommand)
@operator_option
@click.option("--name", help="New company name.")
@click.option("--name-kana", help="New company name in katakana.")
@click.option("--privacy-policy-url", help="New joint-use policy URL.")
@click.option(
    "--occto-member/--no-occto-member",
    default=None,
    help="OCCTO membership, for an operator without a membership record; with one, use "
    "--membership.",
)
@click.option(
    "--membership",
    type=click.Choice(list(operators.MEMBERSHIP_DAYS)),
    help="OCCTO membership's new status: provisional (加入仮申請), member (本申請) or "
    "withdrawn (退会); whether it is an OCCTO member follows it. A withdrawal also removes "
    "the systems that end with the membership (the member system) and their users' "
    "permissions.",
)
@date_option("--on", "With --membership: the day of the new status [default: --today].")
@click.option("--add-role", **_roles(msg("A role to add; repeatable.")))
@click.option("--remove-role", **_roles(msg("A role to remove; repeatable.")))
@click.option("--add-system", **_systems(msg("A system to start using; repeatable.")))
@click.option("--remove-system", **_systems(msg("A system to stop using; repeatable.")))
@click.option(
    "--add-subcontractor",
    nargs=2,
    multiple=True,
    metavar="CODE NAME",
    help="Declare a subcontractor (委託先) whose staff may be users; repeatable.",
)
@click.option(
    "--remove-subcontractor",
    multiple=True,
    metavar="CODE",
    help="Withdraw a subcontractor's declaration; repeatable.",
)
@edit_options
def change(
    operator: str,
    name: str | None,
    name_kana: str | None,
    privacy_policy_url: str | None,
    occto_member: bool | None,
    membership: str | None,
    on: date | None,
    add_role: tuple[str, ...],
    remove_role: tuple[str, ...],
    add_system: tuple[str, ...],
    remove_system: tuple[str, ...],
    add_subcontractor: tuple[tuple[str, str], ...],
    remove_subcontractor: tuple[str, ...],
    registry: Path | None,
    today: date | None,
    dry_run: bool,
) -> Verdict:
    """Change the operator's data (利用申請・変更, 000 §3-2); users' permissions stay.

    Window persons are changed with `accessreg contact add|remove`.

    \b
    Example:
      accessreg operator change --operator AOBAGS01 \\
        --add-subcontractor AOBASV02 '青葉第二サービス株式会社'
    """
    draft = open_draft(registry, today)
    spec = operators.OperatorChange(
        code=operator,
        name=name,
        name_kana=name_kana,
        privacy_policy_url=privacy_policy_url,
        occto_member=occto_member,
        membership=_membership(membership, on, draft.today),
        add_roles=add_role,
        remove_roles=remove_role,
        add_systems=add_system,
        remove_systems=remove_system,
        add_subcontractors=add_subcontractor,
        remove_subcontractors=remove_subcontractor,
    )
    operators.change(draft, spec)
    return conclude(draft, dry_run)


@command.command("terminate")
@operator_option
@date_option("--on", "The termination date (利用終了日) [default: --today].")
@edit_options
def terminate(
    operator: str, on: date | None, registry: Path | None, today: date | None, dry_run: bool
) -> Verdict:
    """Terminate the operator's use (利用申請・終了, 000 §3-3).

    Every user of the operator and of its subcontractors loses every permission: their files
    are removed in the same change.

    \b
    Example:
      accessreg operator terminate --operator HIKARIEN --on 2026-12-31
    """
    draft = open_draft(registry, today)
    operators.terminate(draft, operator, on or draft.today)
    return conclude(draft, dry_run)


@command.command("issue-code")
@click.option("--operator", required=True, help="The provisional key (PROV-…) of the applicant.")
@click.option("--code", required=True, help="The operator code OCCTO issued (事業者コード).")
@date_option("--on", "The day the full membership (本申請) began [default: --today].")
@edit_options
def issue_code(
    operator: str,
    code: str,
    on: date | None,
    registry: Path | None,
    today: date | None,
    dry_run: bool,
) -> Verdict:
    """Move an OCCTO membership applicant to the operator code OCCTO issued (003 §2.2).

    The operator's file and its users' files move from the provisional key to the code,
    which they then name; the membership becomes the full one (本申請, member). Users keep
    their login IDs and permissions; certificates are kept as they are.

    \b
    Example:
      accessreg operator issue-code --operator PROV-HOSHIZORA \\
        --code HOSHIZR1 --on 2026-12-01
    """
    draft = open_draft(registry, today)
    operators.issue_code(draft, operator, code, on or draft.today)
    return conclude(draft, dry_run)
