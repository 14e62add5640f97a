"""Write files so that a reader sees the old content or the new, never half of either."""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from accessreg.files import assembled
from accessreg.model.content import Content, Deferred, Linked, Listing, Output, SameAs

# The process's umask, read as the module loads (setting it is the only way to read it, and
# no other thread runs yet): a new file gets the mode ``open`` would give it.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _mode(path: Path) -> int:
    """The mode a file written at ``path`` keeps: the one it replaces, else the umask's."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_UMASK


def write_bytes(path: Path, data: bytes) -> None:
    """``data`` at ``path``, swapped in whole, with the mode the file had (a new one: as
    ``open`` makes it; not the owner-only mode of a temporary file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A short name of its own: the longest file names leave no room for a suffix.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".accessreg-", suffix=".tmp")
    try:
        os.fchmod(fd, _mode(path))
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


MARKER = ".accessreg-output"  # marks a directory as ours to replace
# A leftover whose writer may still be alive (its process exists, or it names none) is
# removed once it is this old: writing an output tree takes seconds.
STALE_AFTER_SECONDS = 3600


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def abandoned(leftover: Path) -> bool:
    """Left behind by a writer that was killed: the process its name records is gone, or
    it is older than ``STALE_AFTER_SECONDS``. Its name ends ``.<pid>.<random>``, as
    ``tempfile.mkdtemp`` with a prefix ending ``.<pid>.`` makes it."""
    parts = leftover.name.rsplit(".", 2)  # .<name>.new.<pid>.<random> → [..., pid, random]
    try:
        age = time.time() - leftover.lstat().st_mtime
    except OSError:  # gone already, or not ours to look at
        return False
    if age > STALE_AFTER_SECONDS:
        return True
    return len(parts) == 3 and parts[1].isdigit() and not _alive(int(parts[1]))


def sweep(path: Path) -> list[Path]:
    """Remove the trees a killed ``replace_directory`` or ``scratch`` left beside ``path``
    (the half-written new one, the old one it was replacing, the run's scratch: all may
    hold personal data); the removed ones."""
    removed = []
    for kind in ("new", "old", "scratch"):
        for leftover in path.parent.glob(f".{glob.escape(path.name)}.{kind}.*"):
            if leftover.is_dir() and not leftover.is_symlink() and abandoned(leftover):
                shutil.rmtree(leftover, ignore_errors=True)
                removed.append(leftover)
    return removed


@contextmanager
def scratch(path: Path) -> Iterator[Path]:
    """An empty directory beside the output directory ``path`` for what a run puts aside
    while it makes the outputs, removed afterwards; one a killed run left is removed by
    the next one's ``sweep``, as a half-written output is."""
    path = path.absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    made = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.scratch.{os.getpid()}."))
    try:
        yield made
    finally:
        shutil.rmtree(made, ignore_errors=True)


class NotAnOutputDirectoryError(FileExistsError):
    """The directory exists, holds files and was not made by :func:`replace_directory`."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} exists and is not an accessreg output directory")
        self.path = path


class OutputsBusyError(BlockingIOError):
    """Another process holds the output directory (:func:`claimed`)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} is being written by another run")
        self.path = path


class LockUnusableError(OSError):
    """The lock file beside the output directory cannot be opened as one (a directory, a
    link or a file of another user is where it goes)."""

    def __init__(self, lock: Path, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror, str(lock))
        self.lock = lock
        self.cause = cause


@contextmanager
def claimed(path: Path) -> Iterator[None]:
    """The output directory ``path`` this process's alone while the block runs: an
    exclusive lock (``flock``) on ``.<name>.lock`` beside it. A second run on the same
    directory is refused at once (OutputsBusyError) rather than left to replace the
    outputs of a run that records them. The kernel lets the lock go when the process
    ends, however it ends: a killed run leaves an empty file that holds no one back. The
    directories made for the lock are removed again, where empty, by a run that leaves no
    outputs (one refused, or failing before it writes): a refusal changes nothing."""
    path = path.absolute()
    made = _first_missing(path.parent)
    lock = path.parent / f".{path.name}.lock"
    while True:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # a link where the lock goes is followed nowhere (ELOOP): no file made elsewhere
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o666)
        except FileNotFoundError:
            continue  # another run, refused, removed the directory it had made meanwhile
        except OSError as exc:
            raise LockUnusableError(lock, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputsBusyError(path) from None
        try:
            held = lock.stat().st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            held = False
        if held:
            break
        os.close(fd)  # the file a run let go of and removed meanwhile: take the new one
    try:
        yield
    finally:
        # Removed while still held, so that a run that opened it meanwhile takes a new one.
        lock.unlink(missing_ok=True)
        os.close(fd)
        if made is not None and not path.exists():
            _remove_empty(path.parent, made)


def _first_missing(directory: Path) -> Path | None:
    """The outermost of ``directory`` and its parents that does not exist (None: it does)."""
    missing = None
    for at in (directory, *directory.parents):
        if at.exists():
            break
        missing = at
    return missing


def _remove_empty(directory: Path, up_to: Path) -> None:
    """Remove ``directory`` and its parents up to ``up_to``, as long as each is empty: one
    that holds anything (another run's lock or outputs) stays, with those above it."""
    for at in (directory, *directory.parents):
        try:
            at.rmdir()
        except OSError:
            return
        if at == up_to:
            return


class Replaced:
    """An output directory just swapped in, and the one it replaced, kept aside until
    ``done`` (or put back by ``restore``)."""

    def __init__(self, path: Path, old: Path | None) -> None:
        self.path = path
        self._old = old

    def had(self, name: str) -> bool:
        """Whether the directory replaced held the file ``name``."""
        return self._old is not None and (self._old / "d" / name).exists()

    def restore(self) -> None:
        """Put the directory replaced back in place (the new one removed)."""
        if self._old is None:
            return
        prefix = f".{self.path.name}.old.{os.getpid()}."
        gone = Path(tempfile.mkdtemp(dir=self.path.parent, prefix=prefix))
        if self.path.exists():
            self.path.replace(gone / "d")
        (self._old / "d").replace(self.path)
        shutil.rmtree(gone, ignore_errors=True)

    def done(self) -> None:
        if self._old is not None:
            shutil.rmtree(self._old, ignore_errors=True)
            self._old = None


def replace_directory(
    path: Path, files: Mapping[str, Output], listing: Listing | None = None
) -> None:
    """Make ``path`` hold exactly ``files`` (see ``swap_in``)."""
    swap_in(path, files, listing).done()


def swap_in(path: Path, files: Mapping[str, Output], listing: Listing | None = None) -> Replaced:
    """Make ``path`` hold exactly ``files`` (relative POSIX paths) and the ``listing`` of
    them, written last: all of them or, on any failure, the directory as it was. The new
    tree is written beside it and swapped in by renames; the one it replaces is kept aside
    until the caller is ``done`` with it. A directory that is not empty and was not made by
    this function is refused, so that a wrong ``--out`` never deletes anyone's files. What
    a killed earlier call left beside it is removed first (``sweep``)."""
    path = path.absolute()
    if path.exists() and (
        not path.is_dir() or (any(path.iterdir()) and not (path / MARKER).exists())
    ):
        raise NotAnOutputDirectoryError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep(path)
    pid = os.getpid()  # in the names, so that a later call knows when their writer is gone
    fresh = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.new.{pid}."))
    old: Path | None = None
    try:
        digests: dict[str, tuple[str, int]] = {}
        made: set[Path] = {fresh}  # directories made so far: each asked for once
        with assembled.Sources() as sources:
            for rel, data in files.items():
                if isinstance(data, Linked):
                    _same(data.path, fresh, rel, made)
                    digests[rel] = (data.sha256, data.size)
                elif not isinstance(data, SameAs):
                    digests[rel] = _write(fresh / rel, data, sources, made)
        for rel, data in files.items():
            if isinstance(data, SameAs):
                _same(f"{fresh}/{data.name}", fresh, rel, made)
                digests[rel] = digests[data.name]
        if listing is not None:
            _write(fresh / listing.name, listing.render(digests))
        _write(fresh / MARKER, b"")
        if path.exists():
            old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.old.{pid}."))
            path.replace(old / "d")
        fresh.replace(path)
    except BaseException:
        if old is not None and not path.exists():
            (old / "d").replace(path)
        shutil.rmtree(fresh, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        raise
    return Replaced(path, old)


def _same(source: str, fresh: Path, rel: str, made: set[Path]) -> None:
    """``rel`` of the tree ``fresh`` holding the bytes of ``source``: a second name of it
    where the file system allows one (outputs are never changed in place), else a copy.
    Paths as strings, and each directory made once: a run owing a first batch's notices
    links 20,141 mails, and paths as objects cost more than the links."""
    parent, _, _ = rel.rpartition("/")
    directory = fresh / parent if parent else fresh
    if directory not in made:
        directory.mkdir(parents=True, exist_ok=True)
        made.add(directory)
    target = f"{fresh}/{rel}"
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


# What open(path, "wb") asks of the system, without its buffer, its size and terminal checks.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC


def _write(
    target: Path,
    data: Content | Deferred,
    sources: assembled.Sources | None = None,
    made: set[Path] | None = None,
) -> tuple[str, int]:
    if made is None or target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made.add(target.parent)
    # Thousands of mails: each file opened, written and closed, three calls to the system
    # (pieces are gathered into blocks by ``assembled.write`` itself).
    fd = os.open(target, _NEW_FILE, 0o666)
    try:
        return assembled.write(fd, data, sources)
    finally:
        os.close(fd)
