"""Writing content assembled from pieces (``model.content``), hashed as it is written: the
pieces are gathered a block at a time into one buffer, hashed and written from there; those
that lie in other files are never read into memory whole nor read twice."""

from __future__ import annotations

import hashlib
import os
import resource
from collections import OrderedDict
from collections.abc import Iterable
from contextlib import ExitStack, suppress
from typing import BinaryIO

from accessreg.model.content import Assembled, Content, Deferred, Piece, Slice

# Small enough to stay in the processor's cache while it is filled, hashed and written: a
# 1 MiB buffer made writing the snapshots 0.7 s slower at 200,000 users, mostly in the kernel.
_BLOCK = 1 << 16


class Sources:
    """The files pieces lie in, each opened once for every content read or written with it
    (a snapshot has a piece in each of 2,000 operators' shares): as many kept open as the
    limit of open files allows, the least recently used closed beyond."""

    def __init__(self) -> None:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or soft < hard:
            with suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
                soft = hard
        self._room = max(16, min(soft, 1 << 16) // 2)
        self._fds: OrderedDict[str, int] = OrderedDict()

    def __enter__(self) -> Sources:
        return self

    def __exit__(self, *exc: object) -> None:
        while self._fds:
            os.close(self._fds.popitem()[1])

    def fd(self, path: str) -> int:
        found = self._fds.get(path)
        if found is not None:
            self._fds.move_to_end(path)
            return found
        if len(self._fds) >= self._room:
            os.close(self._fds.popitem(last=False)[1])
        found = self._fds[path] = os.open(path, os.O_RDONLY)
        return found

    def read_into(self, buffer: memoryview, piece: Slice, at: int) -> int:
        """Read ``piece`` from ``at`` (within it) into ``buffer``: how much was read."""
        got = os.preadv(self.fd(piece.path), [buffer], piece.offset + at)
        if not got:
            raise OSError(f"{piece.path} ends before {piece.offset + piece.length}")
        return got


def _put(out: BinaryIO | int, data: bytes | memoryview) -> None:
    if isinstance(out, int):
        view = memoryview(data)
        while view:
            view = view[os.write(out, view) :]
    else:
        out.write(data)


def write(
    out: BinaryIO | int, content: Content | Deferred, sources: Sources | None = None
) -> tuple[str, int]:
    """Write ``content`` to the open file ``out`` (a file object, or a descriptor written
    without a buffer); its SHA-256 (hex) and size."""
    if isinstance(content, Deferred):
        made = content.render()
        if not isinstance(made, bytes | Assembled):  # pieces as they come
            return _write_pieces(out, made, sources)
        content = made
    if isinstance(content, bytes):
        _put(out, content)
        return hashlib.sha256(content).hexdigest(), len(content)
    return _write_pieces(out, content.pieces, sources)


def _write_pieces(
    out: BinaryIO | int, pieces: Iterable[Piece], sources: Sources | None
) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    # Some 40,000 pieces make a snapshot, most of them small: they are read one after the
    # other into one buffer, which is hashed and written each time it is full.
    buffer = memoryview(bytearray(_BLOCK))
    fill = 0

    def flush() -> None:
        nonlocal fill
        h.update(buffer[:fill])
        _put(out, buffer[:fill])
        fill = 0

    with ExitStack() as stack:
        opened = sources or stack.enter_context(Sources())
        for piece in pieces:
            size += len(piece)
            if isinstance(piece, bytes):
                if len(piece) > _BLOCK - fill:
                    flush()
                if len(piece) >= _BLOCK:
                    h.update(piece)
                    _put(out, piece)
                else:
                    buffer[fill : fill + len(piece)] = piece
                    fill += len(piece)
                continue
            done = 0
            while done < piece.length:
                if fill == _BLOCK:
                    flush()
                room = min(_BLOCK - fill, piece.length - done)
                got = opened.read_into(buffer[fill : fill + room], piece, done)
                fill += got
                done += got
        flush()
    return h.hexdigest(), size


def read(piece: Slice) -> bytes:
    """The bytes of ``piece``, read whole (a share's piece, cut into its holders' units)."""
    fd = os.open(piece.path, os.O_RDONLY)
    try:
        data = os.pread(fd, piece.length, piece.offset)
    finally:
        os.close(fd)
    if len(data) != piece.length:
        raise OSError(f"{piece.path} ends before {piece.offset + piece.length}")
    return data
