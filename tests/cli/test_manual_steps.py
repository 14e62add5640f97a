"""An item the system operator does by hand (OCCTO's help desk registers a certificate or a
usage application and tells when done, 001 p13; the catalog's ``start: manual``) is in effect
only once ``confirm --system`` records that step: no whitelist lets it through before, its
batch holds the system so that it can be confirmed, ``status`` keeps it 未済 / 処理中 until
then, and every output dates it by the confirmation day."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import accessreg, over_applied, state
from tests.helpers.regfactory import RegistryFactory, certificate, contact
from tests.helpers.scheduled_scenario import duty, on
from tests.helpers.servers import binary, includes, nginx_conf, nginx_test

# A system's column in status: as the forms name it, with the key confirm --system takes.
SWITCHING = "スイッチング支援システム（switching）"
MEMBER_PORTAL = "会員情報管理システム（member_portal）"


pytestmark = pytest.mark.usefixtures("english")  # they read the English words


OCCTO_OPERATOR = "DENKI001"
NEW_CERT = certificate(
    2, serial="5A11CE", cn="TESTOP01-PC02", not_before="2026-12-01", not_after="2028-11-30"
)
ACCEPTED = date(2026, 12, 11)
CONFIRMED = date(2026, 12, 15)


def _merged(gr: GitRegistry, name: str, change: object, day: date) -> str:
    """A pull request ``name`` merged on ``day`` (noon, Japan time)."""
    gr.branch(name, "main")
    assert callable(change)
    change()
    gr.commit(f"{name}: change")
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", name, env=on(day))
    return gr.rev()


def _initial(gr: GitRegistry, tmp_path: Path) -> None:
    """The first apply of the registry, on 12/07, confirmed."""
    first = accessreg(gr, "apply", "--out", str(tmp_path / "o0"), "--initial", "--confirm",
                      "--today", "2026-12-07")  # fmt: skip
    assert first.returncode == 0, first.stderr


def _applied(gr: GitRegistry, out: Path, day: date) -> str:
    """``apply --confirm`` of the merge of ``day`` (entered the day before); its batch."""
    before = set(state(gr)["batches"])
    ran = accessreg(
        gr, "apply", "--out", str(out), "--confirm", "--today", str(day),
        "--accepted-on", str(day), "--entered-on", str(day - timedelta(days=1)),
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    (batch,) = set(state(gr)["batches"]) - before
    return batch


def _status(gr: GitRegistry, operator: str, day: date) -> list[str]:
    """The status line of the operator's latest application, in the seed's words for the
    progress (000 §5-1 ⑦)."""
    ran = accessreg(gr, "--lang", "ja", "status", "--operator", operator, "--today", str(day))
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    header = lines[0].split("\t")
    latest = lines[len([ln for ln in lines if "\t" in ln]) - 1].split("\t")
    return [f"{h}={v}" for h, v in zip(header, latest, strict=True)]


def _mails(out: Path) -> list[EmailMessage]:
    return written_mails(out)


def _confirmed(gr: GitRegistry, batch: str, out: Path, day: date) -> str:
    """``confirm`` of ``batch``'s switching part on ``day``: the body of its one notice."""
    confirm = accessreg(gr, "confirm", batch, "--system", "switching", "--out", str(out),
                        "--today", str(day))  # fmt: skip
    assert confirm.returncode == 0, confirm.stderr
    (notice,) = _mails(out)
    return str(notice.get_content())


def _loaded(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """The registry ``reg`` holds, in a repository, loaded on 12/07."""
    gr = GitRegistry(reg)
    _initial(gr, tmp_path)
    try:
        yield gr
    finally:
        gr.close()


@pytest.fixture
def switching(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """A demand-response contractor of the switching support system, loaded on 12/07."""
    reg.switching_operator()
    yield from _loaded(reg, tmp_path)


def _cert_map(out: Path) -> str:
    return (out / "whitelist" / "switching" / "cert-map.conf").read_text(encoding="utf-8")


def test_an_occto_certificate_waits_for_the_help_desk_and_is_dated_by_its_confirmation(
    switching: GitRegistry, tmp_path: Path
) -> None:
    gr = switching

    def add_certificate() -> None:
        gr.reg.switching_operator(certificates=[certificate(1), NEW_CERT])

    _merged(gr, "certificate", add_certificate, ACCEPTED)
    batch = _applied(gr, tmp_path / "o1", ACCEPTED)
    # Not let through on the merge's day: the help desk has not registered it yet.
    assert "5A11CE" not in _cert_map(tmp_path / "o1")
    assert "7A0001 TESTOP01;" in _cert_map(tmp_path / "o1")
    # The batch holds the system whose step it waits for, though no file is written for it.
    assert "switching" in state(gr)["batches"][batch]["systems"]
    assert not list((tmp_path / "o1" / "imports" / "switching").glob("delta-*.csv"))
    assert "進捗=処理中" in _status(gr, "TESTOP01", date(2026, 12, 12))
    assert f"{SWITCHING}=未済" in _status(gr, "TESTOP01", date(2026, 12, 12))
    # Nor on the days after, until the step is confirmed, whatever writes the whitelists.
    for day in (date(2026, 12, 14), date(2026, 12, 28)):
        daily = tmp_path / f"daily-{day}"
        duty(gr, "daily", "--out", str(daily), today=day)
        assert "5A11CE" not in _cert_map(daily), day
    assert "5A11CE" not in _cert_map(over_applied(gr, tmp_path, "2026-12-14"))

    done = tmp_path / "confirmed"
    confirm = accessreg(gr, "confirm", batch, "--system", "switching", "--out", str(done),
                        "--today", str(CONFIRMED))  # fmt: skip
    assert confirm.returncode == 0, confirm.stderr
    (notice,) = _mails(done)
    # OCCTO returns the application's result (申請結果返送, 001 p13), in its own words.
    assert notice["Subject"] == "【申請結果】スイッチング支援システム（テストガス株式会社）"
    body = notice.get_content()
    assert "スイッチング支援システム（switching）の登録作業が完了しました（2026-12-15）" in body
    assert "証明書ID EP-TEST-0002、CN TESTOP01-PC02、有効期限 2028-11-30（2026-12-15 以降）" in body
    assert "■ 申請の処理状況: 処理完了" in body

    # From the confirmation day on, in the merge run's whitelists and the daily ones.
    assert "5A11CE TESTOP01;" in _cert_map(over_applied(gr, tmp_path, str(CONFIRMED)))
    for day, listed in ((date(2026, 12, 14), False), (CONFIRMED, True)):
        daily = tmp_path / f"daily-after-{day}"
        duty(gr, "daily", "--out", str(daily), today=day)
        assert ("5A11CE TESTOP01;" in _cert_map(daily)) == listed, day
        allowlist = json.loads((daily / "whitelist/switching/allowlist.json").read_text("utf-8"))
        assert ("5A11CE" in json.dumps(allowlist)) == listed, day
    status = _status(gr, "TESTOP01", CONFIRMED)
    assert "進捗=処理完了" in status and f"{SWITCHING}=済" in status
    nginx = binary("nginx")
    conf = nginx_conf(tmp_path / "nginx", includes([daily / "whitelist/switching/cert-map.conf"]))
    checked = nginx_test(nginx, conf)
    assert checked.returncode == 0, checked.stderr


def test_a_switching_user_is_in_use_no_earlier_than_its_confirmed_registration(
    switching: GitRegistry, tmp_path: Path
) -> None:
    """A user ID of the switching support system accepted on 12/09, its registration
    confirmed on 12/21: the completion notice dates both by the registration, not the use
    before the work that makes it possible, and names the 受付 mail's 12/09 only as the day
    first told."""
    gr = switching
    day, done_on = date(2026, 12, 9), date(2026, 12, 21)
    added = "staff@test-gas.example.co.jp"

    def add_user() -> None:
        gr.reg.user(email=added, permissions={"switching": "dr_user"})

    _merged(gr, "user", add_user, day)
    batch = _applied(gr, tmp_path / "o1", day)
    body = _confirmed(gr, batch, tmp_path / "confirmed", done_on)
    assert "スイッチング支援システム（switching）の登録作業が完了しました（2026-12-21）" in body
    told = (
        "（受付時のお知らせの 2026-12-09 より後、"
        "システムへの登録が完了した 2026-12-21 からとなります）"
    )
    assert f"（ID: {added}）: 設定 ユーザID（需要抑制契約者） / 利用開始 2026-12-21{told}" in body
    assert "2026-12-09" not in body.replace("受付日: 2026-12-09", "").replace(told, "")


def _occto_operator(reg: RegistryFactory, n: int) -> None:
    reg.operator(
        OCCTO_OPERATOR,
        name="でんき試験株式会社",
        roles=["electricity_retailer"],
        occto_member=True,
        membership={"status": "member", "member_since": "2020-04-01"},
        systems=["member_portal"],
        contacts=[contact(n=n, email=f"window{n}@denki-test.example.co.jp")],
        subcontractors=None,
    )


def test_a_new_occto_usage_application_is_in_progress_until_the_help_desk_is_done(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """A new operator of the member system: no file is written for it, and the help desk's
    registration of the application is still to be confirmed."""
    gr = GitRegistry(reg)
    try:
        _initial(gr, tmp_path)

        # The operator alone: its admin user may come in an application of its own.
        _merged(gr, "usage-application", lambda: _occto_operator(gr.reg, 5), ACCEPTED)
        batch = _applied(gr, tmp_path / "o1", ACCEPTED)
        for day in (date(2026, 12, 12), date(2027, 1, 29)):
            status = _status(gr, OCCTO_OPERATOR, day)
            assert "進捗=処理中" in status and f"{MEMBER_PORTAL}=未済" in status, day
        confirm = accessreg(gr, "confirm", batch, "--system", "member_portal",
                            "--today", str(CONFIRMED))  # fmt: skip
        assert confirm.returncode == 0, confirm.stderr
        status = _status(gr, OCCTO_OPERATOR, CONFIRMED)
        assert "進捗=処理完了" in status and f"{MEMBER_PORTAL}=済" in status
    finally:
        gr.close()


def test_a_window_person_swap_at_occto_waits_for_the_help_desk(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """An operator of OCCTO's systems alone: the change of its usage application writes no
    file for any system, and still waits for the help desk's registration."""
    _occto_operator(reg, 5)
    gr = GitRegistry(reg)
    try:
        _initial(gr, tmp_path)
        _merged(gr, "swap", lambda: _occto_operator(gr.reg, 6), ACCEPTED)
        batch = _applied(gr, tmp_path / "o1", ACCEPTED)
        assert list(state(gr)["batches"][batch]["systems"]) == ["member_portal"]
        status = _status(gr, OCCTO_OPERATOR, date(2026, 12, 12))
        assert "進捗=処理中" in status and f"{MEMBER_PORTAL}=未済" in status
        done = tmp_path / "confirmed"
        confirm = accessreg(gr, "confirm", batch, "--system", "member_portal", "--out",
                            str(done), "--today", str(CONFIRMED))  # fmt: skip
        assert confirm.returncode == 0, confirm.stderr
        notices = _mails(done)
        assert notices and all("（2026-12-15 以降）" in m.get_content() for m in notices)
        status = _status(gr, OCCTO_OPERATOR, CONFIRMED)
        assert "進捗=処理完了" in status and f"{MEMBER_PORTAL}=済" in status
    finally:
        gr.close()


def _certificate_planned(gr: GitRegistry, new: dict[str, object] = NEW_CERT) -> str:
    """A pull request ``certificate`` adding a switching certificate (``new``) on
    ``ACCEPTED``: its plan, in Japanese. The branch stays checked out."""
    gr.branch("certificate", "main")
    gr.reg.switching_operator(certificates=[certificate(1), new])
    gr.commit("certificate: change")
    planned = accessreg(gr, "--lang", "ja", "plan", "--base", "main", "--head", "certificate",
                        "--today", str(ACCEPTED))  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    return planned.stdout


def test_the_plan_names_who_does_a_manual_step_as_the_acceptance_notice_does(
    switching: GitRegistry, tmp_path: Path
) -> None:
    """A certificate for the switching support system waits for OCCTO's help desk (001
    p13), not Tokyo Gas Network's システム運営部門: the pull request's plan says whose work
    it waits for, in the words of the 受付 mail, both from the catalog."""
    gr = switching
    planned = _certificate_planned(gr)
    waits = "スイッチング支援システム ヘルプデスクの作業完了後"
    assert waits in planned, planned
    assert "システム運営部門" not in planned
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "certificate", env=on(ACCEPTED))
    _applied(gr, tmp_path / "o1", ACCEPTED)
    (notice,) = _mails(tmp_path / "o1")
    assert waits in notice.get_content()


def test_an_occto_application_falls_into_no_processing_day(
    switching: GitRegistry, tmp_path: Path
) -> None:
    """M, the twice-monthly processing day, is Tokyo Gas Network's (000 §5-1): an
    application of OCCTO's systems alone names none, in the plan, the run's report, the
    受付 mail and status, while a Tokyo Gas Network one still does."""
    gr = switching
    planned = _certificate_planned(gr)
    assert "システム処理日（M）なし" in planned and "システム処理日 M" not in planned
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "certificate", env=on(ACCEPTED))
    ran = accessreg(gr, "--lang", "ja", "apply", "--out", str(tmp_path / "o1"), "--confirm",
                    "--today", str(ACCEPTED), "--accepted-on", str(ACCEPTED))  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert "システム処理日（M）なし" in ran.stdout + ran.stderr
    (notice,) = _mails(tmp_path / "o1")
    assert "システム処理日" not in notice.get_content()
    assert "M=" in _status(gr, "TESTOP01", ACCEPTED)  # blank
    # A Tokyo Gas Network application still falls into its batch.
    gr.branch("taxis", "main")
    gr.reg.user(email="staff@test-gas.example.co.jp", permissions={"taxis": "1010"})
    gr.commit("taxis: change")
    planned = accessreg(gr, "--lang", "ja", "plan", "--base", "main", "--head", "taxis",
                        "--today", str(ACCEPTED))  # fmt: skip
    assert "システム処理日 M 2026-12-16" in planned.stdout, planned.stdout


def test_an_occto_certificate_valid_only_later_is_in_effect_from_its_validity(
    switching: GitRegistry, tmp_path: Path
) -> None:
    """A certificate the help desk registers before its validity starts (EPPCERT lets it
    start later, 004) was told usable from the confirmation day, while every whitelist left
    it out until its validity began: the 申請結果 and ``status`` now date it from that day,
    as the whitelists do."""
    gr = switching
    later = certificate(
        2, serial="5A11CE", cn="TESTOP01-PC02", not_before="2026-12-20", not_after="2028-11-30"
    )
    said = "ヘルプデスクの作業完了後、2026-12-20 以降"
    assert said in _certificate_planned(gr, later)
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "certificate", env=on(ACCEPTED))
    batch = _applied(gr, tmp_path / "o1", ACCEPTED)
    (accepted,) = _mails(tmp_path / "o1")
    assert f"{said}（完了時にお知らせします）" in accepted.get_content()
    body = _confirmed(gr, batch, tmp_path / "confirmed", CONFIRMED)
    assert "証明書ID EP-TEST-0002、CN TESTOP01-PC02、有効期限 2028-11-30（2026-12-20 以降）" in body
    for day, listed in ((date(2026, 12, 19), False), (date(2026, 12, 20), True)):
        daily = tmp_path / f"daily-{day}"
        duty(gr, "daily", "--out", str(daily), today=day)
        assert ("5A11CE TESTOP01;" in _cert_map(daily)) == listed, day


@pytest.fixture
def gas_retailer(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """A gas retailer of Tokyo Gas Network's systems with a certificate registered for
    every system it uses, loaded on 12/07."""
    reg.operator(certificates=[certificate(1)])
    yield from _loaded(reg, tmp_path)


def test_a_certificate_reaches_a_system_added_once_the_help_desk_has_registered_it(
    gas_retailer: GitRegistry, tmp_path: Path
) -> None:
    """Its certificate lists no systems, so it is registered for every system the operator
    uses; the switching support system added by a usage application (002 §2.1.1) is used
    only once the help desk has registered it with the application (002 §3.1, 001 p13): the
    certificate enters that whitelist on the confirmation day, not on the merge, while it
    stays in Tokyo Gas Network's."""
    gr = gas_retailer

    def add_switching() -> None:
        roles = ["gas_retailer", "wheeling_client", "manufacturer", "demand_response"]
        systems = ["taxis", "johs", "juju", "loacus", "switching"]
        gr.reg.operator(certificates=[certificate(1)], roles=roles, systems=systems)
        gr.reg.user(permissions={"taxis": "1010", "switching": "dr_admin"})

    _merged(gr, "switching", add_switching, ACCEPTED)
    batch = _applied(gr, tmp_path / "o1", ACCEPTED)
    assert "7A0001" not in _cert_map(tmp_path / "o1")
    taxis = (tmp_path / "o1" / "whitelist" / "taxis" / "cert-map.conf").read_text("utf-8")
    assert "7A0001 TESTOP01;" in taxis
    assert "7A0001" not in _cert_map(over_applied(gr, tmp_path, "2026-12-14"))
    confirm = accessreg(gr, "confirm", batch, "--system", "switching", "--out",
                        str(tmp_path / "confirmed"), "--today", str(CONFIRMED))  # fmt: skip
    assert confirm.returncode == 0, confirm.stderr
    assert "7A0001 TESTOP01;" in _cert_map(over_applied(gr, tmp_path, str(CONFIRMED)))


@pytest.mark.parametrize(
    ("approved", "counted"),
    [
        (date(2026, 12, 31), date(2027, 1, 5)),  # the centre's year-end closure
        (date(2026, 12, 12), date(2026, 12, 14)),  # a Saturday
    ],
)
def test_an_occto_user_is_accepted_on_the_approvals_own_day(
    switching: GitRegistry, tmp_path: Path, approved: date, counted: date
) -> None:
    """OCCTO's systems run 「原則として 24 時間 365 日」 (002 §2.2, 003 §2.2), their IDs issued
    by the operator's own admin (002 §3.3): calendar.yaml is the centre's (000 §5-1), Tokyo
    Gas Network's, and holds back none of theirs. A user of the switching support system
    approved on a closed day is accepted that day, in the plan, the 受付 mail, the state and
    status alike; one of TAXIS approved the same day still counts on the next business day."""
    gr = switching
    added = "staff@test-gas.example.co.jp"
    gr.branch("user", "main")
    gr.reg.user(email=added, permissions={"switching": "dr_user"})
    gr.commit("user: change")
    planned = accessreg(gr, "--lang", "ja", "plan", "--base", "main", "--head", "user",
                        "--entered-on", "2026-12-10", "--accepted-on", str(approved),
                        "--today", str(approved))  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    assert f"受付 {approved}、" in planned.stdout, planned.stdout
    assert f"→ ユーザID（需要抑制契約者）: {approved}" in planned.stdout
    assert "営業日として" not in planned.stdout and str(counted) not in planned.stdout
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "user", env=on(approved))
    batch = _applied(gr, tmp_path / "o1", approved)
    (delta,) = (tmp_path / "o1" / "imports" / "switching").glob("delta-*.csv")
    assert delta.name == f"delta-{approved}.csv"
    assert f"新規,{approved}," in delta.read_text(encoding="utf-8-sig")
    (record,) = state(gr)["batches"][batch]["applications"]
    assert record["accepted_on"] == str(approved)
    assert {i["keyed_on"] for i in record["items"] if i["keyed"] == "accepted"} == {str(approved)}
    (notice,) = _mails(tmp_path / "o1")
    assert f"受付日: {approved}" in notice.get_content()
    assert f"受付日={approved}" in _status(gr, "TESTOP01", approved)
    # Tokyo Gas Network's TAXIS, approved the same day: its next business day.
    gr.branch("taxis", "main")
    gr.reg.user(email="other@test-gas.example.co.jp", permissions={"taxis": "1010"})
    gr.commit("taxis: change")
    planned = accessreg(gr, "--lang", "ja", "plan", "--base", "main", "--head", "taxis",
                        "--entered-on", "2026-12-10", "--accepted-on", str(approved),
                        "--today", str(approved))  # fmt: skip
    assert f"営業日として {counted} と数えます" in planned.stdout, planned.stdout
