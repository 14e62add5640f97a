"""Files attached to a composed message (the inventory's CSVs travel with its request)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from accessreg.mail.compose import Composed


@dataclass(frozen=True)
class Attachment:
    filename: str  # the name the recipient sees
    data: bytes
    mime: str  # "text/csv"


def attach(composed: Composed, files: Iterable[Attachment]) -> Composed:
    """The same message (same Message-ID) with ``files`` attached, as multipart/mixed.

    The message is changed in place: it is the caller's, composed for this mail (copying
    it cost more than composing it)."""
    items = list(files)
    if not items:
        return composed
    message = composed.message
    for item in items:
        maintype, _, subtype = item.mime.partition("/")
        message.add_attachment(
            item.data, maintype=maintype, subtype=subtype, filename=item.filename
        )
    return Composed(composed.notice, message)
