"""Certificate and allowlisted-IP expiry: stages by days left, notices and the table."""

from __future__ import annotations

from datetime import date

import pytest

from accessreg.model.registry import Registry
from accessreg.scheduled.expiry import Stage, expiry, stage_of
from tests.helpers.regfactory import RegistryFactory, certificate

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


def test_a_registered_renewal_is_named(reg: RegistryFactory) -> None:
    reg.operator(
        certificates=[
            certificate(1, cn="PC01", not_before="2025-04-01", not_after="2027-03-31"),
            certificate(2, cn="PC01", not_before="2027-03-01", not_after="2029-02-28"),
        ]
    )
    outcome = expiry(_registry(reg), date(2027, 3, 1))
    (notice,) = outcome.notices
    (item,) = notice.items
    assert item.successor is not None
    assert item.successor.id == "EP-TEST-0002"


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
