"""A run that changes a few operators reads both ends of a merge for those operators alone:
the second end is made from the first where their files are the same, loading only the
files that differ, and is the registry a load of that revision gives."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from accessreg.files.cachedload import Shared
from accessreg.files.loading import load
from accessreg.gitio.repo import GitRepository
from accessreg.model.changes import ChangeKind
from accessreg.model.registry import Registry, UserEntry
from accessreg.provision.holding import isolate
from accessreg.provision.merges import PREFIX, Snapshots, history
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, contact

OPS = ("TESTOP01", "TESTOP02", "TESTOP03")
SCOPE = frozenset(OPS[:2])  # TESTOP03's users are beyond the scope
DAY = date(2026, 12, 3)


def _email(code: str, n: int) -> str:
    return f"user{n}@{code.lower()}.example.co.jp"


def _registry(reg: RegistryFactory) -> GitRegistry:
    """Three operators of ten users each, each with a window person of its own."""
    for i, code in enumerate(OPS, 1):
        reg.operator(code=code, contacts=[contact(n=i)])  # a window person of its own
        for n in range(10):
            reg.user(operator=code, email=_email(code, n), permissions={"taxis": "1010"})
    return GitRegistry(reg)


def _shape(registry: Registry) -> tuple[object, ...]:
    """Everything a load gives, in its order."""
    return (
        [(u.file, u.operator_code, u.user) for u in registry.users],
        list(registry.operators.items()),
        registry.files,
        registry.broken,
        registry.maintainers,
        registry.calendar,
        registry.catalog,
    )


def _fresh(repo: GitRepository, rev: str, cache: Path) -> Registry:
    return Snapshots(repo, scope=SCOPE, cache=cache).at(rev)


def _user_entries(registry: Registry) -> dict[str, UserEntry]:
    return {u.file: u for u in registry.users}


def test_the_other_end_is_made_from_the_first(reg: RegistryFactory, tmp_path: Path) -> None:
    gr = _registry(reg)
    base = gr.rev()
    reg.user(operator="TESTOP01", email=_email("TESTOP01", 0), memo="変更申請")
    gr.remove(f"users/TESTOP01/{_email('TESTOP01', 1)}.yaml")
    reg.user(operator="TESTOP02", email=_email("TESTOP02", 7), permissions={"johs": "J1010"})
    reg.user(operator="TESTOP02", email=_email("TESTOP02", 8), unknown_key="x")  # an error
    reg.operator(code="TESTOP02", name="改名ガス株式会社", contacts=[contact(n=2)])
    reg.user(operator="TESTOP03", email=_email("TESTOP03", 9))  # beyond the scope
    head = gr.commit("the merge")
    with GitRepository(gr.path) as repo:
        snapshots = Snapshots(repo, scope=SCOPE, cache=tmp_path / "cache")
        after = snapshots.at(head)
        before = snapshots.at(base)
        assert _shape(before) == _shape(_fresh(repo, base, tmp_path / "fresh"))
        assert _shape(after) == _shape(_fresh(repo, head, tmp_path / "fresh"))
        # Entries of the files the merge did not touch are the first end's own.
        was, now = _user_entries(before), _user_entries(after)
        kept = f"users/TESTOP01/{_email('TESTOP01', 2)}.yaml"
        assert was[kept] is now[kept]
        changed = f"users/TESTOP01/{_email('TESTOP01', 0)}.yaml"
        assert was[changed] is not now[changed]
        assert f"users/TESTOP02/{_email('TESTOP02', 8)}.yaml" in after.broken - before.broken
        assert not any(u.operator_code == "TESTOP03" for u in after.users)


@pytest.mark.parametrize("catalog", [True, False])
def test_a_changed_shared_file(reg: RegistryFactory, tmp_path: Path, catalog: bool) -> None:
    """The catalog decides how every file loads: when it changes, the other end is loaded
    whole. Another shared file (the centre's closed days, its reviewers) is read again
    like any file that differs, the users' entries staying those of the first end."""
    gr = _registry(reg)
    base = gr.rev()
    if catalog:  # the info-sharing site now follows TAXIS alone
        derived = "derived: {kind: users_of, systems: [%s]}"
        reg.edit("systems.yaml", derived % "taxis, johs, juju, loacus", derived % "taxis")
    else:
        reg.edit("calendar.yaml", "closed: []", "closed: [2026-12-28]")
        reg.edit("maintainers.yaml", "name: 木村 健一", "name: 木村 健二")
    reg.user(operator="TESTOP01", email=_email("TESTOP01", 0), memo="変更申請")
    head = gr.commit("a shared file")
    with GitRepository(gr.path) as repo:
        snapshots = Snapshots(repo, scope=SCOPE, cache=tmp_path / "cache")
        after, before = snapshots.at(head), snapshots.at(base)
        assert _shape(before) == _shape(_fresh(repo, base, tmp_path / "fresh"))
        if catalog:
            assert before.catalog != after.catalog
        else:
            assert before.calendar != after.calendar and before.maintainers != after.maintainers
        kept = f"users/TESTOP01/{_email('TESTOP01', 2)}.yaml"
        assert (_user_entries(before)[kept] is _user_entries(after)[kept]) is not catalog


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_range_of_merges_read_one_after_the_other(
    reg: RegistryFactory, tmp_path: Path, seed: int
) -> None:
    """Random edits of users and operator files, in and beyond the scope: each revision,
    made from the one read before it, is the registry a load of it gives."""
    rng = random.Random(seed)
    gr = _registry(reg)
    revs = [gr.rev()]
    present = {(code, n) for code in OPS for n in range(10)}
    for step in range(5):
        for _ in range(rng.randint(1, 4)):
            code, n = rng.choice(OPS), rng.randint(0, 12)
            what = rng.choice(["write", "remove", "operator", "broken"])
            if what == "remove" and (code, n) in present:
                gr.remove(f"users/{code}/{_email(code, n)}.yaml")
                present.discard((code, n))
            elif what == "operator":
                reg.operator(
                    code=code,
                    name=f"第{step}ガス株式会社",
                    contacts=[contact(n=OPS.index(code) + 1)],
                )
            else:
                extra = {"unknown_key": "x"} if what == "broken" else {"memo": f"変更 {step}"}
                reg.user(operator=code, email=_email(code, n), **extra)
                present.add((code, n))
        revs.append(gr.commit(f"merge {step}"))
    with GitRepository(gr.path) as repo:
        snapshots = Snapshots(repo, scope=SCOPE, cache=tmp_path / "cache")
        order = revs[::-1] if seed % 2 else revs  # from the head back, or forward
        shared = 0  # entries taken from the revision read before
        last: dict[str, UserEntry] = {}
        for rev in order:
            made = snapshots.at(rev)
            assert _shape(made) == _shape(_fresh(repo, rev, tmp_path / f"fresh-{rev[:8]}"))
            entries = _user_entries(made)
            shared += sum(1 for f, e in entries.items() if last.get(f) is e)
            last = entries
        assert shared


def test_a_file_held_back_is_pinned_at_both_ends(reg: RegistryFactory, tmp_path: Path) -> None:
    """A held file keeps, at every revision, the content downstream has of it."""
    gr = _registry(reg)
    held = f"users/TESTOP01/{_email('TESTOP01', 3)}.yaml"
    base = gr.rev()
    pinned = (reg.root / held).read_bytes()
    reg.user(operator="TESTOP01", email=_email("TESTOP01", 3), memo="保留中の変更")
    reg.user(operator="TESTOP01", email=_email("TESTOP01", 0), memo="変更申請")
    head = gr.commit("the merge")
    pins = {held: pinned}
    with GitRepository(gr.path) as repo:
        snapshots = Snapshots(repo, pins, scope=SCOPE, cache=tmp_path / "cache")
        after, before = snapshots.at(head), snapshots.at(base)
        for rev, made in ((head, after), (base, before)):
            fresh = Snapshots(repo, pins, scope=SCOPE, cache=tmp_path / "fresh").at(rev)
            assert _shape(made) == _shape(fresh)
        assert _user_entries(after)[held] is _user_entries(before)[held]
        assert _user_entries(after)[held].user.memo is None


@dataclass
class _Read:
    """The ends of a merge as an apply reads them after validating it, and as loads of
    those revisions give them."""

    head: Registry
    fresh_head: Registry
    base: Registry  # read first, by a reader given the same validation
    fresh_base: Registry
    validated: Registry  # what validation loaded of the head
    held: frozenset[str]  # the files held back

    def check(self) -> None:
        assert _shape(self.head) == _shape(self.fresh_head)
        assert _shape(self.base) == _shape(self.fresh_base)


def _validated(
    gr: GitRegistry, base: str, head: str, cache: Path, scope: frozenset[str] | None = None
) -> _Read:
    os.environ["ACCESSREG_CACHE_DIR"] = str(cache)
    try:
        with GitRepository(gr.path) as repo:
            # The findings on the base kept, as an earlier run leaves them: the merge's
            # groups are the ones checked again.
            isolate(repo, base, base, {}, date(2026, 12, 1))
            isolated = isolate(repo, head, base, {}, date(2026, 12, 1))
            assert isolated.scope is not None and isolated.loaded.head is not None
            scope = scope if scope is not None else isolated.scope
            pins = isolated.pins

            def reader(name: str) -> Snapshots:
                return Snapshots(repo, pins, scope, cache / name, isolated.loaded)

            def fresh(rev: str) -> Registry:
                return Snapshots(repo, pins, scope, cache / f"fresh-{rev}").at(rev)

            return _Read(
                reader("head").at(head),
                fresh(head),
                reader("base").at(base),
                fresh(base),
                isolated.loaded.head[1],
                frozenset(pins),
            )
    finally:
        del os.environ["ACCESSREG_CACHE_DIR"]


def test_the_head_is_the_registry_validation_loaded(reg: RegistryFactory, tmp_path: Path) -> None:
    gr = _registry(reg)
    base = gr.rev()
    reg.user(operator="TESTOP01", email=_email("TESTOP01", 0), memo="変更申請")
    head = gr.commit("the merge")
    read = _validated(gr, base, head, tmp_path / "cache")
    read.check()
    assert read.head is read.validated
    assert read.base is not read.validated  # the same files, another revision


def test_what_validation_salvaged_is_not_taken(reg: RegistryFactory, tmp_path: Path) -> None:
    """A file with errors is in validation's registry with what it still holds; a load
    leaves it out. (An apply holds such a file back, and reads nothing from validation
    then: the registry itself refuses it too.)"""
    gr = _registry(reg)
    reg.user(operator="TESTOP01", email=_email("TESTOP01", 4), unknown_key="x")
    head = gr.commit("an error")
    everyone = frozenset(OPS)  # the scope of the whole registry: validation's files
    with GitRepository(gr.path) as repo:
        validated = load(repo.snapshot(head, PREFIX), salvage=True).registry
        assert validated is not None and validated.broken
        shared = Shared(head=(head, validated))
        made = Snapshots(repo, {}, everyone, tmp_path / "cache", shared).at(head)
        fresh = Snapshots(repo, {}, everyone, tmp_path / "fresh").at(head)
    assert made is not validated
    assert _shape(made) == _shape(fresh)


def test_a_file_held_back_is_not_taken(reg: RegistryFactory, tmp_path: Path) -> None:
    """A login ID another operator's user holds: the new file loads, and is held back."""
    gr = _registry(reg)
    base = gr.rev()
    reg.user(operator="TESTOP01", email=_email("TESTOP03", 0))
    head = gr.commit("the merge")
    read = _validated(gr, base, head, tmp_path / "cache")
    read.check()
    assert read.held and not read.validated.broken
    assert read.head is not read.validated


def test_other_files_than_the_scopes_are_not_taken(reg: RegistryFactory, tmp_path: Path) -> None:
    """A file out of place beyond the scope is checked with every group; a load of the
    scope does not hold it."""
    gr = _registry(reg)
    reg.write("users/TESTOP03/notes.txt", "メモ\n")
    gr.commit("a stray file")
    base = gr.rev()
    reg.user(operator="TESTOP01", email=_email("TESTOP01", 0), memo="変更申請")
    head = gr.commit("the merge")
    read = _validated(gr, base, head, tmp_path / "cache")
    read.check()
    assert read.head is not read.validated


def test_another_scope_is_not_taken(reg: RegistryFactory, tmp_path: Path) -> None:
    gr = _registry(reg)
    base = gr.rev()
    reg.user(operator="TESTOP01", email=_email("TESTOP01", 0), memo="変更申請")
    head = gr.commit("the merge")
    read = _validated(gr, base, head, tmp_path / "cache", SCOPE)
    read.check()
    assert read.head is not read.validated


def test_a_history_read_for_a_scope_steps_only_through_the_merges_that_touch_it(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """The range since a permission still to come is weeks of merges: those that change none
    of the scope's files, nor a file every operator depends on, are no step of it."""
    gr = _registry(reg)
    base = gr.rev()
    reg.user(operator="TESTOP03", email=_email("TESTOP03", 0), memo="変更申請")
    gr.commit("beyond the scope")
    reg.user(operator="TESTOP01", email=_email("TESTOP01", 0), memo="変更申請")
    inside = gr.commit("in the scope")
    reg.operator(code="TESTOP03", name="改名ガス株式会社", contacts=[contact(n=3)])
    gr.commit("another operator's file")
    calendar = gr.reg.root / "calendar.yaml"
    calendar.write_text(calendar.read_text("utf-8") + "# 注記\n", "utf-8")
    shared = gr.commit("a file every operator depends on")
    with GitRepository(gr.path) as repo:
        scoped = history(Snapshots(repo, scope=SCOPE, cache=tmp_path / "c"), base, shared, DAY)
        whole = history(Snapshots(repo), base, shared, DAY)
    assert [s.commit.sha for s in scoped.steps] == [inside, shared]
    assert len(whole.steps) == 4
    assert scoped.rows and [r.change for r in scoped.rows] == [
        r.change for r in whole.rows if r.change.person.operator in SCOPE
    ]


def test_a_step_compares_the_operators_it_changed_unless_a_login_id_is_shared(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step compares the holders of the operators it changed alone, but for a login ID
    another operator of the scope holds too: then the first operator's change moves the
    other's holder (TESTOP02's JOHS comes forward when TESTOP01's TAXIS user goes)."""
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-12-03T10:00:00+09:00")
    gr = _registry(reg)
    shared = "shared@test-gas.example.co.jp"
    reg.user(operator="TESTOP01", email=shared, permissions={"taxis": "1010"})
    reg.user(operator="TESTOP02", email=shared, permissions={"johs": "J1010"})
    base = gr.commit("one login ID under two operators")
    reg.user(operator="TESTOP02", email=_email("TESTOP02", 0), memo="変更申請")
    gr.commit("TESTOP02 alone")
    gr.remove(f"users/TESTOP01/{shared}.yaml")
    head = gr.commit("TESTOP01's holder of the shared ID goes")
    with GitRepository(gr.path) as repo:
        # A run long after the merges: what no step dates would take that day's dates.
        later = date(2027, 2, 1)
        scoped = history(Snapshots(repo, scope=SCOPE, cache=tmp_path / "c"), base, head, later)
        whole = history(Snapshots(repo), base, head, later)
    rows = [
        (r.change.system, r.change.kind, r.change.person.login, r.effective) for r in scoped.rows
    ]
    assert rows == [
        (r.change.system, r.change.kind, r.change.person.login, r.effective)
        for r in whole.rows
        if r.change.person.operator in SCOPE
    ]
    # Dated by the merge that brought it forward (M+6 of its day), as a new holder.
    assert ("johs", ChangeKind.ADD, shared, date(2026, 12, 24)) in rows


def test_the_whole_registry_validated_serves_a_narrower_scope(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """Validation that checked every operator in one run (a cold cache) hands on the whole
    registry: a scope of some operators, narrowed from the run's snapshots as the shares
    are, takes it without the users beyond the scope, and reads no file."""
    gr = _registry(reg)
    reg.write("users/TESTOP03/notes.txt", "メモ\n")  # beyond the scope too
    head = gr.commit("a stray file")
    with GitRepository(gr.path) as repo:
        validated = load(repo.snapshot(head, PREFIX), salvage=True).registry
        assert validated is not None and not validated.broken
        run = Snapshots(
            repo, {}, frozenset(OPS), tmp_path / "cache", Shared(head=(head, validated))
        )
        made = run.narrowed(SCOPE, pins={}).at(head)
        fresh = Snapshots(repo, {}, SCOPE, tmp_path / "fresh").at(head)
    assert _shape(made) == _shape(fresh)
    assert {u.operator_code for u in made.users} == SCOPE
    assert not (tmp_path / "cache").exists()  # nothing parsed, nor looked up
