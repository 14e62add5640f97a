"""Render problems as text, JSON or GitHub workflow commands. Pure: they return strings."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from accessreg.model.problems import Level, Problem


def text(problems: Sequence[Problem]) -> str:
    return "".join(
        f"{p.file}:{p.line}:{p.col}: [{p.level}] {p.message} ({p.rule})\n" for p in problems
    )


def as_json(problems: Sequence[Problem]) -> str:
    return json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2) + "\n"


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
        out.append(f"::{command} {props}::{_escape_data(f'{p.message} ({p.rule})')}\n")
    return "".join(out)


REPORTERS: dict[str, Callable[[Sequence[Problem]], str]] = {
    "text": text,
    "json": as_json,
    "github": github,
}


def summary(problems: Sequence[Problem], files: int) -> str:
    errors = sum(p.level is Level.ERROR for p in problems)
    warnings = len(problems) - errors
    return f"{files} files checked: {errors} error(s), {warnings} warning(s)"
