"""Check one parsed file against its JSON Schema.

A compiled validator (fastjsonschema) answers the common case, a valid file, in microseconds;
only a file it rejects goes through ``jsonschema`` to collect every violation with its path.
"""

from __future__ import annotations

import difflib
import functools
import json
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import fastjsonschema

if TYPE_CHECKING:
    import jsonschema

from accessreg.escape import INVISIBLE
from accessreg.model import base, meta, terms
from accessreg.model.layout import Kind, schema_file
from accessreg.model.messages import Message, Named, Param, msg
from accessreg.model.problems import DataPath

Violation = tuple[DataPath, Message]
# The text of the scalar at a data path as the file writes it (``02010``, ``yes``), if any.
Source = Callable[[DataPath], str | None]
# The systems a schema's permissions hold, each as a message names it (``Catalog.named``).
Systems = Mapping[str, Named]


def _fast_form(schema: dict[str, Any]) -> dict[str, Any]:
    # fastjsonschema knows drafts 4-7; the keywords these schemas use mean the same there.
    body: dict[str, Any] = _enums({k: v for k, v in schema.items() if k not in ("$schema", "$id")})
    return body


def _enums(node: Any) -> Any:
    """The schema with every ``oneOf`` of distinct constants written as the ``enum`` it means.

    The catalog's permission codes are such lists (each code with its label). fastjsonschema
    checks ``oneOf`` by trying every branch and raising for each mismatch, a large share of
    the time to check a valid file; an ``enum`` is one membership test.
    """
    if isinstance(node, list):
        return [_enums(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _enums(v) for k, v in node.items()}
    branches = node.get("oneOf")
    if (
        isinstance(branches, list)
        and branches
        and "enum" not in node
        and all(
            isinstance(b, dict) and "const" in b and b.keys() <= _ANNOTATED_CONST for b in branches
        )
    ):
        consts = [b["const"] for b in branches]
        if all(type(c) is str for c in consts) and len(set(consts)) == len(consts):
            del out["oneOf"]
            out["enum"] = consts
    return out


_ANNOTATED_CONST = {"const", "description", "title"}


class SchemaChecker:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.systems = _systems(schema)
        self.user = schema.get("$id") == schema_file(Kind.USER)

    def field_name(self, path: DataPath) -> Message:
        """``field_name`` in a file of this schema's kind: a user's field as the user form
        names it, a permission by its system's name on the forms."""
        return field_name(path, self.systems, self.user)

    @functools.cached_property
    def _full(self) -> jsonschema.Draft202012Validator:
        # Only a file the fast validator rejects needs it; importing it costs ~0.1 s.
        import jsonschema

        return jsonschema.Draft202012Validator(
            self.schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )

    @functools.cached_property
    def _fast(self) -> Callable[[Any], Any]:
        # Compiled on first use: a run that takes every file from a cache compiles nothing.
        compiled: Callable[[Any], Any] = fastjsonschema.compile(_fast_form(self.schema))
        return compiled

    def compile(self) -> None:
        """Compile now (before forking workers, so that they share the compiled code)."""
        _ = self._fast

    def violations(self, data: Any, source: Source = lambda path: None) -> list[Violation]:
        try:
            self._fast(data)
            return []
        except fastjsonschema.JsonSchemaException:
            pass
        # Each once: jsonschema reports a missing key per error, each error naming every
        # required key (four missing keys were told four times each).
        found = list(
            dict.fromkeys(v for e in self._leaves(data) for v in _violations(e, source, self))
        )
        # Both engines should agree; if only the fast one objects, still report it.
        return found or [
            (
                (),
                msg(
                    "The file is not written as its kind of file expects: compare it with the "
                    "sample registry"
                ),
            )
        ]

    def _leaves(self, data: Any) -> Iterator[jsonschema.ValidationError]:
        from jsonschema.exceptions import best_match

        errors = sorted(self._full.iter_errors(data), key=lambda e: [str(p) for p in e.path])
        # A value of the wrong type (an unquoted code) also fails every other keyword of its
        # place; the type is the one thing to tell.
        mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
        for error in errors:
            if tuple(error.absolute_path) in mistyped and error.validator != "type":
                continue
            if error.context and not _consts(error):  # report the branch that got furthest
                # A branch of another type ("'2026-02-30' is not of type 'object'") did not.
                typed = [e for e in error.context if e.validator != "type"]
                yield best_match(typed or error.context)
            else:
                yield error


def _systems(schema: dict[str, Any]) -> dict[str, Named]:
    """The systems of a user file's permissions, by the names on the forms that the schema
    generated from the catalog titles them with; none in a schema of another kind."""
    places = schema.get("properties", {}).get("permissions", {}).get("properties", {})
    return {
        key: Named(key, str(place.get("title", "")))
        for key, place in places.items()
        if isinstance(place, dict)
    }


def _consts(error: jsonschema.ValidationError) -> list[str]:
    """The allowed values of a oneOf/anyOf of constants (a system's codes), else []."""
    branches = error.schema.get(str(error.validator), []) if isinstance(error.schema, dict) else []
    if error.validator in ("oneOf", "anyOf") and branches and all("const" in b for b in branches):
        return [str(b["const"]) for b in branches]
    return []


def _allowed(schema: Any) -> list[str]:
    """The values a place of the schema allows, when it lists them (codes, roles), else []."""
    if not isinstance(schema, dict):
        return []
    if "enum" in schema:
        return [str(v) for v in schema["enum"]]
    if "const" in schema:
        return [str(schema["const"])]
    branches = schema.get("oneOf") or schema.get("anyOf") or []
    if branches and all(isinstance(b, dict) and "const" in b for b in branches):
        return [str(b["const"]) for b in branches]
    return []


def _violations(
    error: jsonschema.ValidationError, source: Source, checker: SchemaChecker
) -> Iterator[Violation]:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        # One problem per unknown key, on the key's own line.
        schema = error.schema if isinstance(error.schema, dict) else {}
        known = list(schema.get("properties", {}))
        for key in error.instance:
            if key not in known:
                yield (*path, key), unknown_key(str(key), known, path, checker.systems)
        return
    if error.validator == "required" and isinstance(error.instance, dict):
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
        schema = error.schema if isinstance(error.schema, dict) else {}
        unknown = [str(k) for k in error.instance if k not in schema.get("properties", {})]
        for key in required:
            # A misspelt key (name_kane) is reported with its guess; its absence would only
            # say the same again.
            if key not in error.instance and not difflib.get_close_matches(key, unknown, 1, 0.6):
                # At the key's own path (located at its parent mapping): a rule's finding on
                # the value set aside in its place is then left out as the same fix.
                yield (
                    (*path, key),
                    msg(
                        "`{key}` ({what}) is missing: add it",
                        key=str(key),
                        what=checker.field_name((key,)),
                    ),
                )
        return
    yield path, _message(error, source, checker.field_name)


def field_name(path: DataPath, systems: Systems | None = None, user: bool = False) -> Message:
    """What the forms call the field at ``path`` (of a user's file: ``user``), or its key;
    a permission by its system, named as the forms name it where ``systems`` knows it."""
    keys = [p for p in path if isinstance(p, str)]
    if len(keys) >= 2 and keys[-2] == "permissions":
        system = keys[-1]
        return msg("the permission for {system}", system=(systems or {}).get(system, system))
    if keys and keys[-1] == "code" and "subcontractors" in keys:
        return msg("subcontractor code")
    return terms.field_name(keys[-1] if keys else "", user=user and len(keys) == 1)


def unknown_key(
    key: str, known: list[str], path: DataPath, systems: Systems | None = None
) -> Message:
    """An unknown key, with the known key it most likely was meant to be; a system also by
    its name on the forms, where ``systems`` knows it."""
    if path and path[-1] == "permissions":
        named = [(systems or {}).get(k, k) for k in known]
        guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if guess:
            return msg(
                "`{key}` is not a system: did you mean {guess}?",
                key=key,
                guess=named[known.index(guess[0])],
            )
        if len(known) == 1:
            return msg(
                "`{key}` is not a system of the catalog: write {known}", key=key, known=named[0]
            )
        return msg(
            "`{key}` is not a system of the catalog: write one of {known}",
            key=key,
            known=tuple(named),
        )
    guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if guess:
        return msg(
            "`{key}` is not a key of this file: did you mean `{guess}`?", key=key, guess=guess[0]
        )
    return msg("`{key}` is not a key here: the keys here are {known}", key=key, known=tuple(known))


# A failed pattern, said as the forms say what to write. Keyed by the pattern itself, so a new
# pattern without its sentence is noticed (tests check every pattern of the schemas).
_OPERATOR_CODE = msg("Write {what} in 4 to 8 upper-case ASCII letters and digits")
PATTERNS: dict[str, Message] = {
    base.OPERATOR_CODE: _OPERATOR_CODE,
    # A provisional key (003 §2.2) is given by the reception centre: a person writes a code.
    base.OPERATOR_KEY: _OPERATOR_CODE,
    meta.MONTH_DAY: msg("Write {what} as month-day, e.g. 12-29"),
    base.LOGIN_ID: msg(
        "Write {what} as an address that must receive internet mail: before the @ at most "
        "{local} ASCII letters, digits and -_~.$&'`^= (no dot first, last or doubled); after "
        "it at most {label} ASCII letters, digits and - between dots; {total} in all "
        "(000 §5-1 note 3)",
        local=base.LOCAL_PART_MAX,
        label=base.DOMAIN_LABEL_MAX,
        total=base.LOGIN_ID_MAX,
    ),
    base.SERIAL: msg(
        "Write {what} in upper-case hexadecimal, without colons or spaces and without a "
        "leading 00 (e.g. 4A3F09)"
    ),
    base.GITHUB_LOGIN: msg(
        "Write {what} as GitHub shows it: ASCII letters, digits and single hyphens, not "
        "starting or ending with a hyphen"
    ),
    base.PHONE: msg("Write {what} in half-width digits and hyphens (e.g. 03-0000-0101)"),
    base.HTTPS_URL: msg(
        "Write {what} in full, starting with https:// and without spaces "
        "(e.g. https://example.co.jp/privacy)"
    ),
    base.SYSTEM_ID: msg("Write {what} as a system of the catalog in lower case (e.g. taxis)"),
    base.KANA: msg("Write {what} in full-width katakana (e.g. タクソウ タロウ)"),
    base.FILLED: msg("Write {what}: spaces alone are no value"),
    base.CERTIFICATE_ID: msg(
        "Write {what} as the issuer gives it: up to 64 ASCII letters, digits, - and _"
    ),
    base.CIDR: msg("Write {what} as a fixed address, such as 41.203.64.10/32"),
    base.SEED_CITATION: msg(
        "Write {what} as seed sections: a seed's number, then its sections or pages, "
        "separated by commas (e.g. 002 §2.1.1, 001 p13)"
    ),
}


def pattern_sentence(pattern: str, what: Message | str) -> Message:
    """What to write when a value fails ``pattern``, for the field called ``what`` (the
    sentence's own values, such as the login ID's limits, kept)."""
    sentence = PATTERNS[pattern]
    return replace(sentence, params=(*sentence.params, ("what", what)))


def failed_pattern(pattern: str, written: str, what: Message | str) -> Message:
    """The value ``written`` (as given) refused by ``pattern``, with what to write: as
    ``validate`` says it, and an editing command for a value it refuses before the schema
    sees it."""
    return msg("{value}: {how}", value=written, how=pattern_sentence(pattern, what))


def _not_allowed(written: str, what: Message, allowed: Sequence[str]) -> Message:
    """A value outside the ones allowed, with what to write: the one value, or a choice."""
    if len(allowed) == 1:
        return msg(
            "{value} cannot be used for {what}: write {allowed}",
            value=written,
            what=what,
            allowed=allowed[0],
        )
    return msg(
        "{value} cannot be used for {what}: write one of {allowed}",
        value=written,
        what=what,
        allowed=tuple(allowed),
    )


def login_id_refused(
    address: str, written: str, what: Message, validator: str = "pattern"
) -> Message:
    """Why the login ID ``address`` (``written``, as given) is refused by ``validator`` of
    its schema, and what to write: as ``validate`` says it, and the editing commands for a
    value they refuse before the schema sees it. Typed in full width, it is named in half
    width; holding characters no login ID has (a kanji, a kana, an accented letter, a
    space), they are named; over a mail server's limit, the limit; else the pattern."""
    if validator == "pattern":
        if at := full_width_at(address, written):
            return at
        if foreign := _foreign_in_login_id(address, written, what):
            return foreign
    over = _login_id_over(address, validator, written, what)
    if over is not None:
        return over
    return failed_pattern(base.LOGIN_ID, written, what)


def _foreign_in_login_id(address: str, written: str, what: Message) -> Message | None:
    bad = list(dict.fromkeys(c for c in address if c not in base.LOGIN_ID_CHARACTERS))
    if not bad:
        return None
    shown = tuple(named_character(ch) for ch in bad[:3])
    if len(bad) > 3:
        return msg(
            "{value}: {what} cannot hold {chars} and more: write it with half-width letters "
            "and digits, one @, dots, and no other symbol than -_~$&'`^= (000 §5-1 note 3)",
            value=written,
            what=what,
            chars=shown,
        )
    return msg(
        "{value}: {what} cannot hold {chars}: write it with half-width letters and digits, "
        "one @, dots, and no other symbol than -_~$&'`^= (000 §5-1 note 3)",
        value=written,
        what=what,
        chars=shown,
    )


# Characters a back office has a word for (what Excel or a web page leaves in a pasted name).
_LINE_BREAKS = frozenset("\n\r\x85\u2028\u2029")
# The format characters that change the direction text is shown in (U+202E shows 「abc」 as
# 「cba」), and those that take no width.
_DIRECTION = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZERO_WIDTH = frozenset("\u200c\u200d\u2060\ufeff")


def named_character(ch: str) -> Param:
    """A character as a message names it: by the word staff use for its kind, with its code
    point, ``改行（U+000A）``, ``全角英字（U+FF21）``, ``制御文字（U+0007）``; one that looks
    like no other as itself too, ``「木」（U+6728）``, ``「+」（U+002B）``; by the code point
    alone for any other (a Cyrillic Е is not shown as the E it looks like). The code point
    always: it tells U+2028 from a line feed."""
    code = f"U+{ord(ch):04X}"
    if ch in _LINE_BREAKS:
        return msg("a line break ({code})", code=code)
    if ch == "\t":
        return msg("a tab ({code})", code=code)
    if ch == "\u200b":
        return msg("a zero-width space ({code})", code=code)
    if ch in _ZERO_WIDTH:
        return msg("a zero-width character ({code})", code=code)
    if ch in _DIRECTION:
        return msg("a format character that changes the text's direction ({code})", code=code)
    if ch == " ":  # allowed in names, but not in a code
        return msg("a half-width space ({code})", code=code)
    if ch == "\u3000":
        return msg("a full-width space ({code})", code=code)
    if unicodedata.category(ch) == "Zs":
        return msg("a space other than a half-width or full-width one ({code})", code=code)
    if (narrow := ch.translate(base.HALF_WIDTH)) != ch:  # ＡＢＣ, ０１２, ＠
        if narrow.isalpha():
            return msg("a full-width letter ({code})", code=code)
        if narrow.isdigit():
            return msg("a full-width digit ({code})", code=code)
        return msg("a full-width symbol ({code})", code=code)
    if ch in INVISIBLE:
        return msg("an invisible character ({code})", code=code)
    kind = unicodedata.category(ch)
    if kind == "Cc":
        return msg("a control character ({code})", code=code)
    if kind == "Cf":
        return msg("a format character ({code})", code=code)
    if _shown_as_itself(ch):
        return msg("{char} ({code})", char=ch, code=code)
    return code


def _shown_as_itself(ch: str) -> bool:
    """Whether a character is shown beside its code point: one that looks like no other
    (an ASCII symbol, a kanji or kana, an accented Latin letter), not a letter of another
    script that looks like an ASCII one (Cyrillic Е, Greek Ο)."""
    if ch.isascii():
        return ch.isprintable()
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return True
    name = unicodedata.name(ch, "")
    return name.startswith("LATIN ") and " WITH " in name


def full_width_at(address: str, written: str) -> Message | None:
    """What to write when a login ID ``address`` (``written``, as given) is typed with a
    Japanese input method on: a full-width ＠, or an address that is a login ID once its
    full-width letters, digits and symbols (ｔａｒｏ, ０１) are written in half-width ones,
    which is then named; None when it is neither. One sentence for a file ``validate``
    reads and for the value an editing command or a form gives."""
    if "＠" in address:
        return msg(
            "{email} has a full-width ＠: write the e-mail address in half-width characters, "
            "with @",
            email=written,
        )
    narrow = address.translate(base.HALF_WIDTH)
    if narrow == address or not base.is_login_id(narrow):
        return None
    return in_half_width(written, narrow)


def in_half_width(written: str, narrow: str) -> Message:
    """``written`` (a value typed in another width) refused with the value it means."""
    return msg(
        "{value} is written in full-width characters: write {code} in half-width ones",
        value=written,
        code=narrow,
    )


def _login_id_over(address: str, validator: str, written: str, what: Message) -> Message | None:
    """The limit of a mail server's (``base.LOGIN_ID``) an address is over, said for the
    keyword that found it: the pattern the part before the @ or a label of the domain, the
    maxLength the whole; None when it is within them (only its form is wrong)."""
    if validator == "maxLength" and len(address) > base.LOGIN_ID_MAX:
        return msg(
            "{value}: {what} has {length} characters, more than the {limit} internet mail "
            "takes (RFC 5321 §4.5.3.1.3): write an address of at most {limit} characters; "
            "it is also the login ID",
            value=written,
            what=what,
            length=len(address),
            limit=base.LOGIN_ID_MAX,
        )
    if validator != "pattern" or "@" not in address:
        return None
    local, _, domain = address.partition("@")
    if len(local) > base.LOCAL_PART_MAX:
        return msg(
            "{value}: {what} has {length} characters before the @, more than the {limit} "
            "internet mail takes (RFC 5321 §4.5.3.1.1): write an address with at most {limit} "
            "characters before the @; it is also the login ID",
            value=written,
            what=what,
            length=len(local),
            limit=base.LOCAL_PART_MAX,
        )
    longest = max(domain.split("."), key=len)
    if len(longest) > base.DOMAIN_LABEL_MAX:
        return msg(
            "{value}: {what} has {length} characters between two dots after the @ ({label}), "
            "more than the {limit} a domain name allows (RFC 1035 §2.3.4): write an address "
            "whose domain has at most {limit} characters between dots; it is also the login ID",
            value=written,
            what=what,
            length=len(longest),
            label=longest,
            limit=base.DOMAIN_LABEL_MAX,
        )
    return None


def _message(
    error: jsonschema.ValidationError, source: Source, named: Callable[[DataPath], Message]
) -> Message:
    schema = error.schema if isinstance(error.schema, dict) else {}
    path = tuple(error.absolute_path)
    what = named(path)
    written = source(path)
    if written is None:
        written = error.instance if isinstance(error.instance, str) else ""
    if consts := _consts(error):
        return _not_allowed(written, what, consts)
    login_id = schema.get("pattern") == base.LOGIN_ID and isinstance(error.instance, str)
    if login_id and error.validator in ("pattern", "maxLength"):
        return login_id_refused(str(error.instance), written, what, str(error.validator))
    if error.validator == "pattern":
        pattern = str(error.validator_value)
        if pattern in PATTERNS:
            return failed_pattern(pattern, written, what)
    if error.validator == "type":
        return _mistyped(error.validator_value, error.instance, schema, what, written)
    if error.validator in ("enum", "const"):
        return _not_allowed(written, what, _allowed(schema))
    if error.validator == "format" and error.validator_value == "date":
        return msg(
            "{value} is not a date: write {what} as year-month-day, e.g. 2026-04-01",
            value=written,
            what=what,
        )
    if error.validator == "minLength":
        return msg("{what} is empty: fill it in", what=what)
    if error.validator == "maxLength":
        return msg(
            "{what} is longer than {limit} characters: shorten it",
            what=what,
            limit=int(error.validator_value),  # type: ignore[arg-type]
        )
    if error.validator == "minItems":
        return msg("{what} is empty: list at least one", what=what)
    if error.validator == "uniqueItems":
        return msg("{what} lists the same value twice: list each once", what=what)
    return msg(
        "{what} is not written as this file expects: compare it with the sample registry", what=what
    )


def _mistyped(
    expected: Any, instance: Any, schema: dict[str, Any], what: Message, written: str
) -> Message:
    """A value of the wrong kind: most often an unquoted code YAML read as a number or as
    yes/no. Quoting what the applicant wrote is the fix, never what YAML made of it."""
    wanted = expected if isinstance(expected, str) else (expected or ["string"])[0]
    if wanted == "string" and isinstance(instance, bool):
        allowed = _allowed(schema)
        if len(allowed) == 1:
            return msg(
                "{value} is read as yes or no, not as a code: write {allowed} for {what}",
                value=written,
                allowed=allowed[0],
                what=what,
            )
        if allowed:
            return msg(
                "{value} is read as yes or no, not as a code: write one of {allowed} for {what}",
                value=written,
                allowed=tuple(allowed),
                what=what,
            )
        return msg(
            "{value} is read as yes or no: quote it like '{value}' to keep it as text",
            value=written,
        )
    if wanted == "string" and isinstance(instance, int | float):
        return msg(
            "Quote {what} like '{value}': without quotes it is read as a number",
            what=what,
            value=written,
        )
    if wanted == "string" and instance is None:
        return msg("{what} is empty: fill it in", what=what)
    if wanted == "string":
        return msg("Write {what} as one value on the line of its key", what=what)
    if wanted == "array":
        return msg("Write {what} as a list: one item per line, each starting with '- '", what=what)
    if wanted == "object":
        return msg("Write {what} as keys and values (key: value), indented under it", what=what)
    if wanted == "boolean":
        return msg("Write {what} as true or false", what=what)
    return msg(
        "{what} is not written as this file expects: compare it with the sample registry", what=what
    )


@functools.lru_cache(maxsize=32)
def compiled(canonical: str) -> SchemaChecker:
    """A checker for the schema whose canonical text (sorted keys) is ``canonical``,
    compiled once per process: compiling costs ~0.1 s, and catalogs of other content
    (another revision's) often generate the same schemas."""
    return SchemaChecker(json.loads(canonical))


def checker(schema: dict[str, Any]) -> SchemaChecker:
    return compiled(json.dumps(schema, sort_keys=True))
