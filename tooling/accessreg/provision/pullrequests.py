"""The merged pull requests' events, as the merge workflow passes them to ``apply``.

A JSON list, one object per merged pull request, built from the GitHub API::

    [{"merge_commit": "<sha>", "number": 12, "title": "…",
      "entered_at": "2026-12-01T09:00:00Z",   # opened, or last marked ready for review
      "accepted_at": "2026-12-02T10:30:00Z",  # the approving review
      "merged_at": "2026-12-03T08:00:00Z"}]

Every field but ``merge_commit`` may be missing or null (then the merge day stands in).
Times are read in Japan time; a bare date is taken as it is. Pure: text in, data out.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from accessreg.errors import UsageError
from accessreg.provision.merges import MergedPullRequest
from accessreg.timeline.clock import JST
from accessreg.timeline.effective import Events

_FIELDS = ("merge_commit", "number", "title", "entered_at", "accepted_at", "merged_at")


def _day(value: Any, where: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise UsageError(f"{where}: {value!r} is not a time (ISO 8601, e.g. 2026-12-02T10:30:00Z)")
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{where}: {value!r} is not a time (ISO 8601, e.g. 2026-12-02T10:30:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=JST)
    return moment.astimezone(JST).date()


def read(path: Path, name: str) -> dict[str, MergedPullRequest]:
    """The pull requests of the file at ``path``, shown as ``name`` in messages."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{name}: cannot read it as UTF-8 text: {exc}") from None
    return parse(text, name)


def parse(text: str, name: str) -> dict[str, MergedPullRequest]:
    """The pull requests of ``text`` (the file ``name``) by merge commit."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{name}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    if not isinstance(data, list):
        raise UsageError(f"{name}: expected a list of pull requests")
    found: dict[str, MergedPullRequest] = {}
    for i, entry in enumerate(data):
        where = f"{name}: pull request {i + 1}"
        if not isinstance(entry, dict):
            raise UsageError(f"{where}: expected an object")
        unknown = sorted(set(entry) - set(_FIELDS))
        if unknown:
            raise UsageError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(_FIELDS)})")
        sha = entry.get("merge_commit")
        if not isinstance(sha, str) or not sha:
            raise UsageError(f"{where}: merge_commit is required (the merge commit's SHA)")
        number = entry.get("number")
        if number is not None and (not isinstance(number, int) or isinstance(number, bool)):
            raise UsageError(f"{where}: number: {number!r} is not a pull request number")
        title = entry.get("title") or ""
        if not isinstance(title, str):
            raise UsageError(f"{where}: title: expected text")
        events = Events(
            _day(entry.get("entered_at"), f"{where}: entered_at"),
            _day(entry.get("accepted_at"), f"{where}: accepted_at"),
            _day(entry.get("merged_at"), f"{where}: merged_at"),
        )
        found[sha] = MergedPullRequest(events, number, " ".join(title.split()))
    return found
