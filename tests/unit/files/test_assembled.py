"""Content assembled from pieces lying in files is written and hashed as the same bytes
joined in memory would be; a directory's listing is made from what was written."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accessreg.files import assembled, atomic
from accessreg.model.content import (
    Assembled,
    Content,
    Deferred,
    Digests,
    Linked,
    Listing,
    Output,
    Piece,
    SameAs,
    Slice,
    joined,
    separated,
)

SOURCES = [bytes(range(256)) * 3, "窓口責任者\n".encode() * 50, b""]


@st.composite
def _pieces(draw: st.DrawFn) -> list[tuple[int, int, int] | bytes]:
    """Pieces as (source, offset, length) within the sources, or literal bytes."""
    found: list[tuple[int, int, int] | bytes] = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.booleans()):
            found.append(draw(st.binary(max_size=20)))
            continue
        source = draw(st.integers(0, len(SOURCES) - 1))
        size = len(SOURCES[source])
        offset = draw(st.integers(0, size))
        found.append((source, offset, draw(st.integers(0, size - offset))))
    return found


@settings(max_examples=100, deadline=None)
@given(
    drawn=_pieces(),
    room=st.integers(1, 3),
    block=st.sampled_from([3, 16, 1 << 20]),
    apart=st.booleans(),
)
def test_written_and_hashed_as_the_joined_bytes(
    tmp_path_factory: pytest.TempPathFactory,
    drawn: list[tuple[int, int, int] | bytes],
    room: int,
    block: int,
    apart: bool,
) -> None:
    """``block``: the buffer's size, small enough for pieces to fill it, span it, exceed
    it; ``apart``: the pieces in memory kept apart or merged."""
    root = tmp_path_factory.mktemp("pieces")
    paths = []
    for n, data in enumerate(SOURCES):
        path = root / f"source{n}"
        path.write_bytes(data)
        paths.append(path)
    pieces: list[Piece] = []
    expected = b""
    for item in drawn:
        if isinstance(item, bytes):
            pieces.append(item)
            expected += item
        else:
            source, offset, length = item
            pieces.append(Slice(str(paths[source]), offset, length))
            expected += SOURCES[source][offset : offset + length]
    content = joined(pieces, apart)
    assert len(content) == len(expected)
    target = root / "out"
    default, assembled._BLOCK = assembled._BLOCK, block
    try:
        with assembled.Sources() as sources:
            sources._room = room  # few files open at once: the least recently used are closed
            with target.open("wb") as out:
                found = assembled.write(out, content, sources)
    finally:
        assembled._BLOCK = default
    assert target.read_bytes() == expected
    assert found == (hashlib.sha256(expected).hexdigest(), len(expected))


def test_bytes_in_memory_stay_bytes() -> None:
    assert joined([b"a", b"", b"b"]) == b"ab"
    assert list(separated(b", ", [b"a", b"", b"b"])) == [b"a", b", ", b"b"]


def test_pieces_kept_apart_are_not_copied() -> None:
    """A snapshot rendered in memory stays its shares' bytes: the very objects given, the
    empty ones left out (the writer gathers the small ones itself)."""
    head, big, small = b"h" * 3, b"x" * (1 << 17), b"a" * 100
    content = joined([head, big, small, b"", small, big], apart=True)
    assert isinstance(content, Assembled)
    assert [id(p) for p in content.pieces] == [id(p) for p in (head, big, small, small, big)]


def test_deferred_content_is_made_when_its_file_is_written(tmp_path: Path) -> None:
    """A first run's deltas are made one at a time, as each is written."""
    made: list[str] = []

    def delta(name: str) -> Content:
        made.append(name)
        return Assembled((name.encode(), b"\n" * 70_000))

    files = {name: Deferred(lambda name=name: delta(name)) for name in ("one", "two")}
    assert made == []
    atomic.replace_directory(tmp_path / "out", files)
    assert made == ["one", "two"]
    assert (tmp_path / "out" / "two").read_bytes() == b"two" + b"\n" * 70_000


def test_deferred_pieces_are_written_as_they_come(tmp_path: Path) -> None:
    """A first run's SCIM and LDIF deltas are made a line at a time: each block is on
    disk before the next lines are made, and the digest and size are the whole file's."""
    target = tmp_path / "delta"
    seen: list[int] = []

    def lines() -> Iterator[bytes]:
        for n in range(40):
            seen.append(target.stat().st_size)  # what was written before this line
            yield b"%02d" % n + b"." * 9_998

    with target.open("wb") as out:
        digest, size = assembled.write(out.fileno(), Deferred(lines))
    data = target.read_bytes()
    assert data == b"".join(b"%02d" % n + b"." * 9_998 for n in range(40))
    assert (digest, size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert seen[0] == 0 and 0 < seen[-1] < len(data)  # written while still being made


def test_a_source_shorter_than_its_slice_is_an_error(tmp_path: Path) -> None:
    """A cache file cut short must not give a silently shorter output."""
    source = tmp_path / "short"
    source.write_bytes(b"abc")
    content = Assembled((Slice(str(source), 1, 10),))
    with pytest.raises(OSError), (tmp_path / "out").open("wb") as out:
        assembled.write(out, content)


def test_the_listing_is_made_from_the_files_as_written(tmp_path: Path) -> None:
    """The manifest's digests are those of the bytes on disk, and it lists itself no file."""
    source = tmp_path / "share"
    source.write_bytes(b"0123456789")
    files: dict[str, Content] = {
        "a/snapshot.csv": Assembled((b"h\n", Slice(str(source), 2, 5))),
        "b.txt": b"bee",
    }

    def listing(digests: Digests) -> bytes:
        return repr(sorted(digests.items())).encode()

    out = tmp_path / "out"
    atomic.replace_directory(out, files, Listing("manifest", listing))
    written = {n: (out / n).read_bytes() for n in files}
    assert written == {"a/snapshot.csv": b"h\n23456", "b.txt": b"bee"}
    expected = sorted((n, (hashlib.sha256(b).hexdigest(), len(b))) for n, b in written.items())
    assert (out / "manifest").read_bytes() == repr(expected).encode()


def test_files_written_through_descriptors_are_those_open_would_write(tmp_path: Path) -> None:
    """Bytes go straight to a descriptor, each directory made once: the same tree, modes
    and digests as writing each file with ``open(..., "wb")``."""
    source = tmp_path / "share"
    source.write_bytes(b"0123456789")
    files: dict[str, Content] = {
        "mail/b.eml": b"mail " * 100_000,
        "a/b/c.txt": b"deep",
        "a/d.txt": b"",
        "mail/a.eml": "メール\r\n".encode(),
        "z/pieces.csv": Assembled((b"h\n", Slice(str(source), 2, 5))),
        "top.json": b"{}\n",
    }
    out = tmp_path / "out"
    atomic.replace_directory(out, files, Listing("manifest", lambda d: repr(sorted(d)).encode()))
    plain = tmp_path / "plain"
    plain.mkdir()
    with (plain / "f").open("wb") as f:
        f.write(b"x")
    for name, content in files.items():
        data = (out / name).read_bytes()
        assert data == (content if isinstance(content, bytes) else b"h\n23456"), name
        assert (out / name).stat().st_mode == (plain / "f").stat().st_mode, name
    with (tmp_path / "fd").open("wb") as f:
        by_descriptor = assembled.write(f.fileno(), files["z/pieces.csv"])
    assert (tmp_path / "fd").read_bytes() == b"h\n23456"
    assert by_descriptor == (hashlib.sha256(b"h\n23456").hexdigest(), 7)


def _same_as_tree(out: Path) -> dict[str, Output]:
    """A delta named before the snapshot whose bytes it is, in its own directory."""
    return {
        "a/delta.json": SameAs("b/snapshot.json"),
        "b/snapshot.json": Assembled((b"{", b'"x": 1', b"}\n")),
    }


def test_a_file_the_same_as_another_is_a_second_name_of_it(tmp_path: Path) -> None:
    """Written after the file it names, whatever their order, as a link: one inode, one
    digest, listed under both names."""
    out = tmp_path / "out"
    atomic.replace_directory(
        out, _same_as_tree(out), Listing("manifest", lambda d: repr(sorted(d.items())).encode())
    )
    same, snapshot = out / "a/delta.json", out / "b/snapshot.json"
    assert same.read_bytes() == snapshot.read_bytes() == b'{"x": 1}\n'
    assert same.stat().st_ino == snapshot.stat().st_ino
    digest = (hashlib.sha256(b'{"x": 1}\n').hexdigest(), 9)
    expected = [("a/delta.json", digest), ("b/snapshot.json", digest)]
    assert (out / "manifest").read_bytes() == repr(expected).encode()


def test_a_file_system_without_links_gets_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(source: object, target: object) -> None:
        raise PermissionError("links are not supported here")

    monkeypatch.setattr(os, "link", refused)
    out = tmp_path / "out"
    atomic.replace_directory(out, _same_as_tree(out))
    same, snapshot = out / "a/delta.json", out / "b/snapshot.json"
    assert same.read_bytes() == snapshot.read_bytes() == b'{"x": 1}\n'
    assert same.stat().st_ino != snapshot.stat().st_ino


@pytest.mark.parametrize("links", [True, False])
def test_a_file_kept_elsewhere_is_a_second_name_of_it_or_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: bool
) -> None:
    """A mail an earlier run kept (``Linked``): a link to its file, or a copy where the file
    system has none; listed with the digest it was kept with, never read to hash it."""
    kept = tmp_path / "cache" / "0.eml"
    kept.parent.mkdir()
    kept.write_bytes(b"Subject: x\r\n\r\nbody\r\n")
    digest = hashlib.sha256(kept.read_bytes()).hexdigest()
    if not links:

        def refused(source: object, target: object) -> None:
            raise OSError(18, "Invalid cross-device link")

        monkeypatch.setattr(os, "link", refused)
    out = tmp_path / "out"
    files: dict[str, Output] = {"mail/a.eml": Linked(str(kept), digest, 21)}
    atomic.replace_directory(out, files, Listing("manifest", lambda d: repr(dict(d)).encode()))
    written = out / "mail/a.eml"
    assert written.read_bytes() == kept.read_bytes()
    assert (written.stat().st_ino == kept.stat().st_ino) is links
    assert (out / "manifest").read_bytes() == repr({"mail/a.eml": (digest, 21)}).encode()
