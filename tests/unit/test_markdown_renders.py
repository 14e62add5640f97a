"""The README and the guides render on GitHub as written: every code fence closes where it
should, and every pipe table is a table (a missing separator row makes it a paragraph).

Rendered with markdown-it-py, a CommonMark parser with GitHub's table extension, and, for
what a reader sees of the commands, with cmark-gfm, GitHub's own."""

from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path
from urllib.parse import unquote

import git
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.helpers import githubmd
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


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_commands_render_as_code_and_the_title_is_the_one_heading_of_its_level(
    page: Path,
) -> None:
    """A block of commands whose fence is missing still renders, wrongly: its shell comments
    become top-level headings and its commands paragraphs (addresses turned into links).
    Every `accessreg` line of the page must be a line of a code block as GitHub shows it."""
    text = page.read_text(encoding="utf-8")
    shown = githubmd.render(text)
    assert shown.tags.count("h1") == 1, f"{page.name}: more than the title is a top heading"
    code = {line.strip() for block in shown.blocks for line in block.splitlines()}
    commands = [ln.strip() for ln in text.splitlines() if ln.lstrip().startswith("accessreg ")]
    outside = [ln for ln in commands if ln not in code]
    assert not outside, f"{page.name}: commands shown as prose: {outside[:3]}"


def test_what_the_examples_write_git_ignores(tmp_path: Path) -> None:
    """Plans, notices and import files name people: a window person who runs an example and
    then commits with `git add -A` must not commit them, so every file or directory the
    pages' commands write is one the repository's .gitignore ignores."""
    written = sorted(
        {
            m.group(1)
            for page in PAGES
            for block in githubmd.render(page.read_text(encoding="utf-8")).blocks
            for m in re.finditer(r"--(?:out|output|json|markdown)[ =](\S+)", block)
        }
    )
    assert written, "no example writes a file, so nothing was checked"
    repo = git.Repo.init(tmp_path)
    with repo.config_writer() as config:  # the repository's .gitignore alone decides
        config.set_value("core", "excludesFile", str(tmp_path / "none"))
    (tmp_path / ".gitignore").write_bytes((ROOT / ".gitignore").read_bytes())
    ignored = repo.git.check_ignore("--no-index", *written, with_exceptions=False)
    assert sorted(ignored.splitlines()) == written
    repo.close()


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


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_prose_mentions_references_or_emoji(page: Path) -> None:
    """A handle or a number quoted in prose (「申請者 / Filed by: @login」) would notify whoever
    owns it, or link an issue, on GitHub: such a quote belongs in a code span."""
    assert githubmd.render(page.read_text(encoding="utf-8")).processed() == []
