"""A certificate removed by a later application before the day it was to be usable (M+6,
000 §4-2) is never let through by any whitelist: the earlier application's 登録完了連絡
says so, as a completion notice says a user's later removal (「申請番号 … により … に削除
済み」), and never that it can be used; ``status`` shows its registration 「（後の申請で
削除）」, not 済. One removed after that day was usable until then: the notice says both.
The removal is read where the whitelists read a certificate's days (``in_effect_on`` of
its application's recorded item, ``notices.coming``), not computed again. A later
suspension (001 p46) is a state of its own: the registration is done (済), and the notice
says the certificate is stopped from that day, or usable from the day a lifting came."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import accessreg, state, status_table
from tests.helpers.regfactory import RegistryFactory, certificate
from tests.helpers.scheduled_scenario import on

LOADED = "2026-12-04"
# Accepted 12/16: M 2027-01-05 (the 1st closed), M+6 → 1/14.
ACCEPTED, REGISTERED = "2026-12-16", "2027-01-14"
KEPT = certificate(1, not_before="2025-02-10", not_after="2027-02-09")
ADDED = certificate(9, not_before="2026-12-01", not_after="2028-11-30")


@pytest.fixture
def added(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """Loaded on 12/04 with one certificate; another added, accepted and applied on 12/16."""
    reg.operator(certificates=[KEPT])
    made = GitRegistry(reg)
    try:
        _apply(made, tmp_path / "initial", LOADED, "--initial")
        _merged(made, "add", ACCEPTED, [KEPT, ADDED])
        _apply(made, tmp_path / "accepted", ACCEPTED)
        yield made
    finally:
        made.close()


def _merged(
    gr: GitRegistry, name: str, day: str, certificates: list[dict[str, Any]], **fields: object
) -> None:
    """The operator's certificates as ``certificates`` (and its ``fields``), merged on
    ``day`` (the day a removal takes effect, 000 §4)."""
    gr.branch(name, "main")
    gr.reg.operator(certificates=certificates, **fields)
    gr.commit(f"{name}: certificates")
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", name, env=on(date.fromisoformat(day)))


def _apply(gr: GitRegistry, out: Path, day: str, *more: str) -> Path:
    ran = accessreg(gr, "apply", "--out", str(out), "--confirm", "--today", day,
                    "--accepted-on", day, *more)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return out


def _registered(gr: GitRegistry, out: Path, day: str) -> EmailMessage:
    """The 登録完了連絡 a run over the applied revision writes on ``day``."""
    _apply(gr, out, day, "--head", state(gr)["applied"])
    (mail,) = written_mails(out, "*-registered-*.eml")
    return mail


def _line(mail: EmailMessage) -> str:
    body = mail.get_content()
    assert isinstance(body, str)
    (found,) = [ln for ln in body.splitlines() if f"証明書ID {ADDED['id']}" in ln]
    return found


def _removal(gr: GitRegistry) -> str:
    """The application that removed ``ADDED``, as the notices name it."""
    (batch,) = [b for b in state(gr)["batches"].values() if b["number"] == 3]
    (app,) = batch["applications"]
    return f"申請番号 {app['id']} のクライアント証明書登録申請により"


def test_a_certificate_removed_before_its_day_is_never_said_usable(
    added: GitRegistry, tmp_path: Path
) -> None:
    gr = added
    _merged(gr, "remove", "2026-12-21", [KEPT])
    _apply(gr, tmp_path / "removed", "2026-12-21", "--allow-mass-removal")  # two certificates
    # No whitelist lets it through on the day it was to be usable.
    cert_map = (_apply(gr, tmp_path / "m6", REGISTERED, "--head", state(gr)["applied"])
                / "whitelist" / "taxis" / "cert-map.conf").read_text("utf-8")  # fmt: skip
    assert ADDED["serial"] not in cert_map.upper()
    # status: the added certificate's application (after the load's), on its day and
    # before the removal came
    row = status_table(gr, REGISTERED, "--operator", "TESTOP01")[1]
    assert row["証明書・IP"] == "（後の申請で削除）", row
    assert status_table(gr, "2026-12-18", "--operator", "TESTOP01")[1]["証明書・IP"] == "未済"
    mail = _registered(gr, tmp_path / "notice", REGISTERED)
    body = mail.get_content()
    assert "ご利用いただけます。" not in body and f"{REGISTERED} から" not in body, body
    line = _line(mail)
    assert line.endswith(
        f"（登録済み。ご利用いただけません）（{_removal(gr)}、2026-12-21 に削除済み）"
    ), line
    assert "証明書・IPアドレスの登録: （後の申請で削除）" in body, body


def test_a_certificate_removed_after_its_day_was_usable_until_then(
    added: GitRegistry, tmp_path: Path
) -> None:
    gr = added
    _merged(gr, "remove", "2027-01-15", [KEPT])
    _apply(gr, tmp_path / "removed", "2027-01-15", "--allow-mass-removal")
    row = status_table(gr, REGISTERED, "--operator", "TESTOP01")[1]
    assert row["証明書・IP"] == "済", row
    line = _line(_registered(gr, tmp_path / "notice", "2027-01-15"))
    said = f"（{REGISTERED} からご利用いただけます）（{_removal(gr)}、2027-01-15 に削除済み）"
    assert line.endswith(said), line


def _suspension(gr: GitRegistry, number: int, kind: str = "利用の停止") -> str:
    """The application of batch ``number`` that suspended ``ADDED`` (or lifted it:
    ``kind`` 停止解除), as the notices name it."""
    (batch,) = [b for b in state(gr)["batches"].values() if b["number"] == number]
    (app,) = batch["applications"]
    return f"申請番号 {app['id']} の{kind}により"


def _cert_map(gr: GitRegistry, out: Path, day: str) -> str:
    made = _apply(gr, out, day, "--head", state(gr)["applied"])
    return (made / "whitelist" / "taxis" / "cert-map.conf").read_text("utf-8").upper()


def test_a_certificate_suspended_before_its_day_is_said_stopped(
    added: GitRegistry, tmp_path: Path
) -> None:
    """A suspension is a state of its own (001 p46): the registration is done (済 in
    ``status``, the suspension listed apart), the certificate never let through."""
    gr = added
    _merged(gr, "stop", "2026-12-21", [KEPT, {**ADDED, "suspended_on": "2026-12-21"}])
    _apply(gr, tmp_path / "stopped", "2026-12-21")
    assert ADDED["serial"] not in _cert_map(gr, tmp_path / "m6", REGISTERED)
    row = status_table(gr, REGISTERED, "--operator", "TESTOP01")[1]
    assert row["証明書・IP"] == "済", row
    listed = accessreg(gr, "--lang", "ja", "status", "--operator", "TESTOP01",
                       "--today", REGISTERED)  # fmt: skip
    assert ADDED["id"] in listed.stdout.split("\n\n", 1)[1], listed.stdout
    mail = _registered(gr, tmp_path / "notice", REGISTERED)
    body = mail.get_content()
    assert f"{REGISTERED} からご利用いただけます" not in body, body
    assert _line(mail).endswith(
        "（登録済み。2026-12-21 から利用停止中です。停止解除の申請まで接続に使えません）"
        f"（{_suspension(gr, 3)}、2026-12-21 に利用停止済み）"
    ), body


def test_a_certificate_lifted_before_its_day_is_usable_from_it(
    added: GitRegistry, tmp_path: Path
) -> None:
    gr = added
    _merged(gr, "stop", "2026-12-21", [KEPT, {**ADDED, "suspended_on": "2026-12-21"}])
    _apply(gr, tmp_path / "stopped", "2026-12-21")
    _merged(gr, "lift", "2027-01-08", [KEPT, ADDED])
    _apply(gr, tmp_path / "lifted", "2027-01-08")
    assert ADDED["serial"] in _cert_map(gr, tmp_path / "m6", REGISTERED)
    mail = _registered(gr, tmp_path / "notice", REGISTERED)
    assert f"登録作業が完了しました。{REGISTERED} からご利用いただけます。" in mail.get_content()
    assert _line(mail).endswith(
        f"（{REGISTERED} からご利用いただけます）"
        f"（{_suspension(gr, 3)}、2026-12-21 に利用停止済み）"
        f"（{_suspension(gr, 4, '停止解除')}、2027-01-08 に停止解除済み）"
    ), _line(mail)


def test_a_certificate_lifted_after_its_day_is_usable_from_the_lifting(
    added: GitRegistry, tmp_path: Path
) -> None:
    """The notice sent late, after the lifting: the day the whitelists let it through."""
    gr = added
    _merged(gr, "stop", "2026-12-21", [KEPT, {**ADDED, "suspended_on": "2026-12-21"}])
    _apply(gr, tmp_path / "stopped", "2026-12-21")
    _merged(gr, "lift", "2027-01-15", [KEPT, ADDED])
    _apply(gr, tmp_path / "lifted", "2027-01-15")
    assert ADDED["serial"] in _cert_map(gr, tmp_path / "lifted-map", "2027-01-15")
    line = _line(_registered(gr, tmp_path / "notice", "2027-01-15"))
    assert "（2027-01-15 からご利用いただけます）" in line, line
    assert line.endswith(f"（{_suspension(gr, 4, '停止解除')}、2027-01-15 に停止解除済み）"), line


def test_a_certificate_named_for_fewer_systems_before_its_day_waits_for_it(
    added: GitRegistry, tmp_path: Path
) -> None:
    """Named for TAXIS alone (12/21) before it is registered (1/14): the change is dated on
    its merge, when the whitelists take it, but registers nothing. The certificate is let
    through from its registration still, where it reaches; its application is done then,
    and only its 登録完了連絡 is owed: the change dated its serial from the merge, and it
    let it through three weeks early."""
    gr = added
    _merged(gr, "narrow", "2026-12-21", [KEPT, {**ADDED, "systems": ["taxis"]}])
    _apply(gr, tmp_path / "narrowed", "2026-12-21")
    assert ADDED["serial"] not in _cert_map(gr, tmp_path / "before", "2027-01-13")
    assert ADDED["serial"] in _cert_map(gr, tmp_path / "m6", REGISTERED)
    johs = tmp_path / "m6" / "whitelist" / "johs" / "cert-map.conf"
    assert ADDED["serial"] not in johs.read_text("utf-8").upper()
    rows = status_table(gr, REGISTERED, "--operator", "TESTOP01")
    assert [r["証明書・IP"] for r in rows[1:]] == ["済", "（不要）"], rows
    mail = _registered(gr, tmp_path / "notice", REGISTERED)
    assert f"（{REGISTERED} からご利用いただけます）" in _line(mail), _line(mail)


# An operator of both providers' systems: a certificate for the switching support system
# alone is registered by OCCTO's help desk (a manual step), its day the confirmation.
SYSTEMS = ["taxis", "johs", "juju", "loacus", "switching"]
ROLES = ["gas_retailer", "wheeling_client", "demand_response"]
SWITCHING = certificate(9, systems=["switching"])


def _applied_on(
    gr: GitRegistry, out: Path, name: str, day: str, certs: list[dict[str, Any]]
) -> str:
    """The operator's certificates as ``certs``, merged and applied on ``day``: its batch."""
    _merged(gr, name, day, certs, roles=ROLES, systems=SYSTEMS)
    before = set(state(gr)["batches"])
    _apply(gr, out / name, day, "--allow-mass-removal")
    (batch,) = set(state(gr)["batches"]) - before
    return str(batch)


def test_a_manual_steps_certificate_removed_before_the_confirmation_is_never_said_usable(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """Removed (12/14) before the help desk confirmed its registration (12/15): the
    switching support system's whitelist never holds it, and its completion notice names
    the removal with no day of use, as the 登録完了連絡 does."""
    reg.operator(roles=ROLES, systems=SYSTEMS, certificates=[certificate(1)])
    gr = GitRegistry(reg)
    try:
        _apply(gr, tmp_path / "initial", "2026-12-07", "--initial")
        added = _applied_on(gr, tmp_path, "add", "2026-12-11", [certificate(1), SWITCHING])
        _applied_on(gr, tmp_path, "remove", "2026-12-14", [certificate(1)])
        done = accessreg(gr, "confirm", added, "--system", "switching", "--out",
                         str(tmp_path / "confirmed"), "--today", "2026-12-15")  # fmt: skip
        assert done.returncode == 0, done.stderr
        (mail,) = written_mails(tmp_path / "confirmed", "*.eml")
        body = mail.get_content()
        made = _apply(gr, tmp_path / "day", "2026-12-15", "--head", state(gr)["applied"])
        cert_map = (made / "whitelist" / "switching" / "cert-map.conf").read_text("utf-8")
        (removal,) = [b for b in state(gr)["batches"].values() if b["number"] == 3]
    finally:
        gr.close()
    assert SWITCHING["serial"] not in cert_map.upper()
    (line,) = [ln for ln in body.splitlines() if f"証明書ID {SWITCHING['id']}" in ln]
    assert "2026-12-15 以降" not in line, body
    (app,) = removal["applications"]
    assert line.endswith(
        f"（登録済み。ご利用いただけません）（申請番号 {app['id']} の"
        f"クライアント証明書登録申請により、{app['items'][0]['on']} に削除済み）"
    ), line
