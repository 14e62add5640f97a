"""Import files for the authentication systems: the seed's application form as CSV.

One file per system: a full snapshot (reconciliation, inventory) and deltas of new / change /
delete rows per processing day M (000 §5-1 ③; OCCTO's systems have no M: per day they take
effect), and of suspensions and their lifting, which keep the ID and are in no batch: at
once, one file per day, with no M (001 p46, 002 §3.4.4).
UTF-8 with a BOM by default, CP932 on request (Excel and Japanese back-office tools); both
with CRLF line ends (RFC 4180). A character CP932 cannot encode is reported, never replaced.
Cells a spreadsheet would run as a formula are prefixed with an apostrophe (the OWASP advice
for CSV injection), except login IDs, which must reach the authentication system as the
registry holds them (``escape.csv_cell``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from accessreg.errors import ProblemsFound
from accessreg.escape import csv_row
from accessreg.model import Catalog, Operator, User
from accessreg.model.changes import ChangeKind
from accessreg.model.messages import Lines, Message, msg
from accessreg.model.problems import DataPath, Problem, problem
from accessreg.outputs.access import AccessChange, Holder, Shown, form_row, none_shown


class Encoding(StrEnum):
    UTF8 = "utf-8"  # written with a byte-order mark so that Excel detects it
    CP932 = "cp932"


CODECS = {Encoding.UTF8: "utf-8-sig", Encoding.CP932: "cp932"}
KIND_LABELS = {
    ChangeKind.ADD: "新規",
    ChangeKind.CHANGE: "変更",
    ChangeKind.REMOVE: "抹消",
    ChangeKind.SUSPEND: "停止",
    ChangeKind.RESTORE: "停止解除",
}

# The application form's words (000 §5-1 ①) for what every CSV of the tool may show: a
# column of the same thing has the same heading in each (the scheduled duties' tables too).
OPERATOR_CODE = "事業者コード"
OPERATOR_NAME = "事業者名"
LOGIN_ID = "メールアドレス（ID）"
# The labels of the application form's fields (000 §5-1 ①): one per cell of access.form_row
# before the derived systems' codes.
PERSON_HEADER = (
    OPERATOR_CODE,
    OPERATOR_NAME,
    "所属事業者コード",
    "所属事業者名",
    "利用者名（漢字）",
    "利用者名（カナ）",
    LOGIN_ID,
    "権限コード",
)
MEMO_HEADER = "申請メモ"
# A suspended permission stays listed, marked (001 p46, 002 §3.4.4): stopped, not deleted.
SUSPENDED_HEADER = "利用停止"
DELTA_HEADER = ("区分", "適用日", "システム処理日（M）")
PREVIOUS_HEADER = "変更前権限コード"


class CannotEncode(ProblemsFound):
    """Cells that the requested encoding cannot hold; nothing is written."""

    def __init__(self, lines: Sequence[Message]) -> None:
        super().__init__(
            msg(
                "Nothing was written: some cells cannot be written in the encoding asked "
                "for:\n{lines}",
                lines=Lines(lines),
            )
        )
        self.lines = list(lines)


@dataclass(frozen=True, slots=True)  # one per changed holder and system: 500,000 in a first apply
class DatedChange:
    change: AccessChange
    # None: in no batch (a suspension, at once, 001 p46; a change of TAXIS or JOHS, a
    # deletion, 000 §5-2 ①, §5-3; a usage application's row, a window person's or a
    # termination's, 000 §3-1..§3-3; a system with no M, OCCTO's)
    processing_day: date | None
    effective: date | None  # None: after a manual step of the system operator
    # A directory's stage only, no row of the import files: a suspension stopped at once
    # what a removal applied before still takes away, whose own row ends it on that day
    # (``provision.merges._removals``), and the directory's suspended group leaves with it
    directory_only: bool = False


def _person_cells(person: Holder, system: str, catalog: Catalog) -> list[str]:
    return list(form_row(person, catalog.by_id[system], catalog.derived_systems))


def _header(catalog: Catalog) -> list[str]:
    return [
        *PERSON_HEADER,
        *(s.name_ja for s in catalog.derived_systems),
        SUSPENDED_HEADER,
        MEMO_HEADER,
    ]


@dataclass(frozen=True)
class _Row:
    cells: list[str]
    file: str  # the registry file the row comes from, for messages


class _Lines:
    """Where a CSV writer puts each row it writes, as text: taken from there row by row (a
    buffer read and emptied after every row took a third of the time)."""

    __slots__ = ("write",)

    def __init__(self, written: list[str]) -> None:
        self.write = written.append


def _writer(written: list[str]) -> Any:
    return csv.writer(_Lines(written), lineterminator="\r\n")


def _plain_line(cells: Sequence[str]) -> str | None:
    """The row as ``_writer`` writes it, where no cell needs quotes (no comma, quote or
    line break, and not a row of one empty cell, which it writes as ``""``): the cells
    joined. None: the writer writes it (a share renders 680,000 rows in a first apply, and
    the writer's call and the emptying of its list cost more than the join)."""
    line = ",".join(cells)
    if (
        line.count(",") != len(cells) - 1
        or '"' in line
        or "\r" in line
        or "\n" in line
        or (not line and len(cells) == 1)
    ):
        return None
    return line + "\r\n"


def header_bytes(header: Sequence[str], encoding: Encoding) -> bytes:
    """The header line, as a file starts (UTF-8 with its byte-order mark). A heading that
    is not the tool's own is a name of the catalog's (a derived system's, a page's):
    CannotEncode where the encoding cannot hold it."""
    codec = CODECS[encoding]
    failures = [
        msg(
            "The heading {column} (a name in the catalog, systems.yaml) holds {characters}, "
            "which {encoding} cannot hold; use --encoding utf-8 or another character",
            column=column,
            characters=tuple(bad),
            encoding=encoding.upper(),
        )
        for column in header
        if encoding is not Encoding.UTF8
        and not column.isascii()
        and (bad := _unencodable(column, codec))
    ]
    if failures:
        raise CannotEncode(failures)
    written: list[str] = []
    _writer(written).writerow(header)
    return "".join(written).encode(codec)


def rows_bytes(
    label: str, header: Sequence[str], rows: Iterable[_Row], encoding: Encoding
) -> bytes:
    """The rows alone: rows encoded apart and joined after the header are the same bytes as
    the file encoded at once (both codecs are stateless; the byte-order mark leads only).
    UTF-8 holds every character: its rows are written and encoded at once."""
    if encoding is not Encoding.UTF8:
        return b"".join(rows_units(label, header, rows, encoding))
    written: list[str] = []
    _writer(written).writerows(csv_row(row.cells) for row in rows)
    return "".join(written).encode("utf-8")


def rows_units(
    label: str, header: Sequence[str], rows: Iterable[_Row], encoding: Encoding
) -> list[bytes]:
    """Each row's bytes on its own (a snapshot's share keeps its holders' rows apart)."""
    written: list[str] = []
    writer = _writer(written)
    failures: list[Message] = []
    codec = CODECS[encoding]
    name = "utf-8" if encoding is Encoding.UTF8 else codec
    strict = encoding is not Encoding.UTF8  # UTF-8 holds every character the registry can
    units = []
    for row in rows:
        cells = csv_row(row.cells)
        for column, cell in zip(header, cells, strict=True) if strict else ():
            bad = [] if cell.isascii() else _unencodable(cell, codec)
            if bad:
                failures.append(
                    msg(
                        "{file}: {source}: {column} holds {characters}, which {encoding} "
                        "cannot hold; use --encoding utf-8 or another character",
                        file=label,
                        source=row.file,
                        column=column,
                        characters=tuple(bad),
                        encoding=encoding.upper(),
                    )
                )
        line = _plain_line(cells)
        if line is None:
            writer.writerow(cells)
            line = "".join(written)  # one string a row, as the writer writes it
            written.clear()
        if not failures:
            units.append(line.encode(name))
    if failures:
        raise CannotEncode(failures)
    return units


def _encode(label: str, header: list[str], rows: Iterable[_Row], encoding: Encoding) -> bytes:
    return header_bytes(header, encoding) + rows_bytes(label, header, rows, encoding)


def table(
    label: str, header: Sequence[str], rows: Iterable[tuple[Sequence[str], str]], encoding: Encoding
) -> bytes:
    """Any other table as these files are written: ``rows`` of (cells, registry file)."""
    return _encode(label, list(header), (_Row(list(c), f) for c, f in rows), encoding)


def table_units(
    label: str, header: Sequence[str], rows: Iterable[tuple[Sequence[str], str]], encoding: Encoding
) -> list[bytes]:
    """Each row of such a table, apart."""
    return rows_units(label, header, (_Row(list(c), f) for c, f in rows), encoding)


def _unencodable(cell: str, codec: str) -> list[Message]:
    """The characters of ``cell`` that would not come back as written, described."""
    if _round_trips(cell, codec):
        return []
    found = []
    for ch in dict.fromkeys(ch for ch in cell if not _round_trips(ch, codec)):
        try:
            instead = ch.encode(codec).decode(codec)
        except UnicodeEncodeError:
            found.append(msg("'{char}' (U+{code})", char=ch, code=f"{ord(ch):04X}"))
        else:  # a best-fit mapping: it would silently become another character
            found.append(
                msg(
                    "'{char}' (U+{code}; it would become '{instead}' U+{instead_code})",
                    char=ch,
                    code=f"{ord(ch):04X}",
                    instead=instead,
                    instead_code=f"{ord(instead):04X}",
                )
            )
    return found


# Where the values of the registry's files show in the CSVs (``access.form_row``, the
# info-sharing site's subscribers): each one's data path and a column that shows it. The
# other fields are codes and choices of ASCII, or show in no CSV (a reading of the
# operator's name, a certificate's location, the reason for an address).
_NAME, _KANA = PERSON_HEADER[4], PERSON_HEADER[5]
AFFILIATION_NAME = PERSON_HEADER[3]


def _user_values(user: User) -> Iterator[tuple[DataPath, str, str]]:
    yield ("email",), LOGIN_ID, user.email
    yield ("name",), _NAME, user.name
    yield ("name_kana",), _KANA, user.name_kana
    yield ("memo",), MEMO_HEADER, user.memo or ""


def _operator_values(op: Operator) -> Iterator[tuple[DataPath, str, str]]:
    yield ("name",), OPERATOR_NAME, op.name
    for i, sub in enumerate(op.subcontractors):
        yield ("subcontractors", i, "name"), AFFILIATION_NAME, sub.name
    for i, person in enumerate(op.contacts):  # window persons: holders and subscribers
        yield ("contacts", i, "email"), LOGIN_ID, person.email
        yield ("contacts", i, "name"), _NAME, person.name
        yield ("contacts", i, "name_kana"), _KANA, person.name_kana


def unwritable(rel: str, model: User | Operator, encoding: Encoding) -> list[Problem]:
    """The values of a user's or an operator's file (``rel``) that a CSV would show and
    ``encoding`` cannot hold, each where it stands in the file: checked before anything is
    rendered, so that the file is held back (``provision.holding``) and not the run."""
    if encoding is Encoding.UTF8:  # holds every character the registry can
        return []
    codec = CODECS[encoding]
    values = _user_values(model) if isinstance(model, User) else _operator_values(model)
    found = []
    for path, column, value in values:
        bad = [] if value.isascii() else _unencodable(value, codec)
        if bad:
            found.append(
                problem(
                    rel,
                    "csv-encoding",
                    msg(
                        "{column} holds {characters}, which {encoding} cannot hold: the CSVs "
                        "are written in {encoding}; use another character, or --encoding utf-8",
                        column=column,
                        characters=tuple(bad),
                        encoding=encoding.upper(),
                    ),
                    path,
                )
            )
    return found


def _round_trips(text: str, codec: str) -> bool:
    try:
        return text.encode(codec).decode(codec) == text
    except UnicodeEncodeError:
        return False


def snapshot_header(catalog: Catalog, encoding: Encoding) -> bytes:
    return header_bytes(_header(catalog), encoding)


def snapshot_rows(
    label: str, people: Iterable[Holder], system: str, catalog: Catalog, encoding: Encoding
) -> bytes:
    """The rows of ``people`` in a snapshot (the snapshot is its header, then the rows of
    each operator's holders in operator order)."""
    rows = (_Row(_person_cells(p, system, catalog), p.file) for p in people)
    return rows_bytes(label, _header(catalog), rows, encoding)


def snapshot_units(
    label: str, people: Iterable[Holder], system: str, catalog: Catalog, encoding: Encoding
) -> list[bytes]:
    """Each of ``people``'s row in a snapshot, apart."""
    rows = (_Row(_person_cells(p, system, catalog), p.file) for p in people)
    return rows_units(label, _header(catalog), rows, encoding)


def snapshot(
    label: str, people: Iterable[Holder], system: str, catalog: Catalog, encoding: Encoding
) -> bytes:
    """Every holder of ``system``'s permissions, as the application form shows them."""
    return snapshot_header(catalog, encoding) + snapshot_rows(
        label, people, system, catalog, encoding
    )


def delta(
    label: str, changes: Iterable[DatedChange], system: str, catalog: Catalog, encoding: Encoding
) -> bytes:
    """New / change / delete rows: a deletion shows the person as they were."""
    return _encode(label, _delta_header(catalog), _delta_rows(changes, system, catalog), encoding)


# Rows encoded together by ``delta_pieces``: few enough to hold, many enough to encode at once.
_ROWS_PER_PIECE = 2_000


def delta_pieces(
    label: str,
    changes: Iterable[DatedChange],
    system: str,
    catalog: Catalog,
    encoding: Encoding,
    shown: Shown = none_shown,
) -> Iterator[bytes]:
    """:func:`delta`'s bytes a few rows at a time (the codecs are stateless: the same
    bytes), for a delta that cannot fail to encode (a first apply's, whose cells the
    snapshots hold): it lists every holder, and is written as it is made. ``shown``: a
    holder's row of the system's snapshot as a share already holds it; a row with no
    earlier code is then that row between the change's cells and an empty last cell."""
    header = _delta_header(catalog)
    yield header_bytes(header, encoding)
    heads: dict[tuple[str, ...], bytes] = {}  # the change's cells, a comma after them
    made: list[DatedChange] = []  # rows made from their cells, not yet encoded
    for dated in changes:
        row = None if _previous(dated, system, catalog) else shown(dated.change.person)
        if row is None:
            made.append(dated)
            if len(made) == _ROWS_PER_PIECE:
                yield rows_bytes(label, header, _delta_rows(made, system, catalog), encoding)
                made = []
            continue
        if made:
            yield rows_bytes(label, header, _delta_rows(made, system, catalog), encoding)
            made = []
        cells = _change_cells(dated)
        if cells not in heads:
            line = rows_bytes(label, DELTA_HEADER, [_Row(list(cells), "")], encoding)
            heads[cells] = line[: -len(_LINE_END)] + b","
        yield heads[cells] + row[: -len(_LINE_END)] + b"," + _LINE_END
    if made:
        yield rows_bytes(label, header, _delta_rows(made, system, catalog), encoding)


_LINE_END = b"\r\n"


def _change_cells(dated: DatedChange) -> tuple[str, ...]:
    """The delta's cells before the person's: the kind of change and its days."""
    return (
        KIND_LABELS[dated.change.kind],
        dated.effective.isoformat() if dated.effective else "",
        dated.processing_day.isoformat() if dated.processing_day else "",
    )


def _previous(dated: DatedChange, system: str, catalog: Catalog) -> str:
    """The delta's last cell: the code a change replaces."""
    change = dated.change
    if change.kind is ChangeKind.CHANGE and change.before:
        return catalog.by_id[system].shown(change.before.code(system))
    return ""


def _delta_header(catalog: Catalog) -> list[str]:
    return [*DELTA_HEADER, *_header(catalog), PREVIOUS_HEADER]


def _delta_rows(changes: Iterable[DatedChange], system: str, catalog: Catalog) -> Iterator[_Row]:
    for dated in changes:
        person = dated.change.person
        cells = [
            *_change_cells(dated),
            *_person_cells(person, system, catalog),
            _previous(dated, system, catalog),
        ]
        yield _Row(cells, person.file)
