"""Files attached to a composed message (the inventory's CSVs travel with its request)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attachment:
    filename: str  # the name the recipient sees
    data: bytes
    mime: str  # "text/csv"
    # What a text part's bytes are in: without it a reader takes US-ASCII (RFC 2046 §4.1.2)
    # and shows a UTF-8 CSV's names as mojibake.
    charset: str | None = None
