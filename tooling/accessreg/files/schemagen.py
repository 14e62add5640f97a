"""Generate the JSON Schemas of ``schemas/`` from the models and the catalog.

The models are the one source of truth for shape; the catalog adds what it owns (system ids,
permission codes with their labels). ``accessreg schemas`` writes the files; validation uses
the same function, and a check reports committed schemas that have gone stale.

The committed files speak Japanese (``lang``): editors show their descriptions as a window
person types, and a failed pattern in the words ``validate`` uses for it (one sentence per
pattern: ``schemacheck.PATTERNS``). Validation's own schemas need neither, and stay as the
models write them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from accessreg import i18n
from accessreg.files.schemacheck import (
    PATTERNS,
    SchemaChecker,
    compiled,
    field_name,
    pattern_sentence,
)
from accessreg.model import Catalog
from accessreg.model.kinds import MODELS
from accessreg.model.layout import Kind, schema_file
from accessreg.model.messages import Message, msg

DRAFT = "https://json-schema.org/draft/2020-12/schema"
TITLES = {
    Kind.CATALOG: msg("accessreg catalog of downstream systems (registry/systems.yaml)"),
    Kind.OPERATOR: msg("accessreg operator (registry/operators/<CODE>.yaml)"),
    Kind.USER: msg("accessreg user (registry/users/<CODE>/<e-mail>.yaml)"),
    Kind.MAINTAINERS: msg("accessreg maintainers (registry/maintainers.yaml)"),
    Kind.CALENDAR: msg("accessreg reception-centre calendar (registry/calendar.yaml)"),
}
# The language of the committed schemas.
LANG = i18n.DEFAULT


class _Generator(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _walk(node: Any) -> None:
    """Drop titles, everywhere in the schema."""
    if isinstance(node, dict):
        node.pop("title", None)
        for value in node.values():
            _walk(value)
    elif isinstance(node, list):
        for value in node:
            _walk(value)


_DEFS = "#/$defs/"


def _localize(schema: dict[str, Any], lang: str, user: bool) -> None:
    """Every description in ``lang`` (the catalog's, from the models' English), and a failed
    pattern of a field said as ``validate`` says it (yaml-language-server shows
    ``patternErrorMessage``): its field named by the keys down to it, a definition's by
    those of the field that holds it (``subcontractors``' code is a subcontractor code), a
    user's (``user``) as the user form names it."""
    defs: dict[str, Any] = schema.get("$defs", {})
    done: set[str] = set()

    def walk(node: Any, keys: tuple[str, ...]) -> None:
        if isinstance(node, list):
            for value in node:
                walk(value, keys)
            return
        if not isinstance(node, dict):
            return
        if isinstance(text := node.get("description"), str):
            node["description"] = i18n.translate(text, lang)
        if isinstance(pattern := node.get("pattern"), str) and pattern in PATTERNS:
            said = pattern_sentence(pattern, field_name(keys, user=user))
            node["patternErrorMessage"] = i18n.text(said, lang)
        ref = node.get("$ref")
        name = ref.removeprefix(_DEFS) if isinstance(ref, str) else None
        if name in defs and name not in done:
            done.add(name)
            walk(defs[name], keys)
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for field, sub in value.items():
                    walk(sub, (*keys, field))
            elif key != "$defs":  # a definition is walked as the field that holds it
                walk(value, keys)

    walk(schema, ())
    for name, node in defs.items():  # held by no field
        if name not in done:
            done.add(name)
            walk(node, ())


def _permissions_schema(catalog: Catalog, say: Callable[[Message | str], str]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for system in catalog.systems:
        if system.level != "user":
            continue  # used by the operator as a whole: no user holds a code
        codes = []
        for code in system.codes:
            label: Message | str = code.label
            if code.abolished_on:
                label = msg("{label} — abolished {day}", label=code.label, day=code.abolished_on)
            codes.append({"const": code.code, "description": say(label)})
        description: Message | str = f"{system.name_ja} ({system.name_en})"
        if system.derived:
            description = msg(
                "{system} — granted by the system operator; cannot be applied for",
                system=description,
            )
        properties[system.id] = {
            # The system's name on the forms, which a message on its value names it by.
            "title": system.name_ja,
            "type": "string",
            "oneOf": codes,
            "description": say(description),
        }
    return {
        "type": "object",
        "description": say(msg("System id → permission code (a string: quote numeric codes).")),
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


def generate(kind: Kind, catalog: Catalog | None, lang: str | None = None) -> dict[str, Any]:
    """The schema of one kind of file; those that depend on the catalog need it. ``lang``:
    its texts in that language, for editors (``LANG`` for the committed files); None: as
    the models write them, for validation."""
    say = functools.partial(i18n.text, lang=lang or "en", cap=False)
    body: dict[str, Any] = json.loads(_model_schema(kind))
    if catalog is not None:
        ids = [s.id for s in catalog.systems]
        applied = [s.id for s in catalog.applied_systems]
        if kind is Kind.USER:
            body["properties"]["permissions"] = _permissions_schema(catalog, say)
        elif kind is Kind.OPERATOR:
            body["properties"]["systems"]["items"] = {"enum": applied}
            cert = body["$defs"]["Certificate"]["properties"]["systems"]
            cert["items"] = {"enum": ids}
            for name in ("Approval", "SystemSuspension", "AdminReissue"):
                body["$defs"][name]["properties"]["system"] = {"enum": applied}
    if lang is not None:
        _localize(body, lang, kind is Kind.USER)
    return {"$schema": DRAFT, "$id": schema_file(kind), "title": say(TITLES[kind]), **body}


def generate_all(catalog: Catalog, lang: str | None = None) -> dict[Kind, dict[str, Any]]:
    return {kind: generate(kind, catalog, lang) for kind in Kind}


@dataclass(frozen=True)
class Checks:
    """What the files of a registry of one catalog are checked against: each kind's
    validation schema compiled, and ``text``, those schemas as one canonical text (what
    the parse cache's namespace digests: a file parsed against other schemas is another
    entry)."""

    checkers: Mapping[Kind, SchemaChecker]
    text: str


def checks(catalog: Catalog) -> Checks:
    """The ``Checks`` of ``catalog``, made once per catalog: a run loads its registry at
    every merge of its range, and a load generated, serialized and compiled them again
    each time (about a tenth of an apply on a small registry). Loads of the same content
    share one catalog (``loading.load_catalog``), so it is known by its identity (kept
    with it, so that an id is never taken for another catalog's)."""
    found = _CHECKS.get(id(catalog))
    if found is not None and found[0] is catalog:
        return found[1]
    canonical = {kind: json.dumps(s, sort_keys=True) for kind, s in generate_all(catalog).items()}
    made = Checks(
        {kind: compiled(text) for kind, text in canonical.items()},
        json.dumps(
            {str(kind): json.loads(text) for kind, text in canonical.items()}, sort_keys=True
        ),
    )
    if len(_CHECKS) >= 8:
        _CHECKS.clear()
    _CHECKS[id(catalog)] = (catalog, made)
    return made


_CHECKS: dict[int, tuple[Catalog, Checks]] = {}


def dumps(schema: dict[str, Any]) -> str:
    """The committed text of a schema: stable, readable, ending with a newline."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def wanted(catalog: Catalog, schemas: Path) -> dict[Path, str]:
    """Every schema file of ``schemas`` with the text it should hold."""
    return {
        schemas / schema_file(kind): dumps(schema)
        for kind, schema in generate_all(catalog, LANG).items()
    }
