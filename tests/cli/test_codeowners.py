"""``accessreg codeowners``: CODEOWNERS follows the maintainers' list, and --check says when
it does not."""

from __future__ import annotations

from tests.helpers.regfactory import ROOT, RegistryFactory, run_cli


def test_committed_codeowners_is_fresh() -> None:
    result = run_cli("codeowners", "--check", cwd=ROOT)
    assert result.returncode == 0, result.stdout


def test_generate_and_check(reg: RegistryFactory) -> None:
    path = reg.repo / ".github" / "CODEOWNERS"
    first = run_cli("codeowners", "--check", cwd=reg.repo)
    assert first.returncode == 1
    assert "古くなっています: .github/CODEOWNERS（`accessreg codeowners` を実行してください）" in (
        first.stdout
    )
    assert not path.exists()  # --check writes nothing

    assert run_cli("codeowners", cwd=reg.repo).returncode == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[-1] == "* @uketsuke-kimura @uketsuke-sato"
    assert all(line.startswith("#") for line in lines[:-2])
    assert run_cli("codeowners", "--check", cwd=reg.repo).returncode == 0

    reg.write(
        "maintainers.yaml",
        "maintainers:\n  - {github: new-reviewer, name: 新任 審査, "
        "email: new.reviewer@reception.example.jp}\n",
    )
    stale = run_cli("codeowners", "--check", cwd=reg.repo)
    assert stale.returncode == 1
    assert run_cli("codeowners", cwd=reg.repo).returncode == 0
    assert path.read_text(encoding="utf-8").splitlines()[-1] == "* @new-reviewer"


def test_window_persons_are_not_owners(reg: RegistryFactory) -> None:
    run_cli("codeowners", cwd=reg.repo)
    text = (reg.repo / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert "window-1" not in text  # an owner's approval would accept their own application


def test_a_broken_maintainers_file_is_a_located_error(reg: RegistryFactory) -> None:
    reg.write("maintainers.yaml", "maintainers: [\n")
    result = run_cli("codeowners", cwd=reg.repo)
    assert result.returncode == 1
    assert "registry/maintainers.yaml:2:1: [error]" in result.stderr
    assert "(yaml-syntax)" in result.stderr
    assert "registry/maintainers.yaml を読み込めないため、何もしていません" in result.stderr
    assert not (reg.repo / ".github" / "CODEOWNERS").exists()


def test_a_missing_maintainers_file_is_named_with_why(reg: RegistryFactory) -> None:
    (reg.root / "maintainers.yaml").unlink()
    result = run_cli("codeowners", cwd=reg.repo)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    missing = "registry/maintainers.yaml を読めません: そのファイルまたはディレクトリはありません"
    assert missing in result.stderr
    assert not (reg.repo / ".github" / "CODEOWNERS").exists()
