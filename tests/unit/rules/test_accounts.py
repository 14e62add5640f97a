"""One GitHub account per person (rules/accounts.py; 002 §3.3, 001 p46, 000 §2-4, §3-1)."""

from __future__ import annotations

from tests.helpers.regfactory import OPERATOR, RegistryFactory, contact, shown

OTHER = "operators/OTHER001.yaml"
MAINTAINERS = "maintainers.yaml"


def _other(reg: RegistryFactory, *contacts: dict[str, object]) -> None:
    reg.operator("OTHER001", name="他社ガス株式会社", contacts=list(contacts), subcontractors=None)


def _github(reg: RegistryFactory) -> list[tuple[str, int | None, str]]:
    return [
        (p.file, p.line, p.message.english())
        for p in reg.validate().problems
        if p.rule == "github-account-unique"
    ]


def test_one_account_on_two_window_persons_of_two_operators(reg: RegistryFactory) -> None:
    """GitHub logins ignore letter case: ``Window-1`` is TESTOP01's primary's account."""
    _other(reg, contact(n=9, email="window9@other-gas.example.co.jp", github="Window-1"))
    assert [(r, f, line) for r, f, line, _ in reg.found()] == [
        ("github-account-unique", shown(OTHER), reg.line_of(OTHER, "github:")),
        ("github-account-unique", shown(OPERATOR), reg.line_of(OPERATOR, "github:")),
    ]
    [(_, _, theirs), (_, _, mine)] = _github(reg)
    # Each quotes the login as its own file writes it, and names nobody: anyone can type a
    # login into a form, and every operator reads what the checks say of it.
    assert "account window-1 is also registered to another window person (" in mine
    assert "account Window-1 is also registered to another window person (" in theirs
    for told in (mine, theirs):
        assert "@" not in told and "OTHER001" not in told and "TESTOP01" not in told


def test_one_account_on_two_window_persons_of_one_operator(reg: RegistryFactory) -> None:
    reg.operator(contacts=[contact(), contact("deputy", n=2, github="WINDOW-1")])
    assert [line for _, line, _ in _github(reg)] == [
        reg.line_of(OPERATOR, "github:", 1),
        reg.line_of(OPERATOR, "github:", 2),
    ]


def test_a_reviewers_account_on_a_window_person(reg: RegistryFactory) -> None:
    """uketsuke-sato reviews applications (maintainers.yaml): they may not file one."""
    reg.operator(contacts=[contact(), contact("deputy", n=2, github="Uketsuke-Sato")])
    [(maint, mline, to_reviewer), (op, oline, to_window)] = _github(reg)
    assert (op, oline) == (shown(OPERATOR), reg.line_of(OPERATOR, "github:", 2))
    assert "is a reviewer's (maintainers.yaml)" in to_window
    assert (maint, mline) == (shown(MAINTAINERS), reg.line_of(MAINTAINERS, "uketsuke-sato"))
    assert "account uketsuke-sato is also registered to a window person:" in to_reviewer
    assert "@" not in to_reviewer and "@" not in to_window


def test_one_person_keeps_one_account_wherever_they_are_a_window_person(
    reg: RegistryFactory,
) -> None:
    """The same e-mail on two operators is one person: their account is no clash (the
    login-ID rule judges the e-mail itself)."""
    _other(reg, contact(email="Window1@test-gas.example.co.jp", github="window-1"))
    assert _github(reg) == []


def test_distinct_accounts_are_fine(reg: RegistryFactory) -> None:
    reg.operator(contacts=[contact(), contact("deputy", n=2)])
    _other(reg, contact(n=9, email="window9@other-gas.example.co.jp"))
    assert reg.found() == []
