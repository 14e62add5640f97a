"""The one home of escaping: text from outside (a pull request, an issue form, a registry
file, a command-line argument) made literal for each kind of output it reaches.

One function per output kind, used by every renderer of that kind:

- :func:`terminal`: a terminal or a CI log;
- :func:`workflow_data` and :func:`workflow_property`: GitHub workflow commands;
- :func:`markdown` (inline) and :func:`markdown_block`: a pull-request comment or body;
- :func:`mail_header`: a header of a notification mail, :func:`mail_text`: its body;
- :func:`commit_text`: a git commit message GitHub shows (a branch's commit);
- :func:`csv_cell`: a cell of a CSV a spreadsheet may open.

And :func:`one_line`, for a one-line text that reaches the tool unchecked by validation (a
pull request's title); the checks that go with them: :func:`unsafe_characters` (what
validation refuses in text fields, rule ``text-control``) and :func:`quote` /
:func:`shorten` (how much of a value a message repeats); :func:`isolated`, how the markdown
and mail functions keep right-to-left letters from reordering the text around a value. This
module imports nothing of the package, so that every folder may use it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Invisible or layout-changing characters: controls (NUL, ESC, ...), formats (the
# bidirectional overrides such as U+202E, zero-width characters), line and paragraph
# separators (U+2028, U+2029) and surrogates (a file name that is not UTF-8).
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
# Printable characters that show as nothing or as a blank: fillers and joiners of other
# categories (letters, marks, a braille pattern) that would make a name look like another.
# Variation selectors are not among them: they choose a glyph of the character before them
# (葛 and 葛\U000e0100, as a family register writes a name).
INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0")
_INVISIBLE = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")
# The spaces a name is written with: the half-width and the full-width. The others (U+00A0
# left by a pasted cell, U+2003) look like them, so 「試験\u2003太郎」 passes for 「試験 太郎」,
# and a CI runner trims them as white space before reading a line as a command (``::``).
SPACES = frozenset(" \u3000")
# Right-to-left letters (Hebrew, Arabic, Syriac, Thaana, N'Ko and the scripts after them,
# their presentation forms) and Arabic digits, by block. Beside them the bidirectional
# algorithm (UAX #9) reorders digits and punctuation: an Arabic name before a date shows
# 「2026-12-10」 as 「10-12-2026」, and moves it before the name. A block's other characters
# only make :func:`isolated` add an isolate that changes nothing shown.
_RIGHT_TO_LEFT_BLOCKS = (
    (0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFE), (0x10800, 0x10FFF), (0x1E800, 0x1EFFF)
)  # fmt: skip
_RIGHT_TO_LEFT = re.compile(
    "[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _RIGHT_TO_LEFT_BLOCKS) + "]"
)


def _any_but_between(notable: list[tuple[int, int]]) -> re.Pattern[str]:
    """A character beyond the Basic Multilingual Plane or in one of the ``notable`` ranges
    of it, written as the negated class of the ranges between them: the engine checks a
    Japanese text against a few wide ranges faster than against many narrow ones."""
    between, start = [], 0
    for low, high in sorted(notable):
        if low > start:
            between.append(f"{re.escape(chr(start))}-{re.escape(chr(low - 1))}")
        start = max(start, high + 1)
    between.append(f"{re.escape(chr(start))}-\uffff")
    return re.compile(f"[^{''.join(between)}]")


# Invisible or right-to-left, or beyond the BMP (a kanji such as 𠮷 too): one scan tells a
# mail's value shown as it is, almost every one, from one that needs a second look.
_NOT_AS_WRITTEN = _any_but_between(
    [(ord(ch), ord(ch)) for ch in INVISIBLE] + [b for b in _RIGHT_TO_LEFT_BLOCKS if b[1] <= 0xFFFF]
)
# FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE: the text between them is ordered on its
# own, as one neutral character to the text around it.
ISOLATE_START, ISOLATE_END = "\u2068", "\u2069"
# Line breaks and tabs are allowed in multi-line fields (a memo), nowhere else.
MULTILINE_ALLOWED = frozenset("\n\t")
# How many characters of a value a message repeats.
QUOTE_LIMIT = 80
# How many characters of a path a list of paths shows (``shorten_path``).
PATH_LIMIT = 160


def _unsafe(ch: str) -> bool:
    kind = unicodedata.category(ch)
    return kind in UNSAFE_CATEGORIES or ch in INVISIBLE or (kind == "Zs" and ch not in SPACES)


def _as_written(text: str) -> bool:
    """Safe, and nothing to isolate (``isolated``): shown as it is, almost every value
    checked in one scan."""
    if not text.isprintable():
        return False
    if text.isascii() or not _NOT_AS_WRITTEN.search(text):
        return True
    return is_safe_text(text) and not _RIGHT_TO_LEFT.search(text)


def is_safe_text(text: str) -> bool:
    """No unsafe character in ``text``: checked in C for almost every value (ASCII, or
    printable with no invisible character)."""
    return text.isprintable() and (text.isascii() or not _INVISIBLE.search(text))


def unsafe_characters(text: str, multiline: bool = False) -> list[str]:
    """The distinct unsafe characters of ``text`` (line breaks and tabs too, unless
    ``multiline``), in order of appearance."""
    if is_safe_text(text):  # the common case, in C
        return []
    allowed = MULTILINE_ALLOWED if multiline else frozenset()
    return list(dict.fromkeys(ch for ch in text if _unsafe(ch) and ch not in allowed))


def _visible(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


# A GitHub runner reads ``##[command]`` anywhere in a line of the log (the commands before
# ``::``, still honoured): the second ``#`` is shown as its escape.
_OLD_COMMAND = "##["
_OLD_COMMAND_SHOWN = "#\\x23["


def terminal(text: str) -> str:
    """Text that prints as one line, as written: every unsafe character (line breaks, ESC,
    bidirectional overrides, invisible fillers, bytes of a name that is not UTF-8) shown as
    an escape such as ``\\x1b`` or ``\\u202e``, so it can neither move the cursor, colour the
    terminal, reorder what is shown, hide itself nor start a line of its own, and ``##[``
    shown as ``#\\x23[``: neither the start of a line nor its middle is a GitHub workflow
    command."""
    return _no_old_command(_escaped(text))


def _no_old_command(shown: str) -> str:
    return shown.replace(_OLD_COMMAND, _OLD_COMMAND_SHOWN) if _OLD_COMMAND in shown else shown


def _escaped(text: str) -> str:
    """``text`` with every unsafe character shown as its escape."""
    if is_safe_text(text):
        return text
    return "".join(_visible(ch) if _unsafe(ch) else ch for ch in text)


def isolated(text: str) -> str:
    """``text`` between the isolate's marks where it holds right-to-left letters, so that
    they reorder nothing outside it: a value (a name, a memo) shown beside the text of a
    comment or a mail leaves that text, its dates above all, in the order written. A mark
    is a format character, which validation refuses in registry text: a value cannot close
    the isolate early (``markdown`` and ``mail_text`` show one as its escape first,
    ``mail_header`` keeps only marks that pair)."""
    if text.isascii() or not _RIGHT_TO_LEFT.search(text):
        return text
    return f"{ISOLATE_START}{text}{ISOLATE_END}"


def one_line(text: str) -> str:
    """A text from outside the registry (a pull request's title), which validation has not
    checked: its runs of white space, line breaks among them, one space; any other unsafe
    character shown as its escape (``\\x1b``). Each output escapes it as its kind needs."""
    return _escaped(" ".join(text.split()))


def terminal_path(path: str) -> str:
    """A path as :func:`terminal` shows it, for the start of a line (``file:line:col: …``):
    one that starts with anything but a letter, a digit or ``._/`` is shown as ``./path``,
    so that no line starts with ``::`` or ``##[``, which a CI runner reads as a command."""
    shown = terminal(path)
    return shown if shown[:1].isalnum() or shown[:1] in ("", ".", "_", "/") else f"./{shown}"


_PERCENT = {"%": "%25", "\r": "%0D", "\n": "%0A"}


def workflow_data(text: str) -> str:
    """The message of a GitHub workflow command (``::error file=…::MESSAGE``): line breaks
    percent-encoded as the runner expects (it decodes them into the annotation), any other
    unsafe character shown as an escape (the log viewer would run ANSI sequences)."""
    if is_safe_text(text) and "%" not in text and _OLD_COMMAND not in text:
        return text
    shown = "".join(_PERCENT.get(ch) or (_visible(ch) if _unsafe(ch) else ch) for ch in text)
    return _no_old_command(shown)


def workflow_property(text: str) -> str:
    """A property value of a GitHub workflow command (``file=VALUE``)."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


# ASCII punctuation that means nothing to markdown or GitHub inside a line. Left out: what
# formats (* _ ~ ` $ for math), links or quotes (< > [ ] ! & \\ : and "www."), mentions (@),
# references (#, "GH-1"), emoji (:) and tables (|).
_INERT = frozenset(" ,;'\"?%^{}=/.-+()")
_GITHUB_LINK = re.compile(r"(?i)\bwww\.|\bgh-[0-9]")


# An underscore between two ASCII letters or digits: markdown reads it as part of the word,
# never as emphasis (a catalog key, ``member_portal``, shown as ``johs`` is).
_INNER_UNDERSCORE = re.compile(r"(?<=[A-Za-z0-9])_(?=[A-Za-z0-9])")


def _plain(text: str) -> bool:
    """Text GitHub shows as it is: letters, digits, non-ASCII text, inert punctuation and
    underscores inside a word, starting with a letter, a digit or non-ASCII text (a leading
    - or + could start a list)."""
    if not text or not (text[0].isalnum() or not text[0].isascii()):
        return False
    # An underscore is no word boundary to the pattern, yet GitHub links a "www." after one.
    if _GITHUB_LINK.search(text.replace("_", " ")):
        return False
    text = _INNER_UNDERSCORE.sub("", text)
    return all(ch.isalnum() or ch in _INERT or not ch.isascii() for ch in text)


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _code_span(text: str) -> str:
    if not text:
        return ""
    ticks = "`" * (_longest_backticks(text) + 1)
    # A code span drops one space at each end when both are there, and a backtick at an end
    # would join the delimiter: pad with a space (which the span drops) in either case.
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def markdown(text: str) -> str:
    """Inline text, shown as written in a GitHub comment, a table cell included.

    Text of words and inert punctuation stays as it is; anything else goes in code spans,
    where neither markdown nor GitHub's own processing (links, @mentions, #references,
    emoji) applies: HTML shows as text, a backtick cannot close the span (the delimiter is
    longer than any run inside) and a line break cannot start a line (it is shown as the
    escape ``\\x0a``). A ``|`` stands outside the spans, escaped, so a table cell holds it.
    """
    shown = terminal(text)
    if _plain(shown):
        return isolated(shown)
    return isolated("\\|".join(_code_span(part) for part in shown.split("|")))


def markdown_block(text: str, lang: str = "text") -> str:
    """Several lines shown as written: a fenced code block longer than any backtick run
    inside, each line's unsafe characters shown as escapes."""
    lines = [terminal(line) for line in text.split("\n")]
    body = "\n".join(lines)
    ticks = "`" * max(3, _longest_backticks(body) + 1)
    return f"{ticks}{lang}\n{body}\n{ticks}"


# Where each further line of a value of several lines starts in a mail's body.
MAIL_CONTINUATION = "\n      > "


def mail_text(text: str) -> str:
    """A value in the body of a plain-text mail, as written: each further line of a value of
    several lines (a memo, a reason) starts indented and marked as a quotation, so that none
    can pass for a line of the mail's own (a heading, a step to take); any other unsafe
    character shown as its escape (``\\x1b``)."""
    if _as_written(text):  # almost every value
        return text
    if is_safe_text(text):
        return isolated(text)
    # Each line its own isolate: a line break ends one (UAX #9, BD8).
    return MAIL_CONTINUATION.join(
        isolated("\t".join(_escaped(part) for part in line.split("\t")))
        for line in text.splitlines()
    )


def _paired(text: str) -> bool:
    """Each isolate mark of ``text`` closes one opened before it, and all are closed."""
    depth = 0
    for ch in text:
        if ch == ISOLATE_START:
            depth += 1
        elif ch == ISOLATE_END:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def mail_header(text: str) -> str:
    """An unstructured header value (a subject): each run of unsafe characters, line breaks
    above all, with the spaces beside it, becomes one space, so that a value cannot add a
    header (nor show a name with a gap where its line broke). The isolate marks of a value
    a template wrote (a subject naming the operator, ``mail_text``) stay where they pair."""
    if _as_written(text):
        return text.strip()
    if is_safe_text(text):
        return isolated(text.strip())
    kept = frozenset((ISOLATE_START, ISOLATE_END)) if _paired(text) else frozenset()
    out: list[str] = []
    gap = False  # the last character written stands for unsafe ones
    for ch in text:
        if (ch in kept or not _unsafe(ch)) and not (gap and ch == " "):
            out.append(ch)
            gap = False
        elif not gap:
            if out and out[-1] == " ":
                out.pop()
            out.append(" ")
            gap = True
    return isolated("".join(out).strip())


# What GitHub acts on in a commit message it receives: a reference (#1, GH-1, owner/repo#1,
# an issue's URL) links the issue and notifies it, and after a closing keyword ("Fixes #1")
# closes it once the commit reaches the default branch; an @mention links the person. A
# mention or GH- starts after anything but an ASCII letter, digit or _ (an e-mail address's
# @ is no mention); a link is made of a scheme (://) or www., which an _ may precede.
_COMMIT_ACTIVE = re.compile(
    r"#|(?<![A-Za-z0-9_])(?:@|(?i:gh)-(?=[0-9]))|(?<![A-Za-z0-9])(?i:www)\.|://"
)
_COMMIT_INERT = str.maketrans("#@-.:", "＃＠－．：")


def commit_text(text: str) -> str:
    """Text for a commit message, on one line, that GitHub acts on in no way: every # and
    the @ that could start a mention become their fullwidth forms (＃, ＠), as do the hyphen
    of ``GH-1``, the dot of ``www.`` and the colon of ``://``; without a reference, a closing
    keyword (Fixes, Closes, Resolves) closes nothing. Unsafe characters are shown as
    :func:`terminal` shows them, so the text adds no line (no trailer such as
    ``Co-authored-by:``). An e-mail address stays as it is (its @ follows a letter or digit)."""
    shown = terminal(text)
    return _COMMIT_ACTIVE.sub(lambda m: m[0].translate(_COMMIT_INERT), shown)


# A cell a spreadsheet would read as a formula starts with one of these.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The characters of a login ID (000 §5-1 note 3). A formula made of them alone calls no
# function (no parentheses), reaches no other program (no `|` or `!`) and opens no link:
# such a cell, an ID starting with = or - among them, is written as it is.
_ID_CHARACTERS = re.compile(r"[A-Za-z0-9_~.$&'`^=@-]*")


_FORMULA_FIRST = "".join(FORMULA_START)


def csv_row(cells: Sequence[str]) -> Sequence[str]:
    """``cells`` as :func:`csv_cell` writes each: the row itself when no cell starts like a
    formula (the case of almost every row of a 200,000-row file), without a call per cell."""
    for cell in cells:
        if cell[:1] in _FORMULA_FIRST and cell:  # "" is in every string
            return [csv_cell(c) for c in cells]
    return cells


def csv_cell(text: str) -> str:
    """A cell that cannot run as a formula in a spreadsheet: a leading apostrophe before
    anything formula-looking (the OWASP advice), except a cell of login-ID characters only,
    which could at most compute, so that an import file holds every ID exactly."""
    if text.startswith(FORMULA_START) and not _ID_CHARACTERS.fullmatch(text):
        return f"'{text}"
    return text


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Text as a message repeats it: cut after ``limit`` characters with the full length
    said, so that one huge value (a million-character memo) cannot make a huge message."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def shorten_path(path: str, limit: int = PATH_LIMIT) -> str:
    """A path as a list shows it: at most ``limit`` characters, its middle cut to ``…``,
    keeping its start and its file name (the name's end, when the name alone is longer),
    so that one path deep in folders (git allows thousands of characters) cannot fill a
    list, nor look like another path."""
    if len(path) <= limit:
        return path
    keep = max(limit - 1, 2)
    name = len(path) - path.rfind("/")  # the file name with its slash
    tail = min(name, keep - max(keep // 4, 1))
    return f"{path[: keep - tail]}…{path[len(path) - tail :]}"


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A value as a message quotes it: its ``repr``, shortened as :func:`shorten` does."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    return shorten(repr(value), limit)
