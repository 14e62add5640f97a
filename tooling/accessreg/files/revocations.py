"""What a file with errors still revokes: the parts of it that only narrow access.

A file with an error at HEAD is held back (``provision.holding``): downstream keeps the last
version of it that loaded. A revocation must not wait for the fix — a lost certificate is
suspended first (001 p46), an overseas address, a window person who left or a termination
go out whatever else is wrong in the file. So the revocations of the version with errors are
laid over the version downstream holds, as far as that version can be read:

- an operator's certificate removed (its serial written nowhere in the file) or suspended
  (``suspended_on`` added, or an earlier day); an overseas address removed; a window person
  removed (one at least stays); a system dropped, or its use suspended; the operator
  terminated (or on an earlier day);
- a user's permission of a system removed (one at least stays: a user with none is deleted
  by deleting the file), or the ID suspended (or on an earlier day).

Nothing else is taken, and nothing that widens access. Each revocation stands on its own: a
certificate, an address, a person or a system of the version downstream holds, a date that
is a date, a reason that is text. Where the file cannot say (a list that is not a list, an
item without its key, a list left out beside a key the file should not have — a misspelt
name of that list, perhaps), it revokes nothing of that list. A file that does not parse
revokes nothing. The result must load as a file of its kind, or nothing is taken.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from accessreg.escape import unsafe_characters
from accessreg.files import schemagen, yamlsafe
from accessreg.files.loading import model_of, parse
from accessreg.files.schemacheck import checker
from accessreg.model import Operator, User, layout
from accessreg.model.base import EARLIEST_DAY, LATEST_DAY
from accessreg.model.layout import Kind
from accessreg.model.problems import Level

Data = dict[str, Any]
_Narrower = Callable[[Data, Data], Data]  # a file's kept version, narrowed by a later one
_MISSING = object()
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def revoked(rel: str, kept: bytes, broken: bytes) -> bytes | None:
    """``kept`` (a version that loads, as downstream holds it) with the revocations of
    ``broken`` (a later version, with errors) laid over it, as the file's content; None
    when ``broken`` revokes nothing that can be taken, or is no operator's or user's file."""
    read = _read(rel, kept, broken)
    if read is None:
        return None
    kind, narrow, was, now = read
    narrowed = narrow(was, now)
    if narrowed == was:
        return None
    raw = f"{layout.schema_comment(kind, rel)}\n".encode() + yamlsafe.dump(narrowed)
    model, problems = model_of(parse(rel, kind, raw, checker(schemagen.generate(kind, None))))
    if model is None or any(p.level is Level.ERROR for p in problems):
        return None
    return raw


def narrows_only(rel: str, before: bytes, after: bytes) -> bool:
    """Whether ``after`` only takes access away from ``before`` (two versions of an
    operator's or a user's file, either of them with errors): every change it makes is one
    :func:`revoked` would take from it, and it makes one at least."""
    read = _read(rel, before, after)
    if read is None:
        return False
    _, narrow, was, now = read
    if _plain(was) == _plain(now):
        return False
    return _plain(narrow(was, now)) == _plain(now)


def _read(rel: str, was: bytes, now: bytes) -> tuple[Kind, _Narrower, Data, Data] | None:
    """The kind of ``rel``, what narrows it, and its two versions as mappings; None for a
    file of no operator's or user's, or a version that is no mapping."""
    kind = layout.classify(rel)
    narrow = _NARROWERS.get(kind) if kind is not None else None
    if narrow is None or kind is None:
        return None
    try:
        old, new = yamlsafe.load(was), yamlsafe.load(now)
    except yamlsafe.YamlProblem:
        return None
    if not isinstance(old, dict) or not isinstance(new, dict):
        return None
    return kind, narrow, old, new


def revoking_operators(changed: Iterable[tuple[str, bytes | None, bytes | None]]) -> frozenset[str]:
    """The operators whose files a change only takes access away from: each of ``changed``
    is a file it touches (relative to the registry), as it was (None: new) and as it writes
    it (None: deleted); every file of theirs it writes only revokes (:func:`narrows_only`:
    an address, a window person, a suspension, a termination), whatever else it deletes.
    Like a deletion, such a change answers for no error already in their files: what it
    revokes goes out at merge even while they stand (``provision.holding``), and a
    maintainer fixes them."""
    only: dict[str, bool] = {}
    for rel, old, new in changed:
        code = layout.split(rel)[1]
        if new is None or code is None:
            continue
        only[code] = only.get(code, True) and old is not None and narrows_only(rel, old, new)
    return frozenset(code for code, revokes in only.items() if revokes)


def _plain(data: Data) -> Data:
    """``data`` without its empty lists: a list emptied and one left out say the same."""
    return {k: v for k, v in data.items() if v != []}


def _day(value: Any) -> date | None:
    """``value`` as a registry date (``YYYY-MM-DD``, within the years the tool counts)."""
    if not isinstance(value, str) or not _DAY.match(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def _earlier(kept: Any, given: Any) -> str | None:
    """``given`` where it is a date before ``kept`` (or ``kept`` has none), else None."""
    day = _day(given)
    if day is None:
        return None
    was = _day(kept)
    return given if was is None or day < was else None


@dataclass(frozen=True)
class _Listing:
    """A list of the version with errors, as far as it can be read: its items by key."""

    items: dict[str, list[Any]]
    whole: bool  # every item could be read: one missing from it is removed

    def has(self, key: str) -> bool:
        return key in self.items

    def removes(self, key: str) -> bool:
        return self.whole and key not in self.items


_UNREADABLE = _Listing({}, False)


def _listing(
    now: Data, field: str, fields: Mapping[str, Any], key: Callable[[Any], str | None]
) -> _Listing:
    """``now[field]`` by ``key`` of each item (None: an item that cannot be read). Left out,
    the list is empty, unless the file holds a key its kind does not know (the list's name
    misspelt, perhaps)."""
    value = now.get(field, _MISSING)
    if value is _MISSING:
        unknown = any(not isinstance(k, str) or k not in fields for k in now)
        return _UNREADABLE if unknown else _Listing({}, True)
    if not isinstance(value, list):
        return _UNREADABLE
    items: dict[str, list[Any]] = {}
    whole = True
    for item in value:
        found = key(item)
        if found is None:
            whole = False
        else:
            items.setdefault(found, []).append(item)
    return _Listing(items, whole)


def _field(name: str, fold: Callable[[str], str]) -> Callable[[Any], str | None]:
    """An item's key: its text field ``name``, folded as the registry compares it."""

    def key(item: Any) -> str | None:
        value = item.get(name) if isinstance(item, dict) else None
        return fold(value) if isinstance(value, str) else None

    return key


def _text(item: Any) -> str | None:
    return item.strip().lower() if isinstance(item, str) else None


def _network(text: str) -> str:
    """``203.0.113.5`` and ``203.0.113.5/32`` are one address; text that is none stays."""
    try:
        return str(ipaddress.ip_network(text.strip(), strict=False))
    except ValueError:
        return text.strip().lower()


def _unsafe(text: str) -> bool:
    """Whether ``text`` holds a character no text field may (``text-control``)."""
    return bool(unsafe_characters(text, multiline=True))


def _upper(text: str) -> str:
    return text.strip().upper()


def _lower(text: str) -> str:
    return text.strip().lower()


_OPERATOR_FIELDS = Operator.model_fields
_USER_FIELDS = User.model_fields


def _operator(was: Data, now: Data) -> Data:
    out = dict(was)
    serials = _kept(out, now, "certificates", _field("serial", _upper))
    if serials is not None:
        out["certificates"] = [_suspended(cert, serials) for cert in out["certificates"]]
    _kept(out, now, "ip_allowlist", _field("cidr", _network))
    if _kept(out, now, "contacts", _field("email", _lower)) is not None and not out["contacts"]:
        out["contacts"] = was["contacts"]  # a file names one window person at least
    _kept(out, now, "systems", _text)
    _suspensions(out, now)
    if now.get("status") == "terminated":
        on = _earlier(was.get("terminated_on"), now.get("terminated_on"))
        if on is not None:
            out["status"], out["terminated_on"] = "terminated", on
    return out


def _kept(out: Data, now: Data, field: str, key: Callable[[Any], str | None]) -> _Listing | None:
    """``out[field]`` without the items ``now`` leaves out (each known by ``key``; one
    that cannot be is kept), and ``now``'s listing; None when ``out`` has no such list."""
    items = out.get(field)
    if not isinstance(items, list):
        return None
    listing = _listing(now, field, _OPERATOR_FIELDS, key)
    out[field] = [item for item in items if (k := key(item)) is None or not listing.removes(k)]
    return listing


def _suspended(cert: Any, listing: _Listing) -> Any:
    """``cert`` suspended from the earliest day ``listing``'s items of its serial give
    before the one it has (or with none)."""
    serial = _field("serial", _upper)(cert)
    if serial is None:
        return cert
    days = [
        on
        for item in listing.items.get(serial, [])
        if (on := _earlier(cert.get("suspended_on"), item.get("suspended_on"))) is not None
    ]
    return {**cert, "suspended_on": min(days)} if days else cert


def _suspensions(out: Data, now: Data) -> None:
    """A system's use suspended, or from a day before the one kept: for a system the
    operator still has, with a reason."""
    kept = out.get("suspensions", [])
    systems = out.get("systems")
    if not isinstance(kept, list) or not isinstance(systems, list):
        return
    listing = _listing(now, "suspensions", _OPERATOR_FIELDS, _field("system", _lower))
    found = list(kept)
    at = {k: i for i, s in enumerate(found) if (k := _field("system", _lower)(s)) is not None}
    for system in (s for s in systems if isinstance(s, str)):
        for item in listing.items.get(system, []):
            was = found[at[system]] if system in at else None
            on = _earlier(was.get("suspended_on") if was else None, item.get("suspended_on"))
            reason = item.get("reason")
            if on is None:
                continue
            if was is not None:
                found[at[system]] = {**was, "suspended_on": on}
            elif isinstance(reason, str) and reason.strip() and not _unsafe(reason):
                at[system] = len(found)
                found.append({"system": system, "suspended_on": on, "reason": reason})
    if found != kept:
        out["suspensions"] = found


def _user(was: Data, now: Data) -> Data:
    out = dict(was)
    held, given = was.get("permissions"), now.get("permissions")
    if isinstance(held, dict) and isinstance(given, dict):
        named = {_lower(k) for k in given if isinstance(k, str)}
        staying = {s: code for s, code in held.items() if s in named}
        if staying:  # a user holds one permission at least; none: the file is deleted
            out["permissions"] = staying
    on = _earlier(was.get("suspended_on"), now.get("suspended_on"))
    if on is not None:
        out["suspended_on"] = on
    return out


_NARROWERS: dict[Kind, _Narrower] = {Kind.OPERATOR: _operator, Kind.USER: _user}
