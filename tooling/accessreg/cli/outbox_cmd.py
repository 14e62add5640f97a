"""``accessreg outbox``: mails in doubt, and settling each of them by hand."""

from __future__ import annotations

import click

from accessreg import i18n
from accessreg.cli.options import state_remote_option
from accessreg.effects.report import in_doubt_lines
from accessreg.effects.session import Session
from accessreg.files import workspace
from accessreg.model.mail import notice_name
from accessreg.model.messages import msg


def _message_id(text: str) -> str:
    """As the outbox keys it: ``<…@…>`` (the brackets may be left out on the command line)."""
    text = text.strip()
    return text if text.startswith("<") else f"<{text}>"


@click.group("outbox")
def command() -> None:
    """Mails in doubt: handed to SMTP by a run that stopped before the server's answer was
    recorded. They are never sent again by themselves: look each Message-ID up in the SMTP
    server's log, then record it as delivered or resend it."""


@command.command("list")
@state_remote_option
def list_in_doubt(state_remote: str | None) -> None:
    """List the mails in doubt (Message-ID, kind, application, when handed over)."""
    with Session.open(workspace.repository_root(), remote=state_remote) as session:
        lines = in_doubt_lines(session.in_doubt(), session.catalog_at("HEAD"))
    click.echo("\n".join(lines) if lines else i18n.text(msg("in doubt: none")))


@command.command("resend")
@click.argument("message_id")
@state_remote_option
def resend(message_id: str, state_remote: str | None) -> None:
    """Send MESSAGE_ID again, exactly as it was handed over, and record it as sent
    (SMTP settings as for --send: ACCESSREG_SMTP_*, ACCESSREG_MAIL_FROM)."""
    with Session.open(workspace.repository_root(), send=True, remote=state_remote) as session:
        mail = session.resend(_message_id(message_id))
        catalog = session.catalog_at("HEAD")
    click.echo(
        i18n.text(
            msg(
                "resent: {id} ({kind} for {application})",
                id=mail.message_id,
                kind=notice_name(mail.kind, catalog),
                application=mail.application,
            )
        )
    )


@command.command("delivered")
@click.argument("message_id")
@state_remote_option
def delivered(message_id: str, state_remote: str | None) -> None:
    """Record MESSAGE_ID as sent without sending it: the SMTP server's log shows it arrived."""
    with Session.open(workspace.repository_root(), remote=state_remote) as session:
        mail = session.delivered(_message_id(message_id))
        catalog = session.catalog_at("HEAD")
    click.echo(
        i18n.text(
            msg(
                "recorded as delivered: {id} ({kind} for {application})",
                id=mail.message_id,
                kind=notice_name(mail.kind, catalog),
                application=mail.application,
            )
        )
    )
