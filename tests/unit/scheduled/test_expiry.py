"""Certificate and allowlisted-IP expiry: stages by days left, notices and the table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import strict

import pytest

from accessreg.model.mail import Recipient, window_persons
from accessreg.model.operator import Operator
from accessreg.model.registry import Registry
from accessreg.outputs.whitelist import Admitted, whitelists
from accessreg.scheduled.duty import DutyResult
from accessreg.scheduled.expiry import CertificateDue, Stage, Successor, expiry, stage_of
from accessreg.scheduled.keyed_notices import pending, recipients
from accessreg.scheduled.mails import composed
from tests.helpers.regfactory import RegistryFactory, certificate, contact

END = date(2027, 3, 31)


def _registry(reg: RegistryFactory, today: date = date(2027, 1, 1)) -> Registry:
    result = reg.validate(today)
    assert result.registry is not None
    return result.registry


@pytest.mark.parametrize(
    ("today", "stage"),
    [
        (date(2027, 1, 29), None),  # 61 days left
        (date(2027, 1, 30), Stage.FIRST),  # 60
        (date(2027, 3, 16), Stage.FIRST),  # 15
        (date(2027, 3, 17), Stage.REMINDER),  # 14
        (date(2027, 3, 31), Stage.REMINDER),  # the last valid day
        (date(2027, 4, 1), Stage.EXPIRED),
    ],
)
def test_stage_by_days_left(today: date, stage: Stage | None) -> None:
    assert stage_of(END, today) == stage


def test_certificate_notice_per_operator_and_stage(reg: RegistryFactory) -> None:
    reg.operator(
        certificates=[
            certificate(1, not_before="2025-04-01", not_after="2027-03-31"),
            certificate(2, not_before="2025-04-10", not_after="2027-04-09"),
            certificate(3, not_before="2025-12-01", not_after="2027-11-30"),
        ]
    )
    outcome = expiry(_registry(reg), date(2027, 3, 20))
    by_stage = {n.stage: [i.certificate.id for i in n.items] for n in outcome.notices}
    assert by_stage == {"reminder": ["EP-TEST-0001"], "first": ["EP-TEST-0002"]}
    assert {n.operator for n in outcome.notices} == {"TESTOP01"}
    # The first notice goes to the RA officer as well, when there is one (004).
    assert {n.stage: n.audience for n in outcome.notices} == {
        "reminder": "window",
        "first": "window_ra",
    }
    (table,) = outcome.tables
    # The stages in the notices' words (【再通知】), the machine's ``first`` nowhere.
    assert [(r[1], r[2], r[5], r[6]) for r in table.rows] == [
        ("クライアント証明書", "EP-TEST-0001", "11", "再通知"),
        ("クライアント証明書", "EP-TEST-0002", "20", "初回通知"),
    ]


def test_keys_change_with_the_stage_only(reg: RegistryFactory) -> None:
    reg.operator(certificates=[certificate(1, not_before="2025-04-01", not_after="2027-03-31")])
    registry = _registry(reg)
    keys = {
        day: [i.key for n in expiry(registry, day).notices for i in n.items]
        for day in (date(2027, 1, 30), date(2027, 2, 1), date(2027, 3, 17), date(2027, 4, 1))
    }
    assert keys[date(2027, 1, 30)] == keys[date(2027, 2, 1)]
    assert len({k[0] for k in keys.values()}) == 3


def test_expired_notice_only_in_the_month_after(reg: RegistryFactory) -> None:
    reg.operator(certificates=[certificate(1, not_before="2025-04-01", not_after="2027-03-31")])
    registry = _registry(reg)
    assert [n.stage for n in expiry(registry, date(2027, 4, 30)).notices] == ["expired"]
    late = expiry(registry, date(2027, 5, 1))
    assert late.notices == ()
    assert [r[6] for r in late.tables[0].rows] == ["期限切れ"]  # still listed


def test_suspended_and_terminated_are_left_out(reg: RegistryFactory) -> None:
    reg.operator(
        certificates=[
            certificate(
                1, not_before="2025-04-01", not_after="2027-03-31", suspended_on="2026-01-05"
            )
        ]
    )
    reg.operator(
        "TESTOP02",
        status="terminated",
        terminated_on="2026-12-01",
        certificates=[certificate(2, not_before="2025-04-01", not_after="2027-03-31")],
    )
    outcome = expiry(_registry(reg), date(2027, 3, 1))
    assert outcome.notices == ()
    assert outcome.tables[0].rows == ()


RENEWED = [
    certificate(1, cn="PC01", not_before="2025-04-01", not_after="2027-03-31"),
    certificate(2, cn="PC01", not_before="2027-03-01", not_after="2029-02-28"),
]


def _successor_of(outcome: DutyResult) -> Successor:
    (notice,) = outcome.notices
    (item,) = notice.items
    assert isinstance(item, CertificateDue) and item.successor is not None
    return item.successor


def test_a_renewal_from_before_the_records_is_registered(reg: RegistryFactory) -> None:
    """One no application recorded is let through as soon as it is in the registry."""
    reg.operator(certificates=RENEWED)
    outcome = expiry(_registry(reg), date(2027, 3, 1))
    successor = _successor_of(outcome)
    assert successor.certificate.id == "EP-TEST-0002" and successor.registered
    assert outcome.tables[0].rows[0][-2:] == ("EP-TEST-0002", "登録済み")


def test_a_renewal_is_registered_as_the_whitelists_admit_it(reg: RegistryFactory) -> None:
    """From the day recorded at its acceptance (M+6, 000 §4-2), as ``Admitted`` says for the
    whitelists; before it, applied for, with that day."""
    reg.operator(certificates=RENEWED)
    registry = _registry(reg)
    recorded = Admitted(certificates={"7A0002": date(2027, 3, 10)})
    before = expiry(registry, date(2027, 3, 9), recorded)
    waiting = _successor_of(before)
    assert (waiting.registered, waiting.registered_on) == (False, date(2027, 3, 10))
    assert waiting.desks == "託送受付センター"
    assert before.tables[0].rows[0][-2:] == ("EP-TEST-0002", "登録申請中")
    after = _successor_of(expiry(registry, date(2027, 3, 10), recorded))
    assert (after.registered, after.registered_on) == (True, None)
    for day in (date(2027, 3, 9), date(2027, 3, 10)):
        allowed = {c.serial for w in whitelists(registry, day, recorded) for c in w.certificates}
        assert ("7A0002" in allowed) == _successor_of(expiry(registry, day, recorded)).registered


def test_a_renewal_waiting_for_a_manual_step_has_no_day(reg: RegistryFactory) -> None:
    """The help desk's registration not confirmed (001 p13): applied for, no day known."""
    reg.switching_operator(certificates=RENEWED)
    recorded = Admitted(certificates={"7A0002": None})
    waiting = _successor_of(expiry(_registry(reg), date(2027, 3, 1), recorded))
    assert (waiting.registered, waiting.registered_on) == (False, None)
    assert waiting.desks == "スイッチング支援システム ヘルプデスク"


def test_a_renewal_kept_out_only_by_its_validity_is_registered(reg: RegistryFactory) -> None:
    """The recorded day is never before its validity starts (``effective.registered``): one
    the whitelists take from that first valid day on is registered already."""
    reg.operator(certificates=RENEWED)
    recorded = Admitted(certificates={"7A0002": date(2027, 3, 1)})
    successor = _successor_of(expiry(_registry(reg), date(2027, 2, 20), recorded))
    assert successor.registered


@dataclass(frozen=True)
class _OnTheDay:
    """The window persons the registry names, no change of them still to come
    (``model.mail.Addressing``)."""

    day: date

    def persons(self, operator: Operator, own: str | None = None) -> list[Recipient]:
        return window_persons(operator, self.day, (), own)


def _mail(registry: Registry, outcome: DutyResult, today: date) -> EmailMessage:
    """The first window person's notice, composed and read back as mail."""
    to = _OnTheDay(today)
    (due,) = pending(outcome.notices, lambda n: recipients(n, registry, to), lambda key: False)[:1]
    data = composed(due, registry, today, "noreply@reception.example.jp", to).make().data
    message = message_from_bytes(data, policy=strict)
    assert isinstance(message, EmailMessage)
    return message


def _body(registry: Registry, outcome: DutyResult, today: date) -> str:
    body = _mail(registry, outcome, today).get_body()
    assert body is not None
    return str(body.get_content())


def test_a_renewal_registered_after_the_old_one_ends_is_told_so(reg: RegistryFactory) -> None:
    """Its recorded day (M+6) comes after the old certificate's last day: the notice says
    so and whom to ask; one in time tells the window person to wait."""
    reg.operator(contacts=[contact()], certificates=RENEWED)
    registry = _registry(reg)
    today = date(2027, 3, 20)
    late = expiry(registry, today, Admitted(certificates={"7A0002": date(2027, 4, 2)}))
    body = _body(registry, late, today)
    assert "は登録申請中です（登録完了前）。" in body and "登録済み" not in body
    assert "登録の完了予定は 2027-04-02 で、この証明書の有効期限 2027-03-31 より後です。" in body
    assert "託送受付センターにご相談ください" in body
    in_time = expiry(registry, today, Admitted(certificates={"7A0002": date(2027, 3, 25)}))
    body = _body(registry, in_time, today)
    assert "2027-03-25 に登録が完了する予定です。申請し直す必要はありません。" in body
    assert "ご相談ください" not in body
    # Applied for already: nothing to order or file again (no renewal steps); nothing
    # names a command, a file or a key of the registry.
    assert "更新の手順" not in body and "EPPCERT" not in body
    assert "accessreg" not in body and "registry/" not in body and "certificates" not in body


def test_a_registered_renewal_says_when_it_takes_over_and_orders_nothing(
    reg: RegistryFactory,
) -> None:
    """The day before the old certificate ends, its renewal registered: the notice says
    from when the renewal is the one in use and where it goes, and neither orders a new
    certificate nor asks for its registration; the old one's deletion is still to file."""
    reg.operator(contacts=[contact()], certificates=RENEWED)
    registry = _registry(reg)
    today = date(2027, 3, 30)
    body = _body(registry, expiry(registry, today), today)
    told = (
        "EP-TEST-0002（2027-03-01 から有効）が登録済みです。"
        "新たな証明書の申込みや登録の申請は不要です。"
    )
    assert told in body
    assert "2027-04-01 からは、更新後の証明書を導入した端末でシステムを利用できます" in body
    assert "EPPCERT" not in body and "更新の手順" not in body and "accessreg" not in body
    assert "どちらの証明書でも" not in body
    deletion = "有効期限を過ぎた証明書は、クライアント証明書登録申請で、登録からの削除を申請して"
    assert deletion in body
    # Its first notice asks for no renewal either; one with none does.
    first = date(2027, 3, 1)
    subject = str(_mail(registry, expiry(registry, first), first)["Subject"])
    assert subject.startswith("【お知らせ】クライアント証明書の有効期限が近づいています")
    reg.operator(contacts=[contact()], certificates=RENEWED[:1])
    alone = _registry(reg)
    subject = str(_mail(alone, expiry(alone, first), first)["Subject"])
    assert subject.startswith("【証明書更新のお願い】")


def test_a_registered_renewal_valid_only_later_names_the_days_between(
    reg: RegistryFactory,
) -> None:
    reg.operator(
        contacts=[contact()],
        certificates=[
            certificate(1, cn="PC01", not_before="2025-04-01", not_after="2027-03-31"),
            certificate(2, cn="PC01", not_before="2027-04-03", not_after="2029-04-02"),
        ],
    )
    registry = _registry(reg)
    today = date(2027, 3, 30)
    body = _body(registry, expiry(registry, today), today)
    assert "2027-04-03 からは、更新後の証明書を導入した端末でシステムを利用できます" in body
    assert "2027-04-01 から 2027-04-02 までは、どちらの証明書でもシステムを利用できません。" in body


def test_a_certificate_with_no_renewal_lists_the_renewal_steps(reg: RegistryFactory) -> None:
    reg.operator(contacts=[contact()], certificates=RENEWED[:1])
    registry = _registry(reg)
    today = date(2027, 3, 30)
    body = _body(registry, expiry(registry, today), today)
    assert "■ 更新の手順" in body
    assert "EPPCERT に新しいクライアント証明書を申し込んでください" in body
    assert "申請フォーム「クライアント証明書登録申請」で申請してください（000 §4-2）" in body
    assert "accessreg" not in body


def test_a_registered_renewal_is_preferred_to_one_applied_for(reg: RegistryFactory) -> None:
    reg.operator(
        certificates=[
            *RENEWED,
            certificate(3, cn="PC01", not_before="2027-02-01", not_after="2029-01-31"),
        ]
    )
    recorded = Admitted(certificates={"7A0003": None})
    successor = _successor_of(expiry(_registry(reg), date(2027, 3, 1), recorded))
    assert (successor.certificate.id, successor.registered) == ("EP-TEST-0002", True)


def test_ip_entries_have_the_same_stages(reg: RegistryFactory) -> None:
    reg.operator(
        ip_allowlist=[
            {"cidr": "41.203.64.10/32", "reason": "海外拠点", "expires_on": "2027-03-31"},
            {"cidr": "41.203.64.11/32", "reason": "海外拠点", "expires_on": "2027-12-31"},
        ]
    )
    registry = _registry(reg)
    assert [n.kind for n in expiry(registry, date(2027, 1, 29)).notices] == []
    (notice,) = expiry(registry, date(2027, 1, 30)).notices
    assert (notice.kind, notice.stage) == ("ip-expiry", "first")
    assert [i.entry.cidr for i in notice.items] == ["41.203.64.10/32"]
    (gone,) = expiry(registry, date(2027, 4, 1)).notices
    assert gone.stage == "expired"


@pytest.mark.parametrize(
    ("switching_only", "cited"), [(False, "（000 §4-1）"), (True, "（001 p39）")]
)
def test_the_validity_is_cited_from_the_manual_of_the_certificates_provider(
    reg: RegistryFactory, switching_only: bool, cited: str
) -> None:
    """A certificate registered with Tokyo Gas Network's systems cites its manual; one of
    an operator of OCCTO's switching support system alone cites OCCTO's briefing (001 p39),
    not a manual its desk does not work by."""
    if switching_only:
        reg.switching_operator(contacts=[contact()], certificates=RENEWED[:1])
    else:
        reg.operator(contacts=[contact()], certificates=RENEWED[:1])
    registry = _registry(reg)
    today = date(2027, 3, 30)
    body = _body(registry, expiry(registry, today), today)
    assert f"有効期限を過ぎた証明書では、システムを利用できなくなります{cited}。" in body
    assert "000 §4-1" not in body if switching_only else "001 p39" not in body


def test_a_certificate_of_another_purpose_is_no_renewal(reg: RegistryFactory) -> None:
    """An API certificate of the same CN (001 p46: one per operator) lets no terminal in
    where the web one did: not a renewal to register for those systems, but none at all."""
    reg.operator(
        contacts=[contact()],
        systems=["taxis", "johs", "juju", "loacus", "wheeling_api"],
        certificates=[
            RENEWED[0],
            certificate(2, cn="PC01", purpose="api", not_after="2029-02-28"),
        ],
    )
    registry = _registry(reg)
    today = date(2027, 3, 30)
    outcome = expiry(registry, today)
    (notice,) = outcome.notices
    (item,) = notice.items
    assert isinstance(item, CertificateDue) and item.certificate.id == "EP-TEST-0001"
    assert item.successor is None
    body = _body(registry, outcome, today)
    assert "EPPCERT に新しいクライアント証明書を申し込んでください" in body
    assert "EP-TEST-0002" not in body
