"""Render problems as text, JSON or GitHub workflow commands. Pure: they return strings.

Messages are put in words in the run's language (``accessreg.i18n``); the file, position,
level and rule id stay as they are, for tools that read them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from accessreg import i18n
from accessreg.model.messages import msg, nmsg
from accessreg.model.problems import Level, Problem


def text(problems: Sequence[Problem]) -> str:
    return "".join(
        f"{p.file}:{p.line}:{p.col}: [{p.level}] {i18n.text(p.message)} ({p.rule})\n"
        for p in problems
    )


def as_json(problems: Sequence[Problem]) -> str:
    return json.dumps([p.as_dict(i18n.text) for p in problems], ensure_ascii=False, indent=2) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(problems: Sequence[Problem]) -> str:
    """Workflow commands, so problems show on the pull request's changed lines."""
    out = []
    for p in problems:
        command = "error" if p.level is Level.ERROR else "warning"
        props = ",".join(
            f"{k}={_escape_property(v)}"
            for k, v in (
                ("file", p.file),
                ("line", str(p.line)),
                ("col", str(p.col)),
                ("title", p.rule),
            )
        )
        line = f"{i18n.text(p.message)} ({p.rule})"
        out.append(f"::{command} {props}::{_escape_data(line)}\n")
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
