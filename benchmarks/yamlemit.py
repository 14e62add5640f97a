"""Write registry YAML by hand, remembering the line of every key.

The generator needs the line of each field to say where a planted problem must be reported;
a hand-written emitter knows it for free and is several times faster than ``yaml.dump``.
Output follows the style of the sample registry: block mappings, flow lists of scalars.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

DataPath = tuple[str | int, ...]

# Strings that may stay plain: they start with a letter (or a non-ASCII character) and hold
# nothing YAML could read as structure or as another type.
_PLAIN = re.compile(r"[A-Za-z\u0080-\uffff][^\x00-\x1f#'\"{}\[\],]*")
# Digits with letters or dashes: YAML reads them as strings, unless they look like a date.
_CODE = re.compile(r"[0-9][0-9A-Za-z-]*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
# Words YAML 1.1 reads as booleans or null.
_RESERVED = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])


def scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | date):
        return str(value)  # ints are written unquoted on purpose (a planted problem)
    text = str(value)
    if _CODE.fullmatch(text) and not text.isdigit() and not _DATE.fullmatch(text):
        return text  # a phone number or a serial such as 03-0000-0101 or 4A3F09C1
    if (
        _PLAIN.fullmatch(text)
        and ": " not in text
        and not text.endswith((" ", ":"))
        and text.lower() not in _RESERVED
    ):
        return text
    return "'" + text.replace("'", "''") + "'"


def _is_records(value: object) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def emit(doc: dict[str, Any], header: str) -> tuple[list[str], dict[DataPath, int]]:
    """The lines of ``doc`` after ``header``, and the 1-based line of every key and list item."""
    lines = [header]
    where: dict[DataPath, int] = {}

    def mapping(data: dict[str, Any], indent: int, path: DataPath, lead: str | None) -> None:
        for n, (key, value) in enumerate(data.items()):
            prefix = lead if lead is not None and n == 0 else " " * indent
            where[(*path, key)] = len(lines) + 1
            if isinstance(value, dict) and not value:
                lines.append(f"{prefix}{key}: {{}}")
            elif isinstance(value, dict):
                lines.append(f"{prefix}{key}:")
                mapping(value, indent + 2, (*path, key), None)
            elif _is_records(value):
                lines.append(f"{prefix}{key}:")
                for i, item in enumerate(value):
                    where[(*path, key, i)] = len(lines) + 1
                    mapping(item, indent + 4, (*path, key, i), " " * (indent + 2) + "- ")
            elif isinstance(value, list):
                lines.append(f"{prefix}{key}: [{', '.join(scalar(v) for v in value)}]")
            else:
                lines.append(f"{prefix}{key}: {scalar(value)}")

    mapping(doc, 0, (), None)
    return lines, where
