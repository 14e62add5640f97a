"""A system user (システム利用者, a natural person), one file each (000 §5-1)."""

from __future__ import annotations

from pydantic import Field

from accessreg.model.base import FILLED, KANA, OPERATOR_KEY, Day, Frozen, LoginId


class User(Frozen):
    email: LoginId = Field(description="The login ID, as the person writes it.")
    name: str = Field(min_length=1, pattern=FILLED, description="Name in kanji.")
    name_kana: str = Field(pattern=KANA)
    affiliation: str = Field(
        pattern=OPERATOR_KEY, description="The operator's code or a declared subcontractor's."
    )
    permissions: dict[str, str] = Field(description="System id → permission code.")
    memo: str | None = None
    suspended_on: Day | None = Field(
        default=None,
        description="The ID is suspended (not deleted) from this day, on loss, theft or "
        "misuse (001 p46, 002 §3.4.4); removing the field restores it without a new "
        "application.",
    )
