"""Login-ID uniqueness (000 §5-1 note 3)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from accessreg.model.messages import msg
from accessreg.model.problems import DataPath, Problem
from accessreg.model.registry import Registry
from accessreg.rules.base import Context, Scope, finding, rule


@dataclass(frozen=True)
class _Holder:
    file: str
    path: DataPath
    operator: str
    is_contact: bool


@rule("login-id-unique", "000 §5-1 note 3 ③, §3-1 ⑥ note 3", Scope.LOGIN)
def login_id_unique(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """Two people share a login ID, ignoring letter case.

    IDs that differ only in case are the same ID for the authentication system. A user ID
    must be unique across the whole registry; a window person's e-mail is their ID for the
    permission-management system, so it may not be another operator's user's or window
    person's ID. A window person may also be a user of their own operator. Reported on every
    holder the change added or altered; on every holder when the change touched none.
    """
    contacts = [
        (entry, i, contact.email.lower())
        for entry in reg.iter_operators()
        for i, contact in enumerate(entry.operator.contacts)
    ]
    user_ids = [u.user.email.lower() for u in reg.users]
    # Count first: a registry of 200,000 users has few IDs held twice, if any.
    counts = Counter(user_ids)
    counts.update(login for _, _, login in contacts)
    holders: dict[str, list[_Holder]] = defaultdict(list)
    for entry, i, login in contacts:
        if counts[login] > 1:
            holders[login].append(
                _Holder(entry.file, ("contacts", i, "email"), entry.operator.code, True)
            )
    for u, login in zip(reg.users, user_ids, strict=True):
        if counts[login] > 1:
            holders[login].append(_Holder(u.file, ("email",), u.operator_code, False))
    for login, group in holders.items():
        for holder in group:
            clashes = [
                other
                for other in group
                if other is not holder
                and not (
                    other.operator == holder.operator and other.is_contact != holder.is_contact
                )
            ]
            if not clashes:
                continue
            # Another operator's holder is not named: annotations, issue comments and job
            # logs are read by every operator, and that an ID is theirs is their data. A
            # full validate reports that holder at its own file; the filer needs only to
            # know the ID is taken.
            if any(c.operator != holder.operator for c in clashes):
                message = msg(
                    "This login ID is also used at another operator (IDs differing only in "
                    "letter case are the same ID): give each person their own e-mail address"
                )
            else:
                message = msg(
                    "This login ID is also used in {others} (IDs differing only in letter "
                    "case are the same ID): give each person their own e-mail address",
                    others=tuple(sorted({c.file for c in clashes})),
                )
            yield finding(holder.file, message, holder.path, clash=login)


RULES = (login_id_unique,)
