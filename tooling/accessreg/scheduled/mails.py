"""Due notices as messages: one template per kind (``templates/mail-<kind>.txt.j2``).

The Message-ID (``mail.compose``: a hash of application, recipient and kind) is made from the
items a mail lists, so the same mail to the same person is the same message, and the outbox
sends it once; CSV documents travel as attachments.
"""

from __future__ import annotations

import hashlib
from datetime import date

from accessreg.mail import compose
from accessreg.mail.attach import Attachment, attach
from accessreg.model import layout
from accessreg.model.registry import Registry
from accessreg.scheduled.deletions import branch_name
from accessreg.scheduled.keyed_notices import Document, Mail


def template(kind: str) -> str:
    return f"mail-{kind}.txt.j2"


def attachment_name(operator: str | None, doc: Document) -> str:
    """``AOBAGS01-taxis.csv``: the operator in the name, since mails are saved side by side."""
    base = doc.name.rsplit("/", 1)[-1]
    return f"{operator}-{base}" if operator else base


def mail_notice(mail: Mail, registry: Registry, today: date) -> compose.Notice:
    notice = mail.notice
    items = hashlib.sha256("\n".join(sorted(i.key for i in notice.items)).encode()).hexdigest()
    entry = registry.operators.get(notice.operator or "")
    kind = notice.kind if notice.stage in notice.kind else f"{notice.kind}-{notice.stage}"
    return compose.Notice(
        kind=kind,
        application=f"{notice.kind}/{notice.operator or 'reviewers'}/{items[:24]}",
        recipient=compose.Recipient(mail.recipient.email, mail.recipient.name),
        template=template(notice.kind),
        day=today,
        context={
            "notice": notice,
            "stage": notice.stage,
            "items": notice.items,
            "operator": entry.operator if entry else None,
            "today": today,
            "branch": branch_name(notice.operator) if notice.operator else None,
            "attachments": [attachment_name(notice.operator, d) for d in notice.attachments()],
            "operator_file": (
                f"{layout.REGISTRY_DIR}/{layout.operator_file(notice.operator)}"
                if notice.operator
                else None
            ),
            **dict(notice.context),
        },
    )


def composed(mail: Mail, registry: Registry, today: date, sender: str) -> compose.Composed:
    message = compose.compose(mail_notice(mail, registry, today), sender)
    files = (
        Attachment(attachment_name(mail.notice.operator, d), d.data, d.mime)
        for d in mail.notice.attachments()
    )
    return attach(message, files)
