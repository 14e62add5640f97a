"""Shared pieces of the models: the frozen base class, roles and the field patterns."""

from __future__ import annotations

import json
import re
import string
from datetime import date
from typing import Annotated, Any, Literal, Self

import pydantic_core
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

Role = Literal[
    "gas_retailer",  # ガス小売事業者
    "wheeling_client",  # 託送供給依頼者 (basic wheeling contract)
    "manufacturer",  # 製造事業者 (adjustment contract)
    "electricity_retailer",  # 小売電気事業者
    "demand_response",  # 需要抑制契約者
]
Severity = Literal["error", "warning"]

# 事業者コード: the registry checks it because EPPCERT does not (004).
OPERATOR_CODE = r"^[A-Z0-9]{4,8}$"
# An applicant for OCCTO membership has no operator code until its full application (003
# §2.2): the registry holds it under a provisional key, which no code can equal.
PROVISIONAL_PREFIX = "PROV-"
OPERATOR_KEY = rf"^([A-Z0-9]{{4,8}}|{PROVISIONAL_PREFIX}[A-Z0-9]{{1,16}})$"


def is_provisional_key(key: str) -> bool:
    return key.startswith(PROVISIONAL_PREFIX)


# Login IDs (000 §5-1 note 3): before @ ASCII letters, digits and -_~.$&'`^= ; after @ ASCII
# letters, digits, - and . (with at least one dot). The address must receive internet mail,
# so it is one as RFC 5321/5322 write it: no dot first, last or twice in a row before the @,
# and no domain label that starts or ends with a hyphen; and no longer than a mail server
# takes: at most 64 characters before the @ (RFC 5321 §4.5.3.1.1), 63 in a label of the
# domain (RFC 1035 §2.3.4) and 254 in all (RFC 5321 §4.5.3.1.3's 256 for the path, which
# adds < and >: RFC 3696 erratum 1690). The first two are the pattern's (a lookahead for the
# part before the @), the last the fields' maxLength: both in the JSON Schemas.
LOCAL_PART_MAX = 64
DOMAIN_LABEL_MAX = 63
LOGIN_ID_MAX = 254
_LOCAL = rf"(?=[^@]{{1,{LOCAL_PART_MAX}}}@)[A-Za-z0-9_~\$&'`^=-]+(\.[A-Za-z0-9_~\$&'`^=-]+)*"
_LABEL = rf"[A-Za-z0-9]([A-Za-z0-9-]{{0,{DOMAIN_LABEL_MAX - 2}}}[A-Za-z0-9])?"
LOGIN_ID = rf"^{_LOCAL}@{_LABEL}(\.{_LABEL})+$"
_LOGIN_ID = re.compile(LOGIN_ID)
# Every character the pattern takes, wherever it takes it.
LOGIN_ID_CHARACTERS = frozenset(string.ascii_letters + string.digits + "_~$&'`^=-.@")
# A field holding a login ID. The pattern is compiled, so pydantic matches it with Python's
# engine (its own has no lookahead), as the JSON Schema checks do.
LoginId = Annotated[str, Field(pattern=_LOGIN_ID, max_length=LOGIN_ID_MAX)]


def is_login_id(text: str) -> bool:
    """Whether ``text`` is a login ID as ``LoginId`` takes one: its pattern, its length."""
    return len(text) <= LOGIN_ID_MAX and _LOGIN_ID.fullmatch(text) is not None


# The full-width forms of ASCII (U+FF01 to U+FF5E: ＡＢＣ, ０１２, ＠), each to its half-width
# character (``str.translate``): what a Japanese input method types for them.
HALF_WIDTH = {wide: wide - 0xFEE0 for wide in range(0xFF01, 0xFF5F)}
# The form nginx's $ssl_client_serial prints: upper-case hex of whole bytes, no separators,
# no leading zero byte.
SERIAL = r"^(00|(0[1-9A-F]|[1-9A-F][0-9A-F])([0-9A-F]{2})*)$"
GITHUB_LOGIN = r"^[A-Za-z0-9](-?[A-Za-z0-9])*$"
GITHUB_LOGIN_MAX = 39
PHONE = r"^\+?[0-9][0-9-]{8,16}$"
HTTPS_URL = r"^https://[^\s/]+(/\S*)?$"
SYSTEM_ID = r"^[a-z][a-z0-9_]*$"
CERTIFICATE_ID = r"^[A-Za-z0-9_-]{1,64}$"
CIDR = r"^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$"
# Seed sections as the catalog cites them (``catalog.Sources``): a seed's number, then its
# sections or pages, 「002 §2.1.1, 001 p13」「002 §3.2.1, §3.3」「000 §5-1 note 5」. The plan
# comment, a form's pull request and issue form and the 受付 mail show a citation as their
# own words: the pattern admits no character that markdown, GitHub (a mention, a reference,
# a link) or a workflow command would read, and the length bounds what each repeats.
_SECTION = r"(§[0-9]+([.-][0-9]+)*|p[0-9]+(-[0-9]+)?)( note [0-9]+)?"
SEED_CITATION = rf"^[0-9]{{3}} {_SECTION}(, ([0-9]{{3}} )?{_SECTION})*$"
SEED_CITATION_MAX = 100
# Full-width katakana with spaces, as the seed's forms ask: at least one kana, not spaces alone.
# The first kana ends a run of the other characters, not of the same ones: between two runs
# of one set, a backtracking matcher (Python's, checking the schemas) tried every split,
# 14 minutes for one name of 349,000 katakana ending in a letter.
KANA = r"^[ー・\u3000 ]*[ァ-ヶ][ァ-ヶー・\u3000 ]*$"
_SPACES = re.compile("[ \u3000]+")


def one_spaced(name: str) -> str:
    """A name or its kana as a person types it, as it is compared and written: a full-width
    space (U+3000, what a Japanese keyboard types) or a run of spaces one half-width space,
    none at either end, so that 「遠藤　さやか」 is the 遠藤 さやか the registry holds. Any
    other white space (a tab) is left for the validation to refuse."""
    return _SPACES.sub(" ", name).strip(" ")


# A text with something written in it: spaces alone (U+3000 among them) are no name, place
# or reason, and read as a blank in every mail and form. The empty text passes: its fields'
# minLength says that it is empty, once.
FILLED = r"^$|\S"


# The days the tool can count business days for: the years of the Japanese public holiday
# tables it uses. Every date of the registry and of the command line is within them.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)
DAY_RANGE_MESSAGE = (
    f"a date from {EARLIEST_DAY} to {LATEST_DAY}, the years whose business days the tool can count"
)


def _in_range(day: date) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"{day} is not {DAY_RANGE_MESSAGE}")
    return day


# A date field of the registry.
Day = Annotated[date, AfterValidator(_in_range)]


# The sets of fields given, one object each: pydantic gives every model a set of its own
# (200,000 users held 150 MB of them), and a frozen model never changes its set (a copy
# gets a set of its own).
_FIELDS_SET: dict[frozenset[str], set[str]] = {}
# A shared set's frozen twin, by the set's id (a shared set lives as long as the process, so
# its id names no other object): a pickle of many models (a worker's slice of the registry)
# then holds one frozen set per kind of model, not one per model. 40,000 users in slices of
# 2,000: pickled in 0.18-0.21 s instead of 0.23-0.24, read back in 0.56-0.61 s instead of
# 0.61-0.66; a single model (the parse cache's) costs the same.
_FROZEN: dict[int, frozenset[str]] = {}


def _shared(given: frozenset[str], fields: set[str]) -> set[str]:
    """The shared set of the fields ``given`` (``fields``, which holds them, when it is the
    first)."""
    shared = _FIELDS_SET.setdefault(given, fields)
    if shared is fields:
        _FROZEN[id(fields)] = given
    return shared


def _share_fields_set(model: BaseModel) -> None:
    given = model.__pydantic_fields_set__
    shared = _shared(frozenset(given), given)
    if shared is not given:
        object.__setattr__(model, "__pydantic_fields_set__", shared)


def _rebuilt(
    cls: type[Frozen], values: dict[str, Any], given: frozenset[str], extra: Any, private: Any
) -> Frozen:
    """A model as it was pickled, its values taken as they are: they were validated when
    it was built (pydantic's own way calls its state machinery for every model)."""
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    shared = _FIELDS_SET.get(given)
    if shared is None:
        shared = _shared(given, set(given))
    object.__setattr__(model, "__pydantic_fields_set__", shared)
    object.__setattr__(model, "__pydantic_extra__", extra)
    object.__setattr__(model, "__pydantic_private__", private)
    return model


def json_document(data: Any) -> bytes:
    """``data`` as ``json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)`` and a
    newline write it in UTF-8, byte for byte; by pydantic's serializer where every value is
    one it writes the same way (the standard library indents in pure Python: 0.09 s for the
    state file of the apply benchmark's 22 batches, 2.5 MB, against 0.035 s, and the state
    grows with every batch)."""
    try:
        ordered = _ordered(data)
    except TypeError:  # a float, a very large integer, a key not a string: as json writes it
        return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    return pydantic_core.to_json(ordered, indent=2) + b"\n"


_INT64 = 1 << 63


def _ordered(node: Any) -> Any:
    """``node`` with every object's keys in order; TypeError for a value pydantic might write
    otherwise than json does."""
    kind = type(node)
    if kind is dict:
        if not all(type(key) is str for key in node):
            raise TypeError("a key that is not a string")
        return {key: _ordered(node[key]) for key in sorted(node)}
    if kind is list or kind is tuple:
        return [_ordered(item) for item in node]
    if kind is str or kind is bool or node is None or (kind is int and -_INT64 <= node < _INT64):
        return node
    raise TypeError(kind.__name__)


class UnreadableError(ValueError):
    """A recorded JSON document this version does not read: where (a dotted path) and
    what, in the parser's words."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}")
        self.where, self.what = where, what


class Frozen(BaseModel):
    """Immutable, and strict about unknown keys: a typo is a problem, not a silent no-op."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @classmethod
    def read_json(cls, raw: bytes | str) -> Self:
        """The model ``raw`` holds; UnreadableError where it holds none (damaged JSON, a key or
        value this version does not know)."""
        try:
            return cls.model_validate_json(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "(the document)"
            raise UnreadableError(where, str(first["msg"])) from None

    def model_post_init(self, context: Any, /) -> None:
        _share_fields_set(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # The parse cache keeps 200,000 users' models.
        fields = self.__pydantic_fields_set__
        given = _FROZEN.get(id(fields))
        return _rebuilt, (
            type(self),
            self.__dict__,
            given if given is not None else frozenset(fields),  # a copy has a set of its own
            self.__pydantic_extra__,
            self.__pydantic_private__,
        )
