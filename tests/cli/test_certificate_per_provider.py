"""A certificate registered for systems of both providers is registered by each its own way
(000 §4-2: Tokyo Gas Network's batch, usable from M+6; 001 p13, 002 §3.1: OCCTO's help
desk, done when it says so): each provider's whitelists let it through on that provider's
day, the plan and the 受付 mail give each registration its desk and its day, and the help
desk's step still to come holds back nothing of Tokyo Gas Network's (a problem holds back
only what it touches)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import (
    accessreg,
    apply_merged,
    loaded,
    merged_pull,
    over_applied,
    planned,
    state,
    status_table,
)
from tests.helpers.regfactory import RegistryFactory, certificate
from tests.helpers.scheduled_scenario import on

pytestmark = pytest.mark.usefixtures("english")

ROLES = ["gas_retailer", "wheeling_client", "manufacturer", "demand_response"]
SYSTEMS = ["taxis", "johs", "juju", "loacus", "switching"]
NEW = certificate(2, not_before="2026-12-01", not_after="2028-11-30")
ACCEPTED = "2026-12-11"  # a Friday: M 12/16, registered at Tokyo Gas Network M+6, 12/24
REGISTERED = "2026-12-24"
CONFIRMED = "2026-12-22"  # the help desk's step, before Tokyo Gas Network's day
CENTRE = "託送受付センター"
HELP_DESK = "スイッチング支援システム ヘルプデスク"


def _branch(
    gr: GitRegistry, certificates: list[dict[str, Any]], name: str = "cert", **operator: Any
) -> None:
    """A branch ``name`` giving the operator (``operator``: its fields) ``certificates``;
    back on main."""
    gr.branch(name, "main")
    gr.reg.operator(certificates=certificates, **operator)
    gr.commit(f"{name}: certificates")
    gr.checkout("main")


def _loaded(
    reg: RegistryFactory,
    tmp_path: Path,
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    **operator: Any,
) -> GitRegistry:
    """The operator (``operator``: its fields) with the certificates ``before`` and a user
    of both providers' systems, loaded on 12/07, and a branch ``cert`` giving it ``after``."""
    admin = operator.pop("admin", "dr_admin")  # its role's admin ID of the system
    reg.operator(certificates=before, **operator)
    reg.user(permissions={"taxis": "1010", "switching": admin})
    gr = loaded(reg, tmp_path, "2026-12-07")
    _branch(gr, after, **operator)
    return gr


def _certificates(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The certificate items of the one operator in ``plan`` (``planned``'s JSON)."""
    (operator,) = plan["operators"]
    return [i for i in operator["items"] if i["subject"] == "certificate"]


@pytest.fixture
def both(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """An operator of Tokyo Gas Network's systems and the switching support system, loaded
    on 12/07, and a branch ``cert`` adding a certificate for every system it uses (it names
    none)."""
    gr = _loaded(reg, tmp_path, [certificate(1)], [certificate(1), NEW], roles=ROLES,
                 systems=SYSTEMS)  # fmt: skip
    try:
        yield gr
    finally:
        gr.close()


def _admits(out: Path, system: str, cert: dict[str, Any] = NEW) -> bool:
    """Whether ``system``'s whitelist in ``out`` lets ``cert`` through."""
    cert_map = (out / "whitelist" / system / "cert-map.conf").read_text(encoding="utf-8")
    return f"{cert['serial']} TESTOP01;" in cert_map


def _applied(gr: GitRegistry, tmp_path: Path) -> tuple[str, Path]:
    """The pull request merged and applied on its day: its batch, the run's outputs."""
    before = set(state(gr)["batches"])
    out = apply_merged(gr, tmp_path, ACCEPTED, merged_pull(gr, "cert", "2026-12-10", ACCEPTED))
    (batch,) = set(state(gr)["batches"]) - before
    return batch, out


def test_each_provider_lets_the_certificate_through_on_its_own_day(
    both: GitRegistry, tmp_path: Path
) -> None:
    gr = both
    batch, _ = _applied(gr, tmp_path)
    # Tokyo Gas Network's registration is done at M+6, the help desk's not yet.
    assert not _admits(over_applied(gr, tmp_path, "2026-12-23"), "taxis")
    registered = over_applied(gr, tmp_path, REGISTERED)
    assert _admits(registered, "taxis")
    assert _admits(registered, "johs")
    assert not _admits(registered, "switching")
    # The help desk's confirmation lets it into the switching support system on its day,
    # and moves nothing of Tokyo Gas Network's.
    confirm = accessreg(gr, "confirm", batch, "--system", "switching", "--out",
                        str(tmp_path / "confirmed"), "--today", CONFIRMED)  # fmt: skip
    assert confirm.returncode == 0, confirm.stderr
    confirmed = over_applied(gr, tmp_path, CONFIRMED)
    assert _admits(confirmed, "switching")
    assert not _admits(confirmed, "taxis")
    assert _admits(over_applied(gr, tmp_path, REGISTERED), "taxis")
    # Each registration recorded under its provider, with its own day.
    (application,) = state(gr)["batches"][batch]["applications"]
    recorded = {i["provider"]: (i["on"], i.get("steps")) for i in application["items"]}
    assert recorded == {"tokyo_gas_network": (REGISTERED, None), "occto": (None, ["switching"])}


def test_the_plan_and_the_acceptance_mail_give_each_registration_its_desk_and_day(
    both: GitRegistry, tmp_path: Path
) -> None:
    gr = both
    plan = planned(gr, "cert", "2026-12-10", ACCEPTED)
    parts = {i["part"]: i["effective"] for i in _certificates(plan)}
    assert parts["tokyo_gas_network"]["on"] == REGISTERED
    assert parts["occto"]["on"] is None
    assert parts["occto"]["start"] == "manual"
    # Where and by whom it is used is asked once, for the certificate, not per registration.
    asked = [n for n in plan["notes"] if n["kind"] == "check" and "001 p46" in n["message"]]
    assert [n["subject"] for n in asked] == ["EP-TEST-0002"]
    _, out = _applied(gr, tmp_path)
    (mail,) = written_mails(out)
    body = str(mail.get_content())
    assert f"受付窓口: {CENTRE}・{HELP_DESK}）" in body
    lines = [ln for ln in body.splitlines() if "EP-TEST-0002" in ln]
    assert len(lines) == 2
    assert f"（受付窓口: {CENTRE}） / 反映 {REGISTERED} 以降" in lines[0]
    assert f"（受付窓口: {HELP_DESK}） / 反映 {HELP_DESK}の作業完了後" in lines[1]


def test_tokyo_gas_networks_registration_is_told_done_on_its_day(
    both: GitRegistry, tmp_path: Path
) -> None:
    """The 登録完了連絡 (000 §4-2 ⑤) of Tokyo Gas Network's registration comes on its day,
    the help desk's step still to come: listed as in progress, with its own notice after."""
    gr = both
    _applied(gr, tmp_path)
    assert not written_mails(over_applied(gr, tmp_path, "2026-12-23"))
    (notice,) = written_mails(over_applied(gr, tmp_path, REGISTERED))
    assert "【登録完了連絡】" in notice["Subject"]
    body = str(notice.get_content())
    done, _, waiting = body.partition("■ 処理中の内容")
    assert f"（受付窓口: {CENTRE}）（{REGISTERED} からご利用いただけます）" in done
    assert HELP_DESK not in done.partition("■ 登録内容")[2]
    assert f"（受付窓口: {HELP_DESK}）（{HELP_DESK}の作業完了後" in waiting


# An OCCTO member using Tokyo Gas Network's systems and OCCTO's member system, which takes no
# certificate (IDs and passwords: 003 §3).
MEMBER = dict(
    roles=["gas_retailer", "wheeling_client", "manufacturer", "electricity_retailer"],
    systems=["taxis", "johs", "juju", "loacus", "member_portal"],
    occto_member=True,
    membership={"status": "member", "member_since": "2026-11-01"},
)


@pytest.mark.parametrize(
    ("operator", "added"),
    [
        pytest.param(dict(roles=ROLES, systems=SYSTEMS), {**NEW, "systems": ["taxis", "johs"]},
                     id="named-for-tokyo-gas-networks-systems"),
        pytest.param(MEMBER, NEW, id="beside-a-system-that-takes-none"),
    ],
)  # fmt: skip
def test_a_certificate_only_tokyo_gas_network_registers_is_one_item(
    reg: RegistryFactory, operator: dict[str, Any], added: dict[str, Any]
) -> None:
    """One registered for Tokyo Gas Network's systems alone, by an operator of both, or by
    an operator of its systems and OCCTO's member system, for every system it uses: one
    registration at M+6, as before, nothing waiting for OCCTO's help desk."""
    reg.operator(certificates=[certificate(1)], **operator)
    gr = GitRegistry(reg)
    try:
        _branch(gr, [certificate(1), added], **operator)
        (item,) = _certificates(planned(gr, "cert", "2026-12-10", ACCEPTED))
        assert (item["part"], item["effective"]["on"]) == (None, REGISTERED)
    finally:
        gr.close()


def test_a_registration_removed_before_its_day_is_never_said_usable(
    both: GitRegistry, tmp_path: Path
) -> None:
    """Removed by a later application on 12/14, before either provider's day: Tokyo Gas
    Network's registration is told 「ご利用いただけません」 with the removal, as one of a
    single provider is (``notices.coming``, read by the certificate's ID)."""
    gr = both
    _applied(gr, tmp_path)
    _branch(gr, [certificate(1)], "remove", roles=ROLES, systems=SYSTEMS)
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "remove", env=on(date(2026, 12, 14)))
    ran = accessreg(
        gr,
        "apply",
        "--out",
        str(tmp_path / "removed"),
        "--confirm",
        "--today",
        "2026-12-14",
        "--allow-mass-removal",
    )  # two certificates
    assert ran.returncode == 0, ran.stderr
    out = over_applied(gr, tmp_path, REGISTERED)
    assert not _admits(out, "taxis")
    row = status_table(gr, REGISTERED, "--operator", "TESTOP01")[1]
    assert row["証明書・IP"] == "（後の申請で削除）", row
    (notice,) = written_mails(out, "*-registered-*.eml")
    line = next(ln for ln in str(notice.get_content()).splitlines() if CENTRE in ln)
    assert "（登録済み。ご利用いただけません）" in line and "2026-12-14 に削除済み" in line, line


def test_a_certificate_named_for_a_provider_new_to_it_waits_for_that_provider_alone(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """A certificate registered for Tokyo Gas Network's systems, named for the switching
    support system too (the same serial): the help desk has never registered it, so its
    whitelist takes it only once the help desk's step is confirmed, while Tokyo Gas
    Network's keep it all along, with no registration again."""
    old = certificate(1, systems=["taxis", "johs"])
    occto = certificate(3, systems=["switching"])  # the system takes none without one
    named = {**old, "systems": ["taxis", "johs", "switching"]}
    gr = _loaded(reg, tmp_path, [old, occto], [named, occto], roles=ROLES, systems=SYSTEMS)
    try:
        (item,) = _certificates(planned(gr, "cert", "2026-12-10", ACCEPTED))
        assert (item["part"], item["effective"]["start"]) == ("occto", "manual")
        batch, out = _applied(gr, tmp_path)
        assert (_admits(out, "taxis", old), _admits(out, "switching", old)) == (True, False)
        confirm = accessreg(gr, "confirm", batch, "--system", "switching", "--out",
                            str(tmp_path / "confirmed"), "--today", CONFIRMED)  # fmt: skip
        assert confirm.returncode == 0, confirm.stderr
        confirmed = over_applied(gr, tmp_path, CONFIRMED)
        assert _admits(confirmed, "taxis", old) and _admits(confirmed, "switching", old)
    finally:
        gr.close()


def test_a_help_desk_done_early_lets_it_in_from_its_validity_and_no_earlier(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """An OCCTO member (an electricity retailer) registers a certificate valid from 12/18 for
    both providers; the help desk is done on 12/14: the switching support system's servers
    take it from its first valid day (004), Tokyo Gas Network's from M+6, each on its own."""
    member = {"status": "member", "member_since": "2026-11-01"}
    roles = ["gas_retailer", "wheeling_client", "manufacturer", "electricity_retailer"]
    later = certificate(2, not_before="2026-12-18", not_after="2028-12-17")
    gr = _loaded(reg, tmp_path, [certificate(1)], [certificate(1), later], roles=roles,
                 systems=SYSTEMS, occto_member=True, membership=member,
                 admin="retailer_admin")  # fmt: skip
    try:
        batch, _ = _applied(gr, tmp_path)
        done = accessreg(gr, "confirm", batch, "--system", "switching", "--today", "2026-12-14")
        assert done.returncode == 0, done.stderr
        for system, before, due in (
            ("switching", "2026-12-17", "2026-12-18"),
            ("taxis", "2026-12-23", REGISTERED),
        ):
            assert not _admits(over_applied(gr, tmp_path / system, before), system, later)
            assert _admits(over_applied(gr, tmp_path / system, due), system, later)
    finally:
        gr.close()
