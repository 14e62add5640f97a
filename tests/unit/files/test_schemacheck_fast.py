"""The compiled schema check accepts exactly what the full JSON Schema check accepts.

The compiled form writes the catalog's ``oneOf`` lists of permission codes as ``enum``s, which
is faster to check; a file it rejects goes to ``jsonschema`` for the messages.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import pytest
import yaml

from accessreg.files import schemagen
from accessreg.files.loading import load_catalog
from accessreg.files.schemacheck import SchemaChecker, _fast_form
from accessreg.files.sources import DirectorySource
from accessreg.model.layout import Kind

ROOT = Path(__file__).resolve().parents[3]
CODES: list[Any] = ["1010", "1011", "1110", "J1010", "granted", "admin", "user", "02010"]
ODD_VALUES: list[Any] = [1010, 2010, None, True, [], {}, "", "1010 ", "ADMIN", 1010.0]


@pytest.fixture(scope="module")
def schemas() -> dict[Kind, dict[str, Any]]:
    source = DirectorySource(ROOT / "registry")
    catalog, _ = load_catalog(source, source.paths())
    assert catalog is not None
    return schemagen.generate_all(catalog)


def _users() -> list[dict[str, Any]]:
    base = [yaml.safe_load(p.read_text()) for p in sorted((ROOT / "registry").glob("users/*/*"))]
    variants = []
    for system in ("taxis", "johs", "juju", "loacus", "switching", "member_portal", "info_site"):
        for value in CODES + ODD_VALUES:
            user = copy.deepcopy(base[0])
            user["permissions"] = {system: value}
            variants.append(user)
    return base + variants


def test_codes_become_enums_in_the_compiled_form(schemas: dict[Kind, dict[str, Any]]) -> None:
    fast = _fast_form(schemas[Kind.USER])
    taxis = fast["properties"]["permissions"]["properties"]["taxis"]
    assert taxis["enum"] == ["1010", "1011", "1012", "1110"]
    assert "oneOf" not in taxis
    # the schema itself, written to schemas/ and used for messages, keeps its labels
    assert "oneOf" in schemas[Kind.USER]["properties"]["permissions"]["properties"]["taxis"]


def test_compiled_and_full_checks_agree(schemas: dict[Kind, dict[str, Any]]) -> None:
    schema = schemas[Kind.USER]
    compiled = fastjsonschema.compile(_fast_form(schema))
    full = jsonschema.Draft202012Validator(schema)
    checker = SchemaChecker(schema)
    for user in _users():
        try:
            compiled(user)
            accepted = True
        except fastjsonschema.JsonSchemaException:
            accepted = False
        assert accepted == full.is_valid(user), user
        assert (checker.violations(user) == []) == accepted, user


def test_a_oneof_that_is_not_a_list_of_distinct_constants_is_kept() -> None:
    repeated = {"oneOf": [{"const": "a"}, {"const": "a"}]}
    mixed = {"oneOf": [{"const": "a"}, {"type": "integer"}]}
    numbers = {"oneOf": [{"const": 1}, {"const": True}]}
    for schema in (repeated, mixed, numbers):
        assert _fast_form(schema) == schema


def test_each_missing_key_is_told_once(schemas: dict[Kind, dict[str, Any]]) -> None:
    """jsonschema reports each missing key apart, each report naming every required key:
    a file missing four keys was told each of them four times."""
    found = SchemaChecker(schemas[Kind.USER]).violations({"email": "a@example.jp"})
    missing = [m.params[0][1] for _, m in found if m.text.startswith("`{key}`")]
    assert sorted(missing) == ["affiliation", "name", "name_kana", "permissions"]
