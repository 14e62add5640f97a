"""The scheduled duties' tables speak as the import files do: the forms' words for their
columns, Japanese for their stages and kinds, the same bytes whatever the reader's language,
and the import files' encoding. Read back with the standard library's ``csv``, from a real
``daily`` and a real ``apply``."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import ROOT, RegistryFactory, certificate, contact, run_cli

DAY = "2027-02-01"
USER = "user1@test-gas.example.co.jp"
GHOST = "ghost@test-gas.example.co.jp"
TABLES = (
    "expiry.csv",
    "stale.csv",
    "stale-drift.csv",
    "inventory-overdue.csv",
    "membership.csv",
    "reviews.csv",
)


@pytest.fixture
def daily(reg: RegistryFactory, tmp_path: Path) -> Iterator[tuple[GitRegistry, Path]]:
    """On 2 February 2027 every table has a row: a certificate 58 days from its end, an
    address 9, an inventory overdue since 15 January, a provisional member past its year,
    an ID unused for 153 days, one the registry does not hold, and an application filed on
    20 January still unreviewed. Yields the repository and the day's list of open pulls."""
    reg.operator(
        contacts=[contact(), contact("deputy", 2)],
        certificates=[certificate(1, not_before="2025-04-01", not_after="2027-03-31")],
        ip_allowlist=[
            {"cidr": "41.203.64.10/32", "reason": "海外拠点", "expires_on": "2027-02-10"}
        ],
        last_inventory="2026-07-15",
    )
    reg.operator(
        "TESTOP02",
        name="テスト電力株式会社",
        roles=["gas_retailer", "electricity_retailer"],
        systems=["taxis"],
        subcontractors=None,
        contacts=[contact(n=3)],
        membership={"status": "provisional", "provisional_since": "2026-01-10"},
        last_inventory="2026-12-01",
    )
    # Of a subcontractor: its import row holds the operator's code and name once each.
    reg.user(affiliation="TESTSUB1")
    pulls = tmp_path / "open-pulls.json"
    pull = {
        "number": 7,
        "title": "[TESTOP01] 利用権限の設定申請",
        "html_url": "https://github.example.jp/o/r/pull/7",
        "user": {"login": "window-1"},
        "created_at": "2027-01-20T01:00:00Z",
        "labels": [{"name": "application"}],
    }
    pulls.write_text(json.dumps([pull]), encoding="utf-8")
    g = GitRegistry(reg)
    try:
        yield g, pulls
    finally:
        g.close()


def _run_daily(g: GitRegistry, pulls: Path, out: Path, lang: str) -> str:
    """The report of a ``daily`` run in ``lang`` (the job summary's text)."""
    export = out.parent / f"last-logins-{lang}.csv"
    export.write_text(f"ID,last_login\n{USER},2026-09-01\n{GHOST},2026-12-01\n", encoding="utf-8")
    result = run_cli(
        "daily", "--out", str(out), "--last-logins", str(export), "--open-pulls", str(pulls),
        "--today", DAY, cwd=g.path, env={"ACCESSREG_LANG": lang},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_the_report_names_each_duty_in_the_reviewers_words(
    daily: tuple[GitRegistry, Path], tmp_path: Path
) -> None:
    """The job summary a reviewer reads names each duty for what it is, not by the id the
    commands and the workflow give it (``time-rules``)."""
    g, pulls = daily
    said = _run_daily(g, pulls, tmp_path / "daily", "ja")
    for title in ("有効期限のお知らせ（証明書・海外IPアドレス）: ", "長期間使われていない ID: ",
                  "利用権限の棚卸: ", "広域機関の仮入会: ", "処理期限を過ぎた申請: ",
                  "期日の来たルール: "):  # fmt: skip
        assert f"\n{title}" in f"\n{said}", said
    ids = ("expiry", "stale", "inventory", "membership", "reviews", "time-rules")
    assert not [line for line in said.splitlines() if line.startswith(tuple(f"{i}:" for i in ids))]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _heading_of(row: dict[str, str], value: str) -> str:
    """The one column of ``row`` that holds ``value``."""
    (found,) = [column for column, cell in row.items() if cell == value]
    return found


def test_each_table_heads_a_column_of_the_import_files_with_their_words(
    daily: tuple[GitRegistry, Path], tmp_path: Path
) -> None:
    g, pulls = daily
    imports = tmp_path / "imports"
    applied = run_cli("apply", "--out", str(imports), "--initial", "--today", DAY, cwd=g.path)
    assert applied.returncode == 0, applied.stderr
    (person,) = [r for r in _rows(imports / "imports/taxis/snapshot.csv") if USER in r.values()]
    code, name, login = (_heading_of(person, v) for v in ("TESTOP01", "テストガス株式会社", USER))

    out = tmp_path / "daily"
    _run_daily(g, pulls, out, "ja")
    stale = {r[login]: r for r in _rows(out / "stale.csv")}
    assert _heading_of(stale[USER], "TESTOP01") == code
    (drift,) = _rows(out / "stale-drift.csv")
    assert _heading_of(drift, GHOST) == login
    (overdue,) = [r for r in _rows(out / "inventory-overdue.csv") if r[code] == "TESTOP01"]
    assert _heading_of(overdue, "テストガス株式会社") == name
    (member,) = _rows(out / "membership.csv")
    assert (member[code], member[name]) == ("TESTOP02", "テスト電力株式会社")
    assert {r[code] for r in _rows(out / "expiry.csv")} == {"TESTOP01"}

    # Written as the import files are: UTF-8 with a byte-order mark, CRLF line ends.
    for path in (imports / "imports/taxis/snapshot.csv", *(out / t for t in TABLES)):
        raw = path.read_bytes()
        assert raw.startswith(codecs.BOM_UTF8), path.name
        assert raw.count(b"\n") == raw.count(b"\r\n") > 1, path.name


def test_stages_and_kinds_are_in_the_seeds_words_and_the_rest_as_written(
    daily: tuple[GitRegistry, Path], tmp_path: Path
) -> None:
    g, pulls = daily
    out = tmp_path / "daily"
    _run_daily(g, pulls, out, "ja")

    due = {(r["種別"], r["段階"]): r for r in _rows(out / "expiry.csv")}
    assert set(due) == {("クライアント証明書", "初回通知"), ("海外IPアドレス", "再通知")}
    cert = due["クライアント証明書", "初回通知"]
    assert (cert["証明書ID"], cert["CN・IPアドレス"]) == ("EP-TEST-0001", "TESTOP01-PC01")
    assert (cert["有効期限"], cert["残り日数"]) == ("2027-03-31", "58")
    assert due["海外IPアドレス", "再通知"]["CN・IPアドレス"] == "41.203.64.10/32"

    # 000 §5-7: 150 days from the last login is the second warning.
    (user,) = [r for r in _rows(out / "stale.csv") if r["メールアドレス（ID）"] == USER]
    assert (user["最終ログイン日"], user["起算日の根拠"], user["経過日数"], user["段階"]) == (
        "2026-09-01",
        "最終ログイン日",
        "153",
        "警告2",
    )
    (member,) = _rows(out / "membership.csv")
    assert (member["加入仮申請日"], member["本申請の期限"], member["段階"]) == (
        "2026-01-10",
        "2027-01-10",
        "解除の対象",
    )
    (pull,) = _rows(out / "reviews.csv")
    assert (pull["プルリクエスト番号"], pull["申請日"], pull["段階"]) == (
        "7",
        "2027-01-20",
        "審査期限超過",
    )
    (overdue,) = [
        r for r in _rows(out / "inventory-overdue.csv") if r["事業者コード"] == "TESTOP01"
    ]
    assert (overdue["前回の棚卸日"], overdue["棚卸の期限"]) == ("2026-07-15", "2027-01-15")


def test_the_tables_are_the_same_bytes_in_either_language(
    daily: tuple[GitRegistry, Path], tmp_path: Path
) -> None:
    """Fixed Japanese, as the import files' headings are, not the run's language; the columns
    the README lists."""
    g, pulls = daily
    for lang in ("ja", "en"):
        _run_daily(g, pulls, tmp_path / lang, lang)
    for table in TABLES:
        ja, en = ((tmp_path / lang / table).read_bytes() for lang in ("ja", "en"))
        assert ja == en, table
        (header,) = csv.reader(io.StringIO(ja.decode("utf-8-sig").splitlines()[0]))
        # Every heading is words of the forms, none an identifier of the tool's.
        assert all(not cell.isascii() or cell == "URL" for cell in header), (table, header)
        assert _documented(table) == header, table


def _documented(table: str) -> list[str]:
    """The columns the README's table of the scheduled outputs lists for ``table``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (row,) = [line for line in readme.splitlines() if line.startswith(f"| `{table}` | ")]
    return row.split(" | ")[1].split(", ")
