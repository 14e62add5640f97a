"""The words messages use for the registry's fields and values, as the seeds' forms name them.

A message names a field by its key as written in the file (``name_kana``) and, in words, by
what the application forms call it (フリガナ); a role by its id and its name.
"""

from __future__ import annotations

from accessreg.model.messages import Message, msg

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
    "occto_member": msg("OCCTO membership"),
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


def field_name(key: str) -> Message:
    """What the forms call the field ``key``, or the key itself."""
    return FIELDS.get(key) or msg("{key}", key=key)


def role_names(roles: tuple[str, ...] | list[str]) -> tuple[Message, ...]:
    return tuple(
        msg("{name} ({id})", name=ROLES[r], id=r) if r in ROLES else msg("{id}", id=r)
        for r in roles
    )
