"""The time rules' findings that no other duty tells anyone about (``rules.TIME_RULES``).

A time rule falls due as days pass over files nobody changed (a code the catalog abolished
on a date, 000 §5-4; a renewed API certificate that started beside the old one, 001 p46):
``validate`` then reports it only on the operators a change touches, so the operator would
learn of it when its next application is refused. This duty judges the time rules at the
day over the whole registry and tells each operator's window persons, in one digest, what
fell due on its files, each finding with its file, what to do (the finding's own message)
and its seed. A finding on a file of no operator (the calendar) goes to the reviewers,
who maintain those files.

The rules whose cases another duty notices, with the stages and steps of its own, are left
to it (``NOTICED_BY``). A finding is told once: its key names the rule, the file, the place
in the file and the message's values other than the day of the check (its ``today``: a
finding that restates the day each day is the same finding), so it is told again only when
it changes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from accessreg import i18n
from accessreg.model import layout
from accessreg.model.messages import Message, msg
from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry
from accessreg.outputs.csv_ import OPERATOR_CODE
from accessreg.rules import CHECKS, Context, Due, RegistryRule, run_rules
from accessreg.scheduled.duty import DutyResult, Inputs, Options, Table
from accessreg.scheduled.keyed_notices import Digest

KIND = "time-rules"

# Time rules another duty notices (the duty's name in ``scheduled.duties``): not told twice.
NOTICED_BY: dict[str, str] = {
    "certificate-expired": "expiry",
    "ip-allowlist-expired": "expiry",
    "membership-provisional": "membership",
}


def noticed_here() -> tuple[RegistryRule, ...]:
    """The time rules this duty notices: every one no other duty does."""
    return tuple(r for r in CHECKS if r.due is Due.TIME and r.id not in NOTICED_BY)


# Each level in the words of the findings' reports.
LEVEL_LABELS = {Level.ERROR: "エラー", Level.WARNING: "警告"}


@dataclass(frozen=True)
class TimeFinding:
    operator: str | None  # None: a file of no operator (the calendar)
    rule: str
    seed: str
    level: Level
    file: str  # relative to the repository: registry/…
    words: str  # what to do: the finding's message, in Japanese as the mails are
    stable: str  # the message's values but the day of the check: what changes the finding
    place: str  # the data path within the file

    @property
    def key(self) -> str:
        return f"{KIND}/{self.rule}/{self.file}/{self.place}/{self.stable}"

    @property
    def error(self) -> bool:
        return self.level is Level.ERROR

    @property
    def label(self) -> str:
        """Its level, as the mail and the table word it."""
        return LEVEL_LABELS[self.level]


def _stable(message: Message) -> str:
    values = [f"{k}={v!r}" for k, v in message.params if k != "today"]
    return hashlib.sha256("\n".join(values).encode("utf-8")).hexdigest()[:16]


def _finding(p: Problem, seeds: dict[str, str]) -> TimeFinding:
    return TimeFinding(
        layout.operator_of(p.file),
        p.rule,
        seeds[p.rule],
        p.level,
        f"{layout.REGISTRY_DIR}/{p.file}",
        i18n.text(p.message, "ja"),
        _stable(p.message),
        "/".join(map(str, p.path)),
    )


def time_findings(registry: Registry, today: date) -> list[TimeFinding]:
    """Every finding of the time rules this duty notices, at ``today``, by operator and file."""
    rules = noticed_here()
    seeds = {r.id: r.seed for r in rules}
    found = (_finding(p, seeds) for p in run_rules(rules, registry, Context(today)))
    return sorted(found, key=lambda f: (f.operator or "", f.file, f.place, f.rule))


def _notices(found: Iterable[TimeFinding]) -> list[Digest]:
    groups: dict[str | None, list[TimeFinding]] = defaultdict(list)
    for f in found:
        groups[f.operator].append(f)
    return [
        Digest(KIND, "due", "window" if op else "reviewers", op, tuple(items))
        for op, items in sorted(groups.items(), key=lambda g: g[0] or "")
    ]


# In the words of the findings' reports: 事業者コード as the import files head it.
TABLE_HEADER = (OPERATOR_CODE, "ファイル", "規則", "区分", "対応", "出典")


def time_rules(registry: Registry, today: date) -> DutyResult:
    found = time_findings(registry, today)
    rows = tuple((f.operator or "", f.file, f.rule, f.label, f.words, f.seed) for f in found)
    return DutyResult(tuple(_notices(found)), (Table(KIND, TABLE_HEADER, rows),))


# -- as a duty (scheduled.duties) -------------------------------------------------------------

NEEDS_HISTORY = False
NEEDS_EXPORT = False
TITLE = msg("rules falling due with time")
NEEDS_PULLS = False


def check(options: Options) -> None:
    """Nothing to check: the day is all it needs."""


def judge(inputs: Inputs) -> DutyResult:
    return time_rules(inputs.registry, inputs.today)
