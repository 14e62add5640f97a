"""Delivery over SMTP, configured by the environment (never by files in the repository).

ACCESSREG_SMTP_HOST, ACCESSREG_SMTP_PORT (default 587 with STARTTLS, else 25),
ACCESSREG_SMTP_STARTTLS (0/1), ACCESSREG_SMTP_USER, ACCESSREG_SMTP_PASSWORD (login only when
both are set) and ACCESSREG_MAIL_FROM (the sender, ``addr`` or ``Name <addr>``).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.headerregistry import Address, AddressHeader
from email.message import EmailMessage
from email.utils import format_datetime
from types import TracebackType
from typing import Protocol

from accessreg.errors import AccessregError, Worded
from accessreg.model import messages
from accessreg.model.messages import msg

DEFAULT_FROM = "accessreg <noreply@accessreg.invalid>"  # dry runs only: sending needs a real one


Message = EmailMessage  # what a transport sends, for code that must not import ``email``


class DeliveryError(AccessregError):
    """The SMTP server did not take a message; what was sent before it stays recorded."""


class MailRefused(DeliveryError):  # noqa: N818 - an answer, not a crash
    """The server answered no: the message was certainly not taken."""


class Undeliverable(MailRefused):
    """The server refused this mail for good (a 5xx): its recipient at RCPT, or the message
    itself at DATA (a 552, a 554 of a content filter). It says nothing of the next mail's:
    tried again by every run, it would only be refused again. ``answer``: the server's, as
    it gave it."""

    def __init__(self, message: Worded, answer: str) -> None:
        super().__init__(message)
        self.answer = answer


class RecipientDeferred(MailRefused):
    """The server refused this mail's recipient for now (a 4xx at RCPT: greylisting, a full
    mailbox), and takes mail: this one is owed to the next run, the others go on."""


class RecipientRefused(Undeliverable):
    """The server refused the message's recipient (at RCPT): this mail's own address."""


class SettingsUnusable(DeliveryError):  # noqa: N818 - see MailRefused
    """An SMTP setting is missing or malformed: no session can be opened, and nothing was
    handed over. As a server that cannot be reached, it stops the sending, not the run
    (``effects.session``); ``problem``: which setting, and what is wrong with it."""

    def __init__(self, problem: messages.Message) -> None:
        super().__init__(
            msg(
                "{problem}: no mail was sent. Set it (in the workflows, the repository's "
                "secret of that name); the mails not sent go out with the next run once it is "
                "set",
                problem=problem,
            )
        )
        self.problem = problem


class DeliveryInterrupted(DeliveryError):  # noqa: N818 - see MailRefused
    """The session broke while a message was being handed over: taken or not, unknown."""


# The envelope: the sender's address and the recipients'.
Envelope = tuple[str, tuple[str, ...]]


class Transport(Protocol):
    def send(self, message: EmailMessage, envelope: Envelope | None = None) -> None: ...


def dated(message: EmailMessage, when: datetime) -> EmailMessage:
    """The message as sent: the Date of sending, everything else unchanged."""
    copy = deepcopy(message)
    del copy["Date"]
    copy["Date"] = format_datetime(when)
    return copy


def parsed(data: bytes) -> EmailMessage:
    """A message as it was handed to a server, read back."""
    message = message_from_bytes(data, policy=policy.SMTP)
    assert isinstance(message, EmailMessage)
    return message


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    user: str | None
    password: str | None = field(repr=False)
    sender: str
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings:
        """The settings of ``env``; SettingsUnusable names the first one missing or
        malformed."""
        host = env.get("ACCESSREG_SMTP_HOST", "")
        sender = env.get("ACCESSREG_MAIL_FROM", "")
        missing = [
            name
            for name, value in (("ACCESSREG_SMTP_HOST", host), ("ACCESSREG_MAIL_FROM", sender))
            if not value
        ]
        if missing:
            raise SettingsUnusable(
                msg("Sending mail needs {value} in the environment", value=tuple(missing))
            )
        flag = env.get("ACCESSREG_SMTP_STARTTLS") or "0"
        if flag not in ("0", "1"):
            raise SettingsUnusable(
                msg("ACCESSREG_SMTP_STARTTLS must be 0 or 1, not {flag}", flag=repr(flag))
            )
        starttls = flag == "1"
        port_text = env.get("ACCESSREG_SMTP_PORT") or ("587" if starttls else "25")
        if not port_text.isdigit():
            raise SettingsUnusable(
                msg(
                    "ACCESSREG_SMTP_PORT must be a number, not {port_text}",
                    port_text=repr(port_text),
                )
            )
        return cls(
            host=host,
            port=int(port_text),
            starttls=starttls,
            user=env.get("ACCESSREG_SMTP_USER") or None,
            password=env.get("ACCESSREG_SMTP_PASSWORD") or None,
            sender=sender,
        )


def sender_from_env(env: Mapping[str, str]) -> str:
    return env.get("ACCESSREG_MAIL_FROM") or DEFAULT_FROM


def _addresses(message: EmailMessage, name: str) -> list[Address]:
    header = message[name]
    return list(header.addresses) if isinstance(header, AddressHeader) else []


def _answer(code: int, text: bytes | str) -> str:
    """A server's answer as it gave it: its code and its text."""
    return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"


class SmtpTransport:
    """One SMTP session for a run; ``send`` raises DeliveryError unless every recipient
    was accepted."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        s = self.settings
        try:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.user and s.password:
                smtp.login(s.user, s.password)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(
                msg(
                    "Cannot open SMTP to {host}:{port}: {exc}",
                    host=s.host,
                    port=s.port,
                    exc=str(exc),
                )
            ) from None
        self._smtp = smtp
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def send(self, message: EmailMessage, envelope: Envelope | None = None) -> None:
        """Raises MailRefused when the server said no, DeliveryInterrupted when the session
        broke before its answer (the message may have been taken). The ``envelope`` is that
        of the addresses the message was composed with, not of its headers re-read as text:
        a display name can never turn into another recipient. Without it (a mail in doubt
        sent again, as it was recorded), the headers' addresses."""
        assert self._smtp is not None, "use the transport as a context manager"
        mid = message["Message-ID"]
        if envelope is not None:
            sender, recipients = [envelope[0]], list(envelope[1])
        else:
            sender = [a.addr_spec for a in _addresses(message, "From")]
            recipients = [a.addr_spec for n in ("To", "Cc") for a in _addresses(message, n)]
        if len(sender) != 1 or not recipients:
            raise MailRefused(msg("{mid} names no single sender or no recipient", mid=mid))
        try:
            refused = self._smtp.send_message(message, sender[0], recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            answers = exc.recipients.values()
            if all(400 <= code < 500 for code, _ in answers):
                # Greylisting (450), a full mailbox (452): no for now, as a 4xx at DATA, so
                # owed to the next run. Its code only: the server's text names the address,
                # and this one is told in the job log.
                codes = "; ".join(str(code) for code, _ in answers)
                refusal = msg("SMTP refused {mid}: {exc}", mid=mid, exc=codes)
                raise RecipientDeferred(refusal) from None
            answer = "; ".join(_answer(code, text) for code, text in answers)
            raise RecipientRefused(
                msg("SMTP refused {mid}: {exc}", mid=mid, exc=answer), answer
            ) from None
        except smtplib.SMTPDataError as exc:
            # A 4xx: the server may take it later (owed to the next run); a 5xx: never.
            refusal = msg("SMTP refused {mid}: {exc}", mid=mid, exc=str(exc))
            if exc.smtp_code >= 500:
                raise Undeliverable(refusal, _answer(exc.smtp_code, exc.smtp_error)) from None
            raise MailRefused(refusal) from None
        except smtplib.SMTPResponseException as exc:
            raise MailRefused(msg("SMTP refused {mid}: {exc}", mid=mid, exc=str(exc))) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryInterrupted(
                msg(
                    "The SMTP session broke while {mid} was handed over ({exc}); "
                    "whether the server took it is unknown: it is held as in "
                    "doubt (`accessreg outbox list`)",
                    mid=mid,
                    exc=str(exc),
                )
            ) from None
        if refused:
            # Taken for the other recipients: sent again by a run, it would reach them twice,
            # whatever the codes. Held for a person, as a refusal for good is. (Every mail
            # composed names one recipient, so only a message built otherwise gets here.)
            answer = "; ".join(_answer(code, text) for code, text in refused.values())
            raise Undeliverable(msg("SMTP refused {mid} for some recipients", mid=mid), answer)
