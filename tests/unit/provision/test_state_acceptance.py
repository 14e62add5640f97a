"""The acceptance day a state records (``ApplicationRecord.accepted_on``) is the 受付日 every
output shows: a business day (000 §5-1 ②). States recorded before kept the approval's own
day, a Sunday's too; they are read with the day their items counted from."""

from __future__ import annotations

from datetime import date
from typing import Literal

from accessreg.provision import state as recorded
from accessreg.provision.state import ApplicationRecord, BatchRecord, ItemDates, State

SUNDAY, MONDAY = date(2026, 12, 13), date(2026, 12, 14)


def _app(operator: str, *items: ItemDates) -> ApplicationRecord:
    return ApplicationRecord(
        id=f"0123456789ab/{operator}",
        commit="0123456789ab" * 3 + "0123",
        parent="f" * 40,
        operator=operator,
        title="",
        accepted_on=SUNDAY,  # as the versions before recorded an approval on a Sunday
        processing_day=date(2026, 12, 16),
        kinds=("利用権限の設定申請",),
        systems=("taxis",),
        entered_on=SUNDAY,
        merged_on=SUNDAY,
        items=items,
    )


def _item(keyed: Literal["entered", "accepted"], keyed_on: date) -> ItemDates:
    return ItemDates(
        subject="user",
        key="u@example.jp",
        system="taxis",
        on=date(2026, 12, 24),
        keyed=keyed,
        keyed_on=keyed_on,
        action="add",
    )


def _read(*apps: ApplicationRecord) -> dict[str, ApplicationRecord]:
    batch = BatchRecord(
        id="b1",
        number=1,
        base="f" * 40,
        head="0123456789ab" * 3 + "0123",
        created_on=MONDAY,
        applications=apps,
        systems={},
    )
    files = recorded.dump(State(applied=batch.head, batches={"b1": batch}))
    return {a.operator: a for _, a in recorded.load(files).applications()}


def test_an_old_record_reads_the_acceptance_day_its_items_counted_from() -> None:
    found = _read(
        _app("ADDOP001", _item("accepted", MONDAY)),
        # A change keyed on its entry says nothing of the acceptance: kept as recorded.
        _app("CHGOP001", _item("entered", SUNDAY)),
    )
    assert found["ADDOP001"].accepted_on == MONDAY
    assert found["CHGOP001"].accepted_on == SUNDAY
    # Everything else as recorded.
    assert found["ADDOP001"].items == (_item("accepted", MONDAY),)
    assert found["ADDOP001"].entered_on == SUNDAY


def test_an_occto_item_counted_from_the_approval_does_not_move_the_acceptance() -> None:
    """An item of OCCTO's system counts from the approval's own day (``Dates.accepted_for``):
    in an application touching TAXIS too, the 受付日 read is still the centre's business day
    its TAXIS items counted from, whichever item comes first."""
    occto = _item("accepted", SUNDAY).model_copy(update={"system": "switching"})
    found = _read(_app("MIXOP001", occto, _item("accepted", MONDAY)))
    assert found["MIXOP001"].accepted_on == MONDAY
