"""The one place effective dates are computed (timeline/effective.py), against the seeds."""

from __future__ import annotations

from datetime import date

import pytest

from accessreg.files.loading import load
from accessreg.files.sources import DirectorySource
from accessreg.model import CalendarFile, YearlyClosure
from accessreg.model.changes import ChangeKind
from accessreg.model.registry import Registry
from accessreg.timeline.business_days import BusinessCalendar
from accessreg.timeline.effective import Dates, Effective, Events
from tests.helpers.regfactory import ROOT
from tests.helpers.seed_dates import CASES, SeedCase, d


@pytest.fixture(scope="module")
def sample() -> Registry:
    registry = load(DirectorySource(ROOT / "registry")).registry
    assert registry is not None
    return registry


def _dates(sample: Registry, case: SeedCase) -> Dates:
    events = Events(case.entered, case.accepted, case.merged)
    return Dates.of(sample, events.known(case.merged))


def _computed(dates: Dates, case: SeedCase, key: str) -> Effective:
    if case.kind == "termination":
        return dates.termination(case.terminated_on)
    if case.kind == "withdrawal":
        assert case.withdrawn_on is not None
        return dates.withdrawal(case.withdrawn_on)
    if case.kind in ("suspension", "lifting"):
        return dates.suspension(case.suspended_on)
    if key == "certificate":
        return dates.certificate(["taxis"], case.valid_from)
    kind = {"user_add": ChangeKind.ADD, "user_change": ChangeKind.CHANGE}.get(
        case.kind, ChangeKind.REMOVE
    )
    return dates.permission(key, kind)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_item_of_the_seed_cases(sample: Registry, case: SeedCase) -> None:
    dates = _dates(sample, case)
    for key, expected in case.expected.items():
        assert _computed(dates, case, key).on == expected, key
    if "certificate" in case.expected:
        # Registered with its batch at M+6 (000 §4-2 ⑤), usable only from its validity (004).
        assert dates.certificate(["taxis"], case.valid_from).registered_on == case.registered_on
    if case.processing_day is not None:
        key_event = "entered" if case.kind == "user_change" else "accepted"
        assert dates.processing_day(key_event) == case.processing_day
    if case.kind in ("suspension", "lifting"):
        # Taken on the approval's own day, a Saturday, and in no batch.
        assert dates.acceptance(at_once=True) == (case.accepted, None)


def test_an_unknown_acceptance_is_the_merge_and_the_dates_say_so(sample: Registry) -> None:
    known = Events(merged=d("2026-12-02")).known(d("2026-12-09"))
    assert (known.entered, known.accepted, known.merged) == (d("2026-12-02"),) * 3
    assert known.assumed == ("accepted", "entered")
    # Before a merge, the day of the run stands in for every event.
    planned = Events().known(d("2026-12-09"))
    assert planned.accepted == d("2026-12-09")
    assert planned.assumed == ("merged", "accepted", "entered")
    # An approval known, not merged yet: the merge is the day of the run, never before it
    # (nothing takes effect before its merge), or the approval still to come.
    approved = Events(accepted=d("2026-12-15")).known(d("2026-12-20"))
    assert approved.merged == d("2026-12-20") and approved.accepted == d("2026-12-15")
    coming = Events(accepted=d("2026-12-15")).known(d("2026-12-10"))
    assert coming.merged == d("2026-12-15")


def test_a_merge_on_a_later_day_keeps_the_batch_of_the_acceptance(sample: Registry) -> None:
    # Approved on the 15th, merged on the 16th: still the batch of the 16th (000 §5-1 ③).
    late = Dates.of(
        sample, Events(d("2026-12-14"), d("2026-12-15"), d("2026-12-16")).known(d("2026-12-16"))
    )
    on_time = Dates.of(
        sample, Events(d("2026-12-14"), d("2026-12-15"), d("2026-12-15")).known(d("2026-12-15"))
    )
    assert late.permission("taxis", ChangeKind.ADD) == on_time.permission("taxis", ChangeKind.ADD)
    assert late.processing_day() == d("2026-12-16")


def test_nothing_takes_effect_before_its_merge(sample: Registry) -> None:
    # Entered 12/1, merged 12/8: the TAXIS change the seed makes at once waits for the merge.
    dates = Dates.of(
        sample, Events(d("2026-12-01"), d("2026-12-02"), d("2026-12-08")).known(d("2026-12-08"))
    )
    change = dates.permission("taxis", ChangeKind.CHANGE)
    assert (change.on, change.key, change.keyed_on) == (d("2026-12-08"), "entered", d("2026-12-01"))
    # A termination dated before its merge ends on the merge.
    assert dates.termination(d("2026-11-30")).on == d("2026-12-08")
    assert dates.termination(None).on == d("2026-12-08")


def test_a_withdrawal_ends_on_its_day_never_before_the_merge(sample: Registry) -> None:
    """003 §2.7.1: the member system ends with the membership, on the withdrawal's day."""
    merged = d("2026-12-02")
    dates = Dates.of(sample, Events(d("2026-12-01"), merged, merged).known(merged))
    later = dates.withdrawal(d("2026-12-23"))
    day = d("2026-12-23")
    assert (later.on, later.key, later.keyed_on, later.past_day) == (day, "withdrawn_on", day, None)
    same = dates.withdrawal(merged)
    assert (same.on, same.past_day) == (merged, None)
    # Filed after the withdrawal: on the merge, the day written kept as past.
    past = dates.withdrawal(d("2026-11-30"))
    assert (past.on, past.keyed_on, past.past_day) == (merged, d("2026-11-30"), d("2026-11-30"))
    # Not an event of the pull request: nothing counts from it.
    with pytest.raises(ValueError):
        dates.keyed_on("withdrawn_on")


def test_a_yearly_closure_recurs_and_stops_where_the_centre_says() -> None:
    rule = YearlyClosure(**{"from": "12-31", "to": "01-04", "since": 2018, "until": 2030})
    calendar = BusinessCalendar.from_file(CalendarFile(every_year=(rule,)))
    assert not calendar.is_business_day(d("2018-12-31"))
    assert not calendar.is_business_day(d("2019-01-04"))
    assert not calendar.is_business_day(d("2030-12-31"))
    assert not calendar.is_business_day(d("2031-01-02"))  # the January of 2030's closure
    assert calendar.is_business_day(d("2031-12-31"))  # after `until`
    assert calendar.is_business_day(d("2018-01-04"))  # before `since`
    assert calendar.is_business_day(d("2019-01-07"))


def test_a_yearly_closure_within_one_year() -> None:
    rule = YearlyClosure(**{"from": "08-13", "to": "08-14", "since": 2026})
    calendar = BusinessCalendar.from_file(CalendarFile(every_year=(rule,)))
    assert not calendar.is_business_day(d("2027-08-13"))
    assert calendar.is_business_day(d("2025-08-13"))
    assert calendar.is_business_day(d("2027-08-12"))


def test_the_sample_calendar_closes_every_year_end(sample: Registry) -> None:
    calendar = BusinessCalendar.from_file(sample.calendar)
    for year in (2025, 2026, 2027, 2040):
        assert not calendar.is_business_day(date(year, 12, 31)) or date(year, 12, 31).weekday() >= 5
        assert calendar.on_or_after(date(year, 12, 31)) >= date(year + 1, 1, 5)


def test_a_load_on_a_closed_day_counts_its_m_from_the_next_business_day(
    sample: Registry,
) -> None:
    """A load is dated its own day, and its batch's M is counted as an acceptance's is,
    from a business day: a load on Sunday 15 November 2026 falls into the batch of Monday
    the 16th's half, M 1 December (an entry keeps its own day, 000 §5-2 ③, a load does
    not: it is no entry)."""
    events = Events(d("2026-11-13"), d("2026-11-13"), d("2026-11-13")).known(d("2026-11-15"))
    loaded = Dates.of(sample, events, loaded=d("2026-11-15"))
    assert loaded.accepted_on == d("2026-11-15")
    assert loaded.processing_day() == d("2026-12-01")


def test_a_first_apply_loads_every_item_on_its_day(sample: Registry) -> None:
    # Downstream holds none of the registry yet: it is loaded as it stands, so no item
    # waits for M+6, M+9, a manual step or a provider's missing timing. The same events
    # without the load give the seeds' dates (the test would pass on them otherwise).
    events = Events(d("2026-12-03"), d("2026-12-03"), d("2026-12-03")).known(d("2026-12-03"))
    day = d("2026-12-04")
    loaded, applied = Dates.of(sample, events, loaded=day), Dates.of(sample, events)
    items = [
        lambda dates: dates.permission("taxis", ChangeKind.ADD),  # M+6
        lambda dates: dates.permission("juju", ChangeKind.ADD),  # M+9
        lambda dates: dates.permission("juju", ChangeKind.REMOVE),  # manual
        lambda dates: dates.certificate(["taxis"]),  # from M
        lambda dates: dates.certificate(["switching"]),  # OCCTO: manual
        lambda dates: dates.usage(["taxis", "switching"]),  # 15 business days; manual
        lambda dates: dates.allowed_ip(["taxis"]),
        lambda dates: dates.allowed_ip(["switching"]),  # OCCTO gives no timing
    ]
    for item in items:
        assert item(loaded).on == day
        assert item(loaded).processing_day is None
    assert [item(applied).on for item in items] == [
        d("2026-12-24"),
        d("2026-12-29"),
        None,
        d("2026-12-24"),
        None,
        None,
        d("2026-12-03"),
        None,
    ]
    # A termination is the operator's own date, not a processing step: it keeps it.
    assert loaded.termination(d("2027-01-31")).on == d("2027-01-31")


def test_a_load_keys_no_item_on_a_registration_still_to_come(sample: Registry) -> None:
    """A load registers every operator as it stands: nothing of it is still to come, so no
    new user's permission is keyed on its operator's registration (000 §3-1 ⑥ 【注３】) or
    on a system being taken up (§5-1 【注６】【注７】), even where that day, a Sunday's load,
    counts from the next business day. The 受付 mail explains a date by its key: a load's
    is its own day, not a registration's completion."""
    events = Events(d("2026-11-20"), d("2026-11-20"), d("2026-11-20")).known(d("2026-11-22"))
    sunday = d("2026-11-22")
    loaded, applied = Dates.of(sample, events, loaded=sunday), Dates.of(sample, events)
    for kind, key in ((ChangeKind.ADD, "accepted"), (ChangeKind.CHANGE, "entered")):
        effective = loaded.permission("taxis", kind, registered=sunday, taken_up=sunday)
        assert (effective.on, effective.key) == (sunday, key), kind
        assert effective.keyed_on == loaded.keyed_on(key)
    # Without the load the same days are still to come, and key the permission.
    later = d("2026-12-01")
    assert applied.permission("taxis", ChangeKind.ADD, registered=later).key == "registered"
    assert applied.permission("taxis", ChangeKind.ADD, taken_up=later).key == "taken_up"


def test_a_user_of_an_operator_still_being_registered_is_keyed_on_its_registration(
    sample: Registry,
) -> None:
    """000 §3-1 ⑥ 【注３】: the window person's ID comes with the completion of the usage
    application (new), and only with it is the permission-set application (5-1) filed. A
    user approved on 12/23 with the registration done on 2027-01-19 is keyed on that day:
    the batch of 2027-02-01 (the second half of January), TAXIS from M+6 and JUJU M+9 (over
    the public holiday of 2/11)."""
    accepted = d("2026-12-23")
    dates = Dates.of(sample, Events(d("2026-12-22"), accepted, accepted).known(accepted))
    registration = dates.usage(["taxis", "johs"])
    assert registration.on == d("2027-01-19")
    taxis = dates.permission("taxis", ChangeKind.ADD, registration.on)
    assert (taxis.on, taxis.processing_day) == (d("2027-02-09"), d("2027-02-01"))
    assert (taxis.key, taxis.keyed_on) == ("registered", d("2027-01-19"))
    assert dates.permission("juju", ChangeKind.ADD, registration.on).on == d("2027-02-15")
    assert dates.batch_of("taxis", taxis) == d("2027-02-01")
    # One counted from the day itself (a timing ``start: accepted``) is in that day's batch
    # too, not in the acceptance's.
    at_once = Effective(d("2027-01-19"), "accepted", key="registered", keyed_on=d("2027-01-19"))
    assert dates.batch_of("taxis", at_once) == d("2027-02-01")
    # Without the registration still to come, the acceptance's batch of 2027-01-05.
    own = dates.permission("taxis", ChangeKind.ADD)
    assert (own.on, own.processing_day, own.key) == (d("2027-01-14"), d("2027-01-05"), "accepted")
    # A registration done by the acceptance changes nothing; nor does one for a change or
    # a deletion, filed with an ID the operator has already.
    assert dates.permission("taxis", ChangeKind.ADD, d("2026-12-01")) == own
    change = dates.permission("taxis", ChangeKind.CHANGE, registration.on)
    assert change == dates.permission("taxis", ChangeKind.CHANGE)
    # A registration done on a closed day is keyed on the next business day (the centre
    # accepts on business days): 2026-12-31 counts as 2027-01-05, in the batch of the 16th
    # (a Saturday: Monday the 18th).
    closed = dates.permission("taxis", ChangeKind.ADD, d("2026-12-31"))
    assert (closed.keyed_on, closed.processing_day) == (d("2027-01-05"), d("2027-01-18"))
    with pytest.raises(ValueError):
        dates.keyed_on("registered")


@pytest.mark.parametrize(
    ("approved", "counted"),
    [
        # The centre's year-end closure (calendar.yaml) and a Saturday.
        (d("2026-12-31"), d("2027-01-05")),
        (d("2026-12-12"), d("2026-12-14")),
    ],
)
def test_occtos_systems_count_from_the_approvals_own_day(
    sample: Registry, approved: date, counted: date
) -> None:
    """002 §2.2, 003 §2.2: OCCTO's systems run 「原則として 24 時間 365 日」, their IDs issued
    by the operator's own admin (002 §3.3): the centre's calendar is Tokyo Gas Network's
    (000 §5-1), and holds back only what it processes."""
    dates = Dates.of(sample, Events(approved, approved).known(approved))
    # OCCTO's systems alone: the approval's own day, in no batch.
    assert dates.acceptance(at_once=False, batched=False) == (approved, None)
    for system in ("switching", "member_portal"):
        added = dates.permission(system, ChangeKind.ADD)
        assert (added.on, added.keyed_on) == (approved, approved), system
    # Tokyo Gas Network's, approved the same day: its next business day, and its batch.
    assert dates.acceptance(at_once=False, batched=True)[0] == counted
    assert dates.permission("taxis", ChangeKind.ADD).keyed_on == counted
    assert dates.usage(["taxis"]).keyed_on == counted


def test_a_manual_step_waits_for_a_validity_still_to_come_alone(sample: Registry) -> None:
    """A certificate for OCCTO's help desk (001 p13) is registered by its step, and never
    before its validity starts (004); a validity begun by the approval bounds nothing, so
    no output says 「作業完了後、<a past day> 以降」."""
    events = Events(d("2026-12-14"), d("2026-12-14"), d("2026-12-14")).known(d("2026-12-14"))
    dates = Dates.of(sample, events)
    begun = dates.certificate(["switching"], d("2026-01-01"))
    assert begun.on is None and begun.steps == ("switching",)
    assert begun.not_before is None
    later = dates.certificate(["switching"], d("2027-01-10"))
    assert later.on is None and later.not_before == d("2027-01-10")
