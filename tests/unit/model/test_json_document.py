"""Recorded JSON documents (the state file) are written as the standard library writes them,
byte for byte, whichever serializer writes them: an earlier version reads them, and the
state ref's history changes only where the state does."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from accessreg.model.base import json_document
from accessreg.provision import state as recorded
from accessreg.provision.state import ApplicationRecord, BatchRecord, ItemDates, State

# Every value json writes: any text (line breaks, controls, quotes, non-ASCII), integers of
# any size, floats (which json writes its own way), nested objects and arrays.
_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
_DATA = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


def _as_json_writes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


@settings(max_examples=300, deadline=None)
@given(_DATA)
def test_written_as_json_writes_it(data: Any) -> None:
    assert json_document(data) == _as_json_writes(data)


def test_integer_keys_are_written_as_json_writes_them() -> None:
    data = {"b": {2: "two", 10: "ten"}, "a": [1.5, 2**70, -(2**63), 2**63 - 1]}
    assert json_document(data) == _as_json_writes(data)


def test_the_state_file_is_written_as_json_writes_it() -> None:
    """A batch whose pull request's title holds a quote, a line break and Japanese."""
    app = ApplicationRecord(
        id="0123456789ab/AOBAGS01",
        commit="0123456789ab" * 3 + "0123",
        parent=None,
        operator="AOBAGS01",
        title='利用者の追加 "至急"\n（青葉ガス）',
        accepted_on=date(2026, 12, 3),
        processing_day=date(2026, 12, 16),
        kinds=("利用権限の設定申請",),
        systems=("taxis",),
        items=(ItemDates(subject="user", key="u@example.jp", system=None, on=None, action="add"),),
    )
    batch = BatchRecord(
        id="20261203-01234567",
        number=1,
        base=None,
        head="1" * 40,
        created_on=date(2026, 12, 3),
        applications=(app,),
        systems={},
    )
    state = State(applied="1" * 40, applied_on=date(2026, 12, 3), batches={batch.id: batch})
    written = recorded.dump(state)[recorded.STATE_FILE]
    assert written == _as_json_writes(json.loads(written))
    assert "至急" in written.decode()  # as it is, not escaped
    assert recorded.load(recorded.dump(state)) == state


def test_an_items_least_day_is_written_only_where_it_has_one() -> None:
    """``not_before`` (a manual step's certificate valid only later) is recorded where it
    says something, and the state of every other item stays as earlier versions wrote it."""
    items = (
        ItemDates(subject="certificate", key="EP-1", system=None, on=None, action="add",
                  steps=("switching",), not_before=date(2026, 12, 20)),
        ItemDates(subject="user", key="u@example.jp", system=None, on=None, action="add"),
    )  # fmt: skip
    app = ApplicationRecord(
        id="0123456789ab/AOBAGS01", commit="0" * 40, parent=None, operator="AOBAGS01",
        title="", accepted_on=date(2026, 12, 3), processing_day=None, kinds=(),
        systems=("switching",), items=items,
    )  # fmt: skip
    batch = BatchRecord(id="20261203-01234567", number=1, base=None, head="1" * 40,
                        created_on=date(2026, 12, 3), applications=(app,), systems={})  # fmt: skip
    state = State(applied="1" * 40, applied_on=date(2026, 12, 3), batches={batch.id: batch})
    written = json.loads(recorded.dump(state)[recorded.STATE_FILE])
    dated, plain = written["batches"][batch.id]["applications"][0]["items"]
    assert dated["not_before"] == "2026-12-20" and "not_before" not in plain
    assert recorded.load(recorded.dump(state)) == state
