"""Opening a repository and running git in it: the one module that starts git.

``repo`` (revisions, trees, blobs, diffs), ``state`` (refs of their own), ``branches`` and
``added`` build on :class:`Git`; none of them opens a repository or runs a command another way.
Each command is a plain child process: a library around git (GitPython, before) cost every
command 40-70 ms to import, for nothing the tool needs beyond starting git. One process
stays for as long as the repository is open: the ``git cat-file --batch`` that answers its
object lookups (``Git.objects``), a few dozen in a run of a merge.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Self, TypeVar, cast

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
_Key = tuple[str, tuple[str, ...]]  # the repository's git directory, and the question
_kept: OrderedDict[_Key, tuple[object, int]] = OrderedDict()  # key → (answer, its size)
_kept_size = 0
_kept_lock = threading.Lock()
_T = TypeVar("_T")


def _asked_once(key: _Key, ask: Callable[[], _T], size: Callable[[_T], int]) -> _T:
    """``ask``'s answer, kept for the process under ``key`` (what raises is not kept)."""
    with _kept_lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return cast(_T, found[0])
    answer = ask()
    _keep(key, answer, size(answer))
    return answer


def _keep(key: _Key, answer: object, size: int) -> None:
    global _kept_size
    if size > _KEPT_ONE:
        return
    with _kept_lock:
        if key in _kept:
            return
        _kept[key] = (answer, size)
        _kept_size += size
        while _kept_size > _KEPT_LIMIT:
            _, (_, dropped) = _kept.popitem(last=False)
            _kept_size -= dropped


# A tree entry's type by its mode, as ``ls-tree`` names it.
_TREE_KINDS = {b"40000": "tree", b"160000": "commit"}


def _tree_entries(content: bytes, id_size: int) -> list[tuple[str, str, str]]:
    """A tree object's entries: ``<mode> <name>`` NUL, then the entry's id in ``id_size``
    raw bytes (git's tree format)."""
    entries: list[tuple[str, str, str]] = []
    at = 0
    while at < len(content):
        nul = content.index(b"\0", at)
        mode, _, name = content[at:nul].partition(b" ")
        sha = content[nul + 1 : nul + 1 + id_size].hex()
        entries.append((_TREE_KINDS.get(mode, "blob"), sha, decode(name)))
        at = nul + 1 + id_size
    return entries


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


# An object git found: its id, its type and its content.
Found = tuple[str, str, bytes]


def _answers(stdout: IO[bytes], count: int) -> list[Found | None]:
    """``count`` answers of ``git cat-file --batch``, in the order asked: each an object,
    or None for a name that names none (``<name> missing``, ``<name> ambiguous``: a found
    object's header ends with its size, never with a word)."""
    found: list[Found | None] = []
    for _ in range(count):
        header = stdout.readline()
        if not header.endswith(b"\n"):
            raise GitError("cat-file", -1, "git ended before it answered")
        if header.endswith((b" missing\n", b" ambiguous\n")):
            found.append(None)
            continue
        sha, kind, size = decode(header).split()
        content = stdout.read(int(size))
        stdout.read(1)  # the newline after each object
        found.append((sha, kind, content))
    return found


def _end(proc: subprocess.Popen[bytes], owner: int) -> None:
    """End a reader's git, in the process that started it only (a forked worker holds a
    copy of it, which is not its own). Killed, not waited out after its input is closed:
    a forked worker still holding that input open would keep it from ever seeing the end;
    it only reads, so nothing is lost."""
    if os.getpid() != owner:
        return
    proc.kill()  # first: a thread still feeding it is let go, and its stream with it
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with suppress(OSError):
                stream.close()


class _Reader:
    """One ``git cat-file --batch`` for a repository opened by a run, answering its object
    lookups (an object id, ``<commit>:<path>``, ``<rev>^{commit}``) one request after
    another: a process for each lookup was a third of the git processes of a run on a
    small registry. Started on first use and ended with the repository (or, left open,
    when it is collected). A forked child (a loading worker) does not share it: it asks
    through a process of its own for each request."""

    def __init__(self, cwd: Path) -> None:
        self._cwd = cwd
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._owner = 0
        self._ended: weakref.finalize[..., _Reader] | None = None

    def ask(self, names: Sequence[str]) -> list[Found | None]:
        """The objects ``names`` name (no name holding a line break: each is a line)."""
        if not names:
            return []
        request = "".join(f"{name}\n" for name in names).encode("utf-8", "surrogateescape")
        if os.getpid() != self._owner and self._proc is not None:
            return self._once(request, len(names))  # a forked child's copy
        with self._lock:
            proc = self._started()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                if len(names) == 1:
                    proc.stdin.write(request)
                    proc.stdin.flush()
                    return _answers(proc.stdout, 1)
                return self._fed(proc, request, len(names))
            except (OSError, GitError, ValueError):
                # Answers half read are out of step: this git is not asked again (the next
                # ask starts one).
                self.close()
                raise GitError("cat-file", -1, "git stopped answering") from None

    @staticmethod
    def _fed(proc: subprocess.Popen[bytes], request: bytes, count: int) -> list[Found | None]:
        """Many names: fed from a thread while the answers are read, so that neither pipe
        fills up and stops the other."""
        assert proc.stdin is not None and proc.stdout is not None
        stdin, stdout = proc.stdin, proc.stdout
        failed: list[OSError] = []

        def feed() -> None:
            try:
                stdin.write(request)
                stdin.flush()
            except OSError as exc:
                failed.append(exc)

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            return _answers(stdout, count)
        except BaseException:
            proc.kill()  # a feed stopped by a pipe nobody reads any more ends with it
            raise
        finally:
            writer.join()
            if failed:
                raise failed[0]

    def _once(self, request: bytes, count: int) -> list[Found | None]:
        with tempfile.TemporaryFile() as said, tempfile.TemporaryFile() as asked:
            asked.write(request)
            asked.seek(0)
            proc = subprocess.Popen(
                ["git", "cat-file", "--batch"], cwd=self._cwd, env=_environment(),
                stdin=asked, stdout=subprocess.PIPE, stderr=said,
            )  # fmt: skip
            assert proc.stdout is not None
            try:
                with proc.stdout:
                    answers = _answers(proc.stdout, count)
            finally:
                status = proc.wait()  # its output closed first: a git still writing ends
            if status != 0:
                said.seek(0)
                raise GitError("cat-file", status, decode(said.read()))
            return answers

    def _started(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            self._proc = subprocess.Popen(
                ["git", "cat-file", "--batch"], cwd=self._cwd, env=_environment(),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            self._owner = os.getpid()
            self._ended = weakref.finalize(self, _end, self._proc, self._owner)
        return self._proc

    def close(self) -> None:
        if self._ended is not None:
            self._ended()
        self._proc, self._ended = None, None


def _askable(name: str) -> bool:
    """Whether ``name`` can be asked as a line of ``cat-file --batch``."""
    return "\n" not in name and "\r" not in name


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
        self._reader = _Reader(self._cwd)

    def close(self) -> None:
        """End the git that answers this repository's object lookups, if one was started."""
        self._reader.close()

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

        def ask() -> tuple[int, bytes]:
            done = self.call(*args, env=env)
            if done.returncode not in answers:
                raise GitError(args[0], done.returncode, decode(done.stderr))
            return done.returncode, done.stdout

        return _asked_once((str(self._common), args), ask, lambda answer: len(answer[1]))

    def kept(self, *args: str) -> bytes | None:
        """The output ``fixed`` kept of ``git args`` when it succeeded, without asking git."""
        with _kept_lock:
            found = _kept.get((str(self._common), args))
        if found is None:
            return None
        status, out = cast(tuple[int, bytes], found[0])
        return out if status == 0 else None

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
        """The content of many blobs, asked of the repository's reader all at once."""
        wanted = list(dict.fromkeys(shas))
        found: dict[str, bytes] = {}
        for sha, answer in zip(wanted, self.objects(wanted), strict=True):
            if answer is None or answer[1] != "blob":
                raise UsageError(msg("Git object {sha} is not a blob", sha=sha))
            found[sha] = answer[2]
        return found

    def objects(self, names: Sequence[str]) -> list[Found | None]:
        """The object each of ``names`` names (an id, ``<rev>:<path>``, ``<rev>^{commit}``),
        or None: one request to the repository's reader. A name holding a line break is
        resolved first by a process of its own (``rev-parse``)."""
        if all(map(_askable, names)):
            return self._reader.ask(names)
        ids = [name if _askable(name) else self._rev_parse(name) for name in names]
        asked = [name for name in ids if name is not None]
        answers = iter(self._reader.ask(asked))
        return [None if name is None else next(answers) for name in ids]

    def _rev_parse(self, name: str) -> str | None:
        return self.maybe("rev-parse", "--verify", "--quiet", "--end-of-options", name) or None

    def object(self, name: str) -> Found | None:
        """``objects`` of one name."""
        return self.objects([name])[0]

    def fixed_tree(self, name: str) -> list[tuple[str, str, str]] | None:
        """The entries of the tree ``name`` names (``fixed_object``), as ``ls-tree`` gives
        them: each entry's type (blob, tree or commit), id and name; None when it names no
        tree."""
        found = self.fixed_object(name)
        if found is None or found[1] != "tree":
            return None
        return _tree_entries(found[2], len(found[0]) // 2)

    def fixed_object(self, name: str) -> Found | None:
        """``object`` of a name whose every revision is a full object id, so that its
        answer never changes: asked once per process (as ``fixed`` keeps a command's)."""
        return _asked_once(
            (str(self._common), ("<object>", name)),  # no command of ``fixed`` is named so
            lambda: self.object(name),
            lambda found: len(found[2]) if found is not None else 0,
        )


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
