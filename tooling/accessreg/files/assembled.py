"""Writing and hashing content assembled from pieces (``model.content``): the pieces that lie
in other files are copied by the kernel (``copy_file_range``) and hashed in blocks, never read
into memory whole."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import ExitStack
from typing import BinaryIO

from accessreg.model.content import Assembled, Content, Slice

_BLOCK = 1 << 20


def _blocks(piece: Slice, opened: dict[str, int]) -> Iterator[bytes]:
    fd = opened[piece.path]
    offset, left = piece.offset, piece.length
    while left:
        block = os.pread(fd, min(_BLOCK, left), offset)
        if not block:
            raise OSError(f"{piece.path} ends before {piece.offset + piece.length}")
        offset += len(block)
        left -= len(block)
        yield block


def _opened(stack: ExitStack, content: Assembled) -> dict[str, int]:
    found: dict[str, int] = {}
    for piece in content.pieces:
        if isinstance(piece, Slice) and piece.path not in found:
            fd = os.open(piece.path, os.O_RDONLY)
            stack.callback(os.close, fd)
            found[piece.path] = fd
    return found


def digest(content: Content) -> tuple[str, int]:
    """The SHA-256 (hex) and the size of ``content``."""
    if isinstance(content, bytes):
        return hashlib.sha256(content).hexdigest(), len(content)
    h = hashlib.sha256()
    with ExitStack() as stack:
        opened = _opened(stack, content)
        for piece in content.pieces:
            if isinstance(piece, bytes):
                h.update(piece)
            else:
                for block in _blocks(piece, opened):
                    h.update(block)
    return h.hexdigest(), len(content)


def write(out: BinaryIO, content: Content) -> None:
    """Write ``content`` to the open file ``out``."""
    if isinstance(content, bytes):
        out.write(content)
        return
    with ExitStack() as stack:
        opened = _opened(stack, content)
        for piece in content.pieces:
            if isinstance(piece, bytes):
                out.write(piece)
                continue
            out.flush()
            _copy(opened[piece.path], out.fileno(), piece, opened)


def _copy(source: int, target: int, piece: Slice, opened: dict[str, int]) -> None:
    offset, left = piece.offset, piece.length
    try:
        while left:
            done = os.copy_file_range(source, target, left, offset)
            if not done:
                raise OSError(f"{piece.path} ends before {piece.offset + piece.length}")
            offset += done
            left -= done
    except OSError as exc:
        if left == piece.length and exc.errno is not None:  # not supported here: copy by hand
            for block in _blocks(piece, opened):
                view = memoryview(block)
                while view:
                    view = view[os.write(target, view) :]
            return
        raise
