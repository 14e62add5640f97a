"""Find what an edit acts on, refusing clearly when it is not there."""

from __future__ import annotations

from accessreg.edit.draft import Draft, EditRefused, UnknownOperatorError
from accessreg.model import Operator, layout
from accessreg.model.messages import msg
from accessreg.model.problems import Level


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
        raise UnknownOperatorError(
            msg("There is no operator {code}: check the operator code", code=code)
        )
    if active and entry.operator.status == "terminated":
        raise EditRefused(
            msg(
                "Operator {code} was terminated on {day}: it can no longer be changed",
                code=code,
                day=entry.operator.terminated_on or "",
            )
        )
    return entry.operator


def login_id(email: str) -> str:
    """Refuse an e-mail that could not even name a file; the schema judges the rest."""
    email = email.strip()
    if not email or "/" in email or "\\" in email or "@" not in email:
        raise EditRefused(
            msg(
                "{email} cannot be a login ID: write an e-mail address with one @",
                email=email,
            )
        )
    return email


def user_file(draft: Draft, code: str, email: str) -> str:
    """The file of user ``email`` of operator ``code`` (IDs ignore letter case)."""
    rel = layout.user_file(code, login_id(email))
    if draft.exists(rel):
        return rel
    for entry in draft.users_of(code):
        if entry.user.email.lower() == email.lower() and draft.exists(entry.file):
            return entry.file
    raise EditRefused(
        msg("Operator {code} has no user {email}: check the e-mail address", code=code, email=email)
    )
