"""The README and the guides render on GitHub as written: every code fence closes where it
should, and every pipe table is a table (a missing separator row makes it a paragraph).

Rendered with markdown-it-py, a CommonMark parser with GitHub's table extension."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

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


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_fences_close_and_tables_are_tables(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    lines = text.splitlines()
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
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
