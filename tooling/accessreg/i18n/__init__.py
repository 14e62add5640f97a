"""The message catalog: Japanese by default, English on request. Babel lives here only.

The catalog is gettext's: the English text of each message is its key (msgid), and
``locale/ja/LC_MESSAGES/accessreg.po`` holds the Japanese. Messages are extracted with
``pybabel extract -F babel.cfg`` (the extractor is :mod:`accessreg.i18n.extract`) and merged
with ``pybabel update``; the test suite fails while the template or a catalog is stale or a
message lacks its translation. The ``.po`` file is compiled with Babel when it is first
needed, so an installed checkout needs no build step.

The language of a run: ``--lang``, else ``ACCESSREG_LANG``, else the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``) when it names a language of the catalog, else Japanese.
"""

from __future__ import annotations

import gettext
import io
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from accessreg.model.messages import Message, render

LANGS = ("ja", "en")
DEFAULT = "ja"
ENV = "ACCESSREG_LANG"
DOMAIN = "accessreg"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
# The language catalogs hold translations for; English is the catalog's keys.
TRANSLATED = ("ja",)
_LIST_SEPARATORS = {"ja": "、", "en": ", "}

_chosen: ContextVar[str | None] = ContextVar("accessreg_lang", default=None)


def known(lang: str) -> str | None:
    """``lang`` as a language of the catalog (``ja_JP.UTF-8`` → ``ja``), or None."""
    base = lang.split(".", 1)[0].split("_", 1)[0].split("-", 1)[0].lower()
    return base if base in LANGS else None


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    explicit = env.get(ENV)
    if explicit:
        return known(explicit) or DEFAULT
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return known(value) or DEFAULT
    return DEFAULT


def current() -> str:
    """The language of this run."""
    return _chosen.get() or from_environment()


def choose(lang: str) -> None:
    """Speak ``lang`` from now until the enclosing ``using`` block ends (the command line
    learns the run's language while it parses its arguments)."""
    _chosen.set(lang)


@contextmanager
def using(lang: str) -> Iterator[str]:
    """Speak ``lang`` inside the block (the CLI sets the run's language this way)."""
    token = _chosen.set(lang)
    try:
        yield lang
    finally:
        _chosen.reset(token)


def po_file(lang: str, domain: str = DOMAIN) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


@cache
def translations(lang: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The catalog of ``domain`` in ``lang``: the tool's own (``accessreg``), or the words
    of the command-line library (``click``: its usage errors and help headings)."""
    if lang not in TRANSLATED:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_file(lang, domain).open("rb") as f:
        catalog = read_po(f, locale=lang, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def text(message: Message | object, lang: str | None = None, cap: bool = True) -> str:
    """``message`` in ``lang`` (by default the run's language); anything else (the plain
    text of an error not in the catalog) as it is. ``cap``: values are cut as a message
    repeats them (off for an error, whose values are the tool's and git's own words)."""
    if not isinstance(message, Message):
        return str(message)
    lang = lang or current()
    t = translations(lang)

    def template(m: Message) -> str:
        if m.plural is not None and m.count is not None:
            return t.ngettext(m.text, m.plural, m.count)
        return t.gettext(m.text)

    return render(message, template, _LIST_SEPARATORS[lang], cap, lang)


def joined(values: Iterable[str], lang: str | None = None) -> str:
    """``values`` as one list in ``lang``, joined as the messages join theirs."""
    return _LIST_SEPARATORS[lang or current()].join(values)


def translate(source: str, lang: str | None = None) -> str:
    """A catalog entry without values (a rule's documentation, say), in ``lang``."""
    return translations(lang or current()).gettext(source)
