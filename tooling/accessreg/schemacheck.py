"""Check one parsed file against its JSON Schema.

A compiled validator (fastjsonschema) answers the common case, a valid file, in microseconds;
only a file it rejects goes through ``jsonschema`` to collect every violation with its path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import fastjsonschema
import jsonschema

from accessreg.layout import Kind
from accessreg.problems import DataPath

Violation = tuple[DataPath, str]


def _fast_form(schema: dict[str, Any]) -> dict[str, Any]:
    # fastjsonschema knows drafts 4-7; the keywords these schemas use mean the same there.
    body: dict[str, Any] = _enums({k: v for k, v in schema.items() if k not in ("$schema", "$id")})
    return body


def _enums(node: Any) -> Any:
    """The schema with every ``oneOf`` of distinct constants written as the ``enum`` it means.

    The catalog's permission codes are such lists (each code with its label). fastjsonschema
    checks ``oneOf`` by trying every branch and raising for each mismatch, a large share of
    the time to check a valid file; an ``enum`` is one membership test.
    """
    if isinstance(node, list):
        return [_enums(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _enums(v) for k, v in node.items()}
    branches = node.get("oneOf")
    if (
        isinstance(branches, list)
        and branches
        and "enum" not in node
        and all(
            isinstance(b, dict) and "const" in b and b.keys() <= _ANNOTATED_CONST for b in branches
        )
    ):
        consts = [b["const"] for b in branches]
        if all(type(c) is str for c in consts) and len(set(consts)) == len(consts):
            del out["oneOf"]
            out["enum"] = consts
    return out


_ANNOTATED_CONST = {"const", "description", "title"}


class SchemaChecker:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self._fast: Callable[[Any], Any] = fastjsonschema.compile(_fast_form(schema))
        self._full = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )

    def violations(self, data: Any) -> list[Violation]:
        try:
            self._fast(data)
            return []
        except fastjsonschema.JsonSchemaException:
            pass
        found = [(tuple(e.absolute_path), _message(e)) for e in self._leaves(data)]
        # Both engines should agree; if only the fast one objects, still report it.
        return found or [((), "the file does not match its schema")]

    def _leaves(self, data: Any) -> Iterator[jsonschema.ValidationError]:
        for error in sorted(self._full.iter_errors(data), key=lambda e: list(e.absolute_path)):
            if error.context:  # oneOf/anyOf: report the branch that got furthest
                yield jsonschema.exceptions.best_match(error.context)
            else:
                yield error


def _message(error: jsonschema.ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    where = ".".join(str(p) for p in error.absolute_path)
    prefix = f"{where}: " if where else ""
    if error.validator == "pattern" and "patternErrorMessage" in schema:
        return f"{prefix}{error.instance!r}: {schema['patternErrorMessage']}"
    if (
        error.validator == "type"
        and isinstance(error.instance, int | float)
        and (schema.get("type") == "string")
    ):
        return (
            f"{prefix}{error.instance!r} must be a string: quote it ('{error.instance}'); "
            "YAML reads unquoted digits as a number"
        )
    if error.validator == "additionalProperties":
        return f"{prefix}{error.message} (check the spelling against the schema)"
    return f"{prefix}{error.message}"


def checkers(schemas: dict[Kind, dict[str, Any]]) -> dict[Kind, SchemaChecker]:
    return {kind: SchemaChecker(schema) for kind, schema in schemas.items()}
