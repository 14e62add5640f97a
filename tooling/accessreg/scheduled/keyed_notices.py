"""What a duty tells whom: digests of keyed items, narrowed to what a recipient still needs.

Idempotence is per item and recipient: an item (a certificate at its 60-day stage, an ID that
reached its lock day, ...) has a key naming the stage it is at, and a mail lists only the
items whose ``key>recipient`` is not in the notice log yet. A job that skips a day still
sends what fell due; a job run twice sends nothing the second time.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from accessreg.model.mail import Addressing, Recipient
from accessreg.model.registry import Registry

# "window_ra": the window persons and the operator's 企業内RA担当者 (004), if it names one.
Audience = Literal["window", "window_ra", "reviewers"]


class Item(Protocol):
    @property
    def key(self) -> str:
        """Names the item and the stage it is at; it changes when a new notice is due."""
        ...


@dataclass(frozen=True)
class Document:
    """A file a duty produces: written to the output directory, or attached to a mail."""

    name: str  # a relative POSIX path; its last part is the attachment's file name
    data: bytes
    mime: str = "text/csv"
    charset: str | None = None  # of a text file (mail.attach.Attachment)


def no_attachments() -> tuple[Document, ...]:
    return ()


@dataclass(frozen=True)
class Digest:
    """Items of one kind and stage for one audience: one mail per recipient."""

    kind: str  # names the template, e.g. "certificate-expiry"
    stage: str
    audience: Audience
    operator: str | None  # the operator it is about (its window persons receive it)
    items: tuple[Item, ...]
    # Rendered only for a mail that is due (a CSV of every user is not cheap).
    attachments: Callable[[], tuple[Document, ...]] = no_attachments
    # What the template needs beyond the items (the renewal steps of their providers, say).
    context: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class DigestMail:
    """A digest narrowed to one recipient and to the items not yet sent to them."""

    digest: Digest
    recipient: Recipient
    log_keys: tuple[str, ...]  # recorded once the mail is sent
    item_keys: tuple[str, ...]  # the keys of the digest's items, in their order

    @property
    def message_key(self) -> str:
        """Stable for the same content and recipient: the base of the Message-ID."""
        digest = hashlib.sha256("\n".join(sorted(self.log_keys)).encode("utf-8"))
        return f"{self.digest.kind}.{self.digest.stage}.{digest.hexdigest()[:24]}"


def log_key(item_key: str, email: str) -> str:
    return f"{item_key}>{email.lower()}"


def recipients(digest: Digest, registry: Registry, addressing: Addressing) -> list[Recipient]:
    """The window persons of the day (primary first, ``addressing``) for an operator's
    digest; maintainers for reviewers."""
    if digest.audience == "reviewers":
        maintainers = registry.maintainers.maintainers if registry.maintainers else ()
        return [Recipient(m.name, m.email) for m in maintainers]
    entry = registry.operators.get(digest.operator or "")
    if entry is None:
        return []
    found = addressing.persons(entry.operator)
    ra = entry.operator.ra_officer
    if digest.audience == "window_ra" and ra is not None:
        found.append(Recipient(ra.name, ra.email))  # one mail, if also a window person
    return found


def pending(
    digests: Iterable[Digest],
    recipients_of: Callable[[Digest], Sequence[Recipient]],
    was_sent: Callable[[str], bool],
) -> list[DigestMail]:
    """Every mail still due: per digest and recipient, the items not yet sent to them."""
    mails: list[DigestMail] = []
    for digest in digests:
        seen: set[str] = set()
        keys = [i.key for i in digest.items]  # a key is made once, not per recipient
        for person in recipients_of(digest):
            address = person.email.lower()
            if address in seen:  # a person listed twice gets one mail
                continue
            seen.add(address)
            # Digests of 10,000 items and more: each log key made once, the log asked once
            # per key, the items and their keys picked out together.
            suffix = log_key("", address)
            logged = [key + suffix for key in keys]
            fresh = list(map(operator.not_, map(was_sent, logged)))
            due = tuple(itertools.compress(digest.items, fresh))
            if due:
                narrowed = Digest(
                    digest.kind,
                    digest.stage,
                    digest.audience,
                    digest.operator,
                    due,
                    digest.attachments,
                    digest.context,
                )
                mails.append(
                    DigestMail(
                        narrowed,
                        person,
                        tuple(itertools.compress(logged, fresh)),
                        tuple(itertools.compress(keys, fresh)),
                    )
                )
    return mails
