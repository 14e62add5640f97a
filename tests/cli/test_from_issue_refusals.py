"""What ``accessreg from-issue`` says when authority refuses an application: each refusal
its own reason first, in both languages, naming the file refused in both; that only the
operator's window persons and the maintainers may file, only when that is why."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accessreg.escape import markdown
from accessreg.model.problems import Level
from accessreg.review.authorize import RULES
from tests.helpers import lapsed
from tests.helpers.formbody import confirm, operator_new, render
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import ROOT, RegistryFactory, contact, run_cli

NOT_THEIRS_JA = (
    "申請できるのは、その事業者のシステム窓口責任者として登録された GitHub アカウントか"
    "受付担当者です"
)
NOT_THEIRS_EN = "only a GitHub account registered as the operator's window person"


def user_add(operator: str = "TESTOP01", **over: Any) -> str:
    answers = {
        "operator": operator,
        "email": "hanako.kimura@test-gas.example.co.jp",
        "name": "木村 花子",
        "name_kana": "キムラ ハナコ",
        "perm_taxis": "1011：更新権限あり",
        "confirm": confirm("user-add"),
    }
    return render("user-add", {**answers, **over})


def refusal(root: Path, body: str, author: str, *extra: str) -> list[str]:
    """The comment's problem lines of a refused application; nothing written."""
    (root / "body.md").write_text(body, encoding="utf-8")
    before = sorted((p, p.read_bytes()) for p in (root / "registry").rglob("*") if p.is_file())
    result = run_cli("from-issue", "--body", "body.md", "--author", author, "--issue", "13",
                     "--today", "2026-11-24", *extra, cwd=root)  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    out = json.loads(result.stdout)
    assert out["ok"] is False
    after = sorted((p, p.read_bytes()) for p in (root / "registry").rglob("*") if p.is_file())
    assert after == before
    problems: list[str] = out["problems"]
    assert all(line in out["comment"] for line in problems)
    return problems


def reason_first(line: str, file: str | None, ja: str, en: str) -> None:
    """``line`` tells the refusal's reason first in Japanese, then in English, each after
    the file refused (as the comment escapes text) when there is one, and not that only
    window persons may file."""
    at = f"{markdown(file)}: " if file else ""
    assert line.startswith(f"- {at}")
    first, second = line.removeprefix(f"- {at}").split(f" / {at}")
    assert first.lstrip("`").startswith(ja)
    assert second.lstrip("`").startswith(en)
    assert NOT_THEIRS_JA not in line and NOT_THEIRS_EN not in line
    assert "はこの変更を申請できません" not in line and "may not file" not in line


# --- the reported case, on the sample registry ----------------------------------------------


def test_a_window_person_adding_another_operator_s_user_is_told_why(tmp_path: Path) -> None:
    """The deputy window person of AOBAGS01 applies for an ID that is KAZEDR01's user."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "registry", root / "registry")
    shutil.copytree(ROOT / "schemas", root / "schemas")
    taken = "koji.murata@kazami-dr.example.co.jp"
    assert (root / f"registry/users/KAZEDR01/{taken}.yaml").is_file()
    assert "github: ishida-misaki" in (root / "registry/operators/AOBAGS01.yaml").read_text("utf-8")
    body = user_add("AOBAGS01", email=taken, name="村田 浩二", name_kana="ムラタ コウジ")
    (line,) = refusal(root, body, "ishida-misaki", "--template", "user-add")
    reason_first(
        line,
        f"registry/users/AOBAGS01/{taken}.yaml",
        f"ID {taken} はほかの事業者の利用者です。AOBAGS01 にも追加することはできません。別の"
        "メールアドレスで申請するか、その事業者が利用権限の抹消を申請した後に申請してください",
        f"The login ID {taken} is another operator's user: it cannot be added to AOBAGS01 as "
        "well; apply with another e-mail address of the person, or once that operator has "
        "applied for the deletion of their user permissions",
    )
    assert line.endswith("(user-move)")
    # Whose user it is, the filer of another operator is not told (nor where its file is).
    assert "KAZEDR01" not in line and "users/KAZEDR01" not in line


# --- every refusal the intake gives -----------------------------------------------------------


def _other_operator(reg: RegistryFactory) -> None:
    reg.operator("TESTOP02", contacts=[contact(n=9, email="window9@test-two.example.jp")],
                 subcontractors=[])  # fmt: skip


def _taken(reg: RegistryFactory, email: str = "hanako.kimura@test-gas.example.co.jp") -> str:
    _other_operator(reg)
    reg.user("TESTOP02", email, affiliation="TESTOP02")
    return user_add(email=email)


HOSTILE = "`~~x~~`_@test-gas.example.co.jp"  # a login ID may hold markdown's characters


def test_the_file_refused_is_escaped_in_both_languages(reg: RegistryFactory) -> None:
    (line,) = refusal(reg.repo, _taken(reg, HOSTILE), "window-1", "--template", "user-add")
    file = f"registry/users/TESTOP01/{HOSTILE}.yaml"
    reason_first(line, file, f"ID {HOSTILE} は", f"The login ID {HOSTILE} is")
    assert markdown(file) != file and line.count(markdown(file)) == 2


def _second_admin(reg: RegistryFactory) -> str:
    reg.switching_operator()
    return user_add(perm_taxis="なし", perm_switching="管理者ID（需要抑制契約者）")


USER_FILE = "registry/users/TESTOP01/hanako.kimura@test-gas.example.co.jp.yaml"
EMAIL = "hanako.kimura@test-gas.example.co.jp"


def _removed_while_suspended(reg: RegistryFactory) -> str:
    """001 p46: the login ID was deleted while suspended, on the branch the intake reads;
    the form adds it again, without the suspension a form cannot write."""
    reg.user(email=EMAIL, suspended_on="2026-11-20")
    made = GitRegistry(reg)
    try:
        made.remove(USER_FILE.removeprefix("registry/"))
        made.commit("delete the suspended user")
    finally:
        made.close()
    return user_add()


# A refusal for what the change does: the scenario, the file and the reason's words.
FOR_THE_CHANGE: dict[str, tuple[Callable[[RegistryFactory], str], str, str, str]] = {
    "user-move": (
        _taken,
        USER_FILE,
        f"ID {EMAIL} はほかの事業者の利用者です",
        f"The login ID {EMAIL} is another operator's user",
    ),
    "admin-id-once": (
        _second_admin,
        USER_FILE,
        "TESTOP01 の スイッチング支援システム（switching） の管理者 ID（dr_admin）は発行済みです",
        "TESTOP01 already had its switching admin ID (dr_admin) issued",
    ),
    "maintainer-fields": (
        _removed_while_suspended,
        USER_FILE,
        f"ID {EMAIL} は登録簿から削除されたとき停止中（2026-11-20 から）でした",
        f"the ID {EMAIL} was suspended (since 2026-11-20) when it was last in the registry",
    ),
}
# A refusal of a value a form's field gives, told under that field as the other refusals
# are (tests/cli/test_from_issue_form_words.py).
UNDER_A_FIELD = ("affiliation-foreign",)
# A refusal for who filed: the scenario and its author.
FOR_THE_FILER = ("operator-files", "new-operator-contact")
# Error rules of authorize no form can break: the forms write no other file, never a link,
# and none writes a suspension date; a new operator's or an issued code another operator
# declares as its subcontractor the edit refuses first (tests/cli/test_issue_code.py).
NO_FORM_BREAKS = ("maintainers-only", "not-a-file", "suspension-date", "code-declared")


def test_every_refusal_of_authority_is_covered_here() -> None:
    errors = {r.id for r in RULES if r.level is Level.ERROR}
    assert errors == {*FOR_THE_CHANGE, *UNDER_A_FIELD, *FOR_THE_FILER, *NO_FORM_BREAKS}


@pytest.mark.parametrize("rule", sorted(FOR_THE_CHANGE))
def test_a_refusal_for_what_the_change_does_says_its_reason_first(
    reg: RegistryFactory, rule: str
) -> None:
    scenario, file, ja, en = FOR_THE_CHANGE[rule]
    body = scenario(reg)
    lines = refusal(reg.repo, body, "window-1", "--template", "user-add")
    (line,) = [line for line in lines if line.endswith(f"({rule})")]
    assert line.startswith("- ")
    reason_first(line, file, ja, en)


def test_a_stranger_is_told_only_window_persons_may_file(reg: RegistryFactory) -> None:
    (line,) = refusal(reg.repo, user_add(), "stranger-1", "--template", "user-add")
    assert line.startswith(f"- @stranger-1 はこの変更を申請できません。{NOT_THEIRS_JA}。")
    assert f"@stranger-1 may not file this change: {NOT_THEIRS_EN}" in line
    assert "TESTOP01 の申請ができるのは、TESTOP01 のシステム窓口責任者か受付担当者だけです" in line
    assert line.endswith("(operator-files)")


def test_a_new_operator_s_filer_not_among_its_window_persons_is_told_so(
    reg: RegistryFactory,
) -> None:
    body = operator_new("nagisa-ichiro")
    lines = refusal(reg.repo, body, "impostor-9", "--template", "operator-new")
    (line,) = [line for line in lines if line.endswith("(new-operator-contact)")]
    file = "registry/operators/NAGIGS01.yaml"
    shown = markdown(file)
    assert line.startswith(f"- @impostor-9 はこの変更を申請できません（{shown}）。{NOT_THEIRS_JA}")
    assert f"@impostor-9 may not file this change ({shown}): {NOT_THEIRS_EN}" in line
    assert (
        "impostor-9 は新規事業者 NAGIGS01 のシステム窓口責任者に含まれていません。NAGIGS01 の"
        "利用申請は、NAGIGS01 自身のシステム窓口責任者が、申請に書いた本人の GitHub アカウントで"
        "行います。あなたが NAGIGS01 のシステム窓口責任者であれば、窓口責任者の GitHub アカウントに"
        "ご自身のアカウントを書いてください。そうでなければ、NAGIGS01 のシステム窓口責任者に申請を"
        "依頼してください"
    ) in line


def test_an_application_held_by_what_time_brought_says_the_filer_fixes_it_first(
    lapsed_gr: GitRegistry,
) -> None:
    """An issue of B's window person on the day after a code its user holds was abolished:
    refused, and told in the comment that the error is theirs to fix first, as it says,
    with no maintainer to wait for, as the editing command tells it."""
    body = user_add(lapsed.B, email="x@lapsed-b.example.jp")
    lines = refusal(lapsed_gr.path, body, "window-2", "--template", "user-add", "--today",
                    lapsed.TODAY)  # fmt: skip
    text = "\n".join(lines)
    assert "受付担当者を待つ必要はありません" in text, text
    assert "(permission-abolished)" in text and "02010" in text
