"""Incremental validation proper: rules run by scope over what changed, findings cached."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path

from accessreg.files import gcpause, schemagen
from accessreg.files.cachedload import (
    Shared,
    keep_loaded,
    kept_users,
    parse_key,
    schemas_namespace,
)
from accessreg.files.loading import (
    IRREGULAR_RULE,
    Contribution,
    Parsed,
    irregular_problems,
    load,
    load_catalog,
    parse_all,
)
from accessreg.files.parsecache import ParseCache, cache_dir
from accessreg.files.revocations import revoking_operators
from accessreg.files.schemacheck import SchemaChecker
from accessreg.files.sources import Entry, entry_at
from accessreg.gitio.repo import GitRepository
from accessreg.model import Catalog, layout
from accessreg.model.layout import Kind
from accessreg.model.messages import Message, msg
from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry
from accessreg.rules import CHECKS, Context, RegistryRule, operator_epoch, run_rules
from accessreg.rules.base import Scope
from accessreg.validation.judge import Change, Judged, Key, finding_key, judge, operator_of
from accessreg.validation.snapshot import Snapshot, Subset, digest
from accessreg.validation.validate import (
    ValidationResult,
    checked,
    locate_all,
    unshadowed,
    validate,
)

# Operators whose groups a cold cache checks together: their files parsed and loaded at once.
_GROUP_CHUNK = 250
# A cache missing at least this many groups, and two thirds of them or more (a new version
# of the tool, a cache lost), checks them in one full run (``_checked_whole``): slice by
# slice, keeping every file parsed, cost 1.6 times a full ``validate`` at 200,000 users.
_WHOLE_RUN = 500
_SHARED = (Kind.CATALOG, Kind.CALENDAR, Kind.MAINTAINERS)
# User files missing from the parse cache from which the kept snapshot is asked for them
# (``cachedload.kept_users``): reading its index and one operator's part costs what parsing
# about ten files does (5 ms for 137 users at 200,000, 0.14 s for 100 operators' 10,767).
_KEPT_MIN = 20


@dataclass(frozen=True)
class GroupResult:
    """What the cache keeps for one operator group."""

    problems: tuple[Problem, ...]  # users' own problems and the operator-scoped findings
    files: tuple[str, ...]  # every user file that loaded, and in the same order
    logins: tuple[str, ...]  # its login ID

    @cached_property
    def login_set(self) -> frozenset[str]:
        return frozenset(self.logins)

    @property
    def shares_a_login(self) -> bool:
        """Two of the group's own users hold the same login ID."""
        return len(self.login_set) < len(self.logins)


@dataclass
class Stats:
    files: int = 0
    changed: int = 0
    groups: int = 0
    groups_checked: int = 0
    parsed: int = 0  # files read and parsed in this run (the rest came from the cache)
    cache: str = ""
    notes: list[Message] = field(default_factory=list)


class _Run:
    def __init__(
        self,
        snap: Snapshot,
        today: date,
        cache: ParseCache,
        stats: Stats,
        shared: Shared | None = None,
        space: str = "",
    ) -> None:
        self.snap = snap
        self.today = today
        self.cache = cache
        self.stats = stats
        self.new_parsed: dict[str, Parsed] = {}
        # What the caller's later loads may take from this run (``cachedload.Shared``);
        # ``sharing`` off while a cold cache checks the groups a slice at a time.
        self.shared = shared.parsed.setdefault(space, {}) if shared is not None else None
        self.models = shared.models if shared is not None else None
        self.sharing = shared is not None
        self.holder = shared
        self.whole = False  # the snapshot checked in one full run (``_checked_whole``)
        # What user files the parse cache does not hold gave the kept snapshot's load.
        self.known: dict[str, Contribution] = {}
        self.space = space

    def key(self, rel: str) -> str:
        return parse_key(rel, self.snap.blobs[rel])

    def parsed(
        self, rels: Iterable[str], by_kind: Mapping[Kind, SchemaChecker]
    ) -> dict[str, Parsed]:
        """Parsed files, from the cache where it has them."""
        wanted: list[tuple[str, Kind]] = []
        for rel in rels:
            kind = layout.split(rel)[0]
            if kind is not None and kind is not Kind.CATALOG:
                wanted.append((rel, kind))
        have = self.shared if self.shared is not None else {}
        keys = {rel: self.key(rel) for rel, _ in wanted}
        cached = self.cache.get("parsed", (k for k in keys.values() if k not in have), Parsed)
        found = {rel: p for rel, k in keys.items() if (p := have.get(k, cached.get(k))) is not None}
        missing = [(rel, kind) for rel, kind in wanted if rel not in found]
        missing = self._not_kept(missing)
        self.snap.prefetch(rel for rel, _ in missing)
        # Many misses (a cold cache) are parsed on every core, as a full run does.
        for fresh in parse_all(self.snap, by_kind, missing):
            found[fresh.rel] = fresh
            self.new_parsed[self.key(fresh.rel)] = fresh
        self.stats.parsed += len(missing)
        if self.shared is not None and self.sharing:
            self.shared.update((keys[rel], p) for rel, p in found.items())
        return found

    def _not_kept(self, missing: list[tuple[str, Kind]]) -> list[tuple[str, Kind]]:
        """The ``missing`` files the kept snapshot does not give (``known``), if enough of
        them are users for reading it to pay."""
        users = {rel: self.snap.blobs[rel] for rel, kind in missing if kind is Kind.USER}
        if len(users) < _KEPT_MIN or not self.space:
            return missing
        given = kept_users(self.cache.directory, self.space, users)
        self.known.update(given)
        return [(rel, kind) for rel, kind in missing if rel not in given]

    def load(self, rels: Iterable[str], reuse: dict[str, Parsed]) -> tuple[Registry, list[Problem]]:
        models = self.models if self.sharing else None
        loaded = load(Subset(self.snap, rels), reuse, models, salvage=True, known=self.known)
        assert loaded.registry is not None  # the catalog loaded before this run started
        return loaded.registry, loaded.problems


def validate_incremental(
    repo: GitRepository,
    rev: str,
    registry_dir: Path,
    label: str,
    today: date,
    head: str | None = None,
    change: Change | None = None,
    shared: Shared | None = None,
) -> tuple[ValidationResult, Stats]:
    """The problems of the registry in the work tree (or at ``head``), reusing what is
    cached, judged as the change since ``rev`` (``validation.judge``), or as ``change``.
    What it parses and builds goes in ``shared`` too, unless it checks so many groups that
    holding them all would cost more memory than loading them again."""
    root = registry_dir.resolve()
    prefix = root.relative_to(repo.root.resolve()).as_posix()
    rev_id = repo.resolve(rev)
    head_id = repo.resolve(head) if head is not None else None
    snap = Snapshot(repo, prefix, root, label, rev_id, head_id)
    stats = Stats(files=snap.files, changed=len(snap.changes))
    catalog, _ = load_catalog(snap, snap.paths())
    if catalog is None:  # nothing can be checked without it: the full run says why
        stats.notes.append(msg("The catalog does not load: checked everything"))
        snap.users_of(snap.state.groups)
        return validate(snap, today, change or snap.change), stats
    found = _found(snap, today, catalog, stats, shared)
    change = change or snap.change
    judged = judge(unshadowed(found), change)
    if revoking := _revoking(repo, snap, change, judged, today):
        judged = judge(unshadowed(found), replace(change, revoking=revoking))
    # Problems are located in their files: know every file that has one.
    snap.users_of({code for p in judged.problems if (code := layout.split(p.file)[1]) is not None})
    located = locate_all(judged.problems, snap)
    result = ValidationResult(
        sorted(located),
        stats.files,
        None,
        tuple(judged.set_aside),
        spared=tuple(judged.spared),
        catalog=catalog,
    )
    return result, stats


def _found(
    snap: Snapshot, today: date, catalog: Catalog, stats: Stats, shared: Shared | None = None
) -> list[Problem]:
    """Every finding on ``snap`` (its ``catalog`` loaded), neither judged nor located."""
    space = schemas_namespace(catalog)
    cache = ParseCache(cache_dir(snap.repo.common_dir), space)
    stats.cache = str(cache.path)
    try:
        return _validate(
            _Run(snap, today, cache, stats, shared, space), schemagen.checks(catalog).checkers
        )
    finally:
        if cache.error:
            stats.notes.append(cache.error)
        cache.close()


def _revoking(
    repo: GitRepository, snap: Snapshot, change: Change, judged: Judged, today: date
) -> dict[str, frozenset[Key]]:
    """``Change.revoking`` of the operators with an error now: the findings before it are
    read only then (seldom, and from the cache). Not for ``apply`` (``counts_others``),
    which holds such a file back and takes its revocations from it (``provision.holding``):
    a file with an error let through would be read as no file at all."""
    if change.counts_others:
        return {}
    erring = {
        code
        for p in judged.problems
        if p.level is Level.ERROR and (code := operator_of(p)) in change.written
    }
    erring -= {layout.split(rel)[1] for rel in snap.odd_changes}  # a link revokes nothing
    written = sorted(r for r in change.files - change.removed if layout.split(r)[1] in erring)
    contents = {rel: snap.read(rel) for rel in written}
    return revoking_keys(repo, snap.prefix, snap.root, snap.label, snap.rev, today, contents)


def revoking_keys(
    repo: GitRepository,
    prefix: str,
    root: Path,
    label: str,
    rev: str,
    today: date,
    written: Mapping[str, bytes],
) -> dict[str, frozenset[Key]]:
    """The operators whose files a change only takes access away from (``written``: each
    file it writes, relative to the registry, with its new content; every file of theirs
    that it writes among them) → the findings on their files at ``rev``, the registry at
    ``prefix`` (``Change.revoking``)."""
    was = repo.snapshot(rev, prefix, None, sorted(written)).files if written else {}
    codes = revoking_operators((rel, was.get(rel), raw) for rel, raw in written.items())
    if not codes:
        return {}
    base = Snapshot(repo, prefix, root, label, rev, rev)
    catalog, _ = load_catalog(base, base.paths())
    if catalog is None:
        return {}
    keys: dict[str, set[Key]] = {code: set() for code in codes}
    for p in unshadowed(_found(base, today, catalog, Stats(files=base.files))):
        if (code := operator_of(p)) in keys:
            keys[code].add(finding_key(p))
    return {code: frozenset(found) for code, found in keys.items()}


def worktree_revoking(
    repo: GitRepository, rev: str, registry_dir: Path, label: str, today: date, change: Change
) -> Change:
    """``change`` (the work tree's since ``rev``) with the operators whose files it only
    takes access away from (``Change.revoking``), for a full run to judge it as the
    incremental one does."""
    root = registry_dir.resolve()
    prefix = root.relative_to(repo.root.resolve()).as_posix()
    try:
        written = {
            rel: (root / rel).read_bytes()
            for rel in sorted(change.files - change.removed)
            if layout.split(rel)[1] is not None and entry_at(root / rel) is None
        }
    except OSError:  # a file the run cannot read: the full run reports it, nothing is spared
        return change
    revoking = revoking_keys(repo, prefix, root, label, repo.resolve(rev), today, written)
    return replace(change, revoking=revoking) if revoking else change


@dataclass(frozen=True)
class _Keys:
    """Where the cache keeps the findings of one registry state, and what they come from."""

    always: list[str]  # every file that is not a user's
    operator_files: dict[str, str]  # operator code → its operator file
    outside: list[str]  # the shared files and files out of place
    claims: dict[str, list[str]]  # operator code → operator files of others claiming it
    groups: dict[str, str]  # operator code → the key of its group's findings
    operators: str  # the key of the findings on operator files only


def _keys(run: _Run, by_kind: Mapping[Kind, SchemaChecker]) -> tuple[_Keys, dict[str, Parsed]]:
    """The cache keys of the snapshot's findings, and its non-user files parsed."""
    snap, today = run.snap, run.today
    always = sorted(snap.state.others)  # shared files, operator files, files out of place
    operator_files: dict[str, str] = {}
    for rel in always:
        kind, code = layout.split(rel)
        if kind is Kind.OPERATOR and code is not None:
            operator_files[code] = rel
    operator_rels = set(operator_files.values())
    outside = [r for r in always if r not in operator_rels]  # shared, stray
    codes = sorted(set(snap.state.groups) | set(operator_files))

    # Operator files are parsed (or taken from the cache) every run, but become models only
    # where a rule needs them. An operator file that claims another operator's code links
    # the two groups (operator-scoped rules follow the code in the file).
    base_parsed = run.parsed(always, by_kind)
    claims: dict[str, list[str]] = defaultdict(list)
    for code, rel in operator_files.items():
        data = base_parsed[rel].data
        claimed = data.get("code") if isinstance(data, dict) else None
        if isinstance(claimed, str) and claimed != code:
            claims[claimed].append(rel)
    shared = [f"{r}:{snap.blobs[r]}" for r in always if layout.split(r)[0] in _SHARED]
    base_key = digest([today.isoformat()], shared)
    # An operator's findings follow the day only as far as its time rules do: cached under
    # that, they serve the next day too (a day's first run checks only what changed).
    catalog, _ = load_catalog(snap, snap.paths())
    epoch = operator_epoch(catalog, today) if catalog is not None else today.isoformat()
    group_key = digest([epoch], shared)

    def own_files(code: str) -> list[str]:
        rel = operator_files.get(code)
        return [f"{rel}:{snap.blobs[rel]}"] if rel else []

    groups = {
        code: digest(
            [group_key, code, snap.state.groups.get(code, ("", 0))[0]],
            own_files(code),
            (f"{r}:{snap.blobs[r]}" for r in sorted(claims.get(code, ()))),
        )
        for code in codes
    }
    # Rules on operator files only: cached per set of operator files (and shared files, day).
    operators = digest([base_key], (f"{r}:{snap.blobs[r]}" for r in operator_files.values()))
    found = _Keys(always, operator_files, outside, claims, groups, operators)
    return found, base_parsed


def keep_full_run(
    repo: GitRepository,
    rev: str,
    prefix: str,
    today: date,
    full: ValidationResult,
    listed: tuple[Mapping[str, str], Mapping[str, Entry]] | None = None,
) -> None:
    """Keep what a full run of the registry at ``rev`` found as the incremental runs keep
    it, so that the next run from ``rev`` checks only what changed since. A first apply
    has just checked every operator; without this, the next one, a merge later, checked
    them all again (22 s at 200,000 users, where a merge of one file costs 2). ``listed``:
    every file under ``prefix`` at ``rev`` with its blob id, and the entries that are no
    file, if listed already (``GitRepository.tree_listing``)."""
    if full.registry is None:
        return
    sha = repo.resolve(rev)
    snap = Snapshot(repo, prefix, repo.root / prefix, prefix, sha, sha, listed)
    catalog, _ = load_catalog(snap, snap.paths())
    if catalog is None:
        return
    cache = ParseCache(cache_dir(repo.common_dir), schemas_namespace(catalog))
    try:
        run = _Run(snap, today, cache, Stats())
        at, _ = _keys(run, schemagen.checks(catalog).checkers)
        cache.put("parsed", run.new_parsed)
        cache.put("groups", _as_kept(at, full.found, full.registry))
    finally:
        cache.close()


def _as_kept(
    at: _Keys, found: Iterable[Problem], registry: Registry
) -> dict[str, GroupResult | list[Problem]]:
    """A full run's findings as ``_validate`` keeps them: per group, its files' own
    problems and the operator-scoped findings on them, with its users' files and logins;
    then the findings on operator files. The login rule's findings, the shared files'
    problems and the entries that are no file (``file-type``: no group's key follows them)
    are not kept: every run finds them again."""
    scopes = {r.id: r.scope for r in CHECKS}
    group_of = {rel: code for code, rel in at.operator_files.items()}

    def group(rel: str) -> str | None:
        if rel in group_of:
            return group_of[rel]
        kind, code = layout.split(rel)
        return code if kind is Kind.USER else None

    own: dict[str, list[Problem]] = {code: [] for code in at.groups}
    on_operators: list[Problem] = []
    for p in found:
        if p.rule == IRREGULAR_RULE:
            continue
        scope = scopes.get(p.rule, Scope.OPERATOR)  # a load problem is its file's own
        if scope is Scope.OPERATORS:
            on_operators.append(p)
        elif scope is Scope.OPERATOR and (code := group(p.file)) in own:
            own[code].append(p)
    users: dict[str, list[tuple[str, str]]] = {code: [] for code in at.groups}
    for u in registry.users:
        if (code := group(u.file)) in users:
            users[code].append((u.file, u.user.email.lower()))
    kept: dict[str, GroupResult | list[Problem]] = {
        at.groups[code]: GroupResult(
            tuple(own[code]),
            tuple(f for f, _ in users[code]),
            tuple(login for _, login in users[code]),
        )
        for code in at.groups
    }
    kept[at.operators] = on_operators
    return kept


def _validate(run: _Run, by_kind: Mapping[Kind, SchemaChecker]) -> list[Problem]:
    """Every finding on the snapshot: its files', and its entries that are no file (never
    cached: they are few, and a whole run's load reports them itself)."""
    found = _validated(run, by_kind)
    if not run.whole:
        found.extend(irregular_problems(run.snap.irregular()))
    return found


def _validated(run: _Run, by_kind: Mapping[Kind, SchemaChecker]) -> list[Problem]:
    snap, today, cache, stats = run.snap, run.today, run.cache, run.stats
    ctx = Context(today)
    at, base_parsed = _keys(run, by_kind)
    always, operator_files, outside, claims = at.always, at.operator_files, at.outside, at.claims
    keys, codes = at.groups, sorted(at.groups)
    stats.groups = len(codes)
    cached: dict[str, GroupResult] = cache.get("groups", keys.values(), GroupResult)
    missed = sorted(code for code, key in keys.items() if key not in cached)
    stats.groups_checked = len(missed)
    if len(missed) >= _WHOLE_RUN and 3 * len(missed) >= 2 * len(codes):
        run.whole = True
        return _checked_whole(run, at, keys)
    run.sharing = run.sharing and len(missed) <= _GROUP_CHUNK

    by_scope: dict[Scope, list[RegistryRule]] = defaultdict(list)
    for rule in CHECKS:
        by_scope[rule.scope].append(rule)

    # The groups to check: their files (and operator files claiming their codes) loaded, a
    # slice of the operators at a time. A cold cache checks every group: holding the whole
    # registry's parsed files and models at once took a gigabyte at 200,000 users.
    found: list[Problem] = []
    new_results: dict[str, GroupResult] = {}
    for start in range(0, max(len(missed), 1), _GROUP_CHUNK):  # once at least: shared files
        chunk = missed[start : start + _GROUP_CHUNK]
        checked, problems = _check_groups(
            run, chunk, by_scope[Scope.OPERATOR], operator_files, claims, outside, base_parsed,
            by_kind, ctx,
        )  # fmt: skip
        if not start:  # the shared files' own problems, once
            found.extend(problems)
        new_results.update({keys[code]: result for code, result in checked.items()})
        cache.put("parsed", run.new_parsed)
        run.new_parsed = {}
        run.known = {}  # the chunk's users, let go with it
    reuse = dict(base_parsed)
    cache.put("groups", new_results)
    results = {code: cached.get(keys[code]) or new_results[keys[code]] for code in codes}
    for result in results.values():
        found.extend(result.problems)

    on_operators: list[Problem] | None = cache.get("groups", [at.operators], list).get(at.operators)
    if on_operators is None:
        every, _ = run.load([*outside, *operator_files.values()], reuse)
        on_operators = run_rules(by_scope[Scope.OPERATORS], every, ctx)
        cache.put("groups", {at.operators: on_operators})
    found.extend(on_operators)

    found.extend(_login_findings(run, by_scope[Scope.LOGIN], results, reuse, base_parsed, by_kind))
    if by_scope[Scope.REGISTRY]:
        stats.notes.append(
            msg(
                "Rules without a scope ran on the whole registry: {rules}",
                rules=tuple(r.id for r in by_scope[Scope.REGISTRY]),
            )
        )
        users = sorted(snap.users_of(codes))
        whole, _ = run.load([*always, *users], {**reuse, **run.parsed(users, by_kind)})
        found.extend(run_rules(by_scope[Scope.REGISTRY], whole, ctx))

    cache.put("parsed", run.new_parsed)
    _prune(cache, stats, keys)
    return found


def _checked_whole(run: _Run, at: _Keys, keys: dict[str, str]) -> list[Problem]:
    """Every group checked in one full run, as ``validate`` checks the registry, and kept
    as ``keep_full_run`` keeps one: the next run checks only what changed since. The
    registry it loaded is handed on whole (``Shared.head``): an apply that finds its cache
    cold renders every operator's share from it."""
    snap, cache = run.snap, run.cache
    snap.users_of(snap.state.groups)
    paths = snap.paths()
    snap.prefetch(paths)  # a commit's files read from git in one batch, not one by one
    with gcpause.paused():
        loaded, found = checked(snap, run.today)
    run.stats.parsed = len(paths)
    if loaded.registry is not None:
        cache.put("groups", _as_kept(at, found, loaded.registry))
        if run.holder is not None and snap.head is not None:
            run.holder.head = (snap.head, loaded.registry)
            # For the next load of the commit (``status``, ``daily``): the parse cache no
            # longer holds every file.
            listed = snap.repo.tree_blobs(snap.head, snap.prefix)
            keep_loaded(listed, cache_dir(snap.repo.common_dir), loaded)
    cache.put("parsed", run.new_parsed)
    _prune(cache, run.stats, keys)
    return found


def _check_groups(
    run: _Run,
    codes: list[str],
    rules: list[RegistryRule],
    operator_files: dict[str, str],
    claims: dict[str, list[str]],
    outside: list[str],
    base_parsed: dict[str, Parsed],
    by_kind: Mapping[Kind, SchemaChecker],
    ctx: Context,
) -> tuple[dict[str, GroupResult], list[Problem]]:
    """The findings of the operator-scoped ``rules`` on the groups ``codes``, and the
    problems of the ``outside`` files (shared, stray) met on the way."""
    users = sorted(run.snap.users_of(codes))
    group_files = {c: operator_files[c] for c in codes if c in operator_files}
    linked = {r for c in codes for r in claims.get(c, ())}
    reuse = {**base_parsed, **run.parsed(users, by_kind)}
    # Shared with the run's later loads, the groups are loaded with every operator file:
    # then they are the registry an apply reads of these operators at the head.
    operators = operator_files.values() if run.sharing else group_files.values()
    registry, load_problems = run.load([*outside, *operators, *linked, *users], reuse)
    if run.sharing and run.holder is not None and run.snap.head is not None:
        run.holder.head = (run.snap.head, registry)
    group_of = {rel: layout.split(rel)[1] or "" for rel in users}
    group_of.update({rel: code for code, rel in group_files.items()})
    fresh: dict[str, list[Problem]] = {code: [] for code in codes}
    others: list[Problem] = []
    for p in load_problems:
        if p.file in group_of:
            fresh[group_of[p.file]].append(p)
        elif p.file in outside:
            others.append(p)
    for p in run_rules(rules, registry, ctx):
        if p.file in group_of:
            fresh[group_of[p.file]].append(p)
    users_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for u in registry.users:
        users_of[group_of[u.file]].append((u.file, u.user.email.lower()))
    results = {
        code: GroupResult(
            tuple(fresh[code]),
            tuple(f for f, _ in users_of[code]),
            tuple(login for _, login in users_of[code]),
        )
        for code in codes
    }
    return results, others


def _contact_logins(parsed: Parsed) -> list[str]:
    """The login IDs of an operator file's window persons, from its parsed data."""
    # A file that failed its schema is judged on what it holds, as a full run does.
    held = parsed.data if parsed.data is not None else parsed.partial
    data = held if isinstance(held, dict) else {}
    contacts = data.get("contacts")
    return [
        c["email"].lower()
        for c in (contacts if isinstance(contacts, list) else [])
        if isinstance(c, dict) and isinstance(c.get("email"), str)
    ]


def _login_findings(
    run: _Run,
    rules: list[RegistryRule],
    results: dict[str, GroupResult],
    reuse: dict[str, Parsed],
    base_parsed: dict[str, Parsed],
    by_kind: Mapping[Kind, SchemaChecker],
) -> list[Problem]:
    """Run the login-scoped rules on the holders of every login held more than once: the
    users holding one and the operators whose window persons do."""
    if not rules:
        return []
    # Set operations per operator: a login clashes when another operator holds it too, or
    # two users or two window persons of one operator do. A window person who is also a
    # user of their own operator is no clash (the rule allows it), so each operator's users
    # and window persons are one set. Window persons count under the code their file
    # states, as the rule counts them.
    contacts: dict[str, list[str]] = {}
    contacts_of: dict[str, list[str]] = defaultdict(list)
    for rel, parsed in base_parsed.items():
        place = layout.split(rel)
        if place[0] is Kind.OPERATOR:
            data = parsed.data if isinstance(parsed.data, dict) else {}
            stated = data.get("code")
            contacts[rel] = _contact_logins(parsed)
            contacts_of[stated if isinstance(stated, str) else place[1] or ""] += contacts[rel]
    seen: set[str] = set()
    clashing_logins: set[str] = set()
    for code in sorted(set(results) | set(contacts_of)):
        result = results.get(code)
        users = result.login_set if result is not None else frozenset()
        window = contacts_of.get(code, [])
        for doubled in (result.logins if result and result.shares_a_login else (), window):
            counted = Counter(doubled)
            clashing_logins.update(login for login, n in counted.items() if n > 1)
        together = users.union(window)
        clashing_logins |= seen & together
        seen |= together
    clashing = {
        code: [
            file
            for file, login in zip(result.files, result.logins, strict=True)
            if login in clashing_logins
        ]
        for code, result in results.items()
        if not clashing_logins.isdisjoint(result.login_set)
    }
    run.snap.users_of(clashing)  # their blob ids, for the parsed-file cache
    holders = [file for files in clashing.values() for file in files]
    operators = [rel for rel, logins in contacts.items() if clashing_logins.intersection(logins)]
    shared = [r for r in run.snap.state.others if layout.split(r)[0] in _SHARED]
    clash_registry, _ = run.load(
        [*shared, *operators, *holders], {**reuse, **run.parsed(holders, by_kind)}
    )
    return run_rules(rules, clash_registry, Context(run.today))


def _prune(cache: ParseCache, stats: Stats, keys: dict[str, str]) -> None:
    """Keep the cache near the size of the registry: drop what it no longer holds."""
    if cache.holds_more_than("parsed", 3 * stats.files + 1000):
        cache.clear("parsed")
    if cache.holds_more_than("groups", 4 * len(keys) + 1000):
        cache.prune("groups", keys.values())
