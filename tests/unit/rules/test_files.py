"""A file's name and place against its content (rules/files.py)."""

from __future__ import annotations

from tests.helpers.regfactory import OPERATOR, USER, RegistryFactory, shown


def test_user_file_named_with_upper_case_letters(reg: RegistryFactory) -> None:
    rel = "users/TESTOP01/Hanako.Shiken@test-gas.example.co.jp.yaml"
    reg.user(email="Hanako.Shiken@test-gas.example.co.jp", rel=rel)
    assert reg.found() == [("file-name", shown(rel), reg.line_of(rel, "email:"), "error")]
    [p] = reg.validate().problems
    assert "hanako.shiken@test-gas.example.co.jp.yaml" in p.message.english()


def test_user_file_named_after_another_address(reg: RegistryFactory) -> None:
    rel = "users/TESTOP01/someone-else@test-gas.example.co.jp.yaml"
    reg.user(email="hanako@test-gas.example.co.jp", rel=rel)
    assert reg.found() == [("file-name", shown(rel), 2, "error")]


def test_mixed_case_email_in_a_lower_case_file_name_is_clean(reg: RegistryFactory) -> None:
    # The login ID is written as the person writes it; only the file name is lower-cased.
    reg.user(email="Hanako.Shiken@Test-Gas.example.co.jp")
    assert (reg.root / "users/TESTOP01/hanako.shiken@test-gas.example.co.jp.yaml").exists()
    assert reg.found() == []


def test_operator_code_differs_from_its_file_name(reg: RegistryFactory) -> None:
    reg.edit(OPERATOR, "code: TESTOP01", "code: TESTOP1")
    line = reg.line_of(OPERATOR, "code: TESTOP1")
    assert reg.found() == [("file-name", shown(OPERATOR), line, "error")]


def test_user_operator_unknown(reg: RegistryFactory) -> None:
    rel = "users/NOSUCH01/taro@nosuch.example.co.jp.yaml"
    reg.user("NOSUCH01", "taro@nosuch.example.co.jp")
    assert reg.found() == [("user-operator-unknown", shown(rel), 2, "error")]


def test_user_of_an_operator_whose_file_is_broken_is_not_orphaned(reg: RegistryFactory) -> None:
    # The operator file's own problem is reported; its users are not called orphans.
    reg.edit(OPERATOR, "status: active", "status: actve")
    line = reg.line_of(OPERATOR, "status:")
    assert reg.found() == [("schema", shown(OPERATOR), line, "error")]
    assert (reg.root / USER).exists()
