"""Options shared by several commands, defined once; their value types, checked once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from accessreg import i18n
from accessreg.errors import UsageError
from accessreg.escape import quote
from accessreg.files.reasons import os_reason
from accessreg.model.base import (
    EARLIEST_DAY,
    GITHUB_LOGIN,
    GITHUB_LOGIN_MAX,
    LATEST_DAY,
)
from accessreg.model.messages import msg
from accessreg.outputs.ldif import is_base_dn

F = TypeVar("F", bound=Callable[..., Any])
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DateType(click.ParamType[date]):
    """A day written YYYY-MM-DD and nothing else (``date.fromisoformat`` would also take
    ``2026-W47-1`` or ``20261116``), within the days the tool can count business days for."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value)
        try:
            day = date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
        except ValueError:
            day = None
        if day is None:
            self.fail(
                i18n.text(msg("{value} is not a date: write it as YYYY-MM-DD", value=quote(text))),
                param,
                ctx,
            )
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            self.fail(
                i18n.text(
                    msg(
                        "{value} is not a date from {earliest} to {latest}, the years whose "
                        "business days the tool can count",
                        value=text,
                        earliest=EARLIEST_DAY,
                        latest=LATEST_DAY,
                    )
                ),
                param,
                ctx,
            )
        return day


class LoginType(click.ParamType[str]):
    """A GitHub login: letters, digits and single hyphens, at most 39 characters; never a
    line break, which would let the value reach a log or an environment file as two lines."""

    name = "login"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if len(text) > GITHUB_LOGIN_MAX or not re.fullmatch(GITHUB_LOGIN, text):
            self.fail(
                i18n.text(msg("{value} is not a GitHub login", value=quote(text))), param, ctx
            )
        return text


class BaseDnType(click.ParamType[str]):
    """An LDAP base DN (``ldif.is_base_dn``)."""

    name = "dn"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if not is_base_dn(text):
            self.fail(
                i18n.text(
                    msg(
                        "{value} is not a base DN: write its RDNs, such as dc=example,dc=jp, "
                        "separated by commas without spaces",
                        value=quote(text),
                    )
                ),
                param,
                ctx,
            )
        return text


class InputFile(click.File):
    """A file read in binary, or standard input for ``-``, as ``click.File("rb")`` opens
    it; but why the system refused to open it is told in the run's language (click says
    the system's English: "Is a directory")."""

    def __init__(self) -> None:
        super().__init__("rb")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "-" or hasattr(value, "read"):
            return super().convert(value, param, ctx)
        try:
            handle = Path(value).open("rb")  # noqa: SIM115 - closed with the context, as click does
        except OSError as exc:
            self.fail(
                i18n.text(
                    msg("Cannot read {file}: {why}", file=quote(str(value)), why=os_reason(exc))
                ),
                param,
                ctx,
            )
        if ctx is not None:
            ctx.call_on_close(handle.close)
        return handle


DATE = DateType()
LOGIN = LoginType()
# How many months a periodic review may lag (000 §5-6 asks for one every six months).
MONTHS = click.IntRange(1, 120)


def registry_option(f: F) -> F:
    return click.option(
        "--registry",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="The registry directory [default: registry/ of this repository].",
    )(f)


def operator_option(f: F) -> F:
    """The operator an edit is of: its code is checked where the edit opens it (an empty
    one, a look-alike, a guess at the code meant: ``edit.targets.operator``)."""
    return click.option("--operator", required=True, help="The operator code (事業者コード).")(f)


def today_option(f: F) -> F:
    return click.option(
        "--today",
        type=DATE,
        metavar="YYYY-MM-DD",
        help="Fix every date-dependent rule to this day [default: today in Japan].",
    )(f)


def date_option(name: str, help_text: str) -> Callable[[F], F]:
    def wrap(f: F) -> F:
        return click.option(name, type=DATE, metavar="YYYY-MM-DD", help=help_text)(f)

    return wrap


def events_options(f: F) -> F:
    """The pull request's events the dates are keyed on (``timeline.effective``)."""
    f = date_option(
        "--merged-on", "When it was merged [default: the day of the run; the output says so]."
    )(f)
    return _entered_accepted(f)


def merge_events_options(f: F) -> F:
    """The events of merges already made (``apply``): each merge's own day by default."""
    f = date_option(
        "--merged-on",
        "When each merge was merged [default: the day of its merge commit, in Japan].",
    )(f)
    return _entered_accepted(f)


def _entered_accepted(f: F) -> F:
    f = date_option(
        "--accepted-on",
        "When a reviewer approved it (受付) [default: the merge day; the output says so].",
    )(f)
    return date_option(
        "--entered-on",
        "When it was opened or last marked ready (申請入力) [default: the acceptance].",
    )(f)


def happened_by(today: date, **events: date | None) -> None:
    """Refuse an event of the application given for a day after the run's: it has happened
    by the time a plan or an apply reads it (an entry before the plan; everything before
    the apply). ``events``: each option's value by its name (``entered_on``)."""
    for name, day in events.items():
        if day is not None and day > today:
            option = "--" + name.replace("_", "-")
            raise UsageError(
                msg(
                    "{option} {day} is later than the day of the run ({today}): give the day "
                    "it happened",
                    option=option,
                    day=day,
                    today=today,
                )
            )


def state_remote_option(f: F) -> F:
    return click.option(
        "--state-remote",
        envvar="ACCESSREG_STATE_REMOTE",
        metavar="REMOTE",
        help="Fetch the state from and push it to this remote [env: ACCESSREG_STATE_REMOTE].",
    )(f)
