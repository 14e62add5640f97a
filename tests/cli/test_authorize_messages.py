"""Every authorization rule's message, in Japanese and in English, on one pull request that
breaks each rule (and one that adds a new operator as its own window person)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date

import pytest

from accessreg import i18n
from accessreg.gitio.repo import GitRepository
from accessreg.review.authorize import RULES
from accessreg.review.pullrequest import read_pull_request
from accessreg.timeline.effective import Events
from tests.helpers.formbody import template
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, certificate, contact
from tests.unit.rules.test_messages import MACHINERY

MINE = "window-1"  # window person of TESTOP01

# (rule, file, English, Japanese), in report order.
EXPECTED = [
    (
        "new-operator-contact",
        "registry/operators/NEWOP001.yaml",
        "window-1 is a window person of TESTOP01, not of the new operator NEWOP001: NEWOP001's usage application is filed by its own window person, with the GitHub account written for them in it; ask NEWOP001's window person to file it (only if you are NEWOP001's window person too, write your GitHub account as that window person's)",
        "window-1 は TESTOP01 のシステム窓口責任者で、新規事業者 NEWOP001 のシステム窓口責任者ではありません。NEWOP001 の利用申請は、NEWOP001 自身のシステム窓口責任者が、申請に書いた本人の GitHub アカウントで行います。NEWOP001 のシステム窓口責任者に申請を依頼してください（あなたが NEWOP001 のシステム窓口責任者を兼ねる場合に限り、窓口責任者の GitHub アカウントにご自身のアカウントを書いてください）",
    ),
    (
        "maintainers-only",
        "registry/systems.yaml",
        "Only a maintainer may change this file: ask the reception centre to make this change, or leave the file out",
        "このファイルは受付担当者だけが変更できます。託送受付センターに変更を依頼するか、このファイルを変更から外してください",
    ),
    (
        "operator-files",
        "registry/users/OTHEROP1/copied@test-gas.example.co.jp.yaml",
        "Only a window person of OTHEROP1 (in the current registry) or a maintainer may change this file: ask OTHEROP1's window person to apply",
        "このファイルを変更できるのは OTHEROP1 のシステム窓口責任者（現在の登録簿）か受付担当者だけです。OTHEROP1 の窓口責任者に申請を依頼してください",
    ),
    (
        "user-move",
        "registry/users/OTHEROP1/copied@test-gas.example.co.jp.yaml",
        "A user file copied from TESTOP01 to OTHEROP1: one person holds one login ID at one operator; add the user at OTHEROP1 only after TESTOP01 removes them",
        "利用者のファイルが TESTOP01 から OTHEROP1 に複製されています。1 つの ID は 1 つの事業者でしか使えません。TESTOP01 が抹消してから OTHEROP1 で設定を申請してください",
    ),
    (
        "user-move",
        "registry/users/OTHEROP1/copied@test-gas.example.co.jp.yaml",
        "The login ID copied@test-gas.example.co.jp is another operator's user: it cannot be added to OTHEROP1 as well; apply with another e-mail address of the person, or once that operator has applied for the deletion of their user permissions",
        "ID copied@test-gas.example.co.jp はほかの事業者の利用者です。OTHEROP1 にも追加することはできません。別のメールアドレスで申請するか、その事業者が利用権限の抹消を申請した後に申請してください",
    ),
    (
        "operator-files",
        "registry/users/OTHEROP1/mover@test-gas.example.co.jp.yaml",
        "Only a window person of OTHEROP1 (in the current registry) or a maintainer may change this file: ask OTHEROP1's window person to apply",
        "このファイルを変更できるのは OTHEROP1 のシステム窓口責任者（現在の登録簿）か受付担当者だけです。OTHEROP1 の窓口責任者に申請を依頼してください",
    ),
    (
        "user-move",
        "registry/users/OTHEROP1/mover@test-gas.example.co.jp.yaml",
        "A user file moved from TESTOP01 to OTHEROP1: remove the user in one application and add them in another",
        "利用者のファイルが TESTOP01 から OTHEROP1 に移されています。抹消と設定を別々の申請にしてください",
    ),
    (
        "user-move",
        "registry/users/OTHEROP1/mover@test-gas.example.co.jp.yaml",
        "The login ID mover@test-gas.example.co.jp leaves TESTOP01 and arrives at OTHEROP1 in the same change: remove the user in one application and add them in another",
        "ID mover@test-gas.example.co.jp が同じ変更の中で TESTOP01 から消え、OTHEROP1 に現れます。抹消と設定を別々の申請にしてください",
    ),
    (
        "operator-files",
        "registry/users/OTHEROP1/other@other-gas.example.co.jp.yaml",
        "Only a window person of OTHEROP1 (in the current registry) or a maintainer may change this file: ask OTHEROP1's window person to apply",
        "このファイルを変更できるのは OTHEROP1 のシステム窓口責任者（現在の登録簿）か受付担当者だけです。OTHEROP1 の窓口責任者に申請を依頼してください",
    ),
    (
        "user-move",
        "registry/users/OTHEROP1/other@other-gas.example.co.jp.yaml",
        "A user file copied from OTHEROP1 to TESTOP01: one person holds one login ID at one operator; add the user at TESTOP01 only after OTHEROP1 removes them",
        "利用者のファイルが OTHEROP1 から TESTOP01 に複製されています。1 つの ID は 1 つの事業者でしか使えません。OTHEROP1 が抹消してから TESTOP01 で設定を申請してください",
    ),
    (
        "affiliation-foreign",
        "registry/users/TESTOP01/foreign@test-gas.example.co.jp.yaml",
        "The affiliation OTHSUB01 belongs to OTHEROP1, not to TESTOP01: write TESTOP01 or a subcontractor TESTOP01 declares",
        "所属 OTHSUB01 は OTHEROP1 のもので、TESTOP01 のものではありません。TESTOP01 か、TESTOP01 が届け出た委託先のコードを書いてください",
    ),
    (
        "user-move",
        "registry/users/TESTOP01/foreign@test-gas.example.co.jp.yaml",
        "A user file copied from OTHEROP1 to TESTOP01: one person holds one login ID at one operator; add the user at TESTOP01 only after OTHEROP1 removes them",
        "利用者のファイルが OTHEROP1 から TESTOP01 に複製されています。1 つの ID は 1 つの事業者でしか使えません。OTHEROP1 が抹消してから TESTOP01 で設定を申請してください",
    ),
    (
        "not-a-file",
        "registry/users/TESTOP01/link@test-gas.example.co.jp.yaml",
        "This is a symbolic link, not a file: the registry holds only files; remove it, and write the file itself if one belongs here",
        "これはファイルではなくシンボリックリンクです。登録簿に置けるのはファイルだけです。削除し、ここにファイルが必要ならファイルそのものを置いてください",
    ),
    (
        "user-move",
        "registry/users/TESTOP01/mover@test-gas.example.co.jp.yaml",
        "A user file copied from TESTOP01 to OTHEROP1: one person holds one login ID at one operator; add the user at OTHEROP1 only after TESTOP01 removes them",
        "利用者のファイルが TESTOP01 から OTHEROP1 に複製されています。1 つの ID は 1 つの事業者でしか使えません。TESTOP01 が抹消してから OTHEROP1 で設定を申請してください",
    ),
    (
        "user-move",
        "registry/users/TESTOP01/mover@test-gas.example.co.jp.yaml",
        "A user file moved from TESTOP01 to OTHEROP1: remove the user in one application and add them in another",
        "利用者のファイルが TESTOP01 から OTHEROP1 に移されています。抹消と設定を別々の申請にしてください",
    ),
    (
        "user-move",
        "registry/users/TESTOP01/mover@test-gas.example.co.jp.yaml",
        "The login ID mover@test-gas.example.co.jp leaves TESTOP01 and arrives at OTHEROP1 in the same change: remove the user in one application and add them in another",
        "ID mover@test-gas.example.co.jp が同じ変更の中で TESTOP01 から消え、OTHEROP1 に現れます。抹消と設定を別々の申請にしてください",
    ),
    (
        "user-move",
        "registry/users/TESTOP01/other@other-gas.example.co.jp.yaml",
        "A user file copied from OTHEROP1 to TESTOP01: one person holds one login ID at one operator; add the user at TESTOP01 only after OTHEROP1 removes them",
        "利用者のファイルが OTHEROP1 から TESTOP01 に複製されています。1 つの ID は 1 つの事業者でしか使えません。OTHEROP1 が抹消してから TESTOP01 で設定を申請してください",
    ),
    (
        "user-move",
        "registry/users/TESTOP01/other@other-gas.example.co.jp.yaml",
        "The login ID other@other-gas.example.co.jp is another operator's user: it cannot be added to TESTOP01 as well; apply with another e-mail address of the person, or once that operator has applied for the deletion of their user permissions",
        "ID other@other-gas.example.co.jp はほかの事業者の利用者です。TESTOP01 にも追加することはできません。別のメールアドレスで申請するか、その事業者が利用権限の抹消を申請した後に申請してください",
    ),
]

EXPECTED_MAINTAINERS = [
    (
        "maintainer-fields",
        "registry/operators/TESTOP01.yaml",
        "Only a maintainer may change approvals: leave it as it is and ask the reception centre",
        "approvals は受付担当者だけが変更できます。そのままにして、託送受付センターに依頼してください",
    ),
    (
        "maintainer-fields",
        "registry/operators/TESTOP01.yaml",
        "The suspension of certificate 7A0001 (since 2026-11-20) is lifted only by a maintainer, once the system's operator has decided: leave it as it is",
        "証明書 7A0001（2026-11-20 から）の停止の解除は、システムの運営者が決めたあと受付担当者が行います。そのままにしてください",
    ),
    (
        "admin-id-once",
        "registry/users/TESTOP01/admin2@test-gas.example.co.jp.yaml",
        "TESTOP01 already had its switching admin ID (dr_admin) issued: it is issued new only once (002 §3.2.1). A change of admin (002 §3.2.2) deletes the current admin or changes their permission in the same application (on the user forms: 交代する管理者のメールアドレス); a reissue is recorded by the reception centre's maintainers",
        "TESTOP01 の スイッチング支援システム（switching） の管理者 ID（dr_admin）は発行済みです。新規発行は 1 回限りです（002 §3.2.1）。管理者の変更（002 §3.2.2）は、同じ申請で現在の管理者の ID を抹消するか、その利用権限を変更して申請してください（利用権限の設定・変更申請のフォームでは「交代する管理者のメールアドレス」に入力します）。再発行は受付担当者が記録します",
    ),
]


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    reg.operator("OTHEROP1", contacts=[contact(n=9, email="window9@other-gas.example.co.jp")],
                 subcontractors=[{"code": "OTHSUB01", "name": "他社委託株式会社"}])  # fmt: skip
    reg.user("OTHEROP1", "other@other-gas.example.co.jp", affiliation="OTHEROP1")
    reg.user(email="mover@test-gas.example.co.jp")
    reg.user(email="copied@test-gas.example.co.jp")
    made = GitRegistry(reg)
    made.branch("pr")
    yield made
    made.close()


def _rows(gr: GitRegistry, actor: str) -> list[tuple[str, str, str, str]]:
    with GitRepository(gr.path) as repo:
        decision = read_pull_request(
            repo, "main", "pr", Events(), date(2026, 11, 24), actor
        ).decision
    assert decision is not None
    return [
        (p.rule, p.file, i18n.text(p.message, "en"), i18n.text(p.message, "ja"))
        for p in decision.problems
    ]


def test_every_authorization_message(gr: GitRegistry) -> None:
    root = gr.reg.root
    gr.write("registry/systems.yaml", (root / "systems.yaml").read_text("utf-8") + "# x\n")
    gr.reg.user("OTHEROP1", "other@other-gas.example.co.jp", affiliation="OTHEROP1",
                permissions={"taxis": "1010"})  # fmt: skip
    gr.reg.operator("NEWOP001", contacts=[contact(n=5, github="founder")], subcontractors=[])
    gr.move("users/TESTOP01/mover@test-gas.example.co.jp.yaml",
            "users/OTHEROP1/mover@test-gas.example.co.jp.yaml")  # fmt: skip
    shutil.copy(root / "users/TESTOP01/copied@test-gas.example.co.jp.yaml",
                root / "users/OTHEROP1/copied@test-gas.example.co.jp.yaml")  # fmt: skip
    gr.reg.user(email="other@other-gas.example.co.jp")  # a login OTHEROP1 already has
    gr.reg.user(email="foreign@test-gas.example.co.jp", affiliation="OTHSUB01")
    (root / "users/TESTOP01/link@test-gas.example.co.jp.yaml").symlink_to(
        "copied@test-gas.example.co.jp.yaml"
    )
    gr.commit("everything at once")
    rows = _rows(gr, MINE)
    assert rows == EXPECTED
    # The rules judged on another pull request: below.
    others = {
        "new-operator", "maintainer-fields", "admin-id-once", "suspension-date",
        "subcontractor-operator", "mass-removal", "code-declared",
    }  # fmt: skip
    assert {r.id for r in RULES} - others <= {rule for rule, *_ in rows}
    for _, _, en, ja in rows:
        assert not MACHINERY.search(en) and not MACHINERY.search(ja)


def test_a_new_operators_own_window_person(gr: GitRegistry) -> None:
    gr.reg.operator("NEWOP001", contacts=[contact(n=5, github="founder")], subcontractors=[])
    gr.commit("new operator")
    assert _rows(gr, "founder") == [
        (
            "new-operator",
            "registry/operators/NEWOP001.yaml",
            "A new operator NEWOP001: a maintainer must review the usage application (roles, "
            "systems, OCCTO membership, privacy policy page)",
            "新規事業者 NEWOP001: 受付担当者が利用申請（事業者区分、利用システム、広域機関の会員資格、"
            "個人情報の共同利用ページ）を確認する必要があります",
        )
    ]


def test_a_new_operator_by_someone_no_operator_names(gr: GitRegistry) -> None:
    """No other operator's window person: told that, if they are the new operator's window
    person, their GitHub account belongs in its file; not told to ask their own company."""
    gr.reg.operator("NEWOP001", contacts=[contact(n=5, github="founder")], subcontractors=[])
    gr.commit("new operator")
    assert _rows(gr, "newcomer") == [
        (
            "new-operator-contact",
            "registry/operators/NEWOP001.yaml",
            "newcomer is not among the window persons of the new operator NEWOP001: NEWOP001's "
            "usage application is filed by its own window person, with the GitHub account "
            "written for them in it; if you are NEWOP001's window person, write your GitHub "
            "account as that window person's, otherwise ask NEWOP001's window person to file it",
            "newcomer は新規事業者 NEWOP001 のシステム窓口責任者に含まれていません。NEWOP001 の"
            "利用申請は、NEWOP001 自身のシステム窓口責任者が、申請に書いた本人の GitHub "
            "アカウントで行います。あなたが NEWOP001 のシステム窓口責任者であれば、窓口責任者の "
            "GitHub アカウントにご自身のアカウントを書いてください。そうでなければ、NEWOP001 の"
            "システム窓口責任者に申請を依頼してください",
        )
    ]


def test_a_new_operator_under_a_code_another_declares_as_its_subcontractor(
    gr: GitRegistry,
) -> None:
    gr.reg.operator("OTHSUB01", contacts=[contact(n=5, github="founder")], subcontractors=[])
    gr.commit("new operator under OTHEROP1's subcontractor code")
    assert _rows(gr, "founder")[0] == (
        "code-declared",
        "registry/operators/OTHSUB01.yaml",
        "The operator code OTHSUB01 is already declared by OTHEROP1 as a subcontractor: check "
        "the code with OCCTO (003 §2.2), or have OTHEROP1 correct its subcontractor first",
        "事業者コード OTHSUB01 は、すでに OTHEROP1 が委託先事業者として届け出ています。事業者"
        "コードを広域機関に確認するか（003 §2.2）、OTHEROP1 に先に委託先事業者を訂正してもらって"
        "ください",
    )


def test_the_maintainers_fields_and_a_second_admin_id(gr: GitRegistry) -> None:
    # On main: a demand-response contractor on the switching system, its admin left, a
    # certificate suspended.
    gr.checkout("main")
    gr.reg.switching_operator(certificates=[certificate(1, suspended_on="2026-11-20")])
    gr.reg.user(permissions={"switching": "dr_user"})
    gr.commit("suspended, no admin for a while")
    gr.checkout("pr")
    gr.repo.git.merge("-q", "main")
    approval = {"system": "loacus", "approved_on": "2026-11-20", "reason": "特例の承認"}
    gr.reg.switching_operator(certificates=[certificate(1)], approvals=[approval])
    gr.reg.user(permissions={"switching": "dr_user"})
    gr.reg.user(email="admin2@test-gas.example.co.jp", permissions={"switching": "dr_admin"})
    gr.commit("lift, approve and a new admin")
    rows = [row for row in _rows(gr, MINE) if row[0] in ("maintainer-fields", "admin-id-once")]
    assert rows == EXPECTED_MAINTAINERS
    assert {"maintainer-fields", "admin-id-once"} == {rule for rule, *_ in rows}
    # A window person is told what to file, in the forms' words, never a key of the files.
    (en, ja) = next((en, ja) for rule, _, en, ja in rows if rule == "admin-id-once")
    field = next(i for i in template("user-add")["body"] if i.get("id") == "former_admin")
    assert f"「{field['attributes']['label']}」" in ja
    assert "admin_reissues" not in en + ja


def test_a_suspension_dated_after_the_application(gr: GitRegistry) -> None:
    gr.reg.user(email="mover@test-gas.example.co.jp", suspended_on="2026-12-01")
    gr.commit("suspended from next week")
    assert _rows(gr, MINE) == [
        (
            "suspension-date",
            "registry/users/TESTOP01/mover@test-gas.example.co.jp.yaml",
            "The suspension of the ID mover@test-gas.example.co.jp is dated 2026-12-01, after "
            "the day of the application (2026-11-24): a suspension is made at once; write the "
            "day it was stopped, today at the latest",
            "ID mover@test-gas.example.co.jp について、利用停止日 2026-12-01 が申請の日（2026-11-24）"
            "より後です。利用の停止はすぐに行われます。停止した日（今日まで）を書いてください",
        )
    ]


def test_a_registered_operator_declared_as_subcontractor(gr: GitRegistry) -> None:
    gr.reg.operator(subcontractors=[{"code": "OTHEROP1", "name": "他社"}])
    gr.commit("declare another operator")
    assert _rows(gr, MINE) == [
        (
            "subcontractor-operator",
            "registry/operators/TESTOP01.yaml",
            "OTHEROP1 is the registered operator テストガス株式会社: a maintainer checks with it "
            "that it does TESTOP01's work under contract before its staff are entered as "
            "TESTOP01's users",
            "OTHEROP1 は登録済みの事業者 テストガス株式会社 のコードです。その社員を TESTOP01 の"
            "利用者として登録する前に、TESTOP01 の業務を受託していることを受付担当者が "
            "テストガス株式会社 に確認します",
        )
    ]
