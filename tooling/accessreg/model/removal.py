"""How much a change takes away, and when that is more than a change should: the rule of the
merge's removal rail (``provision.safety``), read also by the plan, which warns of it before
the merge (``plan.attention``)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from accessreg.model.messages import Param

DEFAULT_MAX_REMOVAL_SHARE = 0.25


@dataclass(frozen=True)
class Removal:
    before: int  # at the applied revision: login IDs with a permission, or whitelist entries
    after: int
    removed: int

    @property
    def share(self) -> float:
        return self.removed / self.before if self.before else 0.0

    def counts(self) -> dict[str, Param]:
        """As the report words it: before → after (removed)."""
        return {"before": self.before, "after": self.after, "removed": self.removed}

    def trips(self, max_share: float) -> bool:
        """Whether the rail holds this removal back at ``max_share`` unless it is allowed:
        it takes more than that share of all, or every one (nothing to lose: never)."""
        return bool(self.before) and (not self.after or self.share > max_share)


NOTHING_REMOVED = Removal(0, 0, 0)


def removal(before: Collection[str], after: Collection[str], outside: int = 0) -> Removal:
    """The removal from ``before`` to ``after`` (login IDs: an ``Access``, or its keys);
    ``outside``: login IDs of operators the two do not hold (a run that read some operators
    only), unchanged, counting in the whole."""
    removed = sum(1 for login in before if login not in after)
    return Removal(len(before) + outside, len(after) + outside, removed)
