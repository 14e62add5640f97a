"""The applications of one merge are rebuilt together (one step of their operators), a few
hundred at a time: the notices they owe are those each application rebuilt alone owes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from accessreg.files.cachedload import BlobSource, Shared
from accessreg.files.loading import LoadResult
from accessreg.files.parsecache import cache_dir
from accessreg.gitio.repo import GitRepository
from accessreg.model import layout
from accessreg.provision import completion, merges
from accessreg.provision import state as recorded
from accessreg.provision.merges import Snapshots
from accessreg.provision.notices import completion_notices, registration_notices
from accessreg.provision.state import State
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.lapsed import B_EMAIL, A, B, D
from tests.helpers.provisioning import accessreg, merge
from tests.helpers.regfactory import certificate, contact

ON = "2026-12-03"
DAY = ["--today", ON, "--accepted-on", ON]
LATER = date(2027, 6, 1)  # every certificate's and address's date reached


@pytest.fixture
def gr(lapsed_gr: GitRegistry) -> GitRegistry:
    return lapsed_gr


@pytest.fixture
def repo(gr: GitRegistry, tmp_path: Path) -> Iterator[GitRepository]:
    """The registry after its first apply, read as the commands read it."""
    _applied(gr, tmp_path, "initial", "--initial")
    repo = GitRepository(gr.path)
    yield repo
    repo.close()


def _applied(gr: GitRegistry, tmp_path: Path, name: str, *extra: str) -> None:
    done = accessreg(gr, "apply", "--out", str(tmp_path / name), "--confirm", *extra, *DAY)
    assert done.returncode == 0, done.stderr


def _state(gr: GitRegistry) -> State:
    raw = gr.repo.git.show("refs/accessreg/state:state.json")
    return recorded.load({recorded.STATE_FILE: raw.encode()})


def _snapshots_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources whose registry is read back from the cache's copy, as they are read."""
    read: list[str] = []
    real = merges.load_snapshot

    def spied(source: BlobSource, directory: Path, keep: bool = True) -> LoadResult:
        read.append(source.label)
        assert not keep  # the head's kept registry stays the one kept
        return real(source, directory, keep)

    monkeypatch.setattr(merges, "load_snapshot", spied)
    return read


def test_applications_rebuilt_together_owe_what_each_alone_owes(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    def three_operators() -> None:
        gr.reg.operator(certificates=[certificate(1)])
        gr.reg.user(D, "newcomer@leaver-d.example.jp")
        gr.reg.user(B, B_EMAIL, permissions={"taxis": "1010"})
        gr.reg.operator(B, contacts=[contact(n=2, email="window@lapsed-b.example.jp"),
                                     contact("deputy", n=5, email="deputy@lapsed-b.example.jp")],
                        subcontractors=[])  # fmt: skip

    merge(gr, "three", three_operators)
    # Its one certificate, let through from M+6, replaces every one the whitelists had.
    _applied(gr, tmp_path, "merge", "--allow-mass-removal")
    state = _state(gr)
    snapshots = Snapshots(repo)
    to = completion.Handovers(state, snapshots, LATER)
    batches = state.ordered()
    assert [len(b.applications) for b in batches] == [4, 3]  # every operator, then three
    for batch in batches:
        records = batch.applications
        together = completion.accepted(snapshots, batch, records)
        for record in records:
            [alone] = completion.accepted(snapshots, batch, [record]).values()
            for system in record.systems:
                made = completion_notices(batch, together[record.id], system, LATER, to)
                assert made == completion_notices(batch, alone, system, LATER, to)
                assert made, (record.operator, system)
            found = registration_notices(batch, together[record.id], LATER, to)
            assert found == registration_notices(batch, alone, LATER, to)
    [registering] = [r for r in batches[1].applications if r.registrations()]
    assert registering.operator == "TESTOP01"

    imported = state.model_copy(
        update={"batches": {b.id: completion.confirmed(b, [], LATER) for b in batches}}
    )
    owed = completion.due(imported, snapshots, to)
    registered = completion.registrations_due(imported, snapshots, to)
    assert registered and sum(len(d.notices) for d in owed) > 10
    monkeypatch.setattr(completion, "_PART", 1)  # one application at a time
    assert completion.due(imported, snapshots, to) == owed
    assert completion.registrations_due(imported, snapshots, to) == registered


def test_a_batch_of_most_operators_is_rebuilt_from_the_registry_read_whole(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    merge(gr, "one", lambda: gr.reg.user(D, "newcomer@leaver-d.example.jp"))
    _applied(gr, tmp_path, "merge")
    state = _state(gr)
    imported = state.model_copy(
        update={"batches": {b.id: completion.confirmed(b, [], LATER) for b in state.ordered()}}
    )
    read = _snapshots_read(monkeypatch)
    to = completion.Handovers(imported, Snapshots(repo), LATER)
    parsed_alone = completion.due(imported, Snapshots(repo), to)  # no cache: each scope parses
    assert read == []
    cached = Snapshots(repo, cache=cache_dir(repo.common_dir))
    assert completion.due(imported, cached, to) == parsed_alone
    assert sum(len(d.notices) for d in parsed_alone) > 10
    # The first batch has every operator's application: read whole, once. The second, one
    # operator's of four: its scope alone.
    assert len(read) == 1
    registered = completion.registrations_due(imported, Snapshots(repo), to)
    assert completion.registrations_due(imported, cached, to) == registered
    one, before = Snapshots(repo, cache=cache_dir(repo.common_dir)), len(read)
    one.read_whole(state.ordered()[0].head, [A, B])  # two of four: not most
    assert len(read) == before
    one.read_whole(state.ordered()[0].head, [A, B, D])
    assert len(read) == before + 1
    # A catalog held back is laid over no registry read whole: the scopes read their own.
    catalog = gr.repo.git.show(f"HEAD:registry/{layout.CATALOG_FILE}").encode()
    held = Snapshots(repo, cache=cache_dir(repo.common_dir)).narrowed(
        None, {layout.CATALOG_FILE: catalog}
    )
    held.read_whole(state.ordered()[0].head, [A, B, D])
    assert len(read) == before + 1


def test_a_batch_owed_beside_head_validated_in_full_is_made_from_that_registry(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run owing a batch's notices rebuilds it from HEAD's registry as validation loaded
    it, with the files that differ laid over it: no second registry (from an empty cache,
    the first run of a new version, it parsed every user again). A registry validation
    loaded in part (the operators it checked) is not enough: the cache's is read."""
    merge(gr, "one", lambda: gr.reg.user(D, "newcomer@leaver-d.example.jp"))
    _applied(gr, tmp_path, "merge")
    state = _state(gr)
    imported = state.model_copy(
        update={"batches": {b.id: completion.confirmed(b, [], LATER) for b in state.ordered()}}
    )
    first = repo.resolve(state.ordered()[0].head)
    to = completion.Handovers(imported, Snapshots(repo), LATER)
    expected = completion.due(imported, Snapshots(repo), to)
    read = _snapshots_read(monkeypatch)
    head = repo.resolve("HEAD")
    validated = Snapshots(repo).at(head)
    cache = cache_dir(repo.common_dir)
    made = Snapshots(repo, cache=cache, shared=Shared(head=(head, validated)))
    assert completion.due(imported, made, to) == expected
    assert read == []
    whole = Snapshots(repo, cache=cache, shared=Shared(head=(head, validated)))
    whole.read_whole(first, [A, B, D])
    assert read == []
    assert whole._validated is not None
    at, registry = whole._validated
    assert at == first
    assert "newcomer@leaver-d.example.jp" not in {u.user.email for u in registry.users}
    by_file = {u.file: u for u in validated.users}
    assert registry.users and all(u is by_file[u.file] for u in registry.users)  # shared

    part = merges._part(validated, [A, B])  # the users of D and the others unchecked
    partial = Snapshots(repo, cache=cache, shared=Shared(head=(head, part)))
    assert completion.due(imported, partial, to) == expected
    assert len(read) == 1


def test_an_apply_owing_a_batch_s_notices_rebuilds_it_from_what_it_validated(
    gr: GitRegistry, repo: GitRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run of a new version (an empty cache) while the first batch's completion
    notices are owed: HEAD is validated in full, and the batch is made from that registry
    (before, every user was parsed again beside it: 1.2 GiB at 200,000 users)."""
    [batch] = _state(gr).ordered()
    notices = tmp_path / "notices"
    done = accessreg(gr, "confirm", batch.id, "--out", str(notices), "--today", ON)
    assert done.returncode == 0, done.stderr
    owed = sorted(p.name for p in (notices / "mail").iterdir())
    assert owed
    merge(gr, "one", lambda: gr.reg.user(D, "newcomer@leaver-d.example.jp"))
    read = _snapshots_read(monkeypatch)
    out, empty = tmp_path / "out", tmp_path / "empty-cache"
    empty.mkdir()
    done = accessreg(gr, "apply", "--out", str(out), *DAY, env={"ACCESSREG_CACHE_DIR": str(empty)})
    assert done.returncode == 0, done.stderr
    written = {p.name for p in (out / "mail").iterdir()}
    assert set(owed) <= written
    assert read == []
