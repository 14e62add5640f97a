"""Generate the JSON Schemas of ``schemas/`` from the models and the catalog.

The models are the one source of truth for shape; the catalog adds what it owns (system ids,
permission codes with their labels). ``accessreg schemas`` writes the files; validation uses
the same function, and a check reports committed schemas that have gone stale.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from accessreg.files import generated
from accessreg.model import Catalog
from accessreg.model.base import KANA_MESSAGE, LOGIN_ID_MESSAGE, SERIAL_MESSAGE
from accessreg.model.kinds import MODELS
from accessreg.model.layout import Kind, schema_file

DRAFT = "https://json-schema.org/draft/2020-12/schema"
TITLES = {
    Kind.CATALOG: "accessreg catalog of downstream systems (registry/systems.yaml)",
    Kind.OPERATOR: "accessreg operator (registry/operators/<CODE>.yaml)",
    Kind.USER: "accessreg user (registry/users/<CODE>/<e-mail>.yaml)",
    Kind.MAINTAINERS: "accessreg maintainers (registry/maintainers.yaml)",
    Kind.CALENDAR: "accessreg reception-centre calendar (registry/calendar.yaml)",
}
# Messages editors show for a failed pattern (yaml-language-server's patternErrorMessage).
PATTERN_MESSAGES = {
    "email": LOGIN_ID_MESSAGE,
    "serial": SERIAL_MESSAGE,
    "name_kana": KANA_MESSAGE,
}


class _Generator(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _walk(node: Any) -> None:
    """Drop titles and attach pattern messages, everywhere in the schema."""
    if isinstance(node, dict):
        node.pop("title", None)
        props = node.get("properties")
        if isinstance(props, dict):
            for name, sub in props.items():
                if name in PATTERN_MESSAGES and isinstance(sub, dict) and "pattern" in sub:
                    sub["patternErrorMessage"] = PATTERN_MESSAGES[name]
        for value in node.values():
            _walk(value)
    elif isinstance(node, list):
        for value in node:
            _walk(value)


def _permissions_schema(catalog: Catalog) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for system in catalog.systems:
        if system.level != "user":
            continue  # used by the operator as a whole: no user holds a code
        codes = []
        for code in system.codes:
            note = f" — abolished {code.abolished_on}" if code.abolished_on else ""
            codes.append({"const": code.code, "description": f"{code.label}{note}"})
        description = f"{system.name_ja} ({system.name_en})"
        if system.derived:
            description += " — granted by the system operator; cannot be applied for"
        properties[system.id] = {"type": "string", "oneOf": codes, "description": description}
    return {
        "type": "object",
        "description": "System id → permission code (a string: quote numeric codes).",
        "properties": properties,
        "additionalProperties": False,
    }


@functools.cache
def _model_schema(kind: Kind) -> str:
    # Generating a schema from a model takes ~25 ms, and loading a snapshot needs all of
    # them: generate each once per process, hand out fresh copies (callers edit them).
    body = MODELS[kind].model_json_schema(schema_generator=_Generator)
    _walk(body)
    return json.dumps(body)


def generate(kind: Kind, catalog: Catalog | None) -> dict[str, Any]:
    """The schema of one kind of file; those that depend on the catalog need it."""
    body: dict[str, Any] = json.loads(_model_schema(kind))
    if catalog is not None:
        ids = [s.id for s in catalog.systems]
        applied = [s.id for s in catalog.applied_systems]
        if kind is Kind.USER:
            body["properties"]["permissions"] = _permissions_schema(catalog)
        elif kind is Kind.OPERATOR:
            body["properties"]["systems"]["items"] = {"enum": applied}
            cert = body["$defs"]["Certificate"]["properties"]["systems"]
            cert["items"] = {"enum": ids}
            for name in ("Approval", "SystemSuspension", "AdminReissue"):
                body["$defs"][name]["properties"]["system"] = {"enum": applied}
    return {"$schema": DRAFT, "$id": schema_file(kind), "title": TITLES[kind], **body}


def generate_all(catalog: Catalog) -> dict[Kind, dict[str, Any]]:
    return {kind: generate(kind, catalog) for kind in Kind}


def dumps(schema: dict[str, Any]) -> str:
    """The committed text of a schema: stable, readable, ending with a newline."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def wanted(catalog: Catalog, schemas: Path) -> dict[Path, str]:
    """Every schema file of ``schemas`` with the text it should hold."""
    return {
        schemas / schema_file(kind): dumps(schema) for kind, schema in generate_all(catalog).items()
    }


def stale(catalog: Catalog, schemas: Path) -> list[str]:
    """The names of the schema files of ``schemas`` that differ from what is generated (or
    are missing)."""
    return [path.name for path in generated.stale(wanted(catalog, schemas))]
