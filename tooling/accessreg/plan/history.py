"""What a login ID or a certificate held when it last left the registry.

Only the system's operator lifts a suspension, once it has investigated (001 p46). A user
file or a certificate removed while suspended (a deletion only narrows access) and added
back without its ``suspended_on`` would lift it as an ordinary addition: so the plan and
``authorize`` look up, for what a change adds back, whether it was suspended when it was
removed. The lookup is one ``git log`` along main's first parents for the login IDs (the
removals of their files) and one per certificate added (the lines naming its serial), and
a file read where one is found.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from accessreg.files.loading import load
from accessreg.gitio.repo import GitRepository
from accessreg.model import layout
from accessreg.model.base import SERIAL
from accessreg.model.layout import CATALOG_FILE, REGISTRY_DIR
from accessreg.model.registry import Registry


@dataclass(frozen=True)
class WasSuspended:
    """A login ID, a certificate or an operator's use of a system suspended when it was
    last in the registry."""

    operator: str  # whose it was then
    since: date  # the ``suspended_on`` it had then
    removed_in: str | None  # the commit on main that removed it; None: the change itself


@dataclass(frozen=True)
class Returning:
    """What a change adds that was suspended when it was last in the registry: login IDs
    (lower case), certificate serials, and the systems operator files use again
    (``CODE/system``: one given up while its use was suspended comes back stopped)."""

    logins: Mapping[str, WasSuspended] = field(default_factory=dict)
    serials: Mapping[str, WasSuspended] = field(default_factory=dict)
    uses: Mapping[str, WasSuspended] = field(default_factory=dict)

    def lifts(self, kind: str, key: str, suspended_on: date | None) -> WasSuspended | None:
        """The suspension that adding ``key`` (a ``login``, a ``serial`` or a ``use``) back
        with ``suspended_on`` lifts: None when it was not suspended, or comes back as it
        was."""
        found = {"login": self.logins, "serial": self.serials, "use": self.uses}[kind].get(key)
        return found if found is not None and suspended_on != found.since else None


_GLOB = re.compile(r"([*?\[\\])")


def _literal(name: str) -> str:
    """``name`` in a glob pathspec, matching itself only."""
    return _GLOB.sub(r"\\\1", name)


def _loaded(repo: GitRepository, rev: str, rel: str) -> Registry | None:
    """The registry at ``rev`` holding only ``rel`` and the catalog; what a file with
    errors still holds is kept (a suspension beside a typo is still a suspension)."""
    files = repo.snapshot(rev, REGISTRY_DIR, under=[rel, CATALOG_FILE])
    if rel not in files.files:
        return None
    return load(files, salvage=True).registry


def _before(repo: GitRepository, commit: str, rel: str) -> Registry | None:
    """``_loaded`` at the revision before ``commit``; None before the first commit, where
    nothing came before (a line a search finds is one the first commit added)."""
    parent = repo.commit(commit).parent
    return None if parent is None else _loaded(repo, parent, rel)


def held_back(repo: GitRepository, rev: str, rels: Collection[str]) -> Registry | None:
    """What the files ``rels`` that do not load at ``rev`` still hold (``files.salvage``):
    a file held back keeps its suspensions until a maintainer lifts them, and repairing it
    must not lift them unseen. None when there are none."""
    if not rels:
        return None
    files = repo.snapshot(rev, REGISTRY_DIR, under=[*sorted(rels), CATALOG_FILE])
    return load(files, salvage=True).registry


def suspended_logins(
    repo: GitRepository, rev: str, logins: Collection[str]
) -> dict[str, WasSuspended]:
    """Of ``logins`` (none with a user file at ``rev``), those whose file was suspended
    when the newest removal of a file of theirs, at any operator, took it away."""
    if not logins:
        return {}
    users = f"{REGISTRY_DIR}/{layout.USERS_DIR}"
    specs = [f":(glob){users}/*/{_literal(login)}.yaml" for login in sorted(logins)]
    newest: dict[str, tuple[str, str]] = {}  # login → (its file, the commit removing it)
    # Newest first: the first removal met of a login ID's files is its last.
    for path, commit in repo.last_removals(rev, specs).items():
        rel = layout.registry_rel(path)
        stem = layout.user_stem(rel) if rel else None
        if rel is not None and stem is not None:
            newest.setdefault(stem.lower(), (rel, commit))
    found: dict[str, WasSuspended] = {}
    for login, (rel, commit) in sorted(newest.items()):
        registry = _before(repo, commit, rel)
        user = next((u for u in registry.users if u.file == rel), None) if registry else None
        if user is not None and user.user.suspended_on is not None:
            found[login] = WasSuspended(user.operator_code, user.user.suspended_on, commit)
    return found


def suspended_serials(
    repo: GitRepository, rev: str, serials: Collection[str]
) -> dict[str, WasSuspended]:
    """Of certificate ``serials`` (none registered at ``rev``), those that were suspended
    in the last version of an operator file holding them on main's first parents."""
    found: dict[str, WasSuspended] = {}
    operators = f"{REGISTRY_DIR}/{layout.OPERATORS_DIR}/"
    for serial in sorted(serials):
        if not re.fullmatch(SERIAL, serial):
            continue  # no certificate's: the file's own check refuses it
        for commit, paths in repo.commits_with_lines(rev, serial, [operators]):
            held = _held(repo, commit, paths, serial)
            if held is not None:
                if held[1] is not None:
                    found[serial] = WasSuspended(held[0], held[1], commit)
                break
    return found


def _held(
    repo: GitRepository, commit: str, paths: Collection[str], serial: str
) -> tuple[str, date | None] | None:
    """Which operator held ``serial`` before ``commit`` in one of ``paths``, and since when
    it was suspended then; None when none of them held it (a line naming it otherwise)."""
    for path in sorted(paths):
        rel = layout.registry_rel(path)
        code = layout.operator_of(rel) if rel else None
        if rel is None or code is None:
            continue
        registry = _before(repo, commit, rel)
        entry = registry.operators.get(code) if registry else None
        for cert in entry.operator.certificates if entry else ():
            if cert.serial == serial:
                return code, cert.suspended_on
    return None


def suspended_use(repo: GitRepository, rev: str, rel: str, system: str) -> WasSuspended | None:
    """Whether the operator of the file ``rel`` (not using ``system`` at ``rev``) had its
    use of ``system`` suspended in the last version of the file that listed it, on main's
    first parents."""
    code = layout.operator_of(rel)
    for commit, _ in repo.commits_with_lines(rev, re.escape(system), [f"{REGISTRY_DIR}/{rel}"]):
        registry = _before(repo, commit, rel)
        entry = registry.operators.get(code or "") if registry else None
        if entry is None or system not in entry.operator.systems:
            continue  # a line naming it otherwise, or the commit that first listed it
        for use in entry.operator.suspensions:
            if use.system == system:
                return WasSuspended(entry.operator.code, use.suspended_on, commit)
        return None
    return None


def returning(
    repo: GitRepository,
    rev: str,
    before: Registry,
    after: Registry,
    logins: Collection[str],
    changed: Collection[str],
) -> Returning:
    """What ``after`` adds to ``before`` (at ``rev``) that was suspended when it was last in
    the registry: of ``logins`` (added, held by no user file at ``rev``), and of the
    certificates added to the operator files ``changed`` (registry paths)."""
    serials: dict[str, WasSuspended] = {}
    uses: dict[str, WasSuspended] = {}
    wanted: set[str] = set()
    for rel in changed:
        code = layout.operator_of(rel)
        entry = after.operators.get(code or "")
        if entry is None or entry.file != rel:
            continue
        was = before.operators.get(code or "")
        held = {c.serial for c in was.operator.certificates} if was else set()
        wanted |= {c.serial for c in entry.operator.certificates if c.serial not in held}
        used = set(was.operator.systems) if was else set()
        for system in sorted(set(entry.operator.systems) - used):
            found = suspended_use(repo, rev, rel, system)
            if found is not None:
                uses[f"{code}/{system}"] = found
    for code, entry in before.operators.items():  # moved from another operator in the change
        for cert in entry.operator.certificates:
            if cert.serial in wanted and cert.suspended_on is not None:
                serials[cert.serial] = WasSuspended(code, cert.suspended_on, None)
    registered = {c.serial for e in before.operators.values() for c in e.operator.certificates}
    serials.update(suspended_serials(repo, rev, wanted - registered))
    return Returning(suspended_logins(repo, rev, logins), serials, uses)
