"""A deputy window person becomes the primary in one usage change (000 §2-4, §3-2): with
`contact promote`, `contact add --role primary --replaces`, and the usage-change form."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers.edithelp import TODAY_ARG, edit, refused
from tests.helpers.formbody import confirm, render
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, contact, run_cli

PRIMARY = "window1@test-gas.example.co.jp"
DEPUTY = "window2@test-gas.example.co.jp"
OP_FILE = "operators/TESTOP01.yaml"


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    """TESTOP01 with a primary and a deputy on ``main``; a branch ``pr`` checked out."""
    reg.operator(contacts=[contact(), contact("deputy", n=2)])
    made = GitRegistry(reg)
    made.branch("pr")
    yield made
    made.close()


def _contacts(gr: GitRegistry) -> str:
    text = (gr.reg.root / OP_FILE).read_text(encoding="utf-8")
    return text.split("contacts:\n", 1)[1].split("subcontractors:", 1)[0]


def _plan(gr: GitRegistry) -> str:
    gr.commit("the window persons' change")
    result = run_cli("plan", "--base", "main", "--head", "pr", "--format", "text",
                     *TODAY_ARG, cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_promote_keeps_the_former_primary_as_a_deputy(gr: GitRegistry) -> None:
    result = edit(gr.reg, "contact", "promote", "--operator", "TESTOP01", "--email", DEPUTY,
                  "--former-primary", "deputy")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    held = _contacts(gr)
    assert "  - role: deputy\n    name: 窓口 1号\n" in held
    assert "  - role: primary\n    name: 窓口 2号\n" in held
    assert gr.reg.validate().problems == []
    plan = _plan(gr)
    assert "利用申請（変更）（000 §3-2）" in plan
    assert f"窓口責任者変更: 窓口 2号 <{DEPUTY}>" in plan
    assert "窓口責任者の区分（正担当・副担当） 副担当 → 正担当" in plan
    assert "窓口責任者の区分（正担当・副担当） 正担当 → 副担当" in plan


def test_promote_with_the_former_primary_leaving(gr: GitRegistry) -> None:
    result = edit(gr.reg, "contact", "promote", "--operator", "TESTOP01", "--email", DEPUTY,
                  "--former-primary", "leaves")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    held = _contacts(gr)
    assert PRIMARY not in held and "  - role: primary\n    name: 窓口 2号\n" in held
    plan = _plan(gr)
    assert f"窓口責任者削除: 窓口 1号 <{PRIMARY}>" in plan
    assert f"窓口責任者変更: 窓口 2号 <{DEPUTY}>" in plan


def test_promote_refuses_the_primary_and_a_stranger(gr: GitRegistry) -> None:
    result = refused(gr.reg, "contact", "promote", "--operator", "TESTOP01", "--email", PRIMARY,
                     "--former-primary", "leaves")  # fmt: skip
    assert f"{PRIMARY} は既に TESTOP01 の窓口責任者（正担当）です" in result.stderr
    result = refused(gr.reg, "contact", "promote", "--operator", "TESTOP01", "--email",
                     "nobody@example.jp", "--former-primary", "leaves")  # fmt: skip
    assert "nobody@example.jp は TESTOP01 の窓口責任者ではありません" in result.stderr


def _as_primary(email: str = DEPUTY, **given: str) -> tuple[str, ...]:
    """``contact add --role primary --replaces`` the primary, with the deputy's details as
    recorded unless ``given`` says otherwise."""
    details = {"name": "窓口 2号", "name_kana": "マドグチ イチゴウ", "phone": "03-0000-0002",
               "github": "window-2", **given}  # fmt: skip
    return (
        "contact", "add", "--operator", "TESTOP01", "--role", "primary", "--replaces", PRIMARY,
        "--contact-name", details["name"], "--contact-name-kana", details["name_kana"],
        "--contact-email", email, "--contact-phone", details["phone"],
        "--contact-github", details["github"],
    )  # fmt: skip


def test_a_deputy_named_primary_replacing_the_primary_takes_their_place(
    gr: GitRegistry,
) -> None:
    # The e-mail and the GitHub login in another case are the same deputy's.
    result = edit(gr.reg, *_as_primary(DEPUTY.upper(), github="Window-2"))
    assert result.returncode == 0, result.stdout + result.stderr
    held = _contacts(gr)
    assert PRIMARY not in held
    assert held.count("  - role:") == 1
    assert "  - role: primary\n    name: 窓口 2号\n" in held and "github: window-2\n" in held
    assert gr.reg.validate().problems == []
    plan = _plan(gr)
    assert f"窓口責任者削除: 窓口 1号 <{PRIMARY}>" in plan
    assert "窓口責任者の区分（正担当・副担当） 副担当 → 正担当" in plan
    assert "GitHub アカウント" not in plan


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"github": "evil-acct"}, "GitHub アカウント"),
        ({"name": "窓口 二号"}, "氏名・名称"),
        ({"name_kana": "マドグチ ニゴウ"}, "フリガナ"),
        ({"phone": "03-0000-0102"}, "電話番号"),
    ],
)
def test_a_deputy_becomes_the_primary_only_as_recorded(
    gr: GitRegistry, given: dict[str, str], named: str
) -> None:
    before = _contacts(gr)
    result = refused(gr.reg, *_as_primary(**given))
    where = f"registry/{OP_FILE}: 正担当となる TESTOP01 の副担当 窓口 2号 <{DEPUTY}>"
    assert where in result.stderr
    # What was typed beside what is recorded: the deputy's own details.
    (typed,) = given.values()
    assert f"記録と異なる内容が入力されています（{named}: {typed}（記録: " in result.stderr
    assert "それだけを別の利用申請（変更）として" in result.stderr
    assert _contacts(gr) == before


def test_the_refusals_say_how_a_deputy_becomes_the_primary(gr: GitRegistry) -> None:
    """In the commands' words alone: a form's user is told the form's choice instead
    (tests/cli/test_from_issue_form_words.py)."""
    result = refused(gr.reg, "contact", "remove", "--operator", "TESTOP01", "--email", PRIMARY)
    assert "accessreg contact promote --operator TESTOP01 --email" in result.stderr
    assert f"accessreg contact add --role primary --replaces {PRIMARY}" in result.stderr
    assert "正担当を交代" not in result.stderr and "フォーム" not in result.stderr
    result = refused(
        gr.reg, "contact", "add", "--operator", "TESTOP01", "--role", "primary",
        "--contact-name", "窓口 2号", "--contact-name-kana", "マドグチ ニゴウ",
        "--contact-email", DEPUTY, "--contact-phone", "03-0000-0002", "--contact-github",
        "window-2",
    )  # fmt: skip
    assert f"{DEPUTY} は既に TESTOP01 の窓口責任者（副担当）です" in result.stderr
    assert f"accessreg contact promote --operator TESTOP01 --email {DEPUTY}" in result.stderr
    assert "副担当と正担当を入れ替え" not in result.stderr and "フォーム" not in result.stderr
    # A deputy leaves as before.
    assert edit(gr.reg, "contact", "remove", "--operator", "TESTOP01", "--email", DEPUTY)


def _form(gr: GitRegistry, answers: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    body = render("operator-change", {
        "operator": "TESTOP01", **answers, "confirm": confirm("operator-change"),
    })  # fmt: skip
    path = gr.path / "body.md"
    path.write_bytes(body.encode("utf-8"))
    result = run_cli("from-issue", "--body", str(path), "--author", "window-1", "--issue", "12",
                     *TODAY_ARG, cwd=gr.path)  # fmt: skip
    path.unlink()
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_the_form_makes_a_deputy_the_primary(gr: GitRegistry) -> None:
    code, out = _form(gr, {
        "contact_role": "正担当を交代", "contact_name": "窓口 2号",
        "contact_name_kana": "マドグチ イチゴウ", "contact_email": DEPUTY,
        "contact_phone": "03-0000-0002", "contact_github": "window-2",
        "contact_remove": PRIMARY,
    })  # fmt: skip
    assert code == 0, out
    held = _contacts(gr)
    assert PRIMARY not in held and "  - role: primary\n    name: 窓口 2号\n" in held
    # The pull request says what the edit changes: the deputy's role, the primary leaving.
    assert (
        f"正担当の交代: TESTOP01: 窓口 1号 <{PRIMARY}> → 窓口 2号 <{DEPUTY}>"
        "（前任の正担当は窓口責任者から外れる）"
    ) in out["body"]
    assert f"窓口責任者変更: 窓口 2号 <{DEPUTY}>" in _plan(gr)


def test_the_form_swaps_the_primary_and_a_deputy(gr: GitRegistry) -> None:
    code, out = _form(gr, {"contact_role": "副担当と正担当を入れ替え", "contact_phone": "0"})
    assert code == 1 and any("窓口責任者 メールアドレス" in p for p in out["problems"]), out
    assert any("窓口責任者 電話番号" in p for p in out["problems"]), out
    code, out = _form(gr, {"contact_role": "副担当と正担当を入れ替え", "contact_email": DEPUTY})
    assert code == 0, out
    held = _contacts(gr)
    assert "  - role: deputy\n    name: 窓口 1号\n" in held
    assert "  - role: primary\n    name: 窓口 2号\n" in held
    assert "窓口責任者の区分（正担当・副担当） 正担当 → 副担当" in _plan(gr)


def _deputy(github: str) -> tuple[str, ...]:
    return (
        "contact", "add", "--operator", "TESTOP01", "--contact-name", "西村 葵",
        "--contact-name-kana", "ニシムラ アオイ", "--contact-email", "aoi@test-gas.example.co.jp",
        "--contact-phone", "03-0000-0103", "--contact-github", github,
    )  # fmt: skip


def test_a_window_person_with_anothers_github_account_is_refused(gr: GitRegistry) -> None:
    result = refused(gr.reg, *_deputy("Window-2"))  # TESTOP01's deputy's, in other case
    assert "(github-account-unique)" in result.stdout
    # Each holder's line quotes the login as that line writes it, and names nobody.
    for login in ("Window-2", "window-2"):
        assert f"GitHub アカウント {login} はほかの窓口責任者にも登録されています" in result.stdout
    assert "aoi@" not in result.stdout and "window2@" not in result.stdout
    result = refused(gr.reg, *_deputy("uketsuke-sato"))  # a reviewer's (maintainers.yaml)
    assert "GitHub アカウント uketsuke-sato は受付担当者のアカウントです" in result.stdout
    assert edit(gr.reg, *_deputy("nishimura-aoi")).returncode == 0


def test_the_form_refuses_a_reviewers_github_account(gr: GitRegistry) -> None:
    code, out = _form(gr, {
        "contact_role": "副担当を追加", "contact_name": "西村 葵",
        "contact_name_kana": "ニシムラ アオイ", "contact_email": "aoi@test-gas.example.co.jp",
        "contact_phone": "03-0000-0103", "contact_github": "Uketsuke-Kimura",
    })  # fmt: skip
    assert code == 1
    assert any("(github-account-unique)" in p for p in out["problems"]), out


def test_the_form_refuses_another_github_account_for_the_deputy_made_primary(
    gr: GitRegistry,
) -> None:
    before = _contacts(gr)
    code, out = _form(gr, {
        "contact_role": "正担当を交代", "contact_name": "窓口 2号",
        "contact_name_kana": "マドグチ イチゴウ", "contact_email": DEPUTY,
        "contact_phone": "03-0000-0002", "contact_github": "evil-acct",
        "contact_remove": PRIMARY,
    })  # fmt: skip
    assert code == 1, out
    said = "\n".join(out["problems"])
    told = "記録と異なる内容が入力されています（GitHub アカウント: evil-acct（記録: window-2））"
    assert told in said
    assert _contacts(gr) == before


def test_a_window_persons_new_github_account_is_a_check_in_every_plan_format(
    gr: GitRegistry,
) -> None:
    path = gr.reg.root / OP_FILE
    path.write_text(
        path.read_text(encoding="utf-8").replace("github: window-2", "github: other-acct"),
        encoding="utf-8",
    )
    gr.commit("the deputy's GitHub account")
    said = (
        f"窓口責任者 窓口 2号 <{DEPUTY}> の GitHub アカウントが変わります（window-2 → other-acct）"
    )
    texts = {}
    for fmt in ("text", "markdown", "json"):
        result = run_cli("plan", "--base", "main", "--head", "pr", "--format", fmt,
                         *TODAY_ARG, cwd=gr.path)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        texts[fmt] = result.stdout
    assert f"? 確認: {said}" in texts["text"]
    assert said in texts["markdown"].replace("`", "")
    notes = json.loads(texts["json"])["notes"]
    assert [n["kind"] for n in notes if "other-acct" in n["message"]] == ["check"]
