"""`accessreg operator new|change --membership`: an OCCTO membership filed without YAML — the
provisional application (加入仮申請) under a `PROV-…` key, the full membership (本申請) and
the withdrawal (退会), which ends the member system and its users' permissions (003 §2.2,
§2.7.1). Real files in a real git repository; each result read back and validated."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers.edithelp import TODAY_ARG, bad_value, edit, refused, snapshot
from tests.helpers.formbody import confirm, render
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, contact, run_cli

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


DENKI = "registry/operators/DENKI001.yaml"
KEEPS = "registry/users/DENKI001/keeps@denki-test.example.co.jp.yaml"
ONLY = "registry/users/DENKI001/only@denki-test.example.co.jp.yaml"


def _text(reg: RegistryFactory, rel: str) -> str:
    return (reg.repo / rel).read_text(encoding="utf-8")


def _errors(reg: RegistryFactory) -> list[str]:
    return [f"{p.rule} {p.file}" for p in reg.validate().problems if str(p.level) == "error"]


def _member(reg: RegistryFactory, **over: object) -> None:
    """DENKI001: an OCCTO member using the member system and JOHS, with a user holding both
    and one holding the member system only."""
    data: dict[str, object] = {
        "roles": ["electricity_retailer", "gas_retailer"],
        "systems": ["johs", "member_portal"],
        "certificates": None,
    }
    data.update(over)
    reg.occto_member(**data)
    reg.user("DENKI001", "keeps@denki-test.example.co.jp",
             permissions={"johs": "J1010", "member_portal": "admin"})  # fmt: skip
    reg.user("DENKI001", "only@denki-test.example.co.jp", permissions={"member_portal": "user"})


def _plain(reg: RegistryFactory) -> None:
    """DENKI001 with no membership record: an electricity retailer using JOHS only."""
    reg.operator(
        "DENKI001", roles=["electricity_retailer", "gas_retailer"], systems=["johs"],
        contacts=[contact(n=5, email="window5@denki-test.example.co.jp")], subcontractors=None,
    )  # fmt: skip


CHANGE = ("operator", "change", "--operator", "DENKI001")


def test_membership_member_sets_the_status_its_day_and_the_flag(reg: RegistryFactory) -> None:
    _plain(reg)
    result = edit(reg, *CHANGE, "--membership", "member", "--on", "2026-11-02")
    assert result.returncode == 0, result.stdout + result.stderr
    text = _text(reg, DENKI)
    assert "occto_member: true\n" in text
    assert text.endswith("membership:\n  status: member\n  member_since: 2026-11-02\n")
    assert "OCCTO membership: member since 2026-11-02" in result.stderr
    assert _errors(reg) == []


def test_provisional_then_member_keeps_the_application_day(reg: RegistryFactory) -> None:
    _plain(reg)
    result = edit(reg, *CHANGE, "--membership", "provisional", "--on", "2026-10-01")
    assert result.returncode == 0, result.stdout + result.stderr
    text = _text(reg, DENKI)
    assert "occto_member: false\n" in text
    assert "membership:\n  status: provisional\n  provisional_since: 2026-10-01\n" in text
    assert _errors(reg) == []
    result = edit(reg, *CHANGE, "--membership", "member")  # the day defaults to --today
    assert result.returncode == 0, result.stdout + result.stderr
    text = _text(reg, DENKI)
    assert "occto_member: true\n" in text
    assert (
        "membership:\n  status: member\n  provisional_since: 2026-10-01\n"
        "  member_since: 2026-11-22\n"
    ) in text
    assert _errors(reg) == []


def test_operator_new_records_a_provisional_applicant_under_its_prov_key(
    reg: RegistryFactory,
) -> None:
    args = (
        "operator", "new", "--operator", "PROV-NAGISA", "--name", "なぎさ電力株式会社",
        "--name-kana", "ナギサデンリョク カブシキガイシャ", "--role", "electricity_retailer",
        "--system", "member_portal",
        "--privacy-policy-url", "https://nagisa-denki.example.jp/privacy",
        "--contact-name", "渚 一郎", "--contact-name-kana", "ナギサ イチロウ",
        "--contact-email", "ichiro.nagisa@nagisa-denki.example.jp",
        "--contact-phone", "03-0000-0901", "--contact-github", "nagisa-ichiro",
    )  # fmt: skip
    # Without the membership, the key is refused: only a provisional applicant holds one.
    assert "(provisional-key)" in refused(reg, *args).stdout
    contradicts = bad_value(reg, *args, "--membership", "provisional", "--occto-member")
    assert (
        "occto_member true disagrees with the OCCTO membership given (provisional): give the "
        "membership alone, occto_member follows it"
    ) in contradicts.stderr
    result = edit(reg, *args, "--membership", "provisional", "--on", "2026-11-20")
    assert result.returncode == 0, result.stdout + result.stderr
    text = _text(reg, "registry/operators/PROV-NAGISA.yaml")
    assert "code: PROV-NAGISA\n" in text and "occto_member: false\n" in text
    assert text.endswith("membership:\n  status: provisional\n  provisional_since: 2026-11-20\n")
    assert _errors(reg) == []


def test_operator_new_records_a_member(reg: RegistryFactory) -> None:
    args = (
        "operator", "new", "--operator", "NAGIDK01", "--name", "なぎさ電力株式会社",
        "--name-kana", "ナギサデンリョク カブシキガイシャ", "--role", "electricity_retailer",
        "--system", "member_portal",
        "--privacy-policy-url", "https://nagisa-denki.example.jp/privacy",
        "--contact-name", "渚 一郎", "--contact-name-kana", "ナギサ イチロウ",
        "--contact-email", "ichiro.nagisa@nagisa-denki.example.jp",
        "--contact-phone", "03-0000-0901", "--contact-github", "nagisa-ichiro",
        "--membership", "member", "--on", "2026-04-01",
    )  # fmt: skip
    result = edit(reg, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    text = _text(reg, "registry/operators/NAGIDK01.yaml")
    assert "occto_member: true\n" in text
    assert text.endswith("membership:\n  status: member\n  member_since: 2026-04-01\n")
    assert _errors(reg) == []


def test_withdrawal_ends_the_member_system_and_its_permissions(on_pr: GitRegistry) -> None:
    reg = on_pr.reg
    _member(reg)
    on_pr.commit("DENKI001, an OCCTO member")
    on_pr.repo.git.branch("-f", "main")
    result = edit(reg, *CHANGE, "--membership", "withdrawn", "--on", "2026-12-31")
    assert result.returncode == 0, result.stdout + result.stderr
    text = _text(reg, DENKI)
    assert "occto_member: false\n" in text
    assert "systems:\n  - johs\ncontacts:" in text
    assert text.endswith(
        "membership:\n  status: withdrawn\n  member_since: '2020-04-01'\n"
        "  withdrawn_on: 2026-12-31\n"
    )
    # The user holding JOHS too keeps it; the one holding the member system only is deleted.
    assert "member_portal" not in _text(reg, KEEPS) and "johs: J1010" in _text(reg, KEEPS)
    assert not (reg.repo / ONLY).exists()
    assert "users' permissions removed: 1; user files removed: 1" in result.stderr
    assert "keeps@" not in result.stderr and "only@" not in result.stderr
    assert _errors(reg) == []
    on_pr.commit("DENKI001 withdraws from OCCTO")
    plan = run_cli(
        "plan", "--base", "main", "--head", "pr", "--accepted-on", "2026-11-24", cwd=on_pr.path
    )
    assert plan.returncode == 0, plan.stdout + plan.stderr
    # A withdrawal is the end of the member system's contract (003 §2.7.1), not joining or a
    # member-info change (003 §2.2), nor a usage change of JOHS (000 §3-2).
    assert "operator DENKI001 テストガス株式会社: usage application (change) (003 §2.7.1) 1," in (
        plan.stdout
    )
    assert (
        "  - revoke [usage application (change)] operator changed: DENKI001 テストガス株式会社\n"
        "      OCCTO member or not member → not a member\n"
        "      systems johs, member_portal → johs\n"
        "      OCCTO membership member since 2020-04-01 → withdrawn on 2026-12-31\n"
    ) in plan.stdout
    keeps = "試験 太郎 <keeps@denki-test.example.co.jp>"
    assert f"  - revoke [permission change] user changed: {keeps}" in plan.stdout
    assert "  - revoke [permission deletion] " in plan.stdout


def test_a_withdrawal_with_another_change_cites_both(on_pr: GitRegistry) -> None:
    """Filed with a usage change besides (a new name), the application cites the
    withdrawal's section (003 §2.7.1) and the usage change's of the operator's systems."""
    reg = on_pr.reg
    _member(reg)
    on_pr.commit("DENKI001, an OCCTO member")
    on_pr.repo.git.branch("-f", "main")
    result = edit(reg, *CHANGE, "--membership", "withdrawn", "--on", "2026-12-31",
                  "--name", "テスト電力株式会社")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    on_pr.commit("DENKI001 withdraws from OCCTO and is renamed")
    plan = run_cli(
        "plan", "--base", "main", "--head", "pr", "--accepted-on", "2026-11-24", cwd=on_pr.path
    )
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert (
        "operator DENKI001 テスト電力株式会社: usage application (change) "
        "(003 §2.7.1, 000 §3-2, 003 §2.2) 1,"
    ) in plan.stdout


def test_withdrawal_removes_the_retailer_ids_of_an_operator_keeping_the_system(
    reg: RegistryFactory,
) -> None:
    """A retailer that is also a demand-response contractor keeps the switching support
    system for the latter, but its retailer IDs go with the membership (002 §2.1.1 ①(イ))."""
    reg.occto_member(roles=["electricity_retailer", "demand_response", "gas_retailer"],
                     systems=["switching", "member_portal", "johs"])  # fmt: skip
    users = "registry/users/DENKI001"
    for name, held in (
        ("retail", {"switching": "retailer_admin"}),
        ("clerk", {"switching": "retailer_user", "member_portal": "user"}),
        ("mixed", {"switching": "retailer_user", "johs": "J1010"}),
        ("dr", {"switching": "dr_admin"}),
        ("staff", {"switching": "dr_user", "member_portal": "admin"}),
    ):
        reg.user("DENKI001", f"{name}@denki-test.example.co.jp", permissions=held)
    assert _errors(reg) == []
    result = edit(reg, *CHANGE, "--membership", "withdrawn", "--on", "2026-12-31")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "systems:\n  - switching\n  - johs\ncontacts:" in _text(reg, DENKI)
    for gone in ("retail", "clerk"):
        assert not (reg.repo / f"{users}/{gone}@denki-test.example.co.jp.yaml").exists()
    assert "switching: dr_admin" in _text(reg, f"{users}/dr@denki-test.example.co.jp.yaml")
    staff = _text(reg, f"{users}/staff@denki-test.example.co.jp.yaml")
    assert "switching: dr_user" in staff and "member_portal" not in staff
    mixed = _text(reg, f"{users}/mixed@denki-test.example.co.jp.yaml")
    assert "switching" not in mixed and "johs: J1010" in mixed
    assert "switching retailer_admin removed from 1 user (only an OCCTO member holds it)" in (
        result.stderr
    )
    assert "switching retailer_user removed from 2 users (only an OCCTO member holds it)" in (
        result.stderr
    )
    assert "users' permissions removed: 2; user files removed: 2" in result.stderr
    assert _errors(reg) == []


def test_withdrawal_of_a_retailer_alone_ends_the_switching_system_too(
    reg: RegistryFactory,
) -> None:
    """An electricity retailer uses the switching support system only as an OCCTO member
    (002 §2.1.1 ①(イ)): its withdrawal ends that system as well, its users' IDs with it,
    and the result validates."""
    reg.occto_member(roles=["electricity_retailer", "gas_retailer"],
                     systems=["switching", "member_portal", "johs"])  # fmt: skip
    users = "registry/users/DENKI001"
    reg.user("DENKI001", "retail@denki-test.example.co.jp",
             permissions={"switching": "retailer_admin", "johs": "J1010"})  # fmt: skip
    reg.user("DENKI001", "clerk@denki-test.example.co.jp",
             permissions={"switching": "retailer_user", "member_portal": "user"})  # fmt: skip
    assert _errors(reg) == []
    result = edit(reg, *CHANGE, "--membership", "withdrawn", "--on", "2026-12-31")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "systems:\n  - johs\ncontacts:" in _text(reg, DENKI)
    assert not (reg.repo / f"{users}/clerk@denki-test.example.co.jp.yaml").exists()
    retail = _text(reg, f"{users}/retail@denki-test.example.co.jp.yaml")
    assert "switching" not in retail and "johs: J1010" in retail
    assert _errors(reg) == []


def test_no_occto_member_on_a_member_is_refused_naming_the_membership(
    reg: RegistryFactory,
) -> None:
    _member(reg)
    result = refused(reg, *CHANGE, "--no-occto-member")
    assert (
        "Operator DENKI001's OCCTO membership is recorded (member since 2020-04-01), and "
        "occto_member follows it: file the membership's change with its date instead "
        "(--membership provisional, member or withdrawn)"
    ) in result.stderr
    # The flag as the record has it is no contradiction.
    assert edit(reg, *CHANGE, "--occto-member").returncode == 0


def test_the_flag_alone_serves_an_operator_without_a_membership_record(
    reg: RegistryFactory,
) -> None:
    _plain(reg)
    result = edit(reg, *CHANGE, "--occto-member")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "occto_member: true\n" in _text(reg, DENKI)


def test_membership_refusals(reg: RegistryFactory) -> None:
    _member(reg)
    back = refused(reg, *CHANGE, "--membership", "provisional")
    assert (
        "Operator DENKI001 is an OCCTO member (member since 2020-04-01): a membership does "
        "not go back to a provisional application"
    ) in back.stderr
    early = bad_value(reg, *CHANGE, "--membership", "withdrawn", "--on", "2019-03-31")
    assert (
        "The membership's date 2019-03-31 is before its present status began (member since "
        "2020-04-01): give 2020-04-01 or later"
    ) in early.stderr
    both = bad_value(reg, *CHANGE, "--membership", "withdrawn", "--occto-member")
    assert "occto_member true disagrees with the OCCTO membership given (withdrawn)" in (
        both.stderr
    )
    alone = bad_value(reg, *CHANGE, "--on", "2026-12-01")
    assert "Give --on with --membership: it dates the membership's status" in alone.stderr


def test_a_provisional_key_neither_joins_nor_withdraws_in_place(reg: RegistryFactory) -> None:
    reg.operator(
        "PROV-AOZORA", roles=["electricity_retailer"], systems=["member_portal"],
        membership={"status": "provisional", "provisional_since": "2026-09-01"},
        contacts=[contact(n=6, email="window6@aozora.example.jp")], subcontractors=None,
    )  # fmt: skip
    change = ("operator", "change", "--operator", "PROV-AOZORA", "--membership")
    joins = refused(reg, *change, "member")
    assert (
        "PROV-AOZORA is a provisional key: the membership is recorded under the operator code "
        "OCCTO issued: file the code's issuance (事業者コードの発番), which moves the operator "
        "to it and records the membership"
    ) in joins.stderr
    leaves = refused(reg, *change, "withdrawn")
    assert (
        "PROV-AOZORA is a provisional key, held while the membership is provisional: an "
        "applicant that gives up its application ends its use with a usage termination "
        "(利用申請（終了）)"
    ) in leaves.stderr


def test_the_withdrawal_is_told_in_japanese(reg: RegistryFactory) -> None:
    _member(reg)
    result = edit(reg, "--lang", "ja", *CHANGE, "--dry-run", "--membership", "withdrawn")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "広域機関の会員資格: 2026-11-22 に退会" in result.stderr
    refusal = refused(reg, "--lang", "ja", *CHANGE, "--no-occto-member")
    assert "--membership" in refusal.stderr and "広域機関の会員資格" in refusal.stderr


def _from_issue(reg: RegistryFactory, answers: dict[str, object]) -> tuple[int, dict[str, Any]]:
    body = render("operator-change", {
        "operator": "DENKI001", **answers, "confirm": confirm("operator-change"),
    })  # fmt: skip
    path = reg.repo / "body.md"
    path.write_bytes(body.encode("utf-8"))
    result = run_cli(
        "from-issue", "--body", str(path), "--author", "window-5", "--issue", "12", *TODAY_ARG,
        cwd=reg.repo,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_the_usage_change_form_files_a_withdrawal(reg: RegistryFactory) -> None:
    _member(reg)
    before = snapshot(reg.root)
    code, out = _from_issue(reg, {"membership_on": "2026-12-31"})
    assert code == 1 and snapshot(reg.root) == before, out
    assert any("広域機関の会員資格" in str(p) and "required" in str(p) for p in out["problems"])
    code, out = _from_issue(reg, {"membership": "退会 / withdrawal", "membership_on": "2026-12-31"})
    assert code == 0, out
    text = _text(reg, DENKI)
    assert "occto_member: false\n" in text and "withdrawn_on: 2026-12-31\n" in text
    assert "member_portal" not in text and not (reg.repo / ONLY).exists()
    assert _errors(reg) == []


def test_joining_again_starts_the_record_over(reg: RegistryFactory) -> None:
    """The dates describe the present membership: a new provisional application after a
    withdrawal leaves neither the old membership's day nor its withdrawal's behind."""
    _member(reg)
    assert edit(reg, *CHANGE, "--membership", "withdrawn", "--on", "2026-11-22").returncode == 0
    early = bad_value(reg, *CHANGE, "--membership", "provisional", "--on", "2026-11-01")
    assert "give 2026-11-22 or later" in early.stderr
    result = edit(reg, *CHANGE, "--membership", "provisional", "--on", "2026-11-22")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _text(reg, DENKI).endswith(
        "membership:\n  status: provisional\n  provisional_since: 2026-11-22\n"
    )
    result = edit(reg, *CHANGE, "--membership", "member")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _text(reg, DENKI).endswith(
        "membership:\n  status: member\n  provisional_since: 2026-11-22\n"
        "  member_since: 2026-11-22\n"
    )
    assert _errors(reg) == []


def test_a_member_again_leaves_the_withdrawal_behind(reg: RegistryFactory) -> None:
    _member(reg, systems=["johs"])
    reg.user("DENKI001", "only@denki-test.example.co.jp", permissions={"johs": "J1010"})
    reg.user("DENKI001", "keeps@denki-test.example.co.jp", permissions={"johs": "J1010"})
    assert edit(reg, *CHANGE, "--membership", "withdrawn", "--on", "2026-11-22").returncode == 0
    result = edit(reg, *CHANGE, "--membership", "member")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _text(reg, DENKI).endswith("membership:\n  status: member\n  member_since: 2026-11-22\n")


@pytest.mark.parametrize("status", ["provisional", "member"])
def test_a_status_is_not_filed_again(reg: RegistryFactory, status: str) -> None:
    """Filed again with a later day, a provisional application would start its year again
    and silence the reminder the year brings (003 §2.7.2 ④)."""
    if status == "provisional":
        applied = {"status": "provisional", "provisional_since": "2026-03-02"}
        _member(reg, occto_member=False, membership=applied)
    else:
        _member(reg)
    again = refused(reg, *CHANGE, "--membership", status, "--on", "2026-12-01")
    assert "DENKI001's membership is already so" in again.stderr
    assert "a wrong date is corrected by the reception centre" in again.stderr


def test_no_withdrawal_without_a_membership(reg: RegistryFactory) -> None:
    """An operator that never joined nor applied has nothing to withdraw from (003 §2.7)."""
    _plain(reg)
    nothing = refused(reg, *CHANGE, "--membership", "withdrawn")
    assert "has no OCCTO membership and no application for one" in nothing.stderr


def _new_from_issue(reg: RegistryFactory, **over: object) -> tuple[int, dict[str, Any]]:
    """The new-usage form of an electricity retailer using the member system, filed by its
    window person."""
    answers: dict[str, object] = {
        "operator": "NAGIDK01", "name": "なぎさ電力株式会社",
        "name_kana": "ナギサデンリョク カブシキガイシャ",
        "roles": ["小売電気事業者 / electricity retailer"],
        "privacy_policy_url": "https://nagisa-denki.example.jp/privacy",
        "systems": ["会員情報管理システム（member_portal）"],
        "contact_name": "渚 一郎", "contact_name_kana": "ナギサ イチロウ",
        "contact_email": "ichiro.nagisa@nagisa-denki.example.jp",
        "contact_phone": "03-0000-0901", "confirm": confirm("operator-new"), **over,
    }  # fmt: skip
    path = reg.repo / "body.md"
    path.write_bytes(render("operator-new", answers).encode("utf-8"))
    result = run_cli(
        "from-issue", "--body", str(path), "--author", "nagisa-ichiro", "--issue", "12",
        *TODAY_ARG, cwd=reg.repo,
    )  # fmt: skip
    path.unlink()
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


PROVISIONAL = "加入仮申請 / provisional application"
TICKED = ["電力広域的運営推進機関の会員である / OCCTO member"]


def test_the_new_usage_form_records_a_provisional_applicant_under_its_prov_key(
    reg: RegistryFactory,
) -> None:
    code, out = _new_from_issue(
        reg, operator="PROV-NAGISA", membership=PROVISIONAL, membership_on="2026-11-20"
    )
    assert code == 0, out["problems"]
    text = _text(reg, "registry/operators/PROV-NAGISA.yaml")
    assert "code: PROV-NAGISA\n" in text and "occto_member: false\n" in text
    assert "systems: [member_portal]\n" in text
    assert text.endswith("membership:\n  status: provisional\n  provisional_since: 2026-11-20\n")
    assert _errors(reg) == []


def test_the_new_usage_form_records_a_member_since_the_day_given(reg: RegistryFactory) -> None:
    code, out = _new_from_issue(reg, membership="会員（本申請） / member")
    assert code == 0, out["problems"]
    text = _text(reg, "registry/operators/NAGIDK01.yaml")
    assert "occto_member: true\n" in text  # the membership sets it, the box left unticked
    assert text.endswith("membership:\n  status: member\n  member_since: 2026-11-22\n")
    assert _errors(reg) == []


@pytest.mark.parametrize(
    ("over", "field", "says"),
    [
        # The command's --on without --membership.
        ({"membership_on": "2026-11-20"}, "広域機関の会員資格", "入力が必要です"),
        # The command's --occto-member contradicting --membership provisional.
        (
            {"operator": "PROV-NAGISA", "membership": PROVISIONAL, "occto_member": TICKED},
            "広域機関会員",
            "加入仮申請中の事業者はまだ広域機関の会員ではありません",
        ),
        # The command's provisional-key refusal: a key without the provisional application.
        ({"operator": "PROV-NAGISA"}, "広域機関の会員資格", "仮のキー（PROV-…）で登録できるのは"),
        (
            {"operator": "PROV-NAGISA", "membership": "会員（本申請） / member"},
            "広域機関の会員資格",
            "「加入仮申請」を選ぶか",
        ),
        ({"systems": []}, "利用するシステム", "1 つ以上選んでください"),
    ],
    ids=["date-alone", "ticked-provisional", "key-without-status", "key-as-member", "no-system"],
)
def test_the_new_usage_form_refuses_what_the_command_refuses(
    reg: RegistryFactory, over: dict[str, object], field: str, says: str
) -> None:
    """Told under the field to change, in Japanese, and nothing written."""
    before = snapshot(reg.root)
    code, out = _new_from_issue(reg, **over)
    assert code == 1 and snapshot(reg.root) == before, out
    assert [p for p in out["problems"] if p.startswith(f"- **{field}**: ") and says in p], out[
        "problems"
    ]
