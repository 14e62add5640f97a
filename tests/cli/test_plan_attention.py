"""The plan comment tells the reviewer what the reviewer guide asks them to check for each
application, and what deserves a second look: the real command on real pull requests."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import certificate, contact, run_cli

WINDOW = "window-1"  # the baseline operator's window person (window1@test-gas…)


@pytest.fixture
def gr(on_pr: GitRegistry) -> GitRegistry:
    return on_pr


def comment(gr: GitRegistry, *lang: str, actor: str = WINDOW) -> str:
    result = run_cli(*lang, "plan", "--base", "main", "--head", "pr", "--format", "markdown",
                     "--accepted-on", "2026-11-24", "--actor", actor, cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def section(text: str, heading: str) -> str:
    """The part of the comment under one application's heading."""
    return text.split(f"#### {heading}", 1)[1].split("\n####", 1)[0].split("\n### ", 1)[0]


def test_a_new_operator_lists_roles_systems_membership_and_privacy_page(
    gr: GitRegistry,
) -> None:
    gr.reg.operator(
        "NAGIGS01",
        roles=["gas_retailer", "wheeling_client", "electricity_retailer"],
        systems=["taxis", "johs", "member_portal"],
        occto_member=True,
        membership={"status": "member", "member_since": "2020-04-01"},
        privacy_policy_url="https://nagisa-gas.example.co.jp/privacy",
        contacts=[contact(n=7, github="nagisa-ichiro")],
        subcontractors=[],
    )
    gr.commit("new operator")
    ja = section(comment(gr, actor="nagisa-ichiro"), "利用申請（新規）（000 §3-1, 003 §2.2）")
    assert "**受付担当者の確認事項**（受付担当者の手引き）:" in ja
    # Roles by their names (no one types their keys); every system as status shows it,
    # with the key ``--system`` takes, an underscore in it or not.
    assert (
        "- 事業者区分: ガス小売事業者、託送供給依頼者、小売電気事業者。"
        "事業の登録・契約と合っているか確認してください"
    ) in ja
    assert (
        "- 利用システム: 託送システム（taxis）、託送情報開示システム（johs）、"
        "会員情報管理システム（member_portal）。それぞれが必要か、"
        "事業者区分で利用できるか確認してください"
    ) in ja
    assert "gas_retailer" not in ja and "`member_portal`" not in ja
    assert "- 広域機関の会員資格: 2020-04-01 から会員。広域機関の会員名簿と照らしてください" in ja
    assert (
        "- 個人情報の共同利用ページ: `https://nagisa-gas.example.co.jp/privacy`。開いて、共同利用"
        "について記載があるか確認してください（000 §2-5）"
    ) in ja
    en = section(comment(gr, "--lang", "en", actor="nagisa-ichiro"), "usage application (new)")
    assert "**To check** (reviewer guide):" in en
    assert "- Roles: gas retailer, wheeling client, electricity retailer: check" in en
    assert "- Systems: taxis, johs, member_portal: check the operator needs each" in en
    assert "- Privacy policy page: `https://nagisa-gas.example.co.jp/privacy`: open it" in en
    # The new operator's window person is to be checked too.
    assert "- 新しい窓口責任者 窓口 7号 <`window7@test-gas.example.co.jp`>（GitHub" in ja


def test_a_certificate_shows_its_location_and_holder(gr: GitRegistry) -> None:
    gr.reg.operator(certificates=[certificate(1, location="本社 需給管理部 端末 PC003",
                                              holder="需給管理部 青山 太郎")])  # fmt: skip
    gr.commit("certificate")
    ja = section(comment(gr), "クライアント証明書登録申請（000 §4-2）")
    assert (
        "- 証明書 EP-TEST-0001: 設置場所「本社 需給管理部 端末 PC003」、"
        "管理者「需給管理部 青山 太郎」。どの事業所のどの端末か、誰が管理するかが具体的に"
        "書かれているか確認してください（001 p46）"
    ) in ja
    en = section(comment(gr, "--lang", "en"), "client certificate registration (000 §4-2)")
    assert "installed at 本社 需給管理部 端末 PC003, held by 需給管理部 青山 太郎" in en


@pytest.mark.parametrize(
    ("valid", "flagged"),
    [
        (("2024-01-01", "2025-12-31"), True),  # expired a year before
        # Valid on the day of the application, not on its registration (M+6, 000 §4-2).
        (("2025-01-01", "2026-12-05"), True),
        (("2026-01-01", "2027-12-31"), False),
    ],
)
def test_a_certificate_that_lapses_before_it_is_registered_gets_a_second_look(
    gr: GitRegistry, valid: tuple[str, str], flagged: bool
) -> None:
    start, end = valid
    gr.reg.operator(certificates=[certificate(1, not_before=start, not_after=end)])
    gr.commit("certificate")
    ja = section(comment(gr), "クライアント証明書登録申請（000 §4-2）")
    said = (
        f"- 証明書 EP-TEST-0001 の有効期限は {end} で、登録される 2026-12-09 より前に切れます。"
        "リバースプロキシを通ることはありません。更新後の証明書を登録してください（000 §4-1）"
    )
    assert (said in ja) is flagged, ja


@pytest.mark.parametrize(("purpose", "flagged"), [("api", True), ("web", False)])
def test_a_certificate_registered_nowhere_gets_a_second_look(
    gr: GitRegistry, purpose: str, flagged: bool
) -> None:
    """The baseline operator uses the wheeling systems' screens, which take web certificates
    only: an API certificate of its would be registered nowhere (``certificate-unused``),
    and its completion notice would call it usable."""
    gr.reg.operator(certificates=[certificate(1, purpose=purpose)])
    gr.commit("certificate")
    ja = section(comment(gr), "クライアント証明書登録申請（000 §4-2）")
    said = (
        f"- 証明書 EP-TEST-0001（{purpose}）は事業者のどのシステムにも使われません。"
        f"{purpose} 用の証明書を受け付けるシステムがないため、どこにも登録されません。"
        "差し戻してください"
    )
    assert (said in ja) is flagged, ja


def test_a_lapsed_certificate_already_registered_is_left_to_the_time_rules(
    gr: GitRegistry,
) -> None:
    """Its holder changes; the serial is the one the proxies know: nothing is registered,
    and ``certificate-expired`` says the rest."""
    gr.reg.operator(certificates=[certificate(1, not_before="2024-01-01", not_after="2025-12-31")])
    gr.commit("main's certificate")
    gr.checkout("main")
    gr.merge("pr")
    gr.branch("pr2")
    gr.reg.operator(certificates=[certificate(1, not_before="2024-01-01", not_after="2025-12-31",
                                              holder="業務部 別の担当者")])  # fmt: skip
    gr.commit("another holder")
    result = run_cli("plan", "--base", "main", "--head", "pr2", "--format", "markdown",
                     "--accepted-on", "2026-11-24", "--actor", WINDOW, cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "更新後の証明書を登録してください" not in result.stdout


def test_a_new_window_person_is_to_be_checked(gr: GitRegistry) -> None:
    gr.reg.operator(contacts=[contact(), contact("deputy", n=2, github="nishimura-aoi")])
    gr.commit("a deputy")
    ja = section(comment(gr), "利用申請（変更）（000 §3-2）")
    assert (
        "- 新しい窓口責任者 窓口 2号 <`window2@test-gas.example.co.jp`>（GitHub "
        "nishimura-aoi）: この方が事業者の窓口責任者であること、GitHub アカウントが本人のもので"
        "あることを事業者に確認してください"
    ) in ja


def test_a_window_person_granting_themselves_is_flagged(gr: GitRegistry) -> None:
    gr.reg.user(email="window1@test-gas.example.co.jp", permissions={"taxis": "1011"})
    gr.commit("the window person adds themselves")
    text = comment(gr)
    assert "⚠️ **再確認が必要な項目が 1 件あります**。下の「再確認」を見てください。" in text
    ja = section(text, "利用権限の設定申請（000 §5-1）")
    assert "**⚠️ 再確認**:" in ja
    assert (
        "- 申請者が自分自身に権限を付けています: `window1@test-gas.example.co.jp` はこの事業者の"
        "窓口責任者です。事業者に確認してください"
    ) in ja
    # Filed by someone else (a maintainer, say), it is still worth a second look.
    other = section(comment(gr, actor="someone-else"), "利用権限の設定申請（000 §5-1）")
    assert "TESTOP01 の窓口責任者に権限が設定されます" in other


def test_a_change_of_roles_or_membership_is_flagged(gr: GitRegistry) -> None:
    gr.reg.operator(roles=["gas_retailer", "wheeling_client", "manufacturer",
                           "electricity_retailer"], occto_member=True)  # fmt: skip
    gr.commit("roles and membership")
    ja = section(comment(gr), "利用申請（変更）（000 §3-2）")
    assert (
        "- 事業者区分が変わります（ガス小売事業者、託送供給依頼者、製造事業者 → "
        "ガス小売事業者、託送供給依頼者、製造事業者、小売電気事業者）"
    ) in ja
    assert "事業者の窓口責任者自身の申告です。根拠となる事業の登録・契約を確認してください" in ja
    # The membership in words, not as the file writes it (false → true).
    assert ja.count("- 広域機関の会員資格が変わります（会員ではない → 会員）") == 1
    en = section(comment(gr, "--lang", "en"), "usage application (change)")
    assert "(not a member → member), declared by the operator's own window person" in en


def test_a_login_known_at_another_operator_is_flagged(gr: GitRegistry) -> None:
    gr.checkout("main")
    gr.reg.operator("OTHEROP1", contacts=[contact(n=8)], subcontractors=[])
    gr.reg.user("OTHEROP1", "shared@test-gas.example.co.jp", affiliation="OTHEROP1")
    gr.commit("another operator knows the login")
    gr.checkout("pr")
    gr.repo.git.merge("-q", "main")
    gr.reg.user(email="shared@test-gas.example.co.jp")
    gr.reg.user(email="window8@test-gas.example.co.jp")  # OTHEROP1's window person's ID
    gr.commit("take both")
    ja = section(comment(gr), "利用権限の設定申請（000 §5-1）")
    assert (
        "- ID `shared@test-gas.example.co.jp` は既にほかの事業者で使われています。同じ人か、"
        "その事業者がその ID を手放すか確認してください"
    ) in ja
    assert "- ID `window8@test-gas.example.co.jp` は既にほかの事業者で使われています。" in ja
    # Not whose: every operator reads the plan comment.
    assert "OTHEROP1" not in comment(gr)


def test_a_plain_user_addition_asks_nothing_more(gr: GitRegistry) -> None:
    gr.reg.user(email="plain@test-gas.example.co.jp")
    gr.commit("a user")
    text = comment(gr)
    assert "再確認" not in text and "受付担当者の確認事項" not in text


def _terminated(gr: GitRegistry, on: date) -> str:
    """The comment on a termination dated ``on``, merged on 2026-11-25."""
    gr.reg.operator(status="terminated", terminated_on=on)
    for user in (gr.reg.root / "users/TESTOP01").glob("*.yaml"):
        user.unlink()
    gr.commit("termination")
    result = run_cli("plan", "--base", "main", "--head", "pr", "--format", "markdown",
                     "--accepted-on", "2026-11-24", "--merged-on", "2026-11-25",
                     "--actor", WINDOW, cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_termination_dated_in_the_past_is_flagged(gr: GitRegistry) -> None:
    # 000 §3-3, 002 §2.7.1: the use ends once the application is processed, never before.
    ja = section(_terminated(gr, date(2026, 11, 1)), "利用申請（終了）（000 §3-3）")
    assert (
        "- 利用終了日 2026-11-01 はもう過ぎています。利用終了は書かれた日ではなく 2026-11-25 に"
        "適用されます。事業者にどの日のつもりか確かめ、利用終了日を直してもらってください"
    ) in ja


def test_a_termination_dated_ahead_asks_nothing_more(gr: GitRegistry) -> None:
    assert "再確認" not in _terminated(gr, date(2026, 12, 31))
    assert "再確認" not in _terminated(gr, date(2026, 11, 25))  # the merge day itself


def _suspend(gr: GitRegistry) -> None:
    """Branch ``suspend``: suspensions dated before a merge on 2026-11-25 (a user ID, a
    certificate, the use of JUJU), on it (another user ID) and after it (the use of JOHS)."""
    gr.reg.operator(certificates=[certificate(1)])
    gr.reg.user(email="user2@test-gas.example.co.jp", name="二宮 二郎")
    gr.commit("a certificate and a second user")
    gr.checkout("main")
    gr.merge("pr")
    gr.branch("suspend")
    gr.reg.user(suspended_on="2026-11-20")
    gr.reg.user(email="user2@test-gas.example.co.jp", name="二宮 二郎", suspended_on="2026-11-25")
    gr.reg.operator(
        certificates=[certificate(1, suspended_on="2026-11-24")],
        suspensions=[
            {"system": "juju", "suspended_on": "2026-11-21", "reason": "調査中"},
            {"system": "johs", "suspended_on": "2026-11-26", "reason": "調査中"},
        ],
    )
    gr.commit("suspend")


def _suspended(gr: GitRegistry, *lang: str) -> dict[str, str]:
    """The plan of ``_suspend``, merged on 2026-11-25, as markdown, text and JSON."""
    found = {}
    for form in ("markdown", "text", "json"):
        result = run_cli(*lang, "plan", "--base", "main", "--head", "suspend", "--format", form,
                         "--accepted-on", "2026-11-25", "--merged-on", "2026-11-25",
                         cwd=gr.path)  # fmt: skip
        assert result.returncode == 0, result.stderr
        found[form] = result.stdout
    return found


def test_a_suspension_dated_before_its_merge_says_it_takes_effect_on_the_merge_day(
    gr: GitRegistry,
) -> None:
    """001 p46, 002 §3.4.4: a suspension takes effect at once, but nothing does before its
    merge: a day already past in the file is applied on the merge day, and the plan says
    so for each user ID, certificate and system, each with its own day."""
    _suspend(gr)
    plans = _suspended(gr)
    then = "はもう過ぎています。停止は書かれた日ではなく、マージの日（2026-11-25）から適用されます"
    user = "利用者 試験 太郎 <{}> の利用停止日 2026-11-20 " + then
    cert = "証明書 EP-TEST-0001 の利用停止日 2026-11-24 " + then
    juju = "消費機器保安情報授受システム（juju） の利用停止日 2026-11-21 " + then
    ja = section(plans["markdown"], "利用の停止（001 p46, 002 §2.6, §3.4.4）")
    for note in (user.format("`user1@test-gas.example.co.jp`"), cert, juju):
        assert f"\n- {note}\n" in ja
    text = plans["text"]
    for note in (user.format("user1@test-gas.example.co.jp"), cert, juju):
        assert f"\n  ! 再確認: {note}\n" in text
    # Only those three: the second user's day is the merge's, JOHS's after it.
    assert text.count("はもう過ぎています") == 3
    # Each system of the operator's item keeps its own day.
    assert "      消費機器保安情報授受システム（juju） 利用停止: 2026-11-25\n" in text
    assert "      託送情報開示システム（johs） 利用停止: 2026-11-26\n" in text
    notes = json.loads(plans["json"])["notes"]
    assert sorted((n["subject"], n["kind"]) for n in notes) == [
        ("EP-TEST-0001", "flag"),
        ("TESTOP01", "flag"),
        ("user1@test-gas.example.co.jp", "flag"),
    ]
    english = _suspended(gr, "--lang", "en")["text"]
    assert (
        "  ! second look: The suspension date 2026-11-21 of the use of juju is already past: "
        "the suspension takes effect on the merge day, 2026-11-25, not on the date written\n"
    ) in english


def test_a_suspension_dated_on_or_after_its_merge_asks_nothing_more(gr: GitRegistry) -> None:
    gr.reg.user(suspended_on="2026-11-25")
    gr.reg.operator(
        suspensions=[{"system": "juju", "suspended_on": "2026-11-26", "reason": "調査中"}]
    )
    gr.commit("suspend on the merge day and the day after")
    result = run_cli("plan", "--base", "main", "--head", "pr", "--format", "markdown",
                     "--accepted-on", "2026-11-25", "--merged-on", "2026-11-25",
                     cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "再確認" not in result.stdout
    assert "利用停止: 2026-11-26" in result.stdout


def test_a_padded_pull_request_still_shows_its_second_look_and_checks(gr: GitRegistry) -> None:
    """450 ordinary users beside a self-grant and a new window person: the item lists are
    cut to fit a GitHub comment, the notes never are, and the cut says what it leaves out."""
    for i in range(450):
        gr.reg.user(email=f"padding{i:03d}@test-gas.example.co.jp", name=f"水増し {i:03d}")
    gr.reg.user(email="window1@test-gas.example.co.jp", permissions={"taxis": "1011"})
    gr.reg.operator(contacts=[contact(), contact("deputy", n=2, github="window-2")])
    gr.commit("padding, a self-grant and a new deputy")
    text = comment(gr)
    assert len(text) <= 60_000  # within a GitHub comment, with room for the workflow's words
    assert "⚠️ **再確認が必要な項目が 1 件あります**。下の「再確認」を見てください。" in text
    own = "- 申請者が自分自身に権限を付けています: `window1@test-gas.example.co.jp`"
    assert text.count(own) == 1
    assert text.count("- 新しい窓口責任者 窓口 2号 <`window2@test-gas.example.co.jp`>") == 1
    shown = text.count("| ➕ 付与 |")
    assert 0 < shown < 451
    assert (
        f"_ほか 1 事業者の {452 - shown} 項目はここに表示していません。すべての項目は JSON"
        "（`plan.json`）にあります。_"
    ) in text
    assert text.index("| ➕ 付与 |") < text.index("_ほか 1 事業者") < text.index(own)


def _bulk_with_a_self_grant(gr: GitRegistry, operators: int, max_chars: int) -> str:
    """The comment of ``operators`` new operators (five checks each) and a self-grant last,
    within ``max_chars``: the self-grant's second look is in it whatever is cut."""
    for i in range(operators):
        gr.reg.operator(f"BULK{i:04d}", contacts=[contact(n=100 + i)], subcontractors=[])
    gr.reg.user(email="window1@test-gas.example.co.jp", permissions={"taxis": "1011"})
    gr.commit("operators and a self-grant")
    result = run_cli("plan", "--base", "main", "--head", "pr", "--format", "markdown",
                     "--accepted-on", "2026-11-24", "--actor", WINDOW, "--max-chars",
                     str(max_chars), cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert len(text) <= max_chars
    assert "- 申請者が自分自身に権限を付けています: `window1@test-gas.example.co.jp`" in text
    return text


def test_when_even_the_notes_overflow_second_looks_come_first_and_the_rest_is_counted(
    gr: GitRegistry,
) -> None:
    """Ten new operators, five checks each, and a self-grant last: a comment too small for
    every note keeps the second look, as many checks as fit, and says how many it left."""
    text = _bulk_with_a_self_grant(gr, 10, 4000)
    checks = text.count("**受付担当者の確認事項**")
    assert 0 < checks < 10
    left = 50 - 5 * checks
    assert (
        f"_ほか {left} 件の確認事項・再確認はここに表示していません。すべて JSON（`plan.json`）"
        "にあります。_"
    ) in text


def test_a_login_id_removed_while_suspended_and_added_again_is_flagged(gr: GitRegistry) -> None:
    """001 p46: only the system's operator lifts a suspension; a user file deleted while
    suspended and added again would lift it unseen."""
    gr.reg.user(suspended_on="2026-10-05")
    gr.commit("suspended")
    gr.checkout("main")
    gr.merge("pr")
    (gr.reg.root / "users/TESTOP01/user1@test-gas.example.co.jp.yaml").unlink()
    removed_in = gr.commit("the suspended user deleted")
    gr.repo.git.checkout("-q", "-B", "pr", "main")
    gr.reg.user()
    gr.commit("the same login ID added again")
    ja = section(comment(gr), "利用権限の設定申請（000 §5-1）")
    assert "**⚠️ 再確認**:" in ja
    assert (
        f"- ID `user1@test-gas.example.co.jp` は {removed_in[:12]} で削除されたとき停止中"
        "（2026-10-05 から）でした。追加し直すと停止の解除になります。解除はシステムの運営者"
        "だけが決めます（001 p46）。解除が決まっているか確認してください"
    ) in ja


def test_a_registered_operator_as_subcontractor_is_flagged_at_each_step(
    gr: GitRegistry,
) -> None:
    """Declared as a subcontractor, then named as a user's affiliation in a later pull
    request: each step names the registered operator for a second look."""
    gr.checkout("main")
    gr.reg.operator("SAKURA01", name="さくら製造株式会社", contacts=[contact(n=8)],
                    subcontractors=[])  # fmt: skip
    gr.commit("another operator")
    gr.checkout("pr")
    gr.repo.git.merge("-q", "main")
    gr.reg.operator(subcontractors=[{"code": "SAKURA01", "name": "さくら製造株式会社"}])
    gr.commit("declare it as subcontractor")
    ja = section(comment(gr), "利用申請（変更）（000 §3-2）")
    assert (
        "- 委託先事業者コード SAKURA01 は登録済みの事業者 さくら製造株式会社 のコードです。"
        "TESTOP01 の業務を受託していることを さくら製造株式会社 に確認してください"
        "（000 §5-1 注2、002 §2.3）。届け出ると、TESTOP01 の利用者の所属事業者を SAKURA01 に"
        "できるようになります"
    ) in ja
    gr.checkout("main")
    gr.merge("pr")
    gr.repo.git.checkout("-q", "-B", "pr", "main")
    gr.reg.user(email="spy@test-gas.example.co.jp", name="間者 一郎", affiliation="SAKURA01")
    gr.commit("a user as its staff")
    ja = section(comment(gr), "利用権限の設定申請（000 §5-1）")
    assert (
        "- 利用者 間者 一郎 <`spy@test-gas.example.co.jp`> の所属事業者が SAKURA01（登録済みの"
        "事業者 さくら製造株式会社）になっています。さくら製造株式会社 が TESTOP01 の業務を"
        "受託していること、この方がその社員であることを さくら製造株式会社 に確認してください"
    ) in ja
    # Its own subcontractor, registered nowhere as an operator: nothing more to ask.
    gr.reg.user(email="spy@test-gas.example.co.jp", name="間者 一郎", affiliation="TESTSUB1")
    gr.commit("its own subcontractor after all")
    assert "再確認" not in comment(gr)


def test_a_summary_of_many_operators_is_cut_and_the_second_look_still_shown(
    gr: GitRegistry,
) -> None:
    """A change of thousands of operators (a bulk registration) made a summary table longer
    than a GitHub comment: it takes half the comment at most, and says what it leaves out."""
    text = _bulk_with_a_self_grant(gr, 40, 6000)
    table = text.split("### 概要", 1)[1].split("\n\n_", 1)
    rows = table[0].count("\n| BULK")
    assert 0 < rows < 40
    assert table[1].startswith(
        f"ほか {40 - rows + 1} 行（{40 - rows + 1} 事業者）はこの表に表示していません。"
    )
    # The authorization refuses each new operator on a line of its own: cut as well.
    refused = text.count("- 拒否 registry/operators/BULK")
    assert 0 < refused < 40
    assert (
        f"_ほか {40 - refused} 行はここに表示していません。すべて JSON（`plan.json`）にあります。_"
        in text
    )


def _switching_admin(gr: GitRegistry, admin: str, user: str) -> None:
    """On main: a demand-response contractor whose ``admin`` holds the switching admin ID
    and ``user`` a user ID; the branch ``pr`` follows it."""
    gr.checkout("main")
    gr.reg.switching_operator()
    gr.reg.user(email=admin, permissions={"switching": "dr_admin"})
    gr.reg.user(email=user, permissions={"switching": "dr_user"})
    (gr.reg.root / "users/TESTOP01/user1@test-gas.example.co.jp.yaml").unlink()
    gr.commit("the switching admin and a user")
    gr.checkout("pr")
    gr.repo.git.merge("-q", "main")


def _plan_json(gr: GitRegistry) -> dict[str, object]:
    result = run_cli("plan", "--base", "main", "--head", "pr", "--format", "json",
                     "--accepted-on", "2026-11-24", "--actor", WINDOW, cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout)
    return found


WINDOW_ID = "window1@test-gas.example.co.jp"
OTHER_ID = "next@test-gas.example.co.jp"


def test_a_window_person_handing_on_the_admin_id_is_no_self_grant(gr: GitRegistry) -> None:
    """002 §3.2.2: the admin who gives up the admin ID and keeps a user ID steps down; the
    catalog's admin ID includes its role's user ID, so that narrows their rights, and
    the filer giving up their own admin ID is no window person granting themselves."""
    _switching_admin(gr, admin=WINDOW_ID, user=OTHER_ID)
    gr.reg.user(email=WINDOW_ID, permissions={"switching": "dr_user"})
    gr.reg.user(email=OTHER_ID, permissions={"switching": "dr_admin"})
    gr.commit("window1 hands the admin ID on to next")
    (operator,) = _plan_json(gr)["operators"]  # type: ignore[misc]
    directions = {i["person"]["email"]: i["direction"] for i in operator["items"]}
    assert directions == {WINDOW_ID: "narrow", OTHER_ID: "grant"}, directions
    text = comment(gr)
    assert "再確認" not in text, text
    ja = section(text, "利用権限の変更申請（002 §3.2.2）")
    assert (
        f"- 管理者の変更: `{OTHER_ID}` が スイッチング支援システム（switching） の "
        f"管理者ID（需要抑制契約者）を `{WINDOW_ID}` から引き継ぎます。"
    ) in ja, ja
    # The step down is worded and counted as one (縮小), not as a deletion.
    assert "➖ 縮小" in ja and "➕ 付与" in ja and "削除" not in ja, ja
    assert "利用権限の変更申請（002 §3.2.2） | 2 | 1 | 0 | 1 |" in text, text


def test_a_window_person_taking_the_admin_id_is_a_self_grant(gr: GitRegistry) -> None:
    """The other way round the filer's own access widens: flagged as before."""
    _switching_admin(gr, admin=OTHER_ID, user=WINDOW_ID)
    gr.reg.user(email=WINDOW_ID, permissions={"switching": "dr_admin"})
    gr.reg.user(email=OTHER_ID, permissions={"switching": "dr_user"})
    gr.commit("window1 takes the admin ID over from next")
    ja = section(comment(gr), "利用権限の変更申請（002 §3.2.2）")
    assert f"- 申請者が自分自身に権限を付けています: `{WINDOW_ID}`" in ja, ja


def test_a_withdrawal_names_the_member_flag_and_the_membership_apart(gr: GitRegistry) -> None:
    roles = ["gas_retailer", "wheeling_client", "manufacturer", "electricity_retailer"]
    gr.checkout("main")
    gr.reg.operator(roles=roles, systems=["taxis", "johs", "member_portal"], occto_member=True,
                    membership={"status": "member", "member_since": "2020-04-01"})  # fmt: skip
    gr.commit("a member")
    gr.checkout("pr")
    gr.repo.git.merge("-q", "main")
    withdrawn = {"status": "withdrawn", "member_since": "2020-04-01", "withdrawn_on": "2026-12-20"}
    gr.reg.operator(roles=roles, systems=["taxis", "johs"], occto_member=False,
                    membership=withdrawn)  # fmt: skip
    gr.commit("withdraws")
    row = section(comment(gr), "利用申請（変更）（003 §2.7.1）").split("| ➖ 削除 |", 1)[1]
    row = row.split("\n", 1)[0]
    # Two fields, two names: whether it is a member, and the membership's status and days.
    assert "広域機関の会員かどうか 会員 → 会員ではない" in row
    assert "広域機関の会員資格 2020-04-01 から会員 → 2026-12-20 に退会" in row
    assert row.count("広域機関の会員資格") == 1


def test_what_is_filed_already_suspended_is_planned_so(gr: GitRegistry) -> None:
    """A new user or a certificate filed with its suspension (a lost token's, 001 p46) comes
    stopped: the plan says so beside it, as the 受付 mail and the rows do."""
    gr.reg.operator(certificates=[certificate(1, suspended_on="2026-11-20")])
    gr.reg.user(email="user5@test-gas.example.co.jp", permissions={"taxis": "1010"},
                suspended_on="2026-11-20")  # fmt: skip
    gr.commit("filed suspended")
    text = comment(gr)
    stopped = "2026-11-20 から利用停止（停止解除の申請まで利用できません）"
    for heading in ("利用権限の設定申請（000 §5-1）", "クライアント証明書登録申請（000 §4-2）"):
        assert stopped in section(text, heading), text


KEPT_CERT = certificate(1, not_before="2026-01-01", not_after="2027-12-31")
RENEWED = certificate(2, cn=KEPT_CERT["cn"], not_before="2026-11-01", not_after="2028-10-31")


STOPPED = {**KEPT_CERT, "suspended_on": "2026-11-20"}


@pytest.mark.parametrize(
    ("was", "head", "flagged"),
    [
        ([KEPT_CERT], [RENEWED], True),  # replaced in one application
        ([KEPT_CERT], [{**KEPT_CERT, "serial": "7A00FF"}], True),  # another serial, in place
        ([KEPT_CERT], [KEPT_CERT, RENEWED], False),  # kept until the renewal is registered
        ([KEPT_CERT], [certificate(2)], False),  # another terminal's
        ([STOPPED], [RENEWED], False),  # stopped already (001 p46)
        ([{**KEPT_CERT, "not_after": "2026-11-23"}], [RENEWED], False),  # expired already
        ([KEPT_CERT], [RENEWED, "at once"], False),  # a catalog registering on acceptance
    ],
)
def test_a_certificate_taken_away_before_its_renewal_is_usable_gets_a_second_look(
    gr: GitRegistry, was: list[dict[str, object]], head: list[object], flagged: bool
) -> None:
    """A serial still valid leaves the whitelists on the merge; one replacing it on the same
    terminal (its CN) enters them at M+6 (000 §4-2): the terminal is shut out in between."""
    if "at once" in head:
        head = head[:-1]
        catalog = gr.reg.root / "systems.yaml"
        text = catalog.read_text("utf-8")
        registration = "certificate_registration: {start: processing_day, business_days: 6}"
        assert registration in text
        catalog.write_text(text.replace(registration, "certificate_registration: {start: "
                                        "accepted}"), "utf-8")  # fmt: skip
    gr.reg.operator(certificates=was)
    gr.commit("main's certificate")
    gr.checkout("main")
    gr.merge("pr")
    gr.branch("pr2")
    gr.reg.operator(certificates=head)
    gr.commit("renewal")
    result = run_cli("plan", "--base", "main", "--head", "pr2", "--format", "markdown",
                     "--accepted-on", "2026-11-24", "--merged-on", "2026-11-24",
                     "--today", "2026-11-24", "--actor", WINDOW, cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    ja = section(result.stdout, "クライアント証明書登録申請（000 §4-2）")
    said = (
        f"- TESTOP01-PC01: 証明書 EP-TEST-0001（シリアル {KEPT_CERT['serial']}）は 2026-11-24 "
        "から使えなくなりますが、代わりの "
    )
    assert (said in ja) is flagged, ja
    if flagged:
        assert "が使えるのは 2026-12-09（M = 2026-12-01） からです。その間、TESTOP01-PC01 " in ja
