"""Rules on an operator's own file: window persons, subcontractors, status, membership."""

from __future__ import annotations

from collections.abc import Iterator

from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry
from accessreg.rules.base import Context, Due, Scope, finding, rule
from accessreg.timeline.periods import years_later


@rule("contact-primary", "000 §2-4 note 1", Scope.OPERATORS)
def contact_primary(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """An operator does not have exactly one primary window person (正担当).

    Deputies (副担当) are optional and may be any number.
    """
    for entry in reg.iter_operators():
        primaries = [i for i, c in enumerate(entry.operator.contacts) if c.role == "primary"]
        if len(primaries) != 1:
            path: tuple[str | int, ...] = ("contacts", primaries[1]) if primaries else ("contacts",)
            yield finding(
                entry.file,
                f"an operator has exactly one primary window person; found {len(primaries)}",
                path,
            )


@rule("subcontractor-code", "000 §5-1 note 2", Scope.OPERATORS)
def subcontractor_code(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A subcontractor code is declared twice, or is the operator's own code."""
    for entry in reg.iter_operators():
        seen = {entry.operator.code}
        for i, sub in enumerate(entry.operator.subcontractors):
            if sub.code in seen:
                yield finding(
                    entry.file,
                    f"subcontractor code {sub.code} is already used in this file",
                    ("subcontractors", i, "code"),
                )
            seen.add(sub.code)


@rule("operator-terminated-users", "000 §3-3, 002 §2.7", Scope.OPERATOR)
def operator_terminated_users(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A terminated operator still has users.

    Termination removes the permissions of every user of the operator and of its
    subcontractors: the termination pull request deletes their files.
    """
    for entry in reg.iter_operators():
        if entry.operator.status == "terminated":
            for u in reg.users_of(entry.operator.code):
                yield finding(
                    u.file,
                    f"operator {entry.operator.code} is terminated; its users' files must be "
                    "removed with the termination",
                )


@rule("membership-provisional", "003 §2.7.2 ④", Scope.OPERATORS, Level.WARNING, Due.TIME)
def membership_provisional(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """An operator has been a provisional OCCTO member for more than a year.

    OCCTO *may* cancel the use of the member system when the full application does not
    follow the provisional one within a year (「解除することができる」): a right it decides
    on, not a lapse, so a warning. The `membership` duty lists the case for the reviewers.
    """
    for entry in reg.iter_operators():
        m = entry.operator.membership
        if m and m.status == "provisional" and m.provisional_since is not None:
            deadline = years_later(m.provisional_since, 1)
            if ctx.today > deadline:
                yield finding(
                    entry.file,
                    f"provisional since {m.provisional_since}: the full membership application "
                    f"was due by {deadline}",
                    ("membership", "provisional_since"),
                )


@rule("occto-member", "002 §2.1.1 ①(イ), 003 §2.1.1", Scope.OPERATORS)
def occto_member(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """An operator uses an OCCTO system without the membership it needs.

    An electricity retailer may use the switching support system only as an OCCTO member;
    `occto_member` and the membership status must agree.
    """
    for entry in reg.iter_operators():
        op = entry.operator
        member = op.membership.status if op.membership else None
        if op.occto_member != (member == "member") and op.membership is not None:
            yield finding(
                entry.file,
                f"occto_member is {str(op.occto_member).lower()} but the membership status is "
                f"{member}",
                ("occto_member",),
            )
        for i, system_id in enumerate(op.systems):
            system = reg.catalog.by_id.get(system_id)
            if system is None or not system.occto_member_roles or op.occto_member:
                continue
            through = set(op.roles) & set(system.roles or op.roles)
            if through and through <= set(system.occto_member_roles):
                yield finding(
                    entry.file,
                    f"{system_id} is open to {', '.join(sorted(through))} only for OCCTO members",
                    ("systems", i),
                )


RULES = (
    contact_primary,
    subcontractor_code,
    operator_terminated_users,
    membership_provisional,
    occto_member,
)
