"""The expiry notice tells a renewal as registered only when the whitelists of the day let it
through (``Admitted.certificate`` over the dates apply recorded): a renewal the switching
support system's help desk has not registered yet (001 p13) is told as applied for, with
what the window person does meanwhile, and registered from the day its step is confirmed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import accessreg, state
from tests.helpers.regfactory import RegistryFactory, certificate
from tests.helpers.scheduled_scenario import duty, mail_server, on, take
from tests.helpers.smtpserver import Mailbox

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


OLD = certificate(1, cn="TESTOP01-PC01", not_before="2025-01-21", not_after="2027-01-20")
NEW = certificate(
    2, serial="5A11CE", cn="TESTOP01-PC01", not_before="2027-01-08", not_after="2029-01-07"
)
ACCEPTED = date(2026, 12, 11)
NOTICED = date(2026, 12, 24)  # 27 days left: the first notice
CONFIRMED = date(2026, 12, 28)
REMINDED = date(2027, 1, 6)  # 14 days left: the reminder
DESK = "スイッチング支援システム ヘルプデスク"


@pytest.fixture
def renewed(reg: RegistryFactory, tmp_path: Path) -> Iterator[tuple[GitRegistry, str]]:
    """A switching-support contractor loaded on 12/07, whose renewal of ``OLD`` was merged
    and applied on 12/11: its batch, which waits for the help desk's registration."""
    reg.switching_operator(certificates=[OLD])
    gr = GitRegistry(reg)
    try:
        first = accessreg(gr, "apply", "--out", str(tmp_path / "o0"), "--initial", "--confirm",
                          "--today", "2026-12-07")  # fmt: skip
        assert first.returncode == 0, first.stderr
        before = set(state(gr)["batches"])
        gr.branch("renewal", "main")
        reg.switching_operator(certificates=[OLD, NEW])
        gr.commit("renewal: the certificate of TESTOP01-PC01 from 2027-01-08")
        gr.checkout("main")
        gr.repo.git.merge("-q", "--no-ff", "--no-edit", "renewal", env=on(ACCEPTED))
        ran = accessreg(gr, "apply", "--out", str(tmp_path / "o1"), "--confirm",
                        "--today", str(ACCEPTED), "--accepted-on", str(ACCEPTED),
                        "--entered-on", "2026-12-10")  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        (batch,) = set(state(gr)["batches"]) - before
        yield gr, batch
    finally:
        gr.close()


def _expiry_rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((out / "expiry.csv").read_text("utf-8-sig"))))


def test_a_renewal_the_help_desk_has_not_registered_is_told_as_applied_for(
    renewed: tuple[GitRegistry, str], tmp_path: Path
) -> None:
    gr, _ = renewed
    out = tmp_path / "daily"
    duty(gr, "daily", "--out", str(out), today=NOTICED)
    # The whitelist of the day leaves it out; the notice and the table say the same.
    assert "5A11CE" not in (out / "whitelist/switching/cert-map.conf").read_text("utf-8")
    (row,) = _expiry_rows(out)
    assert (row["更新後の証明書ID"], row["更新後の証明書の登録"]) == ("EP-TEST-0002", "登録申請中")
    mails = written_mails(out)
    assert mails
    for mail in mails:
        body = str(mail.get_body().get_content())  # type: ignore[union-attr]
        assert "クライアント証明書の有効期限が近づいています" in str(mail["Subject"])
        told = "更新後の証明書: EP-TEST-0002（2027-01-08 から有効）は登録申請中です（登録完了前）。"
        assert told in body
        assert "登録済み" not in body
        # What to do meanwhile: nothing but wait, and ask the desk before the old one ends.
        assert f"{DESK}の登録作業が済むと、登録完了をお知らせします。" in body
        asked = (
            f"連絡がないまま 2027-01-20（この証明書の有効期限）が近づいたら、期限より前に{DESK}に"
        )
        assert asked in body


def test_a_renewal_is_registered_from_the_confirmation_of_the_help_desk(
    renewed: tuple[GitRegistry, str], tmp_path: Path
) -> None:
    gr, batch = renewed
    done = accessreg(gr, "confirm", batch, "--system", "switching", "--out",
                     str(tmp_path / "confirmed"), "--today", str(CONFIRMED))  # fmt: skip
    assert done.returncode == 0, done.stderr
    sink = Mailbox()
    with mail_server(sink) as env:
        duty(gr, "expiry", "--send", "--out", str(tmp_path / "sent"), today=REMINDED, env=env)
    got = take(sink)
    assert got
    for mail in got:
        body = mail.get_body().get_content()  # type: ignore[union-attr]
        assert "【再通知】" in str(mail["Subject"])
        assert "更新後の証明書: EP-TEST-0002（2027-01-08 から有効）が登録済みです。" in body
        assert "登録申請中" not in body
        # Registered: from when it is the one in use, and no order of another one.
        assert "2027-01-21 からは、更新後の証明書を導入した端末でシステムを利用できます" in body
        assert "EPPCERT" not in body and "更新の手順" not in body
    (row,) = _expiry_rows(tmp_path / "sent")
    assert row["更新後の証明書の登録"] == "登録済み"


def test_a_renewal_missing_a_system_of_the_expiring_certificate_is_not_told_as_registered(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    # The expiring certificate reaches TAXIS and the switching support system; its renewal,
    # registered and let through, names TAXIS alone: switching's cert-map holds the old one.
    expiring = certificate(1, not_before="2025-01-10", not_after="2027-01-10",
                           systems=["taxis", "switching"])  # fmt: skip
    renewal = certificate(2, cn="TESTOP01-PC01", not_before="2026-11-01",
                          not_after="2028-11-01", systems=["taxis"])  # fmt: skip
    reg.operator(
        occto_member=True,
        membership={"status": "member", "member_since": "2020-04-01"},
        roles=["gas_retailer", "wheeling_client", "electricity_retailer"],
        systems=["taxis", "johs", "juju", "loacus", "switching", "member_portal"],
        certificates=[expiring, renewal],
    )
    gr = GitRegistry(reg)
    try:
        gr.commit("the operator with both certificates")
        duty(gr, "apply", "--out", str(tmp_path / "o0"), "--initial", "--confirm",
             today=date(2026, 11, 20))  # fmt: skip
        sink = Mailbox()
        with mail_server(sink) as env:
            duty(gr, "expiry", "--send", "--out", str(tmp_path / "sent"),
                 today=date(2026, 11, 20), env=env)  # fmt: skip
        got = take(sink)
    finally:
        gr.close()
    maps = tmp_path / "o0/whitelist"
    assert "7A0002" in (maps / "taxis/cert-map.conf").read_text("utf-8")
    assert "7A0002" not in (maps / "switching/cert-map.conf").read_text("utf-8")
    assert got
    switching = "スイッチング支援システム（switching）"
    for mail in got:
        body = mail.get_body().get_content()  # type: ignore[union-attr]
        assert "登録済みです。" not in body
        assert f"EP-TEST-0002（2026-11-01 から有効）は、{switching}には登録されていません" in body
        asked = (
            f"{switching}を引き続き利用するには、申請フォーム「クライアント証明書登録申請」で、"
            f"EP-TEST-0002 の{switching}への登録を申請してください"
        )
        assert asked in body
    (row,) = _expiry_rows(tmp_path / "sent")
    assert row["更新後の証明書の登録"] == "一部のシステムに未登録"
