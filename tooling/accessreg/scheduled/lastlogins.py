"""The authentication system's export of last-login dates (000 §5-7), read leniently.

Format (documented in the README): a CSV file, UTF-8 (with or without BOM) or CP932, comma-,
tab- or semicolon-separated, a header row first. Two columns are read, found by their header
whatever the other columns are:

- the ID: ``ID``, ``login_id``, ``user_id``, ``user``, ``email``, ``メールアドレス``, ``ユーザID``,
  ``ログインID``, ... (case, width, spaces, ``_`` and ``-`` are ignored);
- the last login: ``last_login``, ``lastLogin``, ``last_login_at``, ``最終ログイン日時``,
  ``最終ログイン日``, ...: ``YYYY-MM-DD``, ``YYYY/MM/DD`` (one-digit month and day too), or a
  date and time (``T`` or a space between, seconds optional, with or without a timezone;
  without one it is Japan time). Empty means the ID has never been used.

A row that cannot be read (no ID, a date in another format, an ID twice) is reported with
its line number and otherwise left out; its ID is not judged.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, NamedTuple

from accessreg.errors import UsageError
from accessreg.escape import quote
from accessreg.model.messages import Message, msg
from accessreg.model.problems import Level, Problem
from accessreg.timeline.clock import JST

RULE = "last-logins"
ID_HEADERS = frozenset(
    {
        "id",
        "loginid",
        "userid",
        "user",
        "username",
        "account",
        "email",
        "mail",
        "emailaddress",
        "mailaddress",
        "メールアドレス",
        "ユーザid",
        "ユーザーid",
        "ログインid",
        "利用者id",
    }
)
LAST_LOGIN_HEADERS = frozenset(
    {
        "lastlogin",
        "lastloginat",
        "lastlogindate",
        "lastlogindatetime",
        "lastlogintime",
        "lastloggedin",
        "最終ログイン",
        "最終ログイン日",
        "最終ログイン日時",
    }
)
_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_TIME = re.compile(r"[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?")


class LastLogin(NamedTuple):  # one per row of the export, 200,000 at 200,000 users: a tuple
    login_id: str  # as the export writes it
    last_login: date | None  # None: never used
    line: int


@dataclass(frozen=True)
class LastLogins:
    by_id: dict[str, LastLogin]  # by the ID in lower case: IDs differing in case are one ID
    problems: tuple[Problem, ...]


def header_key(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\s_\-.]", "", folded)


def parse_login(text: str) -> date | None:
    """The day (in Japan) a last-login cell names; None when empty. ValueError if unreadable."""
    text = (text if text.isascii() else unicodedata.normalize("NFKC", text)).strip()
    if not text:
        return None
    m = _DATE.match(text)
    if m is None:
        raise ValueError(text)
    day = date(int(m[1]), int(m[2]), int(m[3]))
    rest = text[m.end() :]
    if not rest:
        return day
    t = _TIME.fullmatch(rest)
    if t is None:
        raise ValueError(text)
    moment = datetime(day.year, day.month, day.day, int(t[1]), int(t[2]), int(t[3] or 0))
    zone = t[4]
    if zone is None:
        return moment.date()  # written in Japan time
    if zone == "Z":
        tz = UTC
    else:
        digits = zone.replace(":", "")
        offset = timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
        tz = timezone(offset if digits[0] == "+" else -offset)
    try:
        return moment.replace(tzinfo=tz).astimezone(JST).date()
    except OverflowError:  # 0001-01-01T00:00+09:00 is before the first day there is
        raise ValueError(text) from None


def _decode(raw: bytes, label: str) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UsageError(msg("{label}: neither UTF-8 nor CP932 text", label=label))


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _column(header: list[str], names: frozenset[str], what: str, label: str) -> int:
    found = [i for i, h in enumerate(header) if header_key(h) in names]
    if len(found) != 1:
        shown, accepted = quote(", ".join(header)), ", ".join(sorted(names))
        raise UsageError(
            msg(
                "{label}:1: the header has no {what} column ({value}); accepted names: {names}",
                label=label,
                what=what,
                value=shown,
                names=accepted,
            )
            if not found
            else msg(
                "{label}:1: the header has more than one {what} column ({value}); accepted "
                "names: {names}",
                label=label,
                what=what,
                value=shown,
                names=accepted,
            )
        )
    return found[0]


def _rows(reader: Any, report: Callable[[int, Message], None]) -> Iterator[tuple[int, list[str]]]:
    """Each row with its line; a row the csv module cannot read (a cell over its size
    limit) is reported and skipped, and reading goes on after it."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            report(
                reader.line_num,
                msg("This row cannot be read ({why}): the ID is not judged", why=str(exc)),
            )
            continue
        yield reader.line_num, row


def read(raw: bytes, label: str) -> LastLogins:
    """Parse an export; a header without an ID and a last-login column is a UsageError."""
    text = _decode(raw, label)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise UsageError(
            msg("{label}:1: the header cannot be read ({exc})", label=label, exc=str(exc))
        ) from None
    if header is None:
        raise UsageError(
            msg("{label}: the file is empty; the first line must name the columns", label=label)
        )
    id_col = _column(header, ID_HEADERS, "ID", label)
    login_col = _column(header, LAST_LOGIN_HEADERS, "last-login", label)
    by_id: dict[str, LastLogin] = {}
    problems: list[Problem] = []
    # Each cell read once: an export writes a few hundred days in a few formats.
    days: dict[str, date | None] = {}

    def report(line: int, message: Message) -> None:
        problems.append(Problem(label, line, 0, RULE, Level.WARNING, message))

    for line, row in _rows(reader, report):
        if not "".join(row).strip():
            continue
        if len(row) <= max(id_col, login_col):
            report(
                line,
                msg(
                    "{cells} cells, fewer than the header's {header}: the ID is not judged",
                    cells=len(row),
                    header=len(header),
                ),
            )
            continue
        login_id = row[id_col].strip()
        if not login_id:
            report(line, msg("No ID on this line: it is not judged"))
            continue
        cell = row[login_col]
        if cell in days:
            last = days[cell]
        else:
            try:
                last = days[cell] = parse_login(cell)
            except ValueError:
                report(
                    line,
                    msg(
                        "The last login {value} is not a date (such as 2026-05-01, 2026/05/01 "
                        "or 2026-05-01T08:30:00): the ID is not judged",
                        value=cell.strip(),
                    ),
                )
                continue
        key = login_id.lower()
        if key in by_id:
            before = by_id[key]
            report(
                line,
                msg(
                    "This ID is listed again (first on line {first}): the later login counts",
                    first=before.line,
                ),
            )
            if before.last_login is not None and (last is None or last < before.last_login):
                continue
        by_id[key] = LastLogin(login_id, last, line)
    return LastLogins(by_id, tuple(problems))
