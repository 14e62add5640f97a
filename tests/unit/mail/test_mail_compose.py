"""Notices as RFC 5322 messages: decodable Japanese, stable Message-IDs, no header injection."""

from __future__ import annotations

import base64
import email
import email.policy
import re
import sys
from datetime import date
from email.message import EmailMessage
from types import FrameType
from typing import Any

import jinja2
import pytest
from bidi import get_display
from hypothesis import given, settings
from hypothesis import strategies as st

from accessreg.errors import ConfigError
from accessreg.escape import ISOLATE_END, ISOLATE_START, mail_header
from accessreg.mail import compose as compose_module
from accessreg.mail.compose import _ENV, _base64, compose
from accessreg.model.mail import Notice, Recipient
from accessreg.provision.notices import ChangeLine

CONTEXT = {
    "operator": {"code": "TESTOP01", "name": "テストガス株式会社"},
    "application": {"id": "abc123/TESTOP01"},
    "admin_console": {"name_ja": "システム利用権限管理システム", "url": "https://a.example.jp/"},
    "info_site": {"name_ja": "託送情報共有サイト", "url": "https://i.example.jp/"},
    "new_usage": False,
    "approved": [],
}


def _notice(name: str = "窓口 一郎", email_: str = "window1@test-gas.example.co.jp") -> Notice:
    return Notice(
        "welcome",
        "abc123/TESTOP01",
        Recipient(name, email_),
        "mail-welcome.txt.j2",
        date(2026, 12, 9),
        CONTEXT,
    )


def _parsed(message: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_subject_and_body_decode_to_the_rendered_japanese() -> None:
    composed = compose(_notice(), "託送受付センター <uketsuke@reception.example.jp>")
    raw = composed.message.as_bytes()
    assert raw.isascii()  # 7-bit on the wire: survives any relay and client
    assert b"\r\n" in raw
    parsed = _parsed(composed.message)
    assert parsed["Subject"] == "【手続き完了通知】システム窓口責任者のID（テストガス株式会社）"
    assert parsed["To"].addresses[0].display_name == "窓口 一郎"
    assert parsed["From"].addresses[0].display_name == "託送受付センター"
    body = parsed.get_content()
    assert "1) システム窓口責任者に発行する ID: window1@test-gas.example.co.jp" in body
    assert "URL: https://i.example.jp/" in body
    assert parsed["Date"] == "Wed, 09 Dec 2026 09:00:00 +0900"


def test_message_id_is_stable_per_application_recipient_and_kind() -> None:
    sender = "uketsuke@reception.example.jp"
    first = compose(_notice(), sender)
    again = compose(_notice(), sender)
    assert first.message_id == again.message_id
    assert first.message.as_bytes() == again.message.as_bytes()
    assert first.message_id.endswith("@reception.example.jp>")
    # The recipient's address compares without case, as login IDs do.
    assert compose(_notice(email_="Window1@test-gas.example.co.jp"), sender).message_id == (
        first.message_id
    )
    other = Notice(**{**_notice().__dict__, "kind": "contact-removed"})
    assert compose(other, sender).message_id != first.message_id


@pytest.mark.parametrize(
    "name",
    [
        "窓口 一郎\r\nBcc: attacker@evil.example",
        "窓口\nSubject: hijacked",
        "Evil\r\n\r\nbody injected",
        "Mallory\x00\u2028Cc: x@evil.example",
    ],
)
def test_a_name_with_line_breaks_cannot_add_headers(name: str) -> None:
    composed = compose(_notice(name=name), "uketsuke@reception.example.jp")
    parsed = _parsed(composed.message)
    assert sorted(k.lower() for k in parsed) == sorted(
        [
            "from",
            "to",
            "subject",
            "date",
            "message-id",
            "auto-submitted",
            "content-type",
            "content-transfer-encoding",
            "mime-version",
        ]
    )
    assert parsed["Bcc"] is None and parsed["Cc"] is None
    (address,) = parsed["To"].addresses
    assert address.addr_spec == "window1@test-gas.example.co.jp"
    assert "\n" not in address.display_name and "\r" not in address.display_name
    assert parsed["Subject"].startswith("【手続き完了通知】")


def test_mail_header_turns_every_line_break_into_a_space() -> None:
    assert mail_header("a\r\nb\nc\u2028d\x85e") == "a b c d e"
    # With the spaces beside it: a name broken over two lines reads as one.
    assert mail_header("窓口 \n 太郎") == "窓口 太郎"
    assert mail_header("窓口\t\n  太郎  様") == "窓口 太郎  様"  # its own spaces stay


def test_a_bad_recipient_address_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="is not a mail address"):
        compose(_notice(email_="no-at-sign"), "uketsuke@reception.example.jp")


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400))
def test_a_base64_body_is_cut_as_the_email_package_cuts_it(data: bytes) -> None:
    """57 bytes a line, CRLF after each, nothing for nothing: what ``encodebytes`` gives."""
    assert _base64(data) == base64.encodebytes(data).replace(b"\n", b"\r\n")


_READS = st.sampled_from(["name", "items", "keys", "get", "missing", "__class__", "mro"])


@settings(max_examples=200, deadline=None)
@given(
    row=st.dictionaries(st.one_of(_READS, st.text(max_size=4)), st.integers(), max_size=5),
    read=_READS,
)
def test_templates_read_a_dict_as_jinja_does(row: dict[str, int], read: str) -> None:
    """The mails' environment reads a dict's keys without jinja's failed attribute lookup
    first, and gives what jinja gives: a key, a dict method of that name, or undefined."""
    ours = _ENV.getattr(row, read)
    theirs = jinja2.Environment(undefined=jinja2.StrictUndefined).getattr(row, read)
    if isinstance(theirs, jinja2.Undefined):
        assert isinstance(ours, jinja2.Undefined)
    else:
        assert ours == theirs


def test_a_dicts_key_is_read_without_a_failed_attribute_lookup() -> None:
    """What the environment is for: jinja's own reading of ``person.name`` on a dict raises
    and catches an AttributeError first, for every field of every user a notice lists."""
    raised: list[type[BaseException]] = []

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "exception":
            raised.append(arg[0])
        return trace

    sys.settrace(trace)
    try:
        value = _ENV.getattr({"name": "試験 太郎"}, "name")
    finally:
        sys.settrace(None)
    assert value == "試験 太郎"
    assert raised == []


class _Counted:
    """The people of an acceptance, counting how often the templates go through them."""

    def __init__(self, people: list[dict[str, Any]]) -> None:
        self.people = people
        self.walked = 0

    def __len__(self) -> int:
        return len(self.people)

    def __iter__(self) -> Any:
        self.walked += 1
        return iter(self.people)


# One line of a user's changes, as ``provision.notices`` makes it.
_CHANGE: ChangeLine = {
    "system_name": "託送システム（taxis）",
    "action": "設定",
    "code_text": "1011",
    "when_label": "利用開始",
    "when": date(2026, 12, 7),
    "pending": "",
    "waits": False,
    "after": "",
    "again": None,
    "ends": None,
    "stopped": None,
}


def _acceptance(people: _Counted) -> dict[str, Any]:
    return {
        "operator": {"code": "TESTOP01", "name": "テストガス株式会社"},
        "application": {
            "id": "abc123/TESTOP01",
            "kinds": ["利用申請（新規）"],
            "accepted_on": date(2026, 12, 1),
            "processing_days": (date(2026, 12, 1),),
            "title": "",
        },
        "cited_kinds": ["利用申請（新規）（000 §3-1）"],
        "desks": [],
        "uses_processing_day": True,
        "operator_items": [],
        "people": people,
        "at_once": False,
        "operators": ["東京ガスネットワーク"],
        "accepted_ahead": False,
        "completion_follows": True,
        "schedule_notes": [],
    }


def test_an_acceptance_lists_its_items_once_for_all_its_window_persons() -> None:
    change = _CHANGE
    people = _Counted(
        [
            {"name": "利用 一郎", "email": "u1@test-gas.example.co.jp",
             "affiliation_name": "テストガス株式会社", "changes": [change]},
            # A value of several lines shows as a quotation, in the part as everywhere.
            {"name": "利用 二郎\n■ 偽の見出し", "email": "u2@test-gas.example.co.jp",
             "affiliation_name": "テストガス株式会社", "changes": [change]},
        ]
    )  # fmt: skip
    context = _acceptance(people)
    bodies = []
    for n, name in enumerate(("窓口 一郎", "窓口 花子")):
        recipient = Recipient(name, f"window{n}@test-gas.example.co.jp")
        notice = Notice("accepted", "abc123/TESTOP01", recipient, "mail-accepted.txt.j2",
                        date(2026, 12, 1), context)  # fmt: skip
        body = _parsed(compose(notice, "受付 <uketsuke@reception.example.jp>").message)
        bodies.append(body.get_content().replace("\r\n", "\n"))
    assert people.walked == 1  # the items rendered once, for both window persons
    for body, name in zip(bodies, ("窓口 一郎", "窓口 花子"), strict=True):
        assert f"システム窓口責任者 {name} 様" in body
        assert "申請種別: 利用申請（新規）（000 §3-1）\n" in body  # with the sections it cites
        assert "1. 利用 一郎（ID: u1@test-gas.example.co.jp" in body
        assert "   託送システム（taxis）: 設定 1011 / 利用開始 2026-12-07\n" in body
        assert "2. 利用 二郎\n      > ■ 偽の見出し（ID: u2@" in body
        assert "\n■ 偽の見出し" not in body
    assert bodies[0].replace("窓口 一郎", "窓口 花子") == bodies[1]


_LINE = "mail-accepted-change.txt.j2"


def test_a_line_many_people_share_is_rendered_once_and_shown_as_every_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first apply lists 680,000 permissions, most of them one of a few lines: each line
    the notices share is rendered once, and stays a value of the mail (a line break in it
    shows as a quotation, as anywhere in the body)."""
    template = _ENV.get_template(_LINE)
    made: list[str] = []

    def render(*args: Any, **kwargs: Any) -> str:
        made.append(text := jinja2.Template.render(template, *args, **kwargs))
        return text

    monkeypatch.setattr(template, "render", render)
    shared = dict(_CHANGE)
    other: ChangeLine = {**_CHANGE, "code_text": "1012", "action": "設定\n■ 偽の見出し"}
    people = [
        {"name": f"利用 {n}", "email": f"u{n}@test-gas.example.co.jp",
         "affiliation_name": "本社", "changes": [shared, other] if n == 3 else [shared]}
        for n in range(1, 4)
    ]  # fmt: skip
    body = _ENV.get_template("mail-accepted-people.txt.j2").render(people=people)
    assert len(made) == 2  # one for each line, however many people share it
    line = "   託送システム（taxis）: 設定 1011 / 利用開始 2026-12-07\n"
    forged = "   託送システム（taxis）: 設定\n      > ■ 偽の見出し 1012 / 利用開始 2026-12-07\n"
    head = "{n}. 利用 {n}（ID: u{n}@test-gas.example.co.jp、所属: 本社）\n"
    listed = [head.format(n=n) + line for n in (1, 2)]
    listed.append(head.format(n=3) + line + forged)
    assert body == "".join(listed)  # each line once, as it stood in the list before


def test_a_line_is_never_taken_from_another_value_that_had_its_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rendered lines are kept by their value's id, with the value: an id that a value
    no longer alive had is another value's, and its line is rendered anew. They are kept
    a few thousand at most."""
    kept = compose_module._ByIdentity(2)
    monkeypatch.setattr(compose_module, "_LINES", kept)
    value: ChangeLine = {**_CHANGE, "code_text": "1099"}
    gone = {**_CHANGE, "code_text": "1000"}
    kept._kept[(id(value), _LINE, "change")] = (gone, compose_module._Rendered("1000"))
    assert "設定 1099 /" in compose_module._rendered(value, _LINE, "change")
    values = [{**_CHANGE, "code_text": str(n)} for n in range(5)]
    shown = [compose_module._rendered(v, _LINE, "change") for v in values]
    assert [f"設定 {n} /" in line for n, line in enumerate(shown)] == [True] * 5
    assert len(kept._kept) == 2


def test_a_right_to_left_name_reaches_the_mail_isolated_and_moves_nothing() -> None:
    """A name in Arabic letters, in the body and the headers, between the isolate marks
    (``escape.isolated``), which survive the encoding; read in strict mode, each line shows
    the mail's own text around it in the order written (python-bidi)."""
    name = "محمد علي ٢٠"
    people = _Counted(
        [{"name": name, "email": "u1@test-gas.example.co.jp",
          "affiliation_name": name, "changes": [_CHANGE]}]
    )  # fmt: skip
    context = {**_acceptance(people), "operator": {"code": "TESTOP01", "name": name}}
    recipient = Recipient(name, "window1@test-gas.example.co.jp")
    notice = Notice("accepted", "abc123/TESTOP01", recipient, "mail-accepted.txt.j2",
                    date(2026, 12, 1), context)  # fmt: skip
    raw = compose(notice, "受付 <uketsuke@reception.example.jp>").message.as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.strict)
    assert isinstance(parsed, EmailMessage)
    isolated = f"{ISOLATE_START}{name}{ISOLATE_END}"
    assert parsed["To"].addresses[0].display_name == isolated
    assert isolated in str(parsed["Subject"])
    body = parsed.get_content().replace("\r\n", "\n")
    lines = [line for line in body.split("\n") if name in line]
    assert f"1. {isolated}（ID: u1@test-gas.example.co.jp" in body
    assert lines and all(isolated in line for line in lines)
    # Outside the isolates, each line shows as written; each isolate stays where it was.
    outside = re.compile(f"{ISOLATE_START}[^{ISOLATE_END}]*{ISOLATE_END}")
    for line in lines:
        seen = get_display(line, base_dir="L")
        assert outside.sub("…", seen) == outside.sub("…", line)
