"""Rules on users' permissions against the catalog and their operator (000 §5-1, §5-4, §5-5)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry
from accessreg.rules.base import Context, Due, Scope, finding, rule


@rule("affiliation", "000 §5-1 note 2, 002 §2.3", Scope.OPERATOR)
def affiliation(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A user's affiliation is neither the operator nor one of its declared subcontractors."""
    for u in reg.users:
        entry = reg.operators.get(u.operator_code)
        if entry is None:
            continue
        # The code of the directory, not the file's `code`: a typo there is file-name's
        # problem and must not make every user of the operator look misaffiliated.
        subs = [s.code for s in entry.operator.subcontractors]
        if u.user.affiliation != u.operator_code and u.user.affiliation not in subs:
            yield finding(
                u.file,
                f"affiliation {u.user.affiliation} is not {u.operator_code} or one of its "
                f"declared subcontractors ({', '.join(subs) or 'none declared'})",
                ("affiliation",),
            )


@rule("permission-abolished", "000 §5-4 (TAXIS 1110, 2022-01-24)", Scope.OPERATOR, due=Due.TIME)
def permission_abolished(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A permission code that has been abolished is still held.

    The catalog dates an abolition (`abolished_on`), so it falls due on that day. The code no
    longer exists in the system (000 §5-4): within the operator a change touches, an error.
    """
    for u in reg.users:
        for system_id, code in u.user.permissions.items():
            system = reg.catalog.by_id.get(system_id)
            pc = system.code_map.get(code) if system else None
            if pc is not None and pc.abolished_on is not None and pc.abolished_on <= ctx.today:
                instead = f"; its holders moved to {pc.replaced_by}" if pc.replaced_by else ""
                yield finding(
                    u.file,
                    f"{system_id} code {code} was abolished on {pc.abolished_on}{instead}",
                    ("permissions", system_id),
                )


@rule("permission-derived", "000 §5-1 note 9, §7-2", Scope.OPERATOR)
def permission_derived(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A derived permission is written by hand.

    The permission-management system is granted to window persons and the info-sharing site
    to every user of the group's systems, both by the system operator: they cannot be
    applied for.
    """
    for u in reg.users:
        for system_id in u.user.permissions:
            system = reg.catalog.by_id.get(system_id)
            if system is not None and system.derived is not None:
                yield finding(
                    u.file,
                    f"{system_id} ({system.name_ja}) is granted by the system operator and "
                    "cannot be applied for: remove it",
                    ("permissions", system_id),
                )


@rule("system-not-approved", "000 §3-1, §3-2", Scope.OPERATOR)
def system_not_approved(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A user holds a permission for a system the operator is not approved to use."""
    for u in reg.users:
        entry = reg.operators.get(u.operator_code)
        if entry is None:
            continue
        for system_id in u.user.permissions:
            system = reg.catalog.by_id.get(system_id)
            if system is None or system.derived is not None:
                continue
            if system_id not in entry.operator.systems:
                yield finding(
                    u.file,
                    f"operator {u.operator_code} is not approved for {system_id}: file a usage "
                    "change (利用変更申請) adding it to the operator's systems first",
                    ("permissions", system_id),
                )


@rule("system-role", "000 §2-2, §5-1 notes 6-7, §5-5; 002 §2.1.1", Scope.OPERATOR)
def system_role(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """The operator lacks the role a system or a permission code requires.

    LOACUS 02010/02011 need the wheeling-client role, 03010 the manufacturer role; each
    system lists the roles that allow it.
    """
    for entry in reg.iter_operators():
        op = entry.operator
        for i, system_id in enumerate(op.systems):
            system = reg.catalog.by_id.get(system_id)
            if system and system.roles and not set(system.roles) & set(op.roles):
                yield finding(
                    entry.file,
                    f"{system_id} needs one of the roles {', '.join(system.roles)}",
                    ("systems", i),
                )
    for u in reg.users:
        op_entry = reg.operators.get(u.operator_code)
        if op_entry is None:
            continue
        roles = set(op_entry.operator.roles)
        for system_id, code in u.user.permissions.items():
            system = reg.catalog.by_id.get(system_id)
            pc = system.code_map.get(code) if system else None
            if pc is not None and pc.roles and not set(pc.roles) & roles:
                yield finding(
                    u.file,
                    f"{system_id} code {code} needs the operator to hold the role "
                    f"{' or '.join(pc.roles)}",
                    ("permissions", system_id),
                )


# The catalog decides the level of each limit.
@rule("permission-limit", "000 §5-1 note 5; 002 §3.2; 003 §3", Scope.OPERATOR, level=None)
def permission_limit(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """More users of one operator hold a code than the catalog allows.

    JUJU is limited to 5 users per operator in principle (a warning); the OCCTO systems issue
    one admin ID per operator (an error). The problem is reported on every holder the change
    added or altered (the new admin, the sixth holder); when no changed file holds the code,
    on every holder past the limit, in file order.
    """
    for code in sorted({u.operator_code for u in reg.users}):
        holders: dict[tuple[str, str], list[str]] = defaultdict(list)
        for u in sorted(reg.users_of(code), key=lambda e: e.file):
            for system_id, perm in u.user.permissions.items():
                holders[(system_id, perm)].append(u.file)
        for (system_id, perm), files in holders.items():
            system = reg.catalog.by_id.get(system_id)
            for limit in system.limits if system is not None else ():
                if limit.code != perm or len(files) <= limit.max_per_operator:
                    continue
                for n, file in enumerate(files):
                    yield finding(
                        file,
                        f"{system_id} {perm} is held by more than {limit.max_per_operator} "
                        f"users of {code}",
                        ("permissions", system_id),
                        Level(limit.severity),
                        clash=f"{code} {system_id} {perm}",
                        blamed_unchanged=n >= limit.max_per_operator,
                    )


RULES = (
    affiliation,
    permission_abolished,
    permission_derived,
    system_not_approved,
    system_role,
    permission_limit,
)
