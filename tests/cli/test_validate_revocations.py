"""A pull request that only takes access away from an operator is not held by an error
already in its files (real git histories, both kinds of check): an overseas address or a
window person removed goes out even while a renewal past its start day, or a forced merge,
leaves the operator's file with an error. The error stays, told as a warning for a
maintainer; one the change brings itself, or a change that also adds anything, still
counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from accessreg.gitio.repo import GitRepository
from accessreg.validation.incremental import worktree_revoking
from accessreg.validation.judge import Change
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import OPERATOR, RegistryFactory, certificate, contact, run_cli

IP = {"cidr": "41.203.64.10/32", "reason": "シンガポール拠点", "expires_on": "2027-09-30"}
RENEWAL = certificate(2, purpose="api", not_before="2027-05-01", not_after="2029-04-30")
LATER = "2027-05-02"  # the renewal has started: two valid API certificates (certificate-api)
HOW = {
    "incremental": ("--changed-since", "main", "--head", "HEAD"),
    "full": ("--base", "main"),
}


pytestmark = pytest.mark.usefixtures("english")  # they read the English words


def _operator(reg: RegistryFactory, **over: object) -> None:
    """The switching operator with an API certificate and its renewal, two window persons
    and an overseas address, as ``over`` changes it."""
    data = {
        "certificates": [certificate(1, purpose="api"), RENEWAL],
        "contacts": [contact(), contact("deputy", 2)],
        "ip_allowlist": [IP],
        **over,
    }
    reg.switching_operator(**data)


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    _operator(reg)
    made = GitRegistry(reg)
    made.branch("pr")
    yield made
    made.close()


def validate(gr: GitRegistry, how: str, *args: str) -> tuple[int, str, str]:
    result = run_cli("validate", "--today", LATER, *HOW[how], *args, cwd=gr.path)
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("how", sorted(HOW))
@pytest.mark.parametrize(
    "over",
    [{"ip_allowlist": []}, {"contacts": [contact()]}],
    ids=["address-removed", "deputy-removed"],
)
def test_a_revocation_passes_over_an_error_time_brought(
    gr: GitRegistry, how: str, over: dict[str, object]
) -> None:
    """The renewal started after the merge: the operator's file has an error now. Removing
    an address (or a window person who left) must not wait for the old certificate to go."""
    _operator(gr.reg, **over)
    gr.commit("a revocation")
    code, out, err = validate(gr, how, "--format", "github")
    assert code == 0, out + err
    assert out.startswith("::warning file=") and "(certificate-api)" in out
    code, out, err = validate(gr, how)
    assert code == 0 and "[warning]" in out and "[error]" not in out
    assert (
        "Shown as warnings: 1 error already in the files of operators this change only takes "
        "access away from (TESTOP01)."
    ) in err
    assert validate(gr, how, "--strict")[0] == 1  # a warning all the same
    ja = run_cli("--lang", "ja", "validate", "--today", LATER, *HOW[how], cwd=gr.path)
    assert "警告として表示: この変更が権限を狭めるだけの事業者のファイルに以前からある" in ja.stderr
    # Judged as no change at all, the error is an error.
    assert run_cli("validate", "--today", LATER, cwd=gr.path).returncode == 1


@pytest.mark.parametrize("how", sorted(HOW))
def test_a_change_that_also_adds_anything_answers_for_the_error(gr: GitRegistry, how: str) -> None:
    _operator(gr.reg, ip_allowlist=[], name="新テストガス株式会社")
    gr.commit("an address removed and the name changed")
    code, out, err = validate(gr, how)
    assert code == 1
    assert "[error]" in out and "(certificate-api)" in out
    assert "only takes access away" not in err


@pytest.mark.parametrize("how", sorted(HOW))
def test_an_error_the_revocation_brings_itself_counts(gr: GitRegistry, how: str) -> None:
    """The primary window person removed: the deputy is left without one. That error is
    the change's; the one already there is still spared."""
    _operator(gr.reg, contacts=[contact("deputy", 2)])
    gr.commit("the primary removed")
    code, out, _ = validate(gr, how)
    assert code == 1
    errors = [line for line in out.splitlines() if "[error]" in line]
    assert errors and all("(contact-primary)" in line for line in errors)
    assert any("[warning]" in line and "(certificate-api)" in line for line in out.splitlines())


@pytest.mark.parametrize("how", sorted(HOW))
def test_a_schema_error_a_forced_merge_left_spares_the_removal(
    reg: RegistryFactory, how: str
) -> None:
    """A file that does not load on main (an error merged past the check): removing an
    address is checked over it, the schema error a warning."""
    _operator(reg, occto_member="maybe")
    made = GitRegistry(reg)
    made.branch("pr")
    _operator(reg, occto_member="maybe", ip_allowlist=[])
    made.commit("an address removed")
    code, out, err = validate(made, how)
    made.close()
    assert code == 0, out + err
    assert f"{OPERATOR}:" in out and "[warning]" in out and "(schema)" in out
    assert "[error]" not in out


def test_a_file_the_full_run_cannot_read_spares_nothing(
    gr: GitRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read as the run's user may not (a permission on a runner): nothing is judged a
    revocation of it, and the full run reports the file as it reports any it cannot read."""
    _operator(gr.reg, ip_allowlist=[])
    gr.commit("a revocation")
    change = Change(frozenset({OPERATOR}))
    with GitRepository(gr.path) as repo:
        later = date.fromisoformat(LATER)
        spared = worktree_revoking(repo, "main", gr.reg.root, "registry", later, change)
        assert "TESTOP01" in spared.revoking

        def refused(self: Path) -> bytes:
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "read_bytes", refused)
        assert worktree_revoking(repo, "main", gr.reg.root, "registry", later, change) is change
