"""Options shared by several commands, defined once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def registry_option(f: F) -> F:
    return click.option(
        "--registry",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="The registry directory [default: registry/ of this repository].",
    )(f)


def today_option(f: F) -> F:
    return click.option(
        "--today",
        callback=_parse_date,
        metavar="YYYY-MM-DD",
        help="Fix every date-dependent rule to this day [default: today in Japan].",
    )(f)


def date_option(name: str, help_text: str) -> Callable[[F], F]:
    def wrap(f: F) -> F:
        return click.option(name, callback=_parse_date, metavar="YYYY-MM-DD", help=help_text)(f)

    return wrap


def events_options(f: F) -> F:
    """The pull request's events the dates are keyed on (``timeline.effective``)."""
    f = date_option(
        "--merged-on", "When it was merged [default: the day of the run; the output says so]."
    )(f)
    f = date_option(
        "--accepted-on",
        "When a reviewer approved it (受付) [default: the merge day; the output says so].",
    )(f)
    return date_option(
        "--entered-on",
        "When it was opened or last marked ready (申請入力) [default: the acceptance].",
    )(f)
