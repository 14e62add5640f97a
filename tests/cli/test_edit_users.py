"""`accessreg user add|change|remove`: written only when the whole registry stays valid."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from accessreg.files.loading import load
from accessreg.files.sources import DirectorySource
from tests.helpers import githubmd
from tests.helpers.edithelp import bad_value, edit, refused, says, snapshot
from tests.helpers.regfactory import ROOT, RegistryFactory, certificate, run_cli

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


NEW = "hanako.kimura@test-gas.example.co.jp"
NEW_FILE = f"users/TESTOP01/{NEW}.yaml"


def _add(*extra: str) -> tuple[str, ...]:
    return (
        "user",
        "add",
        "--operator",
        "TESTOP01",
        "--email",
        NEW,
        "--name",
        "木村 花子",
        "--name-kana",
        "キムラ ハナコ",
        *extra,
    )


def test_add_writes_a_canonical_file_that_validates(reg: RegistryFactory) -> None:
    result = edit(reg, *_add("--taxis", "1011", "--johs", "--memo", "需給管理"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"added: registry/{NEW_FILE}" in result.stdout
    assert (reg.root / NEW_FILE).read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../../../schemas/user.schema.json\n"
        f"email: {NEW}\n"
        "name: 木村 花子\n"
        "name_kana: キムラ ハナコ\n"
        "affiliation: TESTOP01\n"
        "permissions:\n"
        "  taxis: '1011'\n"
        "  johs: 'J1010'\n"
        "memo: 需給管理\n"
    )
    assert reg.validate().problems == []


def test_add_keeps_catalog_order_and_quotes_every_code(reg: RegistryFactory) -> None:
    result = edit(reg, *_add("--loacus", "02011", "--juju", "--taxis", "1010"))
    assert result.returncode == 0, result.stderr
    text = (reg.root / NEW_FILE).read_text(encoding="utf-8")
    assert "permissions:\n  taxis: '1010'\n  juju: 'granted'\n  loacus: '02011'\n" in text


def test_add_refuses_bad_email_characters(reg: RegistryFactory) -> None:
    bad = "木村hanako@test-gas.example.co.jp"
    result = refused(
        reg, "user", "add", "--operator", "TESTOP01", "--email", bad,
        "--name", "木村 花子", "--name-kana", "キムラ ハナコ", "--taxis", "1011",
    )  # fmt: skip
    assert "cannot hold 木 (U+6728), 村 (U+6751): write it with half-width letters" in result.stdout
    assert "(schema)" in result.stdout
    assert not (reg.root / "users/TESTOP01" / f"{bad}.yaml").exists()


def test_add_refuses_an_email_that_names_a_directory(reg: RegistryFactory) -> None:
    result = refused(
        reg, "user", "add", "--operator", "TESTOP01", "--email", "../../x@test-gas.example.co.jp",
        "--name", "木村 花子", "--name-kana", "キムラ ハナコ", "--taxis", "1011",
    )  # fmt: skip
    # The sentence validate gives: 「with one @」 would not say what is wrong with it.
    assert (
        "../../x@test-gas.example.co.jp: e-mail address (login ID) cannot hold / (U+002F): "
        "write it with half-width letters and digits"
    ) in result.stderr, result.stderr
    assert "with one @" not in result.stderr


@pytest.mark.parametrize("typed", ["", "  "], ids=["empty", "blank"])
def test_an_empty_email_is_named_as_missing(reg: RegistryFactory, typed: str) -> None:
    added = tuple(typed if a == NEW else a for a in _add("--taxis", "1011"))
    for args in (added, ("user", "remove", "--operator", "TESTOP01", "--email", typed)):
        result = refused(reg, *args)
        assert "No e-mail address was given: give the e-mail address" in result.stderr
        assert "cannot be a login ID" not in result.stderr


def test_add_without_a_name_or_a_permission_is_a_usage_error(reg: RegistryFactory) -> None:
    # As `--taxis 1110` (a code the option does not offer): the command was called wrongly.
    args = ("user", "add", "--operator", "TESTOP01", "--email", NEW)
    result = bad_value(reg, *args, "--taxis", "1011")
    assert "A new user needs --name, --name-kana: fill them in" in result.stderr
    result = bad_value(reg, *_add())
    assert "Choose at least one permission for the new user" in result.stderr


@pytest.mark.parametrize("where", ["outside", "nowhere", "no catalog"])
def test_a_permission_option_away_from_the_registry_says_where_the_registry_is(
    reg: RegistryFactory, tmp_path: Path, where: str
) -> None:
    """Run from the wrong directory, or given a wrong --registry, the command says so, not
    that the guide's permission option does not exist (click's answer without the catalog)."""
    away = tmp_path / "away"
    bare = away / "bare"
    bare.mkdir(parents=True)
    place = {"outside": (), "nowhere": ("--registry", str(away / "none")),
             "no catalog": ("--registry", str(bare))}[where]  # fmt: skip
    result = run_cli(*_add("--taxis", "1011"), *place, cwd=away)
    assert result.returncode == 2, result.stderr
    assert "--registry DIR" in result.stderr and "no such option" not in result.stderr.lower()
    assert list(away.rglob("*")) == [bare]  # nothing written anywhere


@pytest.mark.parametrize(
    ("code", "says_"),
    [
        ("１０１１", "'１０１１' is written in full-width characters: write 1011 in half-width"),
        ("1110", "1110 was abolished on 2022-01-24; its holders moved to 1011: write 1011"),
    ],
)
def test_a_code_refused_says_the_mistake_and_the_code_meant(
    reg: RegistryFactory, code: str, says_: str
) -> None:
    """A code typed with the input method on, or one the catalog abolished (its holders
    moved to 1011 on 2022-01-24, 000 §5-4), is named for what it is, with the code meant."""
    result = bad_value(reg, *_add("--taxis", code))
    assert says_ in result.stderr, result.stderr


def test_a_full_width_at_sign_is_named(reg: RegistryFactory) -> None:
    result = refused(
        reg, "user", "add", "--operator", "TESTOP01", "--email", "hanako＠test-gas.example.co.jp",
        "--name", "木村 花子", "--name-kana", "キムラ ハナコ", "--taxis", "1011",
    )  # fmt: skip
    # Told on the line of the file it would write, as validate tells it, beside any other.
    assert re.search(
        r"TESTOP01/hanako＠test-gas\.example\.co\.jp\.yaml:2:1: \[error\] .*has a full-width ＠: "
        r"write the e-mail address in half-width.*\(schema\)",
        result.stdout,
    ), result.stdout


def test_an_address_typed_in_full_width_is_named_with_the_one_meant(reg: RegistryFactory) -> None:
    """An input method left on: the address in half-width characters, not the pattern's
    rules for what may stand before and after the @."""
    typed = "ｈａｎａｋｏ@test-gas.example.co.jp"
    args = tuple(typed if a == NEW else a for a in _add("--taxis", "1011"))
    result = refused(reg, *args)
    assert (
        f"{typed} is written in full-width characters: write hanako@test-gas.example.co.jp "
        "in half-width ones (schema)"
    ) in result.stdout, result.stdout
    assert "must receive internet mail" not in result.stdout
    japanese = run_cli("--lang", "ja", *args, cwd=reg.repo)
    assert japanese.returncode == 1
    told = f"{typed} は全角で書かれています。半角で hanako@test-gas.example.co.jp と書いて"
    assert told in japanese.stdout, japanese.stdout


def test_add_refuses_a_code_the_operator_may_not_hold(reg: RegistryFactory) -> None:
    reg.operator(roles=["gas_retailer", "wheeling_client"])  # no manufacturer role
    result = refused(reg, *_add("--loacus", "03010"))
    assert re.search(rf"registry/{re.escape(NEW_FILE)}:\d+:\d+: \[error\] .*03010.*\(system-role\)",
                     result.stdout)  # fmt: skip


def test_add_refuses_a_system_the_operator_is_not_approved_for(reg: RegistryFactory) -> None:
    reg.operator(systems=["taxis", "johs"])
    result = refused(reg, *_add("--juju"))
    assert "(system-not-approved)" in result.stdout


def test_add_refuses_an_affiliation_outside_the_operator(reg: RegistryFactory) -> None:
    result = refused(reg, *_add("--taxis", "1011", "--affiliation", "OTHERSUB"))
    assert "The affiliation OTHERSUB is neither TESTOP01 nor one of its declared" in result.stdout
    assert "(affiliation)" in result.stdout


def test_add_accepts_a_declared_subcontractor(reg: RegistryFactory) -> None:
    result = edit(reg, *_add("--taxis", "1011", "--affiliation", "TESTSUB1"))
    assert result.returncode == 0, result.stdout
    assert "affiliation: TESTSUB1\n" in (reg.root / NEW_FILE).read_text(encoding="utf-8")


def _switching_operator(reg: RegistryFactory) -> None:
    reg.operator(
        "DRTEST01",
        roles=["demand_response"],
        systems=["switching"],
        subcontractors=None,
        contacts=[
            {
                "role": "primary",
                "name": "窓口 二号",
                "name_kana": "マドグチ ニゴウ",
                "email": "window@dr-test.example.co.jp",
                "phone": "06-0000-0001",
                "github": "dr-window",
            }
        ],
        certificates=[certificate(1, cn="DRTEST01-PC01")],
    )
    reg.user("DRTEST01", "admin@dr-test.example.co.jp", permissions={"switching": "dr_admin"})


def test_add_refuses_a_second_switching_admin(reg: RegistryFactory) -> None:
    _switching_operator(reg)
    result = refused(
        reg, "user", "add", "--operator", "DRTEST01", "--email", "second@dr-test.example.co.jp",
        "--name", "二番 目", "--name-kana", "ニバン メ", "--switching", "dr_admin",
    )  # fmt: skip
    assert "switching dr_admin is held by more than 1 users of DRTEST01" in result.stdout
    assert "[error]" in result.stdout
    assert "Nothing written: 1 error, 0 warnings" in result.stderr


def test_add_refuses_a_login_id_differing_only_in_case(reg: RegistryFactory) -> None:
    result = refused(
        reg, "user", "add", "--operator", "TESTOP01", "--email", "User1@Test-Gas.example.co.jp",
        "--name", "木村 花子", "--name-kana", "キムラ ハナコ", "--taxis", "1011",
    )  # fmt: skip
    assert "already a user of TESTOP01" in result.stderr


def test_sixth_juju_holder_is_a_warning_that_does_not_block(reg: RegistryFactory) -> None:
    for n in range(5):
        reg.user(email=f"juju{n}@test-gas.example.co.jp", permissions={"juju": "granted"})
    result = edit(reg, *_add("--juju"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[warning] juju granted is held by more than 5 users of TESTOP01 (permission-limit)" in (
        result.stdout
    )
    assert "1 warning: it does not block the application" in result.stderr
    assert (reg.root / NEW_FILE).exists()


def test_an_error_already_in_the_registry_blocks_and_is_named_as_such(
    reg: RegistryFactory,
) -> None:
    reg.user(email="stray@test-gas.example.co.jp", affiliation="NOSUCH01")
    result = refused(reg, *_add("--taxis", "1011"))
    assert "Errors already in the registry before this change" in result.stdout
    assert "stray@test-gas.example.co.jp.yaml" in result.stdout


def test_change_edits_only_what_is_named_and_keeps_comments(reg: RegistryFactory) -> None:
    original = (
        "# yaml-language-server: $schema=../../../schemas/user.schema.json\n"
        "# 2026-04 異動で需給管理部へ\n"
        "email: user1@test-gas.example.co.jp\n"
        "name: 試験 太郎   # 旧姓: 山田\n"
        "name_kana: シケン タロウ\n"
        "affiliation: TESTOP01\n"
        "permissions:\n"
        "  johs: J1010  # 開示\n"
        '  taxis: "1010"\n'
        "memo: 託送契約担当\n"
    )
    path = reg.write("users/TESTOP01/user1@test-gas.example.co.jp.yaml", original)
    result = edit(
        reg, "user", "change", "--operator", "TESTOP01", "--email", "user1@test-gas.example.co.jp",
        "--taxis", "1011", "--loacus", "02010",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_text(encoding="utf-8") == original.replace(
        'taxis: "1010"\n', "taxis: '1011'\n  loacus: '02010'\n"
    )
    assert "taxis 1010 (no update rights) → 1011 (update rights)" in result.stderr


def test_change_names_a_users_fields_as_the_user_form_does(reg: RegistryFactory) -> None:
    """利用者名（カナ）, 申請メモ: the 5-1 / 5-2 form's words, as the plan and the mails say."""
    result = edit(
        reg, "--lang", "ja", "user", "change", "--operator", "TESTOP01",
        "--email", "user1@test-gas.example.co.jp", "--name-kana", "シケン ジロウ",
        "--memo", "需給管理",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "利用者名（カナ）を変更、申請メモを変更" in result.stderr, result.stderr


def test_change_none_removes_a_permission(reg: RegistryFactory) -> None:
    result = edit(
        reg, "user", "change", "--operator", "TESTOP01", "--email", "user1@test-gas.example.co.jp",
        "--johs", "none",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = (reg.root / "users/TESTOP01/user1@test-gas.example.co.jp.yaml").read_text("utf-8")
    assert "johs" not in text
    assert "taxis: '1011'" in text


def test_change_refuses_to_remove_a_permission_the_user_does_not_hold(
    reg: RegistryFactory,
) -> None:
    """A system or a user mixed up: told, with the rest of the change left undone, as a
    removal of anything else the registry does not hold is."""
    result = refused(
        reg, "user", "change", "--operator", "TESTOP01", "--email", "user1@test-gas.example.co.jp",
        "--taxis", "1010", "--loacus", "none",
    )  # fmt: skip
    assert "user1@test-gas.example.co.jp holds no permission of loacus to remove" in (result.stderr)


def test_change_refuses_to_leave_no_permission(reg: RegistryFactory) -> None:
    result = refused(
        reg, "user", "change", "--operator", "TESTOP01", "--email", "user1@test-gas.example.co.jp",
        "--johs", "none", "--taxis", "none",
    )  # fmt: skip
    assert "apply for a permission deletion (利用権限の抹消申請) instead" in result.stderr


def test_change_refuses_an_unknown_user_and_a_no_op(reg: RegistryFactory) -> None:
    result = refused(
        reg, "user", "change", "--operator", "TESTOP01", "--email", "nobody@test-gas.example.co.jp",
        "--taxis", "1010",
    )  # fmt: skip
    assert "has no user nobody@test-gas.example.co.jp" in result.stderr
    result = refused(
        reg, "user", "change", "--operator", "TESTOP01", "--email", "user1@test-gas.example.co.jp",
        "--taxis", "1011",
    )  # fmt: skip
    assert "Nothing changes: the registry already says this" in result.stderr


def test_change_refuses_an_affiliation_outside_the_operator(reg: RegistryFactory) -> None:
    result = refused(
        reg, "user", "change", "--operator", "TESTOP01", "--email", "user1@test-gas.example.co.jp",
        "--affiliation", "ELSEWHR1",
    )  # fmt: skip
    assert "(affiliation)" in result.stdout


def test_remove_deletes_the_file_whatever_the_case_of_the_email(reg: RegistryFactory) -> None:
    before = snapshot(reg.repo)
    result = edit(
        reg, "user", "remove", "--operator", "TESTOP01", "--email", "USER1@test-gas.example.co.jp"
    )
    assert result.returncode == 0, result.stderr
    after = snapshot(reg.repo)
    assert set(before) - set(after) == {"registry/users/TESTOP01/user1@test-gas.example.co.jp.yaml"}
    assert all(after[k] == before[k] for k in after)
    # Named as the deletion form names the user: 氏名 and the e-mail, as the file writes them.
    assert "  user deletion: 試験 太郎 <user1@test-gas.example.co.jp> (TESTOP01)\n" in (
        result.stderr
    )


def test_dry_run_writes_nothing(reg: RegistryFactory) -> None:
    before = snapshot(reg.repo)
    result = edit(reg, *_add("--taxis", "1011", "--dry-run"))
    assert result.returncode == 0, result.stderr
    assert f"would add: registry/{NEW_FILE}" in result.stdout
    assert snapshot(reg.repo) == before
    # The diff it would write, read back: the new file as --dry-run shows it is the file
    # the same command then writes.
    diff = result.stdout.split("\n", 1)[1]
    assert diff.startswith(f"--- /dev/null\n+++ b/registry/{NEW_FILE}\n@@ ")
    shown = "".join(
        ln[1:] + "\n" for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")
    )
    assert "Would be written (nothing is, with --dry-run)" in result.stderr
    assert (
        "  new user: 木村 花子 <hanako.kimura@test-gas.example.co.jp> (TESTOP01): "
        "taxis 1011 (update rights)" in result.stderr
    )
    assert " added" not in result.stderr
    written = edit(reg, *_add("--taxis", "1011"))
    assert written.returncode == 0, written.stderr
    assert (reg.root / NEW_FILE).read_text(encoding="utf-8") == shown
    assert "Written, the application's items:" in written.stderr


def test_dry_run_of_a_change_shows_the_lines_that_change(reg: RegistryFactory) -> None:
    result = edit(reg, "user", "change", "--operator", "TESTOP01", "--email",
                  "user1@test-gas.example.co.jp", "--taxis", "1010", "--dry-run")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "-  taxis: '1011'\n+  taxis: '1010'\n" in result.stdout
    assert "would modify: registry/users/TESTOP01/user1@test-gas.example.co.jp.yaml" in (
        result.stdout
    )
    japanese = run_cli("--lang", "ja", "user", "change", "--operator", "TESTOP01", "--email",
                       "user1@test-gas.example.co.jp", "--taxis", "1010", "--dry-run",
                       "--today", "2026-11-22", cwd=reg.repo)  # fmt: skip
    assert "変更する予定: registry/users/TESTOP01/user1@test-gas.example.co.jp.yaml" in (
        japanese.stdout
    )
    assert "書き込む予定の申請項目（--dry-run のため何も書き込んでいません）:" in japanese.stderr
    assert (
        "利用権限の変更: 試験 太郎 <user1@test-gas.example.co.jp>（TESTOP01）: "
        "託送システム（taxis） 1011（更新権限あり） → 1010（更新権限なし）" in japanese.stderr
    )


def test_help_lists_the_catalogs_codes_and_no_derived_system(reg: RegistryFactory) -> None:
    catalog = reg.root / "systems.yaml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace(
            "      - {code: J1010, label: 権限あり, label_en: granted}\n",
            "      - {code: J1010, label: 権限あり, label_en: granted}\n"
            "      - {code: J2020, label: 試行権限, label_en: trial}\n",
        ),
        encoding="utf-8",
    )
    result = edit(reg, "user", "add", "--help")
    assert result.returncode == 0, result.stderr
    page = result.stdout
    assert says(page, "1010 更新権限なし; 1011 更新権限あり; 1012 更新権限あり（業務限定あり）")
    assert says(page, "J1010 権限あり; J2020 試行権限")
    assert "--member-portal" in page and says(page, "admin 管理者ユーザ")
    assert "1110" not in page  # abolished
    assert "--info-site" not in page and "--admin-console" not in page
    assert says(edit(reg, "user", "change", "--help").stdout, "none: remove the permission")


def test_each_invocation_gets_the_options_of_its_own_catalog(tmp_path: Path) -> None:
    """Two registries with different catalogs, edited in one process, one after the other:
    the codes of the first must not leak into the second's options."""
    first, second = RegistryFactory(tmp_path / "a"), RegistryFactory(tmp_path / "b")
    catalog = first.root / "systems.yaml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace(
            "      - {code: J1010, label: 権限あり, label_en: granted}\n",
            "      - {code: J1010, label: 権限あり, label_en: granted}\n"
            "      - {code: J2020, label: 試行権限, label_en: trial}\n",
        ),
        encoding="utf-8",
    )
    assert "J2020" in edit(first, "user", "add", "--help").stdout
    assert "J2020" not in edit(second, "user", "add", "--help").stdout
    refused_code = edit(second, *_add("--johs", "J2020"))
    assert refused_code.returncode == 2, refused_code.stdout + refused_code.stderr
    assert "J2020" in refused_code.stderr


def _documented_user_commands() -> list[tuple[str, list[str]]]:
    """The `accessreg user …` examples of README and the window guide, as shown on GitHub
    (continued lines joined), each with its page's name."""
    found = []
    for page in (ROOT / "README.md", ROOT / "docs" / "guide-window.md"):
        for block in githubmd.render(page.read_text(encoding="utf-8")).blocks:
            for line in block.replace("\\\n", " ").splitlines():
                if line.startswith("accessreg user "):
                    found.append((page.name, shlex.split(line, comments=True)[1:]))
    return found


def test_the_documented_examples_change_every_system_they_name(tmp_path: Path) -> None:
    """Run on the sample registry, each example of the pages changes what it names: an
    option such as --loacus none given for a user who holds no LOACUS would change nothing,
    silently, and teach nothing."""
    for part in ("registry", "schemas"):
        shutil.copytree(ROOT / part, tmp_path / part)
    registry = load(DirectorySource(ROOT / "registry")).registry
    assert registry is not None
    systems = [s.id for s in registry.catalog.systems]
    commands = _documented_user_commands()
    assert {args[1] for _, args in commands} >= {"add", "change", "remove"}
    for page, args in commands:
        result = run_cli(*args, "--dry-run", "--today", "2026-11-22", cwd=tmp_path)
        assert result.returncode == 0, f"{page}: {args}: {result.stderr}"
        items = result.stderr.partition("the application's items:")[2]
        assert items.strip(), f"{page}: {args} changes nothing"
        named = [s for s in systems if f"--{s.replace('_', '-')}" in args]
        for system in named:
            assert re.search(rf"\b{system} ", items), f"{page}: {args} leaves {system} as it was"
