"""Loading snapshots by blob id through the parse cache: the same registry as a plain load,
each blob parsed once, and the cache consulted by (path, blob id)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from accessreg.files import cachedload
from accessreg.files.cachedload import load_cached, parse_key, schemas_namespace
from accessreg.files.loading import Parsed, load
from accessreg.files.parsecache import ParseCache, namespace_file
from accessreg.gitio.repo import GitRepository
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory
from tests.helpers.registries import parses_counted

OPERATOR = "operators/TESTOP01.yaml"


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    made = GitRegistry(reg)
    yield made
    made.close()


def test_same_registry_as_a_plain_load_and_each_blob_parsed_once(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = gr.rev()
    gr.reg.user(email="new@test-gas.example.co.jp")
    gr.commit("a user")
    parsed = parses_counted(monkeypatch, cachedload)
    with GitRepository(gr.path) as repo:
        revs = (first, gr.rev())
        sides = [repo.blob_source(rev, "registry") for rev in revs]
        loaded = load_cached(sides, tmp_path)
        for rev, result in zip(revs, loaded, strict=True):
            plain = load(repo.snapshot(rev, "registry"))
            assert result.registry == plain.registry
            assert result.problems == plain.problems
        # Both sides share every file but the new user: parsed once each, one model each.
        before, after = (result.registry for result in loaded)
        assert before is not None and after is not None
        assert before.operators["TESTOP01"].operator is after.operators["TESTOP01"].operator
        assert sorted(parsed) == sorted(set(sides[1].paths()) - {"systems.yaml"})
        parsed.clear()
        again = load_cached([repo.blob_source(gr.rev(), "registry")], tmp_path)
        assert again[0].registry == loaded[1].registry
        assert parsed == []  # every file came from the cache


def test_the_cache_is_keyed_by_path_and_blob_id(gr: GitRegistry, tmp_path: Path) -> None:
    with GitRepository(gr.path) as repo:
        source = repo.blob_source("HEAD", "registry")
        [plain] = load_cached([source], tmp_path)
        assert plain.registry is not None
        # An entry under the operator file's key stands for its content: a different name
        # in the entry shows that the cache, not the file, was read.
        space = schemas_namespace(plain.registry.catalog)
        cache = ParseCache(tmp_path, space)
        key = parse_key(OPERATOR, source.blob(OPERATOR))
        entry: Parsed = cache.get("parsed", [key])[key]
        cache.put(
            "parsed", {key: replace(entry, data={**entry.data, "name": "キャッシュ株式会社"})}
        )
        cache.close()
        [cached] = load_cached([repo.blob_source("HEAD", "registry")], tmp_path)
        assert cached.registry is not None
        assert cached.registry.operators["TESTOP01"].operator.name == "キャッシュ株式会社"
        # Without a usable cache the files are parsed as ever.
        blocked = tmp_path / "file"
        blocked.write_text("not a directory")
        [uncached] = load_cached([repo.blob_source("HEAD", "registry")], blocked / "cache")
        assert uncached.registry == plain.registry


def test_a_user_file_is_kept_as_its_model(gr: GitRegistry, tmp_path: Path) -> None:
    """A user file is modelled as it is parsed and kept so: no data beside the model, and
    a load from the cache holds that model; an error of the model (a date that does not
    exist) is among the file's problems, found once."""
    good, bad = (f"users/TESTOP01/{e}@test-gas.example.co.jp.yaml" for e in ("user1", "user2"))
    gr.reg.user(email="user2@test-gas.example.co.jp", suspended_on="2026-02-30")
    gr.commit("a date that does not exist")
    with GitRepository(gr.path) as repo:
        source = repo.blob_source("HEAD", "registry")
        [first] = load_cached([source], tmp_path)
        assert first.registry is not None
        cache = ParseCache(tmp_path, schemas_namespace(first.registry.catalog))
        keys = {rel: parse_key(rel, source.blob(rel)) for rel in (good, bad)}
        entries: dict[str, Parsed] = cache.get("parsed", keys.values())
        cache.close()
        kept = entries[keys[good]]
        assert kept.data is None and kept.partial is None and kept.model is not None
        [again] = load_cached([repo.blob_source("HEAD", "registry")], tmp_path)
        assert again.registry is not None
        assert {u.file: u.user for u in again.registry.users} == {good: kept.model}
        assert [p.rule for p in entries[keys[bad]].problems].count("schema") == 1
        assert [(p.file, p.rule) for p in again.problems].count((bad, "schema")) == 1


def test_one_source_streams_from_the_cache_a_slice_at_a_time(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(5):
        gr.reg.user(email=f"user{n}@test-gas.example.co.jp")
    (gr.reg.root / "users/TESTOP01/user3@test-gas.example.co.jp.yaml").write_text(
        "email: [unclosed\n", encoding="utf-8"
    )
    gr.commit("users, one that does not load")
    monkeypatch.setattr(cachedload._Streamed, "_SLICE", 2)
    with GitRepository(gr.path) as repo:
        plain = load(repo.snapshot("HEAD", "registry"))
        [cold] = load_cached([repo.blob_source("HEAD", "registry")], tmp_path)
        [warm] = load_cached([repo.blob_source("HEAD", "registry")], tmp_path)
        # Files the cache said it held but no longer does (another run pruned it) are parsed.
        monkeypatch.setattr(
            ParseCache, "present", lambda self, table, keys: set(keys) if table else set()
        )
        [pruned] = load_cached([repo.blob_source("HEAD", "registry")], tmp_path / "empty")
    for result in (cold, warm, pruned):
        assert result.registry == plain.registry
        assert result.problems == plain.problems
    assert any(p.rule == "yaml-syntax" for p in plain.problems)


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each registry built afresh (not read back or patched), by its operator file's blob."""
    found: list[str] = []
    real = cachedload._load_one

    def counting(source: cachedload.BlobSource, directory: Path) -> object:
        found.append(source.blob(OPERATOR))
        return real(source, directory)

    monkeypatch.setattr(cachedload, "_load_one", counting)
    return found


def test_a_snapshot_unchanged_since_the_last_load_is_read_back_whole(
    gr: GitRegistry, tmp_path: Path, built: list[str]
) -> None:
    with GitRepository(gr.path) as repo:
        first = repo.blob_source(gr.rev(), "registry")
        loaded = cachedload.load_snapshot(first, tmp_path)
        again = cachedload.load_snapshot(repo.blob_source(gr.rev(), "registry"), tmp_path)
        assert len(built) == 1  # read back, not built again
        plain = load(repo.snapshot(gr.rev(), "registry"))
        for result in (loaded, again):
            assert result.registry == plain.registry and result.problems == plain.problems
        assert again.registry is not None and again.registry.users_of("TESTOP01") == [
            u for u in again.registry.users if u.operator_code == "TESTOP01"
        ]
        # A file laid over it (a pin) or a new commit is another snapshot, patched.
        pinned = first.pinned({OPERATOR: first.read(OPERATOR) + b"# pinned\n"})
        assert cachedload.load_snapshot(pinned, tmp_path).registry == plain.registry
        gr.reg.user(email="new@test-gas.example.co.jp")
        gr.commit("a user")
        changed = cachedload.load_snapshot(repo.blob_source(gr.rev(), "registry"), tmp_path)
        assert changed.registry == load(repo.snapshot(gr.rev(), "registry")).registry
        assert len(built) == 1
        space = schemas_namespace(plain.registry.catalog)
        kept = namespace_file(tmp_path, space, "snapshot")
        assert [p.name for p in tmp_path.iterdir() if ".snapshot" in p.name] == [kept.name]
        # A file cut short or not a snapshot at all is built again, and kept anew.
        for spoiled in (kept.read_bytes()[:-200], b"not a pickle"):
            kept.write_bytes(spoiled)
            again = cachedload.load_snapshot(repo.blob_source(gr.rev(), "registry"), tmp_path)
            assert again.registry == changed.registry
        assert len(built) == 3
        cachedload.load_snapshot(repo.blob_source(gr.rev(), "registry"), tmp_path)
        assert len(built) == 3


def test_a_kept_snapshot_is_pickled_in_parts_that_rebuild_the_same_registry(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Users are pickled a few at a time (each pickle's memo let go when it ends), an
    operator's apart from the next one's, each with its files' blob ids, and each path
    once; an index of the parts and a trailer pointing at it end the file: the registry
    read back is the one kept, files and index included."""
    monkeypatch.setattr(cachedload, "_USERS_PER_PART", 2)
    for n in range(2, 6):
        gr.reg.user(email=f"user{n}@test-gas.example.co.jp")
    gr.reg.operator("TESTOP02")
    gr.reg.user("TESTOP02", "u@op2.example.co.jp")
    gr.commit("users")
    with GitRepository(gr.path) as repo:
        source = repo.blob_source(gr.rev(), "registry")
        built = cachedload.load_snapshot(source, tmp_path)
        [kept] = tmp_path.glob("cache-*.snapshot")
        data = kept.read_bytes()
        mark, index = cachedload._TRAILER.unpack(data[-cachedload._TRAILER.size :])
        parts = []
        with kept.open("rb") as f:
            while f.tell() < index:
                parts.append(pickle.load(f))
            at, problems = pickle.load(f)
            assert f.tell() == len(data) - cachedload._TRAILER.size
            starts: dict[str, list[int]] = {}  # the index: where each operator's parts start
            for code, offsets in at.items():
                for offset in offsets:
                    f.seek(offset)
                    starts.setdefault(code, []).append(len(pickle.load(f)[0]))
        read = cachedload.load_snapshot(repo.blob_source(gr.rev(), "registry"), tmp_path)
    assert built.registry is not None and read.registry is not None
    users = built.registry.users
    # key, blob ids, the rest, count, users: TESTOP01's five in parts of 2, 2, 1; TESTOP02's
    assert mark == cachedload._MAGIC
    assert parts[1].decode().count("\n") == len(built.registry.files)
    assert parts[3] == len(users) == 6
    assert [len(group) for group, _ in parts[4:]] == [2, 2, 1, 1]
    assert [u for group, _ in parts[4:] for u in group] == list(users)
    assert [b for _, ids in parts[4:] for b in ids] == [source.blob(u.file) for u in users]
    assert starts == {"TESTOP01": [2, 2, 1], "TESTOP02": [1]}
    assert problems == {}
    assert not parts[2].registry.files & {u.file for u in users}
    assert read == built and read.registry.files == built.registry.files
    assert read.registry.users_of("TESTOP01") == built.registry.users_of("TESTOP01")


def test_kept_users_reads_the_parts_of_the_operators_asked_for(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """What a user file the parse cache no longer holds gave the kept snapshot's load: its
    model and its problems, only where its blob is the one kept; a file the load left out
    (its errors), another blob, or a snapshot of an earlier version (no index) give
    nothing, and the file is parsed again."""
    reg = gr.reg
    plain_user = "users/TESTOP01/plain@test-gas.example.co.jp.yaml"
    bad = "users/TESTOP01/broken@test-gas.example.co.jp.yaml"
    reg.user(email="user2@test-gas.example.co.jp")
    reg.write(plain_user, _without_modeline(reg))  # a warning: kept with its file
    reg.write(bad, "email: [\n")
    reg.operator("TESTOP02")
    reg.user("TESTOP02", "u@op2.example.co.jp")
    gr.commit("users")
    with GitRepository(gr.path) as repo:
        source = repo.blob_source(gr.rev(), "registry")
        loaded = cachedload.load_snapshot(source, tmp_path)
        assert loaded.registry is not None
        space = schemas_namespace(loaded.registry.catalog)
        users = [rel for rel in source.paths() if rel.startswith("users/TESTOP01/")]
        wanted = {rel: source.blob(rel) for rel in users}
        wanted["users/TESTOP01/user2@test-gas.example.co.jp.yaml"] = "0" * 40  # changed since
        given = cachedload.kept_users(tmp_path, space, wanted)
        plain = load(repo.snapshot(gr.rev(), "registry"))
        assert plain.registry is not None
        expected = {
            u.file: (u.user, [p for p in plain.problems if p.file == u.file])
            for u in plain.registry.users
            if u.operator_code == "TESTOP01" and not u.file.startswith("users/TESTOP01/user2")
        }
        assert given == expected
        assert bad not in given and given[plain_user][1]  # the warning, with its file
        assert cachedload.kept_users(tmp_path, "another", wanted) == {}
        kept = namespace_file(tmp_path, space, "snapshot")
        whole = kept.read_bytes()
        size = cachedload._TRAILER.size
        unmarked = whole[:-size] + b"ARSNAP00" + whole[-size + 8 :]  # another layout's mark
        for spoiled in (unmarked, whole[:-size], b"not a pickle"):
            kept.write_bytes(spoiled)
            assert cachedload.kept_users(tmp_path, space, wanted) == {}


def test_a_kept_snapshot_patched_by_each_change_is_the_registry_a_load_gives(
    gr: GitRegistry, tmp_path: Path, built: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After each merge the kept snapshot is read back and only the changed files loaded:
    the registry and the problems are those of a plain load, file by file and in order,
    whatever changed (a file added, edited, broken, mended, misplaced or removed, an
    operator, the maintainers, the catalog)."""
    reg = gr.reg
    bad = "users/TESTOP01/broken@test-gas.example.co.jp.yaml"
    plain_user = "users/TESTOP01/plain@test-gas.example.co.jp.yaml"
    steps = [
        ("a user", lambda: reg.user(email="user2@test-gas.example.co.jp")),
        (
            "a name",
            lambda: reg.edit("users/TESTOP01/user1@test-gas.example.co.jp.yaml", "試験", "検査"),
        ),
        ("a broken file", lambda: reg.write(bad, "email: [\n")),
        ("no modeline (a warning)", lambda: reg.write(plain_user, _without_modeline(reg))),
        ("misplaced", lambda: reg.write("stray.yaml", "a: 1\n")),
        ("mended", lambda: reg.write(bad, _user_text(reg, "broken@test-gas.example.co.jp"))),
        ("an operator", lambda: reg.edit(OPERATOR, "テストガス", "試験ガス")),
        (
            "another operator and user",
            lambda: (reg.operator("TESTOP02"), reg.user("TESTOP02", "u@op2.example.co.jp")),
        ),
        ("removed", lambda: gr.remove("users/TESTOP01/user2@test-gas.example.co.jp.yaml")),
        ("the maintainers", lambda: reg.write("maintainers.yaml", "maintainers: [\n")),
    ]
    rules: set[str] = set()
    with GitRepository(gr.path) as repo:
        cachedload.load_snapshot(repo.blob_source(gr.rev(), "registry"), tmp_path)
        for label, change in steps:
            change()
            gr.commit(label)
            got = cachedload.load_snapshot(repo.blob_source(gr.rev(), "registry"), tmp_path)
            plain = load(repo.snapshot(gr.rev(), "registry"))
            assert got.registry == plain.registry, label
            assert got.problems == plain.problems, label
            rules.update(p.rule for p in plain.problems)
            assert got.registry is not None and plain.registry is not None
            assert got.registry.files == plain.registry.files, label
            assert got.registry.broken == plain.registry.broken, label
        assert len(built) == 1  # every step patched the last
        # The catalog: how every file is read may change with it (its own kept snapshot).
        reg.edit("systems.yaml", "東京ガスネットワーク", "東京ガスネットワーク株式会社")
        gr.commit("the catalog")
        got = cachedload.load_snapshot(repo.blob_source(gr.rev(), "registry"), tmp_path)
        assert got == load(repo.snapshot(gr.rev(), "registry"))
        assert rules >= {"yaml-syntax", "file-location", "schema-comment"}
        # A change to more files than patching pays for is loaded afresh, to the same end.
        monkeypatch.setattr(cachedload, "_PATCH_FILES", 0)
        loads = len(built)
        for n in range(3, 6):
            reg.user(email=f"user{n}@test-gas.example.co.jp")
        gr.commit("three users")
        got = cachedload.load_snapshot(repo.blob_source(gr.rev(), "registry"), tmp_path)
        assert got == load(repo.snapshot(gr.rev(), "registry"))
        assert len(built) == loads + 1


def _user_text(reg: RegistryFactory, email: str) -> str:
    made = reg.user(email=email)
    text = made.read_text(encoding="utf-8")
    made.unlink()
    return text


def _without_modeline(reg: RegistryFactory) -> str:
    text = _user_text(reg, "plain@test-gas.example.co.jp")
    assert text.startswith("# yaml-language-server")
    return text.split("\n", 1)[1]


def test_a_kept_snapshot_with_a_problem_of_no_file_it_lists_is_not_patched(
    gr: GitRegistry,
) -> None:
    """What each file gave is read from the problems' files: a kept result with a problem
    on a file it does not list cannot say it, and is loaded afresh instead."""
    gr.reg.write("users/TESTOP01/plain@test-gas.example.co.jp.yaml", _without_modeline(gr.reg))
    gr.commit("a warning")
    with GitRepository(gr.path) as repo:
        source = repo.blob_source(gr.rev(), "registry")
        kept = load(repo.snapshot(gr.rev(), "registry"))
        assert kept.problems and cachedload._patched(source, kept, set()) == kept
        stray = [replace(kept.problems[0], file="gone.yaml")]
        assert cachedload._patched(source, replace(kept, problems=stray), set()) is None
