"""The registry the scheduled duties act on, loaded through the parse cache: the registry a
plain load of the snapshot gives, with files pinned as downstream systems hold them, and
nothing parsed again on a second run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from accessreg import i18n
from accessreg.effects.session import Session
from accessreg.errors import ProblemsFound
from accessreg.files import cachedload
from accessreg.files.loading import load
from accessreg.files.parsecache import ENV_DIR
from accessreg.gitio.repo import GitRepository, blob_id
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory

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
    seen: list[str] = []
    real = cachedload.parse_all

    def counting(source: object, by_kind: object, items: list[tuple[str, object]]) -> object:
        seen.extend(rel for rel, _ in items)
        return real(source, by_kind, items)  # type: ignore[arg-type]

    monkeypatch.setattr(cachedload, "parse_all", counting)
    return seen


def test_the_same_registry_as_a_plain_load_parsed_once(gr: GitRegistry, parsed: list[str]) -> None:
    with GitRepository(gr.path) as repo:
        plain = load(repo.snapshot("HEAD", "registry")).registry
    with Session.open(gr.path) as session:
        first, source = session.registry_at(gr.rev())
        assert first == plain
        assert source.read(CHANGED) == (gr.reg.root / CHANGED).read_bytes()
    assert CHANGED in parsed
    parsed.clear()
    with Session.open(gr.path) as session:
        again, _ = session.registry_at(gr.rev())
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
            registry, source = session.registry_at(gr.rev(), pins)
        assert registry == plain
        assert source.read(CHANGED) == old
        assert ADDED not in source.paths()
    assert parsed.count(CHANGED) == 1


def test_files_that_do_not_load_stop_the_run_located(gr: GitRegistry, parsed: list[str]) -> None:
    (gr.reg.root / CHANGED).write_text("email: [unclosed\n", encoding="utf-8")
    gr.reg.user(email="user2@test-gas.example.co.jp", permissions={"juju": ["granted"]})
    gr.commit("broken")
    reports = []
    for _ in range(2):  # cold, then with the broken files' problems from the cache
        with Session.open(gr.path) as session, pytest.raises(ProblemsFound) as raised:
            session.registry_at(gr.rev())
        reports.append(i18n.text(raised.value.message, "en"))
    assert reports[0] == reports[1]
    assert f"registry/{CHANGED}:2:1: [error]" in reports[0]
    # A schema problem is located on its line in the file's content, read from git.
    assert "registry/users/TESTOP01/user2@test-gas.example.co.jp.yaml:7:" in reports[0]
