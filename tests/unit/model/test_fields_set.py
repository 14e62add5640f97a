"""Models with the same fields given share one set of their names (a registry holds
200,000 users), and a model that changes gets a set of its own."""

from __future__ import annotations

import pickle
import pickletools
from typing import Any

import pytest

from accessreg.model import User

GIVEN: dict[str, Any] = {
    "name": "試験 花子",
    "name_kana": "シケン ハナコ",
    "email": "hanako@test-gas.example.co.jp",
    "affiliation": "TESTOP01",
    "permissions": {"taxis": "1010"},
}


def test_users_given_the_same_fields_share_their_names() -> None:
    one, two = User.model_validate(GIVEN), User.model_validate({**GIVEN, "name": "試験 太郎"})
    memo = User.model_validate({**GIVEN, "memo": "異動予定"})
    assert one.model_fields_set is two.model_fields_set
    assert memo.model_fields_set == {*GIVEN, "memo"}
    back = pickle.loads(pickle.dumps(one))  # as the cache gives them back
    assert back == one and back.model_fields_set is one.model_fields_set


def test_a_copy_with_changes_has_a_set_of_its_own() -> None:
    one, two = User.model_validate(GIVEN), User.model_validate(GIVEN)
    changed = one.model_copy(update={"memo": "変更"})
    assert changed.model_fields_set == {*GIVEN, "memo"}
    assert one.model_fields_set == two.model_fields_set == set(GIVEN)
    assert one.model_dump(exclude_unset=True) == GIVEN
    with pytest.raises(ValueError, match="frozen"):
        one.memo = "変更"  # type: ignore[misc]
    assert one.model_fields_set == set(GIVEN)


def test_models_pickled_together_carry_their_names_once() -> None:
    """A worker's slice of the registry goes to the main process as one pickle: the users
    given the same fields carry one frozen set of them, read back as the shared set; a
    copy with a set of its own carries that one."""
    users = [User.model_validate({**GIVEN, "name": f"試験 {n}"}) for n in range(50)]
    changed = users[0].model_copy(update={"memo": "変更"})
    data = pickle.dumps([*users, changed], protocol=pickle.HIGHEST_PROTOCOL)
    frozen_sets = [op for op, _, _ in pickletools.genops(data) if op.name == "FROZENSET"]
    assert len(frozen_sets) == 2  # the users' one, the copy's own
    back = pickle.loads(data)
    assert back == [*users, changed]
    assert all(u.model_fields_set is users[0].model_fields_set for u in back[:-1])
    assert back[-1].model_fields_set == {*GIVEN, "memo"}
