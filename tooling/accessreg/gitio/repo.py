"""Revisions, trees, blobs, diffs and merge bases of one repository.

Nothing here touches the work tree: snapshots are read from git's object database, so a
plan or an authorization can look at any two revisions of a checkout without changing it.
Paths are POSIX paths relative to the repository root unless a ``prefix`` is given, in
which case they are relative to that directory (``registry/users/X/a.yaml`` under prefix
``registry`` is ``users/X/a.yaml``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from accessreg.errors import ConfigError, UsageError
from accessreg.escape import quote
from accessreg.files.sources import Entry, MemorySource
from accessreg.gitio.runner import WITHOUT_INDEX, Git, GitError, Opened, decode, logged
from accessreg.model.commits import CommitInfo, PathChange
from accessreg.model.messages import msg

_FILE_MODES = frozenset({"100644", "100755"})
# Tree entries that stand where a file would but are none: never read, reported as such.
_IRREGULAR: dict[str, Entry] = {"120000": "symlink", "160000": "gitlink"}
# A tree as ``tree_listing`` lists it: path → blob id of each file, and the entries that
# stand where a file would but are none.
Listing = tuple[dict[str, str], dict[str, Entry]]
_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


_LISTED_PATHS = 2000  # paths given to one ``git ls-tree``


# A change of ``git diff-tree --raw --no-renames`` read from the other tree's side.
_BACKWARDS = {"A": "D", "D": "A"}


def _within(rel: str, paths: Collection[str]) -> bool:
    """Whether ``rel`` is one of ``paths`` or lies in one of them."""
    if rel in paths:
        return True
    parts = rel.split("/")
    return any("/".join(parts[:n]) in paths for n in range(1, len(parts)))


def _relative(path: str, prefix: str) -> str | None:
    if not prefix:
        return path
    lead = prefix.rstrip("/") + "/"
    return path[len(lead) :] if path.startswith(lead) else None


class GitRepository(Opened):
    """A checkout's repository, opened once; every query is a plumbing command."""

    def __init__(self, start: Path | None = None) -> None:
        where = start or Path.cwd()
        self._git = Git(where)
        root = self._git.work_tree
        if root is None:
            self._git.close()
            raise ConfigError(
                msg("{where} is a bare repository; run from a checkout", where=str(where))
            )
        self.root = root
        # What an object id names never changes: a run resolves the same few commits dozens
        # of times, and compares the same two trees in several places.
        self._resolved: dict[str, str] = {}
        self._diffs: dict[tuple[str, str, str], dict[str, str | None]] = {}
        self._added: dict[tuple[str, str, str], frozenset[str]] = {}
        self._odd: dict[tuple[str, str, str], dict[str, Entry]] = {}

    @property
    def common_dir(self) -> Path:
        """The repository's shared git directory (the same for every worktree)."""
        return self._git.common_dir

    # -- revisions ---------------------------------------------------------------------------

    def resolve(self, rev: str) -> str:
        """The commit id ``rev`` names; a usage error if it names none."""
        if not rev or rev.startswith("-"):
            raise UsageError(msg("{rev} is not a revision", rev=quote(rev)))
        if rev in self._resolved:
            return self._resolved[rev]
        asked = f"{rev}^{{commit}}"
        full = _OBJECT_ID.fullmatch(rev)  # a name such as HEAD may name another commit later
        answer = self._git.fixed_object(asked) if full else self._git.object(asked)
        if answer is None:
            raise UsageError(msg("Unknown revision {rev}", rev=quote(rev)))
        found = answer[0]
        self._resolved[found] = found
        if full:
            self._resolved[rev] = found
        return found

    def merge_base(self, a: str, b: str) -> str:
        """The best common ancestor of two revisions (what a pull request is compared to)."""
        first, second = self.resolve(a), self.resolve(b)
        found = self._git.fixed_text("merge-base", first, second)
        if not found:
            raise UsageError(msg("{a} and {b} have no common ancestor", a=a, b=b))
        return found

    def is_ancestor(self, ancestor: str, rev: str) -> bool:
        try:  # exit status 1: it is not
            status, _ = self._git.fixed(
                "merge-base",
                "--is-ancestor",
                self.resolve(ancestor),
                self.resolve(rev),
                answers=(0, 1),
            )
        except GitError:
            return False
        return status == 0

    def first_parent_history(self, base: str | None, head: str) -> list[CommitInfo]:
        """The commits after ``base`` up to ``head`` along first parents, oldest first.

        On a main branch that only takes merges, each is one merged pull request. Without
        ``base``, the whole history of ``head``.
        """
        return self._commits("--first-parent", "--reverse", self._span(base, head))

    def _span(self, base: str | None, head: str) -> str:
        """The commits after ``base`` up to ``head`` (all of ``head``'s without it)."""
        return f"{self.resolve(base)}..{self.resolve(head)}" if base else self.resolve(head)

    def first_parent_paths(self, base: str | None, head: str) -> dict[str, tuple[str, ...]]:
        """Of each commit ``first_parent_history`` gives, the paths it changed against its
        first parent (a rename's both sides; a root commit's every file), from one ``git
        log``: a range of weeks of merges is one process, not one per merge."""
        _, out = self._git.fixed(
            "log", "--first-parent", "--diff-merges=first-parent", "--no-renames",
            "--name-only", "-z", "--format=%x00%H", self._span(base, head),
        )  # fmt: skip
        return dict(logged(out))

    def commit(self, rev: str) -> CommitInfo:
        """One commit, as ``first_parent_history`` gives each."""
        (found,) = self._commits("-1", self.resolve(rev))
        return found

    def _commits(self, *args: str) -> list[CommitInfo]:
        _, out = self._git.fixed("log", "-z", "--format=%H %P%x01%ct%x01%s", *args)
        found = []
        for record in out.split(b"\0"):
            if not record.strip():
                continue
            ids, stamp, subject = decode(record.strip(b"\n")).split("\x01", 2)
            sha, *parents = ids.split()
            when = datetime.fromtimestamp(int(stamp), UTC)
            found.append(CommitInfo(sha, parents[0] if parents else None, subject, when))
            # Commits git named: a range's steps load each, and asking git again what such
            # an id names cost a process a step.
            self._resolved.update((c, c) for c in (sha, *parents))
        return found

    def revisions_changing(self, rev: str, paths: Sequence[str], limit: int) -> list[str]:
        """The last ``limit`` commits, newest first, along first parents from ``rev``, that
        changed any of ``paths`` (a merge counts against its first parent): the states
        those paths had on a main branch, and nothing a side branch held meanwhile."""
        out = decode(self._git.run("log", "--first-parent", f"--max-count={limit}", "--format=%H",
                                   self.resolve(rev), "--", *paths))  # fmt: skip
        return out.split()

    def last_removals(self, rev: str, pathspecs: Sequence[str]) -> dict[str, str]:
        """Of each path ``pathspecs`` match, the newest commit along first parents from
        ``rev`` that removed it (a merge against its first parent): path → commit id. One
        ``git log``: what main held, not what a side branch held meanwhile."""
        out = self._git.run(
            "log", "--first-parent", "--diff-merges=first-parent", "--no-renames",
            "--diff-filter=D", "--name-only", "-z", "--format=%x00%H", self.resolve(rev),
            "--", *pathspecs,
        )  # fmt: skip
        found: dict[str, str] = {}
        for commit, paths in logged(out):
            for path in paths:
                found.setdefault(path, commit)
        return found

    def commits_with_lines(
        self, rev: str, pattern: str, paths: Sequence[str]
    ) -> list[tuple[str, tuple[str, ...]]]:
        """Newest first, the commits along first parents from ``rev`` that add or remove a
        line matching ``pattern`` (``git log -G``) in ``paths``, each with the files where
        they do."""
        out = self._git.run(
            "log", "--first-parent", "--diff-merges=first-parent", "--no-renames",
            f"-G{pattern}", "--name-only", "-z", "--format=%x00%H", self.resolve(rev),
            "--", *paths,
        )  # fmt: skip
        return logged(out)

    # -- trees and blobs ---------------------------------------------------------------------

    def tree_id(self, rev: str, path: str) -> str | None:
        """The id of the tree at ``path`` in ``rev`` (None when there is none): equal ids,
        equal content, so it keys what was computed from a whole directory."""
        found = self._git.fixed_object(f"{self.resolve(rev)}:{path}")
        return found[0] if found is not None else None

    def tree_blobs(self, rev: str, prefix: str = "", under: Sequence[str] = ()) -> dict[str, str]:
        """Path → blob id of every file under ``prefix`` at ``rev`` (``git ls-tree -r``);
        only the files and directories ``under`` (relative to ``prefix``) if given."""
        return self.tree_listing(rev, prefix, under)[0]

    def tree_listing(self, rev: str, prefix: str = "", under: Sequence[str] = ()) -> Listing:
        """``tree_blobs``, and the entries of the same listing that stand where a file
        would but are none (a submodule, a symbolic link), each with what it is."""
        args = ["ls-tree", "-r", "-z", "--full-tree", self.resolve(rev)]
        lead_dir = prefix.rstrip("/") + "/" if prefix else ""
        # ls-tree takes its paths literally; past a few thousand the command line could
        # overflow, and listing everything then costs about as much.
        paths = [d.rstrip("/") for d in under]
        if paths and len(paths) <= _LISTED_PATHS:
            args += ["--", *(f"{lead_dir}{d}" for d in paths)]
        elif prefix:
            args += ["--", prefix]
        found: dict[str, str] = {}
        odd: dict[str, Entry] = {}
        lead = prefix.rstrip("/") + "/" if prefix else ""
        # Plain string operations: this runs once per file of a 200,000-file registry.
        for record in decode(self._git.fixed(*args)[1]).split("\0"):
            meta, _, path = record.partition("\t")
            mode, kind, sha = meta.split(" ") if meta else ("", "", "")
            if not path.startswith(lead):
                continue
            if kind == "blob" and mode in _FILE_MODES:
                found[path[len(lead) :]] = sha
            elif mode in _IRREGULAR:
                odd[path[len(lead) :]] = _IRREGULAR[mode]
        if len(paths) > _LISTED_PATHS:
            wanted = set(paths)
            found = {rel: sha for rel, sha in found.items() if _within(rel, wanted)}
            odd = {rel: what for rel, what in odd.items() if _within(rel, wanted)}
        return found, odd

    def tree_entries(self, rev: str, path: str) -> dict[str, str]:
        """Name → object id of each entry directly in the directory ``path`` at ``rev`` (a
        blob's id keys its content, a tree's that of the whole directory); empty when there
        is no such directory. One tree read: no recursion."""
        entries = self._git.fixed_tree(f"{self.resolve(rev)}:{path}") or []
        return {name: sha for _, sha, name in entries}

    def subtrees(self, rev: str, path: str) -> dict[str, str]:
        """Name → tree id of each directory directly in the directory ``path`` at ``rev``;
        empty when there is no such directory."""
        entries = self._git.fixed_tree(f"{self.resolve(rev)}:{path}") or []
        return {name: sha for kind, sha, name in entries if kind == "tree"}

    def file_paths(self, rev: str, path: str, *more: str) -> list[str]:
        """Every file under the directories ``path`` and ``more`` at ``rev``, as repository
        paths: one ``git ls-tree --name-only``, no object read."""
        _, out = self._git.fixed("ls-tree", "-r", "-z", "--name-only", "--full-tree",
                                 self.resolve(rev), "--",
                                 *(f"{p.rstrip('/')}/" for p in (path, *more)))  # fmt: skip
        return [name for name in decode(out).split("\0") if name]

    def index_blobs(self, prefix: str = "") -> dict[str, str]:
        """Path → blob id of every file under ``prefix`` in the index (``git ls-files -s``)."""
        args = ["ls-files", "-s", "-z", "--full-name"]
        if prefix:
            args += ["--", f":(top){prefix}"]
        found: dict[str, str] = {}
        for record in decode(self._git.run(*args)).split("\0"):
            meta, _, path = record.partition("\t")
            if not meta:
                continue
            mode, sha, stage = meta.split(" ")
            rel = _relative(path, prefix)
            if rel is not None and stage == "0" and mode in _FILE_MODES:
                found[rel] = sha
        return found

    def file_at(self, rev: str, path: str) -> bytes | None:
        """The content of the file ``path`` in ``rev``, a commit or a ref such as the state
        ref (None: no such revision, or no such file in it)."""
        if not rev or rev.startswith("-"):
            return None
        found = self._git.object(f"{rev}:{path}")
        if found is None:
            return None
        if found[1] != "blob":
            raise UsageError(msg("Git object {sha} is not a blob", sha=found[0]))
        return found[2]

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The content of many blobs, in one request to the repository's reader."""
        return self._git.blobs(shas)

    def snapshot(
        self,
        rev: str,
        prefix: str,
        select: Callable[[str], bool] | None = None,
        under: Sequence[str] = (),
        listed: Listing | None = None,
    ) -> MemorySource:
        """The files under ``prefix`` at ``rev`` (only ``under`` those paths if given; those
        ``select`` keeps), held in memory; ``listed``: ``tree_listing``'s of the same, if
        the caller has it already."""
        blobs, odd = listed if listed is not None else self.tree_listing(rev, prefix, under)
        if select is not None:
            blobs = {rel: sha for rel, sha in blobs.items() if select(rel)}
            odd = {rel: what for rel, what in odd.items() if select(rel)}
        content = self.read_blobs(blobs.values())
        files = {rel: content[sha] for rel, sha in blobs.items()}
        return MemorySource(files, label=prefix, irregular=odd)

    def blob_source(
        self,
        rev: str,
        prefix: str,
        select: Callable[[str], bool] | None = None,
        under: Sequence[str] = (),
    ) -> BlobSource:
        """Like :meth:`snapshot`, but nothing is read until asked: the files are known by
        blob id from one listing of the tree."""
        blobs, odd = self.tree_listing(rev, prefix, under)
        if select is not None:
            blobs = {rel: sha for rel, sha in blobs.items() if select(rel)}
            odd = {rel: what for rel, what in odd.items() if select(rel)}
        return BlobSource(self, blobs, prefix, odd)

    # -- differences -------------------------------------------------------------------------

    def changes(self, base: str, head: str) -> list[PathChange]:
        """Every path that differs from ``base`` to ``head``, renames and copies detected.

        Copies are found among the files the change touches (``-C``); callers that must not
        miss a copied file compare content as well (git's detection is a similarity guess).
        """
        out = self._git.run(
            "diff-tree", "-r", "-z", "--no-commit-id", "--name-status", "-M", "-C",
            self.resolve(base), self.resolve(head),
        )  # fmt: skip
        return list(_parse_name_status(out))

    def changed_blobs(
        self, base: str, head: str, prefix: str = "", *, kept: bool = True
    ) -> dict[str, str | None]:
        """Path → new blob id (None: deleted) of every file that differs between two
        revisions under ``prefix``; trees compared, no file read or stat'ed. Each comparison
        is kept for the other questions asked of it, unless ``kept`` is False and none was
        asked yet: a first apply's history compares each merge with the one before once,
        and kept, those comparisons held every path and blob id of the registry to the end
        of the run (68 MB at 200,000 users)."""
        key = (self.resolve(base), self.resolve(head), prefix)
        if not kept and key not in self._diffs:
            return self._changed_blobs(*key)[0]
        return dict(self._diffs[self._diffed(base, head, prefix)])

    def changed_irregular(self, base: str, head: str, prefix: str = "") -> dict[str, Entry]:
        """Of the paths ``changed_blobs`` gives, those that ``head`` holds as no file (a
        submodule, a symbolic link: None there), with what each is."""
        return dict(self._odd[self._diffed(base, head, prefix)])

    def added_files(self, base: str, head: str, prefix: str = "") -> frozenset[str]:
        """The files under ``prefix`` that ``head`` has and ``base`` has not (from the same
        comparison of trees as ``changed_blobs``)."""
        return self._added[self._diffed(base, head, prefix)]

    def _diffed(self, base: str, head: str, prefix: str) -> tuple[str, str, str]:
        key = (self.resolve(base), self.resolve(head), prefix)
        if key not in self._diffs:
            self._diffs[key], self._added[key], self._odd[key] = self._changed_blobs(*key)
        return key

    def _changed_blobs(
        self, base: str, head: str, prefix: str
    ) -> tuple[dict[str, str | None], frozenset[str], dict[str, Entry]]:
        args = ["diff-tree", "-r", "-z", "--no-renames", "--raw"]
        spec = ["--", prefix] if prefix else []
        # The same two trees compared the other way round before (a range's steps compare
        # each merge both ways): the same listing, each change read backwards. The raw
        # listing of two trees reads no index, no attribute, no content; kept or not, it
        # is asked once a process (``fixed`` keeps a bounded few, the small ones).
        backwards = self._git.kept(*args, head, base, *spec)
        if backwards is not None:
            asked = backwards
        else:
            asked = self._git.fixed(*args, base, head, *spec, env=WITHOUT_INDEX)[1]
        fields = decode(asked).split("\0")
        found: dict[str, str | None] = {}
        added: set[str] = set()
        odd: dict[str, Entry] = {}
        for meta, path in zip(fields[0::2], fields[1::2], strict=False):
            if not meta.startswith(":"):
                continue
            old_mode, new_mode, old_sha, new_sha, status = meta[1:].split(" ")
            if backwards is not None:
                old_mode, new_mode, new_sha = new_mode, old_mode, old_sha
                status = _BACKWARDS.get(status, status)
            rel = _relative(path, prefix)
            if rel is not None:
                blob = status != "D" and new_mode in _FILE_MODES
                found[rel] = new_sha if blob else None
                if blob and old_mode not in _FILE_MODES:  # "A", or a link made a file
                    added.add(rel)
                if status != "D" and new_mode in _IRREGULAR:
                    odd[rel] = _IRREGULAR[new_mode]
        return found, frozenset(added), odd

    def changed_among(self, rev: str, head: str | None, paths: Sequence[str]) -> set[str]:
        """The repository paths under ``paths`` that differ from ``rev`` to ``head`` (None:
        the work tree, untracked files too). Only those paths are compared."""
        specs = ["--", *(f":(top){p}" for p in paths)]
        heads = [self.resolve(head)] if head is not None else []
        listed = self._git.run("diff", "--name-only", "-z", self.resolve(rev), *heads, *specs)
        if head is None:
            listed += b"\0" + self._git.run(
                "ls-files", "-z", "--others", "--exclude-standard", "--full-name", *specs
            )
        return {decode(raw) for raw in listed.split(b"\0") if raw}

    def worktree_changes(self, rev: str, prefix: str = "") -> set[str]:
        """Paths under ``prefix`` whose work-tree content differs from ``rev``, untracked too.

        ``git diff REV`` compares the revision with the files on disk (it stats them, it
        does not read the unchanged ones); untracked files are listed by ``ls-files``. The
        two run at once: on a large registry each is mostly waiting for the file system.
        """
        spec = [f":(top){prefix}"] if prefix else []
        commit = self.resolve(rev)
        with ThreadPoolExecutor(2) as pool:
            diff = pool.submit(
                self._git.run, "diff", "--name-only", "-z", "--no-renames", commit, "--", *spec
            )
            untracked = pool.submit(
                self._git.run, "ls-files", "-z", "--others", "--exclude-standard", "--full-name",
                "--", *spec,
            )  # fmt: skip
            listed = [*diff.result().split(b"\0"), *untracked.result().split(b"\0")]
        found: set[str] = set()
        for raw in listed:
            if raw:
                rel = _relative(decode(raw), prefix)
                if rel is not None:
                    found.add(rel)
        return found


class BlobSource:
    """The files of a tree, by blob id; content read from git on demand, many at once
    through :meth:`prefetch`."""

    def __init__(
        self,
        repo: GitRepository,
        blobs: dict[str, str],
        label: str,
        irregular: Mapping[str, Entry] | None = None,
    ) -> None:
        self.repo = repo
        self.blobs = blobs
        self.label = label
        self._irregular = dict(irregular or {})
        self._content: dict[str, bytes] = {}

    def paths(self) -> list[str]:
        return sorted(self.blobs)

    def irregular(self) -> Mapping[str, Entry]:
        return self._irregular

    def blob(self, rel: str) -> str:
        return self.blobs[rel]

    def prefetch(self, rels: Iterable[str]) -> None:
        wanted = {rel: self.blobs[rel] for rel in rels if rel not in self._content}
        content = self.repo.read_blobs(wanted.values())
        self._content.update({rel: content[sha] for rel, sha in wanted.items()})

    def read(self, rel: str) -> bytes:
        if rel not in self._content:
            self.prefetch([rel])
        return self._content[rel]

    def pinned(self, pins: Mapping[str, bytes | None]) -> BlobSource:
        """The same files with ``pins`` laid over them (None: absent), each pinned file known
        by the id git gives its content, so that the parse cache keys it as any other."""
        blobs = dict(self.blobs)
        content = dict(self._content)
        for rel, data in pins.items():
            if data is None:
                blobs.pop(rel, None)
                content.pop(rel, None)
            else:
                blobs[rel] = blob_id(data)
                content[rel] = data
        odd = {rel: what for rel, what in self._irregular.items() if rel not in pins}
        pinned = BlobSource(self.repo, blobs, self.label, odd)
        pinned._content = content
        return pinned


def blob_id(data: bytes) -> str:
    """The id ``git hash-object`` gives ``data`` (SHA-1 object format)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _parse_name_status(out: bytes) -> Iterator[PathChange]:
    fields = out.split(b"\0")
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i].decode()
        letter = status[0]
        if letter in "RC":
            old, new = decode(fields[i + 1]), decode(fields[i + 2])
            yield PathChange(letter, new, old, int(status[1:] or 0))  # type: ignore[arg-type]
            i += 3
        else:
            yield PathChange(letter, decode(fields[i + 1]))  # type: ignore[arg-type]
            i += 2
