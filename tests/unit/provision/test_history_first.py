"""A first apply's history reads every merge since the registry began, each step between two
whole registries: a step compares the holders of the operators its merge changed alone
(unless a login ID it touches is another operator's), keeps only those operators' part of
its two sides, and lets the registry before it go. Its changes and applications are those
of the step computed between the whole registries."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Collection
from datetime import date
from itertools import pairwise

import pytest

from accessreg.files.loading import load
from accessreg.files.sources import MemorySource
from accessreg.gitio.repo import GitRepository
from accessreg.model.registry import Registry
from accessreg.outputs import access as access_module
from accessreg.provision import merges
from accessreg.provision.merges import (
    PREFIX,
    MergedPullRequest,
    Snapshots,
    history,
    step_between,
)
from accessreg.timeline.effective import Events
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, contact

DAY = date(2026, 12, 3)
SHARED = "shared@test-two.example.co.jp"  # a login two operators hold for one merge


def _history(reg: RegistryFactory) -> tuple[GitRegistry, list[str]]:
    """Six merges after the first commit, each changing one or two operators' files; the
    fourth gives a third operator a login the second holds, the fifth takes it back."""
    gr = GitRegistry(reg)
    merged = []

    def merge(message: str, change: Callable[[], object]) -> None:
        change()
        merged.append(gr.commit(message))

    def second() -> None:
        reg.operator("TESTOP02", contacts=[contact(n=2, email="window@test-two.example.jp")])
        reg.user("TESTOP02", SHARED, permissions={"taxis": "1010"})

    merge("the second operator", second)
    merge("a user of each", lambda: (
        reg.user(permissions={"johs": "J1010"}),
        reg.user("TESTOP02", "more@test-two.example.co.jp", permissions={"taxis": "1011"}),
    ))  # fmt: skip

    def third() -> None:
        reg.operator("TESTOP03", contacts=[contact(n=3, email="window@test-three.example.jp")])
        reg.user("TESTOP03", "own@test-three.example.co.jp", permissions={"taxis": "1010"})

    merge("the third operator", third)
    merge("a login of the second's", lambda: reg.user("TESTOP03", SHARED))
    merge("taken back", lambda: gr.remove(f"users/TESTOP03/{SHARED}.yaml"))
    merge("a memo", lambda: reg.user("TESTOP02", SHARED, permissions={"taxis": "1010"},
                                     memo="変更申請"))  # fmt: skip
    return gr, merged


def _asked(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str] | None]:
    """The operators of each access the history computes from now on (None: every one)."""
    asked: list[frozenset[str] | None] = []
    real = access_module.effective_access

    def counted(
        registry: Registry, only: Collection[str] | None = None, like: object = None
    ) -> access_module.Access:
        asked.append(frozenset(only) if only is not None else None)
        return real(registry, only, like)  # type: ignore[arg-type]

    monkeypatch.setattr(merges, "effective_access", counted)
    return asked


def test_each_step_is_the_one_between_whole_registries(
    reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    gr, merged = _history(reg)
    asked = _asked(monkeypatch)
    real = access_module.effective_access
    with GitRepository(gr.path) as repo:
        whole = Snapshots(repo)
        head = whole.at(merged[-1])
        snapshots = Snapshots(repo)
        snapshots.keep(merged[-1], head)  # as a first apply keeps what validation loaded
        found = history(snapshots, None, merged[-1], DAY)
        asked_by_history = list(asked)
        commits = {c.sha: c for c in repo.first_parent_history(None, merged[-1])}
        parents = [gr.repo.commit(merged[0]).parents[0].hexsha, *merged[:-1]]
        steps = {s.commit.sha: s for s in found.steps}
        assert set(merged) <= steps.keys()
        for sha, since in zip(merged, parents, strict=True):
            alone = step_between(
                commits[sha], whole.at(since), whole.at(sha), MergedPullRequest(Events()),
                access=real, loaded=DAY, since=since,
            )  # fmt: skip
            made = steps[sha]
            assert made.changes == alone.changes, sha
            assert made.operators == alone.operators, sha
            if sha != merged[-1]:
                codes = set(made.operator_codes())
                assert set(made.after.operators) <= codes | set(alone.operator_codes())
                assert {u.operator_code for u in made.after.users} <= set(made.after.operators)
    # The login two operators held: its merges compared every holder; the others, theirs.
    whole_registry = [only for only in asked_by_history if only is None]
    narrow = [only for only in asked_by_history if only is not None]
    assert frozenset({"TESTOP02"}) in narrow and frozenset({"TESTOP01", "TESTOP02"}) in narrow
    # The first commit (the catalog: every operator's holders), the two merges of the login
    # (three registries), and the range's two ends.
    assert len(whole_registry) == 2 + 3 + 2
    assert len(narrow) == 2 * 4


def test_the_login_ids_are_counted_once_and_carried_from_step_to_step(
    reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg.operator("TESTOP02", contacts=[contact(n=2, email="window@test-two.example.jp")])
    many = 30
    for n in range(many):
        reg.user("TESTOP02", f"user{n}@test-two.example.co.jp", permissions={"taxis": "1010"})
    gr = GitRegistry(reg)
    merged = []
    for n in range(5):  # a user of the first operator each: its holders alone change
        reg.user(email=f"new{n}@test-gas.example.co.jp", permissions={"johs": "J1010"})
        merged.append(gr.commit(f"user {n}"))
    asked = _asked(monkeypatch)
    lowered: list[str] = []
    real_lowered = merges._lowered
    monkeypatch.setattr(merges, "_lowered", lambda s: lowered.append(s) or real_lowered(s))
    with GitRepository(gr.path) as repo:
        snapshots = Snapshots(repo)
        snapshots.keep(merged[-1], Snapshots(repo).at(merged[-1]))
        history(snapshots, None, merged[-1], DAY)
    # Each merge compared the first operator's holders alone (each registry's once: a
    # step's side after is the next one's before)...
    assert asked.count(frozenset({"TESTOP01"})) == len(merged) + 1
    # ... and went through its own login IDs, not every operator's: the second's thirty
    # users and window person were counted once.
    assert lowered.count("user0@test-two.example.co.jp") == 1
    assert len(lowered) < 2 * (many + 1) + 2 * sum(range(2, len(merged) + 3))


def test_no_whole_registry_of_a_merge_before_the_head_stays_held(reg: RegistryFactory) -> None:
    gr, merged = _history(reg)
    held: dict[str, weakref.ref[Registry]] = {}
    with GitRepository(gr.path) as repo:
        snapshots = Snapshots(repo)
        snapshots.keep(merged[-1], Snapshots(repo).at(merged[-1]))
        real = snapshots.at

        def at(rev: str) -> Registry:
            found = real(rev)
            held.setdefault(rev, weakref.ref(found))
            return found

        snapshots.at = at  # type: ignore[method-assign]
        found = history(snapshots, None, merged[-1], DAY)
        # The head's merge keeps its two sides whole (the head's, and the one before).
        assert found.steps[-1].before is held[merged[-2]]()
        assert len(found.steps) == 1 + len(merged)  # the first commit's, from nothing
        del found
        gc.collect()
        alive = [rev for rev, ref in held.items() if ref() is not None and rev != merged[-1]]
        assert alive == [], [merged.index(r) if r in merged else r for r in alive]


def test_no_comparison_of_a_merge_with_the_one_before_stays_held(
    reg: RegistryFactory,
) -> None:
    gr, merged = _history(reg)
    with GitRepository(gr.path) as repo:
        snapshots = Snapshots(repo)
        snapshots.keep(merged[-1], Snapshots(repo).at(merged[-1]))
        found = history(snapshots, None, merged[-1], DAY)
        assert len(found.steps) == 1 + len(merged)
        pairs = set(pairwise(merged))
        assert pairs, "merges compared"
        assert not pairs & {(base, head) for base, head, _ in repo._diffs}


def test_a_file_held_back_at_the_head_reads_one_registry_whole_not_one_a_merge(
    reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a file held back (pinned), the head validation loaded is not the one the history
    reads: the first registry it reads is loaded whole, each next one made from the last."""
    gr, merged = _history(reg)
    reg.user("TESTOP02", "broken@test-two.example.co.jp", unknown_key="x")
    head = gr.commit("a file with an error")
    whole: list[str] = []
    real = merges._loaded

    def counted(source: MemorySource, sha: str) -> Registry:
        whole.append(sha)
        return real(source, sha)

    monkeypatch.setattr(merges, "_loaded", counted)
    with GitRepository(gr.path) as repo:
        snapshots = Snapshots(
            repo, pins={"users/TESTOP02/broken@test-two.example.co.jp.yaml": None}
        )
        found = history(snapshots, None, head, DAY)
    assert len(found.steps) == 2 + len(merged)
    assert whole == [head]


def test_a_file_unchanged_since_its_merge_is_read_there_as_the_head_has_it(
    reg: RegistryFactory,
) -> None:
    gr, merged = _history(reg)
    with GitRepository(gr.path) as repo:
        head = Snapshots(repo).at(merged[-1])
        snapshots = Snapshots(repo)
        snapshots.keep(merged[-1], head)
        found = history(snapshots, None, merged[-1], DAY)
    at_head = {u.file: u.user for u in head.users}
    steps = {s.commit.sha: s for s in found.steps}
    added = steps[merged[1]].after  # a user of each: one of TESTOP01's, one of TESTOP02's
    kept = [u for u in added.users if u.file.endswith("more@test-two.example.co.jp.yaml")]
    assert [u.user for u in kept] == [at_head[kept[0].file]]
    assert kept[0].user is at_head[kept[0].file]  # the head's model, not a second one
    changed = [u for u in added.users if SHARED in u.file]  # its memo came later
    assert changed and changed[0].user is not at_head[changed[0].file]
    assert changed[0].user != at_head[changed[0].file]
    # Its holder there is the head's, and the rows' change of it is that merge's own: made
    # once each, not again for the range.
    login = "more@test-two.example.co.jp"
    own = [c for c in steps[merged[1]].changes if c.person.login == login]
    assert own and all(c.after is found.after_access[login] for c in own)
    rows = [r.change for r in found.rows if r.change.person.login == login]
    assert len(rows) == len(own) and all(any(r is c for c in own) for r in rows)


def test_a_file_read_under_another_catalog_is_loaded_there(reg: RegistryFactory) -> None:
    """The same content under an older catalog may not load (a code it did not have yet):
    the head's model does not stand in for it there."""
    gr = GitRegistry(reg)
    code = "      - {code: '1012',"
    text = (reg.root / "systems.yaml").read_text(encoding="utf-8")
    line = next(t for t in text.splitlines(keepends=True) if t.startswith(code))
    reg.edit("systems.yaml", line, "")
    first = gr.commit("a catalog without 1012")
    reg.user(email="limited@test-gas.example.co.jp", permissions={"taxis": "1012"})
    without = gr.commit("a user of 1012, before the catalog has it")
    reg.edit("systems.yaml", "      - {code: '1011',", line + "      - {code: '1011',")
    head = gr.commit("1012 in the catalog")
    with GitRepository(gr.path) as repo:
        whole = Snapshots(repo)
        snapshots = Snapshots(repo)
        snapshots.keep(head, whole.at(head))
        found = history(snapshots, None, head, DAY)
        steps = {s.commit.sha: s for s in found.steps}
        commits = {c.sha: c for c in repo.first_parent_history(None, head)}
        alone = step_between(
            commits[without], whole.at(first), whole.at(without), MergedPullRequest(Events()),
            loaded=DAY, since=first,
        )  # fmt: skip
    assert alone.changes == () and steps[without].changes == ()
    assert "users/TESTOP01/limited@test-gas.example.co.jp.yaml" in whole.at(without).broken


def test_what_validation_salvaged_of_a_file_stands_for_no_load(reg: RegistryFactory) -> None:
    gr = GitRegistry(reg)
    reg.user(email="odd@test-gas.example.co.jp", permissions={"taxis": "1010"}, unknown_key="x")
    added = gr.commit("a file with an error")
    reg.user("TESTOP01", "later@test-gas.example.co.jp", permissions={"taxis": "1010"})
    head = gr.commit("another user")
    with GitRepository(gr.path) as repo:
        salvaged = load(repo.snapshot(head, PREFIX), salvage=True).registry
        assert salvaged is not None
        odd = "users/TESTOP01/odd@test-gas.example.co.jp.yaml"
        assert odd in salvaged.broken and odd in {u.file for u in salvaged.users}
        snapshots = Snapshots(repo)
        snapshots.keep(head, salvaged)
        found = history(snapshots, None, head, DAY)
    step = next(s for s in found.steps if s.commit.sha == added)
    assert odd in step.after.broken and odd not in {u.file for u in step.after.users}
    assert all(c.person.login != "odd@test-gas.example.co.jp" for c in step.changes)


def test_a_merge_of_no_registry_file_after_the_last_step_reads_nothing_again(
    reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A merge that changed no file of the registry (documentation, the schemas) after the
    last one that did: the head's registry is that merge's, and the range is compared once,
    as if the head were that merge."""
    gr, merged = _history(reg)
    (reg.repo / "README.md").write_text("the schemas regenerated\n", encoding="utf-8")
    head = gr.commit("documentation only")
    with GitRepository(gr.path) as repo:
        registry = Snapshots(repo).at(merged[-1])
        found = []
        for top in (merged[-1], head):
            snapshots = Snapshots(repo)
            snapshots.keep(top, registry)
            asked = _asked(monkeypatch)
            found.append((history(snapshots, None, top, DAY), list(asked)))
    (at_merge, asked_there), (at_head, asked_here) = found
    assert at_head.rows == at_merge.rows
    assert [s.commit.sha for s in at_head.steps] == [s.commit.sha for s in at_merge.steps]
    assert at_head.steps[-1].after is at_head.after
    assert asked_here == asked_there
