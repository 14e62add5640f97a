"""Write files so that a reader sees the old content or the new, never half of either."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
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


def replace_directory(path: Path, files: dict[str, bytes]) -> None:
    """Make ``path`` hold exactly ``files`` (relative POSIX paths): all of them or, on any
    failure, the directory as it was. The new tree is written beside it and swapped in by
    renames. A directory that is not empty and was not made by this function is refused,
    so that a wrong ``--out`` never deletes anyone's files."""
    path = path.absolute()
    if path.exists() and (
        not path.is_dir() or (any(path.iterdir()) and not (path / MARKER).exists())
    ):
        raise FileExistsError(f"{path} exists and is not an accessreg output directory")
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.new."))
    old: Path | None = None
    try:
        for rel, data in {**files, MARKER: b""}.items():
            target = fresh / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if path.exists():
            old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.old."))
            path.replace(old / "d")
        fresh.replace(path)
    except BaseException:
        if old is not None and not path.exists():
            (old / "d").replace(path)
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
