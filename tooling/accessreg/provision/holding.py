"""What an error at HEAD holds back, and nothing more (README "When provisioning stops").

``main`` should never hold an error (the merge queue checks every combination), but a forced
merge or a race without the queue can leave one. Provisioning then goes on for everyone
else, and holds back exactly what the error involves:

- an error in a user's file holds back that file (both holders of a clashing login ID have
  their own finding, so both are held);
- an error in an operator's file holds back the operator: its file and its users' files;
- a file deleted at HEAD is never held: a removal is never held back;
- an entry that is no file where a user's or an operator's file belongs (a symbolic link, a
  submodule entry) is held as a file with an error: downstream keeps what it has of that
  path, and a user's file made a link is no removal;
- an error in a shared file (the catalog, the calendar, the maintainers) stops the run, since
  nothing can be provisioned against it; a file where no file belongs is not provisioned
  anyway and holds nothing back.

A held file keeps the content downstream systems have of it (none for a new one), so nothing
of it is applied and no notice is sent for it, but for what its version at HEAD revokes
(``files.revocations``: a certificate suspended, an address or a window person removed, a
termination), which goes out over that content, and stays with it while the file is held;
once HEAD no longer has an error in it, the next run releases it (``merges.history``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NoReturn

from accessreg.errors import ProblemsFound
from accessreg.files.cachedload import Shared, keep_loaded, load_cached
from accessreg.files.loading import LoadResult
from accessreg.files.parsecache import cache_dir
from accessreg.gitio.repo import BlobSource, GitRepository, Listing
from accessreg.model import Operator, User, layout
from accessreg.model.layout import Kind
from accessreg.model.messages import Verbatim, msg
from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry
from accessreg.outputs.csv_ import Encoding, unwritable
from accessreg.provision.merges import PREFIX, pinned_content, revoked_over
from accessreg.provision.state import HeldFile, State
from accessreg.reporting import reporters
from accessreg.validation.incremental import keep_full_run, validate_incremental
from accessreg.validation.judge import Change
from accessreg.validation.validate import ValidationResult, locate_all, validate


@dataclass(frozen=True)
class Hold:
    """What one run holds back, and why."""

    files: frozenset[str]  # registry paths held back
    problems: tuple[Problem, ...]  # the errors that hold them, located
    refused: tuple[Problem, ...]  # errors in shared files: the run cannot go on

    def operators(self) -> dict[str, list[Problem]]:
        """Each operator with a file held back, and the errors in its files."""
        found: dict[str, list[Problem]] = defaultdict(list)
        for p in self.problems:
            rel = layout.registry_rel(p.file) or p.file
            found[layout.operator_of(rel) or ""].append(p)
        return dict(sorted(found.items()))

    def files_of(self, operator: str) -> list[str]:
        return sorted(f for f in self.files if layout.operator_of(f) == operator)


def _claims(p: Problem) -> tuple[str, ...] | None:
    """The paths an error holds back: a user's file; an operator's file and its users'
    directory; none for a file where no file belongs. None: a shared file (the catalog,
    the calendar, the maintainers), against which nothing can be provisioned."""
    rel = layout.registry_rel(p.file) or p.file
    kind, code = layout.split(rel)
    if kind is Kind.USER:
        return (rel,)
    if kind is Kind.OPERATOR and code is not None:
        return (rel, f"{layout.USERS_DIR}/{code}")
    return None if kind is not None else ()


def hold(errors: Iterable[Problem], present: Collection[str]) -> Hold:
    """What ``errors`` (located, as ``registry/…``) hold back of HEAD's files ``present``."""
    listed = set(present)
    under: dict[str, list[str]] = defaultdict(list)  # a users' directory → its files
    for rel in listed:
        kind, code = layout.split(rel)
        if kind is Kind.USER and code is not None:
            under[f"{layout.USERS_DIR}/{code}"].append(rel)
    files: set[str] = set()
    holding: list[Problem] = []
    refused: list[Problem] = []
    for p in errors:
        claims = _claims(p)
        if claims is None:
            refused.append(p)
            continue
        for claim in claims:
            files.update(under.get(claim, [claim]))
        holding.append(p)
    return Hold(frozenset(files & listed), tuple(holding), tuple(refused))


def _around(errors: Iterable[Problem]) -> list[str]:
    """What ``hold`` needs to know of HEAD's files for ``errors`` (a listing of those
    paths, not of the 200,000 files of the tree)."""
    return sorted({c for p in errors for c in _claims(p) or ()})


@dataclass(frozen=True)
class Isolation:
    """One run's view of HEAD: what it holds back, and how downstream stands on those files."""

    registry: Registry | None  # HEAD, as validated (None: validated by what changed)
    hold: Hold
    pins: dict[str, bytes | None]  # every file held back or released → downstream's content
    revs: dict[str, str | None]  # the same files → the revision of that content
    released: frozenset[str]  # held back before, released now
    held: dict[str, HeldFile]  # what the state records once the run is applied
    # The operators whose files the run must read (None: every one): those the range
    # changes, and those with a file held back or released.
    scope: frozenset[str] | None = None
    # What validating HEAD parsed and built, for the run's loads of the registry.
    loaded: Shared = field(default_factory=Shared)
    # Files held back whose version at HEAD revokes part of what downstream holds → that
    # content with the revocations laid over it: the run applies them.
    revoked: dict[str, bytes] = field(default_factory=dict)
    # Files held back before whose content downstream holds with revocations taken since
    # → the revisions taken from (``HeldFile.revoked``; in ``pins`` already).
    chains: dict[str, tuple[str, ...]] = field(default_factory=dict)


_SHARED = (Kind.CATALOG, Kind.CALENDAR, Kind.MAINTAINERS)


def scope_of(
    repo: GitRepository, base: str | None, head: str, touched: Collection[str]
) -> frozenset[str] | None:
    """The operators whose files ``touched`` (registry paths) are, or None when the run
    must read everything: a first run, a changed shared file (the catalog decides every
    holder's rows), or a history rewritten since ``base``."""
    if base is None or not repo.is_ancestor(base, head):
        return None
    codes = set()
    for rel in touched:
        kind, code = layout.split(rel)
        if kind in _SHARED:
            return None
        if code is not None and kind in (Kind.OPERATOR, Kind.USER):
            codes.add(code)
    return frozenset(codes)


def _stepped(repo: GitRepository, base: str | None, head: str) -> set[str]:
    """The registry files a merge of the range changed, though the range as a whole may
    not (a user deleted, then filed again the same): their operators' merges are
    applications of their own, each applied on its day (``merges._went_and_came``)."""
    if base is None or not repo.is_ancestor(base, head):
        return set()
    paths = repo.first_parent_paths(base, head).values()
    return {rel for changed in paths for p in changed if (rel := layout.registry_rel(p))}


def _validated(
    repo: GitRepository,
    head: str,
    base: str | None,
    change: Change,
    day: date,
    whole: bool,
    shared: Shared,
) -> tuple[list[Problem], Registry | None, Collection[str] | None]:
    """HEAD's errors, HEAD as loaded, and its files, reading everything for a first run (or
    ``whole``): a registry that does not load is refused. Otherwise only what changed since
    ``base`` is checked again (``validation.incremental``, from the cache of earlier runs),
    and neither the registry nor its files are listed. Its files: its entries that are no
    file too, which an error holds back as it holds a file."""
    if base is None or whole:
        listed = repo.tree_listing(head, PREFIX)  # read once: the cache keeps it too
        source = repo.snapshot(head, PREFIX, listed=listed)
        result = validate(source, day, change=change)
        errors = [p for p in result.problems if p.level is Level.ERROR]
        if result.registry is None:
            found = hold(errors, source.paths())
            refuse(head, found.refused or errors)
        if not whole:  # ``--full`` reads and writes no cache
            _keep(repo, head, day, result, listed)
        return errors, result.registry, result.registry.files | result.registry.irregular.keys()
    checked, _ = validate_incremental(
        repo, base, repo.root / PREFIX, PREFIX, day, head=head, change=change, shared=shared
    )
    return [p for p in checked.problems if p.level is Level.ERROR], None, None


def _unwritable(
    repo: GitRepository,
    head: str,
    rels: Collection[str] | None,
    registry: Registry | None,
    shared: Shared,
    encoding: Encoding,
) -> list[Problem]:
    """The values of HEAD's operator and user files ``rels`` (None: every file of
    ``registry``, a first run's) that a CSV would show and ``encoding`` cannot hold, located
    as validation's errors are. Only the files that change or are held back are read: a value
    downstream holds already was written in this encoding before. A file that does not load
    has its own errors."""
    if encoding is Encoding.UTF8:
        return []
    wanted = None
    if rels is not None:
        wanted = {r for r in rels if layout.split(r)[0] in (Kind.USER, Kind.OPERATOR)}
        if not wanted:
            return []
    if registry is None:
        assert wanted is not None  # a first run validates, and loads, everything
        blobs = repo.tree_blobs(head, PREFIX, [layout.CATALOG_FILE, *sorted(wanted)])
        (loaded,) = load_cached(
            [BlobSource(repo, blobs, PREFIX)], cache_dir(repo.common_dir), shared.parsed,
            shared.models,
        )  # fmt: skip
        if loaded.registry is None:  # no catalog: validation has refused the run
            return []
        registry = loaded.registry
    models: list[tuple[str, User | Operator]] = [
        *((e.file, e.operator) for e in registry.operators.values()),
        *((e.file, e.user) for e in registry.users),
    ]
    found = [
        p
        for rel, model in models
        if (wanted is None or rel in wanted) and rel not in registry.broken
        for p in unwritable(rel, model, encoding)
    ]
    if not found:
        return []
    files = sorted({p.file for p in found})
    return locate_all(found, BlobSource(repo, repo.tree_blobs(head, PREFIX, files), PREFIX))


def _keep(
    repo: GitRepository,
    head: str,
    day: date,
    full: ValidationResult,
    listed: Listing,
) -> None:
    """What a first run checked, kept for the runs after it: every operator's findings, for
    the next run's check (``keep_full_run``); the registry it loaded, for the next load of
    it (``status``, ``daily``, ``confirm``: ``keep_loaded``). ``listed``: HEAD's files."""
    keep_full_run(repo, head, PREFIX, day, full, listed)
    loaded = LoadResult(full.registry, list(full.load_problems))
    keep_loaded(listed[0], cache_dir(repo.common_dir), loaded)


def _revs(held: Mapping[str, HeldFile]) -> dict[str, str | None]:
    """Each held file → the revision of the content downstream has of it."""
    return {rel: h.rev for rel, h in held.items()}


def refuse(head: str, problems: Iterable[Problem]) -> NoReturn:
    raise ProblemsFound(
        msg(
            "The registry at {rev} has errors in files every operator depends on; "
            "nothing was generated:\n{problems}",
            rev=head[:12],
            problems=Verbatim(reporters.text(list(problems)).rstrip()),
        )
    )


def isolate(
    repo: GitRepository,
    head: str,
    base: str | None,
    previous: Mapping[str, HeldFile],
    merged_on: date,
    whole: bool = False,
    encoding: Encoding = Encoding.UTF8,
) -> Isolation:
    """Validate HEAD as of the day it was merged and decide what it holds back.

    HEAD is judged as the change since ``base`` plus the files still held back (a clash is
    blamed on those it involves, never on a holder downstream already has) with no time rule
    counting: what lapses with time never stops provisioning, and every error counting in
    whatever operator's files it is (``hold`` keeps back what it involves). A value of those
    files that the CSVs cannot hold in ``encoding`` holds back its file as an error does.
    ``whole``: read and check every file, whatever the cache holds.
    """
    changed = set(repo.changed_blobs(base, head, PREFIX)) if base else set()
    # Downstream holds none of these: files added since ``base``, and those held back since
    # they came. A clash with a holder downstream has is theirs, never the holder's.
    chains = {rel: h.revoked for rel, h in previous.items() if h.revoked}
    kept = pinned_content(repo, _revs(previous), chains)  # read once: the pins below reuse it
    came = {rel for rel, content in kept.items() if content is None}
    newcomers = (repo.added_files(base, head, PREFIX) if base else frozenset()) | came
    change = Change(
        frozenset(changed | set(previous)),
        counts_time=False,
        counts_others=True,
        newcomers=newcomers,
    )
    shared = Shared()
    errors, registry, present = _validated(repo, head, base, change, merged_on, whole, shared)
    checked = (changed | set(previous)) if base else None
    errors += _unwritable(repo, head, checked, registry, shared, encoding)
    if present is None and (around := _around(errors)):
        blobs, odd = repo.tree_listing(head, PREFIX, around)
        present = blobs.keys() | odd.keys()
    found = hold(errors, present or ())
    if found.refused:
        refuse(head, found.refused)
    new = {rel: base for rel in found.files if rel not in previous}
    revs = {**_revs(previous), **new}
    pins = {**kept, **pinned_content(repo, new)}
    revoked = _revocations(repo, head, pins, found.files)
    held = {}
    for rel in sorted(found.files):
        was = previous.get(rel) or HeldFile(
            rev=base, operator=layout.operator_of(rel) or "", since=merged_on
        )
        if rel in revoked:
            was = was.model_copy(update={"revoked": (*was.revoked, repo.resolve(head))})
        held[rel] = was
    released = frozenset(previous) - found.files
    touched = changed | set(previous) | found.files | _stepped(repo, base, head)
    scope = None if whole else scope_of(repo, base, head, touched)
    return Isolation(registry, found, pins, revs, released, held, scope, shared, revoked, chains)


def _revocations(
    repo: GitRepository, head: str, pins: Mapping[str, bytes | None], files: Collection[str]
) -> dict[str, bytes]:
    """The files held back whose version at ``head`` revokes part of what downstream holds
    of them (``pins``) → that content with the revocations laid over it. A file downstream
    holds nothing of (a new one) has nothing to revoke."""
    wanted = {
        rel: head
        for rel in sorted(files)
        if pins.get(rel) is not None and layout.classify(rel) in (Kind.OPERATOR, Kind.USER)
    }
    if not wanted:
        return {}
    now = pinned_content(repo, wanted)
    found = {}
    for rel in wanted:
        kept = pins[rel]
        taken = revoked_over(rel, kept, now[rel])
        if taken is not None and taken != kept:
            found[rel] = taken
    return found


def unwritable_in(
    repo: GitRepository, merge_base: str, head: str, encoding: Encoding
) -> list[Problem]:
    """The values of the operator and user files a pull request changes (from
    ``merge_base`` to ``head``) that the CSVs cannot hold in ``encoding``, located: what
    ``apply`` in that encoding will hold back once it is merged, told before."""
    if encoding is Encoding.UTF8:
        return []
    changed = [rel for rel, blob in repo.changed_blobs(merge_base, head, PREFIX).items() if blob]
    return _unwritable(repo, head, changed, None, Shared(), encoding)


def released_by(repo: GitRepository, head: str, state: State, day: date) -> dict[str, bytes | None]:
    """The files held back on ``main`` (``state``) that ``head`` releases, each with the
    content downstream holds of it: what ``apply`` releases once ``head`` is merged, decided
    as it decides it (:func:`isolate`, in the encoding of the run that recorded ``state``),
    for the plan of a pull request. Empty when nothing is held, and when an error in a
    shared file at ``head`` would stop the run."""
    if not state.held or state.applied is None:
        return {}
    try:
        found = isolate(repo, head, state.applied, state.held, day, encoding=state.encoding)
    except ProblemsFound:
        return {}
    return {rel: found.pins[rel] for rel in sorted(found.released)}
