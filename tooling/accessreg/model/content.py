"""An output file's content: bytes in memory, or assembled from pieces some of which lie in
other files (the cache of snapshot shares), so that a snapshot of 200,000 holders is copied
from the cache to the output, never held whole in memory. Writing and hashing such content
is I/O: ``files.assembled``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass


@dataclass(slots=True)  # not frozen: a run makes one per piece of 2,000 shares
class Slice:
    """``length`` bytes at ``offset`` of the file ``path``."""

    path: str
    offset: int
    length: int

    def __len__(self) -> int:
        return self.length


Piece = bytes | Slice


@dataclass(frozen=True)
class Assembled:
    """Content as its pieces, in order."""

    pieces: tuple[Piece, ...]

    def __len__(self) -> int:
        return sum(len(p) for p in self.pieces)


Content = bytes | Assembled


@dataclass(frozen=True)
class Deferred:
    """Content made only when its file is written, and let go after: a first run's deltas
    list every user, each as large as a snapshot, and need not be in memory together.
    ``render`` may give the content, or its pieces one after the other (an iterator),
    which are then written as they come and never held together."""

    render: Callable[[], Content | Iterator[Piece]]


@dataclass(frozen=True)
class SameAs:
    """The bytes of another file of the same directory (``name``), written as a link to it
    rather than again: a first apply's SCIM delta adds every holder of the snapshot, as the
    snapshot does (234 MB at 200,000 users)."""

    name: str


@dataclass(frozen=True)
class Linked:
    """A file an earlier run wrote and kept (a mail composed then, in the cache), written as
    a link to it where the file system allows, else copied; its SHA-256 (hex) and size,
    taken when it was written, are the output's. A run owing a batch's 20,141 completion
    notices wrote 246 MB of them again every time."""

    path: str
    sha256: str
    size: int


# What an output file is given as.
Output = Content | Deferred | SameAs | Linked

# Each file written: its SHA-256 (hex) and size, by name.
Digests = Mapping[str, tuple[str, int]]


def listed(digests: Digests) -> dict[str, dict[str, str | int]]:
    """The files of ``digests`` as a listing names them: by name, each with its SHA-256 and
    size (the apply manifest's and the daily summary's ``files``)."""
    return {name: {"sha256": sha, "bytes": size} for name, (sha, size) in sorted(digests.items())}


@dataclass(frozen=True)
class Listing:
    """A file written after the others of its directory, made from their digests (the
    manifest): each file is hashed as it is written, its pieces read once."""

    name: str
    render: Callable[[Digests], bytes]


def joined(pieces: Iterable[Piece], apart: bool = False) -> Content:
    """The pieces as one content: bytes when every piece is in memory (neighbouring bytes
    merged), else assembled. ``apart``: assembled as they are, whatever they are, so that a
    snapshot rendered in memory (every share of ``--full`` and ``--initial``, 470 MB at
    200,000 users) is not copied whole (the writer gathers small pieces itself)."""
    if apart:
        return Assembled(tuple(piece for piece in pieces if len(piece)))
    found: list[Piece] = []
    buffer: list[bytes] = []
    for piece in pieces:
        if isinstance(piece, bytes):
            buffer.append(piece)
        elif piece.length:
            if buffer:
                found.append(b"".join(buffer))
                buffer = []
            found.append(piece)
    if not found:
        return b"".join(buffer)
    if buffer:
        found.append(b"".join(buffer))
    return Assembled(tuple(found))


def separated(separator: bytes, pieces: Iterable[Piece]) -> Iterator[Piece]:
    """The non-empty pieces with ``separator`` between them (as ``bytes.join`` would), as
    they come: a first apply's deltas are written while they are made."""
    first = True
    for piece in pieces:
        if not len(piece):
            continue
        if not first:
            yield separator
        first = False
        yield piece
