"""`accessreg operator new|change|terminate`, `contact add|remove`, `ip add|remove`."""

from __future__ import annotations

import pytest
import yaml

from tests.helpers.certmaker import certificate, pem
from tests.helpers.edithelp import bad_value, edit, refused, snapshot
from tests.helpers.regfactory import RegistryFactory, contact
from tests.helpers.regfactory import certificate as entry

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


OP_FILE = "registry/operators/TESTOP01.yaml"

NEW_OPERATOR = (
    "operator", "new", "--operator", "NAGIGS01", "--name", "なぎさガス株式会社",
    "--name-kana", "ナギサガス カブシキガイシャ", "--role", "gas_retailer",
    "--role", "wheeling_client", "--system", "taxis", "--system", "johs",
    "--privacy-policy-url", "https://nagisa-gas.example.co.jp/privacy",
    "--contact-name", "渚 一郎", "--contact-name-kana", "ナギサ イチロウ",
    "--contact-email", "ichiro.nagisa@nagisa-gas.example.co.jp",
    "--contact-phone", "03-0000-0901", "--contact-github", "nagisa-ichiro",
    "--subcontractor", "NAGISV01", "なぎさサービス株式会社",
)  # fmt: skip


def test_operator_new_writes_the_sample_layout(reg: RegistryFactory) -> None:
    result = edit(reg, *NEW_OPERATOR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (reg.root / "operators/NAGIGS01.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../../schemas/operator.schema.json\n"
        "code: NAGIGS01\n"
        "name: なぎさガス株式会社\n"
        "name_kana: ナギサガス カブシキガイシャ\n"
        "roles: [gas_retailer, wheeling_client]\n"
        "occto_member: false\n"
        "privacy_policy_url: https://nagisa-gas.example.co.jp/privacy\n"
        "status: active\n"
        "systems: [taxis, johs]\n"
        "contacts:\n"
        "  - role: primary\n"
        "    name: 渚 一郎\n"
        "    name_kana: ナギサ イチロウ\n"
        "    email: ichiro.nagisa@nagisa-gas.example.co.jp\n"
        "    phone: 03-0000-0901\n"
        "    github: nagisa-ichiro\n"
        "subcontractors:\n"
        "  - {code: NAGISV01, name: なぎさサービス株式会社}\n"
    )
    assert reg.validate().problems == []


def test_operator_new_refuses_a_code_another_operator_declares_as_its_subcontractor(
    reg: RegistryFactory,
) -> None:
    """TESTOP01 declares TESTSUB1: a new operator under that code is refused before
    anything else, saying whose subcontractor it is and what to do."""
    args = [a if a != "NAGIGS01" else "TESTSUB1" for a in NEW_OPERATOR]
    result = refused(reg, *args)
    assert (
        "The operator code TESTSUB1 is already declared as テスト委託株式会社, TESTOP01's "
        "subcontractor: check the code with OCCTO (003 §2.2), or have TESTOP01 correct its "
        "subcontractor first (--operator; "
    ) in result.stderr, result.stdout + result.stderr


def test_operator_new_refuses_a_window_person_already_used_elsewhere(
    reg: RegistryFactory,
) -> None:
    args = list(NEW_OPERATOR)
    args[args.index("ichiro.nagisa@nagisa-gas.example.co.jp")] = "WINDOW1@test-gas.example.co.jp"
    result = refused(reg, *args)
    assert "(login-id-unique)" in result.stdout


def test_operator_new_refuses_a_system_its_roles_do_not_allow(reg: RegistryFactory) -> None:
    args = [a if a != "johs" else "switching" for a in NEW_OPERATOR]
    result = refused(reg, *args)
    assert "switching needs the operator to hold one of the roles" in result.stdout


def test_operator_new_applies_for_switching_with_its_first_certificate(
    reg: RegistryFactory,
) -> None:
    """002 §3.1: the certificate is obtained before the application and given with it."""
    args = [a if a != "wheeling_client" else "demand_response" for a in NEW_OPERATOR]
    args = [a for a in args if a not in ("--system", "taxis", "johs")]
    args += ["--system", "switching"]
    result = refused(reg, *args)
    assert (
        "switching needs a registered client certificate (web, api) before it is applied "
        "for: register one first with a client certificate registration "
        "(クライアント証明書登録申請); a new operator gives it with its new usage application "
        "(利用申請（新規）)"
    ) in result.stdout
    assert "add one to certificates" not in result.stdout
    (reg.repo / "PC01.cer").write_bytes(pem(certificate(cn="NAGIGS01-PC01")))
    cert = ["--certificate", str(reg.repo / "PC01.cer"), "--cert-id", "EP2026-001201"]
    result = bad_value(reg, *args, *cert)
    assert "Give --cert-id, --cert-location and --cert-holder with --certificate" in result.stderr
    cert += ["--cert-location", "本社 端末 PC001", "--cert-holder", "業務部 渚 一郎"]
    result = edit(reg, *args, *cert)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (reg.root / "operators/NAGIGS01.yaml").read_text(encoding="utf-8")
    assert "systems: [switching]" in text and "  - id: EP2026-001201\n" in text


def test_operator_change_keeps_comments_and_flow_lists(reg: RegistryFactory) -> None:
    path = reg.root / "operators/TESTOP01.yaml"
    original = path.read_text(encoding="utf-8").replace(
        "code: TESTOP01\n", "# 2019年から託送契約あり\ncode: TESTOP01  # OCCTO付番\n"
    )
    path.write_text(original, encoding="utf-8")
    result = edit(
        reg, "operator", "change", "--operator", "TESTOP01", "--remove-system", "loacus",
        "--add-subcontractor", "TESTSUB2", "テスト第二委託株式会社",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    text = path.read_text(encoding="utf-8")
    assert "# 2019年から託送契約あり\ncode: TESTOP01  # OCCTO付番\n" in text
    assert "systems:\n  - taxis\n  - johs\n  - juju\n" in text or (
        "systems: [taxis, johs, juju]\n" in text
    )
    assert (
        "  - code: TESTSUB2\n" in text
        or "  - {code: TESTSUB2, name: テスト第二委託株式会社}\n" in text
    )


def test_operator_change_refuses_removing_a_subcontractor_with_users(reg: RegistryFactory) -> None:
    reg.user(email="sub@test-sub.example.co.jp", affiliation="TESTSUB1")
    result = refused(
        reg, "operator", "change", "--operator", "TESTOP01", "--remove-subcontractor", "TESTSUB1"
    )
    assert "(affiliation)" in result.stdout


def test_operator_change_refuses_dropping_a_system_users_still_hold(reg: RegistryFactory) -> None:
    """Told once, with the users to change first: not, per user, to add the system."""
    reg.user(email="sub@test-sub.example.co.jp", affiliation="TESTSUB1")
    reg.user(email="other@test-gas.example.co.jp", permissions={"johs": "J1010"})
    drop = ("operator", "change", "--operator", "TESTOP01", "--remove-system", "taxis")
    result = refused(reg, *drop)
    assert result.stderr == (
        "accessreg: 2 users of TESTOP01 still hold a permission for taxis "
        "(sub@test-sub.example.co.jp, user1@test-gas.example.co.jp): remove them first with a "
        "permission change (利用権限の変更申請) or a deletion (利用権限の抹消申請), then end the "
        "system's use\n"
    )
    assert "system-not-approved" not in result.stdout + result.stderr
    for email in ("sub@test-sub.example.co.jp", "user1@test-gas.example.co.jp"):
        changed = edit(reg, "user", "change", "--operator", "TESTOP01", "--email", email,
                       "--taxis", "none")  # fmt: skip
        assert changed.returncode == 0, changed.stdout + changed.stderr
    result = edit(reg, *drop)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "- taxis\n" not in (reg.root / "operators/TESTOP01.yaml").read_text("utf-8")


def test_a_user_given_a_system_never_applied_for_is_told_to_add_it(reg: RegistryFactory) -> None:
    result = refused(
        reg, "user", "change", "--operator", "TESTOP01", "--email",
        "user1@test-gas.example.co.jp", "--switching", "retailer_user",
    )  # fmt: skip
    assert "apply for a usage change (利用申請（変更）) adding the system first" in result.stdout


def test_terminate_marks_the_operator_and_removes_every_user(reg: RegistryFactory) -> None:
    reg.user(email="sub@test-sub.example.co.jp", affiliation="TESTSUB1")
    reg.operator("OTHEROP1", contacts=[contact(n=2)], subcontractors=None)
    other = reg.user("OTHEROP1", "keep@other.example.jp")  # another operator's user stays
    before = snapshot(reg.repo)
    result = edit(reg, "operator", "terminate", "--operator", "TESTOP01", "--on", "2026-12-31")
    assert result.returncode == 0, result.stdout + result.stderr
    text = (reg.root / "operators/TESTOP01.yaml").read_text(encoding="utf-8")
    assert "status: terminated\nterminated_on: 2026-12-31\n" in text
    assert not (reg.root / "users/TESTOP01").exists()
    assert other.exists()
    after = snapshot(reg.repo)
    assert sorted(set(before) - set(after)) == [
        "registry/users/TESTOP01/sub@test-sub.example.co.jp.yaml",
        "registry/users/TESTOP01/user1@test-gas.example.co.jp.yaml",
    ]
    assert "user files removed: 2" in result.stderr
    again = refused(reg, "operator", "terminate", "--operator", "TESTOP01")
    assert "TESTOP01's use ends on 2026-12-31 (its termination is filed)" in again.stderr


@pytest.mark.parametrize(
    ("day", "said"),
    [
        (
            "2027-01-31",
            "事業者 TESTOP01 は 2027-01-31 に利用終了します（利用終了を申請済みです）。",
        ),
        ("2026-11-01", "事業者 TESTOP01 は 2026-11-01 に利用終了しています。"),
    ],
)
def test_an_edit_of_a_terminated_operator_says_its_day_in_its_tense(
    reg: RegistryFactory, day: str, said: str
) -> None:
    """A termination filed for a later day was told as past: 「2027-01-31 に利用終了して
    います」 on 2026-11-22. The refusal now says the use ends on that day."""
    reg.operator("TESTOP01", status="terminated", terminated_on=day)
    result = refused(
        reg, "--lang", "ja", "ip", "add", "--operator", "TESTOP01", "--cidr", "41.203.64.11",
        "--reason", "海外拠点", "--expires-on", "2027-03-31",
    )  # fmt: skip
    assert f"{said}変更はできません" in result.stderr


def test_terminate_refuses_a_date_already_past(reg: RegistryFactory) -> None:
    # The plan would apply it on the merge and the file keep the past date: a bad value.
    result = bad_value(reg, "operator", "terminate", "--operator", "TESTOP01", "--on", "2020-01-01")
    assert (
        "The termination date 2020-01-01 is before today (2026-11-22): give a termination "
        "date of today (2026-11-22) or later"
    ) in result.stderr
    today = edit(reg, "operator", "terminate", "--operator", "TESTOP01", "--on", "2026-11-22")
    assert today.returncode == 0, today.stdout + today.stderr


def test_terminate_refuses_a_past_date_in_japanese(reg: RegistryFactory) -> None:
    result = bad_value(
        reg, "--lang", "ja", "operator", "terminate", "--operator", "TESTOP01", "--on", "2026-11-21"
    )
    assert (
        "利用終了日 2026-11-21 が今日（2026-11-22）より前です。"
        "利用終了日には今日（2026-11-22）以降の日付を指定してください"
    ) in result.stderr


def test_operator_change_takes_system_ids_in_any_case(reg: RegistryFactory) -> None:
    result = edit(reg, "operator", "change", "--operator", "TESTOP01", "--remove-system", "LOACUS")
    assert result.returncode == 0, result.stdout + result.stderr
    result = edit(reg, "operator", "change", "--operator", "TESTOP01", "--add-system", "LOACUS")
    assert result.returncode == 0, result.stdout + result.stderr
    text = (reg.root / "operators/TESTOP01.yaml").read_text(encoding="utf-8")
    assert "systems:\n  - taxis\n  - johs\n  - juju\n  - loacus\n" in text


def test_operator_change_takes_a_system_by_its_name_on_the_forms(reg: RegistryFactory) -> None:
    """The form lists 託送ロードカーブシステム（loacus）: either is the system it names."""
    change = ("operator", "change", "--operator", "TESTOP01")
    result = edit(reg, *change, "--remove-system", "託送ロードカーブシステム（loacus）")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loacus" not in (reg.root / "operators/TESTOP01.yaml").read_text(encoding="utf-8")
    result = edit(reg, *change, "--add-system", "託送ロードカーブシステム")
    assert result.returncode == 0, result.stdout + result.stderr
    text = (reg.root / "operators/TESTOP01.yaml").read_text(encoding="utf-8")
    assert "systems:\n  - taxis\n  - johs\n  - juju\n  - loacus\n" in text


def test_operator_change_refuses_an_unknown_system_as_a_bad_value(reg: RegistryFactory) -> None:
    result = bad_value(
        reg, "operator", "change", "--operator", "TESTOP01", "--add-system", "TAKUSO"
    )
    assert "TAKUSO is not a system one applies for: choose from taxis, johs" in result.stderr
    # A slip is pointed to the system meant; Japanese names each system as the form does.
    result = bad_value(reg, "--lang", "ja", "operator", "change", "--operator", "TESTOP01",
                       "--add-system", "taxsi")  # fmt: skip
    assert (
        "taxsi は申請できるシステムではありません（託送システム（taxis） ではありませんか）。"
        "託送システム（taxis）、託送情報開示システム（johs）、"
    ) in result.stderr
    assert "会員情報管理システム（member_portal） から選んでください" in result.stderr


def test_removing_what_is_not_there_says_what_is(reg: RegistryFactory) -> None:
    change = ("operator", "change", "--operator", "TESTOP01")
    result = refused(reg, *change, "--remove-system", "switching")
    assert (
        "Operator TESTOP01 has no systems switching to remove (it has taxis, johs, juju, "
        "loacus): check what to remove"
    ) in result.stderr
    result = refused(reg, *change, "--remove-subcontractor", "ZZZ")
    assert (
        "Operator TESTOP01 declares no subcontractor ZZZ (it declares TESTSUB1): check the "
        "subcontractor code"
    ) in result.stderr
    result = refused(reg, "ip", "remove", "--operator", "TESTOP01", "--cidr", "41.203.64.11")
    assert "no overseas address is allowed for it, so there is none to remove" in result.stderr


def test_an_operator_code_in_lower_case_is_pointed_to_its_spelling(reg: RegistryFactory) -> None:
    result = edit(reg, "ip", "remove", "--operator", "testop01", "--cidr", "41.203.64.11")
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        "There is no operator testop01: check the operator code (did you mean TESTOP01?)"
        in result.stderr
    )


def _contact(*extra: str) -> tuple[str, ...]:
    return (
        "contact", "add", "--operator", "TESTOP01", "--contact-name", "副 担当",
        "--contact-name-kana", "フク タントウ", "--contact-email", "deputy@test-gas.example.co.jp",
        "--contact-phone", "03-0000-0002", "--contact-github", "deputy-window", *extra,
    )  # fmt: skip


def test_contact_add_and_remove(reg: RegistryFactory) -> None:
    assert edit(reg, *_contact()).returncode == 0
    text = (reg.root / "operators/TESTOP01.yaml").read_text(encoding="utf-8")
    assert "  - role: deputy\n    name: 副 担当\n" in text
    result = edit(
        reg, "contact", "remove", "--operator", "TESTOP01", "--email",
        "deputy@test-gas.example.co.jp",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "deputy@" not in (reg.root / "operators/TESTOP01.yaml").read_text(encoding="utf-8")


def test_contact_refusals(reg: RegistryFactory) -> None:
    assert "(contact-primary)" in refused(reg, *_contact("--role", "primary")).stdout
    assert edit(reg, *_contact()).returncode == 0
    result = refused(
        reg, "contact", "remove", "--operator", "TESTOP01", "--email",
        "window1@test-gas.example.co.jp",
    )  # fmt: skip
    assert (
        "window1@test-gas.example.co.jp is the primary window person of TESTOP01, and an "
        "operator always has one: make a deputy the primary in the same change with "
        "`accessreg contact promote --operator TESTOP01 --email DEPUTY --former-primary leaves`"
    ) in result.stderr
    result = refused(
        reg, "contact", "remove", "--operator", "TESTOP01", "--email", "nobody@example.jp"
    )
    assert (
        "nobody@example.jp is not a window person of TESTOP01 (its window persons: "
        "window1@test-gas.example.co.jp, deputy@test-gas.example.co.jp): check the e-mail address"
    ) in result.stderr


def test_contact_replaces_the_primary_in_one_change(reg: RegistryFactory) -> None:
    result = edit(
        reg, *_contact("--role", "primary", "--replaces", "window1@test-gas.example.co.jp")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = (reg.root / "operators/TESTOP01.yaml").read_text(encoding="utf-8")
    assert "window1@" not in text and "  - role: primary\n    name: 副 担当\n" in text


def test_ip_add_normalises_renews_and_removes(reg: RegistryFactory) -> None:
    args = ("ip", "add", "--operator", "TESTOP01", "--cidr", "41.203.64.11")
    assert edit(reg, *args, "--reason", "海外拠点", "--expires-on", "2027-03-31").returncode == 0
    text = (reg.root / "operators/TESTOP01.yaml").read_text(encoding="utf-8")
    assert (
        "ip_allowlist:\n  - cidr: 41.203.64.11/32\n    reason: 海外拠点\n"
        "    expires_on: 2027-03-31\n" in text
    )
    assert edit(reg, *args, "--reason", "延長", "--expires-on", "2027-09-30").returncode == 0
    text = (reg.root / "operators/TESTOP01.yaml").read_text(encoding="utf-8")
    assert text.count("cidr:") == 1 and "expires_on: 2027-09-30" in text
    assert (
        edit(reg, "ip", "remove", "--operator", "TESTOP01", "--cidr", "41.203.64.11/32").returncode
        == 0
    )
    assert "ip_allowlist" not in (reg.root / "operators/TESTOP01.yaml").read_text(encoding="utf-8")


def test_ip_add_refuses_a_private_address_and_a_past_expiry(reg: RegistryFactory) -> None:
    result = refused(
        reg, "ip", "add", "--operator", "TESTOP01", "--cidr", "192.168.1.10/32", "--reason", "x",
        "--expires-on", "2027-01-01",
    )  # fmt: skip
    assert "(ip-allowlist-address)" in result.stdout
    result = bad_value(
        reg, "ip", "add", "--operator", "TESTOP01", "--cidr", "41.203.64.12", "--reason", "x",
        "--expires-on", "2026-01-01",
    )  # fmt: skip
    # Told on the entry, as the error of the application it is, and not again as a warning.
    assert (
        "The expiry date 2026-01-01 is before today (2026-11-22): give an expiry date of "
        "today (2026-11-22) or later (ip-allowlist-expired)"
    ) in result.stdout
    assert "1 error, 0 warnings" in result.stderr


def test_unknown_operator_is_refused(reg: RegistryFactory) -> None:
    before = snapshot(reg.repo)
    result = edit(reg, "ip", "remove", "--operator", "NOSUCH01", "--cidr", "41.203.64.11")
    assert result.returncode == 2  # a usage error: the operator named does not exist
    assert "There is no operator NOSUCH01: check the operator code" in result.stderr
    assert snapshot(reg.repo) == before


def test_the_notes_name_systems_roles_and_window_persons_as_the_forms_do(
    reg: RegistryFactory,
) -> None:
    ja = ("--lang", "ja")
    result = edit(reg, *ja, "operator", "change", "--dry-run", "--operator", "TESTOP01",
                  "--remove-system", "loacus", "--remove-role", "manufacturer",
                  "--add-subcontractor", "TESTSUB2", "テスト第二委託株式会社")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "  利用申請（変更）: TESTOP01: 事業者区分 - 製造事業者（manufacturer）、"
        "利用システム - 託送ロードカーブシステム（loacus）、"
        "委託先 + TESTSUB2 テスト第二委託株式会社"
    ) in result.stderr
    result = edit(reg, *ja, "contact", "add", "--dry-run", "--operator", "TESTOP01",
                  "--role", "deputy",
                  "--contact-name", "西村 葵", "--contact-name-kana", "ニシムラ アオイ",
                  "--contact-email", "aoi@test-gas.example.co.jp",
                  "--contact-phone", "03-0000-0103",
                  "--contact-github", "nishimura-aoi")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "  窓口責任者の追加: TESTOP01: 西村 葵 <aoi@test-gas.example.co.jp>（副担当）"
        in result.stderr
    )
    result = edit(reg, *ja, *NEW_OPERATOR, "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "  事業者の登録: NAGIGS01 なぎさガス株式会社（託送システム（taxis）、"
        "託送情報開示システム（johs））" in result.stderr
    )


def _listed_certificates(reg: RegistryFactory) -> None:
    """TESTOP01 with a certificate naming LOACUS among its systems and one naming none,
    its users holding no LOACUS."""
    reg.operator(certificates=[entry(1, systems=["taxis", "loacus"]), entry(2)])
    for user in reg.root.glob("users/TESTOP01/*.yaml"):
        text = user.read_text("utf-8")
        user.write_text("".join(ln for ln in text.splitlines(True) if "loacus" not in ln), "utf-8")


def test_giving_a_system_up_takes_it_from_the_certificates_that_name_it(
    reg: RegistryFactory,
) -> None:
    """A certificate is registered only for systems its operator uses (certificate-system):
    giving LOACUS up takes it from the list of a certificate naming it, in the same change
    (the whitelists keep it there until the change is done), and the registry stays valid;
    one naming no systems is left as it is. A usage-change form could not give it up."""
    _listed_certificates(reg)
    result = edit(reg, "operator", "change", "--operator", "TESTOP01", "--remove-system", "loacus")
    assert result.returncode == 0, result.stdout + result.stderr
    data = yaml.safe_load((reg.root / "operators/TESTOP01.yaml").read_text("utf-8"))
    assert [c.get("systems") for c in data["certificates"]] == [["taxis"], None]
    assert "loacus" not in data["systems"]
    told = result.stdout + result.stderr
    assert "EP-TEST-0001" in told and "loacus no longer registered" in told, told
    assert [p.rule for p in reg.validate().problems] == []


def test_a_certificate_registered_for_the_given_up_system_alone_is_refused(
    reg: RegistryFactory,
) -> None:
    """A certificate registered for the system alone would serve none: it goes first."""
    _listed_certificates(reg)
    reg.operator(certificates=[entry(1, systems=["loacus"]), entry(2)])
    result = refused(
        reg, "operator", "change", "--operator", "TESTOP01", "--remove-system", "loacus"
    )
    assert "EP-TEST-0001" in result.stdout + result.stderr
