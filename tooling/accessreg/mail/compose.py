"""Notices rendered into RFC 5322 messages (Python's ``email``, policy SMTP, UTF-8).

The Message-ID is a hash of (application, recipient, kind): the same notice is always the
same message, which is what lets the outbox send it once. Addresses are built with
``email.headerregistry.Address``; header values go through ``escape.mail_header``, so a
value holding a line break cannot add a header (validation refuses such names anyway); the
body is text and may hold anything.

Address headers are folded here (:class:`MailPolicy`): the standard library's folder drops
the quotes of a long display name holding ``, < > "`` when it breaks the line, and the
header then reads as other recipients. A display name that is not plain words is written as
RFC 2047 encoded-words, which need no quotes and fold between words; so is a subject that is
not plain ASCII (the standard library leaves ``=?…?=`` in it for a reader to decode).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from email import message_from_bytes
from email.headerregistry import (
    Address,
    AddressHeader,
    BaseHeader,
    HeaderRegistry,
    UnstructuredHeader,
)
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy
from email.utils import format_datetime, parseaddr
from functools import partial
from typing import Any

import jinja2

from accessreg.errors import ConfigError
from accessreg.escape import mail_header, mail_text, quote, unsafe_characters
from accessreg.mail.attach import Attachment
from accessreg.model.content import Deferred, Linked, Output
from accessreg.model.mail import Notice
from accessreg.model.messages import msg
from accessreg.timeline.clock import JST

# A display name written as it is: words of RFC 5322 atext separated by single spaces (and
# nothing a decoder would read as an encoded-word, "=?").
_PLAIN_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+( [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
# Bytes of UTF-8 per encoded-word: 42 bytes are 56 base64 characters, a 68-character word
# that fits a line after "Subject: ".
_WORD_BYTES = 42
_LINE = 78  # RFC 5322's recommended line length


def _encoded_words(name: str) -> list[str]:
    """``name`` as RFC 2047 encoded-words (UTF-8, base64), split after a space where one
    is near (decoders differ on the space between two words), else between characters."""
    words: list[str] = []
    chunk = ""
    for ch in name:
        if chunk and len((chunk + ch).encode("utf-8")) > _WORD_BYTES:
            cut = chunk.rfind(" ") + 1
            if not cut or len((chunk[cut:] + ch).encode("utf-8")) > _WORD_BYTES:
                cut = len(chunk)
            words.append(chunk[:cut])
            chunk = chunk[cut:]
        chunk += ch
    words.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(w.encode('utf-8')).decode('ascii')}?=" for w in words]


def _mailbox_tokens(address: Address) -> list[str]:
    """The pieces of one mailbox, each of which may start a folded line."""
    angle = f"<{address.addr_spec}>"
    name = address.display_name
    if not name:
        return [address.addr_spec]
    if len(name) <= _WORD_BYTES and _PLAIN_NAME.fullmatch(name) and "=?" not in name:
        return [*name.split(" "), angle]
    return [*_encoded_words(name), angle]


def fold_addresses(name: str, addresses: Sequence[Address], linesep: str) -> str:
    """An address header, folded between tokens (never inside a quoted string)."""
    lines = [f"{name}:"]
    for i, address in enumerate(addresses):
        tokens = _mailbox_tokens(address)
        if i < len(addresses) - 1:
            tokens[-1] += ","
        for token in tokens:
            if len(lines[-1]) + 1 + len(token) > _LINE and lines[-1].strip() != f"{name}:":
                lines.append(f" {token}")
            else:
                lines[-1] += f" {token}"
    return linesep.join(lines) + linesep


def fold_text(name: str, text: str, linesep: str) -> str:
    """An unstructured header (the subject) as encoded-words, one per line: the standard
    library writes ASCII words as they are, so text holding ``=?…?=`` read back as other
    text."""
    return f"{name}: " + f"{linesep} ".join(_encoded_words(text)) + linesep


def _folded(name: str, value: Any, linesep: str) -> str | None:
    if isinstance(value, AddressHeader):
        return fold_addresses(name, list(value.addresses), linesep)
    if isinstance(value, UnstructuredHeader):
        text = str(value)
        return fold_text(name, text, linesep) if not text.isascii() or "=?" in text else None
    return None


class MailPolicy(EmailPolicy):
    """Policy SMTP, but address headers and non-ASCII text headers are folded here."""

    def fold(self, name: str, value: Any) -> str:
        folded = _folded(name, value, self.linesep)
        return folded if folded is not None else str(super().fold(name, value))

    def fold_binary(self, name: str, value: Any) -> bytes:
        factory = self.header_factory
        if isinstance(factory, SharedHeaders) and isinstance(value, BaseHeader):
            # A header object shared between mails is folded once for all of them.
            how = (name, self.linesep, self.max_line_length, self.utf8, self.cte_type)
            return factory.folded(value, how, lambda: self._fold_binary(name, value))
        return self._fold_binary(name, value)

    def _fold_binary(self, name: str, value: Any) -> bytes:
        folded = _folded(name, value, self.linesep)
        return (
            folded.encode("ascii")
            if folded is not None
            else bytes(super().fold_binary(name, value))
        )


_SHARED_MAX = 20000  # distinct header values kept; a mail has a handful of its own


def _header_key(name: str, value: Any) -> tuple[str, ...] | None:
    if type(value) is str:
        return (name, value)
    if type(value) is Address:
        return (name, "", value.display_name, value.username, value.domain)
    return None


class SharedHeaders(HeaderRegistry):
    """The standard header factory, but a name and value seen before give the header object
    made then: header objects are immutable, and parsing each value again was most of the
    cost of composing a mail (every mail of a run has the same sender, date and MIME
    headers; a window person's mails the same recipient)."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[tuple[str, ...], BaseHeader] = {}
        self._folds: dict[tuple[object, ...], tuple[BaseHeader, bytes]] = {}
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        # The standard registry makes a new class on every lookup, and a message looks one
        # up for every header it is given (to count how many it may hold).
        key = name.lower()
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = super().__getitem__(name)
        return found

    def folded(
        self, header: BaseHeader, how: tuple[object, ...], fold: Callable[[], bytes]
    ) -> bytes:
        """``fold()`` of ``header`` the way ``how`` names (the policy's say), once."""
        key = (id(header), *how)
        found = self._folds.get(key)
        if found is not None and found[0] is header:  # an id is reused once its object is gone
            return found[1]
        if len(self._folds) >= _SHARED_MAX:
            self._folds.clear()
        done = fold()
        self._folds[key] = (header, done)
        return done

    def __call__(self, name: str, value: Any) -> BaseHeader:
        key = _header_key(name, value)
        if key is None:
            return super().__call__(name, value)
        header = self._made.pop(key, None)
        if header is None:
            if len(self._made) >= _SHARED_MAX:  # the least recently used goes
                del self._made[next(iter(self._made))]
            header = super().__call__(name, value)
        self._made[key] = header  # last: the most recently used
        return header


# The last line of every mail, after the template's body: no one reads the sender's box.
NO_REPLY = "本メールは送信専用のアドレスから自動送信しています。"

# Policy SMTP carries a header factory of its own: the shared one is set after adding it.
POLICY = (MailPolicy() + SMTP).clone(header_factory=SharedHeaders())

# What a template's ``row.name`` would find on a dict itself: a method, as jinja reads it.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """Jinja's environment, reading a dict's key as an attribute (``person.name``) without
    first failing to find the attribute: jinja raises and catches an AttributeError for each
    such read, three quarters of rendering a first apply's notices, which list 200,000
    users. The result is jinja's own: a name ``dict`` has as an attribute still reads that,
    and an object's attributes are read as jinja reads them."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            if attribute not in _DICT_ATTRIBUTES:
                try:
                    return obj[attribute]
                except KeyError:
                    pass
            return super().getattr(obj, attribute)
        try:  # an object's attribute, as jinja reads it first, without a call more
            return getattr(obj, attribute)
        except AttributeError:
            return super().getattr(obj, attribute)


class _Rendered(str):
    """A part a template of the package rendered (``shared_part``), each value in it
    already shown as ``_shown`` shows it: placed as it is."""

    __slots__ = ()


def _shown(value: Any) -> Any:
    """Every value a template writes, as a mail's body shows text (``escape.mail_text``)."""
    if type(value) is _Rendered:
        return value
    return mail_text(value) if isinstance(value, str) else value


_ENV = _Environment(
    loader=jinja2.PackageLoader("accessreg", "templates"),
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # plain-text mail, never HTML
    finalize=_shown,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # the package's own files: not looked at again for every mail
)


@dataclass(frozen=True)
class Composed:
    """A mail as RFC 5322 bytes (CRLF), exactly as it is written to a ``.eml`` file."""

    notice: Notice
    message_id: str
    data: bytes
    # The sender's and the recipient's addresses as the mail was composed with them: the
    # SMTP envelope, never read back from the headers.
    envelope: tuple[str, tuple[str, ...]]

    @property
    def message(self) -> EmailMessage:
        """The bytes read back into the email package's model (to hand to SMTP)."""
        message = message_from_bytes(self.data, policy=POLICY)
        assert isinstance(message, EmailMessage)
        return message


@dataclass(frozen=True)
class Later:
    """A mail composed only when its bytes are wanted (written or sent), so that a run of
    thousands of mails holds one at a time; what names it is known at once."""

    notice: Notice
    message_id: str
    make: Callable[[], Composed]
    # The mail as an earlier run composed and kept it: its file is that one (``Linked``).
    kept: Linked | None = None


class _ByIdentity:
    """Parts each rendered from one value, kept by the identity of that value, with the
    value itself (so that an id is never taken for another value's), the oldest let go
    first. A value is not changed once rendered."""

    def __init__(self, room: int) -> None:
        self.room = room
        self._kept: dict[tuple[object, ...], tuple[object, _Rendered]] = {}

    def get(self, value: object, key: tuple[str, ...], render: Callable[[], str]) -> _Rendered:
        """The part ``key`` of ``value``: kept, or made by ``render`` and kept."""
        at = (id(value), *key)
        found = self._kept.get(at)
        if found is not None and found[0] is value:
            return found[1]
        if len(self._kept) >= self.room:
            del self._kept[next(iter(self._kept))]
        part = _Rendered(render())
        self._kept[at] = (value, part)
        return part


# The notices of one application to each of its window persons are composed one after the
# other: the parts of the last few contexts are kept.
_PARTS = _ByIdentity(16)


def _shared_part(context: Mapping[str, Any], name: str) -> _Rendered:
    """The template ``name`` rendered from a notice's ``context`` alone, once for all the
    notices sharing that context: what does not depend on the recipient (an acceptance
    lists every item of its application, 177 lines a mail in a first apply, to each of the
    operator's window persons; a completion notice, every user of its system). The
    recipient is not among its variables: a part that named it would fail, never show one
    recipient's name to another."""
    return _PARTS.get(context, (name,), lambda: _ENV.get_template(name).render(context))


# Lines rendered from one value alone (``rendered``): a few thousand kept.
_LINES = _ByIdentity(4096)


def _rendered(value: object, name: str, as_name: str) -> _Rendered:
    """The template ``name`` rendered from ``value`` alone, read in it as ``as_name``, once
    for the same value: a first apply's acceptances list 680,000 permissions, 97 % of them
    worded as another person's (the same system, code and day), and the notices give those
    one line (``dict``) to share. Like ``shared_part``, it sees no recipient. A filter, not
    a function: jinja calls a filter as it is, a function through its context (checks that
    cost as much as the line)."""
    return _LINES.get(
        value, (name, as_name), lambda: _ENV.get_template(name).render({as_name: value})
    )


_ENV.filters["rendered"] = _rendered


def render(notice: Notice) -> tuple[str, str]:
    """The subject and body the notice's template gives, the body ending with ``NO_REPLY``."""
    template = _ENV.get_template(notice.template)
    variables = {
        **notice.context,
        "recipient": notice.recipient,
        "shared_part": partial(_shared_part, notice.context),
    }
    module = template.make_module(variables)
    subject = str(getattr(module, "subject", "")).strip()
    if not subject:
        raise ConfigError(msg("Template {template} sets no subject", template=notice.template))
    return subject, f"{module}{NO_REPLY}\n"


@functools.lru_cache(maxsize=16)
def _sender(sender: str) -> tuple[str, str]:
    """``sender`` as (name, address): the same for every mail of a run."""
    return parseaddr(sender)


# Thousands of mails a day go to a few hundred window persons, from one sender.
@functools.lru_cache(maxsize=1 << 12)
def _address(email: str, name: str = "") -> Address:
    local, _, domain = email.rpartition("@")
    if not local or not domain or unsafe_characters(email):
        raise ConfigError(msg("{email} is not a mail address", email=quote(email)))
    try:
        return Address(display_name=mail_header(name), username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise ConfigError(
            msg("{email} is not a mail address: {exc}", email=quote(email), exc=str(exc))
        ) from None


def _header(name: str, value: str | Address) -> bytes:
    """One header line as the policy folds it: the one way every header is written. Address
    headers and non-ASCII text are folded by ``fold_addresses`` and ``fold_text`` from the
    value itself, as ``MailPolicy`` folds them, without parsing it into a header object
    first (a mail's recipient and subject are seldom those of the mail before)."""
    linesep = POLICY.linesep
    if isinstance(value, Address):
        return fold_addresses(name, [value], linesep).encode("ascii")
    if name == "Subject" and (not value.isascii() or "=?" in value):
        return fold_text(name, value, linesep).encode("ascii")
    if name == "Subject":
        # Given as encoded-words, which the header parser decodes back to exactly the
        # text: given as it is, a "=?…?=" inside would be decoded into something else.
        value = " ".join(_encoded_words(value))
    elif (
        (shape := _VERBATIM.get(name))
        and shape.fullmatch(value)
        and len(name) + 2 + len(value) <= _LINE
    ):
        return f"{name}: {value}{linesep}".encode("ascii")  # unique: never worth parsing
    return bytes(POLICY.fold_binary(name, POLICY.header_factory(name, value)))


# A run's thousands of mails come from one sender, on one day, to a few hundred window
# persons, and half of them share their subject with another: such a header is folded once.
@functools.lru_cache(maxsize=1 << 12)
def _mailbox_header(name: str, email: str, display_name: str) -> bytes:
    return _header(name, _address(email, display_name))


@functools.lru_cache(maxsize=1 << 12)
def _text_header(name: str, value: str) -> bytes:
    return _header(name, value)


@functools.lru_cache(maxsize=16)
def _date_header(day: date) -> bytes:
    """A mail is dated 09:00 JST of its notice's day, the day of the run that writes it."""
    return _header("Date", format_datetime(datetime.combine(day, time(9, 0), JST)))


# Values unique to a mail that the policy writes as they are, when they fit on a line: a
# Message-ID (a hash at a host name) and the multipart Content-Type (its boundary).
_VERBATIM = {
    "Message-ID": re.compile(r"<[0-9a-f]+@[A-Za-z0-9.-]+>"),
    "Content-Type": re.compile(r'multipart/mixed; boundary="=+[0-9]+==(\.[0-9]+)?"'),
}


# A file name written as it is in Content-Disposition: the email package quotes it unchanged.
_PLAIN_FILE = re.compile(r"[A-Za-z0-9._-]+")
_DISPOSITION = 'Content-Disposition: attachment; filename="{}"'


def _disposition(filename: str) -> bytes:
    line = _DISPOSITION.format(filename)
    if _PLAIN_FILE.fullmatch(filename) and len(line) <= _LINE:
        return f"{line}\r\n".encode("ascii")  # what the policy writes, without parsing it
    part = EmailMessage(policy=POLICY)  # anything else: quoted or RFC 2231, as add_attachment
    part["Content-Disposition"] = "attachment"
    part.set_param("filename", filename, header="Content-Disposition", replace=True)
    [(name, header)] = part.raw_items()
    return bytes(POLICY.fold_binary(name, header))


def _base64(data: bytes) -> bytes:
    """A base64 body as the email package writes it: 57 bytes a line (76 characters), CRLF.
    Encoded at once and cut into lines (``base64.encodebytes`` calls the encoder for every
    line: 1.6 times as long for a mail's attachment)."""
    width = _LINE // 4 * 4  # the line the policy's max_line_length gives
    encoded = binascii.b2a_base64(data, newline=False)
    lines = [encoded[i : i + width] for i in range(0, len(encoded), width)]
    return b"\r\n".join(lines) + b"\r\n" if lines else b""


_TEXT_PART = b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n'
_MIME = b"MIME-Version: 1.0\r\n"


def _boundary(parts: Sequence[bytes]) -> str:
    """The shape of the email package's boundary, from the parts' digest rather than at
    random (the same mail is the same bytes), lengthened while a line of theirs starts
    with it (no part starts with one: each starts with its headers)."""
    joined = b"\r\n".join(parts)
    token = int.from_bytes(hashlib.sha256(joined).digest()[:8], "big") % sys.maxsize
    boundary = f"{'=' * 15}{token:019d}=="
    found, n = boundary, 0
    while b"\n--" + found.encode("ascii") in joined:
        n += 1
        found = f"{boundary}.{n}"
    return found


def compose(notice: Notice, sender: str, attachments: Sequence[Attachment] = ()) -> Composed:
    """The message for ``notice`` from ``sender`` (``addr`` or ``Name <addr>``), with
    ``attachments`` as multipart/mixed: the bytes the email package would generate for it
    (a test holds the two together), written at once."""
    subject, body = render(notice)
    sender_name, sender_addr = _sender(sender)
    message_id = _message_id(notice, sender_addr)
    sender_address = _address(sender_addr, sender_name)
    to = _address(notice.recipient.email, notice.recipient.name)
    envelope = (sender_address.addr_spec, (to.addr_spec,))
    head = b"".join(
        (
            _mailbox_header("From", sender_addr, sender_name),
            _mailbox_header("To", notice.recipient.email, notice.recipient.name),
            _text_header("Subject", mail_header(subject)),
            _date_header(notice.day),
            _header("Message-ID", message_id),
            _header("Auto-Submitted", "auto-generated"),  # RFC 3834: no auto-replies to it
        )
    )
    text = _base64(b"\r\n".join(body.encode("utf-8").splitlines()) + b"\r\n")
    if not attachments:
        data = b"".join((head, _TEXT_PART, _MIME, b"\r\n", text))
        return Composed(notice, message_id, data, envelope)
    parts = [_TEXT_PART + b"\r\n" + text]
    for item in attachments:
        encoding = b"Content-Transfer-Encoding: base64\r\n"
        disposition = _disposition(item.filename)
        if item.charset:  # the email package sets the parameter last, moving its header
            content_type = _header("Content-Type", f'{item.mime}; charset="{item.charset}"')
            head_lines: tuple[bytes, ...] = (encoding, disposition, content_type)
        else:
            head_lines = (_header("Content-Type", item.mime), encoding, disposition)
        parts.append(b"".join((*head_lines, _MIME, b"\r\n", _base64(item.data))))
    boundary = _boundary(parts)
    mixed = _header("Content-Type", f'multipart/mixed; boundary="{boundary}"')
    line = f"--{boundary}\r\n".encode("ascii")
    end = f"\r\n--{boundary}--\r\n".encode("ascii")
    data = b"".join((head, _MIME, mixed, b"\r\n", line, (b"\r\n" + line).join(parts), end))
    return Composed(notice, message_id, data, envelope)


def _message_id(notice: Notice, sender_addr: str) -> str:
    return f"<{notice.key}@{sender_addr.rpartition('@')[2] or 'localhost'}>"


def later(notice: Notice, sender: str, make: Callable[[], Composed]) -> Later:
    """A mail ``make`` composes when its bytes are wanted (as ``compose``, for ``notice``
    from ``sender``); the addresses are checked now, so that a bad one stops the run
    before anything is written or sent."""
    sender_name, sender_addr = _sender(sender)
    _address(sender_addr, sender_name)
    _address(notice.recipient.email, notice.recipient.name)
    return Later(notice, _message_id(notice, sender_addr), make)


def deferred(notice: Notice, sender: str) -> Later:
    """The mail of ``notice``, composed when it is written (and again if it is sent): a
    first apply's 3,829 acceptance notices, each listing an operator's users, held 178 MB
    of composed mails from planning to the end of the run (and confirming its import, 20,141
    completion notices, more)."""
    return later(notice, sender, partial(compose, notice, sender))


def eml_name(composed: Composed | Later) -> str:
    notice = composed.notice
    return f"{notice.day:%Y%m%d}-{notice.kind}-{notice.key[:12]}.eml"


def mail_file(mail: Composed | Later) -> tuple[str, Output]:
    """A mail as the output file it is written to (``mail/<name>.eml``): its bytes, or, for
    a mail composed ``Later``, made when the file is written and let go after, so that a
    run's thousands of mails are never in memory together."""
    name = f"mail/{eml_name(mail)}"
    if isinstance(mail, Composed):
        return name, mail.data
    return name, mail.kept or Deferred(partial(_data, mail))


def _data(mail: Later) -> bytes:
    return mail.make().data
