"""An editing command on the day after a time rule fell due for one operator (real git
repositories): the other operators' applications and every deletion are written as if
nothing happened, and the operator it fell due for is told, in Japanese, that the error is
theirs to fix first, as its message says, with no maintainer to wait for."""

from __future__ import annotations

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.lapsed import B_EMAIL, B_USER, TODAY, A, B, user_file
from tests.helpers.regfactory import RegistryFactory, certificate, contact, run_cli

NEW = ("--name", "試験 花子", "--name-kana", "シケン ハナコ")
# Said of errors a maintainer fixes; never of what time brought to an operator's own files.
MAINTAINER = "受付担当者が直すまで"
THEIRS = "受付担当者を待つ必要はありません。それぞれの指示どおりに先に直してください"


def _edit(g: GitRegistry, *args: str, today: str = TODAY) -> tuple[int, str, str]:
    result = run_cli(*args, "--today", today, cwd=g.path)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout, result.stderr


def test_an_abolished_code_holds_its_operator_with_a_message_of_what_to_do(
    lapsed_gr: GitRegistry,
) -> None:
    """B's user holds LOACUS 02011, abolished on 2027-03-01: A's new user is written; B's is
    not, and B's window person is told to write 02010, with no maintainer to wait for."""
    code, out, _ = _edit(lapsed_gr, "user", "add", "--operator", A, "--email",
                         "x@test-gas.example.co.jp", *NEW, "--taxis", "1011")  # fmt: skip
    assert code == 0 and (lapsed_gr.reg.root / user_file(A, "x@test-gas.example.co.jp")).exists()
    added = user_file(B, "x@lapsed-b.example.jp")
    code, out, err = _edit(lapsed_gr, "user", "add", "--operator", B, "--email",
                           "x@lapsed-b.example.jp", *NEW, "--taxis", "1011")  # fmt: skip
    assert code == 1 and not (lapsed_gr.reg.root / added).exists()
    assert THEIRS in out and MAINTAINER not in out, out
    assert f"registry/{B_USER}:" in out and "代わりに 02010 と書いてください" in out
    assert "(permission-abolished)" in out and "エラー 1 件" in err
    # Fixed as the message says, B's application goes through.
    code, _, _ = _edit(lapsed_gr, "user", "change", "--operator", B, "--email", B_EMAIL,
                       "--loacus", "02010")  # fmt: skip
    assert code == 0
    code, out, _ = _edit(lapsed_gr, "user", "add", "--operator", B, "--email",
                         "x@lapsed-b.example.jp", *NEW, "--taxis", "1011")  # fmt: skip
    assert code == 0 and (lapsed_gr.reg.root / added).exists(), out


def test_the_holder_of_an_abolished_code_is_deleted_at_once(lapsed_gr: GitRegistry) -> None:
    code, out, _ = _edit(lapsed_gr, "user", "remove", "--operator", B, "--email", B_EMAIL)
    assert code == 0 and not (lapsed_gr.reg.root / B_USER).exists(), out


LATER = "2027-05-02"  # the API certificate's renewal has started: two valid at once


def test_a_renewal_that_started_holds_its_operator_only(reg: RegistryFactory) -> None:
    """TESTOP01's renewed API certificate started on 2027-05-01 beside the old one
    (certificate-api, an error): TESTOP02's new user is written, TESTOP01's deletion too, and
    TESTOP01's new user waits for the old certificate's removal, which its window person
    makes."""
    renewal = certificate(2, purpose="api", not_before="2027-05-01", not_after="2029-04-30")
    reg.switching_operator(certificates=[certificate(1, purpose="api"), renewal])
    reg.operator("TESTOP02", contacts=[contact(n=3)], subcontractors=[])
    reg.user("TESTOP02", "user9@test-gas.example.co.jp", affiliation="TESTOP02")
    g = GitRegistry(reg)
    code, out, _ = _edit(g, "user", "add", "--operator", "TESTOP02", "--email",
                         "x@test-gas.example.co.jp", *NEW, "--taxis", "1011",
                         today=LATER)  # fmt: skip
    assert code == 0, out
    code, out, _ = _edit(g, "user", "add", "--operator", "TESTOP01", "--email",
                         "y@test-gas.example.co.jp", *NEW, "--switching", "dr_user",
                         today=LATER)  # fmt: skip
    assert code == 1 and THEIRS in out and MAINTAINER not in out, out
    assert "(certificate-api)" in out and "EP-TEST-0002" in out
    code, out, _ = _edit(g, "user", "remove", "--operator", "TESTOP01", "--email",
                         "user1@test-gas.example.co.jp", today=LATER)  # fmt: skip
    assert code == 0, out
