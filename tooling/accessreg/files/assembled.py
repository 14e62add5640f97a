"""Writing and hashing content assembled from pieces (``model.content``): the pieces that lie
in other files are copied by the kernel (``copy_file_range``) and hashed in blocks, never read
into memory whole."""

from __future__ import annotations

import hashlib
import os
import resource
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from typing import BinaryIO

from accessreg.model.content import Content, Slice

_BLOCK = 1 << 20


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

    def blocks(self, piece: Slice) -> Iterator[bytes]:
        fd = self.fd(piece.path)
        offset, left = piece.offset, piece.length
        while left:
            block = os.pread(fd, min(_BLOCK, left), offset)
            if not block:
                raise OSError(f"{piece.path} ends before {piece.offset + piece.length}")
            offset += len(block)
            left -= len(block)
            yield block


def digest(content: Content, sources: Sources | None = None) -> tuple[str, int]:
    """The SHA-256 (hex) and the size of ``content``."""
    if isinstance(content, bytes):
        return hashlib.sha256(content).hexdigest(), len(content)
    h = hashlib.sha256()
    with ExitStack() as stack:
        opened = sources or stack.enter_context(Sources())
        for piece in content.pieces:
            if isinstance(piece, bytes):
                h.update(piece)
            else:
                for block in opened.blocks(piece):
                    h.update(block)
    return h.hexdigest(), len(content)


def write(out: BinaryIO, content: Content, sources: Sources | None = None) -> None:
    """Write ``content`` to the open file ``out``."""
    if isinstance(content, bytes):
        out.write(content)
        return
    with ExitStack() as stack:
        opened = sources or stack.enter_context(Sources())
        for piece in content.pieces:
            if isinstance(piece, bytes):
                out.write(piece)
                continue
            out.flush()
            _copy(opened, out.fileno(), piece)


def _copy(sources: Sources, target: int, piece: Slice) -> None:
    source = sources.fd(piece.path)
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
            for block in sources.blocks(piece):
                view = memoryview(block)
                while view:
                    view = view[os.write(target, view) :]
            return
        raise
