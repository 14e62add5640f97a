"""Narrowing notices to what each recipient still needs: the heart of idempotent sending."""

from __future__ import annotations

from dataclasses import dataclass

from accessreg.model.mail import Recipient
from accessreg.scheduled.keyed_notices import Digest, log_key, pending


@dataclass(frozen=True)
class _Item:
    key: str


A, B = Recipient("甲", "a@x.example.jp"), Recipient("乙", "B@x.example.jp")
DIGEST = Digest("certificate-expiry", "first", "window", "TESTOP01", (_Item("k1"), _Item("k2")))


def test_everything_is_due_on_an_empty_log() -> None:
    mails = pending([DIGEST], lambda n: [A, B], lambda key: False)
    assert [(m.recipient.email, len(m.digest.items)) for m in mails] == [
        ("a@x.example.jp", 2),
        ("B@x.example.jp", 2),
    ]
    assert mails[1].log_keys == ("k1>b@x.example.jp", "k2>b@x.example.jp")


def test_sent_items_are_left_out_per_recipient() -> None:
    sent = {log_key("k1", "a@x.example.jp"), log_key("k2", "a@x.example.jp"), "k1>b@x.example.jp"}
    mails = pending([DIGEST], lambda n: [A, B], sent.__contains__)
    assert [(m.recipient.email, [i.key for i in m.digest.items]) for m in mails] == [
        ("B@x.example.jp", ["k2"])
    ]


def test_the_items_due_keep_their_order_and_their_own_log_keys() -> None:
    digest = Digest("stale-ids", "locked", "window", "TESTOP01", tuple(map(_Item, "pqrst")))
    sent = {log_key("q", "a@x.example.jp"), log_key("s", "a@x.example.jp")}
    (mail,) = pending([digest], lambda n: [A], sent.__contains__)
    assert [i.key for i in mail.digest.items] == ["p", "r", "t"]
    assert mail.log_keys == tuple(log_key(k, "a@x.example.jp") for k in "prt")
    assert mail.item_keys == ("p", "r", "t")  # what names the mail's notice (``mail_notice``)


def test_a_person_listed_twice_gets_one_mail() -> None:
    twice = Recipient("乙", "b@x.example.jp")
    assert len(pending([DIGEST], lambda n: [B, twice], lambda key: False)) == 1


def test_message_key_is_stable_and_content_bound() -> None:
    first = pending([DIGEST], lambda n: [A], lambda key: False)[0]
    again = pending([DIGEST], lambda n: [A], lambda key: False)[0]
    other = pending([DIGEST], lambda n: [A], lambda key: key.startswith("k1"))[0]
    assert first.message_key == again.message_key != other.message_key
