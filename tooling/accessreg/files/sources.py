"""Where registry files come from: a directory, or (for plans) a snapshot held in memory."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from accessreg.model import layout
from accessreg.model.messages import Message, msg

# What stands in a registry tree where a file would: a submodule entry (git's gitlink), a
# symbolic link, or, in a work tree, a directory named as a registry file (a submodule
# checked out). None is read: each is reported as such (``file-type``).
Entry = Literal["gitlink", "symlink", "directory"]


def irregular_message(what: str) -> Message:
    """What is told of an ``Entry`` where a file would stand (``file-type``, and the
    authorization's ``not-a-file``)."""
    if what == "gitlink":
        name = msg("a submodule entry (gitlink)")
    else:
        name = msg("a symbolic link") if what == "symlink" else msg("a directory")
    return msg(
        "This is {what}, not a file: the registry holds only files; remove it, and write the "
        "file itself if one belongs here",
        what=name,
    )


class Source(Protocol):
    """Files of one registry, by POSIX path relative to the registry directory."""

    label: str  # how reported paths begin, e.g. "registry"

    def paths(self) -> list[str]: ...

    def read(self, rel: str) -> bytes: ...


@runtime_checkable
class Identified(Protocol):
    """A source that knows each file's git blob id (a digest of its content) unread."""

    def blob(self, rel: str) -> str: ...


@runtime_checkable
class Prefetching(Protocol):
    """A source that reads many files at once for less than one by one: from git, one
    ``cat-file`` process for them all, where each file read alone starts its own."""

    def prefetch(self, rels: Iterable[str]) -> None: ...


@runtime_checkable
class Irregular(Protocol):
    """A source that knows the entries of its tree that are no regular file, none of them
    among its ``paths``."""

    def irregular(self) -> Mapping[str, Entry]: ...


def entry_at(path: str | Path) -> Entry | None:
    """What stands at ``path`` on disk when it is no regular file: a symbolic link or a
    directory; None for a file, or nothing."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISLNK(mode):
        return "symlink"
    return "directory" if stat.S_ISDIR(mode) else None


class DirectorySource:
    def __init__(self, root: Path, label: str | None = None) -> None:
        self.root = root
        self.label = label if label is not None else str(root)
        self._irregular: dict[str, Entry] | None = None

    def paths(self) -> list[str]:
        """Every regular file; the symbolic links and the directories named as registry
        files met on the way are ``irregular``, never read nor entered. Hidden directories
        are skipped, as git-ignored ones are by the incremental check."""
        found: list[str] = []
        odd: dict[str, Entry] = {}
        pending = [("", str(self.root))]
        while pending:
            prefix, directory = pending.pop()
            # The directory's entries say their type unread (d_type): no lstat per file.
            with os.scandir(directory) as entries:
                for entry in entries:
                    rel = f"{prefix}{entry.name}"
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name.startswith("."):
                            continue
                        if layout.classify(rel) is not None:
                            odd[rel] = "directory"
                        else:
                            pending.append((f"{rel}/", entry.path))
                    elif entry.is_symlink():
                        odd[rel] = "symlink"
                    else:
                        found.append(rel)
        found.sort()
        self._irregular = odd
        return found

    def irregular(self) -> Mapping[str, Entry]:
        if self._irregular is None:
            self.paths()
        assert self._irregular is not None
        return self._irregular

    def read(self, rel: str) -> bytes:
        return read_in(self.root, rel)


def read_in(root: str | Path, rel: str) -> bytes:
    """The bytes of the file ``rel`` under ``root``. Every reader of a registry on disk
    reads through here.

    A symbolic link is listed as such and never read (``Irregular``, ``file-type``); one
    made between the listing and the read reads as its target path, as git stores it, and
    is never followed: a pull request cannot have the checks read (and quote in
    annotations) a file outside the registry.
    """
    # Joined as text, not by os.path.join (hot path: once per file of the registry); a
    # name that starts with "/" stays under root.
    path = f"{os.fspath(root)}/{rel}"
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

    def __init__(
        self,
        files: Mapping[str, bytes],
        label: str = "registry",
        irregular: Mapping[str, Entry] | None = None,
    ) -> None:
        self.files = dict(files)
        self.label = label
        self._irregular = dict(irregular or {})

    def irregular(self) -> Mapping[str, Entry]:
        return self._irregular

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
        odd = {rel: what for rel, what in self._irregular.items() if rel not in pins or rel in keep}
        return MemorySource(files, self.label, odd)
