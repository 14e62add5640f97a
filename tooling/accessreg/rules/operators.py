"""Rules on an operator's own file: window persons, subcontractors, status, membership."""

from __future__ import annotations

from collections.abc import Iterator

from accessreg.model.messages import msg
from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry
from accessreg.model.terms import role_names
from accessreg.rules.base import Context, Due, Scope, finding, rule
from accessreg.timeline.periods import provisional_deadline


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
                msg(
                    "An operator has exactly one primary window person (role: primary); this "
                    "file has {count}: make one of them primary and the others deputy",
                    count=len(primaries),
                )
                if primaries
                else msg(
                    "An operator has exactly one primary window person (role: primary); this "
                    "file has none: make one of them primary"
                ),
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
                    msg(
                        "The subcontractor code {code} is already used in this file: declare "
                        "each subcontractor once, with its own code",
                        code=sub.code,
                    ),
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
                    msg(
                        "Operator {code} is terminated: remove its users' files with the "
                        "termination",
                        code=entry.operator.code,
                    ),
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
            deadline = provisional_deadline(m.provisional_since)
            if ctx.today > deadline:
                yield finding(
                    entry.file,
                    msg(
                        "Provisional OCCTO member since {since}: the full membership "
                        "application was due by {deadline}; record the membership or its "
                        "withdrawal",
                        since=m.provisional_since,
                        deadline=deadline,
                    ),
                    ("membership", "provisional_since"),
                )


@rule("occto-member", "002 §2.1.1 ①(イ), 003 §2.1.1, §2.7.1", Scope.OPERATORS)
def occto_member(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """An operator uses an OCCTO system without the membership it needs.

    An electricity retailer may use the switching support system only as an OCCTO member;
    `occto_member` and the membership status must agree. The member system, open to members
    and to applicants for membership before their code is issued (003 §2.1.1), is used no
    more once the membership is withdrawn: its contract ends with the membership (003
    §2.7.1), so the withdrawal removes the system and its users' permissions, which end on
    the withdrawal's day (the merge, where that is past).
    """
    for entry in reg.iter_operators():
        op = entry.operator
        member = op.membership.status if op.membership else None
        if op.membership is not None and member == "withdrawn":
            for i, system_id in enumerate(op.systems):
                system = reg.catalog.by_id.get(system_id)
                if system is not None and system.ends_with_membership:
                    yield finding(
                        entry.file,
                        msg(
                            "{system} is used only while an OCCTO membership lasts, and its "
                            "withdrawal is dated {day}: remove the system, and its users' "
                            "permissions, in the usage change application (利用申請（変更）) "
                            "that files the withdrawal; their access ends on that day (on the "
                            "merge, if it is past)",
                            system=reg.catalog.named(system_id),
                            day=op.membership.withdrawn_on or "",
                        ),
                        ("systems", i),
                    )
        if op.occto_member != (member == "member") and op.membership is not None:
            yield finding(
                entry.file,
                msg(
                    "occto_member is {flag} but the membership status is {status}: make them agree",
                    flag="true" if op.occto_member else "false",
                    status=member or "",
                ),
                ("occto_member",),
            )
        for i, system_id in enumerate(op.systems):
            system = reg.catalog.by_id.get(system_id)
            if system is None or op.occto_member:
                continue
            if system.members_only_for(op.roles):
                through = set(op.roles) & set(system.roles or op.roles)
                yield finding(
                    entry.file,
                    msg(
                        "{system} is open to {roles} only for OCCTO members: record the "
                        "membership (occto_member: true) or remove the system",
                        system=reg.catalog.named(system_id),
                        roles=role_names(sorted(through)),
                    ),
                    ("systems", i),
                )


@rule("provisional-key", "003 §2.1.1, §2.2; 001 p12", Scope.OPERATORS)
def provisional_key(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """An operator held under a provisional key is not a provisional OCCTO applicant, or uses
    what needs an operator code.

    An applicant for OCCTO membership files its provisional application (加入仮申請) on the
    member system before OCCTO issues its operator code, and its full application (本申請)
    after (003 §2.2): until then the registry holds it under a key `PROV-…`. Only systems
    open to such applicants (the member system, 003 §2.1.1 ②) may be used, and no client
    certificate registered: it is ordered with the operator code (001 p12, 004). Once the
    membership is no longer provisional, the files move to the issued code.
    """
    for entry in reg.iter_operators():
        op = entry.operator
        if not op.provisional:
            continue
        if op.membership is None or op.membership.status != "provisional":
            yield finding(
                entry.file,
                msg(
                    "{code} is a provisional key: only a provisional OCCTO membership applicant "
                    "is held under one; move the files to the operator code OCCTO issued",
                    code=op.code,
                ),
                ("membership",) if op.membership else ("code",),
            )
        for i, system_id in enumerate(op.systems):
            system = reg.catalog.by_id.get(system_id)
            if system is not None and system.needs_operator_code:
                yield finding(
                    entry.file,
                    msg(
                        "{system} is used with an operator code, and {code} has none yet: "
                        "remove the system until OCCTO issues the code",
                        system=reg.catalog.named(system_id),
                        code=op.code,
                    ),
                    ("systems", i),
                )
        for i, _ in enumerate(op.certificates):
            yield finding(
                entry.file,
                msg(
                    "A client certificate is ordered with the operator code, and {code} has "
                    "none yet: register the certificate once OCCTO issues the code",
                    code=op.code,
                ),
                ("certificates", i),
            )


@rule("approval", "000 §2-2", Scope.OPERATORS)
def approval(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """An approval without the role names a system the provider does not approve that way,
    or one already approved.

    「その他当社が必要と認めた事業者」 is a condition of JOHS and LOACUS only (000 §2-2): the
    catalog marks them `approvable`.
    """
    for entry in reg.iter_operators():
        seen: set[str] = set()
        for i, item in enumerate(entry.operator.approvals):
            system = reg.catalog.by_id.get(item.system)
            if system is None or not system.approvable:
                yield finding(
                    entry.file,
                    msg(
                        "{system} is not approved without its roles (「その他当社が必要と認めた"
                        "事業者」 applies to {systems} only)",
                        system=reg.catalog.named(item.system),
                        systems=tuple(
                            reg.catalog.named(s.id) for s in reg.catalog.systems if s.approvable
                        ),
                    ),
                    ("approvals", i, "system"),
                )
            elif item.system in seen:
                yield finding(
                    entry.file,
                    msg(
                        "{system} is approved twice: record it once",
                        system=reg.catalog.named(item.system),
                    ),
                    ("approvals", i, "system"),
                )
            seen.add(item.system)


@rule("suspension", "001 p46; 002 §2.4, §2.6, §3.4.4", Scope.OPERATORS)
def suspension(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A suspension of the operator's use names a system it does not use, or one already
    suspended.

    The system's operator suspends first on loss, theft or misuse, and decides after (001
    p46): a suspended system leaves the whitelists and the imports until it is lifted.
    """
    for entry in reg.iter_operators():
        seen: set[str] = set()
        for i, item in enumerate(entry.operator.suspensions):
            if item.system not in entry.operator.systems:
                message = msg(
                    "The suspension names {system}, which the operator is not approved for",
                    system=reg.catalog.named(item.system),
                )
            elif item.system in seen:
                message = msg(
                    "The suspension names {system}, which is already suspended: record it once",
                    system=reg.catalog.named(item.system),
                )
            else:
                seen.add(item.system)
                continue
            yield finding(entry.file, message, ("suspensions", i, "system"))


@rule("admin-reissue", "002 §3.2.1", Scope.OPERATORS)
def admin_reissue(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A recorded admin-ID reissue names a code that is not an admin ID issued once.

    The switching support system issues an admin ID new only once (002 §3.2.1); a reissue
    the system's operator accepted is recorded in `admin_reissues` with its code.
    """
    for entry in reg.iter_operators():
        for i, item in enumerate(entry.operator.admin_reissues):
            system = reg.catalog.by_id.get(item.system)
            pc = system.code_map.get(item.code) if system else None
            if pc is None or not pc.issued_once:
                yield finding(
                    entry.file,
                    msg(
                        "{system} {code} is not an admin ID issued only once: record only "
                        "those reissues",
                        system=reg.catalog.named(item.system),
                        code=item.code,
                    ),
                    ("admin_reissues", i, "code"),
                )


RULES = (
    contact_primary,
    subcontractor_code,
    operator_terminated_users,
    membership_provisional,
    occto_member,
    provisional_key,
    approval,
    suspension,
    admin_reissue,
)
