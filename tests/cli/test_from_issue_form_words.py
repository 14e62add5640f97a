"""Refusals an issue form shares with the files and the commands, as each reader is told them:
a form's user is told the form's field or choice and reads it under the field that gives
the value refused; one who edits the files or runs the commands keeps their own words."""

from __future__ import annotations

from typing import Any

from accessreg.forms import definitions
from tests.cli.test_from_issue import USER, refused
from tests.helpers.formbody import confirm, render, template
from tests.helpers.regfactory import RegistryFactory, contact, run_cli

IN_THE_FILE = "先に事業者のファイルで委託先を届け出てください"
COMMAND = "accessreg contact promote"


def _label(kind: str, fid: str) -> str:
    """A field's label as the committed issue form shows it."""
    field = next(f for f in template(kind)["body"] if f.get("id") == fid)
    label: str = field["attributes"]["label"]
    return label


def _user_add(**over: Any) -> str:
    answers = {
        "operator": "TESTOP01", "email": USER, "name": "木村 花子", "name_kana": "キムラ ハナコ",
        "perm_taxis": "1011：更新権限あり", "confirm": confirm("user-add"),
    }  # fmt: skip
    return render("user-add", {**answers, **over})


def test_an_undeclared_subcontractor_is_filed_first_with_the_usage_change_form(
    reg: RegistryFactory,
) -> None:
    """000 §5-1 note 2: a user's 所属事業者 is a subcontractor reported in the usage
    application; a form's user reports it with the usage change form's field for it."""
    out = refused(reg, _user_add(affiliation="TESTSUB9"))
    (line,) = out["problems"]
    added = _label("operator-change", "add_subcontractors")
    assert added == definitions.ADD_SUBCONTRACTORS  # the wording reads the form's own label
    assert line.startswith(f"- **{_label('user-add', 'affiliation')}**: ")
    assert f"先に利用申請（変更）の「{added}」で委託先事業者を届け出てください" in line
    assert f"file the subcontractor first in {added} of the form 利用申請（変更）" in line
    assert IN_THE_FILE not in out["comment"]
    assert "operator's file" not in out["comment"]


def test_one_who_edits_the_files_is_told_to_declare_it_in_the_operator_s_file(
    reg: RegistryFactory,
) -> None:
    reg.user(affiliation="TESTSUB9")
    result = run_cli("validate", cwd=reg.repo)
    assert result.returncode == 1
    assert f"TESTOP01 と書くか、{IN_THE_FILE} (affiliation)" in result.stdout
    assert "追加する委託先事業者" not in result.stdout


def test_another_operator_s_code_as_affiliation_is_told_under_its_field(
    reg: RegistryFactory,
) -> None:
    reg.operator("TESTOP02", contacts=[contact(n=9, email="window9@test-two.example.jp")],
                 subcontractors=[])  # fmt: skip
    out = refused(reg, _user_add(affiliation="TESTOP02"))
    (line,) = out["problems"]
    assert line.startswith(
        f"- **{_label('user-add', 'affiliation')}**: 所属 TESTOP02 は TESTOP02 のもので、"
        "TESTOP01 のものではありません"
    ), line
    assert line.endswith("(affiliation-foreign)")
    assert "registry/users/" not in line


def _with_deputy(reg: RegistryFactory) -> None:
    reg.operator(contacts=[contact(), contact("deputy", n=2)])


def test_a_deputy_promoted_with_other_details_is_told_under_the_field_that_differs(
    reg: RegistryFactory,
) -> None:
    _with_deputy(reg)
    deputy = contact("deputy", n=2)
    body = render("operator-change", {
        "operator": "TESTOP01", "contact_role": definitions.REPLACE_PRIMARY,
        "contact_name": deputy["name"], "contact_name_kana": deputy["name_kana"],
        "contact_email": deputy["email"], "contact_phone": "03-0000-9999",
        "contact_github": deputy["github"], "contact_remove": contact()["email"],
        "confirm": confirm("operator-change"),
    })  # fmt: skip
    (line,) = refused(reg, body)["problems"]
    assert line.startswith(f"- **{_label('operator-change', 'contact_phone')}**: "), line
    assert "記録と異なる内容が入力されています" in line


def test_removing_the_primary_is_told_with_the_form_s_choice_not_the_command(
    reg: RegistryFactory,
) -> None:
    _with_deputy(reg)
    primary = contact()["email"]
    body = render("operator-change", {
        "operator": "TESTOP01", "contact_remove": primary, "confirm": confirm("operator-change"),
    })  # fmt: skip
    out = refused(reg, body)
    (line,) = out["problems"]
    role, removed = (_label("operator-change", f) for f in ("contact_role", "contact_remove"))
    assert (
        f"外すときは、利用申請（変更）の「{role}」で「{definitions.REPLACE_PRIMARY}」を選んで"
        in line
    ), line
    assert f"「{removed}」に {primary} を入力してください" in line
    assert COMMAND not in out["comment"] and "accessreg" not in out["comment"]
