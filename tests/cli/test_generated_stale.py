"""``validate``'s ``generated-stale``: the issue forms and CODEOWNERS committed beside the
registry are what ``accessreg forms`` and ``accessreg codeowners`` generate from it. A
maintainer taken off ``maintainers.yaml`` must stop being a code owner in the same change (an
owner's approval is the acceptance); a changed catalog must reach the forms people file with.
Checked by every ``validate``, so by the pull request's check as well."""

from __future__ import annotations

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, run_cli

CODEOWNERS = ".github/CODEOWNERS"
STALE = (
    "[error] This file is not what `{}` generates from the registry: run it and commit the "
    "result (generated-stale)"
)


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCESSREG_LANG", "en")


def _validate(reg: RegistryFactory, *args: str) -> tuple[int, list[str]]:
    result = run_cli("validate", "--today", "2026-11-22", *args, cwd=reg.repo)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout.splitlines()


@pytest.fixture()
def generated(reg: RegistryFactory) -> RegistryFactory:
    """The registry with its issue forms and CODEOWNERS generated beside it."""
    (reg.repo / ".github" / "ISSUE_TEMPLATE").mkdir(parents=True)
    assert run_cli("forms", cwd=reg.repo).returncode == 0
    assert run_cli("codeowners", cwd=reg.repo).returncode == 0
    return reg


def test_fresh_files_pass_and_a_repository_without_them_is_not_asked(
    generated: RegistryFactory, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert _validate(generated) == (0, [])
    other = RegistryFactory(tmp_path_factory.mktemp("plain"))  # no .github/: nothing to check
    assert _validate(other) == (0, [])


def test_a_maintainer_taken_off_the_list_is_still_an_owner_until_codeowners_is_made(
    generated: RegistryFactory,
) -> None:
    generated.edit(
        "maintainers.yaml", "  - {github: uketsuke-kimura", "  # - {github: uketsuke-kimura"
    )
    assert _validate(generated) == (
        1,
        [f"{CODEOWNERS}:1:1: {STALE.format('accessreg codeowners')}"],
    )
    assert run_cli("codeowners", cwd=generated.repo).returncode == 0
    assert "@uketsuke-kimura" not in (generated.repo / CODEOWNERS).read_text(encoding="utf-8")
    assert _validate(generated) == (0, [])


def test_an_owner_added_by_hand_or_the_file_removed_is_stale(generated: RegistryFactory) -> None:
    path = generated.repo / CODEOWNERS
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + " @someone-else\n", encoding="utf-8")
    assert _validate(generated)[0] == 1
    path.unlink()
    assert _validate(generated) == (
        1,
        [f"{CODEOWNERS}:1:1: {STALE.format('accessreg codeowners')}"],
    )


def test_a_catalog_change_makes_the_forms_that_show_it_stale(generated: RegistryFactory) -> None:
    generated.edit("systems.yaml", "label: 権限あり", "label: 権限あり（参照）")  # JOHS's code
    code, lines = _validate(generated)
    stale = STALE.format("accessreg forms")
    assert code == 1
    assert lines == [
        f".github/ISSUE_TEMPLATE/{kind}.yml:1:1: {stale}" for kind in ("user-add", "user-change")
    ]
    assert run_cli("forms", cwd=generated.repo).returncode == 0
    assert _validate(generated) == (0, [])


def test_the_pull_request_s_check_reports_them_too(generated: RegistryFactory) -> None:
    g = GitRegistry(generated)
    base = g.rev()
    generated.edit(
        "maintainers.yaml", "  - {github: uketsuke-kimura", "  # - {github: uketsuke-kimura"
    )
    g.commit("a maintainer leaves, CODEOWNERS left as it was")
    code, lines = _validate(
        generated, "--changed-since", base, "--head", "HEAD", "--format", "github"
    )
    assert code == 1
    assert [line.split("::", 2)[1] for line in lines] == [
        "error file=.github/CODEOWNERS,line=1,col=1,title=generated-stale"
    ]
