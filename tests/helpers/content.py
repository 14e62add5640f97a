"""Content made piece by piece (``model.content``) as the bytes its file would hold."""

from __future__ import annotations

from collections.abc import Iterable

from accessreg.model.content import Piece


def whole(pieces: Iterable[Piece]) -> bytes:
    """The bytes of ``pieces``, all of them in memory (a delta's)."""
    found = list(pieces)
    assert all(isinstance(p, bytes) for p in found), "a piece lies in a file"
    return b"".join(p for p in found if isinstance(p, bytes))
