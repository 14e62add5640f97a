"""Every help page's example is copy-pastable into bash as shown: kept line for line (a
``\\b`` paragraph), continued with `` \\``, and a command line the command itself parses."""

from __future__ import annotations

import inspect
import shlex

import click
import pytest

from accessreg.cli import main
from tests.cli.test_help_layout import LANGS, PATHS, _help
from tests.helpers.regfactory import RegistryFactory

HEADINGS = {"ja": "例:", "en": "Example:"}
# What bash does with the rest of a line, not arguments of the command.
REDIRECTIONS = frozenset({">", ">>", "<", "|", "2>", "&&", ";"})


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None
        command = found
    return command


# The commands whose docstring (the catalog's key) gives an example.
WITH_EXAMPLES = [p for p in PATHS if "Example:" in (inspect.getdoc(_command(p).callback) or "")]


def example(page: str, lang: str) -> list[str]:
    """The example's lines as the page shows them: the heading alone on its line, each line
    of the command below it, up to the paragraph's end."""
    lines = page.splitlines()
    assert HEADINGS[lang] in [line.strip() for line in lines], page
    start = [line.strip() for line in lines].index(HEADINGS[lang]) + 1
    shown = []
    for line in lines[start:]:
        if not line.strip():
            break
        shown.append(line.strip())
    return shown


def arguments(shown: list[str]) -> list[str]:
    """The words bash passes to the command: every line but the last ends in `` \\``, and a
    redirection and its target go to the shell."""
    assert all(line.endswith(" \\") for line in shown[:-1]), shown
    assert not shown[-1].endswith("\\"), shown
    joined = " ".join(line.removesuffix("\\").rstrip() for line in shown)
    lexer = shlex.shlex(joined, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = list(lexer)
    if cut := [i for i, word in enumerate(words) if word in REDIRECTIONS]:
        words = words[: cut[0]]
    return words


def test_every_edit_command_has_an_example() -> None:
    assert {p for p in WITH_EXAMPLES if p[0] in ("user", "contact", "operator")} == {
        p for p in PATHS if len(p) == 2 and p[0] in ("user", "contact", "operator")
    }


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", WITH_EXAMPLES, ids=" ".join)
def test_an_example_runs_as_pasted(
    lang: str, path: tuple[str, ...], reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = example(_help(lang, *path), lang)
    words = arguments(shown)
    assert words[: 1 + len(path)] == ["accessreg", *path], words
    # Parsed, not run, in a repository whose catalog gives the permission options, beside
    # the files it names, as where it would be run.
    monkeypatch.chdir(reg.repo)
    rest = words[1 + len(path) :]
    for word in rest:
        if not word.startswith("-") and "." in word and "/" not in word and "@" not in word:
            (reg.repo / word).write_text("", encoding="utf-8")
    command = _command(path)
    with command.make_context(" ".join(words[: 1 + len(path)]), rest) as ctx:
        assert ctx.params
    if lang == "ja":  # the same command line in both languages
        assert shown == example(_help("en", *path), "en")
