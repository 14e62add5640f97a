"""Which operators have a user file of a login ID at a revision (user files are named by
login ID), looked up in an index rather than by listing every user.

The index lives in the parse cache (``ParseCache.members``): per users' directory, keyed by
its git tree id, the login IDs of its files. A tree id names the directory's content, so
an entry can never be stale; a merge changes the trees of the operators it touches, and
only those are listed again. A lookup lists the operators' directories (one small
``git ls-tree`` of ``registry/users``), lists the files of the directories the index does
not hold yet, and asks the index for the wanted login IDs only. Without a usable cache the
answer comes from one listing of every user file: the same answer, slower.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from accessreg.files.parsecache import ParseCache, cache_dir, namespace
from accessreg.gitio.repo import GitRepository
from accessreg.model import layout
from accessreg.model.layout import readable_name
from accessreg.review.authorize import logins_by_operator

SPACE = "logins"  # the cache namespace of the index: it depends on no schema
# Beyond this many directories to list one by one, listing every user file is cheaper.
_MAX_LISTED = 200
# Directories the index may hold beyond those of the revision looked at, before it forgets
# those: older revisions' directories, mostly of operators that changed since.
_SLACK = 2.0


def _users_path() -> str:
    return layout.repo_path(layout.USERS_DIR)


def _wanted(rels: Iterable[str], logins: Iterable[str]) -> dict[str, frozenset[str]]:
    index = logins_by_operator(rels)
    return {login: index[login] for login in logins if login in index}


def _login(name: str) -> str | None:
    """The login ID a file of a users' directory is named by, if it may be a user's (a name
    that is not readable text is no file of the registry)."""
    if name.endswith(".yaml") and len(name) > 5 and (name.isprintable() or readable_name(name)):
        return name[:-5].lower()
    return None


def listed_holders(
    repo: GitRepository, rev: str, logins: Iterable[str]
) -> dict[str, frozenset[str]]:
    """Login ID → operators with a user file of that name at ``rev``, for each of ``logins``
    (lower case) held there: from one listing of every user file, no index."""
    wanted = set(logins)
    if not wanted:
        return {}
    rels = (
        rel
        for path in repo.file_paths(rev, _users_path())
        if _login(path.rpartition("/")[2]) in wanted and (rel := layout.registry_rel(path))
    )
    return _wanted(rels, wanted)


def listed_logins(repo: GitRepository, rev: str, skip: Collection[str] = ()) -> set[str]:
    """The login IDs (lower case) of the user files at ``rev`` but ``skip`` (registry
    paths): one listing of the users' directories (``git ls-tree -r --name-only``), no file
    read."""
    found = set()
    for path in repo.file_paths(rev, _users_path()):
        rel = layout.registry_rel(path)
        login = _login(path.rpartition("/")[2])
        if rel is not None and rel not in skip and login is not None:
            found.add(login)
    return found


def _entries(names: Iterable[str]) -> list[tuple[str, str]]:
    """(login ID, file name) of each file of a users' directory that may be a user's; the
    name is left out (empty) when it is the login ID's own, as it nearly always is."""
    return [
        (login, "" if name == f"{login}.yaml" else name)
        for name in names
        if (login := _login(name)) is not None
    ]


def _index(repo: GitRepository, rev: str, cache: ParseCache, trees: Mapping[str, str]) -> None:
    """Add the directories ``trees`` (operator code → tree id) that the index lacks."""
    listed = cache.groups_listed(set(trees.values()))
    missing = {code: tree for code, tree in trees.items() if tree not in listed}
    if not missing:
        return
    root = _users_path()
    if len(missing) > _MAX_LISTED:
        paths = repo.file_paths(rev, root)
    else:
        paths = repo.file_paths(rev, *(f"{root}/{code}" for code in sorted(missing)))
    names: dict[str, list[str]] = defaultdict(list)
    lead = f"{root}/"
    for path in paths:
        code, _, name = path[len(lead) :].partition("/")
        if code in missing and name and "/" not in name:
            names[code].append(name)
    cache.add_groups({tree: _entries(names[code]) for code, tree in missing.items()})
    if cache.count_groups() > _SLACK * len(trees) + _MAX_LISTED:
        cache.prune_groups(trees.values())


def holders(repo: GitRepository, rev: str, logins: Iterable[str]) -> dict[str, frozenset[str]]:
    """Login ID → operators with a user file of that name at ``rev``, for each of ``logins``
    (lower case) held there."""
    wanted = set(logins)
    if not wanted:
        return {}
    cache = ParseCache(cache_dir(repo.common_dir), namespace(SPACE))
    try:
        trees = repo.subtrees(rev, _users_path())
        _index(repo, rev, cache, trees)
        codes: dict[str, list[str]] = defaultdict(list)  # tree id → codes (copies share one)
        for code, tree in trees.items():
            codes[tree].append(code)
        rels = [
            f"{layout.users_dir(code)}/{name or login + '.yaml'}"
            for login, tree, name in cache.members_of(sorted(wanted))
            for code in codes.get(tree, ())
        ]
        # Every directory must be in the index: a cache that failed on the way (it answers
        # nothing then), or lost a directory since (another run pruned it), is no answer.
        complete = cache.groups_listed(codes) == set(codes)
    finally:
        cache.close()
    if not complete:
        return listed_holders(repo, rev, wanted)
    return _wanted(rels, wanted)
