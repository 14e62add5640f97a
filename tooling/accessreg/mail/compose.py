"""Notices rendered into RFC 5322 messages (Python's ``email``, policy SMTP, UTF-8).

The Message-ID is a hash of (application, recipient, kind): the same notice is always the
same message, which is what lets the outbox send it once. Header values are stripped of
control characters before they reach a header, so a name holding a line break cannot add a
header; the body is text and may hold anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

import jinja2

from accessreg.errors import ConfigError
from accessreg.model.mail import Notice
from accessreg.timeline.clock import JST

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("accessreg", "templates"),
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # plain-text mail, never HTML
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Composed:
    notice: Notice
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


def header_text(value: str) -> str:
    """A value safe for a header: control characters (line breaks above all) become spaces."""
    return _CONTROL.sub(" ", value).strip()


def render(notice: Notice) -> tuple[str, str]:
    """The subject and body the notice's template gives."""
    template = _ENV.get_template(notice.template)
    module = template.make_module({**notice.context, "recipient": notice.recipient})
    subject = str(getattr(module, "subject", "")).strip()
    if not subject:
        raise ConfigError(f"template {notice.template} sets no subject")
    return subject, str(module)


def _address(email: str, name: str = "") -> Address:
    local, _, domain = email.rpartition("@")
    if not local or not domain or _CONTROL.search(email):
        raise ConfigError(f"{email!r} is not a mail address")
    try:
        return Address(display_name=header_text(name), username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"{email!r} is not a mail address: {exc}") from None


def compose(notice: Notice, sender: str) -> Composed:
    """The message for ``notice`` from ``sender`` (``addr`` or ``Name <addr>``)."""
    subject, body = render(notice)
    sender_name, sender_addr = parseaddr(sender)
    domain = sender_addr.rpartition("@")[2] or "localhost"
    msg = EmailMessage(policy=SMTP)
    msg["From"] = _address(sender_addr, sender_name)
    msg["To"] = _address(notice.recipient.email, notice.recipient.name)
    msg["Subject"] = header_text(subject)
    msg["Date"] = format_datetime(datetime.combine(notice.day, time(9, 0), JST))
    msg["Message-ID"] = f"<{notice.key}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
    msg.set_content(body, charset="utf-8", cte="base64")
    return Composed(notice, msg)


def eml_name(composed: Composed) -> str:
    return f"{composed.notice.day:%Y%m%d}-{composed.notice.kind}-{composed.notice.key[:12]}.eml"
