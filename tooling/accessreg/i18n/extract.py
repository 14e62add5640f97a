"""The extraction method ``babel.cfg`` names for the package's Python files.

It finds what Babel's own Python extractor finds for :func:`accessreg.model.messages.msg` and
``nmsg``; the documentation of every rule (the docstring of a function decorated with
``@rule(...)``, the third argument of ``Rule(...)``), which the rules page is made of; and
the command line's help (a literal ``help=`` of an option, the docstring of a command), as
click shows it (``inspect.cleandoc``); and what the JSON Schemas of ``schemas/`` say of each
field, which editors show as the file is typed: in ``model/``, the docstring of a file model
(a class of ``Frozen``) and a literal ``description=``, as pydantic puts them there.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python

_KEYWORDS: dict[str, Any] = {"msg": None, "nmsg": (1, 2)}
# Babel's own names for a singular and a plural entry, so that its default keywords apply.
_AS = {"msg": "gettext", "nmsg": "ngettext"}

Found = tuple[int, str | None, str | tuple[str | None, ...], list[str]]


def python(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any] | Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Found]:
    source = fileobj.read()
    fileobj.seek(0)
    if "/accessreg/model/" in str(getattr(fileobj, "name", "")).replace("\\", "/"):
        yield from _schema_texts(source)
    if b"accessreg.model.messages" not in source:  # `msg` may be something else there
        yield from _docs(source)
        if b"import click" in source:
            yield from _help(source)
        return
    # Babel's stubs give the shape of extract()'s results; extract_python yields
    # (lineno, funcname, messages, comments).
    found: Iterator[Any] = extract_python(fileobj, _KEYWORDS, comment_tags, dict(options))  # type: ignore[arg-type]
    for lineno, funcname, messages, comments in found:
        yield lineno, _AS.get(funcname, funcname), messages, comments
    yield from _docs(source)
    if b"import click" in source:
        yield from _help(source)


def _help(source: bytes) -> Iterator[Found]:
    """Help texts of click commands and options."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and any(
            _name(d) in ("command", "group") for d in node.decorator_list
        ):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.lineno, "gettext", doc, []
        elif isinstance(node, ast.Call):
            # date_option(NAME, HELP) (cli/options.py): the help is its second argument.
            if _name(node.func) == "date_option" and len(node.args) >= 2:
                text = node.args[1]
                if isinstance(text, ast.Constant) and isinstance(text.value, str):
                    yield text.lineno, "gettext", inspect.cleandoc(text.value), []
            for kw in node.keywords:
                if (
                    kw.arg == "help"
                    and isinstance(kw.value, ast.Constant)
                    and isinstance(kw.value.value, str)
                ):
                    yield kw.value.lineno, "gettext", inspect.cleandoc(kw.value.value), []


def _schema_texts(source: bytes) -> Iterator[Found]:
    """The descriptions pydantic gives the schemas: a model's docstring (cleaned, as
    ``inspect.cleandoc``) and a field's ``description``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and any(_name(b) == "Frozen" for b in node.bases):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.lineno, "gettext", doc, []
        elif (
            isinstance(node, ast.keyword)
            and node.arg == "description"
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            yield node.value.lineno, "gettext", node.value.value, []


def _docs(source: bytes) -> Iterator[Found]:
    for lineno, doc in rule_docs(ast.parse(source)):
        yield lineno, "gettext", doc, []


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def rule_docs(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """The documentation of every rule defined in ``tree``, as the rule holds it."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(
            _name(d) == "rule" for d in node.decorator_list
        ):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.lineno, doc
        elif (
            isinstance(node, ast.Call)
            and _name(node) == "Rule"
            and len(node.args) >= 3
            and isinstance(node.args[2], ast.Constant)
            and isinstance(node.args[2].value, str)
        ):
            yield node.lineno, node.args[2].value
