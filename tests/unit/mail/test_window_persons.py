"""Every mail to an operator goes to its window persons as ``model.mail.window_persons``
lists them: the notices at merge time and the scheduled duties' digests alike."""

from __future__ import annotations

from accessreg.model import Operator
from accessreg.model.mail import Recipient, window_persons
from tests.helpers.regfactory import contact, operator_data


def test_the_primary_comes_first_whatever_the_file_s_order() -> None:
    data = operator_data()
    data["contacts"] = [contact("deputy", 2), contact("primary", 1), contact("deputy", 3)]
    operator = Operator.model_validate(data)
    assert window_persons(operator) == [
        Recipient("窓口 1号", "window1@test-gas.example.co.jp"),
        Recipient("窓口 2号", "window2@test-gas.example.co.jp"),
        Recipient("窓口 3号", "window3@test-gas.example.co.jp"),
    ]
