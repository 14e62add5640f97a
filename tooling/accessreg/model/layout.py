"""Where each kind of file lives in the registry: the one home of path conventions.

Paths here are POSIX paths relative to the registry directory (``registry/``) unless they
are called repository paths: those are relative to the repository root, as git names them.
"""

from __future__ import annotations

import difflib
import functools
import re
import sys
import unicodedata
from collections.abc import Iterable
from enum import StrEnum

from accessreg.escape import unsafe_characters

REGISTRY_DIR = "registry"
SCHEMAS_DIR = "schemas"
# Repository paths of the files generated beside the registry for GitHub.
ISSUE_FORMS_DIR = ".github/ISSUE_TEMPLATE"
CODEOWNERS_FILE = ".github/CODEOWNERS"
CATALOG_FILE = "systems.yaml"
MAINTAINERS_FILE = "maintainers.yaml"
CALENDAR_FILE = "calendar.yaml"
OPERATORS_DIR = "operators"
USERS_DIR = "users"


class Kind(StrEnum):
    CATALOG = "systems"
    OPERATOR = "operator"
    USER = "user"
    MAINTAINERS = "maintainers"
    CALENDAR = "calendar"


SINGLETONS = {
    CATALOG_FILE: Kind.CATALOG,
    MAINTAINERS_FILE: Kind.MAINTAINERS,
    CALENDAR_FILE: Kind.CALENDAR,
}
# Files that may sit in the registry without being data.
IGNORED_NAMES = frozenset({"README.md", ".gitkeep"})

# No operator code holds an @: a file so named is a user's put in the wrong place.
_OPERATOR = re.compile(r"^operators/([^/@]+)\.yaml$")
_USER = re.compile(r"^users/([^/]+)/([^/]+)\.yaml$")


def registry_rel(path: str) -> str | None:
    """A repository path's place in the registry (``registry/x`` → ``x``); None outside it."""
    lead = f"{REGISTRY_DIR}/"
    return path[len(lead) :] if path.startswith(lead) else None


def repo_path(rel: str) -> str:
    """The repository path of a registry path (``x`` → ``registry/x``)."""
    return f"{REGISTRY_DIR}/{rel}"


def schema_file(kind: Kind) -> str:
    return f"{kind.value}.schema.json"


def readable_name(rel: str) -> bool:
    """Whether a path is text a message can show: UTF-8, without control characters (a
    name git or the file system holds as other bytes, or with a line break, is no file of
    the registry)."""
    return not unsafe_characters(rel)


@functools.lru_cache(maxsize=1 << 18)
def classify(rel: str) -> Kind | None:
    """The kind of file at ``rel``, or None if nothing belongs there (kept: a run asks
    again for the same paths at every revision it loads)."""
    if not readable_name(rel):
        return None
    if rel in SINGLETONS:
        return SINGLETONS[rel]
    if _OPERATOR.match(rel):
        return Kind.OPERATOR
    if _USER.match(rel):
        return Kind.USER
    return None


def split(rel: str) -> tuple[Kind | None, str | None]:
    """``(classify(rel), operator_of(rel))`` in one pass, without regular expressions: for
    code that sorts 200,000 paths at a time."""
    if not rel.isprintable() and not readable_name(rel):
        return None, None
    parts = rel.split("/")
    last = parts[-1]
    if len(parts) > 1 and parts[1] and len(last) > 5 and last.endswith(".yaml"):
        if len(parts) == 3 and parts[0] == "users":
            return Kind.USER, parts[1]
        if len(parts) == 2 and parts[0] == "operators" and "@" not in last:
            return Kind.OPERATOR, last[:-5]
    return classify(rel), operator_of(rel)


def is_ignored(rel: str) -> bool:
    return rel.rsplit("/", 1)[-1] in IGNORED_NAMES


def operator_file(code: str) -> str:
    return f"{OPERATORS_DIR}/{code}.yaml"


def closest_code(code: str, known: Iterable[str]) -> str | None:
    """The operator code of ``known`` that ``code`` was most likely meant to be: the same
    letters in another case or width (``aobags01`` or ``ＡＯＢＡＧＳ０１`` for
    ``AOBAGS01``, as a Japanese input method may type it), else a close spelling."""
    codes = sorted(known)
    same = same_code(code, codes)
    if same is not None:
        return same
    guess = difflib.get_close_matches(folded(code).upper(), codes, n=1, cutoff=0.8)
    return guess[0] if guess else None


def folded(text: str) -> str:
    """``text`` as typed in any width and letter case, spaces around it aside: ``ＴＡＸＩＳ``,
    `` TAXIS`` and ``taxis`` are one. What codes, login IDs and system keys are matched by."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def same_code(code: str, known: Iterable[str]) -> str | None:
    """The operator code of ``known`` that ``code`` spells in another case or width, or with
    spaces around it: codes are upper-case ASCII, so it can be no other; None when there is
    none (a close spelling is only a guess). A login ID is matched so too: IDs ignore letter
    case, and an address is ASCII (a full-width ＠ is the @ typed with the input method on)."""
    narrow = folded(code)
    return next((k for k in sorted(known) if k.lower() == narrow), None)


def users_dir(operator: str) -> str:
    """The directory of an operator's user files."""
    return f"{USERS_DIR}/{operator}"


def user_file(operator: str, email: str) -> str:
    return f"{users_dir(operator)}/{email.lower()}.yaml"


# The longest file name, in bytes, the file systems a checkout lands on take (Linux's
# NAME_MAX, macOS's and Windows' 255 characters): a user file is named after its e-mail, which
# internet mail allows up to 254 characters, so the longest ones cannot be files.
FILE_NAME_MAX = 255


def operator_of(rel: str) -> str | None:
    """The operator code a file belongs to (its own file or one of its users), else None."""
    if not readable_name(rel):
        return None
    if m := _OPERATOR.match(rel) or _USER.match(rel):
        # Interned: every user of every registry a run loads holds its operator's code.
        return sys.intern(m.group(1))
    return None


def user_stem(rel: str) -> str | None:
    m = _USER.match(rel)
    return m.group(2) if m else None


def schema_comment(kind: Kind, rel: str) -> str:
    """The first line of a file: the modeline that lets editors check the file as it is typed."""
    depth = rel.count("/") + 1  # registry/ itself is one level below the repository root
    return f"# yaml-language-server: $schema={'../' * depth}{SCHEMAS_DIR}/{schema_file(kind)}"
