"""Files generated from the registry and committed beside it (schemas, issue forms,
CODEOWNERS): what differs from what would be generated, then written or reported stale.

The one core behind ``accessreg schemas``, ``forms`` and ``codeowners`` (and validate's
``schema-stale``): each command says which text each path should hold; this decides which
are stale and, unless only checking, writes those (each atomically) and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from accessreg.files.atomic import write_text


def stale(wanted: Mapping[Path, str]) -> list[Path]:
    """The paths whose file is missing or holds other text than ``wanted`` says, in order."""
    return [
        path
        for path, text in wanted.items()
        if (path.read_text(encoding="utf-8") if path.exists() else None) != text
    ]


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
            write_text(path, wanted[path])
    return Generated(found, written=not check)
