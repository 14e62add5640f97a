"""Round-trip YAML editing: the one home of ruamel.yaml. Reading for validation is
``files.yamlsafe``'s.

An edited file keeps its comments, key order and quoting; a new file gets the schema modeline
and the layout of the sample registry: two-space indents, short lists and subcontractors in
flow style, permission codes quoted.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any, cast

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    LiteralScalarString,
    ScalarString,
    SingleQuotedScalarString,
)

from accessreg.escape import unsafe_characters
from accessreg.model import layout
from accessreg.model.layout import Kind
from accessreg.model.messages import Message, msg

Document = CommentedMap


class NotEditable(Exception):  # noqa: N818 - carried as data, not a crash
    """The file is not a YAML mapping that can be edited in place; ``why`` says so."""

    def __init__(self, why: Message) -> None:
        super().__init__(why.english())
        self.why = why


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096  # never fold a long Japanese line
    return y


def load(raw: bytes) -> Document:
    try:
        doc = _yaml().load(raw)
    except YAMLError:
        raise NotEditable(
            msg("it is not written as YAML should be: correct the file by hand first")
        ) from None
    if not isinstance(doc, CommentedMap):
        raise NotEditable(msg("it does not hold keys with their values: correct it by hand first"))
    return doc


def dump(doc: Document) -> bytes:
    out = io.BytesIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def without_keys(raw: bytes, mapping: str, keys: Iterable[str]) -> bytes:
    """``raw`` with ``keys`` removed from the top-level mapping named ``mapping``, every
    comment and quote kept."""
    yaml = _yaml()
    data: Any = yaml.load(raw.decode("utf-8"))
    inner = data[mapping]
    for key in keys:
        inner.pop(key, None)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue().encode("utf-8")


def new_file(kind: Kind, rel: str, doc: Document) -> bytes:
    """A new file: the schema modeline, then the document."""
    return f"{layout.schema_comment(kind, rel)}\n".encode() + dump(doc)


def code(value: str) -> SingleQuotedScalarString:
    """A permission code, always quoted: '1010' must never be read as a number."""
    return cast(SingleQuotedScalarString, SingleQuotedScalarString(value))


# The registry is read by a YAML 1.1 loader, where `yes`, `off` or `1_000` are not strings;
# ruamel writes YAML 1.2, so a string that 1.1 would read as something else gets quoted.
_YAML11 = VersionedResolver(version=(1, 1))
_STR = "tag:yaml.org,2002:str"


def value(v: Any) -> Any:
    """``v`` as it must be written so that the registry's loader reads it back unchanged."""
    if not isinstance(v, str) or isinstance(v, ScalarString):
        return v
    if unsafe_characters(v, multiline=True):
        # A control character (a BEL in a memo, a NEL, a carriage return) as its escape in
        # double quotes: a block cannot hold it (the file would not load) and YAML 1.1 reads
        # a NEL elsewhere as a line break, so that validation would not see the character
        # where it stands, to refuse it under its field.
        return cast(DoubleQuotedScalarString, DoubleQuotedScalarString(v))
    if "\n" in v:  # a memo of several lines reads best as a block
        return cast(LiteralScalarString, LiteralScalarString(v))
    if _YAML11.resolve(ScalarNode, v, (True, False)) != _STR:
        return code(v)
    return v


def dump_data(data: Any) -> str:
    """Plain data (dicts, lists, strings) as YAML text, block style, for generated files."""

    def prepare(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: prepare(v) for k, v in node.items()}
        if isinstance(node, list):
            return [prepare(v) for v in node]
        return value(node)

    out = io.StringIO()
    y = _yaml()
    y.default_flow_style = False
    y.dump(prepare(data), out)
    return out.getvalue()


def mapping(items: Mapping[str, Any] | Iterable[tuple[str, Any]], flow: bool = False) -> Document:
    pairs = items.items() if isinstance(items, Mapping) else items
    m = CommentedMap((k, value(v)) for k, v in pairs)
    if flow:
        m.fa.set_flow_style()
    return m


def sequence(items: Iterable[Any], flow: bool = False) -> CommentedSeq:
    s = CommentedSeq(value(v) for v in items)
    if flow:
        s.fa.set_flow_style()
    else:
        s.fa.set_block_style()
    return s


def put(doc: Document, key: str, new: Any, order: Iterable[str]) -> None:
    """Set ``key``; a key not yet present goes where ``order`` (the model's fields) puts it."""
    new = value(new)
    if key in doc:
        doc[key] = new
        return
    order = list(order)
    rank = order.index(key) if key in order else len(order)
    position = len(doc)
    for i, existing in enumerate(doc):
        if existing in order and order.index(existing) > rank:
            position = i
            break
    doc.insert(position, key, new)


def seq_at(doc: Document, key: str, order: Iterable[str], flow: bool = False) -> CommentedSeq:
    """The list under ``key``, created (empty) where the model's order puts it if missing."""
    current = doc.get(key)
    if isinstance(current, CommentedSeq):
        if not current and not flow:
            current.fa.set_block_style()  # an empty `[]` grows into a block list
        return current
    fresh = sequence([], flow=flow)
    put(doc, key, fresh, order)
    return fresh
