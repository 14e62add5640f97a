"""A certificate is registered at M+6 even when its validity starts later (000 §4-2, 004).

The authentication system registers every certificate of a batch at once: the centre's
登録完了連絡 comes from M+6 business days (000 §4-2 ⑤), whatever the certificates' validity.
A renewal whose validity starts later (004: EPPCERT may set it up to 179 days ahead) is
registered then and usable only from its first valid day. One application holding both a
certificate usable at once and such a renewal is done at M+6: ``status`` says so, the notice
goes out that day, and it names each certificate with the day it can be used, the day the
plan, the 受付 mail and the whitelists give it.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import accessreg, state, status_table
from tests.helpers.regfactory import RegistryFactory, certificate
from tests.helpers.smtpserver import Mailbox, smtp_env, smtp_server

LOADED = "2026-12-04"
# Accepted 12/16 (審査OK): M is the next 1st, 1/1, a closed day → 2027-01-05; M+6 → 1/14.
ENTERED, ACCEPTED = "2026-12-15", "2026-12-16"
REGISTERED = "2027-01-14"
RENEWAL_VALID = "2027-02-01"
# In use, expiring soon; its renewal (the same CN) valid only from 2/1.
EXPIRING = certificate(1, not_before="2025-02-10", not_after="2027-02-09")
RENEWAL = certificate(2, cn=EXPIRING["cn"], not_before=RENEWAL_VALID, not_after="2029-01-31")
NEW = certificate(9, not_before="2026-12-01", not_after="2028-11-30")


@pytest.fixture
def planned(reg: RegistryFactory, tmp_path: Path) -> Iterator[tuple[GitRegistry, str]]:
    """Loaded on 12/04 with the expiring certificate; then one pull request adding the
    renewal and a new certificate, planned, accepted and applied on 12/16; its plan."""
    reg.operator(certificates=[EXPIRING])
    made = GitRegistry(reg)
    try:
        first = accessreg(made, "apply", "--out", str(tmp_path / "initial"), "--initial",
                          "--confirm", "--today", LOADED)  # fmt: skip
        assert first.returncode == 0, first.stderr
        made.branch("certificates", "main")
        reg.operator(certificates=[EXPIRING, RENEWAL, NEW])
        made.commit("certificates: a renewal and a new one")
        plan = accessreg(made, "--lang", "ja", "plan", "--base", "main", "--head",
                         "certificates", "--entered-on", ENTERED, "--accepted-on", ACCEPTED,
                         "--today", ACCEPTED)  # fmt: skip
        assert plan.returncode == 0, plan.stderr
        made.checkout("main")
        made.merge("certificates")
        ran = accessreg(made, "apply", "--out", str(tmp_path / "accepted"), "--confirm",
                        "--entered-on", ENTERED, "--accepted-on", ACCEPTED,
                        "--today", ACCEPTED)  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        yield made, plan.stdout
    finally:
        made.close()


def _status(gr: GitRegistry, day: str) -> dict[str, str]:
    """The application's line of ``status --today day``, in the seed's words."""
    return status_table(gr, day, "--operator", "TESTOP01")[-1]


def _registered(gr: GitRegistry, out: Path, day: str, port: int) -> list[EmailMessage]:
    """The 登録完了連絡 a run over the applied revision sends on ``day``, as it wrote them."""
    ran = accessreg(gr, "apply", "--out", str(out), "--head", state(gr)["applied"], "--confirm",
                    "--send", "--today", day, env=smtp_env(port))  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return written_mails(out, "*-registered-*.eml")


def _whitelist(gr: GitRegistry, out: Path, day: str) -> str:
    ran = accessreg(gr, "daily", "--out", str(out), "--today", day)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return (out / "whitelist" / "taxis" / "cert-map.conf").read_text(encoding="utf-8")


def _planned(plan: str, cert: dict[str, str]) -> str:
    """The plan's date of ``cert``: the line under the item."""
    lines = plan.splitlines()
    (at,) = [n for n, ln in enumerate(lines) if f"証明書追加: {cert['id']}（" in ln]
    return lines[at + 1].strip()


def _line(body: str, cert: dict[str, str]) -> str:
    (found,) = [ln for ln in body.splitlines() if f"証明書ID {cert['id']}" in ln]
    return found


def test_the_registration_is_done_at_m6_and_each_certificate_usable_on_its_own_day(
    planned: tuple[GitRegistry, str], tmp_path: Path
) -> None:
    gr, plan = planned
    # The plan and the 受付 mail: the new one from M+6, the renewal registered at M+6 and
    # usable from its first valid day.
    assert _planned(plan, NEW) == f"適用 {REGISTERED}（M = 2027-01-05）"
    later = f"{RENEWAL_VALID}（登録 {REGISTERED}、M = 2027-01-05。ご利用は有効期間の開始日から）"
    assert _planned(plan, RENEWAL) == f"適用 {later}"
    accepted = written_mails(tmp_path / "accepted", "*-accepted-*.eml")[0].get_content()
    assert _line(accepted, NEW).endswith(f"反映 {REGISTERED} 以降")
    later = f"反映 {RENEWAL_VALID} 以降（登録は {REGISTERED}、ご利用は有効期間の開始日から）"
    assert _line(accepted, RENEWAL).endswith(later)
    # The whitelists of M+6 let the new certificate through, the renewal only from 2/1.
    on_m6 = _whitelist(gr, tmp_path / "daily-m6", REGISTERED)
    assert f"{NEW['serial']} TESTOP01;" in on_m6
    assert f"{RENEWAL['serial']} TESTOP01;" not in on_m6
    assert f"{RENEWAL['serial']} TESTOP01;" in _whitelist(gr, tmp_path / "daily-2-1", RENEWAL_VALID)
    # status: registered at M+6, both certificates with it; not before.
    before = _status(gr, "2027-01-13")
    assert (before["進捗"], before["証明書・IP"]) == ("処理中", "未済")
    done = _status(gr, REGISTERED)
    assert (done["進捗"], done["証明書・IP"]) == ("処理完了", "済")
    # The 登録完了連絡 goes out at M+6, once, naming the day each certificate can be used.
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        assert _registered(gr, tmp_path / "due-13", "2027-01-13", port) == []
        (mail,) = _registered(gr, tmp_path / "due-m6", REGISTERED, port)
        assert [str(m["Subject"]) for m in mailbox.received] == [str(mail["Subject"])]
        assert _registered(gr, tmp_path / "due-2-1", RENEWAL_VALID, port) == []
    assert mail["Subject"].startswith("【登録完了連絡】クライアント証明書登録申請（")
    body = mail.get_content()
    assert f"登録作業が完了しました（{REGISTERED}）。" in body, body
    assert "申請の処理状況: 処理完了" in body
    assert _line(body, NEW).endswith(f"（{REGISTERED} からご利用いただけます）")
    later = f"（登録済み。有効期間の開始日 {RENEWAL_VALID} からご利用いただけます）"
    assert _line(body, RENEWAL).endswith(later)
    # It says no one day the whole application is usable from: its certificates differ.
    assert "からご利用いただけます。" not in body
