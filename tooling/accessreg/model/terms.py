"""The words messages use for the registry's fields and values, as the seeds' forms name them.

A message names a field by its key as written in the file (``name_kana``) and, in words, by
what the application forms call it (フリガナ); a role by its id and its name; a permission by
its system's name and its code's label. The plan and the edits' notes both word them here.
"""

from __future__ import annotations

from accessreg.model.catalog import Catalog
from accessreg.model.messages import Message, msg
from accessreg.model.operator import Membership

ROLES: dict[str, Message] = {
    "gas_retailer": msg("gas retailer"),
    "wheeling_client": msg("wheeling client"),
    "manufacturer": msg("manufacturer"),
    "electricity_retailer": msg("electricity retailer"),
    "demand_response": msg("demand-response contractor"),
}

# By the last key of a data path; the same key means the same thing in every file.
FIELDS: dict[str, Message] = {
    "code": msg("operator code"),
    "affiliation": msg("affiliation (operator or subcontractor code)"),
    "email": msg("e-mail address (login ID)"),
    "name": msg("name"),
    "name_kana": msg("reading (furigana)"),
    "phone": msg("phone number"),
    "github": msg("GitHub account"),
    "role": msg("role of the window person"),
    "roles": msg("operator roles"),
    "privacy_policy_url": msg("privacy policy page"),
    "permissions": msg("permissions"),
    "systems": msg("systems"),
    "contacts": msg("window persons"),
    "serial": msg("certificate serial number"),
    "id": msg("certificate ID"),
    "cn": msg("certificate CN"),
    "medium": msg("certificate medium"),
    "purpose": msg("certificate purpose"),
    "location": msg("where the certificate is installed"),
    "holder": msg("who holds the certificate"),
    "not_before": msg("start of validity"),
    "not_after": msg("end of validity"),
    "cidr": msg("IP address"),
    "reason": msg("reason"),
    "expires_on": msg("expiry date"),
    "status": msg("status"),
    "terminated_on": msg("termination date"),
    "occto_member": msg("OCCTO member or not"),
    "membership": msg("OCCTO membership"),
    "memo": msg("memo"),
    "closed": msg("closed day"),
    "suspended_on": msg("suspended from"),
    "suspensions": msg("suspended systems"),
    "approvals": msg("systems approved without the role"),
    "admin_reissues": msg("admin IDs issued again"),
    "last_inventory": msg("last inventory"),
    "ra_officer": msg("in-house RA officer"),
}


# A user's own fields where the user application form (000 §5-1 ①, §5-2 ①) has a word of its
# own for a key other files share (an operator's or a window person's name).
USER_FIELDS: dict[str, Message] = {
    "name": msg("user name (kanji)"),
    "name_kana": msg("user name (kana)"),
}

# Not a field: a user's login ID written in other letter case, the same ID (000 §5-1 note 3),
# which changes only how the system shows it.
EMAIL_CASE = msg("how the e-mail address is written")


def field_name(key: str, user: bool = False) -> Message:
    """What the forms call the field ``key`` (of a user's file: ``user``), or the key itself."""
    return (user and USER_FIELDS.get(key)) or FIELDS.get(key) or msg("{key}", key=key)


def role_names(roles: tuple[str, ...] | list[str], keyed: bool = True) -> tuple[Message, ...]:
    """Roles by their names, each with the key a file writes (``keyed``: the findings and
    notes on a file) or without it (the plan a reviewer reads: no one types a role's key)."""
    return tuple(
        (msg("{name} ({id})", name=ROLES[r], id=r) if keyed else ROLES[r])
        if r in ROLES
        else msg("{id}", id=r)
        for r in roles
    )


# A window person's role (``contacts[].role``).
CONTACT_ROLES: dict[str, Message] = {"primary": msg("primary"), "deputy": msg("deputy")}


def contact_role(role: str) -> Message:
    return CONTACT_ROLES.get(role) or msg("{role}", role=role)


def person(name: str, email: str) -> Message:
    """A user or a window person: ``木村 花子 <hanako.kimura@…>``."""
    return msg("{name} <{email}>", name=name, email=email)


def value_text(value: str | None) -> Message:
    return msg("(none)") if value is None else msg("{value}", value=value)


def system_names(catalog: Catalog, systems: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Systems by their names on the forms: 「託送システム（taxis）」."""
    return tuple(catalog.named(s) for s in systems)


def code_text(catalog: Catalog, system: str, code: str | None) -> Message:
    """A permission code with its label as the form shows it (「1011（更新権限あり）」, あり)."""
    return value_text(None if code is None else catalog.labelled(system, code))


def permission_text(catalog: Catalog, system: str, code: str) -> Message:
    """A permission held: 「託送システム（taxis） 1011（更新権限あり）」."""
    return msg("{system} {code}", system=catalog.named(system), code=catalog.labelled(system, code))


def permission_change_text(
    catalog: Catalog, system: str, old: str | None, new: str | None
) -> Message:
    """A permission's change: 「託送システム（taxis） 1012（…） → 1010（更新権限なし）」."""
    return msg(
        "{system} {old} → {new}",
        system=catalog.named(system),
        old=code_text(catalog, system, old),
        new=code_text(catalog, system, new),
    )


def membership_text(membership: Membership) -> Message:
    """An operator's OCCTO membership: its status and since when."""
    status = {
        "member": msg("member since {day}", day=membership.member_since or ""),
        "provisional": msg(
            "provisional member since {day}", day=membership.provisional_since or ""
        ),
        "withdrawn": msg("withdrawn on {day}", day=membership.withdrawn_on or ""),
    }
    return status[membership.status]
