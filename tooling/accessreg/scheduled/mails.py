"""Due notices as messages: one template per kind (``templates/mail-<kind>.txt.j2``).

The Message-ID (``mail.compose``: a hash of application, recipient and kind) is made from the
items a mail lists, so the same mail to the same person is the same message, and the outbox
sends it once; CSV documents travel as attachments.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

from accessreg.mail import compose
from accessreg.mail.attach import Attachment
from accessreg.model.mail import Addressing, Notice, digest_kind
from accessreg.model.registry import Registry
from accessreg.scheduled.deletions import branch_name
from accessreg.scheduled.keyed_notices import DigestMail, Document


def template(kind: str) -> str:
    return f"mail-{kind}.txt.j2"


def attachment_name(operator: str | None, doc: Document) -> str:
    """``AOBAGS01-taxis.csv``: the operator in the name, since mails are saved side by side."""
    base = doc.name.rsplit("/", 1)[-1]
    return f"{operator}-{base}" if operator else base


def mail_notice(
    mail: DigestMail, registry: Registry, today: date, addressing: Addressing
) -> Notice:
    digest = mail.digest
    # The items' keys as ``pending`` made them, once for every recipient of the digest.
    items = hashlib.sha256("\n".join(sorted(mail.item_keys)).encode()).hexdigest()
    entry = registry.operators.get(digest.operator or "")
    return Notice(
        kind=digest_kind(digest.kind, digest.stage),
        application=f"{digest.kind}/{digest.operator or 'reviewers'}/{items[:24]}",
        recipient=mail.recipient,
        template=template(digest.kind),
        day=today,
        context={
            "digest": digest,
            "stage": digest.stage,
            "items": digest.items,
            "operator": entry.operator if entry else None,
            "window_person": entry is not None
            and mail.recipient.email.lower()
            in {r.email.lower() for r in addressing.persons(entry.operator)},
            "today": today,
            "branch": branch_name(digest.operator) if digest.operator else None,
            "attachments": [],  # named when they are rendered, with the mail
            **dict(digest.context),
        },
    )


def composed(
    mail: DigestMail, registry: Registry, today: date, sender: str, addressing: Addressing
) -> compose.Later:
    """The mail, composed (its attachments rendered) when it is written or sent; what names
    it (the notice, which does not depend on the attachments' names) at once."""
    notice = mail_notice(mail, registry, today, addressing)

    def make() -> compose.Composed:
        docs = mail.digest.attachments()
        names = [attachment_name(mail.digest.operator, d) for d in docs]
        files = [
            Attachment(name, d.data, d.mime, d.charset) for name, d in zip(names, docs, strict=True)
        ]
        listed = replace(notice, context={**notice.context, "attachments": names})
        return compose.compose(listed if docs else notice, sender, files)

    return compose.later(notice, sender, make)
