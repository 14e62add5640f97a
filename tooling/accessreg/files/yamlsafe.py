"""Safe, strict YAML reading, the one home of PyYAML: the C loader, with the traps of YAML
turned into errors, and the position of a data path for the files that have problems.

Refused: duplicate keys, anchors and aliases (a reviewer must see every value where it
applies), explicit tags, files over the size cap, and what no registry file needs but would
exhaust the reader: collections nested deeper than ``MAX_DEPTH`` (Python would run out of
stack) and integers too long for Python to convert. Dates stay strings, as editors and JSON
Schema see them; the models parse them.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from accessreg.escape import quote
from accessreg.model.problems import DataPath

MAX_FILE_BYTES = 1 << 20
# No registry file nests more than five levels; a few hundred would exhaust the stack.
MAX_DEPTH = 32

_RESOLVERS = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}


class YamlProblem(Exception):  # noqa: N818 - carried as data, not a crash
    def __init__(self, rule: str, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.line = line
        self.col = col


def _position(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column of a byte offset (the C reader reports bad bytes by offset)."""
    start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, len(raw[start:offset].decode(errors="replace")) + 1


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# Implicit resolvers by the first character of a plain scalar, as Resolver.resolve tries them.
_Resolvers = list[tuple[str, re.Pattern[str]]]
_WILDCARD: _Resolvers = _RESOLVERS.get(None, [])
_BY_FIRST: dict[str, _Resolvers] = {
    first: [*resolvers, *_WILDCARD] for first, resolvers in _RESOLVERS.items() if first is not None
}


class _Loader(yaml.CSafeLoader):
    """CSafeLoader without timestamps; the composer's per-node callbacks made cheap.

    The C composer calls these three methods for every node. With no path resolvers (the
    only reason for the general versions' bookkeeping) they reduce to the lookups below,
    which give the tags ``Resolver.resolve`` gives.
    """

    yaml_implicit_resolvers = _RESOLVERS

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _BY_FIRST.get(value[:1], _WILDCARD):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


assert not _Loader.yaml_path_resolvers, "path resolvers need Resolver's own methods"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):  # `? [a, b]`: valid YAML, never data here
            line, col = _position(key_node.start_mark)
            raise YamlProblem(
                "yaml-syntax", "a key must be plain text, not a list or a mapping", line, col
            )
        key = loader.construct_object(key_node)
        if key in seen:
            line, col = _position(key_node.start_mark)
            raise YamlProblem(
                "yaml-duplicate-key",
                f"duplicate key {quote(key)}: the later value would silently win",
                line,
                col,
            )
        seen.add(key)
    return loader.construct_mapping(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


class _Unusual(Exception):  # noqa: N818 - control flow: take the general path
    pass


# The scalar types an untagged document resolves to besides strings, built as PyYAML does.
_SCALARS = {
    tag: yaml.constructor.SafeConstructor.yaml_constructors[tag]
    for tag in (f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float"))
}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _too_deep(node: yaml.Node) -> YamlProblem:
    line, col = _position(node.start_mark)
    return YamlProblem(
        "yaml-limits", f"collections are nested more than {MAX_DEPTH} levels deep", line, col
    )


def _scalar(construct: Any, node: yaml.Node) -> Any:
    try:
        return construct(_CONSTRUCTOR, node)
    except ValueError:  # an integer of more digits than int() converts (sys.int_info)
        line, col = _position(node.start_mark)
        raise YamlProblem(
            "yaml-limits",
            f"a number of {len(node.value):,} characters is too long to read: no field holds one",
            line,
            col,
        ) from None


def _build(node: yaml.Node, depth: int = 0) -> Any:
    """The data of a composed document, as the loader's constructor would build it.

    The general constructor spends most of the parsing time in bookkeeping that only aliases
    and tags need, and those are refused anyway. This covers the plain case (mappings,
    sequences, and the scalars an untagged document resolves to) and raises :class:`_Unusual`
    for anything else, including a duplicate key, so that the general path reports it exactly
    as before. Too deep a nesting or too long a number is a :class:`YamlProblem` here.
    """
    tag = node.tag
    if tag == _STR:
        return node.value
    if depth >= MAX_DEPTH:
        raise _too_deep(node)
    if tag == _MAP:
        pairs = node.value
        keys = [_build_key(key_node) for key_node, _ in pairs]
        if len(set(keys)) != len(keys):
            raise _Unusual
        return {
            key: _build(value_node, depth + 1)
            for key, (_, value_node) in zip(keys, pairs, strict=True)
        }
    if tag == _SEQ:
        return [_build(item, depth + 1) for item in node.value]
    construct = _SCALARS.get(tag)
    if construct is None:
        raise _Unusual
    return _scalar(construct, node)


def _build_key(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise _Unusual
    return _build(node)


def _check_limits(root: yaml.Node) -> None:
    """What :func:`_build` checks, for documents the general constructor builds: without
    recursion, since the nesting may be what is wrong."""
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            construct = _SCALARS.get(node.tag)
            if construct is not None:
                _scalar(construct, node)
            continue
        if depth >= MAX_DEPTH:
            raise _too_deep(node)
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((part, depth + 1) for pair in node.value for part in pair)


def _scan_events(raw: bytes) -> None:
    for event in yaml.parse(raw, Loader=_Loader):
        line, col = _position(event.start_mark)
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlProblem(
                "yaml-anchor",
                "anchors and aliases are not allowed: write every value where it applies",
                line,
                col,
            )
        tag = getattr(event, "tag", None)  # set only when the document writes a tag
        if tag is not None:
            raise YamlProblem(
                "yaml-tag",
                f"explicit tag {tag} is not allowed: write plain values",
                line,
                col,
            )


def load(raw: bytes) -> Any:
    """Parse one YAML document strictly; raise :class:`YamlProblem` on anything refused."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(
            "file-too-large", f"file is {len(raw)} bytes; the cap is {MAX_FILE_BYTES} bytes"
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # YAML allows UTF-16; diffs would not show it
        raise YamlProblem("yaml-syntax", "the file is UTF-16 text: save it as UTF-8")
    try:
        # Anchors, aliases and tags all need one of these bytes; only then pay for a scan.
        if b"&" in raw or b"*" in raw or b"!" in raw:
            _scan_events(raw)
        loader = _Loader(raw)  # a CSafeLoader subclass
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            try:
                return _build(node)
            except _Unusual:
                _check_limits(node)
                return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:  # bad bytes: its text would span two lines
        line, col = _byte_position(raw, exc.position)
        raise YamlProblem(
            "yaml-syntax", f"{exc.reason}: save the file as UTF-8 text", line, col
        ) from None
    except yaml.MarkedYAMLError as exc:
        line, col = _position(exc.problem_mark or exc.context_mark)
        # "while parsing a block mapping" / "expected a single document in the stream" says
        # what was going on; the problem alone ("but found another document") does not.
        message = "; ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlProblem("yaml-syntax", message or "not well-formed YAML", line, col) from None
    except yaml.YAMLError as exc:
        raise YamlProblem("yaml-syntax", str(exc)) from None
    except UnicodeDecodeError:
        raise YamlProblem("yaml-syntax", "file is not UTF-8 text") from None


def _key_matches(node: yaml.Node, key: str | int) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value == str(key)


def position(raw: bytes, path: DataPath) -> tuple[int, int]:
    """1-based (line, column) of the deepest node of ``path`` present in ``raw``.

    A key that is missing (a required property, say) points at its parent mapping, and a
    document that does not compose points at its start: a position is always given.
    """
    try:
        node = yaml.compose(raw, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return 1, 1
    if node is None:
        return 1, 1
    mark = node.start_mark
    for step in path:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if _key_matches(key_node, step):
                    mark = key_node.start_mark
                    child = value_node
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(step, int)
            and 0 <= step < len(node.value)
        ):
            child = node.value[step]
            mark = child.start_mark
        if child is None:
            break
        node = child
    return mark.line + 1, mark.column + 1
