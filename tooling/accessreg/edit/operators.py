"""Operators: the usage applications — new, change, termination (000 §3-1, §3-2, §3-3)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from accessreg.edit import targets, yamldoc
from accessreg.edit.draft import BadValueError, Draft, EditRefused
from accessreg.model import Contact, Operator, layout
from accessreg.model.layout import Kind
from accessreg.model.messages import Message, Param, msg, nmsg
from accessreg.model.terms import FIELDS, field_name, role_names, system_names

OPERATOR_FIELDS = tuple(Operator.model_fields)
CONTACT_FIELDS = tuple(Contact.model_fields)


@dataclass(frozen=True)
class ContactSpec:
    role: str  # primary | deputy
    name: str
    name_kana: str
    email: str
    phone: str
    github: str


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
    occto_member: bool = False


@dataclass(frozen=True)
class OperatorChange:
    """A usage change; it never changes a user's permissions by itself (000 §3-2)."""

    code: str
    name: str | None = None
    name_kana: str | None = None
    privacy_policy_url: str | None = None
    occto_member: bool | None = None
    add_roles: tuple[str, ...] = ()
    remove_roles: tuple[str, ...] = ()
    add_systems: tuple[str, ...] = ()
    remove_systems: tuple[str, ...] = ()
    add_subcontractors: tuple[tuple[str, str], ...] = ()
    remove_subcontractors: tuple[str, ...] = ()


def contact_map(spec: ContactSpec) -> yamldoc.Document:
    return yamldoc.mapping(
        (
            ("role", spec.role),
            ("name", spec.name),
            ("name_kana", spec.name_kana),
            ("email", targets.login_id(spec.email)),
            ("phone", spec.phone),
            ("github", spec.github.lstrip("@")),
        )
    )


def _subcontractor(code: str, name: str) -> yamldoc.Document:
    return yamldoc.mapping((("code", code), ("name", name)), flow=True)


def _applicable(draft: Draft, systems: tuple[str, ...]) -> tuple[str, ...]:
    """The systems as the catalog spells them; refused unless each is applied for."""
    return targets.systems(systems, [s.id for s in draft.catalog.applied_systems])


def new(draft: Draft, spec: NewOperator) -> None:
    """Register an operator with its primary window person (利用申請・新規)."""
    spec = replace(spec, systems=_applicable(draft, spec.systems))
    rel = layout.operator_file(spec.code)
    if draft.exists(rel):
        raise EditRefused(
            msg(
                "Operator {code} is already registered: apply for a usage change "
                "(利用申請（変更）) instead",
                code=spec.code,
            )
        )
    doc = yamldoc.mapping(
        (
            ("code", spec.code),
            ("name", spec.name),
            ("name_kana", spec.name_kana),
            ("roles", yamldoc.sequence(spec.roles, flow=True)),
            ("occto_member", spec.occto_member),
            ("privacy_policy_url", spec.privacy_policy_url),
            ("status", "active"),
            ("systems", yamldoc.sequence(spec.systems, flow=True)),
            ("contacts", yamldoc.sequence(map(contact_map, (spec.primary, *spec.deputies)))),
        )
    )
    if spec.subcontractors:
        subs = (_subcontractor(c, n) for c, n in spec.subcontractors)
        doc["subcontractors"] = yamldoc.sequence(subs)
    draft.create(rel, Kind.OPERATOR, doc)
    draft.note(
        msg(
            "new operator: {code} {name} ({systems})",
            code=spec.code,
            name=spec.name,
            systems=system_names(draft.catalog, spec.systems),
        )
    )


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
    targets.operator(draft, spec.code)
    spec = replace(spec, add_systems=_applicable(draft, spec.add_systems))
    rel = layout.operator_file(spec.code)
    doc = draft.document(rel)
    said: list[Message] = []
    for key, value in (
        ("name", spec.name),
        ("name_kana", spec.name_kana),
        ("privacy_policy_url", spec.privacy_policy_url),
        ("occto_member", spec.occto_member),
    ):
        if value is not None and doc.get(key) != value:
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
            # As held, whatever the case it was typed in (TAXIS for taxis).
            value = next((h for h in held if h.lower() == value.strip().lower()), value)
            if value not in held:
                raise EditRefused(_not_held(spec.code, key, value, held))
            if key == "systems":
                _no_holders(draft, spec.code, value)
            del seq[held.index(value)]
            said.append(
                msg("{field} - {value}", field=FIELDS[key], value=_named(draft, key, value))
            )
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
            )
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
