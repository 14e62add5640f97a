"""An applicant for OCCTO membership receiving its operator code (003 §2.2), on a real git
repository: the plan, the authorization, the import rows and the 受付 mail all describe one
operator continuing under its code, its users keeping their login IDs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import accessreg, deltas, state
from tests.helpers.regfactory import RegistryFactory, contact

KEY, CODE = "PROV-HOSHIZORA", "HOSHIZR1"
WINDOW = "hina.hoshino@hoshizora-denki.example.jp"
STAFF = "staff@hoshizora-denki.example.jp"
DAY = ["--today", "2026-12-03", "--accepted-on", "2026-12-03"]


def applicant(code: str, **over: Any) -> dict[str, Any]:
    return {
        "name": "ほしぞら電力株式会社",
        "roles": ["electricity_retailer"],
        "systems": ["member_portal"],
        "contacts": [contact(n=7, email=WINDOW, github="hoshino-hina")],
        "subcontractors": None,
        "membership": {"status": "provisional", "provisional_since": "2026-09-14"},
        **over,
    }


USERS = {WINDOW: "admin", STAFF: "user"}


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """The provisional applicant applied once, then a branch moving it to its code."""
    reg.operator(KEY, **applicant(KEY))
    for email, perm in USERS.items():
        reg.user(KEY, email, affiliation=KEY, permissions={"member_portal": perm})
    made = GitRegistry(reg)
    first = accessreg(made, "apply", "--out", str(tmp_path / "initial"), "--initial",
                      "--confirm", *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    made.branch("issued")
    made.move(f"operators/{KEY}.yaml", f"operators/{CODE}.yaml")
    member = {"status": "member", "member_since": "2026-12-01"}
    reg.operator(CODE, **applicant(CODE, occto_member=True, membership=member))
    for email, perm in USERS.items():
        made.move(f"users/{KEY}/{email}.yaml", f"users/{CODE}/{email}.yaml")
        reg.user(CODE, email, affiliation=CODE, permissions={"member_portal": perm})
    made.commit("the operator code is issued")
    yield made
    made.close()


def test_the_plan_shows_one_operator_continuing_under_its_code(gr: GitRegistry) -> None:
    shown = accessreg(gr, "plan", "--base", "main", "--head", "issued", "--format", "json",
                      *DAY[:2])  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    plan = json.loads(shown.stdout)
    assert [op["code"] for op in plan["operators"]] == [CODE]
    assert plan["counts"] == {"usage_change": 1, "permission_change": 2}
    (op,) = plan["operators"]
    head, *users = op["items"]
    assert (head["application"], head["action"]) == ("usage_change", "change")
    assert {"field": "code", "old": KEY, "new": CODE} in head["fields"]
    # Its users keep their IDs: no permission ends or starts, the affiliation follows.
    assert sorted(u["key"] for u in users) == sorted(USERS)
    for user in users:
        assert (user["application"], user["action"], user["effects"]) == (
            "permission_change",
            "change",
            [],
        )
        assert user["fields"] == [{"field": "affiliation", "old": KEY, "new": CODE}]
    # The membership is checked; no login ID is taken as another operator's.
    assert [n["subject"] for n in plan["notes"]] == [CODE]
    markdown = accessreg(gr, "plan", "--base", "main", "--head", "issued", "--format",
                         "markdown", *DAY[:2])  # fmt: skip
    assert markdown.returncode == 0, markdown.stderr
    text = markdown.stdout
    assert f"事業者コード {KEY} → {CODE}" in text
    assert f"所属事業者コード {KEY} → {CODE}" in text
    for wrong in ("利用申請（終了）", "利用者削除", "利用者追加", "既に", f"### {KEY}"):
        assert wrong not in text, wrong
    allowed = accessreg(gr, "authorize", "--base", "main", "--head", "issued",
                        "--actor", "hoshino-hina")  # fmt: skip
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    # Still checked by a maintainer, as the code it moves to, not as a new operator.
    said = f"{KEY} は事業者コード {CODE} に移ります。受付担当者は、このコードが申請者に"
    assert said in allowed.stdout and "新規事業者" not in allowed.stdout, allowed.stdout


def test_the_merge_provisions_and_tells_one_usage_change(gr: GitRegistry, tmp_path: Path) -> None:
    gr.checkout("main")
    merged = gr.merge("issued")
    out = tmp_path / "out"
    applied = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert applied.returncode == 0, applied.stderr
    rows = deltas(out, "member_portal")
    assert [(r["区分"], r["事業者コード"], r["所属事業者コード"], r["メールアドレス（ID）"],
             r["変更前権限コード"], r["権限コード"]) for r in rows] == [
        ("変更", CODE, CODE, email, perm, perm) for email, perm in sorted(USERS.items())
    ]  # fmt: skip
    (batch,) = [b for b in state(gr)["batches"].values() if b["head"] == merged]
    assert [(a["operator"], a["kinds"]) for a in batch["applications"]] == [
        (CODE, ["利用申請（変更）", "利用権限の変更申請"])
    ]
    (mail,) = written_mails(out)
    assert mail["To"].addresses[0].addr_spec == WINDOW
    assert mail["Subject"] == "【受付】利用申請（変更）・利用権限の変更申請（ほしぞら電力株式会社）"
    body = mail.get_content()
    assert f"事業者コード {KEY} → {CODE}、利用者の ID は変わりません" in body
    assert f"申請番号: {merged[:12]}/{CODE}" in body
    for wrong in ("抹消", "利用終了", "利用開始", "設定 "):
        assert wrong not in body, wrong


def test_a_suspension_does_not_fall_away_on_the_way_to_the_code(
    reg: RegistryFactory,
) -> None:
    """A window person moves their applicant to its code without its suspensions, the files
    written anew so that git sees no rename: the use of the member system and a user's ID
    stay suspended until a maintainer lifts them (001 p46), as when the files are renamed."""
    suspended = {"suspended_on": "2026-11-20", "reason": "不正利用の疑い"}
    reg.operator(KEY, **applicant(KEY, suspensions=[{"system": "member_portal", **suspended}]))
    for email, perm in USERS.items():
        over = {"suspended_on": suspended["suspended_on"]} if email == STAFF else {}
        reg.user(KEY, email, affiliation=KEY, permissions={"member_portal": perm}, **over)
    gr = GitRegistry(reg)
    try:
        gr.branch("issued")
        # A comment as long as the file keeps git from pairing the old and the new file.
        padding = "# " + "記入例 " * 400 + "\n"
        gr.remove(f"operators/{KEY}.yaml")
        member = {"status": "member", "member_since": "2026-12-01"}
        written = [reg.operator(CODE, **applicant(CODE, occto_member=True, membership=member))]
        for email, perm in USERS.items():
            gr.remove(f"users/{KEY}/{email}.yaml")
            written.append(
                reg.user(CODE, email, affiliation=CODE, permissions={"member_portal": perm})
            )
        for path in written:
            path.write_text(padding + path.read_text(encoding="utf-8"), encoding="utf-8")
        gr.commit("the operator code is issued, the suspensions left behind")
        moved = gr.repo.git.diff("--name-status", "-M", "-C", "main", "issued").split()
        assert "D" in moved and not any(s.startswith("R") for s in moved), moved
        refused = accessreg(gr, "authorize", "--base", "main", "--head", "issued",
                            "--actor", "hoshino-hina", "--format", "json")  # fmt: skip
        assert refused.returncode == 1, refused.stdout + refused.stderr
        errors = {(p["file"], p["rule"]) for p in json.loads(refused.stdout)["refused"]}
        assert errors == {
            (f"registry/operators/{CODE}.yaml", "maintainer-fields"),
            (f"registry/users/{CODE}/{STAFF}.yaml", "maintainer-fields"),
        }
        # Kept as they were, the suspensions move with the operator: allowed.
        kept = [{"system": "member_portal", **suspended}]
        written = [
            reg.operator(
                CODE, **applicant(CODE, occto_member=True, membership=member, suspensions=kept)
            ),
            reg.user(CODE, STAFF, affiliation=CODE, permissions={"member_portal": "user"},
                     suspended_on=suspended["suspended_on"]),
        ]  # fmt: skip
        for path in written:
            path.write_text(padding + path.read_text(encoding="utf-8"), encoding="utf-8")
        gr.commit("the suspensions kept")
        allowed = accessreg(gr, "authorize", "--base", "main", "--head", "issued",
                            "--actor", "hoshino-hina")  # fmt: skip
        assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    finally:
        gr.close()


def test_users_left_under_the_key_are_planned_not_hidden(gr: GitRegistry) -> None:
    """The operator file moves to its code but a user stays under the provisional key,
    promoted, and another is added there: no move of the whole operator, so the plan shows
    what happens to the key's users, and the login IDs that do leave for the code are
    refused as a move between two operators."""
    sneaky = "sneaky@hoshizora-denki.example.jp"
    gr.move(f"users/{CODE}/{STAFF}.yaml", f"users/{KEY}/{STAFF}.yaml")
    gr.reg.user(KEY, STAFF, affiliation=KEY, permissions={"member_portal": "admin"})
    gr.reg.user(KEY, sneaky, affiliation=KEY, permissions={"member_portal": "admin"})
    gr.commit("one user left behind, promoted, and one added there")
    shown = accessreg(gr, "plan", "--base", "main", "--head", "issued", "--format", "json",
                      *DAY[:2])  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    planned = {
        (op["code"], item["key"], item["action"])
        for op in json.loads(shown.stdout)["operators"]
        for item in op["items"]
    }
    assert {(KEY, STAFF, "change"), (KEY, sneaky, "add")} <= planned, planned
    refused = accessreg(gr, "authorize", "--base", "main", "--head", "issued",
                        "--actor", "hoshino-hina", "--format", "json")  # fmt: skip
    assert refused.returncode == 1, refused.stdout + refused.stderr
    rules = {(p["file"], p["rule"]) for p in json.loads(refused.stdout)["refused"]}
    assert (f"registry/users/{CODE}/{WINDOW}.yaml", "user-move") in rules, rules
