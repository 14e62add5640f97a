"""The rows of a range are its changes from what downstream holds to the head, whether one
merge spans the range (its changes are taken as they are) or not."""

from __future__ import annotations

from datetime import date

from accessreg.gitio.repo import GitRepository
from accessreg.model.changes import ChangeKind
from accessreg.outputs.access import AccessChange, diff
from accessreg.provision import merges
from accessreg.provision.merges import History, Snapshots, history
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory

TODAY = date(2026, 12, 2)
MOVED, OTHER = "user2@test-gas.example.co.jp", "user3@test-gas.example.co.jp"


def _key(change: AccessChange) -> tuple[str, str, str]:
    return change.system, change.person.login, str(change.kind)


def _rows_are_the_range(found: History) -> list[tuple[str, str, str]]:
    """The rows' changes, checked against the range's own diff."""
    rows = [_key(row.change) for row in found.rows]
    whole = diff(found.before_access, found.after_access, found.after.catalog)
    assert rows == [_key(change) for change in whole]
    return rows


def test_a_first_apply_of_one_commit_lists_every_holder(reg: RegistryFactory) -> None:
    reg.user(email=MOVED, permissions={"taxis": "1010"})
    gr = GitRegistry(reg)
    with GitRepository(gr.path) as repo:
        found = history(Snapshots(repo), None, "HEAD", TODAY)
    assert len(found.steps) == 1
    rows = _rows_are_the_range(found)
    assert ("taxis", MOVED, str(ChangeKind.ADD)) in rows


def test_a_base_off_the_line_counts_its_own_changes_not_only_the_merge(
    reg: RegistryFactory,
) -> None:
    """Downstream holds a revision the head does not contain: the one merge since their
    common ancestor is not the whole change, which also undoes what that revision held."""
    reg.user(email=MOVED, permissions={"taxis": "1010"})
    gr = GitRegistry(reg)
    gr.branch("side")
    reg.user(email=MOVED, permissions={"johs": "J1010"})
    base = gr.commit("applied, then dropped from main")
    gr.checkout("main")
    reg.user(email=MOVED, permissions={"taxis": "1010"})  # as main has it
    gr.branch("pr")
    reg.user(email=OTHER, permissions={"juju": "granted"})
    gr.commit("another user")
    gr.checkout("main")
    gr.merge("pr")
    with GitRepository(gr.path) as repo:
        found = history(Snapshots(repo), base, "HEAD", TODAY)
    assert len(found.steps) == 1
    logins = {login for _, login, _ in _rows_are_the_range(found)}
    assert logins == {MOVED, OTHER}


def test_the_rows_of_a_spanning_merge_are_dated_as_those_found_again(
    reg: RegistryFactory,
) -> None:
    """The rows taken from the one merge that spans the range carry the dates and
    processing days that finding them again in the range's diff gives."""
    reg.user(email=MOVED, permissions={"taxis": "1010", "juju": "granted"})
    reg.user(email=OTHER, permissions={"johs": "J1010"})
    gr = GitRegistry(reg)
    with GitRepository(gr.path) as repo:
        found = history(Snapshots(repo), None, "HEAD", TODAY)
    (step,) = found.steps
    again = merges._rows(
        found.before_access, found.after_access, found.after, found.steps, step.dates
    )
    assert found.rows == again
    assert {row.effective for row in again} - {None} and len(again) > 3
