"""Help texts in the reader's language: commands are shown through a translated view.

Click keeps one object per command and option; a run in English and one in Japanese (tests
run many in one process) must not change them. ``localized`` returns a shallow copy whose
help texts (the command's docstring, each option's ``help``) are the catalog's translation;
the English text is the catalog key (``pybabel extract`` finds them in ``cli/``).
"""

from __future__ import annotations

import copy
import inspect
from typing import Any, TypeVar

import click

from accessreg import i18n
from accessreg.model.messages import Message

C = TypeVar("C", bound=click.Command)
P = TypeVar("P", bound=click.Parameter)


def language(ctx: click.Context) -> str:
    """The language asked for on the command line (``--lang``), else the environment's."""
    lang = ctx.find_root().params.get("lang")
    return lang if isinstance(lang, str) else i18n.from_environment()


def text(source: str | None, lang: str) -> str | None:
    return i18n.translate(inspect.cleandoc(source), lang) if source else source


class WordedOption(click.Option):
    """An option whose help is made of catalog messages with values (a system's codes, say):
    each is shown in the reader's language, one sentence after another."""

    def __init__(self, worded: tuple[Message, ...], *args: Any, **kwargs: Any) -> None:
        kwargs["help"] = " ".join(m.english(cap=False) for m in worded)
        super().__init__(*args, **kwargs)
        self.worded = worded


def parameter(param: P, lang: str) -> P:
    if not isinstance(param, click.Option) or not param.help:
        return param
    view = copy.copy(param)
    if isinstance(param, WordedOption):
        sep = "" if lang == "ja" else " "  # Japanese sentences follow one another unspaced
        view.help = sep.join(i18n.text(m, lang, cap=False) for m in param.worded)
    else:
        view.help = text(param.help, lang)
    return view


def command(cmd: C, lang: str) -> C:
    view = copy.copy(cmd)
    view.help = text(cmd.help, lang)
    view.short_help = text(cmd.short_help, lang)
    view.params = [parameter(p, lang) for p in cmd.params]
    if isinstance(cmd, click.Group) and isinstance(view, click.Group):
        view.commands = {name: command(sub, lang) for name, sub in cmd.commands.items()}
    return view
