"""Problems in plain words for the window person's issue comment (Japanese, then English)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from accessreg import i18n
from accessreg.edit.contacts import PRIMARY_BY_COMMAND
from accessreg.escape import markdown
from accessreg.forms import definitions
from accessreg.forms.definitions import Field, Form
from accessreg.model.messages import Message, Param, msg
from accessreg.model.problems import DataPath, Problem
from accessreg.reporting.headlines import headline
from accessreg.rules.permissions import DECLARE_IN_FILE

# A certificate entry's keys that a form field gives (the rest come from the PEM).
CERTIFICATE_FIELDS = {
    "id": "cert_id",
    "medium": "medium",
    "purpose": "purpose",
    "location": "location",
    "holder": "holder",
}


# A finding a form can itself remedy: told under that field (when the form has it), with
# what to enter there. A new usage application carries the certificate a system needs.
REMEDIED_BY = {
    "certificate-required": (
        "certificate",
        "このシステムは、取得済みのクライアント証明書とともに申請します。"
        "この申請の「証明書（PEM）」から「管理者」までの欄に入力してください",
    ),
}


# A finding about where a file is rather than a value in it: told under the form field that
# places it (a user's file is in the folder of the operator the form names).
PLACED_BY = {"user-operator-unknown": "operator"}


def _remedy(form: Form, problem: Problem) -> tuple[str, str] | None:
    """The field of ``form`` that remedies ``problem``, and the words for it."""
    found = REMEDIED_BY.get(problem.rule)
    field = form.field(found[0]) if found else None
    return (field.label, found[1]) if field and found else None


def field_at(form: Form, path: DataPath) -> Field | None:
    """The field of ``form`` that gives the value at ``path`` in a file, if it has one."""
    if not path:
        return None
    head = str(path[0])
    if head == "permissions" and len(path) > 1:
        head = f"perm_{path[1]}"
    elif head == "contacts":
        # A window person's own field (窓口責任者 GitHub アカウント); the person as a whole,
        # by the e-mail that names them, otherwise.
        key = str(path[2]) if len(path) > 2 else ""
        head = f"contact_{key}" if form.field(f"contact_{key}") else "contact_email"
    elif head == "certificates":
        # A certificate's own entries have fields of their own (証明書ID, 設置場所, ...);
        # what is read from the PEM (serial, CN, dates) is the pasted certificate's.
        key = str(path[2]) if len(path) > 2 else ""
        head = CERTIFICATE_FIELDS.get(key, "certificate")
    elif head == "ip_allowlist":
        # An entry's expiry date and reason have fields of their own; the entry, the address.
        key = str(path[2]) if len(path) > 2 else ""
        head = key if key in ("expires_on", "reason") and form.field(key) else "cidr"
    return form.field(head)


def field_label(form: Form, problem: Problem) -> str | None:
    """The form field a problem is about, when its data path says so."""
    remedy = _remedy(form, problem)
    if remedy is not None:
        return remedy[0]
    if not problem.path:
        placed = form.field(PLACED_BY.get(problem.rule, ""))
        return placed.label if placed else None
    field = field_at(form, problem.path)
    return field.label if field else None


def explain(form: Form, problem: Problem) -> str:
    """One markdown list line: the field, what it means, and the tool's own message."""
    remedy = _remedy(form, problem)
    what = remedy[1] if remedy else headline(problem.rule, "ja")
    where = field_label(form, problem)
    level = "警告 / warning" if problem.level == "warning" else "エラー / error"
    lead = f"**{where}**: " if where else ""
    return f"- {lead}{what}（{level}）  \n  {both(problem.message)} ({problem.rule})"


# The part of a message that tells one who edits the files or runs the commands what to do,
# by its catalog key, and what an issue form's user is told instead, in the form's labels
# (from its values). The rest of the message is the same for both.
FOR_FORM_USERS: dict[str, Callable[[Message], Message]] = {
    DECLARE_IN_FILE.text: lambda _: msg(
        "file the subcontractor first in {field} of the form {form}",
        field=definitions.ADD_SUBCONTRACTORS,
        form=definitions.USAGE_CHANGE,
    ),
    PRIMARY_BY_COMMAND.text: lambda told: msg(
        "to have another take their place, choose {replace} in {role} on the form {form}, "
        "enter the new primary's details (a deputy's as recorded) and {email} in {removed}",
        replace=definitions.REPLACE_PRIMARY,
        role=definitions.CONTACT_ROLE,
        form=definitions.USAGE_CHANGE,
        removed=definitions.CONTACT_REMOVE,
        email=dict(told.params).get("email", ""),
    ),
}


def for_form_users(message: Message) -> Message:
    """``message`` as an issue form's user reads it (``FOR_FORM_USERS``)."""
    reworded = FOR_FORM_USERS.get(message.text)
    if reworded is not None:
        return reworded(message)

    def value(param: Param) -> Param:
        if isinstance(param, Message):
            return for_form_users(param)
        return param

    return replace(message, params=tuple((name, value(p)) for name, p in message.params))


def both(message: Message | object) -> str:
    """A message in Japanese, then in English, each shown literally (``escape.markdown``),
    in a form user's words (``for_form_users``)."""
    if isinstance(message, Message):
        message = for_form_users(message)
    return f"{markdown(i18n.text(message, 'ja'))} / {markdown(i18n.text(message, 'en'))}"
