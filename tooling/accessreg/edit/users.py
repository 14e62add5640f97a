"""Users: the permission set, change and deletion applications (000 §5-1, §5-2, §5-3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from accessreg.edit import targets, yamldoc
from accessreg.edit.draft import Draft, EditRefused
from accessreg.model import Catalog, User, layout
from accessreg.model.layout import Kind

NONE = "none"  # an option value that removes a permission
USER_FIELDS = tuple(User.model_fields)


@dataclass(frozen=True)
class UserSpec:
    """What an application names; None leaves a field as it is."""

    operator: str
    email: str
    name: str | None = None
    name_kana: str | None = None
    affiliation: str | None = None
    memo: str | None = None  # "" removes the memo
    permissions: Mapping[str, str] = field(default_factory=dict)  # system id -> code or NONE


def _applicable_systems(catalog: Catalog) -> list[str]:
    return [s.id for s in catalog.user_systems]


def _check_systems(catalog: Catalog, permissions: Mapping[str, str]) -> None:
    allowed = _applicable_systems(catalog)
    for system_id in permissions:
        if system_id not in allowed:
            raise EditRefused(
                f"{system_id} is not a system one applies for (choose from {', '.join(allowed)})"
            )


def _describe(permissions: Mapping[str, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in permissions.items()) or "no permission"


def add(draft: Draft, spec: UserSpec) -> None:
    """A new user file (利用権限の設定申請)."""
    op = targets.operator(draft, spec.operator)
    email = targets.login_id(spec.email)
    _check_systems(draft.registry.catalog, spec.permissions)
    missing = [
        option
        for option, value in (("--name", spec.name), ("--name-kana", spec.name_kana))
        if not value
    ]
    if missing:
        raise EditRefused(f"a new user needs {' and '.join(missing)}")
    granted = {k: v for k, v in spec.permissions.items() if v != NONE}
    if not granted:
        raise EditRefused("name at least one permission (e.g. --taxis 1011)")
    rel = layout.user_file(op.code, email)
    if draft.exists(rel):
        raise EditRefused(
            f"{email} is already a user of {op.code}: use `accessreg user change` instead"
        )
    order = [s for s in _applicable_systems(draft.registry.catalog) if s in granted]
    doc = yamldoc.mapping(
        (key, value)
        for key, value in (
            ("email", email),
            ("name", spec.name),
            ("name_kana", spec.name_kana),
            ("affiliation", spec.affiliation or op.code),
            ("permissions", yamldoc.mapping((s, yamldoc.code(granted[s])) for s in order)),
            ("memo", spec.memo or None),
        )
        if value is not None
    )
    draft.create(rel, Kind.USER, doc)
    draft.note(f"user added: {email} ({op.code}): {_describe({s: granted[s] for s in order})}")


def change(draft: Draft, spec: UserSpec) -> None:
    """Edit only what the application names (利用権限の変更申請); the rest stays as written."""
    op = targets.operator(draft, spec.operator)
    rel = targets.user_file(draft, op.code, spec.email)
    _check_systems(draft.registry.catalog, spec.permissions)
    doc = draft.document(rel)
    fields: list[str] = []
    for key, value in (
        ("name", spec.name),
        ("name_kana", spec.name_kana),
        ("affiliation", spec.affiliation),
        ("memo", spec.memo),
    ):
        if value is None or doc.get(key) == (value or None):
            continue
        fields.append(key)
        if value:
            yamldoc.put(doc, key, value, USER_FIELDS)
        else:
            doc.pop(key, None)  # only the memo may be emptied; the schema requires the rest
    perms = doc.get("permissions")
    if not isinstance(perms, yamldoc.Document):
        perms = yamldoc.mapping({})
        yamldoc.put(doc, "permissions", perms, USER_FIELDS)
    order = [s.id for s in draft.registry.catalog.systems]
    moves: list[str] = []
    for system_id, code in spec.permissions.items():
        old = perms.get(system_id)
        if code == NONE:
            if system_id in perms:
                del perms[system_id]
                moves.append(f"{system_id} {old} → none")
        elif old != code:
            yamldoc.put(perms, system_id, yamldoc.code(code), order)
            moves.append(f"{system_id} {old or 'none'} → {code}")
    if not perms:
        raise EditRefused(
            f"no permission would be left for {spec.email}: use `accessreg user remove` to "
            "delete the user"
        )
    what = ", ".join(moves + [f"{f} changed" for f in fields])
    draft.note(f"user changed: {doc.get('email', spec.email)} ({op.code}): {what}")


def remove(draft: Draft, operator: str, email: str) -> None:
    """Delete the user's file (利用権限の抹消申請)."""
    op = targets.operator(draft, operator)
    rel = targets.user_file(draft, op.code, email)
    draft.remove(rel)
    draft.note(f"user removed: {email} ({op.code})")
