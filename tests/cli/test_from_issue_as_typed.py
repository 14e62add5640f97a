"""`accessreg from-issue` on what a window person types as a Japanese keyboard types it:
full-width spaces in names, control characters in a memo; and each problem told under the
field it is about, in the forms' words."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.test_from_issue import intake, refused, user_add
from tests.helpers.edithelp import snapshot
from tests.helpers.formbody import confirm, render
from tests.helpers.regfactory import RegistryFactory, contact, run_cli

USER1 = "user1@test-gas.example.co.jp"
USER1_FILE = f"users/TESTOP01/{USER1}.yaml"


def _change(**over: Any) -> str:
    answers = {"operator": "TESTOP01", "email": USER1, "confirm": confirm("user-change")}
    return render("user-change", {**answers, **over})


# --- names typed with a full-width space ------------------------------------------------------


def test_a_name_typed_with_a_full_width_space_is_the_recorded_name(reg: RegistryFactory) -> None:
    """The recorded 試験 太郎 typed 「試験　太郎」 beside a permission removal: no rename
    (which the plan would read as more than a removal, and downstream as a new name)."""
    body = _change(
        name="試験\u3000太郎", name_kana="シケン\u3000\u3000タロウ", perm_johs="なし（削除）"
    )
    code, out = intake(reg, body, "window-1", "--template", "user-change")
    assert code == 0, out
    text = (reg.root / USER1_FILE).read_text("utf-8")
    assert "name: 試験 太郎\nname_kana: シケン タロウ\n" in text and "johs" not in text
    (note,) = out["notes"]
    assert "氏名" not in note and "フリガナ" not in note and "変更" in note


def test_a_name_recorded_with_a_full_width_space_is_the_one_typed_half_width(
    reg: RegistryFactory,
) -> None:
    """The other way round: the file holds 「試験　太郎」 (valid), the form 試験 太郎."""
    reg.user(name="試験\u3000太郎")
    code, out = intake(reg, _change(name="試験 太郎", perm_johs="なし（削除）"))
    assert code == 0, out
    assert "name: 試験\u3000太郎\n" in (reg.root / USER1_FILE).read_text("utf-8")
    assert "氏名" not in out["notes"][0]


def test_a_new_user_s_name_is_written_with_one_half_width_space(reg: RegistryFactory) -> None:
    body = render("user-add", {
        "operator": "TESTOP01", "email": "hanako.kimura@test-gas.example.co.jp",
        "name": "木村\u3000 花子", "name_kana": "キムラ\u3000ハナコ",
        "perm_taxis": "1011：更新権限あり", "confirm": confirm("user-add"),
    })  # fmt: skip
    code, out = intake(reg, body)
    assert code == 0, out
    new = reg.root / "users/TESTOP01/hanako.kimura@test-gas.example.co.jp.yaml"
    text = new.read_text("utf-8")
    assert "name: 木村 花子\nname_kana: キムラ ハナコ\n" in text


def test_the_command_line_takes_a_name_as_the_forms_do(reg: RegistryFactory) -> None:
    result = run_cli("user", "change", "--operator", "TESTOP01", "--email", USER1,
                     "--name", "試験\u3000太郎", "--johs", "none", cwd=reg.repo)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    text = (reg.root / USER1_FILE).read_text("utf-8")
    assert "name: 試験 太郎\n" in text and "johs" not in text
    assert "氏名" not in result.stdout


def _with_deputy(reg: RegistryFactory) -> None:
    deputy = contact("deputy", n=2, name="石田 美咲", name_kana="イシダ ミサキ")
    reg.operator(contacts=[contact(), deputy])


def _promotion(**over: Any) -> str:
    answers = {
        "operator": "TESTOP01", "contact_role": "正担当を交代", "contact_name": "石田 美咲",
        "contact_name_kana": "イシダ\u3000ミサキ",
        "contact_email": "window2@test-gas.example.co.jp",
        "contact_phone": "03-0000-0002", "contact_github": "window-2",
        "contact_remove": "window1@test-gas.example.co.jp", "confirm": confirm("operator-change"),
    }  # fmt: skip
    return render("operator-change", {**answers, **over})


def test_a_deputy_promoted_with_kana_typed_full_width_spaced(reg: RegistryFactory) -> None:
    _with_deputy(reg)
    code, out = intake(reg, _promotion())
    assert code == 0, out
    text = (reg.root / "operators/TESTOP01.yaml").read_text("utf-8")
    assert "window1@" not in text and "name_kana: イシダ ミサキ\n" in text


def test_a_promotion_refused_for_other_details_shows_the_recorded_ones(
    reg: RegistryFactory,
) -> None:
    """The filer sees what they typed beside what is recorded: the person's own details."""
    _with_deputy(reg)
    out = refused(reg, _promotion(contact_name_kana="イシダ ミサキコ"))
    assert "フリガナ: イシダ ミサキコ（記録: イシダ ミサキ）" in out["comment"]
    assert "(furigana): イシダ ミサキコ (recorded: イシダ ミサキ)" in out["comment"]


# --- control characters in a memo -------------------------------------------------------------


@pytest.mark.parametrize(
    ("memo", "told"),
    [
        ("お世話になります。\u0007\n4月から利用します", "U+0007"),
        ("お世話になります。\u0000\n4月から利用します", "U+0000"),
        ("お世話になります。\u00854月から利用します", "U+0085"),  # NEL: YAML 1.1's line break
        ("お世話になります。\u0085\n4月から利用します", "U+0085"),
        ("お世話に\u2028なります。\n4月から", "U+2028"),
        ("お世話に\u009bなります。\n4月から", "U+009B"),
    ],
)
def test_a_control_character_in_a_memo_of_any_lines_is_told_under_the_memo(
    reg: RegistryFactory, memo: str, told: str
) -> None:
    """As for a one-line memo: under 申請メモ, the character named, nothing written (not a
    file that does not load, nor a NEL read back as a space)."""
    out = refused(reg, user_add(memo=memo))
    (line,) = out["problems"]
    assert line.startswith("- **申請メモ**: ") and "申請メモに " in line and told in line
    assert "(text-control)" in line and "yaml-syntax" not in line


def test_the_command_line_tells_a_control_character_in_a_memo_as_the_forms_do(
    reg: RegistryFactory,
) -> None:
    before = snapshot(reg.root)
    result = run_cli("user", "add", "--operator", "TESTOP01", "--email",
                     "hanako.kimura@test-gas.example.co.jp", "--name", "木村 花子",
                     "--name-kana", "キムラ ハナコ", "--taxis", "1011", "--memo", "a\a\nb",
                     cwd=reg.repo)  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "申請メモに 制御文字（U+0007） が含まれています" in result.stdout + result.stderr
    assert "yaml-syntax" not in result.stdout + result.stderr
    assert snapshot(reg.root) == before


def test_a_character_is_named_in_japanese_under_its_field(reg: RegistryFactory) -> None:
    out = refused(reg, user_add(name="試験\u202e太郎"))
    (line,) = out["problems"]
    assert line.startswith("- **利用者名（漢字）**: ")
    named = "書式制御文字（文字の向きを変える文字）（U+202E）"
    assert f"利用者名（漢字）に {named} が含まれています" in line
    assert "RIGHT-TO-LEFT" not in line


# --- the memo in the pull request -------------------------------------------------------------


def test_the_memo_reaches_the_pull_request_as_the_reason_does(reg: RegistryFactory) -> None:
    """Written for the reception (受付担当者への伝達事項), shown to the reviewer as written,
    fenced: no heading, mention or fence of its own renders."""
    memo = "4月1日から使います。\n```\n### 承認済み\n@maintainers"
    code, out = intake(reg, user_add(memo=memo))
    assert code == 0, out
    section = out["body"].split("### 申請メモ / As the filer states it\n\n", 1)[1]
    fence, rest = section.split("\n", 1)
    assert fence == "````text"
    assert rest.startswith(memo + "\n````\n")
    code, out = intake(reg, _change(memo="部署異動のため", perm_johs="なし（削除）"))
    assert code == 0, out
    assert "### 申請メモ / As the filer states it\n\n```text\n部署異動のため\n```" in out["body"]


# --- each problem under its field -------------------------------------------------------------


def test_an_expired_ip_date_is_told_under_the_expiry_date(reg: RegistryFactory) -> None:
    body = render("ip", {
        "operator": "TESTOP01", "action": "追加・更新", "cidr": "41.203.64.11",
        "reason": "シンガポール拠点", "expires_on": "2026-01-30", "confirm": confirm("ip"),
    })  # fmt: skip
    (line,) = refused(reg, body)["problems"]
    assert line.startswith("- **有効期限**: ") and "有効期限 2026-01-30 が今日" in line


def test_a_past_termination_date_is_told_under_the_end_date(reg: RegistryFactory) -> None:
    body = render("operator-terminate", {
        "operator": "TESTOP01", "terminated_on": "2026-11-01",
        "confirm": confirm("operator-terminate"),
    })  # fmt: skip
    (line,) = refused(reg, body)["problems"]
    assert line.startswith("- **終了日**: ") and "利用終了日 2026-11-01 が今日" in line


def test_an_address_that_cannot_be_a_login_id_is_told_under_the_e_mail(
    reg: RegistryFactory,
) -> None:
    for body, told in (
        (user_add(email="hanako/kimura@test-gas.example.co.jp"), "「/」（U+002F） は使えません"),
        (_change(email="user1", perm_johs="なし（削除）"), "は ID にできません"),
    ):
        (line,) = refused(reg, body)["problems"]
        assert line.startswith("- **メールアドレス（ID）**: ") and told in line, line
