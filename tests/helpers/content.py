"""Content made in memory (``model.content``) as the bytes its file would hold."""

from __future__ import annotations

from accessreg.model.content import Content


def whole(content: Content) -> bytes:
    """The bytes of ``content`` whose pieces are all in memory (a delta's)."""
    if isinstance(content, bytes):
        return content
    pieces = content.pieces
    assert all(isinstance(p, bytes) for p in pieces), "a piece lies in a file"
    return b"".join(p for p in pieces if isinstance(p, bytes))
