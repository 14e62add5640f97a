"""Window-responsible persons (システム窓口責任者, 000 §2-4): part of a usage change (§3-2)."""

from __future__ import annotations

from dataclasses import replace

from accessreg.edit import targets, yamldoc
from accessreg.edit.draft import Draft, EditRefused
from accessreg.edit.operators import OPERATOR_FIELDS, ContactSpec, contact_map
from accessreg.model import layout
from accessreg.model.messages import Message, msg
from accessreg.model.terms import contact_role, field_name, person, value_text

# How the primary is replaced, in the command's words (its ``code`` and ``email`` filled in);
# an issue form's user is told the form's choice instead (``forms.wording.FOR_FORM_USERS``).
PRIMARY_BY_COMMAND = msg(
    "make a deputy the primary in the same change with `accessreg contact promote --operator "
    "{code} --email DEPUTY --former-primary leaves`, or name a new primary with `accessreg "
    "contact add --role primary --replaces {email}`"
)

# What becomes of the primary when a deputy takes their place (``promote``).
FORMER_LEAVES = "leaves"
FORMER_DEPUTY = "deputy"


def _index(contacts: list[object], email: str) -> int | None:
    for i, c in enumerate(contacts):
        if isinstance(c, dict) and str(c.get("email", "")).lower() == email.lower():
            return i
    return None


def _role(contact: object) -> str | None:
    role = contact.get("role") if isinstance(contact, dict) else None
    return role if isinstance(role, str) else None


def _person(contact: object, email: str) -> Message:
    """A window person as the file holds them: their name and e-mail."""
    name = contact.get("name") if isinstance(contact, dict) else None
    return person(str(name), email) if name else value_text(email)


def _email(contact: object) -> str:
    return str(contact.get("email", "")) if isinstance(contact, dict) else ""


def _not_one(code: str, email: str, contacts: list[object]) -> EditRefused:
    """``email`` is none of the operator's window persons: say who they are."""
    emails = tuple(str(c.get("email", "")) for c in contacts if isinstance(c, dict))
    return EditRefused(
        msg(
            "{email} is not a window person of {code} (its window persons: {emails}): "
            "check the e-mail address",
            email=email,
            code=code,
            emails=emails,
        )
    )


def _already(code: str, email: str, contact: object, role: str) -> EditRefused:
    """``email`` is a window person already: for a deputy named primary, say how a deputy
    becomes the primary (the usage change that names them, 000 §3-2). Only the command
    reaches that case (the form's 正担当を交代 always names the primary replaced), so it
    speaks the command's words alone."""
    if role == "primary" and _role(contact) == "deputy":
        return EditRefused(
            msg(
                "{email} is already a deputy window person of {code}: to make them the "
                "primary, name the current primary with --replaces (they leave), or use "
                "`accessreg contact promote --operator {code} --email {email} --former-primary "
                "leaves` (or `deputy`, the current primary staying as a deputy)",
                email=email,
                code=code,
            )
        )
    return EditRefused(msg("{email} is already a window person of {code}", email=email, code=code))


# A window person's details besides the e-mail and role, as ``ContactSpec`` gives them.
_DETAILS = ("github", "name", "name_kana", "phone")


def _detail(key: str, value: object) -> str:
    """A detail as compared: a GitHub login in any case, with or without its ``@``; a name
    or kana with its spaces full- or half-width (``one_spaced``)."""
    text = str(value).strip()
    return text.lstrip("@").lower() if key == "github" else str(targets.compared(key, text))


def _given_recorded(key: str, given: object, recorded: object) -> Message:
    """A detail typed beside the one recorded: the person's own, which the filer knows."""
    return msg(
        "{field}: {given} (recorded: {recorded})",
        field=field_name(key),
        given=str(given),
        recorded=str(recorded),
    )


def _same_details(
    draft: Draft, code: str, contacts: list[object], i: int, spec: ContactSpec
) -> None:
    """Refused when ``spec`` gives a deputy becoming the primary other details than their
    record holds. The GitHub account is who may file for the operator (``authorize``): a
    new one is a new person acting for it (000 §2-4, §3-1), reviewed as such only when
    filed as its own usage change, never slipped in with the promotion. Located at the
    first detail that differs, so that a form tells it under that field."""
    held = contacts[i]
    record = held if isinstance(held, dict) else {}
    given = {key: getattr(spec, key) for key in _DETAILS}
    differ = tuple(
        key for key in _DETAILS if _detail(key, given[key]) != _detail(key, record.get(key, ""))
    )
    if not differ:
        return
    raise EditRefused(
        msg(
            "{file}: {person}, the deputy window person of {code} who becomes the primary, is "
            "recorded with other details than those given ({fields}): a deputy becomes the "
            "primary as their record stands; give the details as recorded, and file the "
            "change of those details as its own usage change (利用申請（変更）)",
            file=f"{draft.label}/{layout.operator_file(code)}",
            person=_person(held, _email(held)),
            code=code,
            fields=tuple(_given_recorded(key, given[key], record.get(key, "")) for key in differ),
        ),
        at=("contacts", i, differ[0]),
    )


def add(draft: Draft, code: str, spec: ContactSpec, replaces: str | None = None) -> None:
    """Add a window person; ``replaces`` removes another in the same change (a new primary).

    A primary who ``replaces`` the current one may be one of the deputies: that deputy
    becomes the primary with their record as it is, which ``spec`` must agree with."""
    targets.operator(draft, code)
    doc = draft.document(layout.operator_file(code))
    contacts = yamldoc.seq_at(doc, "contacts", OPERATOR_FIELDS)
    existing = _index(contacts, spec.email)
    if existing is not None:
        if spec.role != "primary" or replaces is None or _role(contacts[existing]) != "deputy":
            raise _already(code, spec.email, contacts[existing], spec.role)
        _same_details(draft, code, contacts, existing, spec)
        _make_primary(draft, code, contacts, existing, replaces, stays=False)
        return
    if replaces is not None:
        i = _index(contacts, replaces)
        if i is None:
            raise _not_one(code, replaces, contacts)
        old = _person(contacts[i], replaces)
        del contacts[i]
        contacts.insert(i, contact_map(spec))
        draft.note(
            msg(
                "window person replacement: {code}: {old} → {new} ({role})",
                code=code,
                old=old,
                new=person(spec.name, spec.email),
                role=contact_role(spec.role),
            )
        )
        return
    contacts.append(contact_map(spec))
    draft.note(
        msg(
            "new window person: {code}: {person} ({role})",
            code=code,
            person=person(spec.name, spec.email),
            role=contact_role(spec.role),
        )
    )


def promote(draft: Draft, code: str, email: str, former: str) -> None:
    """A deputy becomes the primary; the primary leaves (``FORMER_LEAVES``) or stays as a
    deputy (``FORMER_DEPUTY``): one usage change (000 §2-4, §3-2), never a moment without a
    primary."""
    targets.operator(draft, code)
    doc = draft.document(layout.operator_file(code))
    contacts = yamldoc.seq_at(doc, "contacts", OPERATOR_FIELDS)
    i = _index(contacts, email)
    if i is None:
        raise _not_one(code, email, contacts)
    if _role(contacts[i]) == "primary":
        raise EditRefused(
            msg("{email} is already the primary window person of {code}", email=email, code=code)
        )
    _make_primary(draft, code, contacts, i, None, stays=former == FORMER_DEPUTY)


def _make_primary(
    draft: Draft,
    code: str,
    contacts: list[object],
    i: int,
    replaces: str | None,
    stays: bool,
) -> None:
    """Make the deputy at ``i`` the primary in place; the window person ``replaces`` (by
    default the current primary) leaves, or with ``stays`` becomes a deputy."""
    new = contacts[i]
    if replaces is None:
        former = [c for c in contacts if c is not new and _role(c) == "primary"]
    else:
        j = _index(contacts, replaces)
        if j is None:
            raise _not_one(code, replaces, contacts)
        former = [contacts[j]] if j != i else []
    if isinstance(new, dict):
        new["role"] = "primary"
    for old in former:
        if stays and isinstance(old, dict):
            old["role"] = "deputy"
        else:
            del contacts[next(k for k, c in enumerate(contacts) if c is old)]
        draft.note(
            msg(
                "primary window person change: {code}: {old} → {new} ({former})",
                code=code,
                old=_person(old, _email(old)),
                new=_person(new, _email(new)),
                former=msg("stays as a deputy") if stays else msg("leaves"),
            )
        )


def remove(draft: Draft, code: str, email: str) -> None:
    """A window person leaves (one at least stays): nothing else in the file holds it back.

    The primary leaves only with another taking their place in the same change."""
    code = targets.revoking_from(draft, code, edits=True)
    doc = draft.document(layout.operator_file(code))
    contacts = yamldoc.seq_at(doc, "contacts", OPERATOR_FIELDS)
    i = _index(contacts, email)
    if i is None:
        raise _not_one(code, email, contacts)
    if _role(contacts[i]) == "primary" and not any(
        _role(c) == "primary" for j, c in enumerate(contacts) if j != i
    ):
        raise EditRefused(
            msg(
                "{email} is the primary window person of {code}, and an operator always has "
                "one: {how}",
                email=email,
                code=code,
                how=replace(PRIMARY_BY_COMMAND, params=(("code", code), ("email", email))),
            )
        )
    gone = _person(contacts[i], email)
    del contacts[i]
    draft.note(msg("window person removal: {code}: {person}", code=code, person=gone))
