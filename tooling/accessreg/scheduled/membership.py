"""Provisional OCCTO members nearing their deadline (003 §2.7.2 ④).

OCCTO may cancel the use of its member system, without notice, when the full membership
application has not followed the provisional one within a year. The registry counts as the
validator's ``membership-provisional`` rule does: once 11 months have passed since
``provisional_since`` the operator's window persons get a reminder; once the year has passed
the operator is listed for the reviewers as due for termination.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accessreg.model.messages import msg
from accessreg.model.registry import Registry
from accessreg.outputs.csv_ import OPERATOR_CODE, OPERATOR_NAME
from accessreg.scheduled.duty import DutyResult, Inputs, Options, Table
from accessreg.scheduled.keyed_notices import Digest
from accessreg.timeline.periods import (
    PROVISIONAL_REMINDER_MONTHS,
    PROVISIONAL_YEARS,
    months_later,
    provisional_deadline,
)

# The periods as the mails state them, from the numbers the count uses.
_PERIODS = (("reminder_months", PROVISIONAL_REMINDER_MONTHS), ("years", PROVISIONAL_YEARS))


@dataclass(frozen=True)
class ProvisionalDue:
    operator: str
    name: str
    since: date
    deadline: date  # the full application is due by this day
    stage: str  # "reminder" or "termination"

    @property
    def key(self) -> str:
        return f"membership/{self.operator}/{self.since}/{self.stage}"


def provisional_due(registry: Registry, today: date) -> list[ProvisionalDue]:
    found = []
    for entry in registry.iter_operators():
        op = entry.operator
        m = op.membership
        if op.status != "active" or m is None or m.status != "provisional":
            continue
        if m.provisional_since is None:
            continue
        deadline = provisional_deadline(m.provisional_since)  # as the validator counts it
        if today > deadline:
            stage = "termination"
        elif today > months_later(m.provisional_since, PROVISIONAL_REMINDER_MONTHS):
            stage = "reminder"
        else:
            continue
        found.append(ProvisionalDue(op.code, op.name, m.provisional_since, deadline, stage))
    return found


# In the words of 003 §2.2 and §2.7.2 ④: the provisional application, the full one it awaits.
TABLE_HEADER = (OPERATOR_CODE, OPERATOR_NAME, "加入仮申請日", "本申請の期限", "段階")
# The values of 段階: the window persons are asked for the full application, or the operator
# is listed as one OCCTO may cancel the use of.
STAGE_LABELS = {"reminder": "本申請のお願い", "termination": "解除の対象"}


def membership(registry: Registry, today: date) -> DutyResult:
    due = provisional_due(registry, today)
    notices = [
        Digest("membership-reminder", d.stage, "window", d.operator, (d,), context=_PERIODS)
        for d in due
        if d.stage == "reminder"
    ]
    overdue = tuple(d for d in due if d.stage == "termination")
    if overdue:
        notices.append(
            Digest(
                "membership-termination", "termination", "reviewers", None, overdue,
                context=_PERIODS,
            )
        )  # fmt: skip
    rows = tuple(
        (d.operator, d.name, d.since.isoformat(), d.deadline.isoformat(), STAGE_LABELS[d.stage])
        for d in due
    )
    return DutyResult(tuple(notices), (Table("membership", TABLE_HEADER, rows),))


# -- as a duty (scheduled.duties) -------------------------------------------------------------

NEEDS_HISTORY = False
NEEDS_EXPORT = False
TITLE = msg("provisional OCCTO members")
NEEDS_PULLS = False


def check(options: Options) -> None:
    """Nothing to check: the day is all it needs."""


def judge(inputs: Inputs) -> DutyResult:
    return membership(inputs.registry, inputs.today)
