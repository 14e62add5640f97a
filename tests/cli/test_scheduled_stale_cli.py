"""Long-unused IDs over a timeline: one digest per operator and stage, drift once, and the
deletion application's branch created once, updated, and dropped once merged."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from accessreg import i18n
from accessreg.escape import terminal
from accessreg.scheduled import report
from tests.helpers import githubmd
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import body_text, mail
from tests.helpers.provisioning import read_csv
from tests.helpers.regfactory import RegistryFactory, run_cli
from tests.helpers.scheduled_scenario import (
    REVIEWERS,
    WINDOW1,
    WINDOW2,
    commit_on,
    dated,
    mail_server,
    refs,
    run_duties,
    scenario,
    summary,
    take,
)
from tests.helpers.servers import free_port
from tests.helpers.smtpserver import Mailbox, smtp_env, smtp_server

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


BRANCH = "accessreg/stale-deletions/TESTOP01"
U1 = "user1@test-gas.example.co.jp"
B = "b@test-gas.example.co.jp"
C = "c@test-gas.example.co.jp"
W1 = "ログインのないIDがあります（警告1：120日"
W2 = "ログインのないIDがあります（警告2：150日"
LOCKED = "IDがロックされました（ロック：180日"
DELETED = "IDが抹消されました。抹消申請をお願いします（抹消：210日"
DRIFT = "【長期未使用ID】登録簿にないIDが認証システムにあります（1件）"


def _export(tmp: Path) -> Path:
    path = tmp / "last-logins.csv"
    text = (
        "ユーザID,氏名,最終ログイン日時\r\n"
        f"{U1.upper()},試験,2026/04/01 08:12:00\r\n"  # IDs differing in case are one ID
        f"{B},試験,2026-04-02T09:00:00+09:00\r\n"
        f"{C},試験,\r\n"  # never used: counted from the day its ID was issued
        "Ghost@test-gas.example.co.jp,不明,2026/06/01\r\n"  # not in the registry: drift
    )
    path.write_bytes(text.encode("cp932"))
    return path


def _window(*stages: str) -> list[tuple[str, str]]:
    return sorted((to, s) for s in stages for to in (WINDOW1, WINDOW2))


def _subjects(messages: list[object]) -> list[tuple[str, str]]:
    """(recipient, the distinctive part of the subject)."""
    found = []
    for to, subject in summary(messages):  # type: ignore[arg-type]
        key = next((k for k in (W1, W2, LOCKED, DELETED, DRIFT) if k in subject), subject)
        found.append((to, key))
    return sorted(found)


def test_timeline(reg: RegistryFactory, tmp_path: Path) -> None:
    reg.user(email=B, permissions={"taxis": "1010"})
    g = dated(scenario(reg), date(2026, 1, 5))
    reg.user(email=C, permissions={"johs": "J1010"})
    # Added on 10 April: M = 16 April, the ID issued six business days later, on 24 April
    # (000 §5-1): c is counted from then (000 §5-7 ※1).
    commit_on(g, "add c", date(2026, 4, 10))
    export = _export(tmp_path)
    sink = Mailbox()
    ids: list[str] = []

    def day(d: date) -> list[tuple[str, str]]:
        result = run_duties(g, ("stale",), d, env, last_logins=export)
        got = take(sink)
        ids.extend(str(m["Message-ID"]) for m in got)
        assert result.problems == ()
        return _subjects(got)

    with mail_server(sink) as env:
        assert day(date(2026, 7, 29)) == sorted((r, DRIFT) for r in REVIEWERS)  # 119 days
        assert day(date(2026, 7, 30)) == _window(W1)  # user1: 120 days
        assert day(date(2026, 7, 30)) == []
        assert day(date(2026, 7, 31)) == _window(W1)  # b: 120 days, user1 not again
        assert day(date(2026, 8, 29)) == _window(W1, W2)  # c 127 (never used), user1 150
        # the job was down for two months: each ID gets its current stage only
        assert day(date(2026, 10, 28)) == _window(LOCKED, DELETED)
        assert refs(g, "refs/heads/accessreg/") == [f"refs/heads/{BRANCH}"]
        first_tip = g.rev(BRANCH)
        assert day(date(2026, 10, 28)) == []
        assert g.rev(BRANCH) == first_tip  # unchanged, not made again
        assert day(date(2026, 10, 29)) == _window(DELETED)  # b: 210 days
    assert len(ids) == len(set(ids))  # no message twice

    # one branch, one commit on main, removing both files
    assert refs(g, "refs/heads/accessreg/") == [f"refs/heads/{BRANCH}"]
    tip = g.repo.commit(BRANCH)
    assert [p.hexsha for p in tip.parents] == [g.rev("main")]
    # the pull request GitHub fills from it is the application, in Japanese
    assert str(tip.message).startswith("TESTOP01: 長期未使用IDの抹消申請（2件）\n\n事業者: ")
    changed = {(d.change_type, d.a_path) for d in g.repo.commit("main").diff(tip)}
    assert changed == {
        ("D", f"registry/users/TESTOP01/{U1}.yaml"),
        ("D", f"registry/users/TESTOP01/{B}.yaml"),
    }
    assert g.repo.head.reference.name == "main" and not g.repo.is_dirty()

    # the window person merges the application: nothing is left to propose; the
    # authentication system has deleted the IDs, so its export no longer lists them
    g.merge(BRANCH)
    lines = export.read_bytes().decode("cp932").splitlines(keepends=True)
    kept = [li for li in lines if not li.lower().startswith((U1, B))]
    export.write_bytes("".join(kept).encode("cp932"))
    with mail_server(sink) as env:
        assert day(date(2026, 10, 30)) == []
    assert refs(g, "refs/heads/accessreg/") == []


def test_the_digest_lists_ids_and_their_deadlines(reg: RegistryFactory, tmp_path: Path) -> None:
    g = scenario(reg)
    sink = Mailbox()
    with mail_server(sink) as env:
        run_duties(g, ("stale",), date(2026, 9, 1), env, last_logins=_export(tmp_path))
    digests = [m for m in sink.received if "警告2" in str(m["Subject"])]
    body = digests[0].get_body().get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert f"{U1}\n" in body and "最終ログイン: 2026-04-01、経過 153 日" in body
    assert "2026-09-27 までにログインしない場合、ロックされます" in body  # the seed's ※3
    assert "Ghost" not in body  # drift goes to the reviewers only


def test_unreadable_rows_are_reported_by_line(reg: RegistryFactory, tmp_path: Path) -> None:
    g = scenario(reg)
    export = tmp_path / "logins.csv"
    export.write_text(f"id,last_login\n{U1},2026-04-01\n{B},01/04/2026\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ("stale", "--last-logins", str(export), "--today", "2026-09-01", "--out", str(out))
    result = run_cli(*args, cwd=g.path)
    assert result.returncode == 0, result.stderr
    assert f"{export}:3:0: [warning] The last login 01/04/2026 is not a date" in result.stderr
    assert (out / "stale.csv").exists()
    strict = run_cli(*args[:-1], str(tmp_path / "strict"), "--strict", cwd=g.path)
    assert strict.returncode == 1 and ":3:0:" in strict.stderr
    assert not (tmp_path / "strict").exists()  # refused: nothing written


def test_a_bad_header_is_a_clear_error(reg: RegistryFactory, tmp_path: Path) -> None:
    g = scenario(reg)
    export = tmp_path / "logins.csv"
    export.write_text("name,when\nx,2026-01-01\n", encoding="utf-8")
    args = ("stale", "--last-logins", str(export), "--today", "2026-09-01")
    result = run_cli(*args, "--out", str(tmp_path / "out"), cwd=g.path)
    assert result.returncode == 2 and "no ID column" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_dry_run_writes_the_application_and_moves_no_branch(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    g = scenario(reg)
    out = tmp_path / "out"
    export = _export(tmp_path)
    args = ("stale", "--last-logins", str(export), "--today", "2026-10-28", "--out", str(out))
    result = run_cli(*args, cwd=g.path)
    assert result.returncode == 0, result.stderr
    summary_json = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary_json["deletion_applications"] == [
        {
            "operator": "TESTOP01",
            "branch": BRANCH,
            "title": "TESTOP01: 長期未使用IDの抹消申請（1件）",
            "body": "stale-deletions/TESTOP01.md",
            "ids": 1,
        }
    ]
    body = (out / "stale-deletions/TESTOP01.md").read_text(encoding="utf-8")
    assert "| `user1@test-gas.example.co.jp` | 2026-04-01 | 2026-04-01 | 2026-10-28 |" in body
    assert refs(g, "refs/heads/accessreg/") == [] and refs(g, "refs/accessreg/") == []
    drift = (out / "stale-drift.csv").read_text(encoding="utf-8-sig").splitlines()
    assert drift[1:] == [  # only user1 is registered here
        f"{B},2026-04-02,3",
        f"{C},,4",
        "Ghost@test-gas.example.co.jp,2026-06-01,5",
    ]


HOSTILE_NAME = "青葉ガス @uketsuke-sato :smile: www.evil.example #1 $x^2$ GH-2"


def test_the_application_shows_the_operators_name_as_written_and_acts_on_nothing(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """The suggested pull-request body is markdown: the operator's name (which validates
    clean) neither mentions, references, links nor renders as anything but itself."""
    g = scenario(reg, name=HOSTILE_NAME)
    out = tmp_path / "out"
    args = ("--last-logins", str(_export(tmp_path)), "--today", "2026-10-28", "--out", str(out))
    result = run_cli("stale", *args, cwd=g.path)
    assert result.returncode == 0, result.stderr
    body = (out / "stale-deletions/TESTOP01.md").read_text(encoding="utf-8")
    page = githubmd.render(body)
    assert page.processed() == []  # no @mention, #reference or :emoji:
    assert "a" not in page.tags and "img" not in page.tags
    assert f"事業者: TESTOP01 {terminal(HOSTILE_NAME)}" in page.shown
    assert U1 in page.literal and "\\" not in body  # as written, no backslash left over


def test_the_job_log_says_what_became_of_the_branch_in_japanese(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    g = scenario(reg)
    export = _export(tmp_path)
    line = f"  ブランチ {BRANCH}: "
    sink = Mailbox()
    with mail_server(sink) as env, i18n.using("ja"):
        made = run_duties(g, ("stale",), date(2026, 10, 28), env, last_logins=export)
        assert f"{line}作成しました\n" in report.text(made, None)
        again = run_duties(g, ("stale",), date(2026, 10, 28), env, last_logins=export)
        assert f"{line}変更なし\n" in report.text(again, None)
        export.write_text("ID,last_login\n", encoding="utf-8")  # nothing left to delete
        g.merge(BRANCH)
        dropped = run_duties(g, ("stale",), date(2026, 10, 29), env, last_logins=export)
        shown = report.text(dropped, None)
    assert f"{line}削除しました（抹消申請の対象のIDがなくなったため）\n" in shown


def test_an_id_deleted_by_the_system_stays_in_the_application(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    g = scenario(reg)
    export = tmp_path / "logins.csv"
    sink = Mailbox()
    with mail_server(sink) as env:
        export.write_text(f"ID,last_login\n{U1},2026-04-01\n", encoding="utf-8")
        run_duties(g, ("stale",), date(2026, 9, 28), env, last_logins=export)  # locked
        assert _subjects(take(sink)) == _window(LOCKED)
        # at 210 days the authentication system deletes the ID: the export drops it
        export.write_text("ID,last_login\n", encoding="utf-8")
        result = run_duties(g, ("stale",), date(2026, 10, 28), env, last_logins=export)
        assert _subjects(take(sink)) == _window(DELETED)
    (user,) = result.applications[0].users
    assert (user.login_id, user.basis) == (U1, "remembered")
    assert refs(g, "refs/heads/accessreg/") == [f"refs/heads/{BRANCH}"]


def test_an_id_never_used_is_counted_from_its_issue_date(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """000 §5-7 ※1: 「IDを発行した日を起点とします」 — the mail names that day the issue
    date, the day the ID was registered (M+6, 000 §5-1), not the day of the merge."""
    g = dated(scenario(reg), date(2026, 1, 5))
    reg.user(email=C, permissions={"johs": "J1010"})
    commit_on(g, "add c", date(2026, 4, 10))
    sink = Mailbox()
    with mail_server(sink) as env:
        run_duties(g, ("stale",), date(2026, 8, 29), env, last_logins=_export(tmp_path))
    [digest] = [m for m in sink.received if "警告1" in str(m["Subject"])][:1]
    body = digest.get_body().get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert f"{C}\n   最終ログイン: なし（発行日 2026-04-24 から起算）、経過 127 日" in body
    # Every stage of the seed's schedule (000 §5-7), from the one table the count reads.
    assert "120日で警告1、150日で警告2、180日でロック、210日で抹消を行います（000 §5-7）" in body


def test_an_id_a_first_apply_loaded_is_counted_from_the_load(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """A first apply loads the registry as it stands: every ID it loads is issued on its
    day, as its 受付 mails' 利用開始 say (not an M+6 or M+9 of 000 §5-1 counted from when
    the files were committed, 12/3: a load is not the centre's processing). The state
    records that day (the first batch's); stale counts an ID never used from it."""
    reg.user(email=C, permissions={"juju": "granted"})  # M+9 were it an application
    gr = GitRegistry(reg)
    try:
        load = "2026-12-05"
        first = run_cli("apply", "--out", str(tmp_path / "initial"), "--initial", "--confirm",
                        "--today", load, cwd=gr.path)  # fmt: skip
        assert first.returncode == 0, first.stderr
        accepted = [_read_mail(p) for p in (tmp_path / "initial/mail").glob("*-accepted-*.eml")]
        assert accepted and all(f"利用開始 {load}" in text for text in accepted)
        export = tmp_path / "logins.csv"
        export.write_text(f"ID,last_login\n{U1},\n{C},\n", encoding="utf-8")
        out = tmp_path / "stale"
        day = "2027-04-04"  # 120 days after the load
        ran = run_cli("stale", "--last-logins", str(export), "--out", str(out),
                      "--today", day, cwd=gr.path)  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        rows = {r["メールアドレス（ID）"]: r for r in read_csv(out / "stale.csv")}
        for login in (U1, C):
            found = (rows[login]["起算日"], rows[login]["起算日の根拠"], rows[login]["段階"])
            assert found == (load, "発行日", "警告1"), login
        (digest,) = {_read_mail(p) for p in (out / "mail").glob("*.eml") if U1 in _read_mail(p)}
        assert f"最終ログイン: なし（発行日 {load} から起算）、経過 120 日" in digest
    finally:
        gr.close()


def _read_mail(path: Path) -> str:
    return body_text(mail(path.read_bytes()))


def test_a_missing_smtp_setting_holds_back_no_deletion_application(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """``daily --send`` with a secret missing does what it does with the server down: the
    deletion application's branch is proposed, the outputs written, nothing is sent, and
    the run ends red naming the setting; the digests go out with the next run once set."""
    reg.user(email=B, permissions={"taxis": "1010"})
    g = dated(scenario(reg), date(2026, 1, 5))
    export = _export(tmp_path)
    sink = Mailbox()
    daily = ("daily", "--send", "--last-logins", str(export), "--today", "2026-10-28")
    with mail_server(sink) as env:
        out = tmp_path / "out"
        unset = {**env, "ACCESSREG_SMTP_HOST": ""}
        failed = run_cli(*daily, "--out", str(out), cwd=g.path, env=unset)
        assert failed.returncode == 2, failed.stderr
        assert "Sending mail needs ACCESSREG_SMTP_HOST" in failed.stderr
        assert "the next scheduled run once it is set" in failed.stderr
        assert sink.received == []
        assert refs(g, "refs/heads/accessreg/") == [f"refs/heads/{BRANCH}"]
        assert (out / "stale.csv").is_file()

        again = run_cli(*daily, cwd=g.path, env=env)
        assert again.returncode == 0, again.stderr
    told = _subjects(sink.received)
    assert set(_window(LOCKED)) <= set(told) and (WINDOW1, DELETED) in told


@pytest.mark.parametrize("down", ["server", "setting"])
def test_a_daily_run_the_smtp_server_does_not_serve_reports_what_it_did(
    reg: RegistryFactory, tmp_path: Path, down: str
) -> None:
    """As confirm's: the deletion branch and the notice log of what was sent stand without
    the mails, so a server down (or a setting missing) ends the run with its report, each
    mail owed, then a sentence saying what stands and that the next run sends the rest, at
    the stage reached by then; the server's words a detail after it. The next run sends
    them, once."""
    reg.user(email=B, permissions={"taxis": "1010"})
    g = dated(scenario(reg), date(2026, 1, 5))
    export = _export(tmp_path)
    daily = ("daily", "--send", "--last-logins", str(export), "--today", "2026-10-28")
    broken = smtp_env(free_port())  # nothing listens there
    if down == "setting":
        broken["ACCESSREG_MAIL_FROM"] = ""
    # Without the export no branch is put: the sentence names only the notice log.
    unbranched = run_cli("--lang", "ja", "daily", "--send", "--today", "2026-10-28",
                         cwd=g.path, env=broken)  # fmt: skip
    assert unbranched.returncode == 2, unbranched.stderr
    assert "accessreg: 通知の記録には、送信したメールだけを残しました。" in unbranched.stderr
    assert "ブランチ" not in unbranched.stderr and "送信待ち: 棚卸のお願い" in unbranched.stdout
    stopped = run_cli("--lang", "ja", *daily, cwd=g.path, env=broken)
    assert stopped.returncode == 2, stopped.stderr
    assert "2026-10-28 の定期業務" in stopped.stdout, stopped.stdout
    assert "メール: 10 通（10 送信待ち）" in stopped.stdout, stopped.stdout  # each owed
    assert f"ブランチ {BRANCH}: 作成しました" in stopped.stdout
    said = stopped.stderr.split("詳細: ")[0]
    assert (
        "抹消申請のブランチは上のとおり動かしました（ワークフローはこのままブランチを送ります）。"
        "通知の記録には、送信したメールだけを残しました。送信できなかったメール 10 通は通知済みと"
        "して記録しておらず、"
    ) in said, stopped.stderr
    assert "次の定期業務の実行で、その時点で達している段階の通知として送信します" in said
    assert "Connection refused" not in said and "Traceback" not in stopped.stderr
    if down == "setting":
        assert "ACCESSREG_MAIL_FROM が必要です" in said
    assert refs(g, "refs/heads/accessreg/") == [f"refs/heads/{BRANCH}"]
    with mail_server(sink := Mailbox()) as env:
        again = run_cli(*daily, cwd=g.path, env=env)
        assert again.returncode == 0, again.stderr
        assert "mails: 10 (10 sent)" in again.stdout, again.stdout
        assert run_cli(*daily, cwd=g.path, env=env).returncode == 0
    told = _subjects(sink.received)
    assert set(_window(LOCKED)) <= set(told) and (WINDOW1, DELETED) in told and len(told) == 10


def test_a_daily_run_holding_a_mail_refused_for_good_reports_what_it_did(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """A 5xx for one recipient ends the run as it ends apply's and confirm's: after the
    report, which shows that mail refused and the others sent."""
    reg.user(email=B, permissions={"taxis": "1010"})
    g = dated(scenario(reg), date(2026, 1, 5))
    export = _export(tmp_path)
    daily = ("daily", "--send", "--last-logins", str(export), "--today", "2026-10-28")
    with smtp_server(strict := Mailbox(unknown=frozenset({WINDOW2}))) as port:
        held = run_cli(*daily, cwd=g.path, env=smtp_env(port))
    assert held.returncode == 2, held.stderr
    assert "mails: 10 (3 refused, 7 sent)" in held.stdout, held.stdout
    assert f"branch {BRANCH}: created" in held.stdout
    assert "SMTP refused 3 mails for good" in held.stderr and len(strict.received) == 7
    assert "Traceback" not in held.stderr
