"""``accessreg cert add``: register a client certificate from the file itself (000 §4-2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from accessreg.cli.edit_options import conclude, edit_options, open_draft
from accessreg.cli.options import operator_option
from accessreg.cli.verdict import Verdict
from accessreg.edit import certificates


@click.group("cert")
def command() -> None:
    """Register client certificates (クライアント証明書登録申請)."""


@command.command("add")
@operator_option
@click.option("--id", "cert_id", required=True, help="The issuer's certificate ID (証明書ID).")
@click.option("--location", required=True, help="Where it is installed (PC, server).")
@click.option("--holder", required=True, help="Who answers for it there.")
@click.option(
    "--purpose", type=click.Choice(["web", "api"]), default="web", show_default=True,
    help="web: one per client PC; api: one per operator for the wheeling API.",
)  # fmt: skip
@click.option(
    "--medium", type=click.Choice(["DL", "CD", "UM", "UT"]), default="DL", show_default=True,
    help="Download, CD-R, USB memory or USB token.",
)  # fmt: skip
@click.option("--system", "systems", multiple=True, help="Only for these systems; repeatable.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@edit_options
def add(
    operator: str,
    cert_id: str,
    location: str,
    holder: str,
    purpose: str,
    medium: str,
    systems: tuple[str, ...],
    file: Path,
    registry: Path | None,
    today: date | None,
    dry_run: bool,
) -> Verdict:
    """Register the certificate in FILE (PEM or DER): serial, CN and dates come from it.

    Refused: a file holding a private key, a CA certificate, an expired certificate, a serial
    already registered.

    \b
    Example:
      accessreg cert add --operator AOBAGS01 --id EP2026-000913 --medium DL \\
        --location '本社 需給管理部 端末 PC003' \\
        --holder '需給管理部 青山 太郎' PC003.cer
    """
    draft = open_draft(registry, today)
    spec = certificates.CertificateSpec(cert_id, location, holder, purpose, medium, systems)
    certificates.add(draft, operator, file.read_bytes(), spec)
    return conclude(draft, dry_run)
