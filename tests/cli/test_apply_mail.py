"""Notices delivered to a real SMTP server on loopback: once each, even across failures."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import cast

import pytest
import yaml

from accessreg.provision import completion
from accessreg.provision.bundle import RECORDED
from accessreg.provision.merges import Snapshots
from accessreg.provision.state import STATE_FILE
from accessreg.provision.state import load as load_state
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import (
    accessreg,
    deltas,
    merge,
    state,
    state_outbox,
    status_table,
    tree,
)
from tests.helpers.regfactory import ROOT, RegistryFactory, certificate, contact
from tests.helpers.smtpserver import Mailbox, smtp_env, smtp_server

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


ON = "2026-12-03"
DAY = ["--today", ON, "--accepted-on", ON]
USER2 = "user2@test-gas.example.co.jp"
WINDOWS = [f"window{n}@test-gas.example.co.jp" for n in (1, 2, 3)]
# Valid (validation refuses line breaks and controls in names), and long enough that the
# standard library's folder broke it between its unquoted words: it then read as three
# recipients.
HOSTILE_NAME = (
    'Mita "Evil, Inc" <attacker@evil.example>, bob@evil.example; (c) '
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx Mallory <m@evil.example>,"
)


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    reg.operator(
        contacts=[
            contact(),
            contact("deputy", 2),
            contact("deputy", 3, name=HOSTILE_NAME),
        ]
    )
    reg.user(email=USER2, name="二宮 二郎", permissions={"taxis": "1010", "juju": "granted"})
    made = GitRegistry(reg)
    made.commit("operator with three window persons")
    result = accessreg(
        made, "apply", "--out", str(tmp_path / "initial"), "--initial", "--confirm", *DAY
    )
    assert result.returncode == 0, result.stderr
    yield made
    made.close()


def _eml(out: Path) -> dict[str, email.message.EmailMessage]:
    return {str(m["Message-ID"]): m for m in written_mails(out)}


def _taxis_notice_line(gr: GitRegistry, batch: str, day: str, out: Path, login: str) -> str:
    """``batch``'s TAXIS import confirmed on ``day``: the line of ``login`` in the first
    window person's completion notice of it."""
    done = accessreg(gr, "confirm", batch, "--system", "taxis", "--out", str(out),
                     "--today", day)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (notice,) = [
        m
        for m in _eml(out).values()
        if m["To"].addresses[0].addr_spec == WINDOWS[0] and "託送システム" in m["Subject"]
    ]
    (line,) = [x for x in notice.get_content().splitlines() if f"（ID: {login}）" in x]
    return line


def test_received_mails_decode_to_the_rendered_japanese(gr: GitRegistry, tmp_path: Path) -> None:
    merge(gr, "remove-user2", lambda: gr.remove(f"users/TESTOP01/{USER2}.yaml"))
    out = tmp_path / "out"
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        result = accessreg(
            gr, "apply", "--out", str(out), "--confirm", "--send", *DAY, env=smtp_env(port)
        )
    assert result.returncode == 0, result.stderr
    assert sorted(mailbox.recipients()) == WINDOWS
    assert "acceptance notice for " in result.stdout and "(3 recipients)" in result.stdout
    assert "@" not in result.stdout  # the job log lists no addresses
    rendered = _eml(out)
    for received in mailbox.received:
        written = rendered[str(received["Message-ID"])]
        assert (
            received["Subject"]
            == written["Subject"]
            == "【受付】利用権限の抹消申請（テストガス株式会社）"
        )
        assert received.get_content() == written.get_content()
        assert received["Bcc"] is None
    body = mailbox.received[0].get_content()
    assert "二宮 二郎（ID: user2@test-gas.example.co.jp、所属: テストガス株式会社）" in body
    # Each system as the forms name it, its key with it.
    assert "託送システム（taxis）: 抹消 1010（更新権限なし） / 利用終了 2026-12-04" in body
    assert (
        "消費機器保安情報授受システム（juju）: 抹消 あり / 利用終了 システム運営部門の作業完了後"
        in body
    )
    assert {sender for sender, _ in mailbox.envelopes} == {"uketsuke@reception.example.jp"}
    assert len(state(gr)["outbox"]) == 3


def test_a_server_stopping_half_way_delays_no_deletion_and_a_rerun_sends_the_rest_once(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The server takes two mails and refuses the rest: the run is recorded all the same,
    its outputs sealed as the batch (the deletion reaches downstream now), and the 受付
    notices not sent are owed to the next run, which sends them once with its own."""
    applied = state(gr)["applied"]
    merge(gr, "remove-user2", lambda: gr.remove(f"users/TESTOP01/{USER2}.yaml"))
    removed = gr.rev()
    flaky = Mailbox(fail_after=2)
    first = tmp_path / "a"
    with smtp_server(flaky) as port:
        failed = accessreg(
            gr, "apply", "--out", str(first), "--confirm", "--send", *DAY, env=smtp_env(port)
        )
    assert failed.returncode == 2
    assert "SMTP refused" in failed.stderr and "what was not sent (1 mail) is owed" in failed.stderr
    assert len(flaky.received) == 2
    after_failure = state(gr)
    assert after_failure["applied"] == removed  # recorded: provisioning did not wait
    assert (first / RECORDED).is_file()
    assert ("抹消", USER2) in {
        (r["区分"], r["メールアドレス（ID）"]) for r in deltas(first, "taxis")
    }
    assert len(after_failure["outbox"]) == 2  # what was sent is recorded ...
    owing = [
        app["id"]
        for batch in after_failure["batches"].values()
        for app in batch["applications"]
        if app.get("acceptance_owed")
    ]
    assert len(owing) == 1  # ... and the application whose notice was not, owing it

    # Another merge lands before the retry: the retry sends its notices and the one owed.
    merge(gr, "add-user4", lambda: gr.reg.user(email="user4@test-gas.example.co.jp"))
    good = Mailbox()
    out = tmp_path / "b"
    with smtp_server(good) as port:
        retry = accessreg(
            gr, "apply", "--out", str(out), "--confirm", "--send", *DAY, env=smtp_env(port)
        )
    assert retry.returncode == 0, retry.stderr
    everything = flaky.received + good.received
    ids = Counter(str(m["Message-ID"]) for m in everything)
    assert set(ids.values()) == {1}  # never twice
    per_recipient = Counter(str(m["To"].addresses[0].addr_spec) for m in everything)
    assert per_recipient == {w: 2 for w in WINDOWS}  # one notice per merge each
    assert len(good.received) == 4
    told = state(gr)
    assert not [
        app
        for b in told["batches"].values()
        for app in b["applications"]
        if "acceptance_owed" in app
    ]
    assert state(gr)["applied"] == gr.rev()

    # Running again sends nothing more.
    again = Mailbox()
    with smtp_server(again) as port:
        rerun = accessreg(
            gr,
            "apply",
            "--out",
            str(out),
            "--confirm",
            "--send",
            "--base",
            applied,
            *DAY,
            env=smtp_env(port),
        )
    assert rerun.returncode == 0, rerun.stderr
    assert again.received == []
    assert "6 already sent" in rerun.stdout
    # The same head applied again the same day is a batch of its own, not a replacement.
    batches = sorted(state(gr)["batches"].values(), key=lambda b: b["number"])
    assert [b["id"].split("-")[1] for b in batches[-2:]] == [gr.rev()[:8], f"{gr.rev()[:8]}.2"]


def test_a_refused_recipient_holds_its_mail_and_nothing_else(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A window person's address the server does not know is that mail's own problem: the
    other notices go out, the run is recorded, and the refused mail is held for a human,
    never tried by every run after (which would hold every operator's provisioning
    behind it)."""
    merge(gr, "remove-user2", lambda: gr.remove(f"users/TESTOP01/{USER2}.yaml"))
    strict = Mailbox(unknown=frozenset({WINDOWS[1]}))
    send = ("apply", "--confirm", "--send", *DAY)
    with smtp_server(strict) as port:
        first = accessreg(gr, *send, "--out", str(tmp_path / "a"), env=smtp_env(port))
    assert first.returncode == 2, first.stderr
    assert "SMTP refused 1 mail for good" in first.stderr
    assert sorted(strict.recipients()) == [WINDOWS[0], WINDOWS[2]]
    assert state(gr)["applied"] == gr.rev()  # the run is recorded
    [(held, entry)] = state_outbox(gr.repo)["in flight"].items()
    assert entry["to"] == WINDOWS[1] and entry["refused"].startswith("550 5.1.1")

    # The next merge goes out over it, and the held mail is listed, without its address.
    merge(gr, "add-user4", lambda: gr.reg.user(email="user4@test-gas.example.co.jp"))
    with smtp_server(strict) as port:
        second = accessreg(gr, *send, "--out", str(tmp_path / "b"), env=smtp_env(port))
    assert second.returncode == 2, second.stderr  # its own notice to the same address
    assert state(gr)["applied"] == gr.rev()
    listed = accessreg(gr, "outbox", "list")
    assert f"{held}: " in listed.stdout and "(SMTP 550)" in listed.stdout
    assert "@test-gas" not in listed.stdout + first.stderr + first.stdout

    # The address is right after all (the server's table was late): sent once, by hand.
    with smtp_server(good := Mailbox()) as port:
        resent = accessreg(gr, "outbox", "resend", held, env=smtp_env(port))
    assert resent.returncode == 0, resent.stderr
    assert [str(m["Message-ID"]) for m in good.received] == [held]
    assert held in state(gr)["outbox"]


def test_a_missing_smtp_setting_says_in_japanese_what_to_set(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """As a server that is down (``test_apply_recorded``): the run recorded, the mails owed
    to the run after the setting is set; the message names the variable."""
    merge(gr, "remove-user2", lambda: gr.remove(f"users/TESTOP01/{USER2}.yaml"))
    env = {"ACCESSREG_LANG": "ja", "ACCESSREG_SMTP_HOST": "", "ACCESSREG_MAIL_FROM": "a@example.jp"}
    failed = accessreg(gr, "apply", "--out", str(tmp_path / "a"), "--confirm", "--send", *DAY,
                       env=env)  # fmt: skip
    assert failed.returncode == 2
    assert "メールの送信には環境変数 ACCESSREG_SMTP_HOST が必要です" in failed.stderr
    assert "実行はそのまま記録しました" in failed.stderr
    owed = "送信できなかったメール 3 通は、環境変数を設定した後の次の実行で送信します"
    assert owed in failed.stderr


def test_confirm_records_imports_and_owes_completion_notices(
    gr: GitRegistry, tmp_path: Path
) -> None:
    def new_window_person_and_user() -> None:
        gr.reg.operator(contacts=[contact(), contact("deputy", 2), contact("deputy", 4)])
        gr.reg.user(
            email="user5@test-gas.example.co.jp", permissions={"taxis": "1010", "loacus": "02011"}
        )

    merge(gr, "changes", new_window_person_and_user)
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        env = smtp_env(port)
        applied = accessreg(
            gr, "apply", "--out", str(tmp_path / "o"), "--confirm", "--send", *DAY, env=env
        )
        assert applied.returncode == 0, applied.stderr
        kinds = Counter(m["Subject"].split("】")[0] + "】" for m in mailbox.received)
        # Acceptance to the window persons (the new one too), and a notice to the removed one.
        assert kinds == {"【受付】": 4}
        removed = [m for m in mailbox.received if "登録削除" in m["Subject"]]
        assert [m["To"].addresses[0].addr_spec for m in removed] == [WINDOWS[2]]

        (batch_id,) = [b for b, v in state(gr)["batches"].items() if v["head"] == gr.rev()]

        def progress(day: str = ON) -> list[str]:
            """The progress on ``day`` (a confirmation counts from its own day)."""
            listed = accessreg(gr, "status", "--operator", "TESTOP01", "--today", day,
                               env={"ACCESSREG_LANG": "ja"})  # fmt: skip
            assert listed.returncode == 0, listed.stderr
            header, *rows = (line.split("\t") for line in listed.stdout.splitlines())
            assert header[:5] == ["申請番号", "受付日", "M", "バッチ", "進捗"]
            (row,) = [r for r in rows if r[3] == batch_id]
            by_column = dict(zip(header, row, strict=True))
            # Each system under its name on the forms, with the key confirm --system takes.
            systems = [
                "託送システム（taxis）",
                "託送情報開示システム（johs）",
                "消費機器保安情報授受システム（juju）",
                "託送ロードカーブシステム（loacus）",
                "託送情報共有サイト（info_site）",
                "システム利用権限管理システム（admin_console）",
            ]
            return [by_column["進捗"], *(by_column[s] for s in systems)]

        assert progress() == ["処理中", "未済", "（不要）", "（不要）", "未済", "未済", "未済"]
        # English reads English: the seed's words, the systems' keys, the kinds.
        english = accessreg(gr, "status", "--operator", "TESTOP01").stdout.splitlines()
        assert english[0].split("\t") == [
            "application number", "accepted on", "M", "batch", "progress", "taxis", "johs",
            "juju", "loacus", "info_site", "admin_console", "application kinds",
        ]  # fmt: skip
        (line,) = [r for r in english if f"\t{batch_id}\t" in r]
        assert line.split("\t")[4:] == [
            "in progress", "not done", "(not needed)", "(not needed)", "not done", "not done",
            "not done", "usage application (change) · permission setting",
        ]  # fmt: skip

        mailbox.received.clear()
        confirmed = accessreg(
            gr, "confirm", batch_id, "--system", "taxis", "--send", "--today", "2026-12-24", env=env
        )
        assert confirmed.returncode == 0, confirmed.stderr
        assert sorted(m["To"].addresses[0].addr_spec for m in mailbox.received) == [
            WINDOWS[0],
            WINDOWS[1],
            "window4@test-gas.example.co.jp",
        ]
        notice = mailbox.received[0]
        assert notice["Subject"] == "【利用開始周知】託送システム（テストガス株式会社）"
        body = notice.get_content()
        assert (
            "user5@test-gas.example.co.jp）: 設定 1010（更新権限なし） / 利用開始 2026-12-24"
            in body
        )
        assert "■ 申請の処理状況: 処理中" in body
        assert "託送システム（taxis）の登録作業が完了しました（2026-12-24）" in body
        assert (
            "託送システム（taxis）: 済" in body
            and "託送ロードカーブシステム（loacus）: 未済" in body
        )

        on_24 = progress("2026-12-24")
        assert on_24 == ["処理中", "済", "（不要）", "（不要）", "未済", "未済", "未済"]

        mailbox.received.clear()
        out = tmp_path / "confirm-out"
        rest = accessreg(
            gr, "confirm", batch_id, "--send", "--out", str(out), "--today", "2026-12-28", env=env
        )
        assert rest.returncode == 0, rest.stderr
        subjects = Counter(m["Subject"] for m in mailbox.received)
        assert subjects == {
            "【手続き完了通知】システム窓口責任者のID（テストガス株式会社）": 1,
            "【利用開始周知】システム利用権限管理システム（テストガス株式会社）": 3,
            "【利用開始周知】託送ロードカーブシステム（テストガス株式会社）": 3,
            "【利用開始周知】託送情報共有サイト（テストガス株式会社）": 3,
        }
        welcome = next(m for m in mailbox.received if "窓口責任者のID" in m["Subject"])
        assert welcome["To"].addresses[0].addr_spec == "window4@test-gas.example.co.jp"
        assert (
            "1) システム窓口責任者に発行する ID: window4@test-gas.example.co.jp"
            in welcome.get_content()
        )
        assert "https://info-site.example.jp/" in welcome.get_content()
        assert len(_eml(out)) == 10

        on_28 = progress("2026-12-28")
        assert on_28 == ["処理完了", "済", "（不要）", "（不要）", "済", "済", "済"]

        # Confirming again, or the next apply, sends nothing twice.
        mailbox.received.clear()
        assert accessreg(gr, "confirm", batch_id, "--send", env=env).returncode == 0
        assert (
            accessreg(
                gr, "apply", "--out", str(tmp_path / "o"), "--confirm", "--send", *DAY, env=env
            ).returncode
            == 0
        )
        assert mailbox.received == []


def test_confirm_with_a_missing_smtp_setting_records_the_import_and_owes_its_notices(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """As with the server down: the import is recorded, its completion notices owed, and
    the run ends red naming the setting; once set, the next run that sends sends them."""
    merge(gr, "add-user5", lambda: gr.reg.user(email="user5@test-gas.example.co.jp"))
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        env = smtp_env(port)
        applied = accessreg(gr, "apply", "--out", str(tmp_path / "o"), "--confirm", "--send",
                            *DAY, env=env)  # fmt: skip
        assert applied.returncode == 0, applied.stderr
        (batch_id,) = [b for b, v in state(gr)["batches"].items() if v["head"] == gr.rev()]
        mailbox.received.clear()
        confirm = ("confirm", batch_id, "--system", "taxis", "--send", "--today", "2026-12-24")
        failed = accessreg(gr, *confirm, env={**env, "ACCESSREG_SMTP_HOST": ""})
        assert failed.returncode == 2
        assert "Sending mail needs ACCESSREG_SMTP_HOST" in failed.stderr
        assert "the next run once it is set" in failed.stderr
        assert mailbox.received == []
        taxis = state(gr)["batches"][batch_id]["systems"]["taxis"]
        assert (taxis["imported_on"], taxis["notified"]) == ("2026-12-24", False)
        again = accessreg(gr, *confirm, env=env)
        assert again.returncode == 0, again.stderr
    assert len(mailbox.received) == 3
    assert all("利用開始周知" in str(m["Subject"]) for m in mailbox.received)


def test_confirm_before_any_batch_says_so_in_the_readers_words(reg: RegistryFactory) -> None:
    made = GitRegistry(reg)
    try:
        unknown = accessreg(made, "confirm", "20991231-deadbeef", env={"ACCESSREG_LANG": "ja"})
    finally:
        made.close()
    assert unknown.returncode == 2
    assert "バッチ '20991231-deadbeef' はありません（最近のもの: まだありません）" in unknown.stderr


def test_confirm_of_an_unknown_batch_or_system_is_a_usage_error(gr: GitRegistry) -> None:
    unknown = accessreg(gr, "confirm", "20991231-deadbeef")
    assert unknown.returncode == 2
    (batch_id,) = state(gr)["batches"]
    assert f"No batch '20991231-deadbeef' (latest: {batch_id})" in unknown.stderr
    wrong = accessreg(gr, "confirm", batch_id, "--system", "switching")
    assert wrong.returncode == 2
    assert "has no files for switching" in wrong.stderr
    # A slip is pointed to the system meant, as the editing commands point to theirs.
    slip = accessreg(gr, "confirm", batch_id, "--system", "taxsi", env={"ACCESSREG_LANG": "ja"})
    assert slip.returncode == 2
    assert "taxsi のファイルがありません" in slip.stderr
    assert "。託送システム（taxis） ではありませんか" in slip.stderr
    assert all(v["imported_on"] is None for v in state(gr)["batches"][batch_id]["systems"].values())


def test_confirm_takes_a_system_in_any_case_or_by_its_name(gr: GitRegistry) -> None:
    """As the editing commands take it: TAXIS is taxis, and so is the forms' 託送システム."""
    (batch_id,) = state(gr)["batches"]
    held = set(state(gr)["batches"][batch_id]["systems"])
    assert {"taxis", "johs"} <= held
    upper = accessreg(
        gr, "confirm", batch_id, "--system", "TAXIS", "--system", "託送情報開示システム"
    )
    assert upper.returncode == 0, upper.stderr
    imported = state(gr)["batches"][batch_id]["systems"]
    assert {s for s, v in imported.items() if v["imported_on"] is not None} == {"taxis", "johs"}


def _named_systems(report: str) -> set[str]:
    """The systems ``report`` shows, each time as the forms name it with its key,
    ``託送システム（taxis）`` (the catalog file read as it is), never the key alone."""
    catalog = yaml.safe_load((ROOT / "registry/systems.yaml").read_text(encoding="utf-8"))
    shown = set()
    for system in catalog["systems"]:
        key, name = system["id"], system["name_ja"]
        assert report.count(key) == report.count(f"{name}（{key}）"), key
        if key in report:
            shown.add(key)
    return shown


def test_confirm_names_each_system_as_the_forms_do_with_the_key_it_takes(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """In Japanese every system ``confirm`` reports (those recorded, each one's state, the
    completion notices) is 託送システム（taxis）: the forms' name, and the key ``--system``
    takes; never the key alone. English shows the key."""
    (batch_id,) = state(gr)["batches"]
    ja = {"ACCESSREG_LANG": "ja"}
    wrong = accessreg(gr, "confirm", batch_id, "--system", "switching", env=ja)
    assert wrong.returncode == 2
    assert "スイッチング支援システム（switching） のファイルがありません" in wrong.stderr
    assert "託送システム（taxis）" in wrong.stderr

    out = tmp_path / "confirm-out"
    confirm = ("confirm", batch_id, "--system", "taxis", "--out", str(out), "--today", "2026-12-24")
    done = accessreg(gr, *confirm, env=ja)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"バッチ {batch_id}: 取込済みとして記録: 託送システム（taxis）"
    assert "  託送システム（taxis）: 2026-12-24 に取込" in lines
    (notices,) = [line for line in lines if "の託送システム（taxis）の完了通知（宛先" in line]
    assert notices.endswith(f"（宛先 {len(list(out.glob('mail/*.eml')))} 件）"), done.stdout
    assert _named_systems(done.stdout) == set(state(gr)["batches"][batch_id]["systems"])

    english = accessreg(gr, *confirm, env={"ACCESSREG_LANG": "en"})
    assert "  taxis: imported 2026-12-24" in english.stdout.splitlines()


def test_apply_names_the_systems_of_its_batch_and_deltas_as_the_forms_do(
    gr: GitRegistry, tmp_path: Path
) -> None:
    merge(gr, "remove-user2", lambda: gr.remove(f"users/TESTOP01/{USER2}.yaml"))
    done = accessreg(gr, "apply", "--out", str(tmp_path / "o"), *DAY, env={"ACCESSREG_LANG": "ja"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # USER2's two systems: a row each in their deltas.
    for delta in ("託送システム（taxis）", "消費機器保安情報授受システム（juju）"):
        assert f"差分 {delta}: 1 行" in lines, done.stdout
    (batch,) = [line for line in lines if line.startswith("バッチ: ")]
    assert {"taxis", "juju"} <= _named_systems(batch) == _named_systems(done.stdout)


def test_outputs_of_a_sending_run_match_a_dry_run(gr: GitRegistry, tmp_path: Path) -> None:
    merge(gr, "remove-user2", lambda: gr.remove(f"users/TESTOP01/{USER2}.yaml"))
    dry = tmp_path / "dry"
    sender = {"ACCESSREG_MAIL_FROM": smtp_env(0)["ACCESSREG_MAIL_FROM"]}
    assert accessreg(gr, "apply", "--out", str(dry), *DAY, env=sender).returncode == 0
    wet = tmp_path / "wet"
    with smtp_server(Mailbox()) as port:
        assert (
            accessreg(
                gr, "apply", "--out", str(wet), "--confirm", "--send", *DAY, env=smtp_env(port)
            ).returncode
            == 0
        )
    # The same files, and the one saying the sending run was recorded.
    written = tree(wet)
    assert RECORDED in written and RECORDED not in tree(dry)
    assert tree(dry) == {name: data for name, data in written.items() if name != RECORDED}


def test_the_completion_of_a_new_usage_application_carries_its_four_items(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """000 §3-1 ⑥: the approved application, the info-sharing site's URL, the window
    person's ID and the notice on sending personal data by mail."""

    def new_operator() -> None:
        gr.reg.operator(
            "NEWOP001",
            systems=["johs"],
            contacts=[contact(n=6, email="window6@new-gas.example.co.jp")],
            subcontractors=None,
        )
        gr.reg.user("NEWOP001", "staff@new-gas.example.co.jp", affiliation="NEWOP001",
                    permissions={"johs": "J1010"})  # fmt: skip

    merge(gr, "usage-application", new_operator)
    assert accessreg(gr, "apply", "--out", str(tmp_path / "o"), "--confirm", *DAY).returncode == 0
    (batch_id,) = [b for b, v in state(gr)["batches"].items() if v["head"] == gr.rev()]
    out = tmp_path / "done"
    done = accessreg(gr, "confirm", batch_id, "--out", str(out), "--today", "2026-12-28")
    assert done.returncode == 0, done.stderr
    [notice] = [
        m for m in _eml(out).values() if m["Subject"].startswith("【手続き完了通知】利用申請")
    ]
    assert notice["Subject"] == "【手続き完了通知】利用申請（新規）（テストガス株式会社）"
    assert notice["To"].addresses[0].addr_spec == "window6@new-gas.example.co.jp"
    body = notice.get_content()
    assert "1) 承認済の申請内容" in body and "利用申請（新規）: 新規登録" in body
    assert "2) 託送情報共有サイトの URL: https://info-site.example.jp/" in body
    assert "3) システム窓口責任者に発行する ID: window6@new-gas.example.co.jp" in body
    assert "4) 通知文書「個人情報等のメール送付時の運用について」" in body


def test_a_completion_notice_dates_no_permission_before_its_registration(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A completion notice says when the system's registration was done and, for each
    user, the day the permission is in effect: never before that registration (000 §5-1:
    usable from M+6 *on*, later when the processing is delayed), the announced day when
    the registration came first, the registration's day for one waiting for a manual
    step (JUJU's deletion, 000 §5-3)."""

    def application() -> None:
        gr.remove(f"users/TESTOP01/{USER2}.yaml")  # TAXIS from 12/4, JUJU by hand
        gr.reg.user(email="user5@test-gas.example.co.jp", permissions={"taxis": "1010"})

    merge(gr, "two-users", application)
    assert accessreg(gr, "apply", "--out", str(tmp_path / "o"), "--confirm", *DAY).returncode == 0
    (batch_id,) = [b for b, v in state(gr)["batches"].items() if v["head"] == gr.rev()]

    def notice(system: str, day: str) -> str:
        out = tmp_path / f"{system}-{day}"
        done = accessreg(gr, "confirm", batch_id, "--system", system, "--out", str(out),
                         "--today", day)  # fmt: skip
        assert done.returncode == 0, done.stderr
        # To the primary; a confirmation without --send writes the earlier ones again.
        (mail,) = [
            m
            for m in _eml(out).values()
            if m["To"].addresses[0].addr_spec == WINDOWS[0]
            and f"（{system}）の登録" in m.get_content()
        ]
        return mail.get_content()

    taxis = notice("taxis", "2026-12-16")
    assert "託送システム（taxis）の登録作業が完了しました（2026-12-16）" in taxis
    assert (
        "user5@test-gas.example.co.jp）: 設定 1010（更新権限なし） / 利用開始 2026-12-24" in taxis
    )
    assert f"{USER2}）: 抹消 1010（更新権限なし） / 利用終了 2026-12-16" in taxis
    juju = notice("juju", "2026-12-21")
    assert "消費機器保安情報授受システム（juju）の登録作業が完了しました（2026-12-21）" in juju
    assert f"{USER2}）: 抹消 あり / 利用終了 2026-12-21" in juju


def test_a_completion_notice_dates_a_suspension_on_its_own_day(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A suspension waits for no registration (001 p46: the system operator stops the ID at
    once): a system that imports the batch later does not move it. Its completion notice
    says the day the suspension's delta row and the 受付 mail give, not the import's."""
    merge(gr, "suspend-user2", lambda: gr.reg.user(
        email=USER2, name="二宮 二郎", permissions={"taxis": "1010", "juju": "granted"},
        suspended_on=ON))  # fmt: skip
    out = tmp_path / "o"
    assert accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY).returncode == 0
    (row,) = deltas(out, "taxis")
    assert (row["区分"], row["メールアドレス（ID）"]) == ("停止", USER2), row
    stopped = f"停止 1010（更新権限なし） / 利用停止 {row['適用日']}"
    (accepted,) = [m for m in _eml(out).values() if m["To"].addresses[0].addr_spec == WINDOWS[0]]
    assert f"託送システム（taxis）: {stopped}" in accepted.get_content()
    (batch_id,) = [b for b, v in state(gr)["batches"].items() if v["head"] == gr.rev()]
    later = date.fromisoformat(row["適用日"]).replace(day=21).isoformat()
    done = accessreg(gr, "confirm", batch_id, "--system", "taxis", "--out", str(tmp_path / "c"),
                     "--today", later)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (mail,) = [
        m
        for m in _eml(tmp_path / "c").values()
        if m["To"].addresses[0].addr_spec == WINDOWS[0]
        and f"託送システム（taxis）の登録作業が完了しました（{later}）" in m.get_content()
    ]
    assert f"{USER2}）: {stopped}" in mail.get_content()


def test_a_completion_notice_names_only_permissions_its_system_changes(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A deputy who is also a user of TAXIS and JOHS leaves the window persons: their rows
    of those systems change in the permission-management column only. The completion
    notice of JOHS listed them as 「変更 J1010」 and was titled 利用開始周知, while the 受付
    mail, like the application, changed no permission of theirs: it names none now, and is
    the 手続き完了通知 of a procedure."""
    deputy = WINDOWS[1]
    merge(gr, "deputy-user", lambda: gr.reg.user(
        email=deputy, permissions={"taxis": "1010", "johs": "J1010"}))  # fmt: skip
    assert accessreg(gr, "apply", "--out", str(tmp_path / "o1"), "--confirm", *DAY).returncode == 0
    merge(gr, "deputy-leaves", lambda: gr.reg.operator(
        contacts=[contact(), contact("deputy", 3, name=HOSTILE_NAME)]))  # fmt: skip
    applied = accessreg(gr, "apply", "--out", str(tmp_path / "o2"), "--confirm", *DAY)
    assert applied.returncode == 0, applied.stderr
    (batch_id,) = [b for b, v in state(gr)["batches"].items() if v["head"] == gr.rev()]
    out = tmp_path / "johs"
    done = accessreg(gr, "confirm", batch_id, "--system", "johs", "--out", str(out),
                     "--today", "2026-12-16")  # fmt: skip
    assert done.returncode == 0, done.stderr
    notices = [m for m in _eml(out).values() if "（johs）の登録" in m.get_content()]
    assert notices, [m["Subject"] for m in _eml(out).values()]
    for mail in notices:
        assert mail["Subject"] == "【手続き完了通知】託送情報開示システム（テストガス株式会社）"
        assert f"（ID: {deputy}）" not in mail.get_content()


def test_a_completion_notice_of_a_narrower_code_is_no_notice_that_use_begins(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A user's TAXIS 1011 (update rights) changed to 1010, which the catalog says 1011
    includes (``System.narrows``): nothing begins, so the notice is the seeds' 手続き完了通知
    of the registration done (000 §3-1 ⑥), never 利用開始周知; widened back, it is again."""
    user = "user7@test-gas.example.co.jp"
    titles = []
    for n, code in enumerate(("1011", "1010", "1011")):
        merge(gr, f"taxis-{n}", lambda c=code: gr.reg.user(email=user, permissions={"taxis": c}))
        applied = accessreg(gr, "apply", "--out", str(tmp_path / f"a{n}"), "--confirm", *DAY)
        assert applied.returncode == 0, applied.stderr
        ((batch_id, batch),) = [
            (b, v) for b, v in state(gr)["batches"].items() if v["head"] == gr.rev()
        ]
        (application,) = batch["applications"]
        out = tmp_path / f"c{n}"
        done = accessreg(gr, "confirm", batch_id, "--system", "taxis", "--out", str(out),
                         "--today", "2026-12-16")  # fmt: skip
        assert done.returncode == 0, done.stderr
        # The notices of this application (those of the last, unsent, come again).
        own = f"申請番号 {application['id']}（"
        titles.append({m["Subject"] for m in _eml(out).values() if own in m.get_content()})
    started = "【利用開始周知】託送システム（テストガス株式会社）"
    completed = "【手続き完了通知】託送システム（テストガス株式会社）"
    assert titles == [{started}, {completed}, {started}]


USER5, USER6 = (f"user{n}@test-gas.example.co.jp" for n in (5, 6))


@pytest.mark.parametrize(
    ("ending", "kind", "kinds"),
    [
        ("remove", "抹消", "利用権限の抹消申請"),
        ("terminate", "抹消", "利用申請（終了）"),
        ("change", "変更", "利用権限の変更申請"),
        ("drop", "抹消", "利用権限の変更申請"),
    ],
)
def test_a_late_completion_notice_names_the_removal_a_later_batch_holds(
    gr: GitRegistry, tmp_path: Path, ending: str, kind: str, kinds: str
) -> None:
    """A batch's import confirmed after a later batch removed one of its IDs (the user
    removed, or the operator's use ended: its users' files go with the termination, 000
    §3-3) or changed its permission, or dropped the system while keeping another (a change
    application that removes it, as its delta row and 受付 mail say): the 利用開始周知 says
    the ID is usable from its day and, beside it, what the later batch holds, on the day
    its delta row gives, with that application. An ID nothing later touches (the other
    user, but for a termination) reads as before."""

    def two_users() -> None:
        for login in (USER5, USER6):
            kept = {"johs": "J1010"} if ending == "drop" and login == USER5 else {}
            gr.reg.user(email=login, permissions={"taxis": "1010", **kept})

    def end() -> None:
        if ending == "remove":
            gr.remove(f"users/TESTOP01/{USER5}.yaml")
            return
        if ending == "drop":
            gr.reg.user(email=USER5, permissions={"johs": "J1010"})
            return
        if ending == "change":
            gr.reg.user(email=USER5, permissions={"taxis": "1011"})
            return
        gr.reg.operator(
            contacts=[contact(), contact("deputy", 2), contact("deputy", 3, name=HOSTILE_NAME)],
            status="terminated",
            terminated_on="2027-01-29",
        )
        for path in (gr.reg.root / "users/TESTOP01").iterdir():
            path.unlink()

    merge(gr, "two-users", two_users)
    assert accessreg(gr, "apply", "--out", str(tmp_path / "o1"), "--confirm", *DAY).returncode == 0
    (first,) = [b for b, v in state(gr)["batches"].items() if v["head"] == gr.rev()]
    merge(gr, ending, end)
    out = tmp_path / "o2"
    ended = accessreg(gr, "apply", "--out", str(out), "--confirm", "--allow-mass-removal", *DAY)
    assert ended.returncode == 0, ended.stderr
    (second,) = [v for v in state(gr)["batches"].values() if v["head"] == gr.rev()]
    (row,) = [r for r in deltas(out, "taxis") if r["メールアドレス（ID）"] == USER5]
    assert row["区分"] == kind, row
    (application,) = second["applications"]
    mailbox = Mailbox()

    def confirmed(batch: str) -> dict[str, str]:
        """The lines of the taxis notice of ``batch`` to the primary, by the ID they name."""
        mailbox.received.clear()
        with smtp_server(mailbox) as port:
            done = accessreg(gr, "confirm", batch, "--system", "taxis", "--send",
                             "--today", "2026-12-24", env=smtp_env(port))  # fmt: skip
        assert done.returncode == 0, done.stderr
        (notice,) = [m for m in mailbox.received if m["To"].addresses[0].addr_spec == WINDOWS[0]]
        assert "託送システム（テストガス株式会社）" in notice["Subject"]
        return {
            login: line
            for line in notice.get_content().splitlines()
            for login in (USER5, USER6)
            if f"（ID: {login}）" in line
        }

    lines = confirmed(first)
    assert application["kinds"] == [kinds], application["kinds"]
    granted, usable = "設定 1010（更新権限なし）", " / 利用開始 2026-12-24"
    # The import's day is the later batch's but for a termination's later day: a removal
    # in effect by then leaves no day of use (``test_a_completion_notice_confirmed_…``).
    done = row["適用日"] <= "2026-12-24"
    tense = "済み" if done else "されます"
    removed = f"（申請番号 {application['id']} の{kinds}により、{row['適用日']} に{kind}{tense}）"
    starts = "" if done and kind == "抹消" else usable
    assert lines[USER5].endswith(granted + starts + removed), lines[USER5]
    # A termination removes every user of the operator; a removal, that user alone.
    assert lines[USER6].endswith(
        granted + usable + removed if ending == "terminate" else granted + usable
    )
    # The later batch's own notice tells its change as its own, not as one still to come.
    own = confirmed(second["id"])[USER5]
    assert f"（ID: {USER5}）: {kind}" in own and "されます" not in own, own


@pytest.mark.parametrize("later", ["remove", "change"])
def test_a_completion_notice_confirmed_after_a_later_batchs_day_says_it_is_done(
    gr: GitRegistry, tmp_path: Path, later: str
) -> None:
    """The load's TAXIS confirmed on 2027-01-05, after a later batch removed (or changed)
    the ID on its own day: the notice never says the ID starts use after its deletion, nor
    a past day in the future tense; the deletion is 抹消済み, the line left without a day of
    use (nothing of the load begins for it), a change 変更済み."""
    [loaded] = [v["id"] for v in state(gr)["batches"].values()]
    if later == "remove":
        merge(gr, "remove-user2", lambda: gr.remove(f"users/TESTOP01/{USER2}.yaml"))
    else:
        codes = {"taxis": "1011", "juju": "granted"}
        merge(
            gr,
            "change-user2",
            lambda: gr.reg.user(email=USER2, name="二宮 二郎", permissions=codes),
        )
    done = accessreg(gr, "apply", "--out", str(tmp_path / "o"), "--confirm", *DAY)
    assert done.returncode == 0, done.stderr
    (row,) = [r for r in deltas(tmp_path / "o", "taxis") if r["メールアドレス（ID）"] == USER2]
    assert row["適用日"] < "2027-01-05", row
    (second,) = [v for v in state(gr)["batches"].values() if v["id"] != loaded]
    (application,) = second["applications"]
    line = _taxis_notice_line(gr, loaded, "2027-01-05", tmp_path / "taxis", USER2)
    kinds = "・".join(application["kinds"])
    if later == "remove":
        assert line.endswith(
            f"設定 1010（更新権限なし）（申請番号 {application['id']} の{kinds}により、"
            f"{row['適用日']} に抹消済み）"
        ), line
    else:
        assert line.endswith(
            "設定 1010（更新権限なし） / 利用開始 2027-01-05"
            f"（申請番号 {application['id']} の{kinds}により、{row['適用日']} に変更済み）"
        ), line
    assert "されます" not in line, line


def test_a_late_completion_notice_names_no_other_operators_application(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """An ID that moved to another operator: the notice of the first names its removal by
    its own operator, never what the other operator applied for since (its application,
    its number)."""
    other = "OTHEROP1"

    def moved() -> None:
        gr.remove(f"users/TESTOP01/{USER5}.yaml")
        gr.reg.operator(other, contacts=[contact(n=7, email="window7@other.example.jp")],
                        subcontractors=None)  # fmt: skip
        gr.reg.user(other, USER5, affiliation=other, permissions={"taxis": "1010"})

    batches = []
    for name, change in [
        ("add", lambda: gr.reg.user(email=USER5, permissions={"taxis": "1010"})),
        ("move", moved),
        ("change", lambda: gr.reg.user(other, USER5, affiliation=other,
                                       permissions={"taxis": "1011"})),
    ]:  # fmt: skip
        merge(gr, name, change)
        done = accessreg(gr, "apply", "--out", str(tmp_path / name), "--confirm", *DAY)
        assert done.returncode == 0, done.stderr
        (batch,) = [v for v in state(gr)["batches"].values() if v["head"] == gr.rev()]
        batches.append(batch)
    first, move, change = batches
    (removal,) = [a for a in move["applications"] if a["operator"] == "TESTOP01"]
    (changed,) = change["applications"]
    assert changed["operator"] == other
    line = _taxis_notice_line(gr, first["id"], "2026-12-24", tmp_path / "confirmed", USER5)
    assert f"（申請番号 {removal['id']} の利用権限の抹消申請により、" in line, line
    assert line.endswith(" に抹消済み）"), line  # on the import's day (the grant's)
    assert line.count("申請番号") == 1 and other not in line, line


def test_a_late_completion_notice_names_a_removal_waiting_for_its_manual_step(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """JUJU's deletion is done by hand (000 §5-3): a removal a later batch holds has no day
    yet, and the notice of the load says whose work it waits for, as the 受付 mail does."""
    [loaded] = [v["id"] for v in state(gr)["batches"].values()]
    merge(gr, "remove-user2", lambda: gr.remove(f"users/TESTOP01/{USER2}.yaml"))
    done = accessreg(gr, "apply", "--out", str(tmp_path / "o"), "--confirm", *DAY)
    assert done.returncode == 0, done.stderr
    (removal,) = [v for v in state(gr)["batches"].values() if v["id"] != loaded]
    out = tmp_path / "juju"
    done = accessreg(gr, "confirm", loaded, "--system", "juju", "--out", str(out),
                     "--today", "2026-12-24")  # fmt: skip
    assert done.returncode == 0, done.stderr
    (notice,) = [m for m in _eml(out).values() if m["To"].addresses[0].addr_spec == WINDOWS[0]]
    (line,) = [x for x in notice.get_content().splitlines() if f"（ID: {USER2}）" in x]
    assert line.endswith(
        f"（申請番号 {removal['applications'][0]['id']} の利用権限の抹消申請により、"
        "システム運営部門の作業完了後に抹消されます）"
    ), line


def test_acceptance_notices_follow_their_provider(gr: GitRegistry, tmp_path: Path) -> None:
    """OCCTO is not Tokyo Gas Network: no processing day M and no word on its standard
    schedule (000 §4-2, §5-1 are Tokyo Gas Network's); the switching support system's help
    desk receives and registers its applications (001 p13-15), OCCTO itself those of its
    member system (003 §2.2, §3.1), and neither is Tokyo Gas Network's システム運営部門."""

    def occto_operators() -> None:
        gr.reg.operator(
            "DENKI001",
            roles=["demand_response"],
            systems=["switching"],
            contacts=[contact(n=5, email="window5@denki-test.example.co.jp")],
            subcontractors=None,
            certificates=[certificate(5, cn="DENKI001-PC05")],
        )
        gr.reg.user("DENKI001", "admin@denki-test.example.co.jp", affiliation="DENKI001",
                    permissions={"switching": "dr_admin"})  # fmt: skip
        gr.reg.operator(
            "DENKI002",
            name="でんき会員株式会社",
            roles=["electricity_retailer"],
            occto_member=True,
            membership={"status": "member", "member_since": "2020-04-01"},
            systems=["member_portal"],
            contacts=[contact(n=7, email="window7@denki-member.example.co.jp")],
            subcontractors=None,
        )
        gr.reg.user("DENKI002", "admin@denki-member.example.co.jp", affiliation="DENKI002",
                    permissions={"member_portal": "admin"})  # fmt: skip
        gr.reg.user(email="user6@test-gas.example.co.jp", permissions={"taxis": "1010"})

    merge(gr, "three-desks", occto_operators)
    out = tmp_path / "out"
    assert accessreg(gr, "apply", "--out", str(out), *DAY).returncode == 0
    bodies = {
        m["To"].addresses[0].addr_spec: m.get_content()
        for m in _eml(out).values()
        if m["Subject"].startswith("【受付】")
    }
    switching = bodies["window5@denki-test.example.co.jp"]
    assert "受付窓口: スイッチング支援システム ヘルプデスク）" in switching
    # The certificate waits for the help desk's registration (001 p13).
    assert (
        " / 反映 スイッチング支援システム ヘルプデスクの作業完了後（完了時にお知らせします）"
        in switching
    )
    member = bodies["window7@denki-member.example.co.jp"]
    assert "受付窓口: 電力広域的運営推進機関）" in member
    assert "利用申請（新規）: 新規登録 / 反映 電力広域的運営推進機関の作業完了後" in member
    for occto in (switching, member):
        assert "システム処理日（M）" not in occto
        assert "000 §" not in occto and "システム運営部門" not in occto, occto
        assert "託送受付センター" not in occto
    assert "ヘルプデスク" not in member
    tgn = bodies[WINDOWS[0]]
    assert "受付窓口: 託送受付センター）" in tgn
    assert "システム処理日（M）は 2026-12-16 です。" in tgn
    assert "数日程度遅れることがあります（000 §5-1）。" in tgn
    assert "ヘルプデスク" not in tgn and "電力広域的運営推進機関" not in tgn


def test_an_acceptance_notice_names_the_desk_of_the_systems_it_concerns(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """An operator using both of OCCTO's systems applies for a user of its member system:
    OCCTO receives it (003 §3.1), not the switching help desk it also deals with."""

    def occto_operator() -> None:
        gr.reg.occto_member()
        admin = {"switching": "retailer_admin", "member_portal": "admin"}
        gr.reg.user("DENKI001", "admin@denki-test.example.co.jp", affiliation="DENKI001",
                    permissions=admin)  # fmt: skip

    merge(gr, "occto", occto_operator)
    first = accessreg(gr, "apply", "--out", str(tmp_path / "first"), "--confirm", *DAY)
    assert first.returncode == 0, first.stderr
    merge(gr, "member-user", lambda: gr.reg.user(
        "DENKI001", "staff@denki-test.example.co.jp", affiliation="DENKI001",
        permissions={"member_portal": "user"},
    ))  # fmt: skip
    out = tmp_path / "out"
    assert accessreg(gr, "apply", "--out", str(out), *DAY).returncode == 0
    (body,) = [m.get_content() for m in _eml(out).values() if m["Subject"].startswith("【受付】")]
    # Its codes are the catalog's keys, not a form's: the label alone.
    assert "会員情報管理システム（member_portal）: 設定 利用者ユーザ /" in body
    assert "受付窓口: 電力広域的運営推進機関）" in body
    assert "ヘルプデスク" not in body


def test_a_withdrawal_names_occto_itself_as_its_desk(gr: GitRegistry, tmp_path: Path) -> None:
    """A retailer withdrawing from OCCTO (003 §2.7.1) ends its member system's contract and
    its use of the switching support system with it: the withdrawal goes to OCCTO itself,
    not only to the switching help desk whose rows it changes."""
    admin = "admin@denki-test.example.co.jp"

    def occto_operator() -> None:
        gr.reg.occto_member()
        gr.reg.user("DENKI001", admin, affiliation="DENKI001",
                    permissions={"switching": "retailer_admin"})  # fmt: skip

    merge(gr, "occto", occto_operator)
    first = accessreg(gr, "apply", "--out", str(tmp_path / "first"), "--confirm", *DAY)
    assert first.returncode == 0, first.stderr

    def withdraws() -> None:
        withdrawn = {"status": "withdrawn", "member_since": "2020-04-01",
                     "withdrawn_on": "2026-12-28"}  # fmt: skip
        gr.reg.occto_member(occto_member=False, membership=withdrawn, systems=[])
        gr.remove(f"users/DENKI001/{admin}.yaml")

    merge(gr, "withdrawal", withdraws)
    out = tmp_path / "out"
    applied = accessreg(gr, "apply", "--out", str(out), *DAY)
    assert applied.returncode == 0, applied.stderr
    (body,) = [m.get_content() for m in _eml(out).values() if m["Subject"].startswith("【受付】")]
    assert "003 §2.7.1）" in body, body
    assert "電力広域的運営推進機関" in body.split("受付窓口:")[1].split("\n")[0], body


def test_an_application_of_no_system_names_the_desk_of_the_operators_systems(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """An overseas address changes no system's import file: the desk is that of the
    systems the operator uses (000 §2-8, Tokyo Gas Network's centre)."""
    contacts = [contact(), contact("deputy", 2), contact("deputy", 3, name=HOSTILE_NAME)]
    allow = {"cidr": "41.203.64.11/32", "reason": "海外拠点", "expires_on": "2027-09-30"}
    merge(gr, "address", lambda: gr.reg.operator(contacts=contacts, ip_allowlist=[allow]))
    out = tmp_path / "out"
    assert accessreg(gr, "apply", "--out", str(out), *DAY).returncode == 0
    bodies = [m.get_content() for m in _eml(out).values() if m["Subject"].startswith("【受付】")]
    assert bodies and all("受付窓口: 託送受付センター）" in b for b in bodies)


class _Unread:
    """Snapshots that fail when anything is read from them."""

    def narrowed(self, *_: object) -> object:
        raise AssertionError("an application was rebuilt from git")

    def read_whole(self, *_: object) -> None:
        raise AssertionError("an application was rebuilt from git")


@pytest.mark.parametrize("sender", ["apply", "confirm"])
def test_a_registration_notice_delivered_is_recorded_and_its_application_not_rebuilt(
    gr: GitRegistry, tmp_path: Path, sender: str
) -> None:
    """000 §4-2 ⑤: the 登録完了連絡 goes once to each window person, from the first apply
    or confirm on or after its date; once the state records it delivered, no later run
    rebuilds the application from git to find that out."""
    merge(gr, "certificate", lambda: gr.reg.operator(
        contacts=[contact(), contact("deputy", 2), contact("deputy", 3, name=HOSTILE_NAME)],
        certificates=[certificate(1)],
    ))  # fmt: skip
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        env = smtp_env(port)
        sent = accessreg(gr, "apply", "--out", str(tmp_path / "accepted"), "--confirm", "--send",
                         *DAY, env=env)  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        ((batch, app, dates),) = [
            (b["id"], a["id"],
             [i["on"] for i in a.get("items", []) if i["subject"] == "certificate"])
            for b in state(gr)["batches"].values()
            for a in b["applications"]
            if a["kinds"] == ["クライアント証明書登録申請"]
        ]  # fmt: skip
        day = max(d for d in dates if d)
        mailbox.received.clear()
        run = ("apply", "--confirm") if sender == "apply" else ("confirm", batch)
        due = accessreg(gr, *run, "--out", str(tmp_path / "due"), "--send", "--today", day,
                        env=env)  # fmt: skip
        assert due.returncode == 0, due.stderr
        told = [m for m in mailbox.received if str(m["Subject"]).startswith("【登録完了連絡】")]
        assert sorted(m["To"].addresses[0].addr_spec for m in told) == WINDOWS
        text = gr.repo.git.show(f"refs/accessreg/state:{STATE_FILE}")  # as that run left it
        mailbox.received.clear()
        again = accessreg(gr, "apply", "--out", str(tmp_path / "again"), "--confirm", "--send",
                          "--today", day, env=env)  # fmt: skip
        assert again.returncode == 0 and mailbox.received == []
    flags = {a["id"]: a.get("registration_notified") for b in json.loads(text)["batches"].values()
             for a in b["applications"]}  # fmt: skip
    assert flags.pop(app) is True and set(flags.values()) == {None}  # others: unwritten
    recorded = load_state({STATE_FILE: text.encode()})
    unread = cast(Snapshots, _Unread())
    to = completion.Handovers(recorded, unread, date.fromisoformat(day))
    assert completion.registrations_due(recorded, unread, to) == []
    # Without the record, the application would be rebuilt to compose the notice again.
    told = '"registration_notified": true'
    assert text.count(told) == 1
    forgotten = load_state({STATE_FILE: text.replace(told, told.replace("true", "false")).encode()})
    with pytest.raises(AssertionError, match="rebuilt from git"):
        completion.registrations_due(forgotten, unread, to)


def test_a_state_written_before_the_outbox_parts_is_kept_and_written_in_parts(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A state ref whose outbox is one ``outbox.json`` (as states before the parts hold
    it): the next sending run knows every mail in it, and records the outbox in parts."""
    merge(gr, "remove-user2", lambda: gr.remove(f"users/TESTOP01/{USER2}.yaml"))
    with smtp_server(Mailbox()) as port:
        first = accessreg(gr, "apply", "--out", str(tmp_path / "a"), "--confirm", "--send", *DAY,
                          env=smtp_env(port))  # fmt: skip
    assert first.returncode == 0, first.stderr
    sent = state(gr)["outbox"]
    assert len(sent) == 3
    # The same state as a run before the parts would have left it.
    git = gr.repo.git
    entries = [line for line in git.ls_tree("refs/accessreg/state").splitlines()
               if not line.split("\t")[1].startswith("outbox-")]  # fmt: skip
    whole = _fed(gr, ["hash-object", "-w", "--stdin"], json.dumps(sent, indent=2) + "\n")
    entries.append(f"100644 blob {whole}\toutbox.json")
    old_tree = _fed(gr, ["mktree"], "\n".join(entries) + "\n")
    old = git.commit_tree(old_tree, "-p", "refs/accessreg/state", "-m", "before the parts")
    git.update_ref("refs/accessreg/state", old)
    assert "outbox.json" in git.ls_tree("--name-only", "refs/accessreg/state").splitlines()
    gr.reg.operator(contacts=[contact(), contact("deputy", 2), contact("deputy", 4)])
    merge(gr, "new-deputy", lambda: None)
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        again = accessreg(gr, "apply", "--out", str(tmp_path / "b"), "--confirm", "--send", *DAY,
                          env=smtp_env(port))  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert mailbox.received  # the new deputy's application was mailed
    names = git.ls_tree("--name-only", "refs/accessreg/state").splitlines()
    assert "outbox.json" not in names and any(n.startswith("outbox-") for n in names)
    now = state(gr)["outbox"]
    assert sent.items() <= now.items() and len(now) == 3 + len(mailbox.received)
    assert not {str(m["Message-ID"]) for m in mailbox.received} & set(sent)


def _fed(gr: GitRegistry, args: list[str], text: str) -> str:
    """``git ARGS`` in ``gr`` with ``text`` on its input: its output."""
    done = subprocess.run(["git", *args], cwd=gr.path, input=text.encode(),
                          capture_output=True, check=True)  # fmt: skip
    return done.stdout.decode().strip()


def test_a_removed_window_person_is_told_when_their_id_ends_if_they_held_one(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The permission-management system is Tokyo Gas Network's: a window person of an
    operator using OCCTO's systems alone never held its ID, and one of an operator using
    Tokyo Gas Network's keeps it until the window-person change's date, as the 受付 mail and
    the system's delta say."""
    occto = dict(
        roles=["demand_response"],
        systems=["switching"],
        subcontractors=None,
        certificates=[certificate(5, cn="DENKI001-PC05")],
    )
    window5, window6 = (
        contact(n=5, email="window5@denki-test.example.co.jp"),
        contact("deputy", 6, email="window6@denki-test.example.co.jp"),
    )

    def occto_operator() -> None:
        gr.reg.operator("DENKI001", contacts=[window5, window6], **occto)
        gr.reg.user("DENKI001", "admin@denki-test.example.co.jp", affiliation="DENKI001",
                    permissions={"switching": "dr_admin"})  # fmt: skip

    merge(gr, "occto", occto_operator)
    first = accessreg(gr, "apply", "--out", str(tmp_path / "first"), "--confirm", *DAY)
    assert first.returncode == 0, first.stderr

    def remove_deputies() -> None:
        gr.reg.operator(contacts=[contact(), contact("deputy", 2)])
        gr.reg.operator("DENKI001", contacts=[window5], **occto)

    merge(gr, "remove-deputies", remove_deputies)
    out = tmp_path / "out"
    assert accessreg(gr, "apply", "--out", str(out), *DAY).returncode == 0
    bodies = {
        (m["To"].addresses[0].addr_spec, str(m["Subject"])[:4]): m.get_content()
        for m in _eml(out).values()
    }
    tgn = bodies[(WINDOWS[2], "【受付】")]
    assert "システム利用権限管理システムの ID（window3@test-gas.example.co.jp）は、" in tgn
    assert "2026-12-24 以降ご利用いただけません。" in tgn
    assert "今後" not in tgn
    accepted = bodies[(WINDOWS[0], "【受付】")]
    assert "（window3@test-gas.example.co.jp） / 反映 2026-12-24 以降" in accepted
    (row,) = deltas(out, "admin_console")
    assert (row["メールアドレス（ID）"], row["適用日"]) == (WINDOWS[2], "2026-12-24")
    occto_body = bodies[("window6@denki-test.example.co.jp", "【受付】")]
    assert "システム利用権限管理システム" not in occto_body
    assert "ID" not in occto_body, occto_body


def test_an_approval_on_a_closed_day_is_told_as_accepted_on_the_business_day_to_come(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Approved and merged on Saturday 2 January 2027, in the year-end closure: accepted on
    Tuesday the 5th, the next business day. The 受付 mails, written on the 2nd, say the
    application will be accepted then, and why, not that it was; ``status`` keeps the 5th."""
    merge(gr, "closed-day", lambda: (
        gr.reg.operator(contacts=[contact(), contact("deputy", 2)]),
        gr.reg.user(email="user5@test-gas.example.co.jp"),
    ))  # fmt: skip
    out = tmp_path / "out"
    saturday = ["--today", "2027-01-02", "--accepted-on", "2027-01-02", "--merged-on", "2027-01-02"]
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", *saturday)
    assert result.returncode == 0, result.stderr
    bodies = {
        m["To"].addresses[0].addr_spec: m.get_content()
        for m in written_mails(out, "*-accepted-*.eml")
        + written_mails(out, "*-contact-removed-*.eml")
    }
    assert (
        "以下の申請は、休業日に承認されたため、2027-01-05（営業日）付で受け付けます"
        "（受付窓口: 託送受付センター）。" in bodies[WINDOWS[0]]
    ), bodies[WINDOWS[0]]
    removed = bodies[WINDOWS[2]]
    assert "あなたの登録を削除する申請がありました。" in removed, removed
    assert "休業日に承認されたため、2027-01-05（営業日）付で受け付けます（申請番号: " in removed
    assert all("受け付けました" not in body for body in bodies.values())
    (row,) = [r for r in status_table(gr, "2027-01-05") if r["受付日"] != ON]
    assert row["受付日"] == "2027-01-05", row


def test_a_suspension_names_the_systems_operator_that_stops_not_the_desk(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A suspension is the system operator's own act, at once (001 p46, 000 §2-1 note 1):
    merged on 31 December, a closed day of the centre, its 受付 mail names the operator that
    stops, not the centre as a desk that accepted it on a day it was closed."""
    merge(gr, "suspend-user2", lambda: gr.reg.user(
        email=USER2, name="二宮 二郎", permissions={"taxis": "1010", "juju": "granted"},
        suspended_on="2026-12-31"))  # fmt: skip
    out = tmp_path / "out"
    new_year = ["--today", "2026-12-31", "--accepted-on", "2026-12-31", "--merged-on", "2026-12-31"]
    assert accessreg(gr, "apply", "--out", str(out), "--confirm", *new_year).returncode == 0
    (mail,) = [
        m for m in written_mails(out, "*-accepted-*.eml")
        if m["To"].addresses[0].addr_spec == WINDOWS[0]
    ]  # fmt: skip
    body = mail.get_content()
    assert (
        "以下の利用の停止を受け付けました（受付日: 2026-12-31）。利用の停止はシステムの運営者"
        "（東京ガスネットワーク）が自ら行うもので、受付窓口の営業日を問いません。" in body
    ), body
    assert "受付窓口:" not in body and "託送受付センター" not in body


def test_an_address_given_another_reason_registers_nothing(gr: GitRegistry, tmp_path: Path) -> None:
    """Its reason alone changed: the address is let through as it was registered, so its
    application owes no 登録完了連絡 (one was sent for it registered anew) and ``status``
    shows （不要）; the 受付 mail says what changed."""
    contacts = [contact(), contact("deputy", 2), contact("deputy", 3)]
    entry = {"cidr": "41.203.64.10/32", "reason": "海外拠点", "expires_on": "2027-09-30"}
    merge(gr, "address", lambda: gr.reg.operator(contacts=contacts, ip_allowlist=[entry]))
    assert accessreg(gr, "apply", "--out", str(tmp_path / "a"), "--confirm", *DAY).returncode == 0
    moved = {**entry, "reason": "海外拠点（夜間対応）"}
    merge(gr, "reason", lambda: gr.reg.operator(contacts=contacts, ip_allowlist=[moved]))
    out = tmp_path / "reason"
    assert accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY).returncode == 0
    # The registration's own, owed still (nothing was sent), and no other.
    owed = {p.name for p in (tmp_path / "a" / "mail").glob("*-registered-*.eml")}
    assert owed and {p.name for p in (out / "mail").glob("*-registered-*.eml")} == owed
    (mail,) = [
        m
        for m in _eml(out).values()
        if m["To"].addresses[0].addr_spec == WINDOWS[0] and "【受付】" in m["Subject"]
    ]
    (line,) = [x for x in mail.get_content().splitlines() if "IP アドレスの変更" in x]
    assert "（理由 海外拠点 → 海外拠点（夜間対応））" in line, line
    rows = status_table(gr, ON, "--operator", "TESTOP01")
    assert rows[-1]["証明書・IP"] == "（不要）", rows


def test_an_english_run_names_applications_and_an_empty_batch_in_english(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The state records the seeds' Japanese names of the applications; a run reads them in
    its language. A batch of addresses alone has no import file for any system."""
    contacts = [contact(), contact("deputy", 2), contact("deputy", 3, name=HOSTILE_NAME)]
    allow = {"cidr": "41.203.64.11/32", "reason": "海外拠点", "expires_on": "2027-09-30"}
    merge(gr, "address", lambda: gr.reg.operator(contacts=contacts, ip_allowlist=[allow]))
    applied = accessreg(gr, "apply", "--out", str(tmp_path / "o"), "--confirm", *DAY)
    assert applied.returncode == 0, applied.stderr
    assert "/TESTOP01: overseas IP permission, accepted 2026-12-03" in applied.stdout
    assert "海外" not in applied.stdout
    (batch_id,) = [b for b, v in state(gr)["batches"].items() if v["head"] == gr.rev()]
    for lang, said in (
        ("en", f"Batch {batch_id} has no import file for any system: confirm it without --system"),
        ("ja", f"バッチ {batch_id} には、どのシステムの登録ファイルもありません。"),
    ):
        wrong = accessreg(gr, "confirm", batch_id, "--system", "switching",
                          env={"ACCESSREG_LANG": lang})  # fmt: skip
        assert wrong.returncode == 2 and said in wrong.stderr, wrong.stderr
    status = accessreg(gr, "status", env={"ACCESSREG_LANG": "ja"}).stdout
    assert "\t海外IPアドレスの許可申請\n" in status  # Japanese as it was


def test_an_address_in_effect_on_the_merge_day_is_told_registered_by_that_day_s_run(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """An overseas address is allowed once accepted (000 §2-8): the run of its acceptance day
    sends its 登録完了連絡 with the 受付 notice, records it told, and the next run sends it
    no more."""
    entry = {"cidr": "41.203.64.10/32", "reason": "海外拠点", "expires_on": "2027-09-30"}
    contacts = [contact(), contact("deputy", 2), contact("deputy", 3, name=HOSTILE_NAME)]
    merge(gr, "address", lambda: gr.reg.operator(contacts=contacts, ip_allowlist=[entry]))
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        first = accessreg(gr, "apply", "--out", str(tmp_path / "first"), "--confirm",
                          "--send", *DAY, env=smtp_env(port))  # fmt: skip
        assert first.returncode == 0, first.stderr
        subjects = sorted(str(m["Subject"]).split("】")[0] for m in mailbox.received)
        assert subjects == ["【受付"] * 3 + ["【登録完了連絡"] * 3, subjects
        told = len(mailbox.received)
        merged = gr.repo.head.commit.hexsha[:12]
        recorded = [a for b in state(gr)["batches"].values() for a in b["applications"]]
        told_of = [a.get("registration_notified") for a in recorded if a["id"].startswith(merged)]
        assert told_of == [True]  # recorded with the batch: no run rebuilds it again
        again = accessreg(gr, "apply", "--out", str(tmp_path / "again"), "--confirm",
                          "--send", *DAY, env=smtp_env(port))  # fmt: skip
        assert again.returncode == 0, again.stderr
    assert len(mailbox.received) == told
    assert not written_mails(tmp_path / "again", "*-registered-*.eml")


def test_a_suspension_alone_or_its_lifting_alone_is_titled_as_what_it_is(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """An application that only stops is 利用の停止, one that only lifts is 停止解除 (001
    p46): the subject and the kind say which, not both."""
    held = {"taxis": "1010", "juju": "granted"}
    merge(gr, "suspend-user2", lambda: gr.reg.user(
        email=USER2, name="二宮 二郎", permissions=held, suspended_on=ON))  # fmt: skip
    out = tmp_path / "stop"
    assert accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY).returncode == 0
    (stop,) = [m for m in _eml(out).values() if m["To"].addresses[0].addr_spec == WINDOWS[0]]
    assert stop["Subject"] == "【受付】利用の停止（テストガス株式会社）"
    assert "申請種別: 利用の停止（001 p46" in stop.get_content()
    assert "停止解除" not in stop.get_content()
    merge(gr, "lift-user2", lambda: gr.reg.user(email=USER2, name="二宮 二郎", permissions=held))
    out = tmp_path / "lift"
    assert accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY).returncode == 0
    (lift,) = [m for m in _eml(out).values() if m["To"].addresses[0].addr_spec == WINDOWS[0]]
    assert lift["Subject"] == "【受付】停止解除（テストガス株式会社）"
    assert "申請種別: 停止解除（001 p46" in lift.get_content()
    assert "利用の停止" not in lift.get_content()


def test_a_refused_merges_run_that_a_server_stops_says_both(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The run applies the merge before the refused one and records it; the server then
    refuses its mails: the run ends with the delivery error's code (2), saying the refusal
    of the merge that waits too."""
    first = merge(gr, "add-user4", lambda: gr.reg.user(email="user4@test-gas.example.co.jp"))

    def remove_all() -> None:
        for path in sorted((gr.reg.root / "users/TESTOP01").glob("*.yaml")):
            if "user4" not in path.name:
                gr.remove(f"users/TESTOP01/{path.name}")

    merge(gr, "remove-users", remove_all)
    with smtp_server(Mailbox(fail_after=0)) as port:
        ran = accessreg(gr, "apply", "--out", str(tmp_path / "out"), "--confirm", "--send",
                        *DAY, env=smtp_env(port))  # fmt: skip
    assert ran.returncode == 2, ran.stderr
    assert "SMTP refused" in ran.stderr, ran.stderr
    assert "Refusing to remove" in ran.stderr, ran.stderr
    assert state(gr)["applied"] == first


PROMISE = "各システムの処理状況は、登録作業の完了ごとにお知らせします。"


def test_a_certificate_named_for_fewer_systems_says_which_and_from_when(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The 受付 mail of a certificate narrowed says what changes, as the plan does, and
    from when: the day of its merge, whose run takes it out of the other systems'
    whitelists (no batch registers a serial registered already); it said neither."""
    windows = [contact(), contact("deputy", 2), contact("deputy", 3)]
    others = [certificate(n) for n in range(2, 6)]  # the whitelists' rail counts them too
    merge(gr, "certificate", lambda: gr.reg.operator(
        contacts=windows, certificates=[certificate(1), *others]))  # fmt: skip
    assert accessreg(gr, "apply", "--out", str(tmp_path / "c"), "--confirm", *DAY).returncode == 0
    merge(gr, "narrow", lambda: gr.reg.operator(
        contacts=windows, certificates=[certificate(1, systems=["taxis"]), *others]))  # fmt: skip
    out = tmp_path / "narrowed"
    usable = ["--today", "2027-01-05", "--accepted-on", "2027-01-05"]  # registered: M+6
    ran = accessreg(gr, "apply", "--out", str(out), "--confirm", *usable)
    assert ran.returncode == 0, ran.stderr
    (mail,) = [
        m
        for m in _eml(out).values()
        if m["To"].addresses[0].addr_spec == WINDOWS[0] and "【受付】" in m["Subject"]
    ]
    (line,) = [x for x in mail.get_content().splitlines() if "クライアント証明書の変更" in x]
    assert "（利用システム 事業者が利用する全システム → 託送システム（taxis））" in line, line
    merged = subprocess.run(["git", "-C", str(gr.path), "log", "-1", "--format=%cs"],
                            capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    assert line.endswith(f"/ 反映 {merged} 以降"), line
    assert "7A0001" in (out / "whitelist/taxis/cert-map.conf").read_text("utf-8")
    assert "7A0001" not in (out / "whitelist/juju/cert-map.conf").read_text("utf-8")


def test_only_an_application_a_completion_notice_follows_promises_one(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A certificate suspended reaches the whitelists alone: its batch has no system to
    confirm, no completion notice follows, and its 受付 mail promises none. A user's ID
    suspended is confirmed per system, and its mail says so."""
    windows = [contact(), contact("deputy", 2), contact("deputy", 3, name=HOSTILE_NAME)]
    merge(gr, "certificate", lambda: gr.reg.operator(
        contacts=windows, certificates=[certificate(1)]))  # fmt: skip
    assert accessreg(gr, "apply", "--out", str(tmp_path / "c"), "--confirm", *DAY).returncode == 0
    merge(gr, "suspend-certificate", lambda: gr.reg.operator(
        contacts=windows, certificates=[certificate(1, suspended_on=ON)]))  # fmt: skip
    out = tmp_path / "cert"
    assert accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY).returncode == 0
    (mail,) = [m for m in _eml(out).values() if m["To"].addresses[0].addr_spec == WINDOWS[0]]
    body = mail.get_content()
    assert "クライアント証明書の利用停止: 証明書ID EP-TEST-0001" in body, body
    assert "登録作業の完了ごと" not in body, body
    (batch,) = [v for v in state(gr)["batches"].values() if v["head"] == gr.rev()]
    assert not batch["systems"], batch  # nothing to confirm: no completion notice
    merge(gr, "suspend-user2", lambda: gr.reg.user(
        email=USER2, name="二宮 二郎", permissions={"taxis": "1010", "juju": "granted"},
        suspended_on=ON))  # fmt: skip
    out = tmp_path / "user"
    assert accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY).returncode == 0
    (mail,) = [m for m in _eml(out).values() if m["To"].addresses[0].addr_spec == WINDOWS[0]]
    assert PROMISE in mail.get_content()


def test_a_suspension_no_plan_shows_is_titled_from_what_its_rows_do(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A catalog change gives an operator no plan, yet may stop what its rows hold: the
    information-sharing site derived from TAXIS alone is suspended with TAXIS. Its
    application is named from the rows as a plan would name it: 利用の停止, not both."""
    stop = [{"system": "taxis", "suspended_on": ON, "reason": "証明書の紛失"}]
    windows = [contact(), contact("deputy", 2), contact("deputy", 3, name=HOSTILE_NAME)]
    merge(gr, "suspend-taxis", lambda: gr.reg.operator(contacts=windows, suspensions=stop))
    assert accessreg(gr, "apply", "--out", str(tmp_path / "a"), "--confirm", *DAY).returncode == 0
    every, taxis = "[taxis, johs, juju, loacus]", "[taxis]"
    for name, was, now, kind, label, english in (
        ("site-of-taxis", every, taxis, "停止", "利用の停止", "suspension"),
        ("site-of-all", taxis, every, "停止解除", "停止解除", "lifting of a suspension"),
    ):
        old, new = (f"derived: {{kind: users_of, systems: {s}}}" for s in (was, now))
        merge(gr, name, partial(gr.reg.edit, "systems.yaml", old, new))
        out = tmp_path / name
        result = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
        assert result.returncode == 0, result.stderr
        rows = deltas(out, "info_site")
        assert rows and {r["区分"] for r in rows} == {kind}, rows
        (batch,) = [v for v in state(gr)["batches"].values() if v["head"] == gr.rev()]
        (application,) = batch["applications"]
        assert application["kinds"] == [label], application["kinds"]
        # ``status`` reads the recorded kind back in the reader's words.
        shown = accessreg(gr, "status", "--today", ON).stdout
        (line,) = [x for x in shown.splitlines() if x.startswith(application["id"])]
        assert line.endswith(f"\t{english}"), line


def test_a_mail_is_dated_the_day_of_the_run_that_writes_it(gr: GitRegistry, tmp_path: Path) -> None:
    """A 受付 mail written days after the acceptance, and completion notices owed to a later
    run (none sent), carry the day of the run that writes them in their Date header: sorted
    by it, a late mail is not read as an early one. The body keeps the 受付日, and a mail
    written again keeps its Message-ID."""
    merge(gr, "user5", lambda: gr.reg.user(email="user5@test-gas.example.co.jp"))
    applied = accessreg(gr, "apply", "--out", str(tmp_path / "a"), "--confirm",
                        "--accepted-on", ON, "--today", "2026-12-07")  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    accepted = written_mails(tmp_path / "a", "*-accepted-*.eml")
    assert accepted
    for mail in accepted:
        assert mail["Date"] == "Mon, 07 Dec 2026 09:00:00 +0900"
        assert f"受付日: {ON}" in mail.get_body().get_content()  # type: ignore[union-attr]
    (batch_id,) = [b for b, v in state(gr)["batches"].items() if v["head"] == gr.rev()]
    dated: dict[str, set[tuple[str, str]]] = {}
    for n, (system, day) in enumerate((("taxis", "2026-12-24"), ("johs", "2026-12-28"))):
        out = tmp_path / f"c{n}"
        done = accessreg(gr, "confirm", batch_id, "--system", system, "--out", str(out),
                         "--today", day)  # fmt: skip
        assert done.returncode == 0, done.stderr
        mails = written_mails(out, "*-completed-taxis-*.eml")
        assert mails
        dated[day] = {(str(m["Message-ID"]), str(m["Date"])) for m in mails}
    stamp = {"2026-12-24": "Thu, 24 Dec 2026", "2026-12-28": "Mon, 28 Dec 2026"}
    for day, mails in dated.items():
        assert {d for _, d in mails} == {f"{stamp[day]} 09:00:00 +0900"}
    first, again = ({i for i, _ in m} for m in dated.values())
    assert first == again


def test_a_handover_is_told_as_the_plan_says_it_and_named_in_each_notice(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """000 §3-2: a deputy made primary, the primary (a TAXIS user too) leaving. The 受付 mail
    says who becomes what (副担当 → 正担当), as the plan does; TAXIS's registration work,
    done for the leaver's row (the permission-management column) and no permission of it,
    is a 手続き完了通知 naming the handover, not a notice listing nothing."""
    leaver = WINDOWS[0]
    merge(gr, "leaver-user", lambda: gr.reg.user(email=leaver, name="窓口 1号"))
    done = accessreg(gr, "apply", "--out", str(tmp_path / "pre"), "--confirm", *DAY)
    assert done.returncode == 0, done.stderr
    gr.branch("promote", "main")
    promoted = accessreg(gr, "contact", "promote", "--operator", "TESTOP01", "--email",
                         WINDOWS[1], "--former-primary", "leaves", "--today", ON)  # fmt: skip
    assert promoted.returncode == 0, promoted.stderr
    gr.commit("promote")
    gr.checkout("main")
    gr.merge("promote")
    applied = accessreg(gr, "apply", "--out", str(tmp_path / "a"), "--confirm", *DAY)
    assert applied.returncode == 0, applied.stderr
    accepted = written_mails(tmp_path / "a", "*-accepted-*.eml")
    assert accepted
    for mail in accepted:
        body = mail.get_body().get_content()  # type: ignore[union-attr]
        assert (
            f"・システム窓口責任者の変更: 窓口 2号（{WINDOWS[1]}）（副担当 → 正担当） / 反映"
            in body
        )
        assert "000 §5-1" not in body  # about 15 business days (000 §3-2), no user's schedule
    (batch_id,) = [b for b, v in state(gr)["batches"].items() if v["head"] == gr.rev()]
    assert "taxis" in state(gr)["batches"][batch_id]["systems"]
    out = tmp_path / "taxis"
    done = accessreg(gr, "confirm", batch_id, "--system", "taxis", "--out", str(out),
                     "--today", "2026-12-28")  # fmt: skip
    assert done.returncode == 0, done.stderr
    notices = written_mails(out, "*-completed-taxis-*.eml")
    assert notices
    for mail in notices:
        assert str(mail["Subject"]).startswith("【手続き完了通知】託送システム")
        body = mail.get_body().get_content()  # type: ignore[union-attr]
        lines = body.splitlines()
        named = lines.index("■ 登録内容") + 1
        assert lines[named].startswith(f"・システム窓口責任者の削除: 窓口 1号（{leaver}）（"), body


@pytest.mark.parametrize(
    ("change", "scheduled"),
    [
        ("user", True),  # a new user: from M+6 / M+9, a schedule that may slip (000 §5-1)
        ("ip", False),  # an overseas address (000 §2-8): no schedule of §5-1
        ("termination", False),  # the day the operator chose (000 §3-3)
    ],
)
def test_an_acceptance_notice_cites_the_standard_schedule_only_for_its_dates(
    gr: GitRegistry, tmp_path: Path, change: str, scheduled: bool
) -> None:
    def changed() -> None:
        if change == "user":
            gr.reg.user(email="user7@test-gas.example.co.jp", permissions={"taxis": "1010"})
        elif change == "ip":
            address = {"cidr": "203.0.113.9/32", "reason": "海外拠点", "expires_on": "2027-06-30"}
            gr.reg.operator(ip_allowlist=[address])
        else:
            gr.reg.operator(status="terminated", terminated_on="2027-01-29")

    merge(gr, change, changed)
    out = tmp_path / "out"
    done = accessreg(gr, "apply", "--out", str(out), "--allow-mass-removal", *DAY)
    assert done.returncode == 0, done.stderr
    accepted = written_mails(out, "*-accepted-*.eml")
    assert accepted
    for mail in accepted:
        body = mail.get_body().get_content()  # type: ignore[union-attr]
        assert ("標準的な処理日程による目安です" in body) is scheduled, body
        assert ("000 §5-1" in body) is scheduled, body


def test_what_is_registered_suspended_is_announced_so(gr: GitRegistry, tmp_path: Path) -> None:
    """A new user, or a certificate, filed already suspended (a lost token's, 001 p46) comes
    stopped: its rows say 停止中 and no whitelist takes the certificate. The 受付 mail says
    so beside each 設定 and 追加, not a plain 利用開始 every other output contradicts."""
    windows = [contact(), contact("deputy", 2), contact("deputy", 3)]

    def stopped() -> None:
        gr.reg.operator(contacts=windows, certificates=[certificate(1, suspended_on=ON)])
        gr.reg.user(email="user5@test-gas.example.co.jp", permissions={"taxis": "1010"},
                     suspended_on=ON)  # fmt: skip

    merge(gr, "registered-suspended", stopped)
    out = tmp_path / "o"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    (row,) = deltas(out, "taxis")
    assert row["利用停止"] == "停止中", row
    assert "7A0001" not in (out / "whitelist/taxis/cert-map.conf").read_text("utf-8")
    (mail,) = [m for m in _eml(out).values() if m["To"].addresses[0].addr_spec == WINDOWS[0]]
    body = mail.get_content()
    added = next(ln for ln in body.splitlines() if "クライアント証明書の追加" in ln)
    assert f"（{ON} から利用停止: 停止解除の申請まで接続に使えません）" in added, body
    line = next(
        ln for ln in body.splitlines() if ln.strip().startswith("託送システム（taxis）: 設定")
    )
    assert line.endswith(f"（{ON} から利用停止: 停止解除の申請まで利用できません）"), body
    # The completion notices say the same once the work is done: registered, not usable.
    (batch_id,) = [b for b, v in state(gr)["batches"].items() if v["head"] == gr.rev()]
    done = tmp_path / "done"
    confirmed = accessreg(gr, "confirm", batch_id, "--system", "taxis", "--out", str(done),
                          "--today", "2026-12-24")  # fmt: skip
    assert confirmed.returncode == 0, confirmed.stderr
    told = {m["Subject"]: m.get_content() for m in _eml(done).values()
            if m["To"].addresses[0].addr_spec == WINDOWS[0]}  # fmt: skip
    started = next(b for s, b in told.items() if "託送システム" in s and "登録完了連絡" not in s)
    person = next(ln for ln in started.splitlines() if "user5@" in ln)
    assert f"（{ON} から利用停止: 停止解除の申請まで利用できません）" in person, started
    assert "利用開始" not in person, person
    registered = next(b for s, b in told.items() if "登録完了連絡" in s)
    cert = next(ln for ln in registered.splitlines() if "クライアント証明書の追加" in ln)
    assert cert.endswith("接続に使えません）（登録済み）"), registered
    assert "からご利用いただけます" not in registered, registered


@pytest.mark.parametrize("first", ["later", "earlier"])
def test_confirming_a_change_before_the_earlier_batch_of_its_holder_warns(
    gr: GitRegistry, tmp_path: Path, first: str
) -> None:
    """A later batch changes USER2's TAXIS code while the load that set it is still 未済 for
    TAXIS: confirming the later one first goes through, and its report warns, naming the
    earlier batch and the holders by count (a job log names no ID), since its notice of the
    change reaches them before the setting's own. In order, nothing is warned of."""
    [loaded] = [v["id"] for v in state(gr)["batches"].values()]
    codes = {"taxis": "1011", "juju": "granted"}
    merge(gr, "change-user2", lambda: gr.reg.user(email=USER2, name="二宮 二郎", permissions=codes))
    done = accessreg(gr, "apply", "--out", str(tmp_path / "o"), "--confirm", *DAY)
    assert done.returncode == 0, done.stderr
    (later,) = [v["id"] for v in state(gr)["batches"].values() if v["id"] != loaded]
    order = [later, loaded] if first == "later" else [loaded, later]
    said = {}
    for batch in order:
        ran = accessreg(gr, "--lang", "ja", "confirm", batch, "--system", "taxis",
                        "--today", "2027-01-05")  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        said[batch] = ran.stdout
    assert "警告" not in said[loaded], said[loaded]
    if first == "earlier":
        assert "警告" not in said[later], said[later]
        return
    assert (
        f"警告: 先のバッチ {loaded} の託送システム（taxis）は未済のままで、このバッチが同じ"
        "システムで権限を変える利用者 1 名の権限を、そのバッチでも変えています。"
    ) in said[later], said[later]
    assert f"accessreg confirm {loaded} --system taxis で記録してください" in said[later]
    assert USER2 not in said[later]


def test_confirming_a_change_before_the_earlier_change_of_its_holder_warns(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The same between two merged changes, read from their recorded items: batch A changes
    USER2's TAXIS code, batch B changes it again; B confirmed first warns of A."""
    [loaded] = [v["id"] for v in state(gr)["batches"].values()]
    day = ["--today", "2027-01-05"]
    assert accessreg(gr, "confirm", loaded, "--system", "taxis", *day).returncode == 0
    ids = [loaded]
    for name, code in (("a", "1011"), ("b", "1010")):
        codes = {"taxis": code, "juju": "granted"}
        merge(gr, name, lambda c=codes: gr.reg.user(email=USER2, name="二宮 二郎", permissions=c))
        done = accessreg(gr, "apply", "--out", str(tmp_path / name), "--confirm", *DAY)
        assert done.returncode == 0, done.stderr
        (new,) = [v["id"] for v in state(gr)["batches"].values() if v["id"] not in ids]
        ids.append(new)
    _, a, b = ids
    ran = accessreg(gr, "confirm", b, "--system", "taxis", *day)
    assert ran.returncode == 0, ran.stderr
    (line,) = [x for x in ran.stdout.splitlines() if x.startswith("warning:")]
    assert line.startswith(f"warning: the earlier batch {a} is still not done for "), line
    assert "of 1 user this batch changes too" in line and loaded not in line, line
