"""What a server's no at RCPT makes of a mail, against a real SMTP server: for now (a 4xx)
the next run sends it; for good (a 5xx), or after the server took it for another recipient,
it is held for a person."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from accessreg.mail.smtp import (
    MailRefused,
    RecipientRefused,
    SmtpSettings,
    SmtpTransport,
    Undeliverable,
)
from tests.helpers.smtpserver import Mailbox, smtp_env, smtp_server

TAKEN = "window1@test-gas.example.co.jp"
LATER = "window2@test-gas.example.co.jp"
SENDER = "uketsuke@reception.example.jp"


def _message(to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = to
    message["Subject"] = "test"
    message["Message-ID"] = "<answers@reception.example.jp>"
    message.set_content("本文\n")
    return message


def _send(mailbox: Mailbox, to: str, recipients: tuple[str, ...]) -> None:
    with (
        smtp_server(mailbox) as port,
        SmtpTransport(SmtpSettings.from_env(smtp_env(port))) as smtp,
    ):
        smtp.send(_message(to), (SENDER, recipients))


def test_a_recipient_refused_for_now_is_no_refusal_for_good() -> None:
    with pytest.raises(MailRefused) as refused:
        _send(Mailbox(greylisted=frozenset({LATER})), LATER, (LATER,))
    assert not isinstance(refused.value, Undeliverable)
    assert LATER not in str(refused.value)  # the code only: the job log names no address


def test_a_recipient_refused_for_good_is_held_with_the_answer() -> None:
    with pytest.raises(RecipientRefused) as refused:
        _send(Mailbox(unknown=frozenset({LATER})), LATER, (LATER,))
    assert refused.value.answer.startswith("550 ")


def test_a_mail_taken_for_one_recipient_is_never_sent_again_by_itself() -> None:
    """The server takes it for one recipient and says 450 for the other: sent again, it
    would reach the first twice, so it is held, with the answer, not owed."""
    mailbox = Mailbox(greylisted=frozenset({LATER}))
    with pytest.raises(Undeliverable) as held:
        _send(mailbox, TAKEN, (TAKEN, LATER))
    assert mailbox.recipients() == [TAKEN]
    assert held.value.answer.startswith("450 ")
