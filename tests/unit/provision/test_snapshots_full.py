"""``--full`` reads no cache: the other end of a range is made from the head's registry,
validated in full, where their files are the same, and is the registry a load of that
revision gives."""

from __future__ import annotations

from accessreg.files.loading import load
from accessreg.gitio.repo import GitRepository
from accessreg.model.registry import Registry
from accessreg.provision.merges import PREFIX, Snapshots
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory

KEPT, CHANGED = "user2@test-gas.example.co.jp", "user3@test-gas.example.co.jp"
BROKEN = "user4@test-gas.example.co.jp"


def _ends(gr: GitRegistry, base: str) -> tuple[Registry, Registry, Registry]:
    """The head as validation holds it (what it salvaged of files with errors included),
    the base made from it, and the base loaded from nothing."""
    head = gr.commit("the merge")
    with GitRepository(gr.path) as repo:
        validated = load(repo.snapshot(head, PREFIX), salvage=True).registry
        fresh = load(repo.snapshot(base, PREFIX)).registry
        assert validated is not None and fresh is not None
        snapshots = Snapshots(repo)  # no scope, no cache: --full
        snapshots.keep(head, validated)
        return validated, snapshots.at(base), fresh


def _users(registry: Registry) -> dict[str, object]:
    return {u.file: u.user for u in registry.users}


def _same_registry(made: Registry, fresh: Registry) -> None:
    assert _users(made) == _users(fresh)
    assert made.operators == fresh.operators
    assert (made.files, made.broken) == (fresh.files, fresh.broken)


def _registry(reg: RegistryFactory) -> GitRegistry:
    reg.user(email=KEPT, permissions={"taxis": "1010"})
    reg.user(email=CHANGED, permissions={"johs": "J1010"})
    reg.user(email=BROKEN, unknown_key="x")  # an error, the same at both ends
    return GitRegistry(reg)


def test_the_files_a_merge_did_not_touch_are_the_heads_models(reg: RegistryFactory) -> None:
    gr = _registry(reg)
    base = gr.rev()
    reg.user(email=CHANGED, permissions={"johs": "J1010", "taxis": "1011"}, memo="変更")
    validated, made, fresh = _ends(gr, base)
    _same_registry(made, fresh)
    head, before = _users(validated), _users(made)
    kept, changed = (f"users/TESTOP01/{e}.yaml" for e in (KEPT, CHANGED))
    assert before[kept] is head[kept]
    assert before[changed] is not head[changed]
    assert made.operators["TESTOP01"].operator is validated.operators["TESTOP01"].operator
    # What validation salvaged of a file with errors is not what a load of it holds.
    broken = f"users/TESTOP01/{BROKEN}.yaml"
    assert broken in validated.broken and broken in head and broken not in before


def test_another_catalog_reads_every_file_again(reg: RegistryFactory) -> None:
    gr = _registry(reg)
    base = gr.rev()
    catalog = reg.root / "systems.yaml"
    catalog.write_text(catalog.read_text("utf-8") + "\n# changed\n", "utf-8")
    validated, made, fresh = _ends(gr, base)
    _same_registry(made, fresh)
    kept = f"users/TESTOP01/{KEPT}.yaml"
    assert _users(made)[kept] is not _users(validated)[kept]
