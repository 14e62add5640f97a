"""What a file that fails its schema still holds, for the rules that can judge it.

An applicant should learn every problem in one round: a user whose e-mail is misspelt may
also hold an abolished code. So a file that fails its schema is modelled anyway when what is
wrong can be set aside: an unknown or mistyped key is left out (when the model can do without
it), and a text that does not have its field's form (the misspelt e-mail) is kept as written.
The model is never used for anything but the rules: the file still counts as not loaded.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from accessreg.model import base

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]

# A value of each pattern's form, held only while the model is built, then replaced by the
# text as written.
_STAND_INS = {
    base.OPERATOR_CODE: "XXXX",
    base.LOGIN_ID: "x@x.x",
    base.SERIAL: "00",
    base.GITHUB_LOGIN: "x",
    base.PHONE: "000000000",
    base.HTTPS_URL: "https://x",
    base.SYSTEM_ID: "x",
    base.KANA: "カ",
    base.CERTIFICATE_ID: "x",
    base.CIDR: "0",
}
_ROUNDS = 6


def salvage(cls: type[M], data: Any) -> M | None:
    """A model of ``data`` with its faults set aside, or None when they cannot be."""
    work = copy.deepcopy(data)
    kept: list[tuple[Loc, Any]] = []
    dropped: dict[Loc, Any] = {}
    for _ in range(_ROUNDS):
        try:
            model = cls.model_validate(work)
        except ValidationError as exc:
            # Missing keys last: a misspelt key left out in this round may stand for one.
            errors = sorted(exc.errors(), key=lambda err: err["type"] == "missing")
            if not all(_set_aside(work, err, kept, dropped) for err in errors):
                return None
            continue
        for loc, value in kept:
            model = _put(model, loc, value)
        return model
    return None


def _set_aside(data: Any, err: Any, kept: list[tuple[Loc, Any]], dropped: dict[Loc, Any]) -> bool:
    loc: Loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "string_pattern_mismatch" and isinstance(err["input"], str):
        stand_in = _STAND_INS.get(str(err.get("ctx", {}).get("pattern")))
        if stand_in is None:
            return False
        kept.append((loc, err["input"]))
        return _assign(data, loc, stand_in)
    if kind == "string_too_short" and isinstance(err["input"], str):
        kept.append((loc, err["input"]))
        return _assign(data, loc, "x")
    if kind == "missing":
        # name_kane for name_kana: the value the misspelt key holds stands in.
        siblings = [k[-1] for k in dropped if k[:-1] == loc[:-1] and isinstance(k[-1], str)]
        guess = difflib.get_close_matches(str(loc[-1]), siblings, 1, 0.6)
        parent = _parent(data, loc)
        if not guess or not isinstance(parent, dict):
            return False
        parent[loc[-1]] = dropped.pop((*loc[:-1], guess[0]))
        return True
    return _drop(data, loc, dropped)


def _parent(data: Any, loc: Sequence[str | int]) -> Any:
    node = data
    for step in loc[:-1]:
        if isinstance(node, dict):
            if step not in node:
                return None
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return None
    return node


def _assign(data: Any, loc: Loc, value: Any) -> bool:
    parent = _parent(data, loc)
    if isinstance(parent, dict) and loc and loc[-1] in parent:
        parent[loc[-1]] = value
        return True
    if isinstance(parent, list) and loc and isinstance(loc[-1], int):
        parent[loc[-1]] = value
        return True
    return False


def _drop(data: Any, loc: Loc, dropped: dict[Loc, Any]) -> bool:
    """Leave a key out; a list item cannot be (the items after it would move)."""
    parent = _parent(data, loc)
    if isinstance(parent, dict) and loc and loc[-1] in parent:
        dropped[loc] = parent.pop(loc[-1])
        return True
    return False


def _put(obj: Any, loc: Loc, value: Any) -> Any:
    if not loc:
        return value
    head, rest = loc[0], loc[1:]
    if isinstance(obj, BaseModel) and isinstance(head, str):
        return obj.model_copy(update={head: _put(getattr(obj, head), rest, value)})
    if isinstance(obj, tuple | list) and isinstance(head, int):
        items = list(obj)
        items[head] = _put(items[head], rest, value)
        return type(obj)(items)
    if isinstance(obj, dict):
        return {**obj, head: _put(obj[head], rest, value)}
    return obj
