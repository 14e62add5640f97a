"""Header objects shared between mails: the bytes are those the email package's own header
factory gives, for hostile names, addresses and subjects, whatever was composed before."""

from __future__ import annotations

import copy
import re
from datetime import date
from email.headerregistry import Address
from email.policy import SMTP

import pytest

from accessreg.mail import compose as compose_module
from accessreg.mail.attach import Attachment, attach
from accessreg.mail.compose import POLICY, MailPolicy, SharedHeaders, compose
from accessreg.model.mail import Notice, Recipient
from tests.helpers.hostile import HOSTILE, PIECES

# The policy before header objects were shared: the standard library's factory.
UNSHARED = MailPolicy() + SMTP
SENDERS = (
    "託送受付センター <uketsuke@reception.example.jp>",
    "uketsuke@reception.example.jp",
    '"Reception, Desk" <uketsuke@reception.example.jp>',
)
NAMES = (
    "窓口 一郎",
    "",
    "Plain Name",
    "=?utf-8?b?5Zyw?= encoded-looking",
    "x" * 120,
    "a " * 40,
    HOSTILE,
    *PIECES,
)
EMAILS = ("window1@test-gas.example.co.jp", "=taro@test-gas.example.co.jp")
BOUNDARY = re.compile(rb"={15}\d{19}==")


def _notice(name: str, email: str, operator: str, day: int) -> Notice:
    context = {
        "operator": {"code": "TESTOP01", "name": operator},
        "application": {"id": "abc123/TESTOP01"},
        "admin_console": {
            "name_ja": "システム利用権限管理システム",
            "url": "https://a.example.jp/",
        },
        "info_site": {"name_ja": "託送情報共有サイト", "url": "https://i.example.jp/"},
        "new_usage": False,
        "approved": [],
    }
    return Notice(
        "welcome",
        f"abc123/{operator[:8]}",
        Recipient(name, email),
        "mail-welcome.txt.j2",
        date(2026, 12, day),
        context,
    )


def _cases() -> list[tuple[Notice, str]]:
    cases = []
    for i, name in enumerate(NAMES):
        for email in EMAILS:
            # The operator's name reaches the subject; a recipient's name may be another's
            # operator name, the same value under another header.
            operator = NAMES[(i + 1) % len(NAMES)] or "テストガス株式会社"
            cases.append((_notice(name, email, operator, 1 + i % 2), SENDERS[i % len(SENDERS)]))
    return cases


def _composed_bytes(
    monkeypatch: pytest.MonkeyPatch, policy: object, cases: list[tuple[Notice, str]]
) -> list[bytes]:
    monkeypatch.setattr(compose_module, "POLICY", policy)
    return [compose(notice, sender).message.as_bytes() for notice, sender in cases]


def test_shared_headers_give_the_bytes_of_the_standard_factory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = _cases()
    expected = _composed_bytes(monkeypatch, UNSHARED, cases)
    # Twice, and in reverse, so that every header is also one made for an earlier mail.
    shared = _composed_bytes(monkeypatch, POLICY, cases)
    again = _composed_bytes(monkeypatch, POLICY, cases[::-1])[::-1]
    assert shared == expected
    assert again == expected
    assert len(set(expected)) == len(cases)  # every case is a mail of its own


def test_attaching_in_place_gives_the_message_a_copy_gave(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = [
        Attachment(
            "TESTOP01-taxis.csv",
            "\ufefflogin_id,name\r\n=x@e.example.jp,上田\r\n".encode(),
            "text/csv",
        ),
        Attachment(HOSTILE[:60] + ".csv", b"a,b\r\n", "text/csv"),
    ]
    for notice, sender in _cases():
        monkeypatch.setattr(compose_module, "POLICY", UNSHARED)
        before = compose(notice, sender).message
        copied = copy.deepcopy(before)  # how attachments were added before
        for item in files:
            copied.add_attachment(item.data, maintype="text", subtype="csv", filename=item.filename)
        monkeypatch.setattr(compose_module, "POLICY", POLICY)
        made = attach(compose(notice, sender), files)
        assert BOUNDARY.sub(b"B", made.message.as_bytes()) == BOUNDARY.sub(b"B", copied.as_bytes())
        assert made.message_id == str(before["Message-ID"])


def test_a_value_is_shared_only_under_the_same_name() -> None:
    factory = SharedHeaders()
    value = "uketsuke@reception.example.jp"
    to, subject = factory("To", value), factory("Subject", value)
    assert (to.name, type(to).__name__) == ("To", "_UniqueAddressHeader")
    assert (subject.name, type(subject).__name__) == ("Subject", "_UniqueUnstructuredHeader")
    assert factory("To", value) is to  # parsed once
    named = Address("窓口 一郎", "window1", "test-gas.example.co.jp")
    other = Address("窓口 二郎", "window1", "test-gas.example.co.jp")
    assert factory("To", named) is factory(
        "To", Address("窓口 一郎", "window1", "test-gas.example.co.jp")
    )
    assert str(factory("To", other)) != str(factory("To", named))
