"""Render problems as text, JSON or GitHub workflow commands. Pure: they return strings."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from accessreg import i18n
from accessreg.escape import terminal, terminal_path, workflow_data, workflow_property
from accessreg.model.messages import msg, nmsg
from accessreg.model.problems import Level, Problem
from accessreg.reporting.headlines import headline


def text(problems: Sequence[Problem]) -> str:
    """One line per problem; file names and messages come from outside, so they are shown
    with their unsafe characters escaped (a name cannot start a line of its own, nor a
    line with a workflow command)."""
    return "".join(
        f"{terminal_path(p.file)}:{p.line}:{p.col}: [{p.level}] "
        f"{terminal(i18n.text(p.message))} ({p.rule})\n"
        for p in problems
    )


def problem_dict(p: Problem) -> dict[str, object]:
    """A problem as JSON shows it: its file and message as the text shows them (a file name
    that is not UTF-8 has no JSON string; a consumer that prints a message gets it safe)."""
    return {
        **p.as_dict(i18n.text),
        "file": terminal(p.file),
        "message": terminal(i18n.text(p.message)),
    }


def as_json(problems: Sequence[Problem]) -> str:
    return json.dumps([problem_dict(p) for p in problems], ensure_ascii=False, indent=2) + "\n"


# GitHub turns at most 10 error and 10 warning commands of a step into annotations (and 10
# notices); the rest it drops without a word, and a pull request would look cleaner than it is.
ANNOTATIONS_PER_LEVEL = 10


def github(problems: Sequence[Problem]) -> str:
    """Workflow commands, so problems show on the pull request's changed lines, each titled
    with what its rule means (the message says what to do, the rule id where to read more):
    the first ``ANNOTATIONS_PER_LEVEL`` of each level; the others as the text reporter's
    lines, which the step's log shows, and one notice that says how many are there."""
    out = []
    shown = dict.fromkeys(Level, 0)
    beyond: list[Problem] = []
    for p in problems:
        if shown[p.level] == ANNOTATIONS_PER_LEVEL:
            beyond.append(p)
            continue
        shown[p.level] += 1
        command = "error" if p.level is Level.ERROR else "warning"
        props = ",".join(
            f"{k}={workflow_property(v)}"
            for k, v in (
                ("file", p.file),
                ("line", str(p.line)),
                ("col", str(p.col)),
                ("title", headline(p.rule).replace("`", "")),  # plain text: no markup
            )
        )
        line = f"{i18n.text(p.message)} ({p.rule})"
        out.append(f"::{command} {props}::{workflow_data(line)}\n")
    if beyond:
        note = nmsg(
            "{count} more problem is not shown beside the changed lines (GitHub shows "
            "{limit} errors and {limit} warnings a step): it is listed in this step's log, "
            "after the others.",
            "{count} more problems are not shown beside the changed lines (GitHub shows "
            "{limit} errors and {limit} warnings a step): they are listed in this step's log, "
            "after the others.",
            len(beyond),
            limit=ANNOTATIONS_PER_LEVEL,
        )
        out.append(f"::notice::{workflow_data(i18n.text(note))}\n")
        out.append(text(beyond))
    return "".join(out)


REPORTERS: dict[str, Callable[[Sequence[Problem]], str]] = {
    "text": text,
    "json": as_json,
    "github": github,
}


def summary(problems: Sequence[Problem], files: int) -> str:
    errors = sum(p.level is Level.ERROR for p in problems)
    warnings = len(problems) - errors
    return i18n.text(
        msg(
            "{files}: {errors}, {warnings}",
            files=nmsg("{count} file checked", "{count} files checked", files),
            errors=nmsg("{count} error", "{count} errors", errors),
            warnings=nmsg("{count} warning", "{count} warnings", warnings),
        )
    )
