"""Two copies of the state that both moved: the outbox only grows, so they merge into the
union; provisioning's own record may have changed on one side only."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from accessreg.effects.outbox import IN_FLIGHT_FILE, OUTBOX_FILE, Outbox
from accessreg.effects.session import STATE_MERGE
from accessreg.errors import ConfigError


def _sent(*ids: str) -> bytes:
    entry = {"kind": "accepted", "application": "a/B", "to": "w@x.example.jp"}
    return json.dumps({i: {**entry, "sent_at": "2026-12-03T00:00:00Z"} for i in ids}).encode()


def _held(*ids: str) -> bytes:
    entry = {"kind": "accepted", "application": "a/B", "to": "w@x.example.jp", "covers": []}
    return json.dumps(
        {i: {**entry, "since": "2026-12-03T00:00:00Z", "message": "Subject: x\r\n"} for i in ids}
    ).encode()


def test_every_mail_either_side_sent_stays_sent() -> None:
    base = {"state.json": b"1", OUTBOX_FILE: _sent("<a>")}
    ours = {"state.json": b"2", OUTBOX_FILE: _sent("<a>", "<b>"), IN_FLIGHT_FILE: _held("<c>")}
    theirs = {"state.json": b"1", OUTBOX_FILE: _sent("<a>", "<c>"), IN_FLIGHT_FILE: _held("<d>")}
    merged = STATE_MERGE(base, ours, theirs)
    assert sorted(json.loads(merged[OUTBOX_FILE])) == ["<a>", "<b>", "<c>"]
    assert sorted(json.loads(merged[IN_FLIGHT_FILE])) == ["<d>"]  # <c> was sent after all
    assert merged["state.json"] == b"2"  # changed here only


def test_a_record_both_sides_changed_is_refused() -> None:
    base = {"state.json": b"1", OUTBOX_FILE: _sent()}
    with pytest.raises(ConfigError, match=r"state\.json of the state changed here and on the"):
        STATE_MERGE(base, {**base, "state.json": b"2"}, {**base, "state.json": b"3"})


def test_the_outbox_is_written_as_json_dumps_writes_it() -> None:
    """Written member by member (it is rewritten after every mail), yet byte for byte what
    ``json.dumps(indent=2, sort_keys=True)`` gives, so that the state's history diffs well."""
    files = {OUTBOX_FILE: _sent("<b>", "<a>"), IN_FLIGHT_FILE: _held("<c>")}
    outbox = Outbox(files)
    written = outbox.mark_sent("<c>", datetime(2026, 12, 3, 9, 30, tzinfo=UTC))[OUTBOX_FILE]
    expected = json.dumps(
        {**json.loads(files[OUTBOX_FILE]), "<c>": {"application": "a/B", "kind": "accepted",
         "sent_at": "2026-12-03T09:30:00Z", "to": "w@x.example.jp"}},
        ensure_ascii=False, indent=2, sort_keys=True,
    ) + "\n"  # fmt: skip
    assert written == expected.encode()
