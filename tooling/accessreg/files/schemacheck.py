"""Check one parsed file against its JSON Schema.

A compiled validator (fastjsonschema) answers the common case, a valid file, in microseconds;
only a file it rejects goes through ``jsonschema`` to collect every violation with its path.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import fastjsonschema

if TYPE_CHECKING:
    import jsonschema

from accessreg.escape import quote
from accessreg.model.layout import Kind
from accessreg.model.problems import DataPath

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

    @functools.cached_property
    def _full(self) -> jsonschema.Draft202012Validator:
        # Only a file the fast validator rejects needs it; importing it costs ~0.1 s.
        import jsonschema

        return jsonschema.Draft202012Validator(
            self.schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )

    @functools.cached_property
    def _fast(self) -> Callable[[Any], Any]:
        # Compiled on first use: a run that takes every file from a cache compiles nothing.
        compiled: Callable[[Any], Any] = fastjsonschema.compile(_fast_form(self.schema))
        return compiled

    def compile(self) -> None:
        """Compile now (before forking workers, so that they share the compiled code)."""
        _ = self._fast

    def violations(self, data: Any) -> list[Violation]:
        try:
            self._fast(data)
            return []
        except fastjsonschema.JsonSchemaException:
            pass
        found = [v for e in self._leaves(data) for v in _violations(e)]
        # Both engines should agree; if only the fast one objects, still report it.
        return found or [((), "the file does not match its schema")]

    def _leaves(self, data: Any) -> Iterator[jsonschema.ValidationError]:
        from jsonschema.exceptions import best_match

        errors = sorted(self._full.iter_errors(data), key=lambda e: [str(p) for p in e.path])
        # A value of the wrong type (an unquoted code) also fails every other keyword of its
        # place; the type is the one thing to tell.
        mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
        for error in errors:
            if tuple(error.absolute_path) in mistyped and error.validator != "type":
                continue
            if error.context and not _consts(error):  # report the branch that got furthest
                # A branch of another type ("'2026-02-30' is not of type 'object'") did not.
                typed = [e for e in error.context if e.validator != "type"]
                yield best_match(typed or error.context)
            else:
                yield error


def _consts(error: jsonschema.ValidationError) -> list[str]:
    """The allowed values of a oneOf/anyOf of constants (a system's codes), else []."""
    branches = error.schema.get(str(error.validator), []) if isinstance(error.schema, dict) else []
    if error.validator in ("oneOf", "anyOf") and branches and all("const" in b for b in branches):
        return [str(b["const"]) for b in branches]
    return []


def _violations(error: jsonschema.ValidationError) -> Iterator[Violation]:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        # One problem per unknown key, on the key's own line.
        schema = error.schema if isinstance(error.schema, dict) else {}
        known = list(schema.get("properties", {}))
        for key in error.instance:
            if key not in known:
                yield (
                    (*path, key),
                    f"{_where(path)}unknown key {quote(key)}: expected one of {', '.join(known)}",
                )
        return
    yield path, _message(error)


def _where(path: DataPath) -> str:
    return f"{'.'.join(str(p) for p in path)}: " if path else ""


def _message(error: jsonschema.ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    prefix = _where(tuple(error.absolute_path))
    if consts := _consts(error):
        return f"{prefix}{quote(error.instance)} is not one of {', '.join(consts)}"
    if error.validator == "pattern" and "patternErrorMessage" in schema:
        return f"{prefix}{quote(error.instance)}: {schema['patternErrorMessage']}"
    if (
        error.validator == "type"
        and isinstance(error.instance, int | float)
        and (schema.get("type") == "string")
    ):
        # Not "quote it ('1033')": YAML read an unquoted 02011 as the octal number 1033.
        return (
            f"{prefix}the value is read as the number {quote(error.instance)}: quote it exactly as "
            "written (e.g. '1011'); YAML reads unquoted digits as a number"
        )
    # jsonschema's own messages repeat the whole value ("'…' is too long"): quote it capped.
    return f"{prefix}{error.message.replace(repr(error.instance), quote(error.instance))}"


@functools.lru_cache(maxsize=32)
def _checker(canonical: str) -> SchemaChecker:
    return SchemaChecker(json.loads(canonical))


def checker(schema: dict[str, Any]) -> SchemaChecker:
    """A checker for ``schema``, compiled once per process: compiling costs ~0.1 s, and a
    plan loads two or three snapshots with the same schemas."""
    return _checker(json.dumps(schema, sort_keys=True))


def checkers(schemas: dict[Kind, dict[str, Any]]) -> dict[Kind, SchemaChecker]:
    return {kind: checker(schema) for kind, schema in schemas.items()}
