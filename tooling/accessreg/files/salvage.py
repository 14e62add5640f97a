"""What a file that fails its schema still holds, for the rules that can judge it.

An applicant should learn every problem in one round: a user whose e-mail is misspelt may
also hold an abolished code. So a file that fails its schema is modelled anyway when what is
wrong can be set aside: an unknown or mistyped key is left out (when the model can do without
it), and a text that does not have its field's form (the misspelt e-mail) is kept as written.
A required text, list or mapping that is missing or empty (no ``name_kana``, ``roles: []``)
is set aside as empty, which no file without errors holds: a rule's finding on it is left
out as the schema error's (``validation.validate.unshadowed``), and the rules that need it
to judge the rest (the roles that allow a code) say nothing of a file whose value is empty.
A missing value of any other kind (a date, a choice) cannot be set aside: the file is not
modelled. The model is never used for anything but the rules: the file still counts as not
loaded, and ``apply`` holds it back.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Sequence
from types import UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from accessreg.model import base

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]

# A value of each pattern's form, held only while the model is built, then replaced by the
# text as written.
_STAND_INS = {
    base.OPERATOR_CODE: "XXXX",
    base.OPERATOR_KEY: "XXXX",
    base.LOGIN_ID: "x@x.x",
    base.SERIAL: "00",
    base.GITHUB_LOGIN: "x",
    base.PHONE: "000000000",
    base.HTTPS_URL: "https://x",
    base.SYSTEM_ID: "x",
    base.KANA: "カ",
    base.FILLED: "x",
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
            errors = sorted(_causes(exc.errors()), key=lambda err: err["type"] == "missing")
            if not all(_set_aside(cls, work, err, kept, dropped) for err in errors):
                return None
            continue
        for loc, value in kept:
            model = _put(model, loc, value)
        return model
    return None


def _causes(errors: Sequence[Any]) -> list[Any]:
    """Without an error that one inside its value explains: a list of one bad item is also
    too short, and setting the item's fault aside is enough."""
    locs = [tuple(err["loc"]) for err in errors]
    return [
        err
        for err, loc in zip(errors, locs, strict=True)
        if not any(len(other) > len(loc) and other[: len(loc)] == loc for other in locs)
    ]


def _set_aside(
    cls: type[BaseModel],
    data: Any,
    err: Any,
    kept: list[tuple[Loc, Any]],
    dropped: dict[Loc, Any],
) -> bool:
    loc: Loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "string_pattern_mismatch" and isinstance(err["input"], str):
        pattern = _text(err.get("ctx", {}).get("pattern"))
        stand_in = _STAND_INS.get(pattern)
        if stand_in is None:
            return False
        # An operator's key is set aside as empty: the rules tell a provisional key from a
        # code by its form, and this one has neither.
        kept.append((loc, "" if pattern == base.OPERATOR_KEY else err["input"]))
        return _assign(data, loc, stand_in)
    if kind == "string_too_short" and isinstance(err["input"], str):
        kept.append((loc, err["input"]))
        return _assign(data, loc, "x")
    if kind == "missing":
        parent = _parent(data, loc)
        if not isinstance(parent, dict):
            return False
        # name_kane for name_kana: the value the misspelt key holds stands in (not the
        # key's own value, left out as of the wrong type: `name_kana:` with nothing).
        siblings = [
            k[-1]
            for k in dropped
            if k[:-1] == loc[:-1] and isinstance(k[-1], str) and k[-1] != loc[-1]
        ]
        if guess := difflib.get_close_matches(str(loc[-1]), siblings, 1, 0.6):
            parent[loc[-1]] = dropped.pop((*loc[:-1], guess[0]))
            return True
        return _empty(cls, data, loc, kept)
    return _drop(data, loc, dropped)


def _empty(cls: type[BaseModel], data: Any, loc: Loc, kept: list[tuple[Loc, Any]]) -> bool:
    """Set a missing text, list or mapping aside as empty; a value of its form stands in
    while the model is built."""
    field = _field_at(cls, loc)
    parent = _parent(data, loc)
    kind = get_origin(field.annotation) or field.annotation if field is not None else None
    if field is None or kind not in _EMPTY or not isinstance(parent, dict):
        return False
    if kind is tuple:
        item = _example(get_args(field.annotation)[0])
        example = None if item is None else [item]
    else:
        example = _field_example(field)
    if example is None:
        return False
    parent[loc[-1]] = example
    kept.append((loc, _EMPTY[kind]))
    return True


_EMPTY: dict[Any, Any] = {str: "", tuple: (), dict: {}}


def _field_at(cls: type[BaseModel], loc: Loc) -> FieldInfo | None:
    """The field of ``cls`` that ``loc`` (a key of a model, maybe in a list item) names."""
    annotation: Any = cls
    field: FieldInfo | None = None
    for step in loc:
        annotation = _unwrapped(annotation)
        if isinstance(step, int) and get_origin(annotation) is tuple:
            annotation, field = get_args(annotation)[0], None
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(step))
            if field is None:
                return None
            annotation = field.annotation
        else:
            return None
    return field


def _text(pattern: object) -> str:
    """A pattern as the models write it: a compiled one (``base.LoginId``) by its text."""
    return pattern.pattern if isinstance(pattern, re.Pattern) else str(pattern)


def _unwrapped(annotation: Any) -> Any:
    """``X`` of ``X | None``."""
    if get_origin(annotation) in (Union, UnionType):
        kinds = [a for a in get_args(annotation) if a is not type(None)]
        return kinds[0] if len(kinds) == 1 else annotation
    return annotation


def _field_example(field: FieldInfo) -> Any:
    """A value ``field`` takes, or None when none is at hand."""
    if field.annotation is str:
        pattern = next((m.pattern for m in field.metadata if getattr(m, "pattern", None)), None)
        return _STAND_INS.get(_text(pattern)) if pattern is not None else "x"
    if field.annotation is dict or get_origin(field.annotation) is dict:
        return {}
    return _example(field.annotation)


def _example(annotation: Any) -> Any:
    """A value of ``annotation`` (a choice, or a model of such values), or None."""
    if get_origin(annotation) is Literal:
        return get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        example = {}
        for name, field in annotation.model_fields.items():
            if field.is_required():
                if (value := _field_example(field)) is None:
                    return None
                example[name] = value
        return example
    return None


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
