"""Safe, strict YAML reading, the one home of PyYAML: the C loader, with the traps of YAML
turned into errors, and the position of a data path for the files that have problems. A
file in the plain form nearly every registry file takes is read without it, to the same data.

Refused: duplicate keys, anchors and aliases (a reviewer must see every value where it
applies), explicit tags, files over the size cap, and what no registry file needs but would
exhaust the reader: collections nested deeper than ``MAX_DEPTH`` (Python would run out of
stack) and integers too long for Python to convert. Dates stay strings, as editors and JSON
Schema see them; the models parse them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import Any

import yaml

from accessreg.model.messages import Message, msg
from accessreg.model.problems import DataPath

MAX_FILE_BYTES = 1 << 20
# No registry file nests more than five levels; a few hundred would exhaust the stack.
MAX_DEPTH = 32

_RESOLVERS = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}


class YamlProblem(Exception):  # noqa: N818 - carried as data, not a crash
    def __init__(self, rule: str, message: Message, line: int = 1, col: int = 1) -> None:
        super().__init__(message.english())
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
            return _plain_tag(value) if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


def _plain_tag(value: str) -> str:
    """The tag of an untagged plain scalar: a number, a boolean, null, or text."""
    for tag, regexp in _BY_FIRST.get(value[:1], _WILDCARD):
        if regexp.match(value):
            return tag
    return _STR


assert not _Loader.yaml_path_resolvers, "path resolvers need Resolver's own methods"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):  # `? [a, b]`: valid YAML, never data here
            line, col = _position(key_node.start_mark)
            raise YamlProblem(
                "yaml-syntax",
                msg("A key must be plain text, not a list or a mapping: write it as text"),
                line,
                col,
            )
        key = loader.construct_object(key_node)
        if key in seen:
            line, col = _position(key_node.start_mark)
            raise YamlProblem(
                "yaml-duplicate-key",
                msg(
                    "The key {key} appears twice: only the later value would count; write it once",
                    key=str(key),
                ),
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
        "yaml-limits",
        msg(
            "Lists and mappings are nested more than {max} levels deep: no registry file needs "
            "that many; write the value flat",
            max=MAX_DEPTH,
        ),
        line,
        col,
    )


def _scalar(construct: Any, node: yaml.Node) -> Any:
    try:
        return construct(_CONSTRUCTOR, node)
    except ValueError:  # an integer of more digits than int() converts (sys.int_info)
        line, col = _position(node.start_mark)
        raise YamlProblem(
            "yaml-limits",
            msg(
                "A number of {count} digits is too long to read: no field holds one",
                count=len(node.value),
            ),
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
                msg(
                    "Anchors and aliases (& and *) are not allowed: write every value where it "
                    "applies, and quote a value that starts with & or *"
                ),
                line,
                col,
            )
        tag = getattr(event, "tag", None)  # set only when the document writes a tag
        if tag is not None:
            raise YamlProblem(
                "yaml-tag",
                msg(
                    "The tag {tag} is not allowed: write plain values, and quote a value that "
                    "starts with !",
                    tag=_written_tag(raw, line, tag),
                ),
                line,
                col,
            )


def _written_tag(raw: bytes, line: int, resolved: str) -> str:
    """The tag as the file writes it (``!!str``), not as the parser expands it."""
    lines = raw.decode("utf-8", errors="replace").splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    start = text.find("!")
    return text[start:].split()[0] if start >= 0 else resolved


# What YAML 1.1 reads as a line break besides LF and CR (NEL, LINE and PARAGRAPH SEPARATOR),
# in UTF-8. No editor shows one as a break: where the parser folds it into a space or drops
# it (a quoted or plain value), the value is not the one written, and no check of its
# field's text can see why. Where a value keeps it, that check (text-control) names it.
_HIDDEN_BREAKS = {b"\xc2\x85": "\x85", b"\xe2\x80\xa8": "\u2028", b"\xe2\x80\xa9": "\u2029"}


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(data, list):
        for v in data:
            yield from _strings(v)


def _hidden_break(raw: bytes, data: Any = None) -> YamlProblem | None:
    """The first hidden line break of ``raw`` where the parse of it (``data``; none: it
    failed, its lines counted with them) did not keep every one; None where it did, or
    ``raw`` holds none."""
    found = {at: char for code, char in _HIDDEN_BREAKS.items() if (at := raw.find(code)) >= 0}
    if not found:
        return None
    kept = "".join(s for s in _strings(data) if any(c in s for c in found.values()))
    if all(raw.count(code) <= kept.count(char) for code, char in _HIDDEN_BREAKS.items()):
        return None
    at = min(found)
    line, col = _byte_position(raw, at)
    return YamlProblem(
        "yaml-syntax",
        msg(
            "This line holds {char}, which YAML reads as a line break, so the value "
            "would not be read as written: remove it",
            char=f"U+{ord(found[at]):04X}",
        ),
        line,
        col,
    )


# The plain form nearly every registry file takes, read without libyaml: keys and one-line
# values, one level of nesting (a user's permissions), full-line comments. A file in any
# other form, or holding anything whose reading depends on YAML's finer rules, is left to
# the general path, which reads it or says what is wrong; what this path returns is what
# that path would (a test compares the two on generated documents). A user file costs
# about half the time libyaml's path takes to compose and build it.
#
# Left to the general path: characters outside YAML's printable set or that it reads as a
# line break (NEL, U+2028, U+2029), a byte-order mark, tabs and carriage returns; the
# indicators of anchors, aliases, tags, flow collections, block scalars and directives
# (& * ! [ ] { } | > %), a backquote, and a backslash (a double-quoted value's escapes).
_OUTSIDE_PLAIN = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    "|[&*!\\[\\]{}|>%`\\\\]"
)
_PLAIN_LINE = re.compile(r"( *)([A-Za-z_][A-Za-z0-9_]{0,63}):(?: (.*))?")
# A plain value starting with one of these is an indicator, or may be (a "-1" is a number).
_NOT_FIRST = frozenset("-?:,'@ #")


def _plain_value(text: str) -> str | None:
    """A one-line value: quoted (no backslash reaches here), or plain text (not a number, a
    boolean or null); None for any other."""
    if text[0] == '"':
        inner = text[1:-1]
        return inner if len(text) > 1 and text[-1] == '"' and '"' not in inner else None
    if text[0] == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            return None
        return inner.replace("''", "'")
    if (
        "#" in text
        or ": " in text
        or text[0] in _NOT_FIRST
        or text[-1] in " :"
        or _plain_tag(text) != _STR
    ):
        return None
    return text


def _plain_document(raw: bytes) -> dict[str, Any] | None:
    """The data of a document in the plain form; None when it is in another."""
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return None
    if _OUTSIDE_PLAIN.search(text):
        return None
    root: dict[str, Any] = {}
    inner: dict[str, Any] | None = None  # the nested mapping being filled
    indent = 0  # its keys' indentation, once its first key is read
    for line in text.split("\n"):
        content = line.lstrip(" ")
        if not content or content[0] == "#":
            continue
        found = _PLAIN_LINE.fullmatch(line)
        if found is None:
            return None
        spaces, key, rest = found.groups()
        value = None
        if rest is not None and (not rest or (value := _plain_value(rest)) is None):
            return None
        if _plain_tag(key) != _STR:
            return None
        if not spaces:
            if (inner is not None and not inner) or key in root:
                return None  # a key with no value nor keys under it (null); a key again
            if rest is None:
                inner = root[key] = {}
                indent = 0
            else:
                inner = None
                root[key] = value
            continue
        if inner is None or rest is None or key in inner:
            return None
        if not indent:
            indent = len(spaces)
        elif len(spaces) != indent:
            return None
        inner[key] = value
    if not root or (inner is not None and not inner):
        return None
    return root


def load(raw: bytes) -> Any:
    """Parse one YAML document strictly; raise :class:`YamlProblem` on anything refused."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(
            "file-too-large",
            msg(
                "The file is {size} bytes; the limit is {limit} bytes: keep one person or one "
                "operator per file, and long notes out of it",
                size=len(raw),
                limit=MAX_FILE_BYTES,
            ),
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # YAML allows UTF-16; diffs would not show it
        raise YamlProblem("yaml-syntax", msg("The file is UTF-16 text: save it as UTF-8"))
    plain = _plain_document(raw)
    if plain is not None:
        return plain
    return _general(raw)


def _general(raw: bytes) -> Any:
    """A document of any form, read by libyaml (``load`` has checked its size and
    encoding)."""
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
                data = _build(node)
            except _Unusual:
                _check_limits(node)
                data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:  # bad bytes: its text would span two lines
        line, col = _byte_position(raw, exc.position)
        raise YamlProblem(
            "yaml-syntax",
            msg("This line holds characters that are not UTF-8 text: save the file as UTF-8"),
            line,
            col,
        ) from None
    except yaml.MarkedYAMLError as exc:
        # The parser counts a hidden line break as a line: it is the likelier cause.
        hidden = _hidden_break(raw)
        if hidden is not None:
            raise hidden from None
        line, col = _position(exc.problem_mark or exc.context_mark)
        raise YamlProblem("yaml-syntax", _syntax(exc, raw, line), line, col) from None
    except yaml.YAMLError:
        raise YamlProblem("yaml-syntax", _NOT_YAML) from None
    except UnicodeDecodeError:
        raise YamlProblem(
            "yaml-syntax", msg("The file is not UTF-8 text: save it as UTF-8")
        ) from None
    hidden = _hidden_break(raw, data)
    if hidden is not None:
        raise hidden
    return data


_NOT_YAML = msg(
    "This line cannot be read: check its indentation, the space after each colon and the "
    "quotes around values"
)


def _syntax(exc: yaml.MarkedYAMLError, raw: bytes, line: int) -> Message:
    """What the parser stumbled on, in the words of someone writing the file by hand.

    The parser's own words ("found character that cannot start any token") name its states;
    these name what to do. Each case is recognised from the parser's problem and the line.
    """
    problem = exc.problem or ""
    context = exc.context or ""
    text = raw.decode("utf-8", errors="replace").splitlines()
    here = text[line - 1] if 0 < line <= len(text) else ""
    if "\t" in problem or "\t" in here[: len(here) - len(here.lstrip())]:
        return msg("Tabs cannot indent: indent with spaces")
    if "another document" in problem:
        return msg(
            "A second document starts here (---): a file holds one operator or one user; "
            "remove this line and what follows, or move it to its own file"
        )
    if "mapping values are not allowed" in problem and not _colon_before(exc, here):
        # The key of a line indented deeper than the one before: read as more of its value.
        return msg(
            "This line is indented deeper than the key above it, so it reads as part of "
            "that key's value: start it in the same column as the other keys of its level"
        )
    if "mapping values are not allowed" in problem:
        return msg(
            "A second colon followed by a space on this line: quote a value that holds one "
            "(name: '試験: 太郎'), or put the key on its own line"
        )
    if "quoted scalar" in context or "end of stream" in problem:
        return msg("A quote is not closed: end the value with the same quote it starts with")
    if "cannot start any token" in problem:
        return msg(
            "A value starts with a character that YAML reserves (such as @, ` or %): quote "
            "the value"
        )
    if "could not find expected ':'" in problem:
        return msg("A key without its colon: write 'key: value', with a space after the colon")
    if "block" in context or "block end" in problem or "expected key" in problem:
        return msg(
            "The indentation does not line up: start the keys of one level in the same column, "
            "with spaces"
        )
    return _NOT_YAML


def _colon_before(exc: yaml.MarkedYAMLError, here: str) -> bool:
    """Whether a colon ending a key comes before the one the parser stopped at, on its line."""
    mark = exc.problem_mark
    column = mark.column if mark is not None else len(here)
    return re.search(r":(\s|$)", here[:column]) is not None


class Composed:
    """One file's nodes, composed once, when first asked: a file with thousands of
    findings (an unknown key on each of 50,000 lines) was composed again for each, and
    each mapping searched key by key, hours of a run for one bad file. Where a path is
    (``position``) and the scalar there as written (``scalar``)."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        self._keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    @cached_property
    def _root(self) -> yaml.Node | None:
        try:
            found: yaml.Node | None = yaml.compose(self._raw, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            return None
        return found

    def _child(self, node: yaml.MappingNode, step: str | int) -> tuple[yaml.Node, yaml.Node] | None:
        index = self._keys.get(id(node))
        if index is None:
            index = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    index.setdefault(key_node.value, (key_node, value_node))
            self._keys[id(node)] = index
        return index.get(str(step))

    def _walk(self, path: DataPath) -> tuple[yaml.Node | None, yaml.Mark | None, bool]:
        """The deepest node of ``path`` present, where it starts (a mapping's key), and
        whether it is the whole path's."""
        node = self._root
        if node is None:
            return None, None, False
        mark = node.start_mark
        for step in path:
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                found = self._child(node, step)
                if found is not None:
                    mark = found[0].start_mark
                    child = found[1]
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(step, int)
                and 0 <= step < len(node.value)
            ):
                child = node.value[step]
                mark = child.start_mark
            if child is None:
                return node, mark, False
            node = child
        return node, mark, True

    def position(self, path: DataPath) -> tuple[int, int]:
        """1-based (line, column) of the deepest node of ``path`` present in the file. A
        key that is missing (a required property, say) points at its parent mapping, and a
        document that does not compose points at its start: a position is always given."""
        _, mark, _ = self._walk(path)
        return (1, 1) if mark is None else (mark.line + 1, mark.column + 1)

    def scalar(self, path: DataPath) -> str | None:
        """The scalar at ``path`` as the file writes it (``02010``, not the number YAML
        reads), or None when ``path`` is not a scalar of the file."""
        node, _, whole = self._walk(path)
        return node.value if whole and isinstance(node, yaml.ScalarNode) else None


def dump(data: Any) -> bytes:
    """``data`` (what :func:`load` gives: text, numbers, lists and mappings) as a YAML
    document that :func:`load` reads back equal: block style, keys in their order."""
    text = yaml.dump(
        data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=1 << 16
    )
    return text.encode("utf-8")
