"""A holder of the test operator, as ``effective_access`` makes them, for the tests of what
is rendered from one."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from accessreg.outputs.access import Holder

HOLDER = Holder(
    login="u1@example.co.jp", email="U1@example.co.jp", operator="TESTOP01",
    operator_name="テストガス", affiliation="TESTOP01", affiliation_name="テストガス",
    name="試験 太郎", name_kana="シケン タロウ", memo="", window_person=False,
    permissions={"taxis": "1011"}, file="users/TESTOP01/u1.yaml",
)  # fmt: skip


def holder(**over: Any) -> Holder:
    """``HOLDER`` with the fields ``over`` names."""
    return replace(HOLDER, **over)
