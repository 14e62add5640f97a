"""The stages of a long-unused ID in the authentication system (000 §5-7): one table, which
the count, the digests' subjects and bodies, and the deletion applications all read."""

from __future__ import annotations

# (days, stage), latest first: the first threshold reached is the stage. Counted from the
# last login, or from the day the ID was issued for an ID never used.
STAGES = ((210, "deleted"), (180, "locked"), (150, "warning2"), (120, "warning1"))
DAYS = {stage: days for days, stage in STAGES}
LOCK_DAYS = DAYS["locked"]
DELETE_DAYS = DAYS["deleted"]
# The stages as the seed's notices name them (000 §5-7: 警告メール１・２, ロック, 抹消): the
# table's 段階 and, with their days, the digests' subjects.
STAGE_LABELS = {"warning1": "警告1", "warning2": "警告2", "locked": "ロック", "deleted": "抹消"}
# The whole schedule as a mail states it: 120日で警告1、150日で警告2、180日でロック、210日で抹消.
SCHEDULE = "、".join(f"{days}日で{STAGE_LABELS[stage]}" for days, stage in reversed(STAGES))


def stage_of(days: int) -> str | None:
    for threshold, stage in STAGES:
        if days >= threshold:
            return stage
    return None
