"""Incremental validation (``accessreg validate --changed-since REV``): the same problems as
a full run, re-reading only what changed.

Which files exist and their git blob ids come from ``REV`` (``git ls-tree``) and the files
that differ from it in the work tree (``git diff REV`` and untracked files, read from disk
and hashed). A file already parsed is taken from the cache by path and blob id.

Rules are run according to their declared scope (``rules.base.Scope``):

- ``operator`` rules are run per operator *group* (its operator file, its users, operator
  files that claim its code): a group whose files, the shared files (catalog, calendar,
  maintainers) and the day are unchanged takes its findings from the cache;
- ``operators`` rules (never reading users) run on every operator file, every time;
- ``login`` rules run on the holders of login IDs held more than once (the logins of every
  user are kept per group in the cache);
- any other rule runs on the whole registry (every user's model, built from the cache).

Files git ignores are not seen (a full run reads the directory and would see them).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from accessreg import layout, schemagen
from accessreg.gitio.repo import GitRepository
from accessreg.layout import Kind
from accessreg.loading import Parsed, load, load_catalog, parse
from accessreg.parsecache import ParseCache, cache_dir, namespace
from accessreg.problems import Problem
from accessreg.registry import Registry
from accessreg.rules import CHECKS, Context, Rule
from accessreg.rules.base import Scope
from accessreg.schemacheck import SchemaChecker, checkers
from accessreg.validate import ValidationResult, locate_all, stale_schemas, validate

_SHARED = (Kind.CATALOG, Kind.CALENDAR, Kind.MAINTAINERS)


def blob_id(data: bytes) -> str:
    """The id git gives a file with this content."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class GroupResult:
    """What the cache keeps for one operator group."""

    problems: tuple[Problem, ...]  # users' own problems and the operator-scoped findings
    logins: tuple[tuple[str, str], ...]  # (user file, login ID) of every user that loaded


@dataclass
class Stats:
    files: int = 0
    changed: int = 0
    groups: int = 0
    groups_checked: int = 0
    parsed: int = 0  # files read and parsed in this run (the rest came from the cache)
    cache: str = ""
    notes: list[str] = field(default_factory=list)


class WorkTree:
    """The registry as it is on disk, listed from git instead of walking 200,000 files."""

    def __init__(self, root: Path, label: str, blobs: dict[str, str], fresh: dict[str, bytes]):
        self.root = root
        self.label = label
        self.blobs = blobs  # every current file → its blob id
        self.fresh = fresh  # content already read (the changed files)

    def paths(self) -> list[str]:
        return sorted(self.blobs)

    def read(self, rel: str) -> bytes:
        if rel in self.fresh:
            return self.fresh[rel]
        with open(self.root / rel, "rb") as f:  # noqa: PTH123 - hot path
            return f.read()


class _Subset:
    """Some of a work tree's files: what one load in this run needs."""

    def __init__(self, tree: WorkTree, rels: Iterable[str]) -> None:
        self.tree = tree
        self.label = tree.label
        self.rels = sorted(set(rels))

    def paths(self) -> list[str]:
        return self.rels

    def read(self, rel: str) -> bytes:
        return self.tree.read(rel)


def _hidden(rel: str) -> bool:
    # A full run walks the directory skipping hidden directories; see the same files.
    return any(part.startswith(".") for part in rel.split("/")[:-1])


def current_files(
    repo: GitRepository, rev: str, prefix: str, root: Path
) -> tuple[dict[str, str], dict[str, bytes], int]:
    """Every registry file now with its blob id, the changed files' content, and how many
    differ from ``rev``."""
    blobs = repo.tree_blobs(rev, prefix)
    changed = repo.worktree_changes(rev, prefix)
    fresh: dict[str, bytes] = {}
    for rel in changed:
        blobs.pop(rel, None)
        path = root / rel
        if path.is_file():
            fresh[rel] = path.read_bytes()
            blobs[rel] = blob_id(fresh[rel])
    for rel in [r for r in blobs if _hidden(r)]:
        del blobs[rel]
    return blobs, fresh, len(changed)


def _digest(*parts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for part in parts:
        for item in part:
            h.update(item.encode("utf-8", "surrogateescape"))
            h.update(b"\0")
        h.update(b"\1")
    return h.hexdigest()


class _Run:
    def __init__(self, tree: WorkTree, today: date, cache: ParseCache, stats: Stats) -> None:
        self.tree = tree
        self.today = today
        self.cache = cache
        self.stats = stats
        self.kinds = {rel: layout.classify(rel) for rel in tree.blobs}
        self.new_parsed: dict[str, Parsed] = {}

    def key(self, rel: str) -> str:
        return f"{rel}\0{self.tree.blobs[rel]}"

    def parsed(self, rels: Iterable[str], by_kind: dict[Kind, SchemaChecker]) -> dict[str, Parsed]:
        """Parsed files, from the cache where it has them."""
        wanted = [r for r in rels if self.kinds[r] not in (None, Kind.CATALOG)]
        cached = self.cache.get("parsed", (self.key(r) for r in wanted))
        found: dict[str, Parsed] = {}
        for rel in wanted:
            hit = cached.get(self.key(rel))
            if hit is None:
                kind = self.kinds[rel]
                assert kind is not None
                hit = parse(rel, kind, self.tree.read(rel), by_kind[kind])
                self.new_parsed[self.key(rel)] = hit
                self.stats.parsed += 1
            found[rel] = hit
        return found

    def load(self, rels: Iterable[str], reuse: dict[str, Parsed]) -> tuple[Registry, list[Problem]]:
        loaded = load(_Subset(self.tree, rels), reuse)
        assert loaded.registry is not None  # the catalog loaded before this run started
        return loaded.registry, loaded.problems


def _run_rules(rules: Iterable[Rule], registry: Registry, ctx: Context) -> list[Problem]:
    found: list[Problem] = []
    for rule in rules:
        assert rule.check is not None
        found.extend(rule.check(registry, ctx))
    return found


def validate_incremental(
    repo: GitRepository,
    rev: str,
    registry_dir: Path,
    label: str,
    today: date,
    schemas: Path | None = None,
    schemas_label: str = "schemas",
) -> tuple[ValidationResult, Stats]:
    """The problems of the registry in the work tree, reusing what is cached since ``rev``."""
    root = registry_dir.resolve()
    prefix = root.relative_to(repo.root.resolve()).as_posix()
    blobs, fresh, changed = current_files(repo, repo.resolve(rev), prefix, root)
    tree = WorkTree(root, label, blobs, fresh)
    stats = Stats(files=len(blobs), changed=changed)

    catalog, _ = load_catalog(tree, tree.paths())
    if catalog is None:  # nothing can be checked without it: the full run says why
        stats.notes.append("the catalog does not load: checked everything")
        return validate(tree, today, schemas, schemas_label), stats
    generated = schemagen.generate_all(catalog)
    schemas_text = json.dumps({str(k): v for k, v in generated.items()}, sort_keys=True)
    cache = ParseCache(cache_dir(repo.common_dir), namespace(schemas_text))
    stats.cache = str(cache.path)
    try:
        result = _validate(tree, today, cache, stats, checkers(generated))
    finally:
        if cache.error:
            stats.notes.append(cache.error)
        cache.close()
    located = locate_all(result, tree)
    if schemas is not None:
        located.extend(stale_schemas(Registry(catalog, {}, ()), schemas, schemas_label))
    return ValidationResult(sorted(located), len(blobs), None), stats


def _validate(
    tree: WorkTree,
    today: date,
    cache: ParseCache,
    stats: Stats,
    by_kind: dict[Kind, SchemaChecker],
) -> list[Problem]:
    run = _Run(tree, today, cache, stats)
    ctx = Context(today)
    groups: dict[str, list[str]] = defaultdict(list)
    always: list[str] = []  # shared files, operator files, files that belong nowhere
    for rel in sorted(tree.blobs):
        kind = run.kinds[rel]
        code = layout.operator_of(rel)
        if kind in (Kind.OPERATOR, Kind.USER) and code is not None:
            groups[code].append(rel)
        if kind is not Kind.USER:
            always.append(rel)
    stats.groups = len(groups)

    # Operator files are read every run; so is the linkage of an operator file that claims
    # another operator's code (operator-scoped rules follow the code in the file).
    base_parsed = run.parsed(always, by_kind)
    claims: dict[str, list[str]] = defaultdict(list)
    for rel in always:
        if run.kinds[rel] is Kind.OPERATOR:
            data = base_parsed[rel].data
            claimed = data.get("code") if isinstance(data, dict) else None
            if isinstance(claimed, str) and claimed != layout.operator_of(rel):
                claims[claimed].append(rel)
    shared = [f"{r}:{tree.blobs[r]}" for r in always if run.kinds[r] in _SHARED]
    base_key = _digest([today.isoformat()], shared)
    keys = {
        code: _digest(
            [base_key, code],
            (f"{r}:{tree.blobs[r]}" for r in rels),
            (f"{r}:{tree.blobs[r]}" for r in sorted(claims.get(code, ()))),
        )
        for code, rels in groups.items()
    }
    cached: dict[str, GroupResult] = cache.get("groups", keys.values())
    missed = sorted(code for code, key in keys.items() if key not in cached)
    stats.groups_checked = len(missed)

    # Everything every run needs, plus the users of the groups to check.
    missed_users = [r for code in missed for r in groups[code] if run.kinds[r] is Kind.USER]
    reuse = {**base_parsed, **run.parsed(missed_users, by_kind)}
    registry, load_problems = run.load([*always, *missed_users], reuse)
    group_of = {r: code for code in missed for r in groups[code]}
    found = [p for p in load_problems if run.kinds.get(p.file) is not Kind.USER]

    by_scope: dict[Scope, list[Rule]] = defaultdict(list)
    for rule in CHECKS:
        by_scope[rule.scope].append(rule)
    fresh: dict[str, list[Problem]] = {code: [] for code in missed}
    for p in load_problems:
        if run.kinds.get(p.file) is Kind.USER and p.file in group_of:
            fresh[group_of[p.file]].append(p)
    for p in _run_rules(by_scope[Scope.OPERATOR], registry, ctx):
        if p.file in group_of:
            fresh[group_of[p.file]].append(p)
    logins_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for u in registry.users:
        if u.file in group_of:
            logins_of[group_of[u.file]].append((u.file, u.user.email.lower()))
    new_results = {
        keys[code]: GroupResult(tuple(fresh[code]), tuple(logins_of[code])) for code in missed
    }
    cache.put("groups", new_results)
    results = {**cached, **new_results}
    for code in groups:
        found.extend(results[keys[code]].problems)

    found.extend(_run_rules(by_scope[Scope.OPERATORS], registry, ctx))
    found.extend(_login_findings(run, by_scope[Scope.LOGIN], registry, results, reuse, by_kind))
    if by_scope[Scope.REGISTRY]:
        stats.notes.append(
            "rules without a scope ran on the whole registry: "
            + ", ".join(r.id for r in by_scope[Scope.REGISTRY])
        )
        users = [r for r in tree.blobs if run.kinds[r] is Kind.USER]
        whole, _ = run.load([*always, *users], {**reuse, **run.parsed(users, by_kind)})
        found.extend(_run_rules(by_scope[Scope.REGISTRY], whole, ctx))

    cache.put("parsed", run.new_parsed)
    _prune(cache, tree, run, keys)
    return found


def _login_findings(
    run: _Run,
    rules: list[Rule],
    registry: Registry,
    results: dict[str, GroupResult],
    reuse: dict[str, Parsed],
    by_kind: dict[Kind, SchemaChecker],
) -> list[Problem]:
    """Run the login-scoped rules on the holders of every login held more than once."""
    if not rules:
        return []
    holders: Counter[str] = Counter()
    user_logins: list[tuple[str, str]] = []
    for result in results.values():
        user_logins.extend(result.logins)
    holders.update(login for _, login in user_logins)
    for entry in registry.operators.values():
        holders.update(c.email.lower() for c in entry.operator.contacts)
    clashing = [rel for rel, login in user_logins if holders[login] > 1]
    always = [r for r in run.tree.blobs if run.kinds[r] is not Kind.USER]
    clash_registry, _ = run.load([*always, *clashing], {**reuse, **run.parsed(clashing, by_kind)})
    return _run_rules(rules, clash_registry, Context(run.today))


def _prune(cache: ParseCache, tree: WorkTree, run: _Run, keys: dict[str, str]) -> None:
    """Keep the cache near the size of the registry: drop what it no longer holds."""
    if cache.count("parsed") > 2 * len(tree.blobs) + 1000:
        cache.prune("parsed", (run.key(r) for r in tree.blobs))
    if cache.count("groups") > 4 * len(keys) + 1000:
        cache.prune("groups", keys.values())
