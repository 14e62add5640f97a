"""Two copies of the state that both moved: the outbox only grows, so they merge into the
union; provisioning's own record may have changed on one side only."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from accessreg.effects.outbox import IN_FLIGHT_FILE, OUTBOX_FILE, Outbox, part_of
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


def _parts(*ids: str) -> dict[str, bytes]:
    """The outbox's files holding ``ids`` as sent."""
    by_part: dict[str, list[str]] = {}
    for i in ids:
        by_part.setdefault(part_of(i), []).append(i)
    return {part: _sent(*held) for part, held in by_part.items()}


def _sent_in(files: dict[str, bytes]) -> list[str]:
    return sorted(k for name, data in files.items() if name != IN_FLIGHT_FILE
                  and name.startswith("outbox") for k in json.loads(data))  # fmt: skip


@pytest.mark.parametrize("whole", [False, True], ids=["parts", "a state before the parts"])
def test_every_mail_either_side_sent_stays_sent(whole: bool) -> None:
    def outbox(*ids: str) -> dict[str, bytes]:
        return {OUTBOX_FILE: _sent(*ids)} if whole else _parts(*ids)

    base = {"state.json": b"1", **outbox("<a>")}
    ours = {"state.json": b"2", **outbox("<a>", "<b>"), IN_FLIGHT_FILE: _held("<c>")}
    theirs = {"state.json": b"1", **_parts("<a>", "<c>"), IN_FLIGHT_FILE: _held("<d>")}
    merged = STATE_MERGE(base, ours, theirs)
    assert _sent_in(merged) == ["<a>", "<b>", "<c>"]
    assert OUTBOX_FILE not in merged  # merged into parts
    assert sorted(json.loads(merged[IN_FLIGHT_FILE])) == ["<d>"]  # <c> was sent after all
    assert merged["state.json"] == b"2"  # changed here only


def test_a_record_both_sides_changed_is_refused() -> None:
    base = {"state.json": b"1", OUTBOX_FILE: _sent()}
    with pytest.raises(ConfigError, match=r"state\.json of the state changed here and on the"):
        STATE_MERGE(base, {**base, "state.json": b"2"}, {**base, "state.json": b"3"})


def test_the_outbox_is_written_as_json_dumps_writes_it() -> None:
    """Written member by member (a part is rewritten after every mail), yet byte for byte
    what ``json.dumps(indent=2, sort_keys=True)`` gives, so that the state's history diffs
    well; a mail rewrites its own part and nothing else of what was sent."""
    ids = [f"<m{n}@x.example.jp>" for n in range(40)]
    files = {**_parts(*ids), IN_FLIGHT_FILE: _held("<c>")}
    outbox = Outbox(files)
    written = outbox.mark_sent("<c>", datetime(2026, 12, 3, 9, 30, tzinfo=UTC))
    part = part_of("<c>")
    assert set(written) == {part, IN_FLIGHT_FILE}
    expected = json.dumps(
        {**json.loads(files.get(part, b"{}")), "<c>": {"application": "a/B",
         "kind": "accepted", "sent_at": "2026-12-03T09:30:00Z", "to": "w@x.example.jp"}},
        ensure_ascii=False, indent=2, sort_keys=True,
    ) + "\n"  # fmt: skip
    assert written[part] == expected.encode()


def test_a_state_before_the_parts_is_read_whole_and_written_in_parts() -> None:
    """The outbox of a state written before the parts is read as it is; the first mail
    sent writes it in parts, and the whole file goes."""
    ids = [f"<m{n}@x.example.jp>" for n in range(40)]
    files = {OUTBOX_FILE: _sent(*ids), IN_FLIGHT_FILE: _held("<c>", "<d>")}
    outbox = Outbox(files)
    assert all(outbox.status(i) is not None for i in ids)
    written = outbox.mark_sent("<c>", datetime(2026, 12, 3, 9, 30, tzinfo=UTC))
    assert written[OUTBOX_FILE] is None
    parts = {k: v for k, v in written.items() if k.startswith("outbox-") and v is not None}
    assert _sent_in(parts) == sorted([*ids, "<c>"])
    assert len(parts) > 1 and all(part_of(k) == name for name in parts
                                  for k in json.loads(parts[name]))  # fmt: skip
    # From then on a mail writes its own part only.
    later = outbox.mark_sent("<d>", datetime(2026, 12, 3, 9, 31, tzinfo=UTC))
    assert set(later) == {part_of("<d>"), IN_FLIGHT_FILE}
