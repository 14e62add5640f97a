"""The command line in the reader's language: commands are shown through a translated view,
and click's own words (usage errors, help headings) come from a catalog of their own.

Click keeps one object per command and option; a run in English and one in Japanese (tests
run many in one process) must not change them. ``localized`` returns a shallow copy whose
help texts (the command's docstring, each option's ``help``) are the catalog's translation;
the English text is the catalog key (``pybabel extract`` finds them in ``cli/``).

Click words its messages with the standard library's gettext, whose language is the
process environment's, not the run's (``--lang``; Japanese under ``LANG=C``): a window
person who mistypes a code read 「Error: Invalid value for '--taxis'」. ``speak_click_words``
points the names click calls (``_`` and ``ngettext``, imported from gettext into each of its
modules) at the ``click`` catalog in the run's language (``locale/click.pot`` is extracted
from the installed click; the suite fails when an upgrade brings words it lacks).
"""

from __future__ import annotations

import copy
import importlib
import inspect
from typing import Any, TypeVar

import click

from accessreg import i18n
from accessreg.model.messages import Message, msg

C = TypeVar("C", bound=click.Command)
P = TypeVar("P", bound=click.Parameter)


def text(source: str | None, lang: str) -> str | None:
    return i18n.translate(inspect.cleandoc(source), lang) if source else source


class WordedOption(click.Option):
    """An option whose help is made of catalog messages with values (a system's codes, say):
    each is shown in the reader's language, one sentence after another."""

    def __init__(self, *args: Any, worded: tuple[Message, ...], **kwargs: Any) -> None:
        kwargs["help"] = " ".join(m.english(cap=False) for m in worded)
        super().__init__(*args, **kwargs)
        self.worded = worded


# Click's placeholders, which it words without gettext: the usage line's (attributes of a
# command) and an option's value where none is named (its type's name, upper-cased).
USAGE_WORDS = {"[OPTIONS]": msg("[OPTIONS]"), "COMMAND [ARGS]...": msg("COMMAND [ARGS]...")}
TYPE_WORDS = {
    "text": msg("TEXT"),
    "filename": msg("FILENAME"),
    "integer": msg("INTEGER"),
    "integer range": msg("INTEGER RANGE"),
    "float": msg("FLOAT"),
    "float range": msg("FLOAT RANGE"),
}


def usage_word(word: str, lang: str) -> str:
    """A piece of a usage line in ``lang`` (``[OPTIONS]``), or as it is."""
    found = USAGE_WORDS.get(word)
    return i18n.text(found, lang, cap=False) if found is not None else word


def parameter(param: P, lang: str) -> P:
    if not isinstance(param, click.Option) or not param.help:
        return param
    view = copy.copy(param)
    worded = TYPE_WORDS.get(param.type.name)
    if param.metavar is None and param.nargs == 1 and not param.is_flag and worded is not None:
        view.metavar = i18n.text(worded, lang, cap=False)
    if isinstance(param, WordedOption):
        sep = "" if lang == "ja" else " "  # Japanese sentences follow one another unspaced
        view.help = sep.join(i18n.text(m, lang, cap=False) for m in param.worded)
    else:
        view.help = text(param.help, lang)
    return view


def command(cmd: C, lang: str) -> C:
    view = copy.copy(cmd)
    view.options_metavar = cmd.options_metavar and usage_word(cmd.options_metavar, lang)
    view.help = text(cmd.help, lang)
    view.short_help = text(cmd.short_help, lang)
    view.params = [parameter(p, lang) for p in cmd.params]
    if isinstance(cmd, click.Group) and isinstance(view, click.Group):
        view.subcommand_metavar = usage_word(cmd.subcommand_metavar, lang)
        view.commands = {name: command(sub, lang) for name, sub in cmd.commands.items()}
    return view


CLICK_DOMAIN = "click"
# Click's modules that word messages with gettext and that the command line loads.
CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.utils",
)


def by_value(word: str) -> str:
    """``word`` as it is: marks for the ``click`` catalog's extraction (``pybabel extract -k
    by_value``, README) a word click looks up by value, which extracting click misses."""
    return word


CLICK_BY_VALUE = (by_value("required"),)  # ``_(extra["required"])`` in click.core


def click_gettext(message: str) -> str:
    """Click's ``message`` in the run's language."""
    return i18n.translations(i18n.current(), CLICK_DOMAIN).gettext(message)


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations(i18n.current(), CLICK_DOMAIN).ngettext(singular, plural, n)


def speak_click_words() -> None:
    """Click's messages in the run's language from now on (idempotent)."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = click_gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _click_ngettext  # type: ignore[attr-defined]
