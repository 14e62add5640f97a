"""``validate``'s ``generated-stale``: the issue forms and CODEOWNERS committed beside the
registry are what ``accessreg forms`` and ``accessreg codeowners`` generate from it. A
maintainer taken off ``maintainers.yaml`` must stop being a code owner in the same change (an
owner's approval is the acceptance); a changed catalog must reach the forms people file with.
Checked by every ``validate``, so by the pull request's check as well."""

from __future__ import annotations

import shutil
from pathlib import Path

import git
import pytest

from tests.helpers.annotations import title
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import ROOT, RegistryFactory, run_cli

CODEOWNERS = ".github/CODEOWNERS"
STALE = (
    "[error] This file is not what `{}` generates from the registry: run it and commit the "
    "result (generated-stale)"
)


pytestmark = pytest.mark.usefixtures("english")  # they read the English words


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
        f"error file=.github/CODEOWNERS,line=1,col=1,title={title('generated-stale')}"
    ]


def test_a_file_stale_before_a_change_that_does_not_touch_it_holds_nothing_back(
    generated: RegistryFactory,
) -> None:
    """One stale file on main (a bypassed check) must not stop every window person's
    application: a change touching none of what makes a generated file gets a warning the
    reviewers see; a change to what makes it (the maintainers' list for CODEOWNERS, the
    catalog, the file itself), the error."""
    shutil.copytree(ROOT / "schemas", generated.repo / "schemas")
    (generated.repo / CODEOWNERS).write_text("* @someone-else\n", encoding="utf-8")
    (generated.repo / "schemas" / "user.schema.json").write_text("{}\n", encoding="utf-8")
    g = GitRegistry(generated)
    base = g.rev()
    generated.user(email="user2@test-gas.example.co.jp")  # a window person's application
    for args in (("--base", base), ("--changed-since", base)):  # the work tree
        code, lines = _validate(generated, *args)
        assert code == 0, lines
        assert [line.split(": ", 1)[0] for line in lines] == [
            f"{CODEOWNERS}:1:1",
            "schemas/user.schema.json:1:1",
        ]
        assert all("[warning]" in line for line in lines)
    untracked = generated.repo / "schemas" / "notes.txt"  # a new file there touches them
    untracked.write_text("draft\n", encoding="utf-8")
    assert _validate(generated, "--base", base)[0] == 1
    untracked.unlink()
    g.commit("a new user")
    code, lines = _validate(generated, "--changed-since", base, "--head", "HEAD")
    assert code == 0 and len(lines) == 2 and all("[warning]" in line for line in lines)
    generated.edit(
        "maintainers.yaml", "  - {github: uketsuke-kimura", "  # - {github: uketsuke-kimura"
    )
    g.commit("and a maintainer leaves")
    code, lines = _validate(generated, "--changed-since", base, "--head", "HEAD")
    assert code == 1  # the change's own: CODEOWNERS; the schema it did not touch stays a warning
    assert [line.split(" ", 2)[1] for line in lines] == ["[error]", "[warning]"], lines
    assert _validate(generated)[0] == 1  # a whole check judges no change


def test_a_registry_at_the_repository_s_top_has_no_generated_files_in_it(
    generated: RegistryFactory,
) -> None:
    """Its forms and CODEOWNERS would sit above the repository: no change of it touches
    them, and they are judged as stale before it."""
    repo = git.Repo.init(generated.root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.jp")
    repo.git.add("-A")
    repo.git.commit("-q", "-m", "registry")
    (generated.repo / CODEOWNERS).write_text("* @someone-else\n", encoding="utf-8")
    result = run_cli("validate", "--registry", ".", "--base", "HEAD", cwd=generated.root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "generated-stale" in result.stdout and "[warning]" in result.stdout


def test_what_a_pull_request_put_there_is_compared_never_followed_nor_decoded(
    generated: RegistryFactory, tmp_path: Path
) -> None:
    """Bytes that are no UTF-8, a directory, a link (even to the very text elsewhere): each
    is stale, told as such (no traceback); writing replaces a link, never its target, and a
    directory in the way is refused in words."""
    path = generated.repo / CODEOWNERS
    outside = tmp_path / "outside.txt"  # the very text, elsewhere: GitHub follows no link
    outside.write_bytes(path.read_bytes())
    kept = outside.read_bytes()
    told = [f"{CODEOWNERS}:1:1: {STALE.format('accessreg codeowners')}"]
    path.write_bytes(b"\xff\xfe* @someone-else\n")
    assert _validate(generated) == (1, told)
    path.unlink()
    path.mkdir()
    assert _validate(generated) == (1, told)
    refused = run_cli("codeowners", cwd=generated.repo)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "Cannot write .github/CODEOWNERS: " in refused.stderr  # as the other paths are shown
    path.rmdir()
    path.symlink_to(outside)
    assert _validate(generated) == (1, told)
    assert run_cli("codeowners", cwd=generated.repo).returncode == 0
    assert not path.is_symlink() and outside.read_bytes() == kept
    assert _validate(generated) == (0, [])


def test_a_schema_that_is_no_text_is_stale(generated: RegistryFactory) -> None:
    shutil.copytree(ROOT / "schemas", generated.repo / "schemas")
    (generated.repo / "schemas" / "user.schema.json").write_bytes(b"\xff\xfe{}")
    code, lines = _validate(generated)
    assert code == 1
    assert [line.rsplit(" ", 1)[1] for line in lines] == ["(schema-stale)"]
