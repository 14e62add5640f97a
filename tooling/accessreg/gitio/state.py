"""State kept in git, outside the reviewed registry: a ref of its own holding a few files.

``refs/accessreg/state`` (and ``refs/accessreg/duties``) point to a chain of commits whose
trees hold a few flat files (what they mean is the business of the code that reads them).
Every update is a new commit whose parent is the previous state, so the history is the audit
log, and the ref is moved with a compare-and-swap: two writers cannot silently overwrite each
other. Nothing here touches the work tree, the index or any branch.

With a remote, the state is fetched before it is read and pushed after every update, so it
survives on a fresh CI runner. What was recorded locally is never thrown away for the
remote's copy: the remote's state is fetched beside the local one
(``refs/remotes/<remote>/accessreg/...``) and

- taken when the local state is behind it (or absent);
- ignored when the local state is ahead of it (a push that failed): the next update pushes
  both;
- merged when both moved since they last agreed: a commit with both as parents, its files
  merged by the caller's ``merge`` (the outbox only grows, so it is a union).

A ref lock that git left behind when it was killed (``<ref>.lock`` in the git directory) is
removed once it is older than ``STALE_LOCK_SECONDS``: git holds it for milliseconds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from accessreg.errors import ConfigError
from accessreg.gitio.runner import Git, GitError, Opened
from accessreg.model.messages import Message, Verbatim, msg

STATE_REF = "refs/accessreg/state"
STALE_LOCK_SECONDS = 60
_IDENTITY = {"name": "accessreg", "email": "accessreg@localhost"}
_ZERO = "0" * 40

# (common ancestor's files, ours, theirs) → the merged files; raises ConfigError on a conflict.
Merge = Callable[[Mapping[str, bytes], Mapping[str, bytes], Mapping[str, bytes]], dict[str, bytes]]


class StateConflictError(ConfigError):
    """The state ref moved while this run was using it."""


class StateLockedError(ConfigError):
    """Another git process holds the state ref's lock (or held it when it died, recently)."""


class StatePushError(ConfigError):
    """The remote did not take the update; ``commit`` is the state recorded locally,
    ``cause`` why the remote did not take it (in git's and the remote's words)."""

    def __init__(
        self, message: str | Message, commit: str, cause: Message | Verbatim | None = None
    ) -> None:
        super().__init__(message)
        self.commit = commit
        self.cause = cause


def _push_cause(stderr: str, remote: str) -> Message | Verbatim:
    """What went wrong with a push, in git's and the remote's own words: the ref's status
    (`` ! [rejected] …``) and what the remote said (``remote: …``)."""
    lines = [ln.strip() for ln in stderr.splitlines()]
    status = " ".join(ln.removeprefix("!").strip() for ln in lines if ln.startswith("! ["))
    said = "; ".join(ln.removeprefix("remote:").strip() for ln in lines if ln.startswith("remote:"))
    said = said.strip("; ")
    if "[rejected]" in status:
        return msg(
            "{remote}'s copy moved ({status}): another run recorded state meanwhile",
            remote=remote,
            status=Verbatim(status),
        )
    if "[remote rejected]" in status:
        if said:
            return msg(
                "{remote} refused the update {status}: {said}",
                remote=remote,
                status=Verbatim(status),
                said=Verbatim(said),
            )
        return msg("{remote} refused the update {status}", remote=remote, status=Verbatim(status))
    fatal = [ln.removeprefix("fatal:").strip() for ln in lines if ln.startswith("fatal:")]
    words = "; ".join(fatal) or said or status or stderr.strip()
    return Verbatim(words) if words else msg("git push failed")


class StateStore(Opened):
    """The files of one state ref; a context manager that closes the repository it opened."""

    def __init__(
        self,
        root: Path,
        ref: str = STATE_REF,
        remote: str | None = None,
        merge: Merge | None = None,
    ) -> None:
        self._git = Git(root)
        self.ref = ref
        self.remote = remote
        self._merge = merge
        self._blobs: dict[str, tuple[bytes, str]] = {}  # file name → (content, blob id)
        self.notes: list[Message] = []  # what reconciling with the remote or a lock did
        self.ahead = False  # fetched: the local state holds commits the remote lacks
        self._identity: dict[str, str] | None = None  # ``_env``, asked once per store

    @property
    def tracking_ref(self) -> str:
        """Where the remote's copy is fetched to: beside the local state, never over it."""
        return f"refs/remotes/{self.remote}/{self.ref.removeprefix('refs/')}"

    def _env(self) -> dict[str, str]:
        """Commit as the configured user; a fresh runner without one commits as accessreg.
        Asked once per store: a run records a state commit for each mail it sends, and
        its identity does not change while it runs."""
        if self._identity is None:
            self._identity = self._identity_env()
        return self._identity

    def _identity_env(self) -> dict[str, str]:
        env = {}
        # Both keys from one git ("user.name value" lines, the last one counting as git
        # counts it): a process each cost a tenth of a small run's state writes.
        listed = self._git.maybe("config", "--get-regexp", r"^user\.(name|email)$") or ""
        values = dict(line.partition(" ")[::2] for line in listed.splitlines())
        for key in ("name", "email"):
            if values.get(f"user.{key}", "").strip():
                continue
            for role in ("AUTHOR", "COMMITTER"):
                var = f"GIT_{role}_{key.upper()}"
                if var not in os.environ:
                    env[var] = _IDENTITY[key]
        return env

    def _rev(self, ref: str) -> str | None:
        found = self._git.object(f"{ref}^{{commit}}")  # read when asked: a ref moves
        return found[0] if found is not None else None

    def _is_ancestor(self, older: str, newer: str) -> bool:
        try:
            self._git.run("merge-base", "--is-ancestor", older, newer)
        except GitError:
            return False
        return True

    # -- reading -----------------------------------------------------------------------------

    def fetch(self) -> None:
        """Bring the remote's state in and reconcile it with the local one (see the module)."""
        if self.remote is None:
            return
        try:
            self._git.run("fetch", self.remote, f"+{self.ref}:{self.tracking_ref}")
        except GitError as exc:
            if "couldn't find remote ref" in exc.stderr:
                return
            raise ConfigError(
                msg(
                    "Cannot fetch {ref} from {remote}: {stderr}",
                    ref=self.ref,
                    remote=str(self.remote),
                    stderr=str(exc.stderr),
                )
            ) from None
        theirs, ours = self._rev(self.tracking_ref), self.head()
        if theirs is None or theirs == ours:
            return
        if ours is None or self._is_ancestor(ours, theirs):
            self._move(theirs, ours, f"fetched from {self.remote}")
        elif self._is_ancestor(theirs, ours):
            self.ahead = True
            self.notes.append(
                msg(
                    "{ref} here ({ours}) is ahead of {remote}'s ({theirs}): kept, and pushed "
                    "with the next update",
                    ref=self.ref,
                    ours=ours[:12],
                    remote=self.remote,
                    theirs=theirs[:12],
                )
            )
        else:
            merged = self._merged(ours, theirs)
            self._move(merged, ours, f"merged {self.remote}'s state")
            self.ahead = True
            self.notes.append(
                msg(
                    "{ref} here ({ours}) and {remote}'s ({theirs}) had both moved: merged as "
                    "{merged}, pushed with the next update",
                    ref=self.ref,
                    ours=ours[:12],
                    remote=self.remote,
                    theirs=theirs[:12],
                    merged=merged[:12],
                )
            )

    def head(self) -> str | None:
        """The commit the state ref points to, or None before the first update."""
        return self._rev(self.ref)

    def read(self, commit: str | None) -> dict[str, bytes]:
        """The files of one state commit (none before the first)."""
        if commit is None:
            return {}
        entries = self._git.fixed_tree(f"{commit}^{{tree}}")
        if entries is None:
            raise GitError("cat-file", 1, f"{commit} names no commit")
        ids = {name: sha for kind, sha, name in entries if kind == "blob"}
        content = self._git.blobs(ids.values())  # one request for the outbox's 256 parts
        files = {}
        for name, sha in ids.items():
            self._blobs[name] = (content[sha], sha)
            files[name] = content[sha]
        return files

    # -- writing -----------------------------------------------------------------------------

    def write(
        self, files: Mapping[str, bytes], message: str, parent: str | None, push: bool = True
    ) -> str:
        """Record ``files`` as the new state on top of ``parent``; returns the new commit.

        Fails with StateConflictError if the ref no longer points to ``parent``, and with
        StatePushError (the new commit kept locally) if the remote does not take it.
        """
        commit = self._commit(files, message, [parent] if parent else [])
        self._move(commit, parent, message)
        if push:
            self.push()
        return commit

    def push(self) -> None:
        """Send the local state to the remote (a fast-forward: it holds the remote's)."""
        if self.remote is None:  # asked first: reading the ref is a git process per record
            return
        head = self.head()
        if head is None:
            return
        try:
            self._git.run("push", self.remote, f"{self.ref}:{self.ref}")
        except GitError as exc:
            cause = _push_cause(exc.stderr, self.remote)
            raise StatePushError(
                msg(
                    "Cannot push {ref} to {remote}: {value}. The state is "
                    "recorded here as {head}; a next run here keeps it and pushes "
                    "it",
                    ref=self.ref,
                    remote=str(self.remote),
                    value=cause,
                    head=head[:12],
                ),
                head,
                cause,
            ) from None

    def reset(self, commit: str | None, expected: str) -> None:
        """Move the ref back to ``commit`` (an update that must not stand), if still at
        ``expected``."""
        if commit is None:
            self._git.run("update-ref", "-d", self.ref, expected)
        else:
            self._move(commit, expected, "withdrawn")

    def _blob(self, name: str, data: bytes) -> str:
        known = self._blobs.get(name)
        if known is not None and known[0] == data:
            return known[1]  # unchanged since read or written: no need to hash it again
        sha = self._git.text("hash-object", "-w", "--stdin", data=data)
        self._blobs[name] = (data, sha)
        return sha

    def _commit(self, files: Mapping[str, bytes], message: str, parents: list[str]) -> str:
        entries = []
        for name in sorted(files):
            if "/" in name:
                raise ValueError(f"state files are flat: {name!r}")
            entries.append(f"100644 blob {self._blob(name, files[name])}\t{name}")
        tree = self._git.text("mktree", data="".join(f"{e}\n" for e in entries).encode())
        args = [tree, "-m", message]
        for parent in parents:
            args += ["-p", parent]
        return self._git.text("commit-tree", *args, env=self._env())

    def _merged(self, ours: str, theirs: str) -> str:
        if self._merge is None:
            raise StateConflictError(
                msg(
                    "{ref} here ({ours}) and {remote}'s ({theirs}) have both "
                    "moved and cannot be merged",
                    ref=self.ref,
                    ours=ours[:12],
                    remote=str(self.remote),
                    theirs=theirs[:12],
                )
            )
        base = self._git.maybe("merge-base", ours, theirs)
        files = self._merge(self.read(base), self.read(ours), self.read(theirs))
        return self._commit(files, f"merged {self.remote}'s state", [ours, theirs])

    # -- the ref and its lock ----------------------------------------------------------------

    @property
    def lock_file(self) -> Path:
        return self._git.common_dir / f"{self.ref}.lock"

    def _move(self, new: str, old: str | None, message: str) -> None:
        """Compare-and-swap ``ref`` from ``old`` to ``new``; one stale lock is cleared."""
        for attempt in (1, 2):
            try:
                self._git.run("update-ref", "-m", message, self.ref, new, old or _ZERO)
                return
            except GitError as exc:
                if "cannot lock ref" not in exc.stderr or not self.lock_file.exists():
                    break
                if attempt == 2 or not self._clear_stale_lock():
                    raise self._locked() from None
        raise StateConflictError(
            msg(
                "{ref} moved while this run was using it (another run "
                "recorded state); run the command again",
                ref=self.ref,
            )
        )

    def _clear_stale_lock(self) -> bool:
        """Remove the ref's lock if git left it behind long ago (git holds it for
        milliseconds, so an old one belongs to a git process that was killed)."""
        try:
            age = time.time() - self.lock_file.stat().st_mtime
        except FileNotFoundError:
            return True  # released meanwhile
        if age < STALE_LOCK_SECONDS:
            return False
        self.lock_file.unlink(missing_ok=True)
        self.notes.append(
            msg(
                "Removed {file}, left {seconds} s ago by a git process that was stopped",
                file=Verbatim(str(self.lock_file)),
                seconds=int(age),
            )
        )
        return True

    def _locked(self) -> StateLockedError:
        try:
            since: str | Message = datetime.fromtimestamp(self.lock_file.stat().st_mtime).strftime(
                "%H:%M:%S"
            )
        except FileNotFoundError:
            since = msg("a moment ago")
        return StateLockedError(
            msg(
                "{ref} is locked by another git process ({file}, since {since}). Wait for the "
                "other run to finish; a lock older than {seconds} s is removed by the next "
                "run, or delete the file once no git or accessreg process is running",
                ref=self.ref,
                file=Verbatim(str(self.lock_file)),
                since=since,
                seconds=STALE_LOCK_SECONDS,
            )
        )
