"""Safety rails before anything is generated: no mass removal, no emptied registry.

A change that removes more than a share of all login IDs (default 25 %), or leaves none, is
far more likely a broken merge than a real application; it needs ``--allow-mass-removal``
(peribolos' ``--maximum-removal-delta`` is the model).
"""

from __future__ import annotations

from dataclasses import dataclass

from accessreg.errors import ProblemsFound
from accessreg.model.messages import msg
from accessreg.outputs.access import Access

DEFAULT_MAX_REMOVAL_SHARE = 0.25


@dataclass(frozen=True)
class Removal:
    before: int  # login IDs holding any permission at the applied revision
    after: int
    removed: int

    @property
    def share(self) -> float:
        return self.removed / self.before if self.before else 0.0


def removal(before: Access, after: Access, outside: int = 0) -> Removal:
    """The removal from ``before`` to ``after``; ``outside``: login IDs of operators the
    two do not hold (a run that read some operators only), unchanged, counting in the
    whole."""
    removed = sum(1 for login in before if login not in after)
    return Removal(len(before) + outside, len(after) + outside, removed)


def check_removal(found: Removal, max_share: float, allowed: bool) -> None:
    """Raise ProblemsFound unless the removal is within bounds or explicitly allowed."""
    if allowed:
        return
    if found.before and not found.after:
        raise ProblemsFound(
            msg(
                "Refusing to remove every one of {before} login IDs (the "
                "registry would be empty); if that is really wanted, run "
                "again with --allow-mass-removal",
                before=found.before,
            )
        )
    if found.share > max_share:
        raise ProblemsFound(
            msg(
                "Refusing to remove {removed} of {before} login IDs ({share} "
                "> {max_share}); check the merge, then run again with "
                "--allow-mass-removal or a higher --max-removal-share",
                removed=found.removed,
                before=found.before,
                share=format(found.share, ".0%"),
                max_share=format(max_share, ".0%"),
            )
        )
