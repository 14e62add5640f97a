"""What a reviewer is asked to look at in a plan: the checks of the reviewer guide for each
application, and the items that deserve a second look.

Checks (docs/guide-reviewer.md): a new operator's roles, systems, OCCTO membership and
privacy-policy page (000 §2-5, §3-1); a certificate's location and holder (001 p46); a new
window person, and a window person's new GitHub account. Second looks: a window person
granting themselves permissions, a change of an operator's roles or OCCTO membership (both
declared by the operator's own window person), a termination dated before the day it can
take effect (000 §3-3), a suspension dated before its merge, which takes effect on the merge
day instead (001 p46: nothing is stopped before the registry says so), a login ID an
operator takes that another operator already knows, a login ID or certificate added back
without the suspension it had when it was removed, or a suspended admin's ID handed on to
another (only the system's operator lifts one, 001 p46), and a registered operator's code
declared as a subcontractor or given as a user's affiliation (only that operator can confirm
it does the work, 002 §2.3.1), and a certificate taken away from a terminal before the one
replacing it there is usable (000 §4-2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from accessreg.model import Catalog, Operator
from accessreg.model.messages import Message, msg
from accessreg.model.registry import (
    OperatorIndex,
    Registry,
    SuspendedHandover,
    given_up,
    suspended_handovers,
)
from accessreg.model.terms import membership_text, person, role_names
from accessreg.plan.history import Returning, WasSuspended
from accessreg.plan.model import (
    Application,
    CertificateChange,
    Direction,
    Item,
    MassRemoval,
    Note,
    NoteKind,
    OperatorChange,
    Plan,
    SubcontractorChange,
    UserChange,
    WindowPersonChange,
)
from accessreg.plan.wording import effective_text
from accessreg.timeline.effective import Effective, Key


def _membership(op: Operator) -> Message:
    if op.membership is None:
        return msg("member") if op.occto_member else msg("not a member")
    return membership_text(op.membership)


def _new_operator(op: Operator, catalog: Catalog) -> list[Message]:
    return [
        msg(
            "Roles: {roles}: check them against the operator's licences and contracts",
            roles=role_names(op.roles, keyed=False),
        ),
        msg(
            "Systems: {systems}: check the operator needs each and its roles allow it",
            systems=tuple(catalog.named(s) for s in op.systems) or (msg("(none)"),),
        ),
        msg(
            "OCCTO membership: {membership}: check it against OCCTO's list of members",
            membership=_membership(op),
        ),
        msg(
            "Privacy policy page: {url}: open it and check it states the joint use (000 §2-5)",
            url=op.privacy_policy_url,
        ),
    ]


def _past(effective: Effective | None, key: Key = "suspended_on") -> dict[str, date] | None:
    """An item whose file names a day (``key``: a suspension's, a termination's) already
    past at the merge, which it takes effect on instead (``Dates``): the values of its note,
    the day written and the day it takes effect; None for any other."""
    if effective is None or effective.key != key or effective.on is None:
        return None
    written = effective.past_day
    return None if written is None else {"day": written, "applied": effective.on}


def _operator_flags(item: OperatorChange, catalog: Catalog) -> list[Message]:
    found = []
    ends = _past(item.effective, "terminated_on")
    if item.application is Application.USAGE_END and ends is not None:
        # 000 §3-3, 002 §2.7.1: the use ends once the application is processed; a day already
        # past cannot be that day, and every output ends it on the merge instead.
        found.append(
            msg(
                "The termination date {day} is already past: the termination takes effect on "
                "{applied}, not on the date written; ask the operator which date it means and "
                "have the termination date corrected",
                **ends,
            )
        )
    for use in item.suspensions:  # each system on its own day
        if (past := _past(use.effective)) is not None:
            found.append(
                msg(
                    "The suspension date {day} of the use of {system} is already past: the "
                    "suspension takes effect on the merge day, {applied}, not on the date "
                    "written",
                    system=catalog.named(use.system),
                    **past,
                )
            )
    was, now = item.before, item.after
    if was is None or now is None:
        return found
    changed = {change.field for change in item.fields}
    if "roles" in changed:
        found.append(
            msg(
                "The operator's roles change ({old} → {new}), declared by its own window "
                "person: check the licences or contracts behind them",
                old=role_names(was.roles, keyed=False),
                new=role_names(now.roles, keyed=False),
            )
        )
    if changed & {"occto_member", "membership"}:
        found.append(
            msg(
                "The OCCTO membership changes ({old} → {new}), declared by the operator's "
                "own window person: check it against OCCTO's list of members",
                old=_membership(was),
                new=_membership(now),
            )
        )
    return found


def _entrusted(item: Item, registered: Callable[[str, str], str | None]) -> Message | None:
    """A flag on a registered operator's code (``registered``: its name, for a code and
    the operator of the item) that an operator declares as its subcontractor, or gives a
    user as affiliation: a registered operator may do another's work under contract (002
    §2.3.1), but only it can say so (000 §5-1 note 2)."""
    if isinstance(item, SubcontractorChange) and item.action == "add":
        if (name := registered(item.code, item.operator)) is None:
            return None
        return msg(
            "The subcontractor code {code} is that of the registered operator {name}: check "
            "with {name} that it does {operator}'s work under contract (000 §5-1 note 2, 002 "
            "§2.3); {operator}'s users may then be entered as belonging to it",
            code=item.code,
            name=name,
            operator=item.operator,
        )
    if not isinstance(item, UserChange):
        return None
    if item.action != "add" and all(f.field != "affiliation" for f in item.fields):
        return None  # the affiliation as it was
    if (name := registered(item.affiliation, item.operator)) is None:
        return None
    return msg(
        "User {who} is entered as belonging to {code}, the registered operator {name}: check "
        "with {name} that it does {operator}'s work under contract and that this person is "
        "its staff",
        who=person(item.person.name, item.person.email),
        code=item.affiliation,
        name=name,
        operator=item.operator,
    )


def _returning(what: Message, was: WasSuspended) -> Message:
    """A flag on what comes back without the suspension it had when it was removed: only
    the system's operator lifts one (001 p46)."""
    if was.removed_in is None:
        return msg(
            "{what} is suspended (since {since}) at {code}, which removes it in this change: "
            "adding it here lifts the suspension, which only the system's operator decides "
            "(001 p46); check that it has",
            what=what,
            since=was.since,
            code=was.operator,
        )
    return msg(
        "{what} was suspended (since {since}) when it was removed in {commit}: adding it "
        "again lifts the suspension, which only the system's operator decides (001 p46); "
        "check that it has",
        what=what,
        since=was.since,
        commit=was.removed_in[:12],
    )


def _suspended_admin(catalog: Catalog, handover: SuspendedHandover, email: str) -> Message:
    """A flag on a change of admin that hands a suspended admin's ID on to a user who is not
    suspended: a lifting, which only the system's operator decides (001 p46); authorize
    refuses it to anyone but a maintainer."""
    return msg(
        "{email} takes over the admin ID on {system} ({perm}) from {former}, whose ID is "
        "suspended (since {since}): it goes on unsuspended, which lifts the suspension, "
        "which only the system's operator decides (001 p46); check that it has",
        email=email,
        system=catalog.named(handover.system),
        perm=handover.perm,
        former=handover.former.email,
        since=str(handover.former.suspended_on),
    )


def _lapsed(item: CertificateChange, plan: Plan) -> Message | None:
    """A certificate the change registers (a new one, or another serial) that is no longer
    valid on the day it is registered, or on the acceptance when a manual step registers it:
    the reverse proxies never let it through (000 §4-1), and ``cert add`` refuses one
    expired already."""
    was, now = item.before, item.after
    if now is None or (was is not None and was.serial == now.serial):
        return None
    on = item.effective.on if item.effective is not None and item.effective.on else plan.accepted
    if now.not_after >= on:
        return None
    return msg(
        "Certificate {id} is valid until {end}, before it is registered on {on}: the reverse "
        "proxies would never let it through; register its renewal instead (000 §4-1)",
        id=item.id,
        end=now.not_after,
        on=on,
    )


def _nowhere(item: CertificateChange, head: Registry) -> Message | None:
    """A certificate the change registers that reaches none of its operator's systems (the
    rule ``certificate-unused``): registered nowhere, told registered all the same."""
    entry = head.operators.get(item.operator)
    cert = item.after
    if entry is None or cert is None or cert.systems:
        return None
    op = entry.operator
    if any(op.reaches(head.catalog, system, cert) for system in head.catalog.systems):
        return None
    return msg(
        "Certificate {id} ({purpose}) reaches none of the operator's systems: none takes "
        "{purpose} certificates, so it would be registered nowhere; send it back",
        id=item.id,
        purpose=cert.purpose,
    )


def _certificate_notes(
    item: CertificateChange, head: Registry, back: Returning
) -> list[tuple[NoteKind, Message]]:
    """What the reviewer is told of a certificate the change registers or changes: one
    registered nowhere, one suspended when last in the registry, where and by whom a new
    one is used (001 p46)."""
    found: list[tuple[NoteKind, Message]] = []
    if (nowhere := _nowhere(item, head)) is not None:
        found.append(("flag", nowhere))
    if item.after and item.action == "add":
        if (was := back.lifts("serial", item.serial, item.after.suspended_on)) is not None:
            found.append(("flag", _returning(msg("certificate {serial}", serial=item.serial), was)))
        found.append(
            (
                "check",
                msg(
                    "Certificate {id}: installed at {location}, held by {holder}: check both "
                    "say which office and terminal, and which person (001 p46)",
                    id=item.id,
                    location=item.after.location,
                    holder=item.after.holder,
                ),
            )
        )
    return found


def _gaps(plan: Plan) -> list[tuple[CertificateChange, Message]]:
    """Each certificate serial the change takes away on its merge from a terminal (its CN)
    while the serial that replaces it there (another certificate, or the same one given
    another serial) is let through only later: registered at M, usable from M+6 (000
    §4-2), or after OCCTO's help desk's step. The terminal cannot connect in between,
    though the old certificate is still valid: its removal belongs in a later application,
    once the new one is registered."""
    certificates: dict[str, list[CertificateChange]] = {}
    for item in plan.items:
        if isinstance(item, CertificateChange):
            certificates.setdefault(item.operator, []).append(item)
    found = []
    for items in certificates.values():
        for gone in items:
            was = gone.before
            if was is None or was.suspended_on is not None:
                continue
            if gone.action == "remove" and gone.effective and gone.effective.key == "merged":
                ends, by = gone.effective.on, [i for i in items if i.action == "add"]
            elif gone.action == "change" and gone.serial != was.serial:
                ends, by = plan.events.merged, [gone]  # the old serial leaves the whitelists
            else:
                continue  # a termination's day, or the same serial
            if ends is None or was.not_after < ends:
                continue  # no longer valid by then anyway
            for new in by:
                now, usable = new.after, new.effective
                if now is None or now.cn != was.cn or usable is None:
                    continue
                if usable.on is not None and usable.on <= ends:
                    continue
                told = msg(
                    "{cn}: certificate {old} (serial {old_serial}) is taken away on {ends}, "
                    "and {new} (serial {new_serial}), which replaces it, is let through only "
                    "from {usable}: {cn} cannot connect in between. Keep the old certificate "
                    "in the registry until the new one is registered, and remove it in a "
                    "later application (000 §4-2)",
                    cn=was.cn,
                    old=was.id,
                    old_serial=was.serial,
                    ends=ends,
                    new=now.id,
                    new_serial=now.serial,
                    usable=effective_text(usable, plan.catalog),
                )
                found.append((gone, told))
    return found


MASS_REMOVAL = msg("Mass removal")  # the warning's title


def mass_removal(found: MassRemoval) -> Message:
    """The warning on a change that trips the merge's removal rail (``provision.safety``):
    its run holds it back, and every merge after it, of any operator, until a maintainer
    allows it, so the merge is agreed with the maintainers first."""
    r = found.removal
    if not r.after:
        what = msg(
            "This change removes every login ID ({before} in all, of {operators})",
            before=r.before,
            operators=found.operators,
        )
    else:
        what = msg(
            "This change removes {removed} of the {before} login IDs ({share}, over "
            "{max_share}; those of {operators})",
            removed=r.removed,
            before=r.before,
            share=format(r.share, ".0%"),
            max_share=format(found.max_share, ".0%"),
            operators=found.operators,
        )
    return msg(
        "{removal}. Once merged, provisioning refuses it as a mass removal: it holds back "
        "this application and every one merged after it, of any operator, until a maintainer "
        "confirms it with --allow-mass-removal: agree the merge with the maintainers before "
        "approving it",
        removal=what,
    )


def notes(
    plan: Plan,
    base: Registry,
    head: Registry,
    users_elsewhere: Mapping[str, frozenset[str]],
    actor: str | None = None,
    indexes: tuple[OperatorIndex, OperatorIndex] | None = None,
    back: Returning | None = None,
) -> tuple[Note, ...]:
    """The notes of ``plan``, from the registries it compares; ``users_elsewhere`` gives,
    for a login ID an added user holds, the operators with a user of that ID at the base.
    ``indexes``: those of every operator of ``base`` and ``head``, when the registries
    hold only some; ``back``: what the change adds back that was suspended when it was
    last in the registry (``plan.history``)."""
    back = back or Returning()
    base_index, head_index = indexes or (OperatorIndex.of(base), OperatorIndex.of(head))
    # Login ID → the operators whose window person it is.
    windows = {login: set(codes) for login, codes in base_index.window_emails.items()}
    for login, codes in head_index.window_emails.items():
        windows.setdefault(login, set()).update(codes)
    actor_logins = (
        base_index.github_emails.get(actor.lower(), frozenset()) if actor is not None else set()
    )
    found: list[Note] = []

    def add(item: Item, kind: NoteKind, message: Message) -> None:
        found.append(Note(item.operator, item.application, kind, item.key, message))

    def registered(code: str, own: str) -> str | None:
        """The name of the registered operator ``code`` is, other than ``own``."""
        if code == own:
            return None
        return head_index.names.get(code) or base_index.names.get(code)

    for gone, gap in _gaps(plan):
        add(gone, "flag", gap)
    told: set[tuple[str, str]] = set()  # the certificates (operator, ID) told of
    for item in plan.items:
        past = None if isinstance(item, OperatorChange) else _past(item.effective)
        if past is not None and isinstance(item, UserChange):
            add(
                item,
                "flag",
                msg(
                    "The suspension date {day} of user {who} is already past: the suspension "
                    "takes effect on the merge day, {applied}, not on the date written",
                    who=person(item.person.name, item.person.email),
                    **past,
                ),
            )
        elif past is not None and isinstance(item, CertificateChange):
            add(
                item,
                "flag",
                msg(
                    "The suspension date {day} of certificate {id} is already past: the "
                    "suspension takes effect on the merge day, {applied}, not on the date "
                    "written",
                    id=item.id,
                    **past,
                ),
            )
        if (entrusted := _entrusted(item, registered)) is not None:
            add(item, "flag", entrusted)
        if isinstance(item, OperatorChange):
            if item.application is Application.USAGE_NEW and item.after is not None:
                for check in _new_operator(item.after, plan.catalog):
                    add(item, "check", check)
            for flag in _operator_flags(item, plan.catalog):
                add(item, "flag", flag)
        if isinstance(item, CertificateChange):
            if (lapsed := _lapsed(item, plan)) is not None:
                add(item, "flag", lapsed)
            # One provider's registration of several (``CertificateChange.part``): what is
            # said of the certificate itself is said once.
            if (item.operator, item.id) not in told:
                told.add((item.operator, item.id))
                for kind, said in _certificate_notes(item, head, back):
                    add(item, kind, said)
        elif isinstance(item, WindowPersonChange) and item.action == "add":
            add(
                item,
                "check",
                msg(
                    "New window person {name} <{email}> (GitHub {login}): check with the "
                    "operator that this is its window person and that the GitHub account is "
                    "theirs",
                    name=item.person.name,
                    email=item.person.email,
                    login=item.github,
                ),
            )
        elif (
            isinstance(item, WindowPersonChange)
            and item.before is not None
            and item.after is not None
            # GitHub logins are case-insensitive: another case is the same account.
            and item.before.github.lower() != item.after.github.lower()
        ):
            # Whoever holds the account files for the operator (``authorize``): another
            # account is another person acting for it, checked as a new one is.
            add(
                item,
                "check",
                msg(
                    "The GitHub account of window person {name} <{email}> changes ({old} → "
                    "{new}): check with the operator that this is its window person and that "
                    "the GitHub account is theirs",
                    name=item.person.name,
                    email=item.person.email,
                    old=item.before.github,
                    new=item.after.github,
                ),
            )
        elif isinstance(item, UserChange) and item.direction is Direction.GRANT:
            login = item.person.email.lower()
            for effect in item.effects:
                # An admin ID issued once, taken over from the user who gives it up: a
                # change of admin, which its own side of the handover does not widen.
                if effect.new is None or not head.catalog.issued_once(effect.system, effect.new):
                    continue
                former = given_up(base, head, item.operator, effect.system, effect.new)
                if former:
                    add(
                        item,
                        "check",
                        msg(
                            "A change of admin: {email} takes over {code} of {system} from "
                            "{former}: check with the operator that {email} is its new admin",
                            email=item.person.email,
                            code=head.catalog.labelled(effect.system, effect.new),
                            system=head.catalog.named(effect.system),
                            former=tuple(sorted(former)),
                        ),
                    )
            if item.operator in windows.get(login, set()):
                add(
                    item,
                    "flag",
                    msg(
                        "The applicant grants themselves permissions: {email} is this "
                        "operator's window person; check the operator confirms it",
                        email=item.person.email,
                    )
                    if login in actor_logins
                    else msg(
                        "A window person of {code} is given permissions ({email}): check it is "
                        "not a window person granting themselves",
                        code=item.operator,
                        email=item.person.email,
                    ),
                )
            if item.action == "add" and item.after is not None:
                suspended_on = item.after.suspended_on
                if (was := back.lifts("login", login, suspended_on)) is not None:
                    add(item, "flag", _returning(msg("the ID {login}", login=login), was))
                others = (users_elsewhere.get(login, frozenset()) | windows.get(login, set())) - {
                    item.operator
                }
                if others:
                    # Not whose: the plan comment is read by every operator; a full validate
                    # reports the other holder at its own file.
                    add(
                        item,
                        "flag",
                        msg(
                            "The login ID {email} is already another operator's: check it is "
                            "the same person and that operator gives it up",
                            email=item.person.email,
                        ),
                    )
        if isinstance(item, UserChange) and item.after is not None:
            for handover in suspended_handovers(base, head, item.operator, item.after):
                add(item, "flag", _suspended_admin(plan.catalog, handover, item.after.email))
    return tuple(found)
