"""Which applied applications still wait for a permission's date (``State.waiting``): the
day's snapshots are made from the batch before the oldest of them."""

from __future__ import annotations

from datetime import date

from accessreg.provision import state as recorded
from accessreg.provision.state import ApplicationRecord, BatchRecord, ItemDates, State

TODAY = date(2026, 12, 10)


def _app(operator: str, *items: ItemDates) -> ApplicationRecord:
    return ApplicationRecord(
        id=f"0123456789ab/{operator}",
        commit="0123456789ab" * 3 + "0123",
        parent=None,
        operator=operator,
        title="",
        accepted_on=date(2026, 12, 3),
        processing_day=date(2026, 12, 16),
        kinds=("利用権限の設定申請",),
        systems=("taxis",),
        items=items,
    )


def _state(*batches: tuple[str, tuple[ApplicationRecord, ...]]) -> State:
    found = {
        f"b{n}": BatchRecord(
            id=f"b{n}",
            number=n,
            base=base,
            head=f"{n}" * 40,
            created_on=date(2026, 12, n),
            applications=apps,
            systems={},
        )
        for n, (base, apps) in enumerate(batches, start=1)
    }
    return State(batches=found)


def _user(on: date | None, system: str | None = "taxis") -> ItemDates:
    return ItemDates(subject="user", key="u@example.jp", system=system, on=on, action="add")


def test_the_oldest_batch_with_a_permission_to_come_and_its_operators() -> None:
    state = _state(
        ("a" * 40, (_app("DONEOP01", _user(TODAY)),)),  # in effect today
        ("b" * 40, (_app("LATEOP01", _user(date(2026, 12, 24))),)),
        ("c" * 40, (_app("DONEOP01", _user(None)), _app("LATEOP02", _user(date(2026, 12, 29))))),
    )
    waiting = state.waiting(TODAY)
    assert waiting is not None
    assert waiting.base == "b" * 40
    assert waiting.operators == {"LATEOP01", "LATEOP02"}
    assert waiting.until == {("taxis", "u@example.jp"): date(2026, 12, 29)}  # the later
    # On the last date, nothing waits any more.
    assert state.waiting(date(2026, 12, 29)) is None


def test_a_manual_step_or_an_item_of_no_system_does_not_wait() -> None:
    # A manual step has no date: it waits in the run that applies it only. A certificate's
    # date is the whitelists' (they read the records themselves).
    certificate = ItemDates(subject="certificate", key="EP-1", on=date(2026, 12, 24))
    state = _state(("a" * 40, (_app("TESTOP01", _user(None), certificate),)))
    assert state.waiting(TODAY) is None
    assert State().waiting(TODAY) is None


def test_the_group_records_of_an_earlier_version_are_read_and_change_nothing() -> None:
    """Versions whose directory groups came and went with their holders recorded, with a
    batch, the groups its later deltas created, deleted or changed. Every group stands
    now: a state holding them reads, waits as without them, and is written back as read."""
    state = _state(
        ("a" * 40, (_app("LATEOP01", _user(date(2026, 12, 24))),)),
        ("b" * 40, (_app("LATEOP02", _user(date(2026, 12, 29))),)),
    )
    groups = {"taxis": {"1012": date(2026, 12, 29)}, "loacus": {"03010": date(2026, 12, 29)}}
    members = {"loacus": {"suspended": date(2026, 12, 29)}}
    older = State(
        batches={
            k: b.model_copy(update={"groups": groups, "members": members})
            for k, b in state.batches.items()
        }
    )
    raw = recorded.dump(older)[recorded.STATE_FILE]
    assert b'"groups"' in raw and b'"members"' in raw
    assert recorded.load(recorded.dump(older)) == older
    assert older.waiting(TODAY) == state.waiting(TODAY) is not None


def test_a_holder_a_later_delta_moves_waits_though_its_item_is_dated_today() -> None:
    """A suspension is one item of no system, dated its day; its systems may come later
    (one waits for another batch's new member of its group). The batch records the holders
    its later deltas move: the batch waits, its operator is read on the day, and the
    holder's system waits until then; nothing is written where a batch has none."""
    suspended = ItemDates(subject="user", key="U@example.jp", system=None, on=TODAY)
    state = _state(
        ("a" * 40, (_app("DONEOP01", _user(TODAY)),)),
        ("b" * 40, (_app("LATEOP01", suspended),)),
    )
    moves = {"loacus": {"u@example.jp": date(2026, 12, 29), "gone@example.jp": TODAY}}
    later = state.batches["b2"].model_copy(update={"moves": moves})
    state = State(batches={**state.batches, "b2": later})
    waiting = state.waiting(TODAY)
    assert waiting is not None
    assert waiting.base == "b" * 40 and waiting.operators == {"LATEOP01"}
    assert waiting.until == {("loacus", "u@example.jp"): date(2026, 12, 29)}
    assert recorded.load(recorded.dump(state)) == state
    written = recorded.dump(state)[recorded.STATE_FILE]
    assert written.count(b'"moves"') == 1
    assert state.waiting(date(2026, 12, 29)) is None


def test_the_oldest_batch_waits_for_its_moves_before_a_later_batch_for_its_items() -> None:
    suspended = ItemDates(subject="user", key="u@example.jp", system=None, on=TODAY)
    state = _state(
        ("a" * 40, (_app("LATEOP01", suspended),)),
        ("b" * 40, (_app("LATEOP02", _user(date(2026, 12, 24))),)),
    )
    moves = {"juju": {"u@example.jp": date(2026, 12, 29)}}
    first = state.batches["b1"].model_copy(update={"moves": moves})
    waiting = State(batches={**state.batches, "b1": first}).waiting(TODAY)
    assert waiting is not None
    assert waiting.base == "a" * 40 and waiting.operators == {"LATEOP01", "LATEOP02"}


def test_a_code_removed_and_given_back_is_not_new_to_its_holder() -> None:
    """A held code dropped (12-29) and given back (01-19), both still to come: downstream
    holds it until the removal, so a suspension has something to stop at once; added and
    then dropped, it is new to the person, and nothing of it is there before it comes."""
    key, login = ("loacus", "u@example.jp"), "u@example.jp"

    def item(on: date, action: str, held: str | None, removed: bool = False) -> ItemDates:
        added = held is None
        return ItemDates(subject="user", key=login, system="loacus", on=on, action=action,
                         added=added, held=held, removed=removed)  # fmt: skip

    back = recorded.Coming(TODAY)
    back.take([item(date(2026, 12, 29), "change", "02011", removed=True)])
    back.take([item(date(2027, 1, 19), "change", None)])
    assert key not in back.waits.added and key not in back.waits.removed
    assert back.waits.held[key] == "02011"
    gone = recorded.Coming(TODAY)
    gone.take([item(date(2027, 1, 19), "add", None)])
    gone.take([item(date(2027, 1, 29), "change", "granted", removed=True)])
    assert key in gone.waits.added and key in gone.waits.removed
