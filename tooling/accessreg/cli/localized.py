"""Help texts in the reader's language: commands are shown through a translated view.

Click keeps one object per command and option; a run in English and one in Japanese (tests
run many in one process) must not change them. ``localized`` returns a shallow copy whose
help texts (the command's docstring, each option's ``help``) are the catalog's translation;
the English text is the catalog key (``pybabel extract`` finds them in ``cli/``).
"""

from __future__ import annotations

import copy
import inspect
from typing import TypeVar

import click

from accessreg import i18n

C = TypeVar("C", bound=click.Command)
P = TypeVar("P", bound=click.Parameter)


def language(ctx: click.Context) -> str:
    """The language asked for on the command line (``--lang``), else the environment's."""
    lang = ctx.find_root().params.get("lang")
    return lang if isinstance(lang, str) else i18n.from_environment()


def text(source: str | None, lang: str) -> str | None:
    return i18n.translate(inspect.cleandoc(source), lang) if source else source


def parameter(param: P, lang: str) -> P:
    if not isinstance(param, click.Option) or not param.help:
        return param
    view = copy.copy(param)
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
