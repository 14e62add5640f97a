"""A message as data: a catalog entry and the values it names, turned into words at the edge.

Rules, loaders and the plan say *what* they found with :func:`msg` (or :func:`nmsg` for a count);
the reporters render it in the reader's language through ``accessreg.i18n``, which looks the
English text up in the message catalog (``locale/``). Keeping the message as data lets one run
be printed in Japanese or English, and lets cached findings serve either.

The English text is the catalog key (gettext's msgid): write it as a literal at the call, so
that ``pybabel extract`` finds it. Values are filled in by name (``{code}``): text from the
registry stays as written; a nested :class:`Message` (a field's name, say) is translated too; a
tuple is a list, joined the way the language joins lists; :class:`Lines`, one to a line; a
:class:`Named` catalog key, with its Japanese name in Japanese; a :class:`Labelled` code, with
its label in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

from accessreg.escape import shorten

Param: TypeAlias = "str | int | date | Message | tuple[Param, ...]"


@dataclass(frozen=True, order=True)
class Message:
    text: str  # the English text, the catalog key
    params: tuple[tuple[str, Param], ...] = ()
    plural: str | None = None  # the English plural, for nmsg
    count: int | None = None

    def english(self, cap: bool = True) -> str:
        """The message in English without the catalog (the catalog's key is the English)."""
        return render(
            self,
            lambda m: m.text if m.count in (None, 1) else (m.plural or m.text),
            cap=cap,
            lang="en",
        )

    def __str__(self) -> str:
        # Words for a reader come from ``i18n.text``, in their language. A message turned
        # into text some other way (``str``, an f-string, a template) reads as English
        # rather than as this object's fields; the tests refuse it (``tests/conftest.py``).
        return self.english()


class Lines(tuple["Param", ...]):
    """Values shown one to a line (each a message, say), not joined as a list."""

    __slots__ = ()


class Verbatim(str):
    """Text shown whole: a message the code composed itself, not a value from outside."""

    __slots__ = ()


class Named(str):
    """A key of the catalog (a system's id, ``taxis``) that a Japanese reader is shown with
    its name on the forms, ``託送システム（taxis）``; English shows the key, or ``en`` where
    given (a help page: ``Wheeling system (TAXIS)``). Equal to the key, so that a message
    holding it compares, sorts and hashes as one holding the key."""

    ja: str
    en: str

    def __new__(cls, key: str, ja: str, en: str = "") -> Named:
        named = super().__new__(cls, key)
        named.ja, named.en = ja, en
        return named

    def __reduce__(self) -> tuple[type[Named], tuple[str, str, str]]:
        return (Named, (str(self), self.ja, self.en))  # cached findings keep the name

    @property
    def japanese(self) -> str:
        """As a Japanese reader is shown it, ``託送システム（taxis）`` (text that is Japanese
        whatever the run's language uses it too); the key alone when it has no name."""
        return f"{self.ja}（{self}）" if self.ja else str(self)


class Labelled(str):
    """A code of the catalog (a permission code, ``J1010``) shown as the forms show it, with
    its label: ``J1010（権限あり）``; English takes the English label, ``J1010 (granted)``, or
    shows the code alone. ``alone``: the form shows the label only (あり / なし). Equal to the
    code, as :class:`Named` is to its key."""

    ja: str
    en: str
    alone: bool

    def __new__(cls, code: str, ja: str = "", en: str = "", alone: bool = False) -> Labelled:
        labelled = super().__new__(cls, code)
        labelled.ja, labelled.en, labelled.alone = ja, en, alone
        return labelled

    def __reduce__(self) -> tuple[type[Labelled], tuple[str, str, str, bool]]:
        return (Labelled, (str(self), self.ja, self.en, self.alone))

    def shown(self, lang: str) -> str:
        label = self.ja if lang == "ja" else self.en
        if not label:
            return str(self)
        if self.alone:
            return label
        return f"{self}（{label}）" if lang == "ja" else f"{self} ({label})"


def escaped(message: Message, escape: Callable[[str], str]) -> Message:
    """``message`` with every value from outside (a plain ``str``) made literal by
    ``escape`` for the output it goes to; the catalog's own words stay as they are."""

    def value(param: Param) -> Param:
        if isinstance(param, Message):
            return escaped(param, escape)
        if isinstance(param, Lines):
            return Lines(value(p) for p in param)
        if isinstance(param, tuple):
            return tuple(value(p) for p in param)
        if isinstance(param, Named):
            return Named(escape(param), escape(param.ja), escape(param.en))
        if isinstance(param, Labelled):
            return Labelled(escape(param), escape(param.ja), escape(param.en), param.alone)
        if isinstance(param, str) and not isinstance(param, Verbatim):
            return Verbatim(escape(param))
        return param

    return Message(
        message.text,
        tuple((name, value(p)) for name, p in message.params),
        message.plural,
        message.count,
    )


def msg(text: str, /, **params: Param) -> Message:
    return Message(text, tuple(params.items()))


def nmsg(singular: str, plural: str, count: int, /, **params: Param) -> Message:
    """A message about ``count`` things; ``{count}`` names the number."""
    return Message(singular, (("count", count), *params.items()), plural, count)


def render(
    message: Message,
    template: Callable[[Message], str],
    list_separator: str = ", ",
    cap: bool = True,
    lang: str = "en",
) -> str:
    """``message`` with its values filled in, in ``lang``; ``template`` gives a message's text
    (translated)."""

    def value(param: Param) -> str:
        if isinstance(param, Message):
            return render(param, template, list_separator, cap, lang)
        if isinstance(param, Named):
            if lang == "ja" and param.ja:
                return param.japanese
            return param.en or str(param)
        if isinstance(param, Labelled):
            return param.shown(lang)
        if isinstance(param, Lines):
            return "\n".join(value(p) for p in param)
        if isinstance(param, tuple):
            return list_separator.join(value(p) for p in param)
        if isinstance(param, date):
            return param.isoformat()
        if isinstance(param, Verbatim):
            return str(param)
        if isinstance(param, str) and cap:
            return shorten(param)  # one huge value cannot make a huge message
        return str(param)

    return template(message).format_map({name: value(p) for name, p in message.params})
