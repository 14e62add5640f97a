"""Files generated from the registry and committed beside it (schemas, issue forms,
CODEOWNERS): what differs from what would be generated, then written or reported stale.

The one core behind ``accessreg schemas``, ``forms`` and ``codeowners`` (and validate's
``schema-stale`` and ``generated-stale``): each command says which text each path should
hold; this decides which are stale and, unless only checking, writes those (each atomically)
and nothing else. What a pull request put at such a path is read as bytes, never followed
(a link) nor decoded: anything but the very text is stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from accessreg.errors import ConfigError
from accessreg.files.atomic import write_text
from accessreg.files.reasons import os_reason
from accessreg.files.workspace import display
from accessreg.model.messages import msg


def _held(path: Path) -> bytes | None:
    """The bytes of the regular file at ``path``; None for none, a link, a directory."""
    if path.is_symlink() or not path.is_file():
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def stale(wanted: Mapping[Path, str]) -> list[Path]:
    """The paths whose file is missing or holds other text than ``wanted`` says, in order."""
    return [path for path, text in wanted.items() if _held(path) != text.encode("utf-8")]


@dataclass(frozen=True)
class Generated:
    stale: list[Path]  # the files that differed
    written: bool  # False when only checked

    @property
    def fresh(self) -> bool:
        return not self.stale


def sync(wanted: Mapping[Path, str], check: bool) -> Generated:
    """Write every stale file (unless ``check``) and say which they were."""
    found = stale(wanted)
    if not check:
        for path in found:
            try:
                write_text(path, wanted[path])  # a link is replaced, its target left alone
            except OSError as exc:  # a directory in the way, a read-only tree
                raise ConfigError(
                    msg("Cannot write {file}: {why}", file=display(path), why=os_reason(exc))
                ) from None
    return Generated(found, written=not check)
