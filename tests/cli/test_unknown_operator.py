"""An operator code that names no operator is a usage error (exit 2) wherever it is given,
said in the reader's language; nothing is written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.edithelp import snapshot
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, run_cli


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    made = GitRegistry(reg)
    yield made
    made.close()


def test_status_of_an_unknown_operator(gr: GitRegistry) -> None:
    result = run_cli("status", "--operator", "NOPE", cwd=gr.path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert "事業者 NOPE はありません" in result.stderr
    # A known operator, in a clone that holds no record of what was applied: not an empty
    # table, which would read as nothing accepted, but how to fetch the record.
    known = run_cli("status", "--operator", "TESTOP01", cwd=gr.path)
    assert known.returncode == 2, known.stdout
    assert known.stdout == "" and "--state-remote origin" in known.stderr, known.stderr
    assert "refs/accessreg/state" in known.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("user", "remove", "--operator", "NOPE", "--email", "x@test-gas.example.co.jp"),
        ("ip", "remove", "--operator", "NOPE", "--cidr", "41.203.64.11"),
        ("contact", "remove", "--operator", "NOPE", "--email", "x@test-gas.example.co.jp"),
        ("operator", "terminate", "--operator", "NOPE", "--on", "2026-12-31"),
    ],
    ids=lambda a: f"{a[0]}-{a[1]}",
)
def test_editing_an_unknown_operator(gr: GitRegistry, args: tuple[str, ...]) -> None:
    before = snapshot(gr.path)
    result = run_cli("--lang", "en", *args, "--today", "2026-11-22", cwd=gr.path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "There is no operator NOPE: check the operator code" in result.stderr
    assert snapshot(gr.path) == before


def test_inventory_of_an_unknown_operator(gr: GitRegistry) -> None:
    result = run_cli("inventory", "--operator", "NOPE", "--today", "2026-11-22", cwd=gr.path)
    assert result.returncode == 2, result.stdout + result.stderr


@pytest.mark.parametrize("typed", ["testop01", "ＴＥＳＴＯＰ０１", "ｔｅｓｔｏｐ０１"])
def test_an_operator_code_in_lower_case_names_its_spelling(gr: GitRegistry, typed: str) -> None:
    """In another case, or full-width as a Japanese input method may type it."""
    result = run_cli("status", "--operator", typed, cwd=gr.path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"事業者 {typed} はありません" in result.stderr
    assert "（TESTOP01 ではありませんか）" in result.stderr


# A look-alike of another script reads as the code itself; an invisible one is not seen.
LOOK_ALIKES = [
    ("T\u0415STOP01", "U+0415"),  # the code point alone, in the Japanese too
    ("TESTOP01\u200b", "ゼロ幅スペース（U+200B）"),
    ("TESTOP01\u00ad", "書式制御文字（U+00AD）"),
]


def test_a_full_width_character_of_a_code_is_named_in_japanese(gr: GitRegistry) -> None:
    result = run_cli("status", "--operator", "TESTOP0\uff11", cwd=gr.path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "半角英数字ではない文字 全角数字（U+FF11） が含まれています" in result.stderr
    assert "FULLWIDTH" not in result.stderr


@pytest.mark.parametrize(("typed", "named"), LOOK_ALIKES)
def test_an_operator_code_with_a_look_alike_names_the_character(
    gr: GitRegistry, typed: str, named: str
) -> None:
    told = (
        f"事業者コードに半角英数字ではない文字 {named} が含まれています。"
        "半角英数字で入力し直してください"
    )
    result = run_cli("status", "--operator", typed, cwd=gr.path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert told in result.stderr
    assert "（TESTOP01 ではありませんか）" in result.stderr
    args = ("user", "remove", "--operator", typed, "--email", "x@test-gas.example.co.jp")
    before = snapshot(gr.path)
    edited = run_cli(*args, "--today", "2026-11-22", cwd=gr.path)
    assert edited.returncode == 2, edited.stdout + edited.stderr
    assert told in edited.stderr
    assert "（TESTOP01 ではありませんか）" in edited.stderr
    assert snapshot(gr.path) == before


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("inventory", "--today", "2026-11-22", "--out", "../inventory-out"),
        ("user", "remove", "--email", "x@test-gas.example.co.jp", "--today", "2026-11-22"),
        ("ip", "remove", "--cidr", "41.203.64.11", "--today", "2026-11-22"),
    ],
    ids=lambda a: "-".join(a[:2]) if a[0] != "status" else "status",
)
@pytest.mark.parametrize("typed", ["", "  "], ids=["empty", "blank"])
def test_an_empty_operator_code_is_named_as_missing(
    gr: GitRegistry, args: tuple[str, ...], typed: str
) -> None:
    """Not 「事業者  はありません」, as if the tool had dropped the code it was given."""
    before = snapshot(gr.path)
    result = run_cli(*args, "--operator", typed, cwd=gr.path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "事業者コードが空です。事業者コードを入力してください" in result.stderr
    assert "はありません" not in result.stderr
    assert snapshot(gr.path) == before
    assert not (gr.path.parent / "inventory-out").exists()


def test_a_half_width_space_in_a_code_is_named_as_one(gr: GitRegistry) -> None:
    """Names allow it, so the name for a space other than the two read as a contradiction."""
    args = ("--operator", "TEST OP01", "--today", "2026-11-22", "--out", "../inventory-out")
    result = run_cli("inventory", *args, cwd=gr.path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "半角英数字ではない文字 半角スペース（U+0020） が含まれています" in result.stderr
    assert "以外の空白" not in result.stderr
