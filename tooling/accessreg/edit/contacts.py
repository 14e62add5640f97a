"""Window-responsible persons (システム窓口責任者, 000 §2-4): part of a usage change (§3-2)."""

from __future__ import annotations

from accessreg.edit import targets, yamldoc
from accessreg.edit.draft import Draft, EditRefused
from accessreg.edit.operators import OPERATOR_FIELDS, ContactSpec, contact_map
from accessreg.model import layout
from accessreg.model.messages import msg


def _index(contacts: list[object], email: str) -> int | None:
    for i, c in enumerate(contacts):
        if isinstance(c, dict) and str(c.get("email", "")).lower() == email.lower():
            return i
    return None


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
        del contacts[i]
        contacts.insert(i, contact_map(spec))
        draft.note(
            msg(
                "window person replacement: {code}: {old} → {new} ({role})",
                code=code,
                old=replaces,
                new=spec.email,
                role=spec.role,
            )
        )
        return
    contacts.append(contact_map(spec))
    draft.note(
        msg(
            "new window person: {code}: {email} ({role})",
            code=code,
            email=spec.email,
            role=spec.role,
        )
    )


def remove(draft: Draft, code: str, email: str) -> None:
    targets.operator(draft, code)
    doc = draft.document(layout.operator_file(code))
    contacts = yamldoc.seq_at(doc, "contacts", OPERATOR_FIELDS)
    i = _index(contacts, email)
    if i is None:
        raise _not_one(code, email, contacts)
    del contacts[i]
    draft.note(msg("window person removal: {code}: {email}", code=code, email=email))
