"""Every mail to an operator goes to its window persons as ``model.mail.window_persons``
lists them: the notices at merge time and the scheduled duties' digests alike."""

from __future__ import annotations

from datetime import date

from accessreg.model import Operator
from accessreg.model.mail import Handover, Recipient, window_persons
from tests.helpers.regfactory import contact, operator_data


def test_the_primary_comes_first_whatever_the_file_s_order() -> None:
    data = operator_data()
    data["contacts"] = [contact("deputy", 2), contact("primary", 1), contact("deputy", 3)]
    operator = Operator.model_validate(data)
    assert window_persons(operator, date(2026, 12, 1)) == [
        Recipient("窓口 1号", "window1@test-gas.example.co.jp"),
        Recipient("窓口 2号", "window2@test-gas.example.co.jp"),
        Recipient("窓口 3号", "window3@test-gas.example.co.jp"),
    ]


def test_a_change_of_them_still_to_come_leaves_them_as_they_were_until_its_day() -> None:
    data = operator_data()
    data["contacts"] = [contact("deputy", 2), contact("primary", 5)]
    operator = Operator.model_validate(data)
    former = (contact("primary", 1), contact("deputy", 2))
    was = Operator.model_validate({**data, "contacts": list(former)}).contacts
    first = Handover("a/TESTOP01", date(2026, 12, 23), was)
    second = Handover("b/TESTOP01", date(2027, 1, 20), operator.contacts)
    before = [Recipient("窓口 1号", "window1@test-gas.example.co.jp"),
              Recipient("窓口 2号", "window2@test-gas.example.co.jp")]  # fmt: skip
    now = [Recipient("窓口 5号", "window5@test-gas.example.co.jp"), before[1]]
    assert window_persons(operator, date(2026, 12, 22), (first, second)) == before
    assert window_persons(operator, date(2026, 12, 23), (first, second)) == now
    assert window_persons(operator, date(2026, 12, 23), (first,)) == now
    # A new operator's: nobody before it, its own are told.
    new = Handover("c/TESTOP01", date(2026, 12, 23), ())
    assert window_persons(operator, date(2026, 12, 1), (new,)) == now


def test_an_application_s_own_change_counts_from_the_start_for_its_notices_alone() -> None:
    data = operator_data()
    data["contacts"] = [contact("primary", 1), contact("deputy", 2)]
    operator = Operator.model_validate(data)  # as the last change left it: window5 gone
    before = operator.contacts
    with_five = Operator.model_validate(
        {**data, "contacts": [*data["contacts"], contact("deputy", 5)]}
    )
    adds = Handover("a/TESTOP01", date(2026, 12, 23), before)
    removes = Handover("b/TESTOP01", date(2026, 12, 24), with_five.contacts)
    two = [Recipient("窓口 1号", "window1@test-gas.example.co.jp"),
           Recipient("窓口 2号", "window2@test-gas.example.co.jp")]  # fmt: skip
    three = [*two, Recipient("窓口 5号", "window5@test-gas.example.co.jp")]
    day = date(2026, 12, 10)
    # Both to come: the adding application's notices reach window5 too, no other's.
    assert window_persons(operator, day, (adds, removes)) == two
    assert window_persons(operator, day, (adds, removes), "a/TESTOP01") == three
    assert window_persons(operator, day, (adds, removes), "b/TESTOP01") == two
    # Once the removal has come, not even the adding application's.
    assert window_persons(operator, date(2026, 12, 24), (adds, removes), "a/TESTOP01") == two
