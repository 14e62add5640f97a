"""What one duty returns: notices, tables for CSV, and problems with its inputs."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from accessreg.escape import csv_cell
from accessreg.model.problems import Problem
from accessreg.scheduled.keyed_notices import Document, Notice


@dataclass(frozen=True)
class Table:
    """A CSV output: ``name`` is its file name without the extension."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def encode(self) -> bytes:
        """UTF-8 with a BOM and CRLF, formula-looking cells neutralised, as the import files."""
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.header)
        writer.writerows([csv_cell(cell) for cell in row] for row in self.rows)
        return buffer.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class Outcome:
    notices: tuple[Notice, ...] = ()
    tables: tuple[Table, ...] = ()
    files: tuple[Document, ...] = ()  # outputs rendered already (e.g. the inventory CSVs)
    problems: tuple[Problem, ...] = field(default=())
