"""`accessreg operator issue-code`: an OCCTO membership applicant receives its operator code
(003 §2.2), filed without YAML. Real files in a real git repository, the command run, the
files read back and the registry validated; the branch then planned and authorized as one
operator continuing under its code."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers.edithelp import TODAY_ARG, bad_value, edit, refused, snapshot
from tests.helpers.formbody import confirm, render
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import accessreg
from tests.helpers.regfactory import RegistryFactory, certificate, contact, run_cli

KEY, CODE = "PROV-HOSHIZORA", "HOSHIZR1"
WINDOW = "hina.hoshino@hoshizora-denki.example.jp"
STAFF = "staff@hoshizora-denki.example.jp"
HELPER = "helper@hoshizora-sv.example.jp"  # a subcontractor's staff
ISSUE = ("operator", "issue-code", "--operator", KEY, "--code", CODE)


def applicant(**over: Any) -> dict[str, Any]:
    return {
        "name": "ほしぞら電力株式会社",
        "roles": ["electricity_retailer"],
        "systems": ["member_portal"],
        "contacts": [contact(n=7, email=WINDOW, github="hoshino-hina")],
        "subcontractors": [{"code": "HOSHISV1", "name": "ほしぞらサービス株式会社"}],
        "certificates": None,
        "membership": {"status": "provisional", "provisional_since": "2026-09-14"},
        **over,
    }


def _applicant(reg: RegistryFactory, **over: Any) -> None:
    reg.operator(KEY, **applicant(**over))
    reg.user(KEY, WINDOW, affiliation=KEY, permissions={"member_portal": "admin"})
    reg.user(KEY, STAFF, affiliation=KEY, permissions={"member_portal": "user"})


def _text(reg: RegistryFactory, rel: str) -> str:
    return (reg.root / rel).read_text(encoding="utf-8")


def _errors(reg: RegistryFactory) -> list[str]:
    return [f"{p.rule} {p.file}" for p in reg.validate().problems if str(p.level) == "error"]


@pytest.fixture
def gr(reg: RegistryFactory) -> Any:
    _applicant(reg)
    reg.user(KEY, HELPER, affiliation="HOSHISV1", permissions={"member_portal": "user"})
    made = GitRegistry(reg)
    made.branch("issued")
    yield made
    made.close()


def test_the_applicant_moves_to_its_code_and_is_planned_as_one_operator(
    gr: GitRegistry,
) -> None:
    reg = gr.reg
    window_before = _text(reg, f"users/{KEY}/{WINDOW}.yaml")
    result = edit(reg, *ISSUE, "--on", "2026-12-01")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (reg.root / f"operators/{KEY}.yaml").exists()
    assert not (reg.root / f"users/{KEY}").exists()
    text = _text(reg, f"operators/{CODE}.yaml")
    assert f"code: {CODE}\n" in text and "occto_member: true\n" in text
    assert "membership:\n  status: member\n" in text
    assert text.endswith("2026-09-14'\n  member_since: 2026-12-01\n")
    # Each user moves with its affiliation; only that line changes.
    window = _text(reg, f"users/{CODE}/{WINDOW}.yaml")
    assert window == window_before.replace(f"affiliation: {KEY}\n", f"affiliation: {CODE}\n")
    assert f"affiliation: {CODE}\n" in _text(reg, f"users/{CODE}/{STAFF}.yaml")
    assert "affiliation: HOSHISV1\n" in _text(reg, f"users/{CODE}/{HELPER}.yaml")
    assert f"{KEY} → {CODE}" in result.stderr
    assert _errors(reg) == []
    gr.commit("the operator code is issued")
    shown = accessreg(gr, "plan", "--base", "main", "--head", "issued", "--format", "json",
                      "--today", "2026-12-03")  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    plan = json.loads(shown.stdout)
    assert [op["code"] for op in plan["operators"]] == [CODE]
    (op,) = plan["operators"]
    head, *users = op["items"]
    assert (head["application"], head["action"]) == ("usage_change", "change")
    assert {"field": "code", "old": KEY, "new": CODE} in head["fields"]
    assert {u["key"]: u["effects"] for u in users if u["action"] == "change"} == {
        WINDOW: [],
        STAFF: [],
    }
    allowed = accessreg(gr, "authorize", "--base", "main", "--head", "issued",
                        "--actor", "hoshino-hina")  # fmt: skip
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert f"{KEY} は事業者コード {CODE} に移ります" in allowed.stdout


def test_an_operator_with_its_code_is_refused(reg: RegistryFactory) -> None:
    reg.operator("HOSHIZR2", **applicant(membership=None, subcontractors=None))
    said = refused(reg, "operator", "issue-code", "--operator", "HOSHIZR2", "--code", CODE)
    assert "事業者 HOSHIZR2 は仮のキー（PROV-…）で登録されていません" in said.stderr


@pytest.mark.parametrize("code", ["hoshizr1", "PROV-HOSHI", "HOSHIZORA01"])
def test_a_code_that_is_no_operator_code_is_refused(reg: RegistryFactory, code: str) -> None:
    _applicant(reg)
    said = bad_value(reg, "operator", "issue-code", "--operator", KEY, "--code", code)
    assert f"{code} は事業者コードではありません" in said.stderr


def test_a_code_already_used_by_an_operator_is_refused(reg: RegistryFactory) -> None:
    _applicant(reg)
    reg.operator(CODE, contacts=[contact(n=8, email="w8@other.example.jp")],
                 subcontractors=None)  # fmt: skip
    said = refused(reg, *ISSUE)
    assert f"事業者コード {CODE} はすでに使われています（registry/operators/{CODE}.yaml）" in (
        said.stderr
    )


def test_a_code_whose_users_directory_holds_files_is_refused(reg: RegistryFactory) -> None:
    _applicant(reg)
    reg.user(CODE, "left@other.example.jp", affiliation=CODE)
    said = refused(reg, *ISSUE)
    assert f"registry/users/{CODE}/ に利用者のファイルがあります" in said.stderr


def test_a_withdrawn_applicant_is_refused(reg: RegistryFactory) -> None:
    gone = {"status": "withdrawn", "provisional_since": "2026-09-14",
            "withdrawn_on": "2026-11-01"}  # fmt: skip
    _applicant(reg, membership=gone)
    said = refused(reg, *ISSUE)
    assert f"{KEY} は広域機関を退会しています" in said.stderr


def test_a_certificate_is_kept_and_its_cn_judged_under_the_code(reg: RegistryFactory) -> None:
    """A certificate on a provisional key is already an error (provisional-key); moved to
    the code, it is kept as it is, and the CN must carry the code (certificate-subject)."""
    cert = certificate(cn="HOSHIZR9 web01")
    _applicant(reg, certificates=[cert])
    said = refused(reg, *ISSUE)
    assert "(certificate-subject)" in said.stdout and f"operators/{CODE}.yaml" in said.stdout
    cert = certificate(cn=f"{CODE} web01")
    _applicant(reg, certificates=[cert])
    result = edit(reg, *ISSUE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"cn: {CODE} web01" in _text(reg, f"operators/{CODE}.yaml")
    assert _errors(reg) == []


def _from_issue(
    gr: GitRegistry, answers: dict[str, object], author: str = "hoshino-hina"
) -> tuple[int, dict[str, Any]]:
    body = render("operator-change", {
        "operator": KEY, **answers, "confirm": confirm("operator-change"),
    })  # fmt: skip
    path = gr.path / "body.md"
    path.write_bytes(body.encode("utf-8"))
    result = run_cli(
        "from-issue", "--body", str(path), "--author", author, "--issue", "12", *TODAY_ARG,
        cwd=gr.path,
    )  # fmt: skip
    path.unlink()
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_the_usage_change_form_files_the_issued_code(gr: GitRegistry) -> None:
    """The form names the provisional key, whose window persons file for it; the change
    names the code. Another person, or a membership other than member, is refused."""
    before = snapshot(gr.reg.root)
    code, out = _from_issue(gr, {"issued_code": CODE}, author="someone-else")
    assert code == 1 and snapshot(gr.reg.root) == before, out
    assert "may not file this change" in out["comment"], out["comment"]
    code, out = _from_issue(gr, {"issued_code": CODE, "membership": "退会 / withdrawal"})
    assert code == 1 and snapshot(gr.reg.root) == before, out
    assert any("広域機関の会員資格" in p and "会員（本申請）" in p for p in out["problems"])
    code, out = _from_issue(
        gr, {"issued_code": CODE, "membership_on": "2026-11-20", "name": "ほしぞら電力株式会社本社"}
    )
    assert code == 0, out["problems"]
    assert not (gr.reg.root / f"operators/{KEY}.yaml").exists()
    text = _text(gr.reg, f"operators/{CODE}.yaml")
    assert f"code: {CODE}\n" in text and "name: ほしぞら電力株式会社本社\n" in text
    assert "member_since: 2026-11-20\n" in text and "occto_member: true\n" in text
    assert f"affiliation: {CODE}\n" in _text(gr.reg, f"users/{CODE}/{STAFF}.yaml")
    assert _errors(gr.reg) == []
    assert any(
        f"{KEY} は事業者コード {CODE} に移ります" in line for line in out["body"].splitlines()
    )
    # The pull request is for the operator as it continues: titled with the issued code,
    # the provisional key left to the body's items.
    assert out["title"] == f"[{CODE}] 利用申請（変更） / Usage change application (#12)"
    assert out["operator"] == CODE and KEY not in out["commit_message"].splitlines()[0]


# TESTOP01, the factory's operator, declares TESTSUB1 (テスト委託株式会社) as its subcontractor.
DECLARED = "TESTSUB1"


def test_a_code_another_operator_declares_as_its_subcontractor_is_refused_up_front(
    gr: GitRegistry,
) -> None:
    """The issued code names another operator's subcontractor: the command and the form
    say so in their own terms (the option, the form's field), never in those of the user
    files the move would rewrite (affiliation-foreign), and write nothing."""
    told = (
        f"発番された事業者コード {DECLARED} は、すでに TESTOP01 の委託先事業者"
        "「テスト委託株式会社」として届け出られています。事業者コードを広域機関に確認するか"
        "（003 §2.2）、TESTOP01 に先に委託先事業者を訂正してもらってください"
    )
    said = refused(gr.reg, "operator", "issue-code", "--operator", KEY, "--code", DECLARED)
    assert told in said.stderr and "（--code、" in said.stderr, said.stdout + said.stderr
    assert "affiliation-foreign" not in said.stdout + said.stderr
    before = snapshot(gr.reg.root)
    code, out = _from_issue(gr, {"issued_code": DECLARED})
    assert code == 1 and snapshot(gr.reg.root) == before, out
    assert told in out["comment"] and "「事業者コードの発番」" in out["comment"], out["comment"]
    assert "affiliation-foreign" not in out["comment"]


def test_authorize_refuses_a_move_to_a_code_declared_as_a_subcontractor_on_the_operator_file(
    gr: GitRegistry,
) -> None:
    """Written by hand, the move is refused by one rule on the operator's file, for the
    maintainer too, and not on each user file whose affiliation follows the code."""
    reg = gr.reg
    gr.move(f"operators/{KEY}.yaml", f"operators/{DECLARED}.yaml")
    member = {"status": "member", "member_since": "2026-12-01"}
    reg.operator(DECLARED, **applicant(occto_member=True, membership=member))
    for email in (WINDOW, STAFF):
        gr.move(f"users/{KEY}/{email}.yaml", f"users/{DECLARED}/{email}.yaml")
        reg.user(DECLARED, email, affiliation=DECLARED, permissions={"member_portal": "user"})
    gr.move(f"users/{KEY}/{HELPER}.yaml", f"users/{DECLARED}/{HELPER}.yaml")
    gr.commit("moved by hand to a code TESTOP01 declares")
    for actor in ("hoshino-hina", "uketsuke-sato"):
        ran = accessreg(gr, "authorize", "--base", "main", "--head", "issued", "--actor", actor,
                        "--format", "json")  # fmt: skip
        assert ran.returncode == 1, ran.stdout + ran.stderr
        problems = json.loads(ran.stdout)["refused"]
        assert [(p["file"], p["rule"]) for p in problems] == [
            (f"registry/operators/{DECLARED}.yaml", "code-declared")
        ], problems
        assert "すでに TESTOP01 が委託先事業者として届け出ています" in problems[0]["message"]
