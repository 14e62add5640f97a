"""The overseas-access IP allowlist of an operator (000 §2-8)."""

from __future__ import annotations

import ipaddress
from datetime import date

from accessreg.edit import targets, yamldoc
from accessreg.edit.draft import BadValueError, Draft, EditRefused
from accessreg.edit.operators import OPERATOR_FIELDS
from accessreg.model import layout
from accessreg.model.messages import msg

ENTRY_FIELDS = ("cidr", "reason", "expires_on")


def _normal(cidr: str) -> str:
    """``203.0.113.5`` and ``203.0.113.5/32`` are the same entry; keep what does not parse."""
    try:
        return str(ipaddress.ip_network(cidr.strip(), strict=True))
    except ValueError:
        return cidr.strip()  # the ip-allowlist-address rule says why


def _find(entries: list[object], cidr: str) -> int | None:
    for i, e in enumerate(entries):
        if isinstance(e, dict) and _normal(str(e.get("cidr", ""))) == cidr:
            return i
    return None


def add(draft: Draft, code: str, cidr: str, reason: str, expires_on: date) -> None:
    """Allow a fixed global IP; an entry already there is renewed with the new reason and date."""
    targets.operator(draft, code)
    cidr = _normal(cidr)
    rel = layout.operator_file(code)
    doc = draft.document(rel)
    entries = yamldoc.seq_at(doc, "ip_allowlist", OPERATOR_FIELDS)
    i = _find(entries, cidr)
    if expires_on < draft.today:
        # The registry only warns about an entry that lapsed with time (ip-allowlist-expired);
        # one written already lapsed is a mistake of this application, told beside what the
        # validation of the entry finds (a malformed address), as every mistake is at once.
        past = BadValueError(
            msg(
                "The expiry date {day} is before today ({today}): give an expiry date of "
                "today ({today}) or later",
                day=expires_on,
                today=draft.today,
            )
        )
        at = len(entries) if i is None else i
        draft.mistaken(rel, "ip-allowlist-expired", past, ("ip_allowlist", at, "expires_on"))
    if i is not None:
        entries[i]["reason"] = yamldoc.value(reason)
        entries[i]["expires_on"] = expires_on
        draft.note(
            msg(
                "overseas IP renewal: {code}: {cidr} until {end}",
                code=code,
                cidr=cidr,
                end=expires_on,
            )
        )
        return
    entries.append(yamldoc.mapping(zip(ENTRY_FIELDS, (cidr, reason, expires_on), strict=True)))
    draft.note(
        msg("new overseas IP: {code}: {cidr} until {end}", code=code, cidr=cidr, end=expires_on)
    )


def remove(draft: Draft, code: str, cidr: str) -> None:
    """Take an address off the allowlist: nothing else in the file holds it back."""
    code = targets.revoking_from(draft, code, edits=True)
    cidr = _normal(cidr)
    doc = draft.document(layout.operator_file(code))
    entries = yamldoc.seq_at(doc, "ip_allowlist", OPERATOR_FIELDS)
    i = _find(entries, cidr)
    if i is None:
        allowed = tuple(str(e.get("cidr", "")) for e in entries if isinstance(e, dict))
        raise EditRefused(
            msg(
                "{cidr} is not allowed for {code} (allowed: {allowed}): check the address",
                cidr=cidr,
                code=code,
                allowed=allowed,
            )
            if allowed
            else msg(
                "{cidr} is not allowed for {code}: no overseas address is allowed for it, so "
                "there is none to remove",
                cidr=cidr,
                code=code,
            )
        )
    del entries[i]
    if not entries:
        del doc["ip_allowlist"]
    draft.note(msg("overseas IP removal: {code}: {cidr}", code=code, cidr=cidr))
