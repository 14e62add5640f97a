"""The merged pull requests' events, as the merge workflow passes them to ``apply``.

A JSON list, one object per merged pull request, built from the GitHub API::

    [{"merge_commit": "<sha>", "number": 12, "title": "…",
      "entered_at": "2026-12-01T09:00:00Z",   # opened, or last marked ready for review
      "accepted_at": "2026-12-02T10:30:00Z",  # a code owner's last approval
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
from accessreg.escape import one_line
from accessreg.files.reasons import os_reason
from accessreg.model.base import EARLIEST_DAY, LATEST_DAY
from accessreg.model.messages import Message, msg
from accessreg.provision.merges import MergedPullRequest
from accessreg.timeline.clock import JST
from accessreg.timeline.effective import Events

_FIELDS = ("merge_commit", "number", "title", "entered_at", "accepted_at", "merged_at")


def _not_a_time(where: Message, value: object) -> Message:
    return msg(
        "{where}: '{value}' is not a time: write it as 2026-12-02T10:30:00Z",
        where=where,
        value=value if isinstance(value, str) else json.dumps(value, ensure_ascii=False),
    )


def _day(value: Any, where: Message) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise UsageError(_not_a_time(where, value))
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=JST)
            day = moment.astimezone(JST).date()
    except (ValueError, OverflowError):  # 9999-12-31T23:59:59Z is past the last day in Japan
        raise UsageError(_not_a_time(where, value)) from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise UsageError(
            msg(
                "{where}: {value} is not a date from {earliest} to {latest}, the years whose "
                "business days the tool can count",
                where=where,
                value=value,
                earliest=EARLIEST_DAY,
                latest=LATEST_DAY,
            )
        )
    return day


def read(path: Path, name: str) -> dict[str, MergedPullRequest]:
    """The pull requests of the file at ``path``, shown as ``name`` in messages."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        why = os_reason(exc) if isinstance(exc, OSError) else msg("it is not UTF-8 text")
        raise UsageError(msg("Cannot read {file}: {why}", file=name, why=why)) from None
    return parse(text, name)


def parse(text: str, name: str) -> dict[str, MergedPullRequest]:
    """The pull requests of ``text`` (the file ``name``) by merge commit."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            msg(
                "{file}, line {line}, column {col}: the file is not JSON as GitHub's API "
                "writes it: check the list of pull requests given",
                file=name,
                line=exc.lineno,
                col=exc.colno,
            )
        ) from None
    if not isinstance(data, list):
        raise UsageError(msg("{file}: it should hold a list of pull requests", file=name))
    found: dict[str, MergedPullRequest] = {}
    for i, entry in enumerate(data):
        where = msg("{file}: pull request {n}", file=name, n=i + 1)
        if not isinstance(entry, dict):
            raise UsageError(msg("{where}: it should hold the pull request's fields", where=where))
        unknown = sorted(set(entry) - set(_FIELDS))
        if unknown:
            raise UsageError(
                msg(
                    "{where}: unknown field '{field}' (known: {known})",
                    where=where,
                    field=unknown[0],
                    known=_FIELDS,
                )
            )
        sha = entry.get("merge_commit")
        if not isinstance(sha, str) or not sha:
            raise UsageError(
                msg("{where}: merge_commit is required (the merge commit's SHA)", where=where)
            )
        number = entry.get("number")
        if number is not None and (not isinstance(number, int) or isinstance(number, bool)):
            raise UsageError(
                msg(
                    "{where}: number: '{number}' is not a pull request number",
                    where=where,
                    number=json.dumps(number, ensure_ascii=False),
                )
            )
        title = entry.get("title") or ""
        if not isinstance(title, str):
            raise UsageError(msg("{where}: title: write it as text", where=where))
        events = Events(
            _day(entry.get("entered_at"), msg("{where}: entered_at", where=where)),
            _day(entry.get("accepted_at"), msg("{where}: accepted_at", where=where)),
            _day(entry.get("merged_at"), msg("{where}: merged_at", where=where)),
        )
        found[sha] = MergedPullRequest(events, number, one_line(title))
    return found
