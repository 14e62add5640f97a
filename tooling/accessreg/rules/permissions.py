"""Rules on users' permissions against the catalog and their operator (000 §5-1, §5-4, §5-5)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from accessreg.model import Catalog, layout
from accessreg.model.messages import Message, Param, msg
from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry
from accessreg.model.terms import code_text, role_names
from accessreg.rules.base import Context, Due, Scope, finding, rule

# How a subcontractor is declared, in the words of one who edits the files; an issue form's
# user is told the form's field instead (``forms.wording.FOR_FORM_USERS``).
DECLARE_IN_FILE = msg("declare the subcontractor in the operator's file first")


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
                msg(
                    "The affiliation {affiliation} is neither {code} nor one of its declared "
                    "subcontractors ({subs}): write {code} or {declare}",
                    affiliation=u.user.affiliation,
                    code=u.operator_code,
                    subs=tuple(subs),
                    declare=DECLARE_IN_FILE,
                )
                if subs
                else msg(
                    "The affiliation {affiliation} is not {code}, and {code} declares no "
                    "subcontractor: write {code} or {declare}",
                    affiliation=u.user.affiliation,
                    code=u.operator_code,
                    declare=DECLARE_IN_FILE,
                ),
                ("affiliation",),
            )


def abolished_by(catalog: Catalog, day: date) -> str:
    """The abolitions of the catalog that have taken effect by ``day``: all that
    ``permission-abolished`` follows of the day."""
    return ",".join(
        sorted(
            f"{system.id}/{pc.code}"
            for system in catalog.systems
            for pc in system.codes
            if pc.abolished_on is not None and pc.abolished_on <= day
        )
    )


@rule(
    "permission-abolished",
    "000 §5-4 (TAXIS 1110, 2022-01-24)",
    Scope.OPERATOR,
    due=Due.TIME,
    epoch=abolished_by,
)
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
                named = reg.catalog.labelled(system_id, code)  # as the seed: 1110（委託先事業者）
                yield finding(
                    u.file,
                    msg(
                        "{system} code {code} was abolished on {day}: write {instead} instead",
                        system=reg.catalog.named(system_id),
                        code=named,
                        day=pc.abolished_on,
                        instead=pc.replaced_by,
                    )
                    if pc.replaced_by
                    else msg(
                        "{system} code {code} was abolished on {day}: choose another code or "
                        "remove the permission",
                        system=reg.catalog.named(system_id),
                        code=named,
                        day=pc.abolished_on,
                    ),
                    ("permissions", system_id),
                )


@rule("permission-derived", "000 §5-1 ① (権限管理システム, 情報共有サイト), §7-1", Scope.OPERATOR)
def permission_derived(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A derived permission is written by hand.

    The permission-management system is granted by the system operator to whoever is a
    window person (the form's field cannot be entered, 000 §5-1 ①), and whoever may use one
    of the systems may read the info-sharing site (000 §7-1): both follow from the rest of
    the registry and are not applied for.
    """
    for u in reg.users:
        for system_id in u.user.permissions:
            system = reg.catalog.by_id.get(system_id)
            if system is not None and system.derived is not None:
                yield finding(
                    u.file,
                    msg(
                        "{system} is granted by the system operator and cannot be applied "
                        "for: remove it",
                        system=system.named,
                    ),
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
                    msg(
                        "Operator {code} is not approved for {system}: apply for a usage change "
                        "(利用申請（変更）) adding the system first",
                        code=u.operator_code,
                        system=reg.catalog.named(system_id),
                    ),
                    ("permissions", system_id),
                )


def _needs_role(system: str, roles: tuple[str, ...] | list[str]) -> Message:
    if len(roles) == 1:
        return msg(
            "{system} needs the operator to hold the role {role}",
            system=system,
            role=role_names(roles)[0],
        )
    return msg(
        "{system} needs the operator to hold one of the roles {roles}",
        system=system,
        roles=role_names(roles),
    )


def _code_needs_role(system: str, code: str, roles: tuple[str, ...] | list[str]) -> Message:
    if len(roles) == 1:
        return msg(
            "{system} code {code} needs the operator to hold the role {role}: choose a code "
            "for the operator's roles",
            system=system,
            code=code,
            role=role_names(roles)[0],
        )
    return msg(
        "{system} code {code} needs the operator to hold one of the roles {roles}: choose a "
        "code for the operator's roles",
        system=system,
        code=code,
        roles=role_names(roles),
    )


@rule("system-role", "000 §2-2, §5-1 notes 6-7, §5-5; 002 §2.1.1", Scope.OPERATOR)
def system_role(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """The operator lacks the role a system or a permission code requires.

    LOACUS 02010/02011 need the wheeling-client role, 03010 the manufacturer role; each
    system lists the roles that allow it. For JOHS and LOACUS the provider may approve an
    operator without the role (「その他当社が必要と認めた事業者」, 000 §2-2): such an
    approval, recorded by a maintainer in `approvals`, waives the system's roles and its
    codes'.
    """
    for entry in reg.iter_operators():
        op = entry.operator
        if not op.roles:  # set aside: its file has an error (files.salvage), judged once fixed
            continue
        for i, system_id in enumerate(op.systems):
            system = reg.catalog.by_id.get(system_id)
            if system and system.roles and not set(system.roles) & set(op.roles):
                if system.approvable and op.approved_without_role(system_id):
                    continue
                yield finding(
                    entry.file,
                    _needs_role(reg.catalog.named(system_id), system.roles),
                    ("systems", i),
                )
    for u in reg.users:
        op_entry = reg.operators.get(u.operator_code)
        if op_entry is None:
            continue
        op = op_entry.operator
        roles = set(op.roles)
        if not roles:  # the operator's roles are set aside (files.salvage)
            continue
        for system_id, code in u.user.permissions.items():
            system = reg.catalog.by_id.get(system_id)
            pc = system.code_map.get(code) if system else None
            if pc is None or not pc.roles or set(pc.roles) & roles:
                continue
            if system is not None and system.approvable and op.approved_without_role(system_id):
                continue
            yield finding(
                u.file,
                _code_needs_role(reg.catalog.named(system_id), code, pc.roles),
                ("permissions", system_id),
            )


@rule("occto-member-code", "002 §2.1.1 ①(イ), 003 §2.7.1", Scope.OPERATOR)
def occto_member_code(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A user of an operator that is not an OCCTO member holds a code only a member may use.

    The switching support system is applied for per role (002 §2.1.1: an operator that is
    both an electricity retailer and a demand-response contractor applies as each), and the
    retailer's use needs OCCTO membership (①(イ)). An operator that keeps the system for its
    other role keeps it (`occto-member` judges the system), but not its retailer IDs: they go
    with the withdrawal.
    """
    for u in reg.users:
        entry = reg.operators.get(u.operator_code)
        if entry is None or entry.operator.occto_member:
            continue
        membership = entry.operator.membership
        withdrawn = membership is not None and membership.status == "withdrawn"
        for system_id, code in u.user.permissions.items():
            system = reg.catalog.by_id.get(system_id)
            if system is None or not system.needs_membership(code):
                continue
            values: dict[str, Param] = {
                "system": reg.catalog.named(system_id),
                # As the forms show them: a window person reads this under the permission
                # they chose (管理者ID（小売電気事業者）), and types no role's key.
                "code": code_text(reg.catalog, system_id, code),
                "roles": role_names(system.code_map[code].roles, keyed=False),
                "operator": u.operator_code,
            }
            yield finding(
                u.file,
                msg(
                    "{system} permission {code} is for {roles}, which only an OCCTO member may "
                    "use, and {operator} has withdrawn its membership: remove the permission in "
                    "the usage change application (利用申請（変更）) that files the withdrawal, "
                    "or keep the membership",
                    **values,
                )
                if withdrawn
                else msg(
                    "{system} permission {code} is for {roles}, which only an OCCTO member may "
                    "use, and {operator} is not one: remove the permission, or record the "
                    "membership (occto_member: true)",
                    **values,
                ),
                ("permissions", system_id),
            )


@rule("permission-limit", "000 §5-1 note 5; 002 §2.1.2, §3.2", Scope.OPERATOR, level=None)
def permission_limit(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """More users of one operator hold a code than the catalog allows, or fewer than it needs.

    JUJU is limited to 5 users per operator in principle (a warning, 000 §5-1 note 5). The
    switching support system issues one admin ID per operator and role, one application per
    role (002 §2.1.1, §3.2): a second admin of a role is an error, and an operator approved
    for the system through a role without its admin is warned, since the contract is made
    when the admin ID is issued (002 §2.1.2). The OCCTO member system gives no limit (003
    §3.1). An excess is reported on every holder the change added or altered (the new admin,
    the sixth holder); when no changed file holds the code, on every holder past the limit,
    in file order. A shortfall is reported on the operator's `systems` entry, unless a user
    file of the operator did not load.
    """
    unreadable = {layout.operator_of(f.removeprefix("registry/")) for f in reg.broken}
    for code in sorted({u.operator_code for u in reg.users} | set(reg.operators)):
        holders: dict[tuple[str, str], list[str]] = defaultdict(list)
        for u in sorted(reg.users_of(code), key=lambda e: e.file):
            for system_id, perm in u.user.permissions.items():
                holders[(system_id, perm)].append(u.file)
        for (system_id, perm), files in holders.items():
            system = reg.catalog.by_id.get(system_id)
            for limit in system.limits if system is not None else ():
                most = limit.max_per_operator
                if limit.code != perm or most is None or len(files) <= most:
                    continue
                for n, file in enumerate(files):
                    yield finding(
                        file,
                        msg(
                            "{system} {perm} is held by more than {max} users of {code}",
                            system=reg.catalog.named(system_id),
                            perm=perm,
                            max=most,
                            code=code,
                        ),
                        ("permissions", system_id),
                        Level(limit.severity),
                        clash=f"{code} {system_id} {perm}",
                        blamed_unchanged=n >= most,
                    )
        entry = reg.operators.get(code)
        if entry is None or entry.operator.status != "active" or code in unreadable:
            continue
        op = entry.operator
        for i, system_id in enumerate(op.systems):
            system = reg.catalog.by_id.get(system_id)
            for limit in system.limits if system else ():
                least = limit.min_per_operator
                pc = system.code_map.get(limit.code) if system else None
                held = len(holders[(system_id, limit.code)])
                if least is None or pc is None or held >= least:
                    continue
                through = set(pc.roles) & set(op.roles) if pc.roles else {"any"}
                if not through:
                    continue
                if not op.occto_member and system and system.needs_membership(limit.code):
                    continue  # none of its users may hold it (occto-member-code)
                yield finding(
                    entry.file,
                    msg(
                        "{system} {code} ({label}) is held by {count} users of {operator}, "
                        "and it needs at least {least}: apply for the person to hold it with a "
                        "user permission set application (a new operator, once it is "
                        "registered)",
                        system=reg.catalog.named(system_id),
                        code=limit.code,
                        label=pc.label,
                        count=held,
                        operator=code,
                        least=least,
                    ),
                    ("systems", i),
                    Level(limit.severity),
                )


RULES = (
    affiliation,
    permission_abolished,
    permission_derived,
    system_not_approved,
    system_role,
    occto_member_code,
    permission_limit,
)
