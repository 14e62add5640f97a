"""Login IDs unique ignoring letter case (rules/ids.py, 000 §5-1 note 3 ③)."""

from __future__ import annotations

import pytest

from accessreg import i18n
from tests.helpers.regfactory import OPERATOR, USER, RegistryFactory, contact, shown

OTHER = "operators/OTHER001.yaml"


def other_operator(reg: RegistryFactory, **over: object) -> None:
    fields: dict[str, object] = {
        "name": "他社ガス株式会社",
        "contacts": [contact(n=9, email="window9@other-gas.example.co.jp")],
        "subcontractors": None,
        **over,
    }
    reg.operator("OTHER001", **fields)


def test_same_id_in_another_case_across_operators_is_the_same_id(reg: RegistryFactory) -> None:
    # The seed's own example: Takuso_Taro@… and takuso_taro@… are one ID.
    reg.user(email="takuso_taro@abc-gas.example.co.jp")
    other_operator(reg)
    reg.user("OTHER001", "Takuso_Taro@abc-gas.example.co.jp")
    mine = "users/TESTOP01/takuso_taro@abc-gas.example.co.jp.yaml"
    theirs = "users/OTHER001/takuso_taro@abc-gas.example.co.jp.yaml"
    assert reg.found() == [
        ("login-id-unique", shown(theirs), 2, "error"),
        ("login-id-unique", shown(mine), 2, "error"),
    ]


def test_different_ids_are_clean(reg: RegistryFactory) -> None:
    other_operator(reg)
    reg.user("OTHER001", "takuso_jiro@abc-gas.example.co.jp")
    assert reg.found() == []


def test_contact_id_is_another_operators_user_id(reg: RegistryFactory) -> None:
    other_operator(reg, contacts=[contact(n=9, email="USER1@test-gas.example.co.jp")])
    line = reg.line_of(OTHER, "USER1@")
    assert reg.found() == [
        ("login-id-unique", shown(OTHER), line, "error"),
        ("login-id-unique", shown(USER), 2, "error"),
    ]


def test_contact_id_is_another_operators_contact_id(reg: RegistryFactory) -> None:
    other_operator(reg, contacts=[contact(n=9, email="Window1@Test-Gas.example.co.jp")])
    assert reg.found() == [
        ("login-id-unique", shown(OTHER), reg.line_of(OTHER, "Window1@"), "error"),
        ("login-id-unique", shown(OPERATOR), reg.line_of(OPERATOR, "window1@"), "error"),
    ]


def test_window_person_may_be_a_user_of_their_own_operator(reg: RegistryFactory) -> None:
    reg.operator(contacts=[contact(email="User1@test-gas.example.co.jp")])
    assert reg.found() == []


def test_window_person_of_one_operator_and_user_of_another_is_refused(
    reg: RegistryFactory,
) -> None:
    # Own operator's user: allowed; but the same person as another operator's user is not.
    reg.operator(contacts=[contact(email="user1@test-gas.example.co.jp")])
    other_operator(reg)
    reg.user("OTHER001", "user1@test-gas.example.co.jp")
    theirs = "users/OTHER001/user1@test-gas.example.co.jp.yaml"
    line = reg.line_of(OPERATOR, "email: user1@")
    assert reg.found() == [
        ("login-id-unique", shown(OPERATOR), line, "error"),
        ("login-id-unique", shown(theirs), 2, "error"),
        ("login-id-unique", shown(USER), 2, "error"),
    ]


def test_two_window_persons_of_one_operator_with_one_id(reg: RegistryFactory) -> None:
    reg.operator(contacts=[contact(), contact("deputy", 2, email="WINDOW1@test-gas.example.co.jp")])
    assert reg.found() == [
        ("login-id-unique", shown(OPERATOR), reg.line_of(OPERATOR, "window1@"), "error"),
        ("login-id-unique", shown(OPERATOR), reg.line_of(OPERATOR, "WINDOW1@"), "error"),
    ]


def test_another_operators_holder_is_told_by_no_name_and_one_s_own_by_file(
    reg: RegistryFactory,
) -> None:
    """Annotations, issue comments and job logs are read by every operator: that an ID is
    another operator's user is theirs to know. The message names neither that operator nor
    its file (whose name is the ID); each holder is reported at its own file. Two holders
    of one operator are that operator's own: the message names the other file."""
    other_operator(reg)
    reg.user("OTHER001", "USER1@TEST-GAS.EXAMPLE.CO.JP")
    problems = reg.validate().problems
    assert {p.file for p in problems} == {
        shown(USER),
        "registry/users/OTHER001/user1@test-gas.example.co.jp.yaml",
    }
    for p in problems:
        for lang in ("en", "ja"):
            said = i18n.text(p.message, lang)
            assert "OTHER001" not in said and "TESTOP01" not in said and "@" not in said, said
    assert {i18n.text(p.message, "ja") for p in problems} == {
        "同じ ID がほかの事業者でも使われています（大文字・小文字だけが違う ID は同じ ID です）。"
        "一人ひとりに別のメールアドレスを使ってください"
    }
    reg.operator(contacts=[contact(), contact("deputy", 2, email="WINDOW1@test-gas.example.co.jp")])
    reg.user("OTHER001", "other@test-gas.example.co.jp")
    (own, _) = [p.message.english() for p in reg.validate().problems if p.file == shown(OPERATOR)]
    assert own.startswith(f"This login ID is also used in {OPERATOR} (IDs differing only in")


# --- an ID must receive mail (000 §5-1 note 3 ①): the schema's pattern ----------------------


@pytest.mark.parametrize(
    "email",
    [
        ".taro@test-gas.example.co.jp",
        "taro.@test-gas.example.co.jp",
        "taro..yamada@test-gas.example.co.jp",
        "taro@localhost",
    ],
    ids=["leading-dot", "trailing-dot", "two-dots", "domain-without-dot"],
)
def test_login_id_that_cannot_receive_mail(reg: RegistryFactory, email: str) -> None:
    """An ID must receive internet mail (000 §5-1 note 3 ①)."""
    (reg.root / USER).unlink()
    reg.user(email=email)
    [p] = reg.validate().problems
    assert (p.rule, p.path) == ("schema", ("email",))
    assert "must receive internet mail" in p.message.english()


def test_window_person_whose_address_cannot_receive_mail(reg: RegistryFactory) -> None:
    """A window person's e-mail is their ID (000 §3-1 ⑥ note 3)."""
    reg.operator(contacts=[contact(email="window..1@test-gas.example.co.jp")])
    [p] = reg.validate().problems
    assert (p.rule, p.path) == ("schema", ("contacts", 0, "email"))


def test_dots_inside_a_login_id_are_clean(reg: RegistryFactory) -> None:
    (reg.root / USER).unlink()
    reg.user(email="taro.y.yamada@test-gas.example.co.jp")
    assert reg.found() == []
