"""A pending edit of the registry: read once, changed in memory, validated whole, then written.

The edited registry is checked as a whole (a ``MemorySource`` of the directory with the changed
files laid over it) before anything touches the disk: a second switching admin, a login ID used
by another operator or a sixth JUJU holder are cross-file findings. Nothing is written when
there is an error; then every file stays byte-identical.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Literal

from accessreg.edit import yamldoc
from accessreg.edit.yamldoc import Document
from accessreg.errors import Refusal, UsageError
from accessreg.files import atomic
from accessreg.files.loading import DoesNotLoad
from accessreg.files.sources import DirectorySource, MemorySource
from accessreg.model import layout
from accessreg.model.layout import Kind
from accessreg.model.messages import Message, msg
from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry
from accessreg.validation.judge import Change
from accessreg.validation.validate import ValidationResult, validate

FileAction = Literal["added", "modified", "removed"]


class EditRefused(Refusal):
    """The edit cannot be made as asked (unknown user, a certificate file holding a key, ...)."""

    def __init__(self, message: str | Message, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class UnknownOperatorError(UsageError):
    """The operator named does not exist: the command was called wrongly (exit 2); a form
    that names one is refused in its comment like any other edit."""


@dataclass(frozen=True)
class FileChange:
    rel: str  # relative to the registry directory
    action: FileAction


@dataclass(frozen=True)
class EditResult:
    """What an edit did, or would do, and what the validation of its result found."""

    label: str  # how the registry directory is shown, e.g. "registry"
    changes: tuple[FileChange, ...]
    notes: tuple[Message, ...]  # one line per item of the application
    problems: tuple[Problem, ...]  # findings the edit brings (errors block, warnings do not)
    standing: tuple[Problem, ...]  # errors the registry had before the edit: they block too
    standing_warnings: int  # warnings the registry had before, not shown
    written: bool
    diff: str = ""  # every change as a unified diff of the files (what --dry-run shows)

    @property
    def ok(self) -> bool:
        return not self.standing and all(p.level is not Level.ERROR for p in self.problems)


def _key(p: Problem) -> tuple[str, str, str, Message]:
    return (p.file, p.rule, str(p.level), p.message)  # lines move when a file is edited


def _safe(rel: str) -> str:
    parts = rel.split("/")
    if any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts):
        raise EditRefused(msg("{rel} is not a file name the registry can hold", rel=rel))
    return rel


class Draft:
    """The registry as read from ``root``, with pending changes held in memory."""

    def __init__(self, root: Path, label: str, today: date) -> None:
        self.root = root
        self.label = label
        self.today = today
        source = DirectorySource(root, label)
        self.base_files: dict[str, bytes] = {rel: source.read(rel) for rel in source.paths()}
        self.base: ValidationResult = validate(MemorySource(self.base_files, label), today)
        if self.base.registry is None:
            raise DoesNotLoad(
                msg("the catalog {file}", file=label + "/" + layout.CATALOG_FILE),
                [p for p in self.base.problems if p.level is Level.ERROR],
            )
        self.registry: Registry = self.base.registry
        self.notes: list[Message] = []
        self._docs: dict[str, Document] = {}
        self._new: dict[str, bytes] = {}
        self._removed: set[str] = set()

    # -- reading -----------------------------------------------------------------------------
    def exists(self, rel: str) -> bool:
        if rel in self._removed:
            return False
        return rel in self.base_files or rel in self._new

    def files_under(self, prefix: str) -> list[str]:
        return sorted(r for r in self.base_files if r.startswith(prefix) and self.exists(r))

    def document(self, rel: str) -> Document:
        """The round-trip document of an existing file, to be edited in place."""
        if rel not in self._docs:
            if not self.exists(rel):
                raise EditRefused(msg("{file} does not exist", file=self.label + "/" + rel))
            raw = self._new.get(rel, self.base_files.get(rel, b""))
            try:
                self._docs[rel] = yamldoc.load(raw)
            except yamldoc.NotEditable as exc:
                raise EditRefused(
                    msg(
                        "{file} cannot be edited: {why}",
                        file=self.label + "/" + rel,
                        why=exc.why,
                    )
                ) from None
        return self._docs[rel]

    # -- changing ----------------------------------------------------------------------------
    def create(self, rel: str, kind: Kind, doc: Document) -> None:
        rel = _safe(rel)
        if self.exists(rel):
            raise EditRefused(msg("{file} already exists", file=self.label + "/" + rel))
        self._removed.discard(rel)
        self._new[rel] = yamldoc.new_file(kind, rel, doc)

    def remove(self, rel: str) -> None:
        if not self.exists(rel):
            raise EditRefused(msg("{file} does not exist", file=self.label + "/" + rel))
        self._docs.pop(rel, None)
        self._new.pop(rel, None)
        if rel in self.base_files:
            self._removed.add(rel)

    def note(self, line: Message) -> None:
        self.notes.append(line)

    def changed(self) -> dict[str, bytes | None]:
        """Every file that differs from the directory: new content, or None for a removal."""
        out: dict[str, bytes | None] = {rel: None for rel in sorted(self._removed)}
        for rel, raw in self._new.items():
            if rel not in self._docs and self.base_files.get(rel) != raw:
                out[rel] = raw
        for rel, doc in self._docs.items():
            raw = yamldoc.dump(doc)  # a leading comment (the modeline) survives the round trip
            if self.base_files.get(rel) != raw:
                out[rel] = raw
        return dict(sorted(out.items()))

    def overlay(self, changed: dict[str, bytes | None]) -> dict[str, bytes]:
        files = dict(self.base_files)
        for rel, raw in changed.items():
            if raw is None:
                files.pop(rel, None)
            else:
                files[rel] = raw
        return files


def _write(root: Path, changed: dict[str, bytes | None]) -> None:
    for rel, raw in changed.items():
        if raw is not None:
            atomic.write_bytes(root / rel, raw)
    for rel, raw in changed.items():
        if raw is None:
            path = root / rel
            path.unlink()
            parent = path.parent
            if (
                parent != root
                and parent.is_relative_to(root / layout.USERS_DIR)
                and not any(parent.iterdir())
            ):
                parent.rmdir()  # a terminated operator's users/<CODE>/ goes with its files


def _diff(draft: Draft, changed: dict[str, bytes | None]) -> str:
    """The changes as ``git diff`` shows them: what a reviewer will see in the pull request."""
    out: list[str] = []
    for rel, raw in changed.items():
        old = draft.base_files.get(rel)
        before = old.decode("utf-8", "replace").splitlines(keepends=True) if old else []
        after = raw.decode("utf-8", "replace").splitlines(keepends=True) if raw else []
        out.extend(
            difflib.unified_diff(
                before,
                after,
                f"a/{draft.label}/{rel}" if old is not None else "/dev/null",
                f"b/{draft.label}/{rel}" if raw is not None else "/dev/null",
            )
        )
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def finish(draft: Draft, write: bool = True) -> EditResult:
    """Validate the registry with the draft's changes; write them only if it is clean."""
    changed = draft.changed()
    if not changed:
        raise EditRefused(msg("Nothing changes: the registry already says this"))
    # Judged as this edit's change: what time did to other operators does not block it.
    after = validate(
        MemorySource(draft.overlay(changed), draft.label),
        draft.today,
        change=Change(frozenset(changed)),
    )
    before = {_key(p) for p in draft.base.problems}
    new = tuple(p for p in after.problems if _key(p) not in before)
    standing = tuple(p for p in after.problems if _key(p) in before and p.level is Level.ERROR)
    standing_warnings = sum(
        1 for p in after.problems if _key(p) in before and p.level is Level.WARNING
    )
    changes = tuple(
        FileChange(
            rel,
            "removed" if raw is None else "modified" if rel in draft.base_files else "added",
        )
        for rel, raw in changed.items()
    )
    result = EditResult(
        draft.label,
        changes,
        tuple(draft.notes),
        new,
        standing,
        standing_warnings,
        False,
        _diff(draft, changed),
    )
    if result.ok and write:
        _write(draft.root, changed)
        return replace(result, written=True)
    return result


Operation = Callable[[Draft], None]


def run(
    root: Path, label: str, today: date, operation: Operation, write: bool = True
) -> EditResult:
    """Open the registry, apply one edit in memory, validate the whole, write if clean."""
    draft = Draft(root, label, today)
    operation(draft)
    return finish(draft, write)
