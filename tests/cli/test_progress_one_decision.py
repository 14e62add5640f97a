"""One decision of an application's progress, read by every output (000 §5-1 ⑦): ``status``
and the 登録完了連絡 (000 §4-2 ⑤) say 処理完了 only once every system the application
needs is 済. A window person's permission-management ID is issued with the usage
application (000 §3-2 ⑥, about 15 business days): an application that adds one stays 処理中
until that system is confirmed, though its overseas address is registered at once."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import accessreg, merge, state, status_table
from tests.helpers.regfactory import RegistryFactory, contact

LOADED = "2026-12-04"
ACCEPTED = "2026-12-11"  # the address is whitelisted at once (000 §2-8)
DEPUTY = contact("deputy", 2)


def _status(gr: GitRegistry, day: str) -> dict[str, str]:
    """The latest application's line of ``status --today day``, in the seed's words."""
    return status_table(gr, day, "--operator", "TESTOP01")[-1]


def _registered(gr: GitRegistry, out: Path, day: str) -> list[EmailMessage]:
    """The 登録完了連絡 a run over the applied revision writes on ``day``."""
    ran = accessreg(gr, "apply", "--out", str(out), "--head", state(gr)["applied"],
                    "--today", day)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return written_mails(out, "*-registered-*.eml")


@pytest.fixture
def applied(reg: RegistryFactory, tmp_path: Path) -> Iterator[tuple[GitRegistry, str]]:
    """Loaded on 12/04; then a deputy window person and an overseas address added in one
    pull request, entered 12/10, approved and applied 12/11; its batch."""
    made = GitRegistry(reg)
    try:
        first = accessreg(made, "apply", "--out", str(tmp_path / "initial"), "--initial",
                          "--confirm", "--today", LOADED)  # fmt: skip
        assert first.returncode == 0, first.stderr
        address = {"cidr": "103.5.6.7/32", "reason": "ベトナム拠点の固定IP",
                   "expires_on": "2027-09-30"}  # fmt: skip
        both = {"contacts": [contact(), DEPUTY], "ip_allowlist": [address]}
        merge(made, "deputy-and-address", lambda: reg.operator(**both))
        before = set(state(made)["batches"])
        ran = accessreg(made, "apply", "--out", str(tmp_path / "out"), "--confirm",
                        "--entered-on", "2026-12-10", "--accepted-on", ACCEPTED,
                        "--today", ACCEPTED)  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        (batch,) = set(state(made)["batches"]) - before
        yield made, batch
    finally:
        made.close()


def test_an_address_registered_leaves_the_application_open_until_the_window_persons_id(
    applied: tuple[GitRegistry, str], tmp_path: Path
) -> None:
    gr, batch = applied
    listed = _status(gr, ACCEPTED)
    admin_console = "システム利用権限管理システム（admin_console）"  # with confirm's key
    assert (listed["証明書・IP"], listed[admin_console]) == ("済", "未済")
    assert listed["進捗"] == "処理中"
    # Its 登録完了連絡 is the address's: it says so, and that the rest is still to come.
    mails = _registered(gr, tmp_path / "due", "2026-12-12")
    assert {m["To"].addresses[0].addr_spec for m in mails} >= {DEPUTY["email"]}
    mail = mails[0]
    body = mail.get_content()
    assert mail["Subject"].startswith("【登録完了連絡】海外IPアドレスの許可申請（"), mail["Subject"]
    assert "利用申請（変更）" not in mail["Subject"]
    assert "証明書・IPアドレスの登録作業が完了しました。2026-12-11 からご利用いただけます。" in body
    assert "申請の処理状況: 処理中" in body and "処理完了" not in body
    assert "システム利用権限管理システム（admin_console）: 未済" in body
    # The window person, the part still to come, with the day the plan gave her ID.
    (pending,) = [line for line in body.splitlines() if DEPUTY["email"] in line]
    assert pending.startswith("・システム窓口責任者の追加") and "以降）" in pending, pending
    # Once the permission-management system has imported the batch, the application is done.
    confirmed = accessreg(gr, "confirm", batch, "--system", "admin_console",
                          "--today", "2027-01-06")  # fmt: skip
    assert confirmed.returncode == 0, confirmed.stderr
    assert _status(gr, "2027-01-06")["進捗"] == "処理完了"


# 000 §5-1: a new user accepted 12/09-12/15 is in the batch of M 2026-12-16.
M = "2026-12-16"
ON = "2026-12-11"  # entered, approved, merged and applied


def _applied_on(gr: GitRegistry, out: Path) -> str:
    """The run's report of the last merge, applied on ``ON``."""
    ran = accessreg(gr, "--lang", "ja", "apply", "--out", str(out), "--confirm",
                    "--entered-on", ON, "--accepted-on", ON, "--today", ON,
                    "--allow-mass-removal")  # a registry of two IDs  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return ran.stdout


def _planned(gr: GitRegistry, branch: str) -> str:
    ran = accessreg(gr, "--lang", "ja", "plan", "--base", "main", "--head", branch,
                    "--today", ON)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return ran.stdout


def _accepted_mail(out: Path) -> str:
    mail, *_ = written_mails(out, "*-accepted-*.eml")
    return mail.get_content()


@pytest.mark.parametrize(
    ("case", "batched"),
    [
        ("deletion", False),  # 000 §5-3: TAXIS/JOHS the next day
        ("termination", False),  # 000 §3-3: the chosen day
        ("address", False),  # 000 §2-8: once accepted
        ("window-person", False),  # 000 §3-2: about 15 business days
        ("new-user-and-deletion", True),  # 000 §5-1: the new user's M
    ],
)
def test_the_processing_day_is_named_only_for_an_item_an_m_batch_processes(
    reg: RegistryFactory, tmp_path: Path, case: str, batched: bool
) -> None:
    """The plan's heading, the run's report, ``status`` and the 受付 mail name M (000 §5-1
    ③) only where an item of the application is processed in an M batch; an application
    mixing kinds names the M of those."""
    gr = GitRegistry(reg)
    try:
        first = accessreg(gr, "apply", "--out", str(tmp_path / "initial"), "--initial",
                          "--confirm", "--today", LOADED)  # fmt: skip
        assert first.returncode == 0, first.stderr
        gone = reg.root / "users" / "TESTOP01" / "user1@test-gas.example.co.jp.yaml"
        gr.branch(case, "main")
        if case == "deletion":
            gone.unlink()
        elif case == "termination":
            reg.operator(status="terminated", terminated_on="2027-01-15")
            for path in (reg.root / "users" / "TESTOP01").glob("*.yaml"):
                path.unlink()
        elif case == "address":
            reg.operator(ip_allowlist=[{"cidr": "103.5.6.7/32", "reason": "海外拠点の固定IP",
                                        "expires_on": "2027-09-30"}])  # fmt: skip
        elif case == "window-person":
            reg.operator(contacts=[contact(), DEPUTY])
        else:
            gone.unlink()
            reg.user(email="user2@test-gas.example.co.jp", permissions={"taxis": "1010"})
        gr.commit(f"{case}: change")
        planned = _planned(gr, case)
        gr.checkout("main")
        gr.merge(case)
        report = _applied_on(gr, tmp_path / "out")
        listed = _status(gr, ON)
        mail = _accepted_mail(tmp_path / "out")
    finally:
        gr.close()
    if batched:
        assert f"システム処理日 M {M}" in planned, planned
        assert f"、M {M}" in report, report
        assert listed["M"] == M
        assert f"システム処理日（M）は {M} です" in mail
    else:
        assert "システム処理日（M）なし" in planned and "システム処理日 M" not in planned, planned
        assert "システム処理日（M）なし" in report and "、M " not in report, report
        assert listed["M"] == ""
        assert "システム処理日" not in mail
