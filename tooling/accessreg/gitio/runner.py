"""Opening a repository and running git in it: the one module that starts git.

``repo`` (revisions, trees, blobs, diffs), ``state`` (refs of their own), ``branches`` and
``added`` build on :class:`Git`; none of them opens a repository or runs a command another way.
Each command is a plain child process: a library around git (GitPython, before) cost every
command 40-70 ms to import, for nothing the tool needs beyond starting git.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Self

from accessreg.errors import ConfigError, UsageError
from accessreg.model.messages import msg


def decode(raw: bytes) -> str:
    """Git's bytes as text; a path that is not UTF-8 survives the round trip."""
    return raw.decode("utf-8", "surrogateescape")


# Where no index is: ``diff-tree`` reads the checkout's whole index although comparing two
# trees needs none of it (28 MB and some 30 ms of system time a call in a checkout of
# 200,000 files; a run steps through dozens of merges). A path in a directory nobody makes
# is absent (ENOENT), which git takes for an empty index.
WITHOUT_INDEX = {
    "GIT_INDEX_FILE": str(
        Path(tempfile.gettempdir()) / f"accessreg-no-index-{secrets.token_hex(16)}" / "index"
    )
}


def logged(out: bytes) -> list[tuple[str, tuple[str, ...]]]:
    """``git log -z --name-only --format=%x00<one field>``: each entry, as its field (a
    commit id, a time: never empty) and the paths git names for it. An entry starts with
    an empty field, then its own, then its paths, the first one after a newline git puts
    there. A path is never empty, so no file name, whatever its bytes, reads as an entry."""
    found: list[tuple[str, tuple[str, ...]]] = []
    fields = out.split(b"\0")
    i = 0
    while i + 1 < len(fields) and not fields[i] and fields[i + 1]:
        head, paths = decode(fields[i + 1]), []
        i += 2
        if i < len(fields) and fields[i]:
            paths.append(decode(fields[i].removeprefix(b"\n")))
            i += 1
        while i < len(fields) and fields[i]:
            paths.append(decode(fields[i]))
            i += 1
        found.append((head, tuple(paths)))
    return found


class GitError(UsageError):
    """A git command exited non-zero; ``stderr`` is what git said."""

    def __init__(self, command: str, status: int, stderr: str) -> None:
        self.stderr = stderr.strip()
        super().__init__(f"git {command} failed: {self.stderr or f'exit status {status}'}")


@contextmanager
def _stdin(data: bytes | None) -> Iterator[IO[bytes] | int]:
    """A real file holding ``data`` (a command's standard input must have a file number);
    nothing to read without it."""
    if data is None:
        yield subprocess.DEVNULL
        return
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.seek(0)
        yield f


def _environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process's environment, with git's messages in English: what it says on failure
    is matched (a ref locked, a remote ref missing), never shown untranslated as ours."""
    env = dict(os.environ)
    env["LANGUAGE"] = "C"
    env["LC_ALL"] = "C"
    if extra:
        env.update(extra)
    return env


# Answers of git about objects named by their ids alone, kept for the process: what an id
# names never changes, and a run opens the repository several times (the session, the
# state, each range read) and asks each the same few questions (a tree's entries, whether
# one commit is an ancestor of another). A large answer (a whole registry's listing) is
# not kept; the oldest go first past the limit.
_KEPT_LIMIT = 8 << 20
_KEPT_ONE = 256 << 10
_kept: OrderedDict[tuple[str, tuple[str, ...]], tuple[int, bytes]] = OrderedDict()
_kept_size = 0
_kept_lock = threading.Lock()


def _keep(key: tuple[str, tuple[str, ...]], answer: tuple[int, bytes]) -> None:
    global _kept_size
    if len(answer[1]) > _KEPT_ONE:
        return
    with _kept_lock:
        if key in _kept:
            return
        _kept[key] = answer
        _kept_size += len(answer[1])
        while _kept_size > _KEPT_LIMIT:
            _, (_, dropped) = _kept.popitem(last=False)
            _kept_size -= len(dropped)


def _not_a_repository(start: Path) -> ConfigError:
    return ConfigError(msg("{start} is not inside a git repository", start=str(start)))


# Where each directory's repository is, found once per process: a run opens the same
# repository several times (the session, the state, each range read), and asking git
# again cost a process each time. Only what was found is kept.
_found: dict[Path, tuple[Path, Path | None]] = {}


def _find(start: Path, where: Path) -> tuple[Path, Path | None]:
    """The shared git directory of the repository at or above ``where``, and its top
    directory (None for a bare repository)."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-common-dir",
             "--is-inside-work-tree", "--show-cdup"],
            cwd=where, env=_environment(), stdin=subprocess.DEVNULL,
            capture_output=True, check=False,
        )  # fmt: skip
    except FileNotFoundError:
        raise ConfigError(msg("git is not installed: install it, or put it on PATH")) from None
    if found.returncode != 0:
        if b"not a git repository" in found.stderr:
            raise _not_a_repository(start)
        raise GitError("rev-parse", found.returncode, decode(found.stderr))
    common, inside, *cdup = decode(found.stdout).split("\n")
    return Path(common), (where / cdup[0]).resolve() if inside == "true" else None


class Git:
    """The repository at or above ``start``, found once; every git command runs through it,
    from its top directory (its git directory when it has no work tree)."""

    def __init__(self, start: Path) -> None:
        where = start if start.is_dir() else start.parent
        if not where.is_dir():
            raise _not_a_repository(start)
        found = _found.get(where.absolute())
        if found is None or not found[0].is_dir():  # gone since: found again
            found = _find(start, where)
            _found[where.absolute()] = found
        self._common, self._top = found
        self._cwd = self._top or self._common

    def close(self) -> None:
        """Nothing is kept running between commands: here for :class:`Opened`."""

    def __enter__(self) -> Git:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def work_tree(self) -> Path | None:
        """The checkout's top directory; None for a bare repository."""
        return self._top

    @property
    def common_dir(self) -> Path:
        """The repository's shared git directory (the same for every worktree)."""
        return self._common

    def call(
        self, *args: str, data: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """``git args`` run once, fed ``data`` on standard input, with ``env`` added to the
        environment: what it exited with and what it wrote. Every short command goes
        through here."""
        with _stdin(data) as stdin:
            return subprocess.run(
                ["git", *args], cwd=self._cwd, env=_environment(env), stdin=stdin,
                capture_output=True, check=False,
            )  # fmt: skip

    def run(
        self, *args: str, data: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> bytes:
        """The output of ``git args`` (``call``); :class:`GitError` when git fails."""
        done = self.call(*args, data=data, env=env)
        if done.returncode != 0:
            raise GitError(args[0], done.returncode, decode(done.stderr))
        return done.stdout

    def fixed(
        self, *args: str, answers: Collection[int] = (0,), env: Mapping[str, str] | None = None
    ) -> tuple[int, bytes]:
        """``git args`` whose every revision is a full object id, so that its answer never
        changes: its exit status, one of ``answers`` (another raises :class:`GitError` and
        is not kept: a missing object may come), and its output, asked once per process."""
        key = (str(self._common), args)
        with _kept_lock:
            found = _kept.get(key)
            if found is not None:
                _kept.move_to_end(key)
                return found
        done = self.call(*args, env=env)
        if done.returncode not in answers:
            raise GitError(args[0], done.returncode, decode(done.stderr))
        answer = (done.returncode, done.stdout)
        _keep(key, answer)
        return answer

    def fixed_text(self, *args: str) -> str | None:
        """``fixed``'s output as ``text`` gives it, or None when git fails (``maybe``)."""
        try:
            return decode(self.fixed(*args)[1]).strip()
        except GitError:
            return None

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

    def blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The content of many blobs through one pipelined ``git cat-file --batch``."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        request = "".join(f"{sha}\n" for sha in wanted).encode()
        found: dict[str, bytes] = {}
        with self.piped("cat-file", "--batch", request=request) as stdout:
            for sha in wanted:
                header = stdout.readline().split()
                if len(header) < 3 or header[1] != b"blob":
                    raise UsageError(msg("Git object {sha} is not a blob", sha=sha))
                size = int(header[2])
                found[sha] = stdout.read(size)
                stdout.read(1)  # the newline after each object
        return found

    @contextmanager
    def piped(self, *args: str, request: bytes) -> Iterator[IO[bytes]]:
        """The output stream of a long-running ``git args`` (``cat-file --batch``) that is fed
        ``request`` from a thread while the caller reads, so neither pipe buffer fills up.
        :class:`GitError` when git fails (what it says goes to a file: nobody reads a pipe
        of it while the output is read)."""
        with tempfile.TemporaryFile() as said:
            proc = subprocess.Popen(
                ["git", *args], cwd=self._cwd, env=_environment(), stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=said,
            )  # fmt: skip
            assert proc.stdin is not None and proc.stdout is not None
            stdin, stdout = proc.stdin, proc.stdout

            def feed() -> None:
                with suppress(BrokenPipeError):  # git ended early: its status says why
                    try:
                        stdin.write(request)
                    finally:
                        stdin.close()

            writer = threading.Thread(target=feed, daemon=True)
            writer.start()
            try:
                yield stdout
            finally:
                # The output closed first: a git still writing ends, and so does the feed.
                stdout.close()
                writer.join()
                status = proc.wait()
            if status > 0:  # not a signal: the pipe closed early is the reader's choice
                said.seek(0)
                raise GitError(args[0], status, decode(said.read()))


class Opened:
    """Something built on a repository it opened: it closes it, also as a context manager."""

    _git: Git

    def close(self) -> None:
        """Let go of the repository (each git command is a process of its own: nothing
        is left running)."""
        self._git.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
