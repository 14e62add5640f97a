"""One mistake of an application hides none of the others: a form or an editing command
told of every independent mistake in one run, each under its field; a check that depends on
what failed (the operator's approved systems, on an operator code that names none) is left
out. And a full-width ＠ is named in the same words by ``validate``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from accessreg.edit import Draft, finish
from accessreg.edit.users import UserSpec, change
from tests.helpers.edithelp import snapshot
from tests.helpers.formbody import confirm, render
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, contact, run_cli

WIDE_AT = "jiro.nagisa＠nagisa-gas.example.co.jp"
HALF_WIDTH_KANA = "ﾅｷﾞｻ ｼﾞﾛｳ"
AT_HINT = f"{WIDE_AT} の ＠ が全角です。メールアドレスは半角で、半角の @ を使って書いてください"
KANA_HINT = f"{HALF_WIDTH_KANA}: 利用者名（カナ）は全角カタカナで書いてください"
# A window person's reading is not a user's: no form names it 利用者名（カナ）.
CONTACT_KANA_HINT = f"{HALF_WIDTH_KANA}: フリガナは全角カタカナで書いてください"
NOT_APPROVED = "事業者 NAGIGS01 は 消費機器保安情報授受システム（juju） の利用申請をしていません"


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    """NAGIGS01, a gas retailer using TAXIS and JOHS and not JUJU, in a git repository."""
    reg.operator(
        "NAGIGS01", systems=["taxis", "johs"], subcontractors=None,
        contacts=[contact(n=7, email="w7@nagisa-gas.example.co.jp", github="nagisa-ichiro")],
    )  # fmt: skip
    made = GitRegistry(reg)
    yield made
    made.close()


def _body(operator: str) -> str:
    """The first-day form: the code in lower case with a space after it, a full-width ＠,
    the kana in half-width, JUJU for an operator that does not use it."""
    return render("user-add", {
        "operator": operator, "email": WIDE_AT, "name": "渚 次郎", "name_kana": HALF_WIDTH_KANA,
        "perm_taxis": "1011：更新権限あり", "perm_juju": "あり", "confirm": confirm("user-add"),
    })  # fmt: skip


def _intake(gr: GitRegistry, body: str, author: str = "nagisa-ichiro") -> dict[str, Any]:
    gr.write("b1.md", body)
    before = snapshot(gr.path / "registry")
    result = run_cli(
        "from-issue", "--body", "b1.md", "--author", author, "--issue", "12",
        "--template", "user-add", "--dry-run", "--today", "2026-11-24", cwd=gr.path,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    assert out["ok"] is False and snapshot(gr.path / "registry") == before
    return out


def _under(problems: list[str], label: str) -> str:
    (line,) = [p for p in problems if p.startswith(f"- **{label}**: ")]
    return line


def test_the_four_first_day_mistakes_are_told_at_once_each_under_its_field(
    gr: GitRegistry,
) -> None:
    problems = _intake(gr, _body("nagigs01 "))["problems"]
    assert len(problems) == 4, problems
    assert "（NAGIGS01 ではありませんか）" in _under(problems, "事業者コード")
    assert AT_HINT in _under(problems, "メールアドレス（ID）")
    assert KANA_HINT in _under(problems, "利用者名（カナ）")
    # The operator the lower-case code can only mean is what the approval is checked against.
    assert NOT_APPROVED in _under(problems, "消費機器保安情報授受システム（juju）")


def test_a_code_that_names_no_operator_leaves_out_only_what_depends_on_it(
    gr: GitRegistry,
) -> None:
    problems = _intake(gr, _body("NAGIGS02"))["problems"]
    assert "事業者 NAGIGS02 はありません" in _under(problems, "事業者コード")
    assert AT_HINT in _under(problems, "メールアドレス（ID）")
    assert KANA_HINT in _under(problems, "利用者名（カナ）")
    assert len(problems) == 3, problems  # no approval to check, no affiliation to miss


def test_another_operator_s_filer_learns_nothing_of_it_through_its_code_in_lower_case(
    gr: GitRegistry,
) -> None:
    """Authority over the operator the code spells comes first, as for the code itself:
    not even that an ID is already its user is told to another operator's window person."""
    taken = "jiro.nagisa@nagisa-gas.example.co.jp"
    gr.reg.user("NAGIGS01", taken, permissions={"taxis": "1011"})
    gr.commit("NAGIGS01's user")
    body = _body("nagigs01").replace(WIDE_AT, taken)
    (line,) = _intake(gr, body, author="window-1")["problems"]
    assert "@window-1 はこの変更を申請できません" in line
    assert taken not in line and "juju" not in line
    own = "\n".join(_intake(gr, body)["problems"])  # its own window person is told
    assert f"{taken} は既に NAGIGS01 の利用者です" in own, own


def _each_on_its_line(stdout: str, file: str) -> None:
    """The four first-day mistakes, each located on its line of ``file`` with its rule."""
    for line, says, rule in (
        (1, "事業者 nagigs01 はありません", "user-operator-unknown"),
        (2, AT_HINT, "schema"),
        (4, KANA_HINT, "schema"),
        (8, NOT_APPROVED, "system-not-approved"),
    ):
        assert f"{file}:{line}:" in stdout and says in stdout, stdout
        assert f"({rule})" in stdout


def test_the_command_line_tells_every_mistake_and_is_a_usage_error(gr: GitRegistry) -> None:
    before = snapshot(gr.path / "registry")
    result = run_cli(
        "user", "add", "--operator", "nagigs01", "--email", WIDE_AT, "--name", "渚 次郎",
        "--name-kana", HALF_WIDTH_KANA, "--taxis", "1011", "--juju", "--dry-run",
        "--today", "2026-11-24", cwd=gr.path,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    file = f"registry/users/NAGIGS01/{WIDE_AT}.yaml"
    _each_on_its_line(result.stdout, file)
    assert snapshot(gr.path / "registry") == before


def test_validate_names_a_full_width_at_sign_as_the_editing_commands_do(gr: GitRegistry) -> None:
    """A file written in GitHub's web editor with the input method on."""
    rel = "users/NAGIGS01/jiro.nagisa@nagisa-gas.example.co.jp.yaml"
    gr.reg.user("NAGIGS01", WIDE_AT, rel=rel, permissions={"taxis": "1011"})
    result = run_cli("validate", "--today", "2026-11-24", cwd=gr.path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        f"registry/users/NAGIGS01/jiro.nagisa@nagisa-gas.example.co.jp.yaml:2:1: [error] "
        f"{AT_HINT} (schema)"
    ) in result.stdout


TAKEN = "jiro.nagisa@nagisa-gas.example.co.jp"


@pytest.fixture
def user_of(gr: GitRegistry) -> GitRegistry:
    """NAGIGS01 with the user the change forms name, their ID typed with a full-width ＠."""
    gr.reg.user("NAGIGS01", TAKEN, permissions={"taxis": "1011"})
    gr.commit("NAGIGS01's user")
    return gr


def _filed(gr: GitRegistry, kind: str, values: dict[str, str]) -> list[str]:
    body = render(kind, {**values, "confirm": confirm(kind)})
    gr.write("b1.md", body)
    before = snapshot(gr.path / "registry")
    result = run_cli(
        "from-issue", "--body", "b1.md", "--author", "nagisa-ichiro", "--issue", "13",
        "--template", kind, "--dry-run", "--today", "2026-11-24", cwd=gr.path,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    assert out["ok"] is False and snapshot(gr.path / "registry") == before
    problems: list[str] = out["problems"]
    return problems


def test_a_change_form_finds_the_user_of_a_full_width_at_and_tells_every_mistake(
    user_of: GitRegistry,
) -> None:
    """The ID can mean only the one user: their file is changed and checked as it will be,
    and the ＠ is told beside what that check finds."""
    problems = _filed(user_of, "user-change", {
        "operator": "nagigs01", "email": WIDE_AT, "name_kana": HALF_WIDTH_KANA,
        "perm_juju": "あり",
    })  # fmt: skip
    assert len(problems) == 4, problems
    assert "（NAGIGS01 ではありませんか）" in _under(problems, "事業者コード")
    assert AT_HINT in _under(problems, "メールアドレス（ID）")
    assert KANA_HINT in _under(problems, "利用者名（カナ）")
    assert NOT_APPROVED in _under(problems, "消費機器保安情報授受システム（juju）")


def test_the_change_command_tells_every_mistake_on_the_user_s_file(user_of: GitRegistry) -> None:
    before = snapshot(user_of.path / "registry")
    result = run_cli(
        "user", "change", "--operator", "nagigs01", "--email", WIDE_AT,
        "--name-kana", HALF_WIDTH_KANA, "--juju", "--dry-run", "--today", "2026-11-24",
        cwd=user_of.path,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    file = f"registry/users/NAGIGS01/{TAKEN}.yaml"
    _each_on_its_line(result.stdout, file)
    assert result.stdout.index("nagigs01") < result.stdout.index(AT_HINT)  # as the form asks
    assert snapshot(user_of.path / "registry") == before


def test_a_code_unknown_to_the_catalog_comes_with_the_lookup_s_finding(
    user_of: GitRegistry,
) -> None:
    """The core writes the code as given and the schema names it, beside the ＠ (the command
    line's and the form's choices refuse such a code before the edit)."""
    draft = Draft(user_of.path / "registry", "registry", date(2026, 11, 24))
    change(draft, UserSpec("NAGIGS01", WIDE_AT, permissions={"taxis": "9999"}))
    rules = [(p.path, p.rule) for p in finish(draft, write=False).problems]
    assert (("email",), "schema") in rules and (("permissions", "taxis"), "schema") in rules


def test_a_deletion_form_finds_the_user_of_a_full_width_at_and_tells_both_mistakes(
    user_of: GitRegistry,
) -> None:
    problems = _filed(user_of, "user-remove", {"operator": "nagigs01", "email": WIDE_AT})
    assert len(problems) == 2, problems
    assert "（NAGIGS01 ではありませんか）" in _under(problems, "事業者コード")
    assert AT_HINT in _under(problems, "メールアドレス（ID）")


def test_a_window_person_added_by_form_gets_every_mistake_of_their_entry_at_once(
    gr: GitRegistry,
) -> None:
    """The full-width ＠ is the schema's to find in the operator's file, as a user's is,
    beside the kana in half-width: no refusal of the address first."""
    problems = _filed(gr, "operator-change", {
        "operator": "NAGIGS01", "contact_role": "副担当を追加", "contact_name": "渚 次郎",
        "contact_name_kana": HALF_WIDTH_KANA, "contact_email": WIDE_AT,
        "contact_phone": "03-0000-0000", "contact_github": "nagisa-jiro",
    })  # fmt: skip
    told = "\n".join(problems)
    assert AT_HINT in told and CONTACT_KANA_HINT in told, problems
    assert len(problems) == 2, problems


def test_an_overseas_address_form_tells_a_past_expiry_beside_a_malformed_address(
    gr: GitRegistry,
) -> None:
    problems = _filed(gr, "ip", {
        "operator": "NAGIGS01", "action": "追加・更新", "cidr": "203.0.113.300",
        "reason": "海外拠点からの利用", "expires_on": "2026-11-01",
    })  # fmt: skip
    told = "\n".join(problems)
    assert "2026-11-01" in told and "203.0.113.300" in told, problems
    assert len(problems) == 2, problems
