"""Window-responsible persons (システム窓口責任者, 000 §2-4): part of a usage change (§3-2)."""

from __future__ import annotations

from accessreg.edit import targets, yamldoc
from accessreg.edit.draft import Draft, EditRefused
from accessreg.edit.operators import OPERATOR_FIELDS, ContactSpec, contact_map
from accessreg.model import layout
from accessreg.model.messages import Message, msg
from accessreg.model.terms import contact_role, person, value_text


def _index(contacts: list[object], email: str) -> int | None:
    for i, c in enumerate(contacts):
        if isinstance(c, dict) and str(c.get("email", "")).lower() == email.lower():
            return i
    return None


def _person(contact: object, email: str) -> Message:
    """A window person as the file holds them: their name and e-mail."""
    name = contact.get("name") if isinstance(contact, dict) else None
    return person(str(name), email) if name else value_text(email)


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


def add(draft: Draft, code: str, spec: ContactSpec, replaces: str | None = None) -> None:
    """Add a window person; ``replaces`` removes another in the same change (a new primary)."""
    targets.operator(draft, code)
    doc = draft.document(layout.operator_file(code))
    contacts = yamldoc.seq_at(doc, "contacts", OPERATOR_FIELDS)
    if _index(contacts, spec.email) is not None:
        raise EditRefused(
            msg("{email} is already a window person of {code}", email=spec.email, code=code)
        )
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


def remove(draft: Draft, code: str, email: str) -> None:
    """A window person leaves (one at least stays): nothing else in the file holds it back."""
    code = targets.revoking_from(draft, code, edits=True)
    doc = draft.document(layout.operator_file(code))
    contacts = yamldoc.seq_at(doc, "contacts", OPERATOR_FIELDS)
    i = _index(contacts, email)
    if i is None:
        raise _not_one(code, email, contacts)
    gone = _person(contacts[i], email)
    del contacts[i]
    draft.note(msg("window person removal: {code}: {person}", code=code, person=gone))
