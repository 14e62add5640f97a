"""The deletion application prepared for IDs at the deleted stage (000 §5-7 留意事項)."""

from __future__ import annotations

from datetime import date

import yaml

from accessreg.scheduled.deletions import applications
from accessreg.scheduled.lastlogins import read
from accessreg.scheduled.stale import stale
from tests.helpers import githubmd
from tests.helpers.regfactory import ROOT, RegistryFactory


def test_one_application_per_operator(reg: RegistryFactory) -> None:
    reg.user(email="mixed_`id@test-gas.example.co.jp", permissions={"taxis": "1010"})
    reg.user(email="recent@test-gas.example.co.jp")
    reg.operator(
        "TESTOP02",
        roles=["gas_retailer", "electricity_retailer"],
        systems=["johs", "member_portal"],
        contacts=[
            {
                "role": "primary",
                "name": "窓口 二",
                "name_kana": "マドグチ ニ",
                "email": "w2@test-two.example.jp",
                "phone": "03-0000-0002",
                "github": "w-two",
            }
        ],
        subcontractors=[],
        membership={"status": "provisional", "provisional_since": "2025-12-01"},
    )
    reg.user(
        "TESTOP02",
        "both@test-two.example.jp",
        permissions={"johs": "J1010", "member_portal": "user"},
    )
    result = reg.validate()
    assert result.registry is not None
    export = read(
        (
            b"ID,last_login\n"
            b"user1@test-gas.example.co.jp,2025-01-01\n"
            b"Mixed_`ID@test-gas.example.co.jp,\n"
            b"recent@test-gas.example.co.jp,2026-05-01\n"
            b"both@test-two.example.jp,2025-02-01\n"
        ),
        "logins.csv",
    )
    added = {"users/TESTOP01/mixed_`id@test-gas.example.co.jp.yaml": date(2025, 3, 1)}
    judged = stale(result.registry, export, added, date(2026, 6, 1))
    reads: list[str] = []

    def reading(rel: str) -> bytes:
        reads.append(rel)
        return (reg.root / rel).read_bytes()

    apps = applications(judged, result.registry, reading)
    # The bodies need no file: the edits are made only when the branch asks for them.
    assert reads == []
    assert [(a.operator, a.branch) for a in apps] == [
        ("TESTOP01", "accessreg/stale-deletions/TESTOP01"),
        ("TESTOP02", "accessreg/stale-deletions/TESTOP02"),
    ]
    first, second = apps
    assert first.removals == (
        "users/TESTOP01/mixed_`id@test-gas.example.co.jp.yaml",
        "users/TESTOP01/user1@test-gas.example.co.jp.yaml",
    )
    assert first.edits == {}
    page = githubmd.render(first.body)
    assert "mixed_`id@test-gas.example.co.jp" in page.literal  # shown as written
    assert page.processed() == []
    # Never used: counted from the day the ID was issued, M+6 after the merge (000 §5-7 ※1).
    assert "（ログインなし）" in first.body and "2025-03-26" in first.body
    # The seed's day of deletion (000 §5-7), from the one table of the stages.
    assert "発行日）から210日を経過したIDを自動で抹消します" in first.body
    assert "recent@" not in first.body and "recent@" not in first.message
    # a user with another provider's permission keeps the file, without the deleted ones
    assert second.removals == ()
    assert second.edited == ("users/TESTOP02/both@test-two.example.jp.yaml",)
    (rel, content) = next(iter(second.edits.items()))
    assert reads == [rel]
    assert second.edits is second.edits  # made once
    assert rel == "users/TESTOP02/both@test-two.example.jp.yaml"
    assert content.startswith(b"# yaml-language-server:")
    assert yaml.safe_load(content)["permissions"] == {"member_portal": "user"}
    assert "member_portal は残す" in githubmd.render(second.body).shown


def test_the_commit_message_is_the_japanese_application(reg: RegistryFactory) -> None:
    """GitHub fills a pull request from a branch of one commit with the commit's subject
    and the rest of its message: the window person opens the application in Japanese, the
    suggested title and body, and nothing in it names a command (000 §5-7 留意事項)."""
    reg.user(email="b@test-gas.example.co.jp", permissions={"taxis": "1010"})
    result = reg.validate()
    assert result.registry is not None
    export = read(b"ID,last_login\nuser1@test-gas.example.co.jp,2025-01-01\n", "x.csv")
    judged = stale(result.registry, export, {}, date(2026, 6, 1))
    (app,) = applications(judged, result.registry, lambda rel: (reg.root / rel).read_bytes())
    assert app.message == f"{app.title}\n\n{app.body}"
    assert app.title == "TESTOP01: 長期未使用IDの抹消申請（1件）"
    assert "このブランチは毎日自動で更新されます。" in app.body and "accessreg" not in app.body
    # As the mail pointing to it says, and 000 §5-7 留意事項: the deletion is filed all the
    # same; going on needs a new setting beside it. Filed in the window person's name, it
    # asks no one to approve.
    going_on = "利用を続ける場合は、抹消申請とあわせて新規の設定申請（000 §5-1）が必要です。"
    assert going_on in app.body
    assert "承認" not in app.body
    mail = (ROOT / "tooling/accessreg/templates/mail-stale-ids.txt.j2").read_text("utf-8")
    assert "利用を続ける場合は、抹消申請とあわせて新規の設定申請が必要です。" in mail
    assert not any(line.startswith("#") for line in app.message.splitlines())
    page = githubmd.render(app.message.partition("\n\n")[2])
    assert "user1@test-gas.example.co.jp" in page.literal and "b@" not in app.message


def test_the_commit_message_lists_the_ids_and_references_nothing(reg: RegistryFactory) -> None:
    """The branch's commit lists the login IDs: one that reads as a reference to GitHub
    (``…gh-5@…``, an @ after ``=``) is written so that it links and notifies nothing, in the
    commit (GitHub reads references and closing keywords whatever the code spans) and in
    the pull request filled from it; the body shows them as written."""
    ids = ["fixes.gh-5@test-gas.example.co.jp", "a=@uketsuke-sato.example.jp"]
    for login in ids:
        reg.user(email=login, permissions={"taxis": "1010"})
    result = reg.validate()
    assert result.registry is not None
    export = read(f"ID,last_login\n{ids[0]},2025-01-01\n{ids[1]},2025-01-01\n".encode(), "x.csv")
    judged = stale(result.registry, export, {}, date(2026, 6, 1))
    (app,) = applications(judged, result.registry, lambda rel: (reg.root / rel).read_bytes())
    assert "| a=＠uketsuke-sato.example.jp |" in app.message
    assert "| `fixes.gh－5@test-gas.example.co.jp` |" in app.message
    assert not githubmd.REFERENCE.search(app.message) and "=@" not in app.message
    assert githubmd.render(app.message).processed() == []
    page = githubmd.render(app.body)
    assert all(login in page.literal for login in ids)  # the body shows them as written
