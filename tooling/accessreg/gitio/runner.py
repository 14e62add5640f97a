"""Opening a repository and running git in it: the one module that imports GitPython.

``repo`` (revisions, trees, blobs, diffs), ``state`` (refs of their own), ``branches`` and
``added`` build on :class:`Git`; none of them opens a repository or runs a command another way.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Self

import git

from accessreg.errors import ConfigError, UsageError
from accessreg.model.messages import msg


def decode(raw: bytes) -> str:
    """Git's bytes as text; a path that is not UTF-8 survives the round trip."""
    return raw.decode("utf-8", "surrogateescape")


class GitError(UsageError):
    """A git command exited non-zero; ``stderr`` is what git said."""

    def __init__(self, command: str, status: int, stderr: str) -> None:
        self.stderr = stderr.strip()
        super().__init__(f"git {command} failed: {self.stderr or f'exit status {status}'}")


@contextmanager
def _stdin(data: bytes | None) -> Iterator[IO[bytes] | None]:
    """A real file holding ``data`` (a command's standard input must have a file number)."""
    if data is None:
        yield None
        return
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.seek(0)
        yield f


class Git:
    """The repository at or above ``start``, opened once; every git command runs through it."""

    def __init__(self, start: Path) -> None:
        try:
            self._repo = git.Repo(start, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise ConfigError(
                msg("{start} is not inside a git repository", start=str(start))
            ) from None
        self._git: Any = self._repo.git

    def close(self) -> None:
        """End the git processes GitPython keeps for this repository."""
        self._repo.close()

    def __enter__(self) -> Git:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def work_tree(self) -> Path | None:
        """The checkout's top directory; None for a bare repository."""
        top = self._repo.working_tree_dir
        return None if top is None else Path(top)

    @property
    def common_dir(self) -> Path:
        """The repository's shared git directory (the same for every worktree)."""
        return Path(self._repo.common_dir)

    def run(
        self, *args: str, data: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> bytes:
        """The output of ``git args``, fed ``data`` on standard input, with ``env`` added to
        the environment; :class:`GitError` when git fails."""
        with _stdin(data) as stdin:
            status, out, err = self._git.execute(
                ["git", *args],
                istream=stdin,
                env=dict(env) if env else None,
                with_extended_output=True,
                with_exceptions=False,
                stdout_as_string=False,
                strip_newline_in_stdout=False,
            )
        if status != 0:
            raise GitError(args[0], status, err)
        assert isinstance(out, bytes)
        return out

    def text(
        self, *args: str, data: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> str:
        """``run``'s output as text without surrounding white space: an id, a name, a list."""
        return decode(self.run(*args, data=data, env=env)).strip()

    def maybe(self, *args: str) -> str | None:
        """``text``, or None when git fails: for lookups where "no such thing" is an answer."""
        try:
            return self.text(*args)
        except GitError:
            return None

    @contextmanager
    def piped(self, *args: str, request: bytes) -> Iterator[IO[bytes]]:
        """The output stream of a long-running ``git args`` (``cat-file --batch``) that is fed
        ``request`` from a thread while the caller reads, so neither pipe buffer fills up."""
        proc = self._git.execute(["git", *args], as_process=True, istream=subprocess.PIPE)
        stdin: IO[bytes] = proc.proc.stdin
        stdout: IO[bytes] = proc.proc.stdout

        def feed() -> None:
            try:
                stdin.write(request)
            finally:
                stdin.close()

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            yield stdout
        finally:
            writer.join()
            stdout.close()
            proc.wait()


class Opened:
    """Something built on a repository it opened: it closes it, also as a context manager."""

    _git: Git

    def close(self) -> None:
        """End the git processes kept for the repository."""
        self._git.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
