"""The CSV import files read back with Python's csv module equal the registry."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from accessreg.escape import csv_cell
from accessreg.model import Operator, User
from accessreg.model.registry import Registry
from accessreg.outputs import csv_, info_site
from accessreg.outputs.access import Access, diff, effective_access, holders
from accessreg.outputs.csv_ import CannotEncode, DatedChange, Encoding
from accessreg.outputs.fragments import import_systems
from tests.helpers.regfactory import RegistryFactory, certificate
from tests.helpers.registries import loaded

M = date(2026, 12, 1)
# The seed's form reads あり / なし for these (000 §5-1 ①), codes for the others.
PRESENCE = {"juju", "info_site", "admin_console"}


def _form(system: str, code: str | None) -> str:
    if system in PRESENCE:
        return "あり" if code else "なし"
    return code or ""


def _read(data: bytes, encoding: Encoding) -> list[dict[str, str]]:
    text = data.decode(csv_.CODECS[encoding])
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _registry(reg: RegistryFactory) -> None:
    reg.user(
        email="user2@test-gas.example.co.jp",
        name="委託 花子",
        name_kana="イタク ハナコ",
        affiliation="TESTSUB1",
        permissions={"taxis": "1010", "loacus": "03010"},
        memo="委託先：保安業務, 夜間",
    )
    reg.user(
        email="user3@test-gas.example.co.jp", name="髙橋 一郎", permissions={"juju": "granted"}
    )


@pytest.mark.parametrize("encoding", list(Encoding))
def test_snapshot_reads_back_equal_to_the_registry(
    reg: RegistryFactory, encoding: Encoding
) -> None:
    _registry(reg)
    registry = loaded(reg)
    access = effective_access(registry)
    for system in registry.catalog.systems:
        people = holders(access, system.id)
        data = csv_.snapshot("x.csv", people, system.id, registry.catalog, encoding)
        rows = _read(data, encoding)
        assert [
            (
                r["事業者コード"],
                r["所属事業者コード"],
                r["所属事業者名"],
                r["利用者名（漢字）"],
                r["利用者名（カナ）"],
                r["メールアドレス（ID）"],
                r["権限コード"],
                r["託送情報共有サイト"],
                r["システム利用権限管理システム"],
                r["申請メモ"],
            )
            for r in rows
        ] == [
            (
                p.operator,
                p.affiliation,
                p.affiliation_name,
                p.name,
                p.name_kana,
                p.email,
                _form(system.id, p.permissions[system.id]),
                _form("info_site", p.permissions.get("info_site")),
                _form("admin_console", p.permissions.get("admin_console")),
                p.memo,
            )
            for p in people
        ]
    taxis = _read(
        csv_.snapshot("x", holders(access, "taxis"), "taxis", registry.catalog, encoding), encoding
    )
    assert {r["メールアドレス（ID）"]: r["権限コード"] for r in taxis} == {
        "user1@test-gas.example.co.jp": "1011",
        "user2@test-gas.example.co.jp": "1010",
    }
    assert taxis[1]["所属事業者名"] == "テスト委託株式会社"


def test_juju_and_the_derived_systems_read_ari_and_nashi(reg: RegistryFactory) -> None:
    """JUJU, the info-sharing site and the permission-management system are あり / なし on
    the seed's form (000 §5-1 ①), not `granted`."""
    _registry(reg)
    registry = loaded(reg)
    access = effective_access(registry)
    juju = _read(
        csv_.snapshot("x", holders(access, "juju"), "juju", registry.catalog, Encoding.UTF8),
        Encoding.UTF8,
    )
    assert [
        (r["メールアドレス（ID）"], r["権限コード"], r["託送情報共有サイト"]) for r in juju
    ] == [("user3@test-gas.example.co.jp", "あり", "あり")]
    assert juju[0]["システム利用権限管理システム"] == "なし"
    window = holders(access, "admin_console")
    console = _read(
        csv_.snapshot("x", window, "admin_console", registry.catalog, Encoding.UTF8),
        Encoding.UTF8,
    )
    assert [r["権限コード"] for r in console] == ["あり"]
    assert "granted" not in str(juju) + str(console)


def test_encodings_bom_and_line_ends(reg: RegistryFactory) -> None:
    registry = loaded(reg)
    people = holders(effective_access(registry), "taxis")
    utf8 = csv_.snapshot("x", people, "taxis", registry.catalog, Encoding.UTF8)
    cp932 = csv_.snapshot("x", people, "taxis", registry.catalog, Encoding.CP932)
    assert utf8.startswith(b"\xef\xbb\xbf")
    assert cp932.startswith("事業者コード".encode("cp932"))
    for data in (utf8, cp932):
        assert data.count(b"\r\n") == 2 and data.count(b"\n") == 2


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_formula_looking_cells_come_back_neutralised(reg: RegistryFactory, start: str) -> None:
    name = f"{start}HYPERLINK(1) 太郎" if start != "\t" else "=HYPERLINK(1) 太郎"
    reg.user(name=name, memo=f"{start}cmd|' /C calc'!A0")  # a tab only a memo may hold
    registry = loaded(reg)
    people = holders(effective_access(registry), "taxis")
    for encoding in Encoding:
        data = csv_.snapshot("x", people, "taxis", registry.catalog, encoding)
        (row,) = _read(data, encoding)
        assert row["利用者名（漢字）"] == f"'{name}"
        assert row["申請メモ"] == f"'{start}cmd|' /C calc'!A0"
        assert row["利用者名（カナ）"] == "シケン タロウ"  # other cells untouched


@pytest.mark.parametrize("login", ["=taro@test-gas.example.co.jp", "-taro@test-gas.example.co.jp"])
def test_login_ids_reach_the_import_as_the_registry_holds_them(
    reg: RegistryFactory, login: str
) -> None:
    # = and - may start a login ID (000 §5-1 note 3): an apostrophe would change the ID.
    reg.user(email=login)
    registry = loaded(reg)
    people = holders(effective_access(registry), "taxis")
    for encoding in Encoding:
        data = csv_.snapshot("x", people, "taxis", registry.catalog, encoding)
        ids = [row["メールアドレス（ID）"] for row in _read(data, encoding)]
        assert login in ids
    # A formula that could call a function keeps its guard.
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("-HYPERLINK(1)") == "'-HYPERLINK(1)"


def test_a_name_cp932_cannot_hold_is_reported_not_mangled(reg: RegistryFactory) -> None:
    reg.user(name="𠮷田 太郎", memo="〜夜間のみ—😀")
    registry = loaded(reg)
    people = holders(effective_access(registry), "taxis")
    with pytest.raises(CannotEncode) as caught:
        csv_.snapshot(
            "imports/taxis/snapshot.csv", people, "taxis", registry.catalog, Encoding.CP932
        )
    lines = [line.english() for line in caught.value.lines]
    assert len(lines) == 2
    assert lines[0].startswith(
        "imports/taxis/snapshot.csv: users/TESTOP01/user1@test-gas.example.co.jp.yaml: "
        "利用者名（漢字） holds '𠮷' (U+20BB7)"
    )
    assert (
        "申請メモ holds '〜' (U+301C; it would become '～' U+FF5E), '—' (U+2014), '😀'" in lines[1]
    )
    assert "CP932 cannot hold" in lines[0]
    utf8 = csv_.snapshot("x", people, "taxis", registry.catalog, Encoding.UTF8)
    assert "𠮷田 太郎" in utf8.decode("utf-8-sig")


def test_delta_rows_carry_kind_dates_and_the_previous_code(reg: RegistryFactory) -> None:
    _registry(reg)
    before_reg = loaded(reg)
    reg.user(permissions={"taxis": "1012", "johs": "J1010"})
    (reg.root / "users/TESTOP01/user2@test-gas.example.co.jp.yaml").unlink()
    reg.user(email="user4@test-gas.example.co.jp", name="新人 四郎", permissions={"taxis": "1010"})
    after_reg = loaded(reg)
    changes = [
        c
        for c in diff(effective_access(before_reg), effective_access(after_reg), after_reg.catalog)
        if c.system == "taxis"
    ]
    dated = [DatedChange(c, M, date(2026, 12, 9)) for c in changes]
    dated[0] = DatedChange(dated[0].change, M, None)
    data = csv_.delta("x", dated, "taxis", after_reg.catalog, Encoding.UTF8)
    rows = _read(data, Encoding.UTF8)
    assert [
        (r["区分"], r["メールアドレス（ID）"], r["権限コード"], r["変更前権限コード"], r["適用日"])
        for r in rows
    ] == [
        ("変更", "user1@test-gas.example.co.jp", "1012", "1011", ""),
        ("抹消", "user2@test-gas.example.co.jp", "1010", "", "2026-12-09"),
        ("新規", "user4@test-gas.example.co.jp", "1010", "", "2026-12-09"),
    ]
    assert {r["システム処理日（M）"] for r in rows} == {"2026-12-01"}
    assert rows[1]["所属事業者コード"] == "TESTSUB1"  # a deletion shows the person as they were


@pytest.mark.parametrize("encoding", [Encoding.UTF8, Encoding.CP932])
def test_a_delta_made_a_few_rows_at_a_time_is_the_same_bytes(
    reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch, encoding: Encoding
) -> None:
    """A first apply's deltas are written as they are made, a few rows encoded at a time:
    the file is the one made at once (the byte-order mark leads only)."""
    _registry(reg)
    for n in range(4, 9):
        reg.user(email=f"user{n}@test-gas.example.co.jp", permissions={"taxis": "1010"})
    after = loaded(reg)
    changes = [c for c in diff({}, effective_access(after), after.catalog) if c.system == "taxis"]
    dated = [DatedChange(c, M, date(2026, 12, 9)) for c in changes]
    monkeypatch.setattr(csv_, "_ROWS_PER_PIECE", 2)
    pieces = list(csv_.delta_pieces("x", dated, "taxis", after.catalog, encoding))
    assert len(pieces) == 1 + (len(dated) + 1) // 2 and len(dated) > 4
    assert b"".join(pieces) == csv_.delta("x", dated, "taxis", after.catalog, encoding)


def test_same_input_same_bytes(reg: RegistryFactory) -> None:
    _registry(reg)
    first = loaded(reg)
    second = loaded(reg)
    a = csv_.snapshot(
        "x", holders(effective_access(first), "taxis"), "taxis", first.catalog, Encoding.UTF8
    )
    b = csv_.snapshot(
        "x", holders(effective_access(second), "taxis"), "taxis", second.catalog, Encoding.UTF8
    )
    assert a == b


def test_a_suspension_is_a_row_of_its_own_and_the_id_stays_listed(reg: RegistryFactory) -> None:
    """A suspended ID leaves the imports as suspended, not deleted (001 p46, 002 §3.4.4), and
    is restored without a new application."""
    before_reg = loaded(reg)
    reg.user(suspended_on="2026-11-20")
    after_reg = loaded(reg)
    before, after = effective_access(before_reg), effective_access(after_reg)
    catalog = after_reg.catalog

    def delta(old: Access, new: Access) -> list[dict[str, str]]:
        changes = [c for c in diff(old, new, catalog) if c.system == "taxis"]
        dated = [DatedChange(c, M, date(2026, 11, 22)) for c in changes]
        return _read(csv_.delta("x", dated, "taxis", catalog, Encoding.UTF8), Encoding.UTF8)

    assert [(r["区分"], r["権限コード"], r["利用停止"]) for r in delta(before, after)] == [
        ("停止", "1011", "停止中")
    ]
    assert [(r["区分"], r["利用停止"]) for r in delta(after, before)] == [("停止解除", "")]
    snapshot = _read(
        csv_.snapshot("x", holders(after, "taxis"), "taxis", catalog, Encoding.UTF8),
        Encoding.UTF8,
    )
    assert [(r["メールアドレス（ID）"], r["利用停止"]) for r in snapshot] == [
        ("user1@test-gas.example.co.jp", "停止中")
    ]


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.text(alphabet=st.characters(codec="utf-8")), min_size=3, max_size=3),
        max_size=5,
    )
)
def test_each_rows_bytes_read_back_as_its_cells(rows: list[list[str]]) -> None:
    """Whatever a cell holds (quotes, separators, line breaks, a formula's start), each
    row's bytes are one record the csv module reads back as the cells, formulas
    neutralised."""
    parts = [csv_._Row(r, "x.yaml") for r in rows]
    made = csv_.rows_units("f.csv", ["a", "b", "c"], parts, Encoding.UTF8)
    assert len(made) == len(rows)
    for unit, row in zip(made, rows, strict=True):
        assert unit.endswith(b"\r\n")
        [back] = list(csv.reader(io.StringIO(unit.decode("utf-8"), newline="")))
        assert back == [csv_cell(c) for c in row]


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.text(alphabet=st.sampled_from([",", '"', "\r", "\n", " ", "a", "あ"])),
                 max_size=4),
        max_size=6,
    )
)  # fmt: skip
@example(rows=[[""], [], ["", ""], ["a,b"], ['"'], ["a\rb"], ["\n"], ["=1"]])
def test_each_rows_bytes_are_those_the_csv_writer_writes(rows: list[list[str]]) -> None:
    """A row whose cells need no quotes is joined without the writer: the bytes are the
    writer's all the same, a row of one empty cell (``""``) and a row of none included."""
    made = csv_.rows_units("f.csv", ["a"], [csv_._Row(r, "x.yaml") for r in rows], Encoding.UTF8)
    written = io.StringIO(newline="")
    writer = csv.writer(written, lineterminator="\r\n")
    expected = []
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
        expected.append(written.getvalue().encode("utf-8"))
        written.seek(0)
        written.truncate()
    assert made == expected


def _every_csv(registry: Registry, encoding: Encoding) -> None:
    """Every CSV a snapshot run writes of ``registry``'s holders (CannotEncode if one fails)."""
    access = effective_access(registry)
    catalog = registry.catalog
    for system in import_systems(catalog):
        csv_.snapshot("x.csv", holders(access, system), system, catalog, encoding)
    people = list(access.values())
    info_site.subscriber_units(info_site.subscribers(catalog, people), encoding)
    info_site.pages_units(catalog, people, info_site.pages(registry, access), encoding)


DASH = "—"  # U+2014: not in CP932 (its dash is U+2015)
SHOWN: list[tuple[str, tuple[str | int, ...]]] = [
    ("users/TESTOP01/user2@test-gas.example.co.jp.yaml", ("name",)),
    ("users/TESTOP01/user2@test-gas.example.co.jp.yaml", ("memo",)),
    ("operators/TESTOP01.yaml", ("name",)),
    ("operators/TESTOP01.yaml", ("subcontractors", 0, "name")),
    ("operators/TESTOP01.yaml", ("contacts", 0, "name")),
]
NOT_SHOWN: list[tuple[str, tuple[str | int, ...]]] = [
    ("operators/TESTOP01.yaml", ("ip_allowlist", 0, "reason")),
    ("operators/TESTOP01.yaml", ("certificates", 0, "location")),
    ("operators/TESTOP01.yaml", ("certificates", 0, "holder")),
]


@pytest.mark.parametrize(("rel", "path"), SHOWN + NOT_SHOWN)
def test_a_file_is_found_unwritable_exactly_where_a_csv_cell_would_fail(
    reg: RegistryFactory, rel: str, path: tuple[str | int, ...]
) -> None:
    """What ``unwritable`` checks before rendering (so that ``apply`` holds back the file
    instead of stopping) is what rendering fails on: a value shown in a CSV, and no other."""
    _registry(reg)  # a user of the subcontractor: its name is shown
    reg.operator(
        ip_allowlist=[{"cidr": "41.203.64.10/32", "reason": "拠点", "expires_on": "2099-12-31"}],
        certificates=[certificate()],
    )
    data = yaml.safe_load((reg.root / rel).read_text("utf-8"))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = f"{parent[path[-1]]}{DASH}"
    reg.write(rel, yaml.safe_dump(data, allow_unicode=True))
    registry = loaded(reg)
    if rel.startswith("operators/"):
        model: User | Operator = registry.operators["TESTOP01"].operator
    else:
        model = next(u.user for u in registry.users if u.file == rel)
    found = csv_.unwritable(rel, model, Encoding.CP932)
    assert csv_.unwritable(rel, model, Encoding.UTF8) == []
    shown = (rel, path) in SHOWN
    expected = [(rel, path, "csv-encoding")] if shown else []
    assert [(p.file, p.path, p.rule) for p in found] == expected
    if shown:
        with pytest.raises(CannotEncode):
            _every_csv(registry, Encoding.CP932)
    else:
        _every_csv(registry, Encoding.CP932)
