"""The plan as JSON: every item, dates as ISO dates (YYYY-MM-DD), no source models.

This is the complete form (the markdown is capped). It is kept as a workflow artifact, so
it carries what a reviewer needs and no more: names and e-mails of the people concerned,
codes and dates; personal field values (kana, phone, memo, certificate holder) are withheld
from the items. The notes (what to check, what to look at twice) are in the run's language;
a new certificate's note names its location and holder, which the reviewer must judge.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from enum import Enum
from typing import Any

from accessreg import i18n
from accessreg.escape import terminal
from accessreg.plan.attention import mass_removal
from accessreg.plan.model import FieldChange, Item, MassRemoval, OperatorPlan, Plan
from accessreg.timeline.effective import EVENTS, Effective

# 2: ``processing_day`` is the first of ``processing_days`` (in 1 it was the acceptance's
# M, which a change keyed on its entry may not fall into). 3: none for an application no M
# batch processes (a deletion, a usage application, an overseas address), which in 2 kept
# its acceptance's M. 4: a narrowing's ``direction`` is ``narrow`` (in 3, ``revoke``).
FORMAT = "accessreg-plan/4"


def _effective(effective: Effective | None) -> dict[str, Any] | None:
    if effective is None:
        return None
    return {
        "on": effective.on.isoformat() if effective.on else None,
        "start": effective.start,
        "processing_day": effective.processing_day.isoformat()
        if effective.processing_day
        else None,
        "key": effective.key,
        "keyed_on": effective.keyed_on.isoformat() if effective.keyed_on else None,
        "waits": effective.waits,
    }


def _field(change: FieldChange) -> dict[str, Any]:
    if change.personal:
        return {"field": change.field, "personal": True}
    return {"field": change.field, "old": change.old, "new": change.new}


def _value(value: Any) -> Any:
    if isinstance(value, Effective):
        return _effective(value)
    if isinstance(value, FieldChange):
        return _field(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _object(value)
    if isinstance(value, tuple | list):
        return [_value(v) for v in value]
    return value


def _object(obj: Any) -> dict[str, Any]:
    return {
        f.name: _value(getattr(obj, f.name))
        for f in dataclasses.fields(obj)
        if f.metadata.get("render", True)
    }


def item_dict(item: Item, op: OperatorPlan) -> dict[str, Any]:
    out = {"subject": item.subject, "key": item.key, **_object(item)}
    # As the 受付 mail titles the application (``OperatorPlan.label_of``).
    out["application_label"] = op.label_of(item.application)
    return out


def operator_dict(op: OperatorPlan) -> dict[str, Any]:
    return {
        "code": op.code,
        "name": op.name,
        "counts": {app.value: n for app, n in op.counts.items()},
        # The seed sections each application cites (``OperatorPlan.citations``).
        "citations": {app.value: op.citations.get(app, "") for app in op.counts},
        "items": [item_dict(i, op) for i in op.items],
    }


def mass_removal_dict(found: MassRemoval | None) -> dict[str, Any] | None:
    """The login IDs the change removes, when the merge's run would refuse them."""
    if found is None:
        return None
    return {
        **found.removal.counts(),
        "share": round(found.removal.share, 4),
        "max_share": found.max_share,
        "operators": list(found.operators),
        "paths": [terminal(p) for p in found.paths],
        "message": terminal(i18n.text(mass_removal(found))),
    }


def plan_dict(plan: Plan) -> dict[str, Any]:
    days = [d.isoformat() for d in plan.processing_days]
    return {
        "format": FORMAT,
        "revisions": _value(plan.revisions),
        "events": {e: plan.events.of(e).isoformat() for e in EVENTS},
        "assumed": list(plan.events.assumed),
        "accepted": plan.accepted.isoformat(),
        "processing_day": days[0] if days else None,
        "processing_days": days,
        "revoke_only": plan.revoke_only,
        # Merged, the provisioning run refuses it and all after it until a maintainer allows.
        "mass_removal": mass_removal_dict(plan.mass_removal),
        "counts": {app.value: n for app, n in plan.counts.items()},
        "operators": [operator_dict(op) for op in plan.operators],
        # Other pull requests' applications, held back on main, that the merge releases.
        "released": [operator_dict(op) for op in plan.released],
        "notes": [
            {
                "operator": n.operator,
                "application": n.application.value,
                "kind": n.kind,
                "subject": n.subject,
                "message": terminal(i18n.text(n.message)),
            }
            for n in plan.notes
        ],
        # Paths as the text shows them: a name that is not UTF-8 has no JSON string.
        "other_paths": [terminal(p) for p in plan.other_paths],
        "unreadable": [terminal(p) for p in plan.unreadable],
        "revoking": [terminal(p) for p in plan.revoking],
    }


def render(plan: Plan, extra: dict[str, Any] | None = None) -> str:
    """The JSON document; ``extra`` adds top-level keys (e.g. an authorization decision)."""
    return json.dumps({**plan_dict(plan), **(extra or {})}, ensure_ascii=False, indent=2) + "\n"
