"""Shared fixtures. The package is imported from tooling/ of this checkout (pytest's
``pythonpath`` setting in pyproject.toml); helpers are the ``tests.helpers`` package."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from accessreg.model.messages import Message
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.lapsed import lapsed
from tests.helpers.regfactory import RegistryFactory

# The tests' scratch files (a git repository, a cache and a run's outputs each, a quarter of
# a million files a run) go to a file system in memory where the machine has one with room:
# on disk, creating them and the commits' and caches' flushes to the disk took a fifth of
# the suite's wall time. pytest's own setting for where they go; one the caller gave wins.
_IN_MEMORY = Path("/dev/shm")
_ROOM = 2 << 30  # bytes free at least: a container's default /dev/shm holds 64 MiB


def _in_memory() -> bool:
    try:
        free = os.statvfs(_IN_MEMORY)
    except OSError:
        return False
    return os.access(_IN_MEMORY, os.W_OK) and free.f_bavail * free.f_frsize >= _ROOM


if "PYTEST_DEBUG_TEMPROOT" not in os.environ and _in_memory():
    os.environ["PYTEST_DEBUG_TEMPROOT"] = str(_IN_MEMORY)

# The tests' repositories live for a second: git's housekeeping after each of their commits
# and merges (``git maintenance run --auto``, a process each time, a twentieth of the git
# processes of an apply test) has nothing to keep. The tool makes its own commits with
# commit-tree, which runs none.
if "GIT_CONFIG_COUNT" not in os.environ:
    os.environ.update(
        GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="maintenance.auto", GIT_CONFIG_VALUE_0="false"
    )


@pytest.fixture(autouse=True)
def _messages_in_words_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A message reaches a reader through ``i18n.text``, in their language; turned into text
    any other way (``str``, an f-string, a mail template), it fails the test."""

    def refused(message: Message) -> str:
        raise TypeError(f"a message turned into text without i18n.text: {message!r}")

    monkeypatch.setattr(Message, "__str__", refused)


@pytest.fixture
def reg(tmp_path: Path) -> RegistryFactory:
    """A tiny valid registry in a temporary repository directory."""
    return RegistryFactory(tmp_path / "repo")


@pytest.fixture
def on_pr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    """``reg`` in git, on a branch ``pr`` from ``main``: a pull request being written."""
    made = GitRegistry(reg)
    made.branch("pr")
    yield made
    made.close()


@pytest.fixture
def lapsed_gr(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GitRegistry]:
    """``tests.helpers.lapsed`` committed in a git repository (its first commit), with a
    cache of its own."""
    monkeypatch.setenv("ACCESSREG_CACHE_DIR", str(tmp_path / "cache"))
    lapsed(reg)
    made = GitRegistry(reg)
    yield made
    made.close()


@pytest.fixture(autouse=True)
def _japanese_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts from the default language, whatever the machine's locale; a test
    that wants English asks for it (``--lang en`` or ``ACCESSREG_LANG``)."""
    for var in ("ACCESSREG_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tool's own words in English (``ACCESSREG_LANG=en``, as ``--lang en`` gives
    them), for a module whose tests read them: ``pytestmark =
    pytest.mark.usefixtures("english")``."""
    monkeypatch.setenv("ACCESSREG_LANG", "en")


# The day every commit of a test is made on, in Japan (12:00 JST). A merge's day is its
# commit's (``apply`` validates as of it, and a deletion takes effect no earlier); the
# scenarios give `--today` and the acceptance as fixed days, so their commits are dated
# the same way, not by the clock: a suite run after midnight in Japan otherwise moved
# their dates by a day. A test about other days sets its own.
COMMITTED_AT = "2026-12-03T12:00:00+09:00"


@pytest.fixture(autouse=True)
def _commits_on_a_fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_AUTHOR_DATE", COMMITTED_AT)
    monkeypatch.setenv("GIT_COMMITTER_DATE", COMMITTED_AT)
