"""The last-login export: header and date variants, and every unreadable row reported."""

from __future__ import annotations

from datetime import date

import pytest

from accessreg.errors import UsageError
from accessreg.scheduled.lastlogins import parse_login, read


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("2026-05-01", date(2026, 5, 1)),
        ("2026/05/01", date(2026, 5, 1)),
        ("2026/5/1", date(2026, 5, 1)),
        ("２０２６/０５/０１", date(2026, 5, 1)),  # full-width digits from a Japanese export
        ("2026-05-01T08:30:00", date(2026, 5, 1)),
        ("2026/05/01 23:59", date(2026, 5, 1)),  # no zone: Japan time
        ("2026-05-01T20:00:00Z", date(2026, 5, 2)),  # 05:00 the next day in Japan
        ("2026-05-01T14:59:59+00:00", date(2026, 5, 1)),
        ("2026-05-01T15:00:00+0000", date(2026, 5, 2)),
        ("2026-05-01T01:00:00.123+09:00", date(2026, 5, 1)),
        ("2026-05-02T08:00:00-05:00", date(2026, 5, 2)),
        ("", None),
        ("   ", None),
    ],
)
def test_date_formats(cell: str, day: date | None) -> None:
    assert parse_login(cell) == day


@pytest.mark.parametrize("cell", ["01/05/2026", "2026-13-01", "yesterday", "2026-05-01 8"])
def test_unreadable_dates(cell: str) -> None:
    with pytest.raises(ValueError):
        parse_login(cell)


@pytest.mark.parametrize(
    ("id_header", "login_header"),
    [
        ("ID", "last_login"),
        ("id", "lastLogin"),
        ("login_id", "Last Login"),
        ("メールアドレス", "最終ログイン日時"),
        ("user", "最終ログイン日"),
        ("ＩＤ", "last-login-at"),
    ],
)
def test_header_variants(id_header: str, login_header: str) -> None:
    raw = f"{id_header},氏名,{login_header}\na@x.example.jp,甲,2026-05-01\n".encode()
    export = read(raw, "logins.csv")
    assert export.by_id["a@x.example.jp"].last_login == date(2026, 5, 1)
    assert export.problems == ()


def test_encodings_and_separators() -> None:
    text = "ユーザID\t最終ログイン日時\r\nA@X.example.jp\t2026/04/01 9:00\r\nb@x.example.jp\t\r\n"
    for raw in (text.encode("cp932"), "\ufeff".encode() + text.encode("utf-8")):
        export = read(raw, "logins.csv")
        assert export.by_id["a@x.example.jp"].login_id == "A@X.example.jp"
        assert export.by_id["a@x.example.jp"].last_login == date(2026, 4, 1)
        assert export.by_id["b@x.example.jp"].last_login is None  # never used
        assert export.problems == ()


def test_unreadable_rows_are_reported_with_their_lines() -> None:
    raw = (
        b"id,memo,last_login\n"  # line 1
        b"a@x.example.jp,,2026-05-01\n"  # 2
        b',"two\nlines",2026-05-01\n'  # 3-4: no ID
        b"c@x.example.jp,,01/05/2026\n"  # 5: a date in another format
        b"\n"  # 6: blank, skipped
        b"d@x.example.jp\n"  # 7: too short
        b"A@x.example.jp,,2026-06-01\n"  # 8: the same ID again, later
        b"e@x.example.jp,,2026-06-01\n"  # 9
    )
    export = read(raw, "logins.csv")
    assert [(p.line, p.file, p.rule) for p in export.problems] == [
        (4, "logins.csv", "last-logins"),
        (5, "logins.csv", "last-logins"),
        (7, "logins.csv", "last-logins"),
        (8, "logins.csv", "last-logins"),
    ]
    assert "01/05/2026" in export.problems[1].message.english()
    assert "line 2" in export.problems[3].message.english()
    assert sorted(export.by_id) == ["a@x.example.jp", "e@x.example.jp"]
    assert export.by_id["a@x.example.jp"].last_login == date(2026, 6, 1)


def test_an_earlier_duplicate_does_not_win() -> None:
    raw = b"id,last_login\na@x.example.jp,2026-06-01\na@x.example.jp,2026-01-01\n"
    assert read(raw, "f").by_id["a@x.example.jp"].last_login == date(2026, 6, 1)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "empty"),
        (b"name,last_login\nx,2026-01-01\n", "no ID column"),
        (b"id,name\nx,y\n", "no last-login column"),
        (b"id,email,last_login\n", "more than one ID column"),
        (b"\xff\xfe\x00\x81", "neither UTF-8 nor CP932"),
    ],
)
def test_a_file_it_cannot_use_is_refused(raw: bytes, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        read(raw, "logins.csv")


@pytest.mark.parametrize(
    "cell", ["0001-01-01T00:00:00+09:00", "9999-12-31T23:00:00-10:00", "0000-01-01"]
)
def test_a_timestamp_at_the_ends_of_the_calendar_is_unreadable_not_a_crash(cell: str) -> None:
    with pytest.raises(ValueError):
        parse_login(cell)


def test_a_cell_over_the_csv_modules_limit_is_one_unreadable_row() -> None:
    huge = "2" * 200_000  # the csv module refuses a field over 128 KiB
    raw = (
        "ID,last_login\r\n"
        "a@x.example.jp,2026-01-01\r\n"
        f"b@x.example.jp,{huge}\r\n"
        "c@x.example.jp,0001-01-01T00:00:00+09:00\r\n"
        f"d@x.example.jp,{'3' * 100_000}\r\n"
        "e@x.example.jp,2026-02-02\r\n"
    ).encode()
    export = read(raw, "last-logins.csv")
    assert sorted(export.by_id) == ["a@x.example.jp", "e@x.example.jp"]
    assert [p.line for p in export.problems] == [3, 4, 5]
    assert "cannot be read" in export.problems[0].message.english()
    assert all(
        len(p.message.english()) < 300 for p in export.problems
    )  # the value is quoted capped


def test_a_header_over_the_csv_modules_limit_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="the header cannot be read"):
        read(("ID," + "x" * 200_000 + "\r\n").encode(), "last-logins.csv")


def test_a_cell_read_once_counts_for_every_row_that_has_it() -> None:
    # Cells are parsed once per distinct text: a readable one gives every row its day, an
    # unreadable one is reported on every line that has it.
    export = read(
        (
            b"ID,last_login\n"
            b"a@test-gas.example.co.jp,2026/05/01 23:59\n"
            b"b@test-gas.example.co.jp,2026/05/01 23:59\n"
            b"c@test-gas.example.co.jp,yesterday\n"
            b"d@test-gas.example.co.jp,yesterday\n"
            b"e@test-gas.example.co.jp,\n"
            b"f@test-gas.example.co.jp,\n"
        ),
        "f",
    )
    days = {key: (row.last_login, row.line) for key, row in export.by_id.items()}
    assert days == {
        "a@test-gas.example.co.jp": (date(2026, 5, 1), 2),
        "b@test-gas.example.co.jp": (date(2026, 5, 1), 3),
        "e@test-gas.example.co.jp": (None, 6),
        "f@test-gas.example.co.jp": (None, 7),
    }
    assert [(p.line, "yesterday" in p.message.english()) for p in export.problems] == [
        (4, True),
        (5, True),
    ]
