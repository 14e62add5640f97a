"""Provisioning state kept in git, outside the reviewed registry: a ref of its own.

``refs/accessreg/state`` points to a chain of commits whose trees hold a few files (what they
mean is ``provision.state``'s business). Every update is a new commit whose parent is the
previous state, so the history is the audit log, and the ref is moved with a compare-and-swap:
two writers cannot silently overwrite each other. Nothing here touches the work tree, the
index or any branch. With a remote, the state is fetched before it is read and pushed after
every update, so it survives on a fresh CI runner and a mail recorded as sent stays recorded
even if the job dies a moment later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from accessreg.errors import ConfigError
from accessreg.gitio.runner import Git, GitError, Opened

STATE_REF = "refs/accessreg/state"
_IDENTITY = {"name": "accessreg", "email": "accessreg@localhost"}


class StateConflictError(ConfigError):
    """The state ref moved while this run was using it."""


class StateStore(Opened):
    """The files of one state ref; a context manager that closes the repository it opened."""

    def __init__(self, root: Path, ref: str = STATE_REF, remote: str | None = None) -> None:
        self._git = Git(root)
        self.ref = ref
        self.remote = remote

    def _env(self) -> dict[str, str]:
        """Commit as the configured user; a fresh runner without one commits as accessreg."""
        env = {}
        for key in ("name", "email"):
            if self._git.maybe("config", "--get", f"user.{key}"):
                continue
            for role in ("AUTHOR", "COMMITTER"):
                var = f"GIT_{role}_{key.upper()}"
                if var not in os.environ:
                    env[var] = _IDENTITY[key]
        return env

    def fetch(self) -> None:
        """Take the remote's state as the truth (it is only ever written by fast-forwards)."""
        if self.remote is None:
            return
        try:
            self._git.run("fetch", self.remote, f"+{self.ref}:{self.ref}")
        except GitError as exc:
            if "couldn't find remote ref" not in exc.stderr:
                raise ConfigError(
                    f"cannot fetch {self.ref} from {self.remote}: {exc.stderr}"
                ) from None

    def head(self) -> str | None:
        """The commit the state ref points to, or None before the first update."""
        return self._git.maybe("rev-parse", "--verify", "--quiet", f"{self.ref}^{{commit}}") or None

    def read(self, commit: str | None) -> dict[str, bytes]:
        """The files of one state commit (none before the first)."""
        if commit is None:
            return {}
        files = {}
        for record in self._git.text("ls-tree", "-z", commit).split("\0"):
            meta, _, name = record.partition("\t")
            if meta.split(" ")[1:2] == ["blob"]:
                files[name] = self._git.run("cat-file", "blob", meta.split(" ")[2])
        return files

    def write(self, files: Mapping[str, bytes], message: str, parent: str | None) -> str:
        """Record ``files`` as the new state on top of ``parent``; returns the new commit.

        Fails with StateConflictError if the ref no longer points to ``parent``.
        """
        entries = []
        for name in sorted(files):
            if "/" in name:
                raise ValueError(f"state files are flat: {name!r}")
            sha = self._git.text("hash-object", "-w", "--stdin", data=files[name])
            entries.append(f"100644 blob {sha}\t{name}")
        tree = self._git.text("mktree", data=("\n".join(entries) + "\n").encode())
        args = [tree, "-m", message]
        if parent is not None:
            args += ["-p", parent]
        commit = self._git.text("commit-tree", *args, env=self._env())
        try:
            self._git.run("update-ref", "-m", message, self.ref, commit, parent or "0" * 40)
        except GitError:
            raise StateConflictError(
                f"{self.ref} moved while this run was using it; run the command again"
            ) from None
        self._push()
        return commit

    def _push(self) -> None:
        if self.remote is None:
            return
        try:
            self._git.run("push", self.remote, f"{self.ref}:{self.ref}")
        except GitError as exc:
            raise StateConflictError(
                f"cannot push {self.ref} to {self.remote} (did another run update it?): "
                f"{exc.stderr}"
            ) from None
