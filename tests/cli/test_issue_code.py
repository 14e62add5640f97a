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
