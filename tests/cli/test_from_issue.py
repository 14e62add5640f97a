"""`accessreg from-issue` on form bodies as GitHub renders them, and the forms themselves."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from accessreg import i18n
from accessreg.files.schemacheck import pattern_sentence
from accessreg.model import base
from tests.helpers import githubmd
from tests.helpers.certmaker import certificate, key_pem, pem
from tests.helpers.edithelp import TODAY_ARG, snapshot
from tests.helpers.formbody import confirm, operator_new, render, template
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import ROOT, RegistryFactory, contact, run_cli

USER = "hanako.kimura@test-gas.example.co.jp"


def intake(
    reg: RegistryFactory, body: str, author: str = "window-1", *extra: str
) -> tuple[int, dict[str, Any]]:
    path = reg.repo / "body.md"
    path.write_bytes(body.encode("utf-8"))
    result = run_cli(
        "from-issue", "--body", str(path), "--author", author, "--issue", "12", *TODAY_ARG,
        *extra, cwd=reg.repo,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def refused(reg: RegistryFactory, body: str, author: str = "window-1") -> dict[str, Any]:
    before = snapshot(reg.root)
    code, out = intake(reg, body, author)
    assert code == 1 and out["ok"] is False, out
    assert snapshot(reg.root) == before
    assert out["comment"].startswith("この申請")
    return out


def user_add(**over: Any) -> str:
    answers = {
        "operator": "TESTOP01",
        "email": USER,
        "name": "木村 花子",
        "name_kana": "キムラ ハナコ",
        "perm_taxis": "1011：更新権限あり",
        "perm_johs": "J1010：権限あり",
        "perm_juju": "なし",
        "memo": "**至急**：4月1日から `TAXIS` を使います。\n### 補足\n@someone 宛て <b>HTML</b>",
        "confirm": confirm("user-add"),
    }
    answers.update(over)
    return render("user-add", {k: v for k, v in answers.items() if v is not None})


def test_user_add_from_a_rendered_form(reg: RegistryFactory) -> None:
    body = user_add()
    assert "### 所属事業者コード\n\n_No response_\n\n" in body  # a blank, as GitHub writes it
    code, out = intake(reg, body)
    assert code == 0, out
    assert (
        out["ok"]
        and out["kind"] == "user-add"
        and out["branch"] == "application/issue-12-by-window-1"
    )
    text = (reg.root / f"users/TESTOP01/{USER}.yaml").read_text(encoding="utf-8")
    assert "affiliation: TESTOP01\npermissions:\n  taxis: '1011'\n  johs: 'J1010'\n" in text
    assert (
        "memo: |-\n  **至急**：4月1日から `TAXIS` を使います。\n  ### 補足\n  @someone 宛て" in text
    )
    assert "juju" not in text
    assert out["title"] == "[TESTOP01] 利用権限の設定申請 / User permission set (#12)"
    assert "Filed by: @window-1 through issue #12" in out["body"]
    assert "Closes #12" in out["body"]
    # The applicant's text never pings anyone: the memo is shown fenced, as code.
    head, memo = out["body"].split("### 申請メモ / As the filer states it\n\n```text\n", 1)
    fenced, rest = memo.split("\n```\n", 1)
    assert "@someone" in fenced and "@someone" not in head + rest
    assert out["changes"] == [{"file": f"registry/users/TESTOP01/{USER}.yaml", "action": "added"}]
    assert reg.validate().problems == []


def test_juju_is_applied_for_as_ari(reg: RegistryFactory) -> None:
    """The seed's form offers JUJU as なし / あり (000 §5-1 ①), not a code."""
    juju = next(f for f in template("user-add")["body"] if f.get("id") == "perm_juju")
    assert juju["attributes"]["options"] == ["なし", "あり"]
    code, out = intake(reg, user_add(perm_juju="あり"))
    assert code == 0, out
    text = (reg.root / f"users/TESTOP01/{USER}.yaml").read_text(encoding="utf-8")
    assert "  juju: 'granted'\n" in text


def test_crlf_body_of_an_edited_issue_and_no_template_given(reg: RegistryFactory) -> None:
    body = render("user-add", {
        "operator": "TESTOP01", "email": USER, "name": "木村 花子", "name_kana": "キムラ ハナコ",
        "perm_loacus": "02010：託送供給依頼者（更新権限）", "confirm": confirm("user-add"),
    }, newline="\r\n")  # fmt: skip
    code, out = intake(reg, body)
    assert code == 0 and out["kind"] == "user-add", out
    assert "loacus: '02010'" in (reg.root / f"users/TESTOP01/{USER}.yaml").read_text("utf-8")


def test_invalid_form_gets_plain_words_and_no_change(reg: RegistryFactory) -> None:
    out = refused(reg, user_add(email="木村@test-gas.example.co.jp"))
    assert out["branch"] is None and out["title"] is None
    assert any(
        "**メールアドレス（ID）**" in line and "入力の形式が正しくありません" in line
        for line in out["problems"]
    ), out["problems"]
    assert "プルリクエストは作成していません" in out["comment"]


def test_an_address_over_a_mail_server_s_limit_is_refused_in_the_comment(
    reg: RegistryFactory,
) -> None:
    """The check `validate` makes (``base.LOGIN_ID``), in the same words, nothing written."""
    email = f"{'k' * (base.LOCAL_PART_MAX + 1)}@test-gas.example.co.jp"
    out = refused(reg, user_add(email=email))
    assert (
        f"メールアドレス（ID）の @ より前が {base.LOCAL_PART_MAX + 1} 文字あり、"
        f"インターネットのメールで使える {base.LOCAL_PART_MAX} 文字を超えています"
    ) in out["comment"]


def test_code_the_operator_may_not_hold_is_explained(reg: RegistryFactory) -> None:
    reg.operator(roles=["gas_retailer", "wheeling_client"])
    out = refused(reg, user_add(perm_loacus="03010：製造事業者"))
    assert any("**託送ロードカーブシステム（loacus）**" in p for p in out["problems"])
    assert any("事業者区分により" in p and "(system-role)" in p for p in out["problems"])


def test_missing_required_answer_and_unticked_confirmation(reg: RegistryFactory) -> None:
    out = refused(reg, user_add(name=None, confirm=[]))
    assert "- **利用者名（漢字）**: 入力が必要です / this field is required" in out["problems"]
    assert any("**確認**" in p for p in out["problems"])


def test_someone_else_may_not_file_for_the_operator(reg: RegistryFactory) -> None:
    out = refused(reg, user_add(), author="stranger-1")
    assert any("@stranger-1 may not file this change" in p for p in out["problems"])


def test_a_maintainer_may_file_for_any_operator(reg: RegistryFactory) -> None:
    code, out = intake(reg, user_add(), "uketsuke-sato")
    assert code == 0, out


def test_warning_is_carried_into_the_pull_request(reg: RegistryFactory) -> None:
    for n in range(5):
        reg.user(email=f"juju{n}@test-gas.example.co.jp", permissions={"juju": "granted"})
    code, out = intake(reg, user_add(perm_juju="あり"))
    assert code == 0, out
    assert out["warnings"][0]["rule"] == "permission-limit"
    assert "Warnings (they do not block the application)" in out["body"]


def test_user_change_keeps_what_is_not_named(reg: RegistryFactory) -> None:
    body = render("user-change", {
        "operator": "TESTOP01", "email": "USER1@test-gas.example.co.jp",
        "perm_taxis": "変更しない", "perm_johs": "なし（削除）", "perm_juju": "あり",
        "confirm": confirm("user-change"),
    })  # fmt: skip
    code, out = intake(reg, body, "window-1", "--template", "user-change")
    assert code == 0, out
    text = (reg.root / "users/TESTOP01/user1@test-gas.example.co.jp.yaml").read_text("utf-8")
    assert "permissions:\n  taxis: '1011'\n  juju: 'granted'\n" in text


def _as_github_renders(kind: str, answers: dict[str, Any]) -> str:
    """A body with each dropdown left alone at its default, the first choice, as GitHub
    writes it for a submitted form."""
    defaults = {
        item["id"]: item["attributes"]["options"][0]
        for item in template(kind)["body"]
        if item["type"] == "dropdown" and item["attributes"].get("default") == 0
    }
    return render(kind, {**defaults, **answers})


def test_a_user_change_body_without_its_label_is_read_as_a_change(reg: RegistryFactory) -> None:
    """The two user forms share every label; the change form's own choices (変更しない) and
    order tell them apart when the issue carries no form: label."""
    body = _as_github_renders("user-change", {
        "operator": "TESTOP01", "email": "user1@test-gas.example.co.jp",
        "perm_johs": "なし（削除）", "confirm": confirm("user-change"),
    })  # fmt: skip
    code, out = intake(reg, body)
    assert code == 0 and out["kind"] == "user-change", out
    text = (reg.root / "users/TESTOP01/user1@test-gas.example.co.jp.yaml").read_text("utf-8")
    assert "permissions:\n  taxis: '1011'\n" in text and "johs" not in text
    code, out = intake(reg, _as_github_renders("user-add", {
        "operator": "TESTOP01", "email": USER, "name": "木村 花子", "name_kana": "キムラ ハナコ",
        "perm_taxis": "1011：更新権限あり", "confirm": confirm("user-add"),
    }))  # fmt: skip
    assert code == 0 and out["kind"] == "user-add", out


def test_a_body_fitting_two_forms_equally_is_not_guessed(reg: RegistryFactory) -> None:
    body = "\n\n".join(
        f"### {label}\n\n{value}"
        for label, value in (
            ("事業者コード", "TESTOP01"), ("メールアドレス（ID）", "user1@test-gas.example.co.jp"),
            ("利用者名（漢字）", "試験 次郎"), ("利用者名（カナ）", "シケン ジロウ"),
            ("確認", f"- [X] {confirm('user-change')[0]}"),
        )
    )  # fmt: skip
    out = refused(reg, body)
    assert out["kind"] is None
    assert out["problems"] == [
        "- 本文は「利用権限の設定申請」「利用権限の変更申請」のいずれとしても読めるため、"
        "どの申請か決められません。申請フォームを選び直して提出してください / the body reads "
        "equally as User permission set and User permission change: file it again from the "
        "form meant"
    ]


def test_user_remove(reg: RegistryFactory) -> None:
    body = render("user-remove", {
        "operator": "TESTOP01", "email": "user1@test-gas.example.co.jp", "reason": "退職のため",
        "confirm": confirm("user-remove"),
    })  # fmt: skip
    code, out = intake(reg, body)
    assert code == 0, out
    assert not (reg.root / "users/TESTOP01/user1@test-gas.example.co.jp.yaml").exists()
    # The pull request names the user as the form does: 氏名 and the e-mail, nothing more.
    note = "利用権限の抹消: 試験 太郎 <user1@test-gas.example.co.jp>（TESTOP01）"
    assert out["notes"] == [note]
    assert "シケン" not in out["body"] and "試験 太郎" in out["body"]
    # The reason the form promises the pull request: as written, for the reviewer.
    assert "### 理由 / As the filer states it\n\n```text\n退職のため\n```" in out["body"]


def test_a_stated_reason_cannot_pass_for_the_pull_request_s_own_text(
    reg: RegistryFactory,
) -> None:
    """The reason is hostile text: shown inside a fence longer than any it holds, its
    control characters as escapes, so that no heading, mention or fence of its own
    renders."""
    reason = "退職\n```\n### 承認済み\n@maintainers \x1b[31m"
    body = render("user-remove", {
        "operator": "TESTOP01", "email": "user1@test-gas.example.co.jp", "reason": reason,
        "confirm": confirm("user-remove"),
    })  # fmt: skip
    code, out = intake(reg, body)
    assert code == 0, out
    section = out["body"].split("### 理由 / As the filer states it\n\n", 1)[1]
    fence = section.split("\n", 1)[0]
    assert fence == "````text"
    assert "\n### 承認済み\n" in section.split(f"\n{fence[:4]}\n", 1)[0]
    assert "\x1b" not in out["body"]


def test_a_stated_reason_is_quoted_within_what_a_pull_request_body_holds(
    reg: RegistryFactory,
) -> None:
    """GitHub refuses a body over 65,536 characters: a reason that fits the issue but not the
    pull request would fail its opening after the form was accepted."""
    body = render("user-remove", {
        "operator": "TESTOP01", "email": "user1@test-gas.example.co.jp", "reason": "あ" * 70_000,
        "confirm": confirm("user-remove"),
    })  # fmt: skip
    code, out = intake(reg, body)
    assert code == 0, out
    assert len(out["body"]) < 10_000
    assert "あ" * 2_000 + "\n…（以下 68000 文字は issue #12 にあります" in out["body"]


def _operator_new(github: str | None) -> str:
    return operator_new(github, "NAGISV01 なぎさサービス株式会社\n")


def test_new_operator_filed_by_its_window_person(reg: RegistryFactory) -> None:
    code, out = intake(reg, _operator_new(None), "nagisa-ichiro")
    assert code == 0, out
    text = (reg.root / "operators/NAGIGS01.yaml").read_text(encoding="utf-8")
    assert "    github: nagisa-ichiro\n" in text
    assert "subcontractors:\n  - {code: NAGISV01, name: なぎさサービス株式会社}\n" in text
    assert "A maintainer must review" in out["body"]
    # What the reviewer is to check, in words (both languages), never a data structure.
    assert "新規事業者 NAGIGS01: 受付担当者が利用申請" in out["body"]
    assert "A new operator NAGIGS01: a maintainer must review the usage application" in out["body"]
    assert "Message(" not in out["body"]


def _switching_operator_new(**over: Any) -> str:
    answers = {
        "operator": "MINAMI01", "name": "みなみ電力株式会社",
        "name_kana": "ミナミデンリョク カブシキガイシャ",
        "roles": ["小売電気事業者 / electricity retailer"],
        "occto_member": ["電力広域的運営推進機関の会員である / OCCTO member"],
        "privacy_policy_url": "https://minami-denryoku.example.jp/privacy",
        "systems": ["スイッチング支援システム（switching）"],
        "contact_name": "鈴木 一郎", "contact_name_kana": "スズキ イチロウ",
        "contact_email": "ichiro.suzuki@minami-denryoku.example.jp",
        "contact_phone": "03-0000-0701", "confirm": confirm("operator-new"),
    }  # fmt: skip
    answers.update(over)
    return render("operator-new", {k: v for k, v in answers.items() if v is not None})


def test_the_switching_system_is_applied_for_with_its_certificate(reg: RegistryFactory) -> None:
    """002 §3.1, 001 p13: the certificate is obtained first and given with the application,
    which the new usage form therefore carries; the form's systems field says so."""
    systems = next(f for f in template("operator-new")["body"] if f.get("id") == "systems")
    assert (
        "スイッチング支援システムは、取得済みのクライアント証明書とともに申請します"
        in (systems["attributes"]["description"])
    )
    out = refused(reg, _switching_operator_new(), author="suzuki-ichiro")
    [problem] = out["problems"]
    assert problem.startswith(
        "- **証明書（PEM）**: このシステムは、取得済みのクライアント証明書とともに申請します。"
        "この申請の「証明書（PEM）」から「管理者」までの欄に入力してください"
    ), problem
    assert "certificates" not in out["comment"]
    body = _switching_operator_new(
        certificate=pem(certificate(cn="MINAMI01-PC01")).decode().strip(),
        cert_id="EP2026-001201", location="本社 端末 PC001", holder="業務部 鈴木 一郎",
    )  # fmt: skip
    code, out = intake(reg, body, "suzuki-ichiro")
    assert code == 0, out
    text = (reg.root / "operators/MINAMI01.yaml").read_text("utf-8")
    assert "systems: [switching]" in text and "  - id: EP2026-001201\n" in text
    assert "    purpose: web\n" in text and "    cn: MINAMI01-PC01\n" in text


API_CHOICES = ["api：API利用（システム間の接続）", "api：託送API（事業者ごと）"]  # now, before


@pytest.mark.parametrize("purpose", API_CHOICES)
def test_an_api_certificate_reads_in_the_form_s_words_and_in_its_earlier_ones(
    reg: RegistryFactory, purpose: str
) -> None:
    """One API certificate per operator is the switching support system's rule (001 p46:
    「API利用の場合1小売電気事業者1証明書」), not the 託送API's: the 用途 field says so, and
    no longer calls every API certificate 託送API. A body filed with the earlier choice
    text still reads."""
    field = next(f for f in template("operator-new")["body"] if f.get("id") == "purpose")
    rule = "スイッチング支援システムの API利用は事業者に 1 枚です"
    assert rule in field["attributes"]["description"]
    assert all("託送API" not in option for option in field["attributes"]["options"])
    body = _switching_operator_new(
        certificate=pem(certificate(cn="MINAMI01-API1")).decode().strip(),
        cert_id="EP2026-001202", location="本社 サーバ室", holder="業務部 鈴木 一郎",
        purpose=purpose,
    )  # fmt: skip
    code, out = intake(reg, body, "suzuki-ichiro")
    assert code == 0, out
    text = (reg.root / "operators/MINAMI01.yaml").read_text("utf-8")
    assert "    purpose: api\n" in text and "    cn: MINAMI01-API1\n" in text


def test_adding_the_switching_system_asks_for_the_certificate_registration_first(
    reg: RegistryFactory,
) -> None:
    reg.operator(roles=["gas_retailer", "wheeling_client", "manufacturer", "demand_response"])
    body = render("operator-change", {
        "operator": "TESTOP01", "add_systems": ["スイッチング支援システム（switching）"],
        "confirm": confirm("operator-change"),
    })  # fmt: skip
    out = refused(reg, body)
    assert any(
        "先にクライアント証明書登録申請で登録してください" in p and "(certificate-required)" in p
        for p in out["problems"]
    ), out["problems"]
    assert "certificates に" not in out["comment"]


def test_new_operator_naming_someone_else_is_refused(reg: RegistryFactory) -> None:
    out = refused(reg, _operator_new("nagisa-ichiro"), author="impostor-9")
    assert any("(new-operator-contact)" in p for p in out["problems"])
    said = "impostor-9 は新規事業者 NAGIGS01 のシステム窓口責任者に含まれていません"
    assert said in out["comment"]
    assert "Message(" not in out["comment"]


def _cert_form(cert: str, cert_id: str = "EP2026-000913") -> str:
    return render("cert-add", {
        "operator": "TESTOP01", "certificate": cert, "cert_id": cert_id,
        "medium": "DL：ダウンロード", "purpose": "web：画面利用（端末ごと）",
        "location": "本社 端末 PC009", "holder": "業務部 試験 太郎",
        "confirm": confirm("cert-add"),
    })  # fmt: skip


def test_certificate_form_with_pem_in_a_code_fence(reg: RegistryFactory) -> None:
    body = _cert_form

    leaked = pem(certificate()).decode() + key_pem().decode()
    out = leaked_key(reg, body(leaked))
    assert out["problems"] == ["- 秘密鍵が貼り付けられています / a private key was pasted"]
    code, out = intake(reg, body(pem(certificate()).decode().strip()))
    assert code == 0, out
    assert "serial: '0D4F6A'" in (reg.root / "operators/TESTOP01.yaml").read_text("utf-8")


def leaked_key(reg: RegistryFactory, body: str) -> dict[str, Any]:
    """The refusal of a body holding a private key: nothing written, exit 1."""
    before = snapshot(reg.root)
    code, out = intake(reg, body)
    assert code == 1 and out["ok"] is False, out
    assert snapshot(reg.root) == before
    assert out["comment"].startswith("この issue には秘密鍵（PRIVATE KEY）が貼り付けられている")
    return out


@pytest.mark.parametrize("field", ["certificate", "location"])
def test_a_pasted_private_key_is_treated_as_leaked(reg: RegistryFactory, field: str) -> None:
    """A key pasted into an issue is public from its submission, and an edit keeps it in the
    issue's history: the comment says to delete the issue and have the certificate
    suspended (001 p46), in both languages, and repeats nothing of the body; whatever field
    it is in."""
    key = key_pem().decode()
    text = pem(certificate()).decode()
    body = _cert_form(text + key) if field == "certificate" else _cert_form(text)
    if field == "location":
        body = body.replace("本社 端末 PC009", f"本社 端末 PC009\n\n{key}")
    out = leaked_key(reg, body)
    comment = out["comment"]
    assert "この issue を削除してください" in comment and "Delete this issue" in comment
    assert "利用停止" in comment and "(001 p46)" in comment and "suspended" in comment
    assert "編集履歴に残ります" in comment
    assert "内容を直してこの issue を編集すると" not in comment
    body_lines = {ln for ln in key.splitlines() if ln.strip()}
    assert not any(ln in comment for ln in body_lines)


def test_a_full_width_certificate_id_is_told_under_its_own_field(reg: RegistryFactory) -> None:
    text = pem(certificate()).decode().strip()
    out = refused(reg, _cert_form(text, cert_id="ＥＰ２０２７－０００２００"))
    [problem] = out["problems"]
    assert problem.startswith("- **証明書ID**: 入力の形式が正しくありません"), problem
    assert "半角英数字と - _ の 64 文字以内で書いてください" in problem


def test_a_certificate_starting_180_days_ahead_is_refused_in_the_seed_s_words(
    reg: RegistryFactory,
) -> None:
    """004: a start 180 days or more ahead (180日以上先) cannot be asked for: the comment's
    headline says so, as the rule counts, at exactly 180 days (2026-11-22 + 180)."""
    ahead = certificate(start=datetime(2027, 5, 21, 0, 0, tzinfo=UTC))
    out = refused(reg, _cert_form(pem(ahead).decode().strip()))
    [problem] = out["problems"]
    assert "証明書の有効期間開始日が 180 日以上先です" in problem, problem
    assert problem.endswith("(certificate-start)")


def test_a_pem_pasted_without_its_first_and_last_lines(reg: RegistryFactory) -> None:
    text = pem(certificate()).decode().strip()
    body = "\n".join(line for line in text.splitlines() if not line.startswith("-----"))
    out = refused(reg, _cert_form(body))
    [problem] = out["problems"]
    assert problem.startswith("- **証明書（PEM）**: "), problem
    assert "-----BEGIN CERTIFICATE----- から -----END CERTIFICATE----- までの行も含めて" in problem
    assert "ファイル" not in problem and "file" not in problem


def test_ip_form_add_then_remove(reg: RegistryFactory) -> None:
    add = render("ip", {
        "operator": "TESTOP01", "action": "追加・更新", "cidr": "41.203.64.11",
        "reason": "シンガポール拠点", "expires_on": "2027-09-30", "confirm": confirm("ip"),
    })  # fmt: skip
    assert intake(reg, add)[0] == 0
    assert "41.203.64.11/32" in (reg.root / "operators/TESTOP01.yaml").read_text("utf-8")
    bad = add.replace("2027-09-30", "2027年9月30日")
    out = refused(reg, bad)
    assert (
        "- **有効期限**: 日付は YYYY-MM-DD で入力してください / write YYYY-MM-DD" in out["problems"]
    )
    remove = render("ip", {
        "operator": "TESTOP01", "action": "削除", "cidr": "41.203.64.11/32",
        "confirm": confirm("ip"),
    })  # fmt: skip
    assert intake(reg, remove)[0] == 0
    assert "ip_allowlist" not in (reg.root / "operators/TESTOP01.yaml").read_text("utf-8")


def test_termination_needs_the_confirmation(reg: RegistryFactory) -> None:
    body = render("operator-terminate", {"operator": "TESTOP01", "terminated_on": "2026-12-31"})
    refused(reg, body)
    ticked = render("operator-terminate", {
        "operator": "TESTOP01", "terminated_on": "2026-12-31",
        "confirm": confirm("operator-terminate"),
    })  # fmt: skip
    code, out = intake(reg, ticked)
    assert code == 0, out
    assert not (reg.root / "users/TESTOP01").exists()


def test_a_termination_dated_in_the_past_is_refused_in_the_comment(reg: RegistryFactory) -> None:
    body = render("operator-terminate", {
        "operator": "TESTOP01", "terminated_on": "2026-11-01",
        "confirm": confirm("operator-terminate"),
    })  # fmt: skip
    out = refused(reg, body)
    assert "利用終了日には今日（2026-11-22）以降の日付を指定してください" in out["comment"]


def test_operator_change_swaps_the_primary(reg: RegistryFactory) -> None:
    body = render("operator-change", {
        "operator": "TESTOP01", "contact_role": "正担当を交代", "contact_name": "新 正担当",
        "contact_name_kana": "シン セイタントウ", "contact_email": "new@test-gas.example.co.jp",
        "contact_phone": "03-0000-0009", "contact_github": "new-primary",
        "contact_remove": "window1@test-gas.example.co.jp",
        "add_systems": ["スイッチング支援システム（switching）"],
        "confirm": confirm("operator-change"),
    })  # fmt: skip
    out = refused(reg, body)  # the operator has no role for the switching system
    assert any("(system-role)" in p for p in out["problems"])
    code, out = intake(reg, body.replace("- [X] スイッチング", "- [ ] スイッチング"))
    assert code == 0, out
    text = (reg.root / "operators/TESTOP01.yaml").read_text(encoding="utf-8")
    assert "window1@" not in text and "github: new-primary" in text


def test_a_login_taken_by_another_window_person_is_told_under_it_naming_nobody(
    reg: RegistryFactory,
) -> None:
    """Anyone can type a login into the form: the comment says the account is another
    window person's, under 「窓口責任者 GitHub アカウント」, quoting the login as typed, and
    tells neither whose it is nor their operator (one person, one account: 002 §3.3)."""
    reg.operator("OTHER001", name="他社ガス株式会社", subcontractors=None, contacts=[
        contact(n=9, email="window9@other-gas.example.co.jp", github="Other-Window"),
    ])  # fmt: skip
    body = render("operator-change", {
        "operator": "TESTOP01", "contact_role": "副担当を追加", "contact_name": "新 副担当",
        "contact_name_kana": "シン フクタントウ", "contact_email": "new@test-gas.example.co.jp",
        "contact_phone": "03-0000-0009", "contact_github": "OTHER-window",
        "confirm": confirm("operator-change"),
    })  # fmt: skip
    out = refused(reg, body)
    [problem] = [p for p in out["problems"] if "(github-account-unique)" in p]
    assert problem.startswith("- **窓口責任者 GitHub アカウント**: "), problem
    assert "GitHub アカウント OTHER-window はほかの窓口責任者にも登録されています" in problem
    for secret in ("window9", "other-gas", "Other-Window", "OTHER001", "他社ガス"):
        assert secret not in out["comment"], secret


def test_ending_a_system_users_hold_names_them_once(reg: RegistryFactory) -> None:
    reg.user(email="sub@test-sub.example.co.jp", affiliation="TESTSUB1")
    body = render("operator-change", {
        "operator": "TESTOP01", "remove_systems": ["託送システム（taxis）"],
        "confirm": confirm("operator-change"),
    })  # fmt: skip
    out = refused(reg, body)
    [problem] = out["problems"]
    assert problem.startswith(
        "- `事業者 TESTOP01 の利用者 2 名が、まだ 託送システム（taxis） の利用権限を持っています"
        "（sub@test-sub.example.co.jp、user1@test-gas.example.co.jp）。"
        "先に利用権限の変更申請または抹消申請でその権限を外してから、"
        "システムの利用終了を申請してください` / `2 users of TESTOP01"
    ), problem
    assert "先に利用申請（変更）でシステムを追加してください" not in out["comment"]


def test_unreadable_body_and_unknown_choice(reg: RegistryFactory) -> None:
    out = refused(reg, "ただの問い合わせです。\n")
    assert out["kind"] is None
    # A body that is not UTF-8 (UTF-16 with its byte-order mark): refused in the same JSON,
    # with a comment for the issue, not a traceback the workflow cannot read.
    before = snapshot(reg.root)
    path = reg.repo / "body.md"
    path.write_bytes(user_add().encode("utf-16"))
    result = run_cli("from-issue", "--body", str(path), "--author", "window-1", *TODAY_ARG,
                     cwd=reg.repo)  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    out = json.loads(result.stdout)
    assert out["ok"] is False and "UTF-8" in out["comment"]
    assert snapshot(reg.root) == before
    # GitHub's own line ends and a UTF-8 byte-order mark read as before.
    path.write_bytes(b"\xef\xbb\xbf" + user_add().replace("\n", "\r\n").encode())
    result = run_cli("from-issue", "--body", str(path), "--author", "window-1", *TODAY_ARG,
                     "--dry-run", cwd=reg.repo)  # fmt: skip
    assert json.loads(result.stdout)["kind"] == "user-add", result.stdout
    out = refused(reg, user_add(perm_taxis="1110：更新権限あり（委託先）"))
    assert any("not a choice: 1110" in p for p in out["problems"])


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("missing.md", "そのファイルまたはディレクトリはありません"),
        (".", "ファイルではなくディレクトリです"),
    ],
)
def test_a_body_that_cannot_be_opened_is_told_in_the_runs_language(
    reg: RegistryFactory, body: str, why: str
) -> None:
    """The workflow's log says why, in the words of the tool's other file errors, not the
    system's English (click's own file type says "Is a directory")."""
    before = snapshot(reg.root)
    result = run_cli("--lang", "ja", "from-issue", "--body", body, "--author", "window-1",
                     *TODAY_ARG, cwd=reg.repo)  # fmt: skip
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"'{body}' を読めません: {why}" in result.stderr
    assert snapshot(reg.root) == before


def test_committed_issue_forms_are_fresh() -> None:
    result = run_cli("forms", "--check", cwd=ROOT)
    assert result.returncode == 0, result.stdout


FORM_KINDS = sorted(p.stem for p in (ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml"))
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Two English words in a row ("Blank: no change", "the permission code"), once code spans,
# file names and addresses, which are English by nature, are taken out.
ENGLISH_WORDS = re.compile(r"[A-Za-z]+[ ,.;:]+[a-z]{2,}")
NOT_PROSE = re.compile(r"`[^`\n]+`|[\w./-]+\.md\b|https://[\w./-]+")


def _shown(kind: str) -> list[tuple[str, str]]:
    """What a window person reads of a form besides its labels and choices: the description
    in the list of forms, the introduction, every field's help; each with where it is."""
    data = template(kind)
    texts = [("description", data["description"])]
    for item in data["body"]:
        attrs = item["attributes"]
        if item["type"] == "markdown":
            texts += [("intro", part) for part in attrs["value"].split("\n\n")]
        else:
            texts.append((item["id"], attrs["description"]))
    return texts


@pytest.mark.parametrize("kind", FORM_KINDS)
def test_a_form_speaks_japanese_to_the_window_person(kind: str) -> None:
    """Window persons are Japanese back-office staff: every help text, the description and
    each paragraph of the introduction is Japanese, with no English sentence mixed in. (An
    English gloss after a label or a choice, which filed bodies parse, is not read here.)"""
    shown = _shown(kind)
    assert len(shown) > 2
    not_japanese = [(where, text) for where, text in shown if not JAPANESE.search(text)]
    english = [
        (where, text) for where, text in shown if ENGLISH_WORDS.search(NOT_PROSE.sub("", text))
    ]
    assert not_japanese == []
    assert english == []


# Each form field whose answer lands in a registry field checked by a pattern. (The email of
# a change or removal names a user who exists; a company's kana is stated by the form alone.)
RULED_FIELDS = {
    ("user-add", "email"): base.LOGIN_ID,
    ("user-add", "name_kana"): base.KANA,
    ("user-change", "name_kana"): base.KANA,
    **{
        (kind, f"contact_{key}"): pattern
        for kind in ("operator-new", "operator-change")
        for key, pattern in (
            ("email", base.LOGIN_ID),
            ("name_kana", base.KANA),
            ("phone", base.PHONE),
            ("github", base.GITHUB_LOGIN),
        )
    },
    ("operator-new", "operator"): base.OPERATOR_CODE,
    ("operator-new", "subcontractors"): base.OPERATOR_CODE,
    ("operator-change", "add_subcontractors"): base.OPERATOR_CODE,
    ("operator-new", "privacy_policy_url"): base.HTTPS_URL,
    ("operator-change", "privacy_policy_url"): base.HTTPS_URL,
    ("operator-new", "cert_id"): base.CERTIFICATE_ID,
    ("cert-add", "cert_id"): base.CERTIFICATE_ID,
    ("ip", "cidr"): base.CIDR,
}


@pytest.mark.parametrize(("kind", "field"), sorted(RULED_FIELDS))
def test_a_form_states_a_rule_in_the_words_validate_uses(kind: str, field: str) -> None:
    """One sentence per rule: the form's help says what a value must look like exactly as
    `validate` and an editor say it when the value does not (the e-mail's help once left out
    the dot rules, so a form could send what the check then refused)."""
    sentence = i18n.text(pattern_sentence(RULED_FIELDS[kind, field], "{what}"), "ja", cap=False)
    rule = sentence.split("{what}", 1)[1]
    assert len(rule) > 10
    assert rule + "。" in dict(_shown(kind))[field]


@pytest.mark.parametrize(
    ("schema", "pattern"),
    [
        ("vendor.github-issue-forms", ".github/ISSUE_TEMPLATE/*.yml"),
        ("vendor.github-workflows", ".github/workflows/*.yml"),
    ],
)
def test_github_files_match_their_schemas(schema: str, pattern: str) -> None:
    files = sorted(str(p) for p in ROOT.glob(pattern))
    assert files
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *files],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_stale_form_is_reported(tmp_path: Path, reg: RegistryFactory) -> None:
    target = reg.repo / ".github" / "ISSUE_TEMPLATE"
    assert run_cli("forms", cwd=reg.repo).returncode == 0
    first = target / "user-add.yml"
    first.write_text(first.read_text(encoding="utf-8") + "# hand edit\n", encoding="utf-8")
    result = run_cli("forms", "--check", cwd=reg.repo)
    assert result.returncode == 1
    assert "古くなっています: .github/ISSUE_TEMPLATE/user-add.yml" in result.stdout


@pytest.mark.parametrize(
    ("kind", "answers"),
    [
        # Already a user: the command line would say `user change`; the form says which
        # application to file instead.
        ("user-add", {"operator": "TESTOP01", "email": "user1@test-gas.example.co.jp",
                      "name": "試験 太郎", "name_kana": "シケン タロウ",
                      "perm_taxis": "1011：更新権限あり"}),
        # Nothing would be left: a deletion is the application for that.
        ("user-change", {"operator": "TESTOP01", "email": "user1@test-gas.example.co.jp",
                         "perm_taxis": "なし（削除）", "perm_johs": "なし（削除）"}),
        # No such user, and no such operator.
        ("user-remove", {"operator": "TESTOP01", "email": "nobody@test-gas.example.co.jp"}),
        ("user-remove", {"operator": "NOSUCH01", "email": "nobody@test-gas.example.co.jp"}),
    ],
)  # fmt: skip
def test_form_users_are_never_told_about_the_command_line(
    reg: RegistryFactory, kind: str, answers: dict[str, Any]
) -> None:
    out = refused(reg, render(kind, {**answers, "confirm": confirm(kind)}))
    comment = out["comment"]
    assert "accessreg " not in comment and " --" not in comment, comment
    assert "Message(" not in comment
    assert "`accessreg" not in comment


# What GitHub acts on in a commit message: a closing keyword followed by a reference closes
# the issue once the commit reaches the default branch; a reference or a mention links it.
CLOSING = re.compile(
    r"(?i)\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+"
    r"(?:#\d+|GH-\d+|[\w.-]+/[\w.-]+#\d+|https?://\S+/(?:issues|pull)/\d+)"
)
REFERENCE = re.compile(r"(?i)(?:^|[^\w])(?:#\d+|GH-\d+)\b|[\w.-]+/[\w.-]+#\d+|://")
MENTION = re.compile(r"(?:^|[^A-Za-z0-9_])@[A-Za-z0-9]")


@pytest.mark.parametrize(
    "hostile",
    [
        "第九サービス Fixes #5 @uketsuke-sato",
        "第九 closes GH-6 resolved: o/r#7 fix https://github.com/o/r/issues/8 @org/team",
    ],
)
def test_the_commit_message_carries_no_text_github_acts_on(
    reg: RegistryFactory, hostile: str
) -> None:
    """The workflow commits with ``commit_message``: the filer's free text stays in the pull
    request's body (shown there as written), never where a keyword closes an issue."""
    body = render("operator-change", {
        "operator": "TESTOP01", "add_subcontractors": f"TESTSV09 {hostile}",
        "confirm": confirm("operator-change"),
    })  # fmt: skip
    code, out = intake(reg, body, "window-1", "--template", "operator-change", "--dry-run")
    assert code == 0, out
    message = out["commit_message"]
    assert "#5" not in message and "@uketsuke" not in message and "#12" in message
    assert not CLOSING.search(message), message
    # The only reference is the issue it was filed through, the only mention its filer.
    assert [m.group().strip(" (") for m in REFERENCE.finditer(message)] == ["#12", "#12"]
    assert [m.group().strip() for m in MENTION.finditer(message)] == ["@w"]
    assert "registry/operators/TESTOP01.yaml" in message
    page = githubmd.render(out["body"])
    assert f"TESTSV09 {hostile}" in page.shown  # the body still shows what was filed


def test_a_login_id_in_the_commit_message_is_no_reference(reg: RegistryFactory) -> None:
    """A login ID may hold what GitHub reads as a reference (``x.gh-5@``): the commit
    message names the new user's file with it made inert, the body as it is."""
    login = "x.gh-5@test-gas.example.co.jp"
    code, out = intake(reg, user_add(email=login), "window-1", "--dry-run")
    assert code == 0, out
    message = out["commit_message"]
    assert "gh-5" not in message.lower() and "users/TESTOP01/x.gh－5@" in message, message
    assert [m.group().strip(" (") for m in REFERENCE.finditer(message)] == ["#12", "#12"]


def test_authority_is_decided_before_the_registry_is_read_for_the_change(
    reg: RegistryFactory,
) -> None:
    """A window person of another operator learns nothing of TESTOP01's users: whether the
    login ID is one of them or not, the refusal is the same, and it is about authority."""
    reg.operator(
        "TESTOP02",
        contacts=[contact(n=9, email="window9@test-two.example.jp")],
        subcontractors=[],
    )
    held = refused(reg, user_add(email="user1@test-gas.example.co.jp"), author="window-9")
    free = refused(reg, user_add(email="nobody@test-gas.example.co.jp"), author="window-9")
    removal = refused(reg, render("user-remove", {
        "operator": "TESTOP01", "email": "ghost@test-gas.example.co.jp", "reason": "退職",
        "confirm": confirm("user-remove"),
    }), author="window-9")  # fmt: skip
    assert held["problems"] == free["problems"] == removal["problems"]
    (line,) = held["problems"]
    assert "@window-9 may not file this change" in line and "(operator-files)" in line
    assert "TESTOP01 の申請ができるのは、TESTOP01 のシステム窓口責任者か受付担当者だけです" in line
    assert "Only a window person of TESTOP01 or a maintainer may file an application" in line
    for hidden in ("user1@", "既に", "already", "does not exist", "ベース", "base"):
        assert hidden not in held["comment"], hidden


def _broken_other_operator(reg: RegistryFactory) -> None:
    """OTHEROP1 as a forced merge left it: two users with errors."""
    reg.operator(
        "OTHEROP1",
        contacts=[contact(n=7, email="window@other.example.jp", github="other-window")],
        subcontractors=None,
    )
    reg.user("OTHEROP1", "stray@other.example.jp", affiliation="NOSUCH01")
    reg.user("OTHEROP1", "typo@other.example.jp", permissions={"johs": "J9999"})


def test_an_error_already_in_another_operator_does_not_hold_a_form(reg: RegistryFactory) -> None:
    _broken_other_operator(reg)
    code, out = intake(reg, user_add())
    assert code == 0 and out["ok"], out
    assert (reg.root / f"users/TESTOP01/{USER}.yaml").exists()
    notice = (
        "`この変更が書き込まないファイル（他の事業者のもの、または抹消だけを行う事業者のもの）に"
        "あり、この変更を止めないもの: エラー 2 件（2 ファイル）。受付担当者が直します` / "
        "`In files this change does not write (another operator's, or one whose files it only "
        "deletes), not holding it: 2 errors (2 files); a maintainer fixes them`"
    )
    assert out["notices"] == [notice]
    assert f"### お知らせ / Notice\n\n- {notice}\n" in out["body"]
    assert "OTHEROP1" not in out["body"] and "other.example.jp" not in out["body"]


def test_an_error_already_in_the_form_s_operator_holds_it(reg: RegistryFactory) -> None:
    _broken_other_operator(reg)
    reg.user(email="stray@test-gas.example.co.jp", affiliation="NOSUCH01")
    out = refused(reg, user_add())
    lines = "\n".join(out["problems"])
    assert "この申請が関わるファイルに以前からのエラーがあり" in lines
    assert "(affiliation)" in lines and "(schema)" not in lines  # OTHEROP1's do not count


def test_an_error_already_in_a_shared_file_holds_every_form(reg: RegistryFactory) -> None:
    _broken_other_operator(reg)
    reg.edit("calendar.yaml", "closed:", "closed_days:")
    out = refused(reg, user_add())
    lines = "\n".join(out["problems"])
    assert "この申請が関わるファイルに以前からのエラーがあり" in lines
    assert "closed_days" in lines and "(affiliation)" not in lines


def _removal() -> str:
    return render("user-remove", {
        "operator": "OTHEROP1", "email": "leaver@other.example.jp", "reason": "退職のため",
        "confirm": confirm("user-remove"),
    })  # fmt: skip


@pytest.mark.parametrize("loaded_before", [True, False])
def test_a_removal_form_for_an_operator_whose_file_does_not_load(
    reg: RegistryFactory, loaded_before: bool
) -> None:
    """Nothing delays a deletion: OTHEROP1's file, as a forced merge left it on main, holds
    back no 抹消 of its users. Who may file one is decided by the last version of that file
    that loaded, as the pull-request check decides it; when none did, a maintainer only."""
    reg.operator(
        "OTHEROP1",
        contacts=[contact(n=7, email="window@other.example.jp", github="other-window")],
        subcontractors=None,
    )
    reg.user("OTHEROP1", "leaver@other.example.jp")
    operator_file = reg.root / "operators/OTHEROP1.yaml"
    gr = GitRegistry(reg)
    try:
        if loaded_before:
            operator_file.write_text(operator_file.read_text("utf-8") + "bogus: a: b\n", "utf-8")
        else:  # the file never loaded: it came in broken
            gr.repo.git.rm("-q", "--cached", "registry/operators/OTHEROP1.yaml")
            gr.repo.git.commit("-q", "-m", "without OTHEROP1's file")
            operator_file.write_text(operator_file.read_text("utf-8") + "bogus: a: b\n", "utf-8")
        gr.commit("a forced merge breaks OTHEROP1's file")
        user_file = reg.root / "users/OTHEROP1/leaver@other.example.jp.yaml"

        stranger = refused(reg, _removal(), author="window-1")
        assert "window-1 はこの変更を申請できません" in "\n".join(stranger["problems"])
        assert "(yaml-syntax)" not in stranger["comment"]  # authority first: nothing of the file
        # In the words a refusal for a sound operator's has: nothing tells its file is broken.
        sound = refused(reg, user_add(), author="other-window")["problems"]
        assert stranger["problems"] == [
            p.replace("TESTOP01", "OTHEROP1").replace("other-window", "window-1") for p in sound
        ]
        assert user_file.exists()

        code, out = intake(reg, _removal(), "other-window")
        if loaded_before:
            assert code == 0 and out["ok"], out
            assert not user_file.exists()
            # Any other form waits for the file to be fixed, and says why to its own window person.
            added = refused(reg, user_add(operator="OTHEROP1"), author="other-window")
            assert (
                "(yaml-syntax)" in added["comment"]
                and "OTHEROP1 のファイルにエラー" in (added["comment"])
            )
        else:
            assert code == 1 and not out["ok"], out
            assert "may file an application for it" in "\n".join(out["problems"])
            assert user_file.exists()
            code, out = intake(reg, _removal(), "uketsuke-sato")
            assert code == 0 and out["ok"], out
            assert not user_file.exists()
    finally:
        gr.close()


def test_the_pull_request_names_what_changes_as_the_forms_do(reg: RegistryFactory) -> None:
    # Systems, roles and codes by their names on the forms: never a YAML key or a code alone.
    body = render("operator-change", {
        "operator": "TESTOP01", "contact_role": "副担当を追加", "contact_name": "西村 葵",
        "contact_name_kana": "ニシムラ アオイ", "contact_email": "aoi@test-gas.example.co.jp",
        "contact_phone": "03-0000-0103", "contact_github": "nishimura-aoi",
        "remove_systems": ["託送ロードカーブシステム（loacus）"],
        "add_subcontractors": "TESTSUB2 テスト第二委託株式会社\n",
        "confirm": confirm("operator-change"),
    })  # fmt: skip
    code, out = intake(reg, body)
    assert code == 0, out
    assert (
        "利用申請（変更）: TESTOP01: 利用システム - 託送ロードカーブシステム（loacus）、"
        "委託先 + TESTSUB2 テスト第二委託株式会社\n"
        "窓口責任者の追加: TESTOP01: 西村 葵 <aoi@test-gas.example.co.jp>（副担当）\n"
    ) in out["body"]
    code, out = intake(reg, user_add(perm_johs="なし", perm_juju="あり"))
    assert code == 0, out
    assert (
        f"利用権限の設定: 木村 花子 <{USER}>（TESTOP01）: 託送システム（taxis） "
        "1011（更新権限あり）、消費機器保安情報授受システム（juju） あり\n"
    ) in out["body"]
