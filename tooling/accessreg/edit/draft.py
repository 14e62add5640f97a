"""A pending edit of the registry: read, changed in memory, validated whole, then written.

The edited registry is checked as a whole before anything touches the disk: a second
switching admin, a login ID used by another operator or a sixth JUJU holder are cross-file
findings. In a git work tree the check is incremental (``validation.worktree``): the edit is
laid over the work tree and checked as ``validate --changed-since HEAD`` would check it, the
other operators' files, findings and login IDs taken from the cache, so the cost follows the
edit, not the registry. Elsewhere the directory is read into memory (a ``MemorySource`` with
the changed files laid over it) and checked in full. Nothing is written when there is an
error; then every file stays byte-identical.
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
from accessreg.errors import AccessregError, Refusal, UsageError
from accessreg.files import atomic, gcpause, schemagen
from accessreg.files.loading import DoesNotLoad, load, locate, parse
from accessreg.files.revocations import revoking_operators
from accessreg.files.sources import DirectorySource, Entry, MemorySource
from accessreg.model import Catalog, layout
from accessreg.model.layout import Kind
from accessreg.model.messages import Message, msg, nmsg
from accessreg.model.problems import DataPath, Level, Problem, problem
from accessreg.model.registry import OperatorEntry, Registry, UserEntry
from accessreg.validation.judge import Change, finding_key, of_time
from accessreg.validation.validate import ValidationResult, validate
from accessreg.validation.worktree import WorkTree

FileAction = Literal["added", "modified", "removed"]


class EditRefused(Refusal):
    """The edit cannot be made as asked (unknown user, a certificate file holding a key, ...)."""

    def __init__(
        self,
        message: str | Message,
        problems: Sequence[Problem] = (),
        at: DataPath | None = None,
    ) -> None:
        super().__init__(message)
        self.problems = list(problems)
        self.at = at  # as ``BadValueError.at``


class BadValueError(UsageError):
    """A value the application gives cannot be used whatever the registry holds (a date
    already past, a system one does not apply for): the command was called wrongly (exit 2);
    a form that gives one is refused in its comment like any other edit."""

    def __init__(self, message: str | Message, at: DataPath | None = None) -> None:
        super().__init__(message)
        # The value refused, by its data path in the file (``("terminated_on",)``), as a
        # finding's: a form tells it under the field that gives it (``wording.field_at``).
        self.at = at


class UnknownOperatorError(BadValueError):
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
    # Errors the registry had before the edit in what it touches (the operators it edits,
    # a clash it takes part in, the shared files): they block too.
    standing: tuple[Problem, ...]
    standing_warnings: int  # warnings the registry had before, not shown
    written: bool
    diff: str = ""  # every change as a unified diff of the files (what --dry-run shows)
    # Errors already in the files of operators the edit does not touch: set aside, they do
    # not hold it (``validation.judge``); not located.
    elsewhere: tuple[Problem, ...] = ()
    # Errors already in the files of operators the edit only takes access away from
    # (``files.revocations.revoking_operators``): they stay for a maintainer to fix, as
    # warnings, and do not hold it; located.
    kept: tuple[Problem, ...] = ()
    # Of the errors it would have in ``standing``, those time brought (``judge.of_time``: a
    # code abolished since, an API certificate's renewal that started): they hold it too,
    # but are in the files of an operator it writes, whose window person fixes them as each
    # says, with no maintainer to wait for; located.
    due: tuple[Problem, ...] = ()
    # Whether one of ``problems`` is a value the command was called with that names nothing
    # (``Draft.mistaken``): the command line's usage error (exit 2).
    usage: bool = False

    @property
    def ok(self) -> bool:
        return (
            not self.standing
            and not self.due
            and all(p.level is not Level.ERROR for p in self.problems)
        )

    @property
    def due_notice(self) -> Message | None:
        """What the applicant is told of ``due``, before the errors themselves."""
        if not self.due:
            return None
        return msg(
            "Errors that time brought to the files of an operator this change writes (a code "
            "abolished since, a renewed API certificate that started): the change waits until "
            "they are fixed; no maintainer is needed, fix them first as each one says:"
        )

    @property
    def kept_notice(self) -> Message | None:
        """What the applicant is told of ``kept``, beside the errors themselves."""
        return _kept_notice(self.kept)

    @property
    def elsewhere_notice(self) -> Message | None:
        """What the applicant is told of ``elsewhere``: how many, in how many files, never
        which (another operator's user files are named after their e-mails)."""
        if not self.elsewhere:
            return None
        return msg(
            "In files this change does not write (another operator's, or one whose files it "
            "only deletes), not holding it: {errors} ({files}); a maintainer fixes them",
            errors=nmsg("{count} error", "{count} errors", len(self.elsewhere)),
            files=nmsg("{count} file", "{count} files", len({p.file for p in self.elsewhere})),
        )


def _kept_notice(kept: Sequence[Problem]) -> Message | None:
    if not kept:
        return None
    return msg(
        "Errors already in the files this change only takes access away from, not holding "
        "it: {errors}; what it takes away goes out at merge even while they stand, and a "
        "maintainer fixes them",
        errors=nmsg("{count} error", "{count} errors", len(kept)),
    )


def _worded(message: str | object) -> Message:
    """An error's message as a finding's: a catalog entry, or a plain string as it is."""
    return message if isinstance(message, Message) else msg("{value}", value=str(message))


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
        self.notes: list[Message | Callable[[], Message]] = []
        # Mistakes in the application's values found while it was made (``mistaken``), and
        # whether one of them is a usage error.
        self.mistakes: list[Problem] = []
        self.usage = False
        self._docs: dict[str, Document] = {}
        self._new: dict[str, bytes] = {}
        self._removed: set[str] = set()
        self._base: ValidationResult | None = None
        self._registry: Registry | None = None
        self._irregular: dict[str, Entry] = {}
        self.tree = WorkTree.open(root, label, today)
        if self.tree is not None:
            self._files: dict[str, bytes] = {}  # the work tree is read where needed
            self.catalog: Catalog = self.tree.catalog
            return
        source = DirectorySource(root, label)
        self._files = {rel: source.read(rel) for rel in source.paths()}
        self._irregular = dict(source.irregular())  # never read: reported as such
        self._base = validate(MemorySource(self._files, label, self._irregular), today)
        if self._base.registry is None:
            raise DoesNotLoad(
                msg("the catalog {file}", file=label + "/" + layout.CATALOG_FILE),
                [p for p in self._base.problems if p.level is Level.ERROR],
            )
        self._registry = self._base.registry
        self.catalog = self._registry.catalog

    @property
    def registry(self) -> Registry:
        """The registry before the edit: every operator (users: ``users_of``)."""
        if self._registry is None:
            assert self.tree is not None
            self._registry = self.tree.registry()
        return self._registry

    def operator(self, code: str) -> OperatorEntry | None:
        """Operator ``code`` before the edit, as the file named after it holds it."""
        if self._registry is None and self.tree is not None:
            return self.tree.operator(code)
        return self.registry.operators.get(code)

    def close(self) -> None:
        """End the git processes of the work tree, if one was opened."""
        if self.tree is not None:
            self.tree.close()

    @property
    def base(self) -> ValidationResult:
        """The problems of the registry before the edit, every finding standing."""
        if self._base is None:
            assert self.tree is not None
            self._base = self.tree.check({}, None)
        return self._base

    # -- reading -----------------------------------------------------------------------------
    def original(self, rel: str) -> bytes | None:
        """A file as it is before the edit; None when there is none."""
        if self.tree is not None:
            return self.tree.read(rel)
        return self._files.get(rel)

    def _in_base(self, rel: str) -> bool:
        return self.tree.exists(rel) if self.tree is not None else rel in self._files

    def exists(self, rel: str) -> bool:
        if rel in self._removed:
            return False
        return rel in self._new or self._in_base(rel)

    def files_under(self, prefix: str) -> list[str]:
        listed = (
            self.tree.files_under(prefix)
            if self.tree is not None
            else [r for r in self._files if r.startswith(prefix)]
        )
        return sorted(r for r in listed if self.exists(r))

    def users_of(self, code: str) -> Sequence[UserEntry]:
        """The users of operator ``code`` before the edit."""
        if self.tree is not None:
            return self.tree.users_of(code)
        return self.registry.users_of(code)

    def user(self, rel: str) -> UserEntry | None:
        """The user of file ``rel`` before the edit, as it loads; None where it does not
        (a forced merge broke it): its values were checked as every file's are."""
        if self.tree is not None:
            return self.tree.user(rel)
        return next((u for u in self.registry.users if u.file == rel), None)

    def document(self, rel: str) -> Document:
        """The round-trip document of an existing file, to be edited in place."""
        if rel not in self._docs:
            if not self.exists(rel):
                raise EditRefused(msg("{file} does not exist", file=self.label + "/" + rel))
            raw = self._new[rel] if rel in self._new else self.original(rel) or b""
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
        if self._in_base(rel):
            self._removed.add(rel)

    def move(self, rel: str, to: str) -> Document:
        """Move the file ``rel`` to ``to`` (same kind, same depth: its modeline holds), and
        return its document to be edited there. Like every change it is held until the
        registry validates: the new file is written and the old one removed together, or
        neither is."""
        to = _safe(to)
        if self.exists(to):
            raise EditRefused(msg("{file} already exists", file=self.label + "/" + to))
        doc = self.document(rel)
        self.remove(rel)
        self._removed.discard(to)
        self._new[to] = yamldoc.dump(doc)
        self._docs[to] = doc
        return doc

    def mistaken(self, rel: str, rule: str, refused: AccessregError, path: DataPath = ()) -> None:
        """A value of the application that is wrong although its checks could still run
        (an operator code in lower case: the operator it can only mean is known; a login ID
        with a full-width ＠: the user it can only mean is found), found as ``rule`` in the
        file ``rel`` it writes, on the field ``path`` it gives when the file has it (else on
        its first line): told with the findings of the edited registry, so that it hides
        none of them, and holding the edit as they do."""
        found = problem(rel, rule, _worded(refused.message), path)
        raw = self.original(rel) if path else None
        self.mistakes.append(
            locate(found, raw, self.label)
            if raw
            else replace(found, file=f"{self.label}/{rel}").located(1, 1)
        )
        self.usage = self.usage or isinstance(refused, UsageError)

    def alone(self, rel: str, kind: Kind, doc: Document) -> list[Problem]:
        """The findings of ``doc`` as the file ``rel`` on its own (its text and its schema):
        what can still be told of an application whose file cannot be laid in the registry
        (its operator is none), each on a field the application gives: a field it could
        not fill (the operator's own code, for one) is not told missing."""
        raw = yamldoc.new_file(kind, rel, doc)
        checker = schemagen.checks(self.catalog).checkers[kind]
        found = parse(rel, kind, raw, checker).problems
        given = [p for p in found if p.path and p.path[0] in doc and p.level is Level.ERROR]
        return [locate(p, raw, self.label) for p in given]

    def note(self, line: Message | Callable[[], Message]) -> None:
        """One item of the application; a callable is worded once every change of the edit
        is made: what one change applies for can depend on another in the same edit (a
        change of admin, ``users``)."""
        self.notes.append(line)

    def worded(self) -> tuple[Message, ...]:
        """The notes, each worded with the edit as a whole."""
        return tuple(n if isinstance(n, Message) else n() for n in self.notes)

    def changed(self) -> dict[str, bytes | None]:
        """Every file that differs from the directory: new content, or None for a removal."""
        out: dict[str, bytes | None] = {rel: None for rel in sorted(self._removed)}
        for rel, raw in self._new.items():
            if rel not in self._docs and self.original(rel) != raw:
                out[rel] = raw
        for rel, doc in self._docs.items():
            raw = yamldoc.dump(doc)  # a leading comment (the modeline) survives the round trip
            if self.original(rel) != raw:
                out[rel] = raw
        return dict(sorted(out.items()))

    def around(
        self, changed: dict[str, bytes | None]
    ) -> tuple[Registry, Registry | None, list[str]]:
        """The registry before and after ``changed``, each holding at least the shared files,
        every operator file and the changed files, and every user file's path before it:
        what ``authorize``'s rules read. None after: the changed registry does not load."""
        if self.tree is not None:
            return self.tree.around(changed)
        after = load(self._laid_over(changed)).registry
        users = [rel for rel in self._files if layout.classify(rel) is Kind.USER]
        return self.registry, after, users

    def check(self, changed: dict[str, bytes | None]) -> ValidationResult:
        """The registry with ``changed`` laid over it, judged as this edit's change: what
        time did to other operators, and the errors already in their files, do not block it."""
        gone = frozenset(rel for rel, raw in changed.items() if raw is None)
        change = Change(frozenset(changed), removed=gone)
        if self.tree is not None:
            return self.tree.check(changed, change)
        return validate(self._laid_over(changed), self.today, change=change)

    def _laid_over(self, changed: dict[str, bytes | None]) -> MemorySource:
        """The files with ``changed`` laid over them (None: removed)."""
        return MemorySource(self._files, self.label, self._irregular).pinned(changed)


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
        old = draft.original(rel)
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
    # Both checks hold the cached findings of every operator: many objects, no cycles, kept
    # out of the collector's passes until the command ends.
    notes = draft.worded()
    with gcpause.kept() as keep:
        with gcpause.paused():
            after = draft.check(changed)
            before = {finding_key(p) for p in draft.base.problems}
            keep()
        return _finished(draft, changed, after, before, notes, write)


def _operator_of(draft: Draft, p: Problem) -> str | None:
    """The operator whose file a located problem is in."""
    return layout.split(p.file.removeprefix(f"{draft.label}/"))[1]


def _finished(
    draft: Draft,
    changed: dict[str, bytes | None],
    after: ValidationResult,
    before: set[tuple[str, str, str, Message]],
    notes: tuple[Message, ...],
    write: bool,
) -> EditResult:
    # A mistake of the application is told once, as the error it is: the rule's own finding
    # on the same value (a warning of time, for an expiry already past) is left out.
    told = {(p.file, p.rule, p.path) for p in draft.mistakes}
    new = (
        *draft.mistakes,
        *(
            p
            for p in after.problems
            if finding_key(p) not in before and (p.file, p.rule, p.path) not in told
        ),
    )
    standing = tuple(
        p for p in after.problems if finding_key(p) in before and p.level is Level.ERROR
    )
    # Errors already in the files of operators it only takes access away from hold nothing.
    revoked = revoking_operators((rel, draft.original(rel), raw) for rel, raw in changed.items())
    kept = tuple(
        replace(p, level=Level.WARNING) for p in standing if _operator_of(draft, p) in revoked
    )
    standing = tuple(p for p in standing if _operator_of(draft, p) not in revoked)
    due = tuple(p for p in standing if of_time(p))
    standing = tuple(p for p in standing if not of_time(p))
    standing_warnings = sum(
        1 for p in after.problems if finding_key(p) in before and p.level is Level.WARNING
    )
    changes = tuple(
        FileChange(
            rel,
            "removed"
            if raw is None
            else "modified"
            if draft.original(rel) is not None
            else "added",
        )
        for rel, raw in changed.items()
    )
    result = EditResult(
        draft.label,
        changes,
        notes,
        new,
        standing,
        standing_warnings,
        False,
        _diff(draft, changed),
        tuple(p for p in after.set_aside if not of_time(p)),
        kept,
        due,
        draft.usage,
    )
    draft.close()
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
    try:
        operation(draft)
        return finish(draft, write)
    finally:
        draft.close()
