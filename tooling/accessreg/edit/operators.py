"""Operators: the usage applications — new, change, termination (000 §3-1, §3-2, §3-3)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

from accessreg.edit import targets, yamldoc
from accessreg.edit.draft import BadValueError, Draft, EditRefused
from accessreg.files.schemacheck import pattern_sentence
from accessreg.model import Contact, Membership, Operator, User, layout
from accessreg.model.base import OPERATOR_CODE
from accessreg.model.catalog import system_key
from accessreg.model.layout import Kind
from accessreg.model.messages import Message, Param, msg, nmsg
from accessreg.model.registry import OperatorIndex
from accessreg.model.terms import (
    FIELDS,
    field_name,
    membership_text,
    role_names,
    system_names,
)

OPERATOR_FIELDS = tuple(Operator.model_fields)
CONTACT_FIELDS = tuple(Contact.model_fields)
MEMBERSHIP_FIELDS = tuple(Membership.model_fields)
USER_FIELDS = tuple(User.model_fields)
# Each status of an OCCTO membership and the field dating it (003 §2.2, §2.7.1).
MEMBERSHIP_DAYS = {
    "provisional": "provisional_since",
    "member": "member_since",
    "withdrawn": "withdrawn_on",
}


@dataclass(frozen=True)
class MembershipChange:
    """An OCCTO membership's new status and its day: the provisional application (加入仮申請),
    the full membership (本申請), or the withdrawal (退会)."""

    status: str  # provisional | member | withdrawn
    on: date


@dataclass(frozen=True)
class ContactSpec:
    role: str  # primary | deputy
    name: str
    name_kana: str
    email: str
    phone: str
    github: str

    def __post_init__(self) -> None:
        targets.spaced(self, *targets.NAMES)


@dataclass(frozen=True)
class NewOperator:
    code: str
    name: str
    name_kana: str
    roles: tuple[str, ...]
    privacy_policy_url: str
    systems: tuple[str, ...]
    primary: ContactSpec
    deputies: tuple[ContactSpec, ...] = ()
    subcontractors: tuple[tuple[str, str], ...] = ()  # (code, name)
    occto_member: bool | None = None  # None: as the membership makes it, else false
    membership: MembershipChange | None = None  # occto_member follows it when given

    def __post_init__(self) -> None:
        targets.spaced(self, *targets.NAMES, "subcontractors")


@dataclass(frozen=True)
class OperatorChange:
    """A usage change; it never changes a user's permissions by itself (000 §3-2)."""

    code: str
    name: str | None = None
    name_kana: str | None = None
    privacy_policy_url: str | None = None
    occto_member: bool | None = None
    membership: MembershipChange | None = None
    add_roles: tuple[str, ...] = ()
    remove_roles: tuple[str, ...] = ()
    add_systems: tuple[str, ...] = ()
    remove_systems: tuple[str, ...] = ()
    add_subcontractors: tuple[tuple[str, str], ...] = ()
    remove_subcontractors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        targets.spaced(self, *targets.NAMES, "add_subcontractors")


def contact_map(spec: ContactSpec) -> yamldoc.Document:
    return yamldoc.mapping(
        (
            ("role", spec.role),
            ("name", spec.name),
            ("name_kana", spec.name_kana),
            # The schema judges the address (a full-width ＠ too) beside the entry's other
            # values, as ``validate`` does: one mistake hides none of the others.
            ("email", spec.email.strip()),
            ("phone", spec.phone),
            ("github", spec.github.lstrip("@")),
        )
    )


def _subcontractor(code: str, name: str) -> yamldoc.Document:
    return yamldoc.mapping((("code", code), ("name", name)), flow=True)


def _applicable(draft: Draft, systems: tuple[str, ...]) -> tuple[str, ...]:
    """The systems as the catalog spells them; refused unless each is applied for."""
    return targets.systems(systems, [s.id for s in draft.catalog.applied_systems], draft.catalog)


def new(draft: Draft, spec: NewOperator) -> None:
    """Register an operator with its primary window person (利用申請・新規)."""
    spec = replace(spec, systems=_applicable(draft, spec.systems))
    occto_member = _flag(spec.occto_member, spec.membership)
    rel = layout.operator_file(spec.code)
    if draft.exists(rel):
        raise EditRefused(
            msg(
                "Operator {code} is already registered: apply for a usage change "
                "(利用申請（変更）) instead",
                code=spec.code,
            )
        )
    for holder, name in _declared(draft, spec.code):
        raise EditRefused(
            msg(
                "The operator code {code} is already declared as {name}, {holder}'s "
                "subcontractor: check the code with OCCTO (003 §2.2), or have {holder} "
                "correct its subcontractor first (--operator; on the form 利用申請（新規）: "
                "事業者コード)",
                code=spec.code,
                name=name,
                holder=holder,
            )
        )
    doc = yamldoc.mapping(
        (
            ("code", spec.code),
            ("name", spec.name),
            ("name_kana", spec.name_kana),
            ("roles", yamldoc.sequence(spec.roles, flow=True)),
            ("occto_member", occto_member),
            ("privacy_policy_url", spec.privacy_policy_url),
            ("status", "active"),
            ("systems", yamldoc.sequence(spec.systems, flow=True)),
            ("contacts", yamldoc.sequence(map(contact_map, (spec.primary, *spec.deputies)))),
        )
    )
    if spec.subcontractors:
        subs = (_subcontractor(c, n) for c, n in spec.subcontractors)
        doc["subcontractors"] = yamldoc.sequence(subs)
    if spec.membership is not None:
        doc["membership"] = _record(spec.membership)
    draft.create(rel, Kind.OPERATOR, doc)
    draft.note(
        msg(
            "new operator: {code} {name} ({systems})",
            code=spec.code,
            name=spec.name,
            systems=system_names(draft.catalog, spec.systems),
        )
    )


def _declared(draft: Draft, code: str) -> list[tuple[str, str]]:
    """The operators that declare ``code`` as their subcontractor
    (``OperatorIndex.declarers``), each with the name it declares it by."""
    operators = draft.registry.operators
    return [
        (holder, operators[holder].operator.affiliation_name(code) or code)
        for holder in sorted(OperatorIndex.of_entries(operators, frozenset()).declarers(code))
    ]


def _list(doc: yamldoc.Document, key: str) -> list[str]:
    value = doc.get(key)
    return [str(v) for v in value] if isinstance(value, list) else []


def _not_held(code: str, key: str, value: str, held: list[str]) -> Message:
    """A system or role to remove that the operator does not have, with what it has."""
    if not held:
        return msg(
            "Operator {code} has no {what} {value} to remove: it has none",
            code=code,
            what=FIELDS[key],
            value=value,
        )
    return msg(
        "Operator {code} has no {what} {value} to remove (it has {held}): check what to remove",
        code=code,
        what=FIELDS[key],
        value=value,
        held=tuple(held),
    )


def _narrow_certificates(draft: Draft, doc: yamldoc.Document, systems: list[str]) -> list[Message]:
    """Take ``systems``, which the operator gives up, from the list of each certificate
    that names its systems: a certificate is registered only for systems its operator uses
    (``certificate-system``), and the whitelists keep the given-up ones for it until the
    change is done all the same (``Admitted.dropped``, recorded by serial). One registered
    for those systems alone is refused: it would serve none, so it goes first."""
    said: list[Message] = []
    for cert in doc.get("certificates") or ():
        if not isinstance(cert, yamldoc.Document):
            continue
        listed = cert.get("systems")
        if not isinstance(listed, list) or not set(systems) & {str(s) for s in listed}:
            continue
        kept = [s for s in listed if str(s) not in systems]
        removed = [s for s in systems if s in {str(x) for x in listed}]
        if not kept:
            raise EditRefused(
                msg(
                    "The certificate {id} is registered for {systems} alone, which the "
                    "operator gives up: remove the certificate from the operator's file in "
                    "the same change, or register it for a system the operator keeps",
                    id=str(cert.get("id", "")),
                    systems=tuple(draft.catalog.named(str(s)) for s in listed),
                )
            )
        for system_id in removed:
            del listed[[str(x) for x in listed].index(system_id)]
        said.append(
            msg(
                "certificate {id}: {systems} no longer registered",
                id=str(cert.get("id", "")),
                systems=tuple(draft.catalog.named(s) for s in removed),
            )
        )
    return said


def _no_holders(draft: Draft, code: str, system_id: str) -> None:
    """Refused, once, while users of the operator still hold ``system_id``: a usage change
    leaves every permission as it is (000 §3-2), so they are removed first. The window
    person filing for the operator may see its users, so they are named."""
    holders = sorted(u.user.email for u in draft.users_of(code) if system_id in u.user.permissions)
    if holders:
        raise EditRefused(
            nmsg(
                "{count} user of {code} still holds a permission for {system} ({emails}): "
                "remove it first with a permission change (利用権限の変更申請) or a deletion "
                "(利用権限の抹消申請), then end the system's use",
                "{count} users of {code} still hold a permission for {system} ({emails}): "
                "remove them first with a permission change (利用権限の変更申請) or a deletion "
                "(利用権限の抹消申請), then end the system's use",
                len(holders),
                code=code,
                system=draft.catalog.named(system_id),
                emails=tuple(holders),
            )
        )


def _named(draft: Draft, key: str, value: str) -> Param:
    """A role or a system as the forms name it."""
    return role_names((value,))[0] if key == "roles" else draft.catalog.named(value)


def change(draft: Draft, spec: OperatorChange) -> None:
    """Edit the operator's own data (利用申請・変更): only what is named."""
    op = targets.operator(draft, spec.code)
    spec = replace(spec, add_systems=_applicable(draft, spec.add_systems))
    if spec.membership is not None:
        _flag(spec.occto_member, spec.membership)
    elif spec.occto_member is not None:
        _flag_alone(op, spec.occto_member)
    rel = layout.operator_file(spec.code)
    doc = draft.document(rel)
    said: list[Message] = []
    if spec.membership is not None:
        said += _membership(draft, op, doc, spec.membership)
    for key, value in (
        ("name", spec.name),
        ("name_kana", spec.name_kana),
        ("privacy_policy_url", spec.privacy_policy_url),
        ("occto_member", spec.occto_member if spec.membership is None else None),
    ):
        if value is not None and targets.compared(key, doc.get(key)) != value:
            yamldoc.put(doc, key, value, OPERATOR_FIELDS)
            said.append(msg("{field} changed", field=field_name(key)))
    for key, add, drop in (
        ("roles", spec.add_roles, spec.remove_roles),
        ("systems", spec.add_systems, spec.remove_systems),
    ):
        seq = yamldoc.seq_at(doc, key, OPERATOR_FIELDS, flow=True)
        for value in add:
            if value not in _list(doc, key):
                seq.append(value)
                said.append(
                    msg("{field} + {value}", field=FIELDS[key], value=_named(draft, key, value))
                )
        for value in drop:
            held = _list(doc, key)
            # As held, whatever the case it was typed in (TAXIS for taxis); a system also by
            # its name on the forms.
            value = (
                system_key(value, held, draft.catalog)
                if key == "systems"
                else next((h for h in held if h.lower() == value.strip().lower()), None)
            ) or value
            if value not in held:
                raise EditRefused(_not_held(spec.code, key, value, held))
            if key == "systems":
                _no_holders(draft, spec.code, value)
            del seq[held.index(value)]
            said.append(
                msg("{field} - {value}", field=FIELDS[key], value=_named(draft, key, value))
            )
            if key == "systems":
                said += _narrow_certificates(draft, doc, [value])
    if spec.add_subcontractors or spec.remove_subcontractors:
        subs = yamldoc.seq_at(doc, "subcontractors", OPERATOR_FIELDS)
        codes = [str(s.get("code")) for s in subs if isinstance(s, dict)]
        for code in spec.remove_subcontractors:
            if code not in codes:
                raise EditRefused(
                    msg(
                        "Operator {code} declares no subcontractor {sub} (it declares "
                        "{declared}): check the subcontractor code",
                        code=spec.code,
                        sub=code,
                        declared=tuple(codes),
                    )
                    if codes
                    else msg(
                        "Operator {code} declares no subcontractor {sub}: it declares none, "
                        "so there is none to withdraw",
                        code=spec.code,
                        sub=code,
                    )
                )
            del subs[codes.index(code)]
            codes.remove(code)
            said.append(msg("subcontractors - {code}", code=code))
        for code, name in spec.add_subcontractors:
            subs.append(_subcontractor(code, name))
            said.append(msg("subcontractors + {code} {name}", code=code, name=name))
        if not subs:
            del doc["subcontractors"]
    draft.note(msg("operator change: {code}: {what}", code=spec.code, what=tuple(said)))


def _flag(occto_member: bool | None, change: MembershipChange | None) -> bool:
    """``occto_member`` as a membership given with it makes it: true for a member only."""
    if change is None:
        return bool(occto_member)
    member = change.status == "member"
    if occto_member is not None and occto_member != member:
        raise BadValueError(
            msg(
                "occto_member {flag} disagrees with the OCCTO membership given ({status}): "
                "give the membership alone, occto_member follows it",
                flag="true" if occto_member else "false",
                status=change.status,
            )
        )
    return member


def _flag_alone(op: Operator, occto_member: bool) -> None:
    """Refused when ``occto_member`` alone would contradict a membership record: the
    record's status decides the flag (``occto-member`` rule), and a change of status
    carries its date and, for a withdrawal, the systems that end with it."""
    m = op.membership
    if m is not None and occto_member != (m.status == "member"):
        raise EditRefused(
            msg(
                "Operator {code}'s OCCTO membership is recorded ({membership}), and "
                "occto_member follows it: file the membership's change with its date "
                "instead (--membership provisional, member or withdrawn)",
                code=op.code,
                membership=membership_text(m),
            )
        )


def _record(change: MembershipChange) -> yamldoc.Document:
    return yamldoc.mapping((("status", change.status), (MEMBERSHIP_DAYS[change.status], change.on)))


def _membership(
    draft: Draft,
    op: Operator,
    doc: yamldoc.Document,
    change: MembershipChange,
    issued: bool = False,
) -> list[Message]:
    """Record the membership's new status and day, ``occto_member`` agreeing with it; a
    withdrawal also ends the systems whose contract ends with the membership (003 §2.7.1).
    A provisional key keeps a provisional membership, unless its code is ``issued`` with it."""
    current = op.membership
    if op.provisional and change.status != "provisional" and not issued:
        # A provisional key is held only by a provisional applicant (003 §2.2).
        raise EditRefused(
            msg(
                "{code} is a provisional key, held while the membership is provisional: "
                "an applicant that gives up its application ends its use with a usage "
                "termination (利用申請（終了）)",
                code=op.code,
            )
            if change.status == "withdrawn"
            else msg(
                "{code} is a provisional key: the membership is recorded under the operator "
                "code OCCTO issued: file the code's issuance (事業者コードの発番), which moves "
                "the operator to it and records the membership",
                code=op.code,
            )
        )
    if current is not None and current.status == "member" and change.status == "provisional":
        raise EditRefused(
            msg(
                "Operator {code} is an OCCTO member ({membership}): a membership does not "
                "go back to a provisional application",
                code=op.code,
                membership=membership_text(current),
            )
        )
    if change.status == "withdrawn" and current is None and not op.occto_member:
        raise EditRefused(
            msg(
                "Operator {code} has no OCCTO membership and no application for one: there "
                "is nothing to withdraw from",
                code=op.code,
            )
        )
    if current is not None and current.status == change.status:
        # Filed again, the status would begin anew: a provisional application's year (003
        # §2.7.2 ④) would count from the new day.
        raise EditRefused(
            msg(
                "Operator {code}'s membership is already so ({membership}): a status is not "
                "filed again; a wrong date is corrected by the reception centre",
                code=op.code,
                membership=membership_text(current),
            )
        )
    began = getattr(current, MEMBERSHIP_DAYS[current.status]) if current is not None else None
    if current is not None and current.status != change.status and began and change.on < began:
        raise BadValueError(
            msg(
                "The membership's date {day} is before its present status began "
                "({membership}): give {since} or later",
                day=change.on,
                membership=membership_text(current),
                since=began,
            )
        )
    record = doc.get("membership")
    if not isinstance(record, yamldoc.Document):
        record = yamldoc.mapping(())
        yamldoc.put(doc, "membership", record, OPERATOR_FIELDS)
    # The dates describe the present membership: a new application starts it over, and
    # joining again leaves the earlier withdrawal behind.
    stale = {"provisional": ("member_since", "withdrawn_on"), "member": ("withdrawn_on",)}
    for key in stale.get(change.status, ()):
        record.pop(key, None)
    yamldoc.put(record, "status", change.status, MEMBERSHIP_FIELDS)
    yamldoc.put(record, MEMBERSHIP_DAYS[change.status], change.on, MEMBERSHIP_FIELDS)
    yamldoc.put(doc, "occto_member", change.status == "member", OPERATOR_FIELDS)
    said = [msg("{field}: {value}", field=field_name("membership"), value=_wording(change))]
    if change.status == "withdrawn":
        said += _end_with_membership(draft, op.code, doc)
    return said


def _wording(change: MembershipChange) -> Message:
    """The new status as the plan words a membership (「2026-12-01 から会員」)."""
    day = MEMBERSHIP_DAYS[change.status]
    return membership_text(Membership.model_validate({"status": change.status, day: change.on}))


def _end_with_membership(draft: Draft, code: str, doc: yamldoc.Document) -> list[Message]:
    """Remove the systems whose contract ends with the membership or that the operator uses
    only as a member, and each user's permission for them, and the permissions only a member
    may hold (the switching support
    system's retailer IDs, 002 §2.1.1 ①(イ), where the operator keeps the system for another
    role): a user left with none is deleted, as a termination deletes."""
    catalog = draft.catalog
    roles = _list(doc, "roles")
    # The member system, and a system the operator uses only as a member (an electricity
    # retailer alone on the switching support system).
    ending = [s for s in _list(doc, "systems") if catalog.ends_with_membership(s, roles)]
    narrowed: list[Message] = []
    if ending:
        seq = yamldoc.seq_at(doc, "systems", OPERATOR_FIELDS, flow=True)
        for system_id in ending:
            del seq[_list(doc, "systems").index(system_id)]
        narrowed = _narrow_certificates(draft, doc, ending)
    changed = deleted = 0
    member_only: Counter[tuple[str, str]] = Counter()  # (system, code) → holders
    for entry in draft.users_of(code):
        perms = entry.user.permissions
        held = [s for s in ending if s in perms]
        for system_id, held_code in perms.items():
            system = catalog.by_id.get(system_id)
            if system_id not in held and system is not None and system.needs_membership(held_code):
                held.append(system_id)
                member_only[system_id, held_code] += 1
        if not held:
            continue
        if set(perms) <= set(held):
            draft.remove(entry.file)
            deleted += 1
            continue
        doc_perms = draft.document(entry.file).get("permissions")
        if isinstance(doc_perms, yamldoc.Document):
            for system_id in held:
                doc_perms.pop(system_id, None)
        changed += 1
    said = [
        msg("{field} - {value}", field=FIELDS["systems"], value=catalog.named(s)) for s in ending
    ]
    said += narrowed
    said += [
        nmsg(
            "{system} {code} removed from {count} user (only an OCCTO member holds it)",
            "{system} {code} removed from {count} users (only an OCCTO member holds it)",
            count,
            system=catalog.named(system_id),
            code=held_code,
        )
        for (system_id, held_code), count in sorted(member_only.items())
    ]
    if ending or member_only:
        said.append(
            msg(
                "users' permissions removed: {changed}; user files removed: {deleted}",
                changed=changed,
                deleted=deleted,
            )
        )
    return said


def terminate(draft: Draft, code: str, on: date) -> None:
    """Mark the operator terminated and remove every user file of it and its subcontractors.

    000 §3-3: termination removes every permission of the operator's users and of its
    subcontractors' users, so their files go in the same change. Nothing else in the file
    holds it back (``targets.revoking_from``).
    """
    code = targets.revoking_from(draft, code, edits=True)
    if on < draft.today:
        # 000 §3-3, 002 §2.7.1: the use ends once the centre has processed the application,
        # never on a day already past; the plan would apply it on the merge, not on ``on``.
        raise BadValueError(
            msg(
                "The termination date {day} is before today ({today}): give a termination "
                "date of today ({today}) or later",
                day=on,
                today=draft.today,
            ),
            at=("terminated_on",),
        )
    doc = draft.document(layout.operator_file(code))
    if doc.get("status") == "terminated":  # a file with errors, ``targets`` could not tell
        raise targets.terminated(code, doc.get("terminated_on"), draft.today)
    yamldoc.put(doc, "status", "terminated", OPERATOR_FIELDS)
    yamldoc.put(doc, "terminated_on", on, OPERATOR_FIELDS)
    removed = draft.files_under(f"{layout.users_dir(code)}/")
    for rel in removed:
        draft.remove(rel)
    draft.note(
        msg(
            "operator termination: {code} on {day}; user files removed: {count}",
            code=code,
            day=on,
            count=len(removed),
        )
    )


def issue_code(draft: Draft, key: str, code: str, on: date) -> None:
    """The applicant held under the provisional key ``key`` continues under the operator
    code OCCTO issued, ``code`` (003 §2.2): its file and its users' files move to the code,
    which they then name (``code``, each user's ``affiliation``; a subcontractor's staff
    keep theirs), and the membership becomes the full one (本申請) from ``on``. Its
    certificates are kept as they are: a CN that does not carry the code is the
    ``certificate-subject`` rule's to report. The plan reads the move as one operator
    continuing (``plan.issued``)."""
    if not re.fullmatch(OPERATOR_CODE, code):
        raise BadValueError(
            msg(
                "{code} is not an operator code: {how}",
                code=code,
                how=pattern_sentence(OPERATOR_CODE, field_name("code")),
            )
        )
    op = targets.operator(draft, key)
    if not op.provisional:
        raise EditRefused(
            msg(
                "Operator {code} is not held under a provisional key (PROV-…): it already has "
                "its operator code; only an applicant for OCCTO membership receives one here",
                code=key,
            )
        )
    if op.membership is not None and op.membership.status == "withdrawn":
        raise EditRefused(
            msg(
                "{code}'s OCCTO membership is withdrawn ({membership}): no operator code is "
                "issued to it; end its use with a usage termination (利用申請（終了）)",
                code=key,
                membership=membership_text(op.membership),
            )
        )
    rel, to = layout.operator_file(key), layout.operator_file(code)
    if draft.exists(to):
        raise EditRefused(
            msg(
                "The operator code {code} is already used ({file}): check the code OCCTO issued",
                code=code,
                file=f"{draft.label}/{to}",
            )
        )
    if draft.files_under(f"{layout.users_dir(code)}/"):
        raise EditRefused(
            msg(
                "The operator code {code} is already used: {dir} holds user files; check "
                "the code OCCTO issued",
                code=code,
                dir=f"{draft.label}/{layout.users_dir(code)}/",
            )
        )
    for holder, name in _declared(draft, code):
        raise EditRefused(
            msg(
                "The issued operator code {code} is already declared as {name}, {holder}'s "
                "subcontractor: check the code with OCCTO (003 §2.2), or have {holder} "
                "correct its subcontractor first (--code; on the form 利用申請（変更）: "
                "事業者コードの発番)",
                code=code,
                name=name,
                holder=holder,
            )
        )
    doc = draft.move(rel, to)
    yamldoc.put(doc, "code", code, OPERATOR_FIELDS)
    said = _membership(draft, op, doc, MembershipChange("member", on), issued=True)
    moved = draft.files_under(f"{layout.users_dir(key)}/")
    for user in moved:
        udoc = draft.move(user, f"{layout.users_dir(code)}/{user.rsplit('/', 1)[1]}")
        if udoc.get("affiliation") == key:  # a subcontractor's staff keep their affiliation
            yamldoc.put(udoc, "affiliation", code, USER_FIELDS)
    draft.note(
        msg(
            "operator code issued: {key} → {code}; user files moved with it: {count}",
            key=key,
            code=code,
            count=len(moved),
        )
    )
    draft.note(msg("operator change: {code}: {what}", code=code, what=tuple(said)))
