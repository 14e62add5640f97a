"""How a plan's items are described in words, shared by the markdown and text renderers."""

from __future__ import annotations

from accessreg.plan.model import (
    AllowedIpChange,
    CertificateChange,
    Direction,
    Effect,
    FieldChange,
    Item,
    OperatorChange,
    Plan,
    SubcontractorChange,
    UserChange,
    WindowPersonChange,
)
from accessreg.timeline.effective import EVENTS, Effective

SUBJECT_LABELS = {
    "operator": "operator",
    "user": "user",
    "window_person": "window person",
    "subcontractor": "subcontractor",
    "certificate": "certificate",
    "allowed_ip": "overseas IP",
}
_OPERATOR_ACTIONS = {"add": "registered", "change": "changed", "remove": "terminated"}
_ACTIONS = {"add": "added", "change": "changed", "remove": "removed"}
DIRECTION_MARKS = {Direction.GRANT: "+", Direction.REVOKE: "-", Direction.NEUTRAL: "~"}


def action_word(item: Item) -> str:
    table = _OPERATOR_ACTIONS if isinstance(item, OperatorChange) else _ACTIONS
    return table[item.action]


_EVENT_WORDS = {"entered": "entry", "accepted": "acceptance", "merged": "merge"}


def events_text(plan: Plan, bold: str = "") -> str:
    """Which events the dates assume: those known, and those standing in until they happen
    ("assuming acceptance on 2026-12-15")."""
    events = plan.events
    parts = []
    for event in EVENTS:
        day = f"{bold}{events.of(event).isoformat()}{bold}"
        word = _EVENT_WORDS[event]
        parts.append(f"assuming {word} on {day}" if event in events.assumed else f"{word} on {day}")
    accepted = ""
    if plan.accepted != events.accepted:
        accepted = f" (counted as {plan.accepted.isoformat()}, a business day)"
    return (
        "Dates: "
        + ", ".join(parts)
        + accepted
        + f" · processing day M {bold}{plan.processing_day.isoformat()}{bold}"
    )


def effective_text(effective: Effective | None) -> str:
    if effective is None or effective.start is None:
        return "on completion (no schedule in the catalog)"
    if effective.on is None:
        return "after the system operator's manual step"
    if effective.start == "processing_day" and effective.processing_day is not None:
        return f"{effective.on.isoformat()} (M = {effective.processing_day.isoformat()})"
    return effective.on.isoformat()


def value_text(value: str | None) -> str:
    return "(none)" if value is None else value


def effect_text(effect: Effect) -> str:
    return f"{effect.system} {value_text(effect.old)} → {value_text(effect.new)}"


def field_text(change: FieldChange) -> str:
    if change.personal:
        return f"{change.field} changed"
    return f"{change.field} {value_text(change.old)} → {value_text(change.new)}"


def subject_text(item: Item) -> str:
    """What the item is about, in one line (a name and an e-mail at most)."""
    if isinstance(item, UserChange | WindowPersonChange):
        return f"{item.person.name} <{item.person.email}>"
    if isinstance(item, OperatorChange | SubcontractorChange):
        return f"{item.code} {item.name}"
    if isinstance(item, CertificateChange):
        return f"{item.id} (CN {item.cn}, serial {item.serial}, until {item.not_after})"
    if isinstance(item, AllowedIpChange):
        return f"{item.cidr} (until {item.expires_on})"
    return item.key


def detail_texts(item: Item) -> list[str]:
    """The item's changes: who it is, permissions with their dates, fields, its own date."""
    parts = []
    if isinstance(item, UserChange):
        parts.append(f"affiliation {item.affiliation}")
    if isinstance(item, WindowPersonChange):
        parts.append(f"{item.role}, GitHub {item.github}")
    parts.extend(f"{effect_text(e)}: {effective_text(e.effective)}" for e in item.effects)
    parts.extend(field_text(f) for f in item.fields)
    if isinstance(item, OperatorChange) and item.ending_users:
        parts.append(f"access ends for {len(item.ending_users)} user(s)")
    if not item.effects and not isinstance(item, UserChange):
        parts.append(f"effective {effective_text(item.effective)}")
    return parts
