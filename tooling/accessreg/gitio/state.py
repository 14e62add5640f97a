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
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import git

from accessreg.errors import ConfigError

STATE_REF = "refs/accessreg/state"
_IDENTITY = {"name": "accessreg", "email": "accessreg@localhost"}


class StateConflictError(ConfigError):
    """The state ref moved while this run was using it."""


class StateStore:
    def __init__(self, root: Path, ref: str = STATE_REF, remote: str | None = None) -> None:
        try:
            self._repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise ConfigError(f"{root} is not inside a git repository") from None
        self._git: Any = self._repo.git
        self.ref = ref
        self.remote = remote

    def close(self) -> None:
        self._repo.close()

    def _env(self) -> dict[str, str]:
        """Commit as the configured user; a fresh runner without one commits as accessreg."""
        reader = self._repo.config_reader()
        env = {}
        for role in ("AUTHOR", "COMMITTER"):
            for key in ("name", "email"):
                var = f"GIT_{role}_{key.upper()}"
                if var not in os.environ and not reader.get_value("user", key, ""):
                    env[var] = _IDENTITY[key]
        return env

    def fetch(self) -> None:
        """Take the remote's state as the truth (it is only ever written by fast-forwards)."""
        if self.remote is None:
            return
        try:
            self._git.fetch(self.remote, f"+{self.ref}:{self.ref}")
        except git.GitCommandError as exc:
            if "couldn't find remote ref" not in str(exc):
                raise ConfigError(f"cannot fetch {self.ref} from {self.remote}: {exc}") from None

    def head(self) -> str | None:
        """The commit the state ref points to, or None before the first update."""
        try:
            out: str = self._git.rev_parse("--verify", "--quiet", f"{self.ref}^{{commit}}")
        except git.GitCommandError:
            return None
        return out.strip() or None

    def read(self, commit: str | None) -> dict[str, bytes]:
        """The files of one state commit (none before the first)."""
        if commit is None:
            return {}
        tree = self._repo.commit(commit).tree
        return {blob.name: blob.data_stream.read() for blob in tree.blobs}

    def write(self, files: Mapping[str, bytes], message: str, parent: str | None) -> str:
        """Record ``files`` as the new state on top of ``parent``; returns the new commit.

        Fails with StateConflictError if the ref no longer points to ``parent``.
        """
        entries = []
        for name in sorted(files):
            if "/" in name:
                raise ValueError(f"state files are flat: {name!r}")
            with _stdin(files[name]) as data:
                sha = self._git.hash_object("-w", "--stdin", istream=data)
            entries.append(f"100644 blob {sha}\t{name}")
        with _stdin(("\n".join(entries) + "\n").encode()) as listing:
            tree = self._git.mktree(istream=listing)
        args = [tree, "-m", message]
        if parent is not None:
            args += ["-p", parent]
        with self._repo.git.custom_environment(**self._env()):
            commit: str = self._git.commit_tree(*args)
        try:
            self._git.update_ref("-m", message, self.ref, commit, parent or "0" * 40)
        except git.GitCommandError:
            raise StateConflictError(
                f"{self.ref} moved while this run was using it; run the command again"
            ) from None
        self._push()
        return commit

    def _push(self) -> None:
        if self.remote is None:
            return
        try:
            self._git.push(self.remote, f"{self.ref}:{self.ref}")
        except git.GitCommandError as exc:
            raise StateConflictError(
                f"cannot push {self.ref} to {self.remote} (did another run update it?): {exc}"
            ) from None


def _stdin(data: bytes) -> IO[bytes]:
    """A real file holding ``data`` for a git command's standard input."""
    f = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    f.write(data)
    f.seek(0)
    return f
