"""When files came into the registry: the day each was last added on the main line.

For an ID never used, the authentication system counts from the day it was issued (000
§5-7 ※1); the registry's nearest record of that is the day the user's file was added.
One ``git log`` walks the first-parent history once, so a merged pull request dates its
files by the merge, and a file removed and added again counts from the latest addition.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from accessreg.gitio.runner import Git, logged
from accessreg.timeline.clock import JST


def added_on(start: Path, rev: str, prefix: str) -> dict[str, date]:
    """Path relative to ``prefix`` → the day (in Japan) the file was last added at ``rev``."""
    with Git(start) as repo:
        out = repo.run(
            "log", "--first-parent", "--diff-merges=first-parent", "--diff-filter=A",
            "--no-renames", "--name-only", "-z",
            "--format=%x00%ct", rev, "--", f":(top){prefix}",
        )  # fmt: skip
    lead = prefix.rstrip("/") + "/" if prefix else ""
    found: dict[str, date] = {}
    for stamp, paths in logged(out):
        day = datetime.fromtimestamp(int(stamp), JST).date()
        for path in paths:
            if path.startswith(lead):
                found.setdefault(path[len(lead) :], day)  # newest first: the latest addition
    return found
