"""The registry the scheduled duties act on, loaded through the parse cache: the registry a
plain load of the snapshot gives, with files pinned as downstream systems hold them, and
nothing parsed again on a second run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from accessreg.effects.session import Session
from accessreg.files import cachedload
from accessreg.files.cachedload import load_snapshot
from accessreg.files.loading import LoadResult, load
from accessreg.files.parsecache import ENV_DIR, cache_dir
from accessreg.gitio.repo import GitRepository, blob_id
from accessreg.reporting import reporters
from accessreg.validation import incremental
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, run_cli
from tests.helpers.registries import parses_counted

CHANGED = "users/TESTOP01/user1@test-gas.example.co.jp.yaml"
ADDED = "users/TESTOP01/new@test-gas.example.co.jp.yaml"


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    reg.user()
    reg.user(email="user2@test-gas.example.co.jp", permissions={"juju": "granted"})
    made = GitRegistry(reg)
    yield made
    made.close()


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The files parsed (not taken from the cache), in a cache of this test's own."""
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "cache"))
    return parses_counted(monkeypatch, cachedload)


def test_the_same_registry_as_a_plain_load_parsed_once(gr: GitRegistry, parsed: list[str]) -> None:
    with GitRepository(gr.path) as repo:
        plain = load(repo.snapshot("HEAD", "registry")).registry
    with Session.open(gr.path) as session:
        first, source, errors = session.registry_at(gr.rev())
        assert errors == []
        assert first == plain
        assert source.read(CHANGED) == (gr.reg.root / CHANGED).read_bytes()
    assert CHANGED in parsed
    parsed.clear()
    with Session.open(gr.path) as session:
        again, _, _ = session.registry_at(gr.rev())
    assert again == plain
    assert parsed == []  # every file came from the cache


def test_pinned_files_as_a_plain_load_of_the_pinned_snapshot(
    gr: GitRegistry, parsed: list[str]
) -> None:
    old = (gr.reg.root / CHANGED).read_bytes()
    gr.reg.user(memo="変更後")
    gr.reg.user(email="new@test-gas.example.co.jp")
    gr.commit("a change and a new user, held back")
    pins: dict[str, bytes | None] = {CHANGED: old, ADDED: None}
    with GitRepository(gr.path) as repo:
        plain = load(repo.snapshot("HEAD", "registry").pinned(pins)).registry
        head = repo.blob_source("HEAD", "registry")
        # The id a pinned file is cached under is the one git gives the same content.
        assert head.pinned(pins).blob(CHANGED) == repo.blob_source("HEAD~1", "registry").blob(
            CHANGED
        )
        assert blob_id(old) == head.pinned(pins).blob(CHANGED)
    assert plain is not None and ADDED not in {u.file for u in plain.users}
    for _ in range(2):  # cold, then warm
        with Session.open(gr.path) as session:
            registry, source, _ = session.registry_at(gr.rev(), pins)
        assert registry == plain
        assert source.read(CHANGED) == old
        assert ADDED not in source.paths()
    assert parsed.count(CHANGED) == 1


def test_files_that_do_not_load_are_told_located(gr: GitRegistry, parsed: list[str]) -> None:
    (gr.reg.root / CHANGED).write_text("email: [unclosed\n", encoding="utf-8")
    gr.reg.user(email="user2@test-gas.example.co.jp", permissions={"juju": ["granted"]})
    gr.commit("broken")
    reports = []
    for _ in range(2):  # cold, then with the broken files' problems from the cache
        with Session.open(gr.path) as session:
            _, _, errors = session.registry_at(gr.rev())
        reports.append(reporters.text(errors))
    assert reports[0] == reports[1]
    assert f"registry/{CHANGED}:2:1: [error]" in reports[0]
    # A schema problem is located on its line in the file's content, read from git.
    assert "registry/users/TESTOP01/user2@test-gas.example.co.jp.yaml:7:" in reports[0]


def test_an_entry_that_is_no_file_is_never_missed_for_a_kept_registry(
    gr: GitRegistry, parsed: list[str]
) -> None:
    """A kept registry is known by its files' blob ids: a submodule entry added since, no
    file changed, is still an error of its own that stops the run, located."""
    with Session.open(gr.path) as session:
        session.registry_at(gr.rev())  # kept for the next load
    gr.repo.git.update_index("--add", "--cacheinfo", f"160000,{gr.rev()},registry/{ADDED}")
    gr.repo.git.commit("-q", "-m", "a submodule entry")
    plain, kept = _plain_and_kept(gr)
    assert kept == plain
    assert [(p.rule, p.file) for p in kept.problems] == [("file-type", ADDED)]
    with Session.open(gr.path) as session:
        report = reporters.text(session.registry_at(gr.rev())[2])
    assert f"registry/{ADDED}:1:1: [error]" in report and "(file-type)" in report


FIRST_APPLY = ["apply", "--initial", "--confirm", "--today", "2026-12-03"]


def _plain_and_kept(gr: GitRegistry) -> tuple[LoadResult, LoadResult]:
    """HEAD's registry as a plain load gives it, and as the next load of it reads it."""
    with GitRepository(gr.path) as repo:
        plain = load(repo.snapshot("HEAD", "registry"))
        kept = load_snapshot(repo.blob_source("HEAD", "registry"), cache_dir(repo.common_dir))
    return plain, kept


def test_a_first_apply_keeps_the_registry_it_loaded_for_the_next_load(
    gr: GitRegistry, parsed: list[str], tmp_path: Path
) -> None:
    """A first apply has loaded every file to check them: a status, daily or confirm run
    after it reads that registry back whole, parsing nothing (they parsed every file again,
    20 s at 200,000 users), its problems too (a file without its schema line warns)."""
    modeline, _, rest = (gr.reg.root / CHANGED).read_text(encoding="utf-8").partition("\n")
    assert modeline.startswith("# yaml-language-server")
    gr.write(f"registry/{CHANGED}", rest)
    gr.commit("a user file without its schema line")
    done = run_cli(*FIRST_APPLY, "--out", str(tmp_path / "out"), cwd=gr.path)
    assert done.returncode == 0, done.stderr
    parsed.clear()
    plain, kept = _plain_and_kept(gr)
    assert kept == plain
    assert [p.rule for p in kept.problems] == ["schema-comment"]
    with Session.open(gr.path) as session:
        assert session.registry_at(gr.rev())[0] == plain.registry
    assert parsed == []


def test_a_first_apply_keeps_no_registry_where_a_file_has_errors(
    gr: GitRegistry, parsed: list[str], tmp_path: Path
) -> None:
    """Checking keeps what it can of a file with errors, to judge it; a plain load leaves
    the file out. The registry a first apply checked is then not the one a later load
    would build, and is not kept."""
    gr.reg.user(email="user2@test-gas.example.co.jp", permissions={"juju": ["granted"]})
    gr.commit("a user file with a schema error")
    done = run_cli(*FIRST_APPLY, "--out", str(tmp_path / "out"), cwd=gr.path)
    assert done.returncode == 0, done.stderr
    plain, kept = _plain_and_kept(gr)
    assert plain.registry is not None
    assert "user2@test-gas.example.co.jp" not in {u.user.email for u in plain.registry.users}
    assert kept == plain


@pytest.mark.parametrize("made", ["warning", "schema error", "hidden file"])
def test_a_cold_cache_checked_whole_keeps_the_registry_it_loaded_where_a_load_gives_it(
    gr: GitRegistry,
    parsed: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    made: str,
) -> None:
    """The first apply of a new version of the tool finds its cache empty and checks every
    operator in one run (``incremental._WHOLE_RUN``, lowered to this registry's size): the
    registry it loaded is kept as a first apply keeps its own, and the next load reads it
    back, parsing nothing (the parse cache no longer holds every file). Not where a file
    has errors, nor where a file the check does not read lies in the commit (a draft in a
    hidden directory): a plain load gives another registry there."""
    done = run_cli(*FIRST_APPLY, "--out", str(tmp_path / "first"), cwd=gr.path)
    assert done.returncode == 0, done.stderr
    if made == "warning":
        modeline, _, rest = (gr.reg.root / CHANGED).read_text(encoding="utf-8").partition("\n")
        assert modeline.startswith("# yaml-language-server")
        gr.write(f"registry/{CHANGED}", rest)
    elif made == "schema error":
        gr.reg.user(email="user2@test-gas.example.co.jp", permissions={"juju": ["granted"]})
    else:
        draft = (gr.reg.root / CHANGED).read_text(encoding="utf-8")
        gr.write("registry/users/TESTOP01/.drafts/user1@test-gas.example.co.jp.yaml", draft)
    gr.commit(made)
    shutil.rmtree(tmp_path / "cache")
    monkeypatch.setattr(incremental, "_WHOLE_RUN", 1)
    later = ["apply", "--confirm", "--today", "2026-12-03", "--out", str(tmp_path / "later")]
    done = run_cli(*later, cwd=gr.path)
    assert done.returncode == 0, done.stderr
    parsed.clear()
    plain, kept = _plain_and_kept(gr)
    assert kept == plain
    if made == "warning":
        assert [p.rule for p in kept.problems] == ["schema-comment"]
        assert parsed == []  # read back whole
    else:
        assert parsed  # nothing kept: the next load parses
