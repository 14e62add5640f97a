"""Files attached to a composed message (the inventory's CSVs travel with its request)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attachment:
    filename: str  # the name the recipient sees
    data: bytes
    mime: str  # "text/csv"
