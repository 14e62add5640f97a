"""Markdown as GitHub shows it: cmark-gfm (GitHub's own parser, through ``cmarkgfm``) with
GitHub's extensions, and what GitHub does afterwards to the text it renders: @mentions,
issue references and emoji (never inside code or links)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options

# GitHub's patterns, applied to the text of the rendered HTML outside code and links.
MENTION = re.compile(r"(?:^|\W)@[a-z0-9][a-z0-9-]*", re.I)
REFERENCE = re.compile(r"(?:^|\W)(?:#[0-9]+|GH-[0-9]+)\b", re.I)
EMOJI = re.compile(r":[a-z0-9_+-]+:")
_LITERAL = {"code", "pre", "a"}


@dataclass
class Rendered(HTMLParser):
    """The elements of the rendered HTML, and its text inside and outside code."""

    tags: list[str] = field(default_factory=list)
    strong: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # outside code and links
    literal: list[str] = field(default_factory=list)  # inside code
    blocks: list[str] = field(default_factory=list)  # each code block's text
    shown: str = ""  # every text, in order: what a reader sees
    _open: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in ("br", "hr", "img", "input"):
            self._open.append(tag)
        if tag == "strong":
            self.strong.append("")
        if tag == "pre":
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.shown += data
        if _LITERAL.intersection(self._open):
            self.literal.append(data)
        else:
            self.text.append(data)
        if "strong" in self._open:
            self.strong[-1] += data
        if "pre" in self._open:
            self.blocks[-1] += data

    def processed(self) -> list[str]:
        """What GitHub would turn into a mention, a reference or an emoji."""
        prose = "\n".join(self.text)
        return [m.group() for p in (MENTION, REFERENCE, EMOJI) for m in p.finditer(prose)]


def render(markdown: str) -> Rendered:
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    page = Rendered()
    page.feed(html)
    page.close()
    return page
