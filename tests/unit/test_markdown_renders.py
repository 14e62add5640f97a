"""The README and the guides render on GitHub as written: every code fence closes where it
should, and every pipe table is a table (a missing separator row makes it a paragraph).

Rendered with markdown-it-py, a CommonMark parser with GitHub's table extension."""

from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.helpers.regfactory import ROOT

PAGES = [
    ROOT / "README.md",
    ROOT / "benchmarks" / "HISTORY.md",
    *sorted((ROOT / "docs").glob("*.md")),
]


def _pipe_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """Runs of lines starting with `|` outside code fences, as (first, end) line ranges."""
    blocks: list[tuple[int, int]] = []
    fenced, start = False, None
    for n, line in enumerate([*lines, ""]):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("|"):
            start = n if start is None else start
        elif start is not None:
            blocks.append((start, n))
            start = None
    return blocks


@functools.cache
def _tokens(page: Path) -> list[Token]:
    """``page`` as GitHub parses it, once for every test that reads it."""
    return MarkdownIt("commonmark").enable("table").parse(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_fences_close_and_tables_are_tables(page: Path) -> None:
    lines = page.read_text(encoding="utf-8").splitlines()
    tokens = _tokens(page)
    for token in tokens:
        if token.type == "fence":
            assert token.map is not None
            assert token.map[1] < len(lines) or lines[-1].startswith("```"), (
                f"{page.name}:{token.map[0] + 1}: this code fence never closes"
            )
            headings = [ln for ln in token.content.splitlines() if ln.startswith("## ")]
            assert not headings, f"{page.name}:{token.map[0] + 1}: a heading inside a fence"
    tables = [t.map for t in tokens if t.type == "table_open" and t.map is not None]
    for first, end in _pipe_blocks(lines):
        assert any(a <= first and end <= b for a, b in tables), (
            f"{page.name}:{first + 1}: this table does not render (no separator row?)"
        )


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text in lower case, without punctuation but
    hyphens and underscores, spaces made hyphens (github-slugger's rule)."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


@functools.cache
def _anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for opening, inline in itertools.pairwise(_tokens(page)):
        if opening.type != "heading_open":
            continue
        shown = [c for c in inline.children or [] if c.type in {"text", "code_inline"}]
        text = "".join(child.content for child in shown)
        slug, n = _slug(text), 1
        anchor = slug
        while anchor in found:  # a repeated heading's anchor gets -1, -2, …
            anchor, n = f"{slug}-{n}", n + 1
        found.add(anchor)
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_to_pages_and_headings_lead_somewhere(page: Path) -> None:
    """A relative link names a file of the repository, and an anchor a heading of its page:
    moving a section must not leave a link to where it was."""
    links = [
        href
        for token in _tokens(page)
        for child in token.children or []
        if child.type == "link_open" and isinstance(href := child.attrs.get("href"), str)
    ]
    assert links, f"{page.name}: no link found, so nothing was checked"
    for href in links:
        if re.match(r"[a-z]+:", href):
            continue  # another site, or mail
        path, _, encoded = href.partition("#")
        # A link to a Japanese heading is percent-encoded as it is rendered; GitHub decodes
        # it to find the heading's anchor.
        anchor = unquote(encoded)
        target = (page.parent / path).resolve() if path else page
        assert target.exists(), f"{page.name}: {href} names no file of the repository"
        if anchor and target.suffix == ".md":
            assert anchor in _anchors(target), f"{page.name}: {path}#{anchor}: no such heading"
