"""Find what an edit acts on, refusing clearly when it is not there."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date

from accessreg.edit.draft import BadValueError, Draft, EditRefused, UnknownOperatorError
from accessreg.files.loading import mistyped_code
from accessreg.files.schemacheck import field_name, full_width_at, login_id_refused
from accessreg.model import Operator, layout
from accessreg.model.base import one_spaced
from accessreg.model.catalog import Catalog, closest_system, system_key
from accessreg.model.messages import msg
from accessreg.model.problems import Level


def spaced(spec: object, *keys: str) -> None:
    """Set the names of a frozen application ``spec`` (``keys``: a name, or pairs of a code
    and a name) as they are compared and written, whoever typed them (a form, a command):
    ``one_spaced``. Called by the spec's ``__post_init__``."""
    for key in keys:
        value = getattr(spec, key)
        if isinstance(value, str):
            object.__setattr__(spec, key, one_spaced(value))
        elif isinstance(value, tuple):
            named = tuple((code, one_spaced(name)) for code, name in value)
            object.__setattr__(spec, key, named)


# The fields a person types a name into: taken and compared as ``one_spaced`` makes them.
NAMES = ("name", "name_kana")


def compared(key: str, recorded: object) -> object:
    """A file's value of ``key`` as a value given is compared with it: a name or its kana
    recorded with a full-width space is the one typed with a half-width one."""
    return one_spaced(recorded) if key in NAMES and isinstance(recorded, str) else recorded


def operator(draft: Draft, code: str, active: bool = True) -> Operator:
    """The operator ``code`` as the registry has it; refused if unknown (or terminated)."""
    entry = draft.operator(code)
    if entry is None or not draft.exists(layout.operator_file(code)):
        if draft.exists(layout.operator_file(code)):
            shown = f"{draft.label}/{layout.operator_file(code)}"
            raise EditRefused(
                msg(
                    "The file of operator {code} has errors: the reception centre must fix "
                    "them before it can be changed",
                    code=code,
                ),
                [p for p in draft.base.problems if p.file == shown and p.level is Level.ERROR],
            )
        known = (layout.operator_of(rel) for rel in draft.files_under(f"{layout.OPERATORS_DIR}/"))
        guess = layout.closest_code(code, (k for k in known if k))
        raise UnknownOperatorError(
            mistyped_code(code, guess)
            or (
                msg(
                    "There is no operator {code}: check the operator code (did you mean {guess}?)",
                    code=code,
                    guess=guess,
                )
                if guess
                else msg("There is no operator {code}: check the operator code", code=code)
            )
        )
    if active and entry.operator.status == "terminated":
        raise terminated(code, entry.operator.terminated_on, draft.today)
    return entry.operator


def meant(draft: Draft, code: str) -> str | None:
    """The code of the operator ``code`` names in another case or width (``nagigs01`` for
    NAGIGS01, as a Japanese input method may type it), when it is not that code itself:
    what an application's checks that depend on its operator are run against while the code
    is refused as it is written; None when it names no operator so."""
    known = (layout.operator_of(rel) for rel in draft.files_under(f"{layout.OPERATORS_DIR}/"))
    same = layout.same_code(code, (k for k in known if k))
    return same if same != code else None


def terminated(code: str, on: object, today: date) -> EditRefused:
    """The refusal of an edit of a terminated operator, in the tense of its day (``on``, as
    its file has it): a termination filed for a later day is announced, not past."""
    if isinstance(on, date) and on > today:
        return EditRefused(
            msg(
                "Operator {code}'s use ends on {day} (its termination is filed): it can no "
                "longer be changed",
                code=code,
                day=on,
            )
        )
    return EditRefused(
        msg(
            "Operator {code} was terminated on {day}: it can no longer be changed",
            code=code,
            day=str(on or ""),
        )
    )


def systems(given: Iterable[str], allowed: Sequence[str], catalog: Catalog) -> tuple[str, ...]:
    """The systems ``given``, each as the catalog spells it (``catalog.system_key``: ``TAXIS``
    or the forms' 託送システム is ``taxis``); a value that is none of ``allowed`` is refused as
    a bad value, with what to write, each system with its name on the forms."""
    found: list[str] = []
    for value in given:
        same = system_key(value, allowed, catalog)
        if same is None:
            guess = closest_system(value, allowed)
            raise BadValueError(
                msg(
                    "{system} is not a system one applies for: write {allowed}",
                    system=value,
                    allowed=catalog.named(allowed[0]),
                )
                if len(allowed) == 1
                else msg(
                    "{system} is not a system one applies for (did you mean {guess}?): choose "
                    "from {allowed}",
                    system=value,
                    guess=catalog.named(guess),
                    allowed=tuple(catalog.named(a) for a in allowed),
                )
                if guess
                else msg(
                    "{system} is not a system one applies for: choose from {allowed}",
                    system=value,
                    allowed=tuple(catalog.named(a) for a in allowed),
                )
            )
        found.append(same)
    return tuple(found)


def file_name(email: str) -> str:
    """Refuse an e-mail that could not even name a file; the schema judges the rest, a
    full-width ＠ too, as ``validate`` does, beside the file's other findings."""
    email = email.strip()
    if not email:
        raise EditRefused(
            msg("No e-mail address was given: give the e-mail address, which is the login ID"),
            at=("email",),
        )
    if "/" in email or "\\" in email:  # 「@ を一つ含む」 would not say what is wrong with it
        wrong = login_id_refused(email, email, field_name(("email",), user=True))
        raise EditRefused(wrong, at=("email",))
    return email


def _not_a_login_id(email: str) -> EditRefused:
    return EditRefused(
        msg("{email} cannot be a login ID: write an e-mail address with one @", email=email),
        at=("email",),
    )


def revoking_from(draft: Draft, code: str, edits: bool = False) -> str:
    """The operator ``code`` an application that only takes access away is for (a user's
    deletion, an overseas address or a window person removed, a termination): as
    ``operator`` finds it, or, when its own file has errors, the code as it is: such an
    application needs nothing of that file but what it removes, and nothing delays it.
    One that ``edits`` that file needs it to be read as YAML at least: else it is refused
    as ``operator`` refuses it, with the file's errors."""
    rel = layout.operator_file(code)
    if draft.operator(code) is None and draft.exists(rel):
        try:
            if edits:
                draft.document(rel)
            return code
        except EditRefused:
            pass
    return operator(draft, code).code


def user_file(draft: Draft, code: str, email: str) -> str:
    """The file of user ``email`` of operator ``code``: IDs ignore letter case, and an ID in
    another width (a full-width ＠) can mean only the one user (``layout.same_code``), whose
    file it is; the caller tells the mistake (``users.looked_up``)."""
    rel = layout.user_file(code, file_name(email))
    if draft.exists(rel):
        return rel
    present = {e.user.email: e.file for e in draft.users_of(code) if draft.exists(e.file)}
    same = layout.same_code(email, present)
    if same is not None:
        return present[same]
    if full_width := full_width_at(email, email.strip()):
        raise EditRefused(full_width)
    if "@" not in unicodedata.normalize("NFKC", email):
        raise _not_a_login_id(email.strip())
    raise EditRefused(
        msg("Operator {code} has no user {email}: check the e-mail address", code=code, email=email)
    )
