"""Where registry files come from: a directory, or (for plans) a snapshot held in memory."""

from __future__ import annotations

import errno
import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable


class Source(Protocol):
    """Files of one registry, by POSIX path relative to the registry directory."""

    label: str  # how reported paths begin, e.g. "registry"

    def paths(self) -> list[str]: ...

    def read(self, rel: str) -> bytes: ...


@runtime_checkable
class Identified(Protocol):
    """A source that knows each file's git blob id (a digest of its content) unread."""

    def blob(self, rel: str) -> str: ...


class DirectorySource:
    def __init__(self, root: Path, label: str | None = None) -> None:
        self.root = root
        self.label = label if label is not None else str(root)

    def paths(self) -> list[str]:
        found: list[str] = []
        base = len(str(self.root)) + 1
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            prefix = dirpath[base:].replace(os.sep, "/")
            for name in filenames:
                found.append(f"{prefix}/{name}" if prefix else name)
        found.sort()
        return found

    def read(self, rel: str) -> bytes:
        return read_in(self.root, rel)


def read_in(root: str | Path, rel: str) -> bytes:
    """The bytes of the file ``rel`` under ``root``; a symbolic link reads as its target
    path, as git stores it. Every reader of a registry on disk reads through here.

    Never following links keeps a pull request from having the checks read (and quote in
    annotations) a file outside the registry.
    """
    path = os.path.join(root, rel)  # noqa: PTH118 - hot path
    try:
        # Bare system calls: a Python file object costs more than reading a small file.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return str(Path(path).readlink()).encode("utf-8", "surrogateescape")
        raise
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class MemorySource:
    """A snapshot already read (a git tree, an edited registry before it is written)."""

    def __init__(self, files: Mapping[str, bytes], label: str = "registry") -> None:
        self.files = dict(files)
        self.label = label

    def paths(self) -> list[str]:
        return sorted(self.files)

    def read(self, rel: str) -> bytes:
        return self.files[rel]

    def pinned(self, pins: Mapping[str, bytes | None], keep: Collection[str] = ()) -> MemorySource:
        """The same files with ``pins`` laid over them (None: absent), but those in ``keep``."""
        files = dict(self.files)
        for rel, content in pins.items():
            if rel in keep:
                continue
            if content is None:
                files.pop(rel, None)
            else:
                files[rel] = content
        return MemorySource(files, self.label)
