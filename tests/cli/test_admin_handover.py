"""A change of the switching admin (002 §3.2.2) filed on one issue form: the current admin
named on the form gives up the admin ID the new one takes (issued new once, §3.2.1), and the
plan, the edit's note, the pull request, the delta rows and the 受付 mail all name one
利用権限の変更申請 with one date for both people. The command line files the same change
with `user add --replaces-admin`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.edithelp import snapshot
from tests.helpers.formbody import confirm, render, template
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import accessreg, deltas
from tests.helpers.regfactory import RegistryFactory, certificate, contact, run_cli

ADMIN = "user1@test-gas.example.co.jp"  # the switching admin (dr_admin)
NEXT = "next@test-gas.example.co.jp"
FILER = "window-1"  # the operator's primary window person
# Entered on a Friday, approved on the Saturday and merged that day: the centre counts the
# acceptance on Monday the 7th (000 §5-1 ②), an entry on its own day (§5-2 ①).
DAYS = (
    "--entered-on", "2026-12-04", "--accepted-on", "2026-12-05", "--merged-on", "2026-12-05",
    "--today", "2026-12-05",
)  # fmt: skip
ONE_DAY = "2026-12-05"


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    reg.switching_operator()
    for n in range(2, 6):  # one deletion among five IDs is no mass removal
        reg.user(email=f"user{n}@test-gas.example.co.jp", permissions={"switching": "dr_user"})
    made = GitRegistry(reg)
    made.commit("a demand-response contractor whose user1 is the switching admin")
    first = accessreg(
        made, "apply", "--out", str(tmp_path / "initial"), "--initial", "--confirm",
        "--today", "2026-12-01",
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    yield made
    made.close()


def _form(**over: str | None) -> str:
    answers: dict[str, Any] = {
        "operator": "TESTOP01",
        "email": NEXT,
        "name": "次田 次郎",
        "name_kana": "ツギタ ジロウ",
        "perm_switching": "管理者ID（需要抑制契約者）",
        "former_admin": ADMIN,
        "confirm": confirm("user-add"),
        **over,
    }
    return render("user-add", {k: v for k, v in answers.items() if v is not None})


def _from_issue(gr: GitRegistry, body: str) -> tuple[int, dict[str, Any]]:
    path = gr.path.parent / "body.md"
    path.write_text(body, encoding="utf-8")
    result = accessreg(
        gr, "from-issue", "--body", str(path), "--author", FILER, "--issue", "31",
        "--template", "user-add", "--today", "2026-12-04",
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize(
    ("keeps", "former_after"),
    [(None, None), ("ユーザID（需要抑制契約者）", "ユーザID（需要抑制契約者）")],
    ids=["admin-deleted", "admin-kept-as-user"],
)
def test_a_change_of_admin_filed_on_the_form_is_one_application_with_one_date(
    gr: GitRegistry, tmp_path: Path, keeps: str | None, former_after: str | None
) -> None:
    gr.branch("pr")
    code, out = _from_issue(gr, _form(former_admin_keeps=keeps))
    assert code == 0 and out["ok"], out
    assert out["title"] == "[TESTOP01] 利用権限の変更申請 / User permission change (#31)"
    assert "002 §3.2.2" in out["body"] and "002 §3.2.1" not in out["body"]
    assert [n.split(":")[0] for n in out["notes"]] == [
        "利用権限の変更（管理者の変更、旧管理者の ID を抹消）"
        if former_after is None
        else "利用権限の変更",
        "利用権限の変更（管理者の変更）",
    ], out["notes"]
    gr.commit("the change of admin, from issue 31")

    allowed = accessreg(
        gr, "authorize", "--base", "main", "--head", "pr", "--actor", FILER, "--format", "json",
        "--today", "2026-12-04",
    )  # fmt: skip
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr

    planned = accessreg(
        gr, "plan", "--base", "main", "--head", "pr", "--format", "json", "--actor", FILER,
        *DAYS,
    )  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    (operator,) = json.loads(planned.stdout)["operators"]
    assert operator["counts"] == {"permission_change": 2}
    assert operator["citations"] == {"permission_change": "002 §3.2.2"}
    items = {item["person"]["email"]: item for item in operator["items"]}
    assert set(items) == {ADMIN, NEXT}
    switching = [
        e for item in items.values() for e in item["effects"] if e["system"] == "switching"
    ]
    assert {e["effective"]["on"] for e in switching} == {ONE_DAY}, switching

    gr.checkout("main")
    gr.merge("pr")
    out_dir = tmp_path / "out"
    applied = accessreg(gr, "apply", "--out", str(out_dir), "--confirm", *DAYS)
    assert applied.returncode == 0, applied.stderr
    rows = deltas(out_dir, "switching")
    assert {row["メールアドレス（ID）"] for row in rows} == {ADMIN, NEXT}, rows
    assert {row["適用日"] for row in rows} == {ONE_DAY}, rows
    (mail,) = [m for m in written_mails(out_dir) if "【受付】" in str(m["Subject"])]
    assert str(mail["Subject"]).startswith("【受付】利用権限の変更申請")
    body = mail.get_content()
    dated = [line for line in body.splitlines() if "スイッチング支援システム（switching）" in line]
    assert len(dated) == 2 and all(ONE_DAY in line for line in dated), body
    assert "2026-12-07" not in "\n".join(dated)
    if former_after is not None:
        assert any(former_after in line for line in dated)
    # The switching codes are the catalog's keys, not a form's: the seeds' words alone.
    assert "dr_admin" not in body and "dr_user" not in body, body
    assert "管理者ID（需要抑制契約者）" in body


def test_the_new_admin_alone_is_refused_in_words_that_name_the_field(gr: GitRegistry) -> None:
    """The admin ID is issued new once (002 §3.2.1): the new admin without the current one
    giving it up is refused, and the refusal says what to file, never a key of the files."""
    code, out = _from_issue(gr, _form(former_admin=None))
    assert code == 1 and not out["ok"], out
    assert "「交代する管理者のメールアドレス」" in out["comment"]
    assert "admin_reissues" not in out["comment"]
    assert not (gr.reg.root / f"users/TESTOP01/{NEXT}.yaml").exists()


def test_a_former_admin_who_holds_no_admin_id_the_form_gives_is_refused(gr: GitRegistry) -> None:
    before = (gr.reg.root / f"users/TESTOP01/{ADMIN}.yaml").read_bytes()
    code, out = _from_issue(gr, _form(former_admin="user2@test-gas.example.co.jp"))
    assert code == 1 and not out["ok"], out
    assert "user2@test-gas.example.co.jp は、この申請で" in out["comment"]
    assert not (gr.reg.root / f"users/TESTOP01/{NEXT}.yaml").exists()
    assert (gr.reg.root / f"users/TESTOP01/{ADMIN}.yaml").read_bytes() == before


def test_a_user_form_left_at_the_former_admins_default_files_no_change_of_admin(
    gr: GitRegistry,
) -> None:
    """GitHub submits a dropdown at its first choice: a form naming no former admin, its
    dropdown left at ID を抹消する, is an ordinary permission set."""
    defaults = {
        item["id"]: item["attributes"]["options"][0]
        for item in template("user-add")["body"]
        if item["type"] == "dropdown" and item["attributes"].get("default") == 0
    }
    answers = {
        **defaults,
        "former_admin": None,
        "perm_switching": "ユーザID（需要抑制契約者）",
    }
    body = _form(**answers)
    code, out = _from_issue(gr, body)
    assert code == 0 and out["ok"], out
    assert out["title"].startswith("[TESTOP01] 利用権限の設定申請")
    assert (gr.reg.root / f"users/TESTOP01/{ADMIN}.yaml").exists()


# The form's new admin, on the command line.
ADD = (
    "user", "add", "--operator", "TESTOP01", "--email", NEXT, "--name", "次田 次郎",
    "--name-kana", "ツギタ ジロウ", "--switching", "dr_admin", "--today", "2026-12-04",
)  # fmt: skip


@pytest.mark.parametrize(
    ("keeps", "option"),
    # An issue filed while the form showed the catalog's key with its label still reads.
    [(None, ()), ("dr_user：ユーザID（需要抑制契約者）", ("--former-admin-keeps", "dr_user"))],
    ids=["admin-deleted", "admin-kept-as-user-on-the-former-form"],
)
def test_the_command_line_files_the_change_of_admin_the_form_files(
    gr: GitRegistry, keeps: str | None, option: tuple[str, ...]
) -> None:
    gr.branch("form")
    code, out = _from_issue(gr, _form(former_admin_keeps=keeps))
    assert code == 0 and out["ok"], out
    gr.commit("the change of admin, from the form")
    gr.branch("cli")
    result = accessreg(gr, *ADD, "--replaces-admin", ADMIN, *option)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "利用権限の変更（管理者の変更）" in result.stderr, result.stderr
    gr.commit("the change of admin, from the command line")
    assert gr.repo.git.diff("form", "cli") == ""  # the same files, byte for byte
    planned = accessreg(gr, "plan", "--base", "main", "--head", "cli", "--format", "json", *DAYS)
    assert planned.returncode == 0, planned.stderr
    (operator,) = json.loads(planned.stdout)["operators"]
    assert operator["counts"] == {"permission_change": 2}
    assert operator["citations"] == {"permission_change": "002 §3.2.2"}


OTHER = "admin@other-dr.example.co.jp"


def _other_operator(gr: GitRegistry) -> None:
    """OTHERDR1, another demand-response contractor, whose switching admin is OTHER."""
    gr.reg.operator(
        "OTHERDR1", roles=["demand_response"], systems=["switching"], subcontractors=None,
        contacts=[contact(n=2, email="window2@other-dr.example.co.jp", github="window-2")],
        certificates=[certificate(2, cn="OTHERDR1-PC02")],
    )  # fmt: skip
    gr.reg.user("OTHERDR1", OTHER, permissions={"switching": "dr_admin"})
    gr.commit("another operator")


@pytest.mark.parametrize(
    ("replaced", "says"),
    [
        (
            "nobody@test-gas.example.co.jp",
            "TESTOP01 に利用者 nobody@test-gas.example.co.jp はいないため、交代する管理者に"
            "できません",
        ),
        (
            "user2@test-gas.example.co.jp",
            "user2@test-gas.example.co.jp は、この申請で next@test-gas.example.co.jp に設定する"
            "管理者 ID を持っていません（registry/users/TESTOP01/user2@test-gas.example.co.jp"
            ".yaml）",
        ),
        (
            OTHER,
            # Told as an ID of nobody's: that it is OTHERDR1's is not the filer's to know.
            f"TESTOP01 に利用者 {OTHER} はいないため、交代する管理者にできません",
        ),
    ],
    ids=["no-such-admin", "not-an-admin", "another-operator"],
)
def test_the_command_line_refuses_an_admin_it_cannot_replace(
    gr: GitRegistry, replaced: str, says: str
) -> None:
    """Told in Japanese, where the e-mail given is (the user's own file), and who holds
    the admin ID now; another operator's user is not named as theirs; nothing written."""
    _other_operator(gr)
    before = snapshot(gr.reg.root)
    result = accessreg(gr, *ADD, "--replaces-admin", replaced)
    assert result.returncode == 1, result.stdout + result.stderr
    assert says in result.stderr, result.stderr
    assert "OTHERDR1" not in result.stderr, result.stderr
    assert f"（現在の管理者: {ADMIN}）" in result.stderr, result.stderr
    assert snapshot(gr.reg.root) == before


def test_what_the_replaced_admin_keeps_needs_the_admin_replaced(gr: GitRegistry) -> None:
    before = snapshot(gr.reg.root)
    result = accessreg(gr, *ADD, "--former-admin-keeps", "dr_user")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "--former-admin-keeps は --replaces-admin と一緒に指定してください" in result.stderr
    assert snapshot(gr.reg.root) == before


def test_another_operator_s_user_is_not_named_in_a_plain_directory_either(
    reg: RegistryFactory,
) -> None:
    """Outside a git checkout every file is read: the same refusal, naming nobody's file."""
    reg.switching_operator()
    reg.operator(
        "OTHERDR1", roles=["demand_response"], systems=["switching"], subcontractors=None,
        contacts=[contact(n=2, email="window2@other-dr.example.co.jp", github="window-2")],
        certificates=[certificate(2, cn="OTHERDR1-PC02")],
    )  # fmt: skip
    reg.user("OTHERDR1", OTHER, permissions={"switching": "dr_admin"})
    before = snapshot(reg.root)
    result = run_cli(*ADD, "--replaces-admin", OTHER.upper(), cwd=reg.repo)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"TESTOP01 に利用者 {OTHER.upper()} はいないため" in result.stderr, result.stderr
    assert "OTHERDR1" not in result.stderr, result.stderr
    assert snapshot(reg.root) == before


def test_a_user_already_there_takes_over_the_admin_id_with_user_change(gr: GitRegistry) -> None:
    user2 = "user2@test-gas.example.co.jp"
    result = accessreg(
        gr, "user", "change", "--operator", "TESTOP01", "--email", user2,
        "--switching", "dr_admin", "--replaces-admin", ADMIN, "--today", "2026-12-04",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "利用権限の変更（管理者の変更、旧管理者の ID を抹消）" in result.stderr, result.stderr
    assert not (gr.reg.root / f"users/TESTOP01/{ADMIN}.yaml").exists()
    text = (gr.reg.root / f"users/TESTOP01/{user2}.yaml").read_text(encoding="utf-8")
    assert "  switching: 'dr_admin'\n" in text


# The switching admin's ID suspended by the system's operator (001 p46, 002 §3.4.4), as a
# maintainer records it on main.
SUSPENDED_ON = "2026-12-02"
MAINTAINER = "uketsuke-sato"


def _suspend_admin(gr: GitRegistry) -> None:
    gr.reg.user(email=ADMIN, permissions={"switching": "dr_admin"}, suspended_on=SUSPENDED_ON)
    gr.commit("the system's operator suspends the admin's ID")


KEEPS = pytest.mark.parametrize(
    ("keeps", "option"),
    [(None, ()), ("dr_user：ユーザID（需要抑制契約者）", ("--former-admin-keeps", "dr_user"))],
    ids=["admin-deleted", "admin-kept-as-user"],
)
TOLD = (
    f"交代する管理者 {ADMIN} は利用停止中です（{SUSPENDED_ON} から、"
    f"registry/users/TESTOP01/{ADMIN}.yaml）"
)


@KEEPS
def test_a_suspended_admin_s_id_is_not_handed_on_from_the_form_or_the_command_line(
    gr: GitRegistry, keeps: str | None, option: tuple[str, ...]
) -> None:
    """Handing a suspended admin's ID on to another person would put it back in use: a
    lifting, which the system's operator decides (001 p46). The edit refuses it before
    anything else is judged, saying where the suspension is and what to do, and writes
    nothing, whether the former admin's ID goes or they stay as a user."""
    _suspend_admin(gr)
    before = snapshot(gr.reg.root)
    code, out = _from_issue(gr, _form(former_admin_keeps=keeps))
    assert code == 1 and not out["ok"], out
    assert TOLD in out["comment"], out["comment"]
    assert "先にシステムの運営者に停止の解除を依頼するか" in out["comment"], out["comment"]
    assert snapshot(gr.reg.root) == before
    result = accessreg(gr, *ADD, "--replaces-admin", ADMIN, *option)
    assert result.returncode == 1, result.stdout + result.stderr
    assert TOLD in result.stderr, result.stderr
    assert "--replaces-admin" in result.stderr, result.stderr
    assert snapshot(gr.reg.root) == before
    result = accessreg(
        gr, "user", "change", "--operator", "TESTOP01", "--email", "user2@test-gas.example.co.jp",
        "--switching", "dr_admin", "--replaces-admin", ADMIN, *option, "--today", "2026-12-04",
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert TOLD in result.stderr, result.stderr
    assert snapshot(gr.reg.root) == before


def _handed_on_by_hand(gr: GitRegistry, keeps: str | None) -> None:
    """The change of admin written in the files, as a pull request may: the new admin added,
    the suspended one deleted or kept as a user (still suspended)."""
    gr.branch("pr")
    gr.reg.user(email=NEXT, name="次田 次郎", name_kana="ツギタ ジロウ",
                permissions={"switching": "dr_admin"})  # fmt: skip
    if keeps is None:
        gr.remove(f"users/TESTOP01/{ADMIN}.yaml")
    else:
        gr.reg.user(email=ADMIN, permissions={"switching": keeps}, suspended_on=SUSPENDED_ON)
    gr.commit("the suspended admin's ID handed on")


@pytest.mark.parametrize("keeps", [None, "dr_user"], ids=["admin-deleted", "admin-kept-as-user"])
def test_only_a_maintainer_hands_a_suspended_admin_s_id_on_and_the_plan_flags_it(
    gr: GitRegistry, keeps: str | None
) -> None:
    """Written in the files, the change of admin passes admin-id-once (the ID is handed on,
    not issued again), but maintainer-fields refuses it to the window person: it lifts the
    suspension. A maintainer may file it; the plan asks the reviewer to check the system's
    operator decided so, as after a forced merge."""
    _suspend_admin(gr)
    _handed_on_by_hand(gr, keeps)
    new_admin = f"registry/users/TESTOP01/{NEXT}.yaml"
    asked = ("authorize", "--base", "main", "--head", "pr", "--format", "json",
             "--today", "2026-12-04")  # fmt: skip
    refused = accessreg(gr, *asked, "--actor", FILER)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    problems = json.loads(refused.stdout)["refused"]
    assert [(p["file"], p["rule"], p["level"]) for p in problems] == [
        (new_admin, "maintainer-fields", "error")
    ], [p["message"] for p in problems]
    assert f"{ADMIN} の ID は利用停止中です（{SUSPENDED_ON} から）" in problems[0]["message"]
    allowed = accessreg(gr, *asked, "--actor", MAINTAINER)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    if keeps is None:  # git sees the former admin's file renamed: one finding all the same
        assert "R" in gr.repo.git.diff("--name-status", "-M", "main", "pr").split()[0]

    taken = (
        f"{NEXT} は、利用停止中（{SUSPENDED_ON} から）の {ADMIN} からスイッチング支援システム"
        "（switching）の管理者 ID（dr_admin）を引き継ぎます"
    )
    assert any(taken in flag for flag in _flags(gr)), _flags(gr)

    # Handed on with the suspension, the ID stays stopped: nothing is lifted.
    gr.reg.user(email=NEXT, name="次田 次郎", name_kana="ツギタ ジロウ",
                permissions={"switching": "dr_admin"}, suspended_on=SUSPENDED_ON)  # fmt: skip
    gr.commit("the admin's ID handed on, suspended still")
    assert not [flag for flag in _flags(gr) if "を引き継ぎます" in flag], _flags(gr)


def _flags(gr: GitRegistry) -> list[str]:
    """The plan's flags on the pull request ``pr``."""
    planned = accessreg(gr, "plan", "--base", "main", "--head", "pr", "--format", "json", *DAYS)
    assert planned.returncode == 0, planned.stderr
    return [n["message"] for n in json.loads(planned.stdout)["notes"] if n["kind"] == "flag"]
