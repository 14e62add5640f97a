"""Users: the permission set, change and deletion applications (000 §5-1, §5-2, §5-3)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from accessreg.edit import targets, yamldoc
from accessreg.edit.draft import BadValueError, Draft, EditRefused, UnknownOperatorError
from accessreg.files.schemacheck import full_width_at, in_half_width
from accessreg.model import Catalog, User, layout
from accessreg.model.layout import Kind
from accessreg.model.messages import Message, msg
from accessreg.model.registry import Registry, admin_change, admin_leaves, suspended_handovers
from accessreg.model.terms import field_name, permission_change_text, permission_text, person

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

    def __post_init__(self) -> None:
        targets.spaced(self, *targets.NAMES)


@dataclass(frozen=True)
class FormerAdmin:
    """The admin who gives up an admin ID (issued once, 002 §3.2.1) to the application's
    user, in the same application: the change of admin (002 §3.2.2)."""

    email: str
    # The code they keep on that system; None: their ID is deleted (抹消); NONE: only that
    # system's permission goes.
    keeps: str | None = None


def _applicable_systems(catalog: Catalog) -> list[str]:
    return [s.id for s in catalog.user_systems]


def _check_systems(catalog: Catalog, permissions: Mapping[str, str]) -> None:
    targets.systems(permissions, _applicable_systems(catalog), catalog)


def _describe(catalog: Catalog, permissions: Mapping[str, str]) -> Message:
    """The permissions as the forms name them (「託送システム（taxis） 1011（更新権限あり）」)."""
    return msg("{list}", list=tuple(permission_text(catalog, s, c) for s, c in permissions.items()))


def add(draft: Draft, spec: UserSpec, replaces: FormerAdmin | None = None) -> None:
    """A new user file (利用権限の設定申請); with ``replaces``, the admin it takes the admin
    ID over from (``give_up``), whose part is made first so that this one reads as the
    change of admin it is (002 §3.2.2)."""
    if replaces is not None:
        give_up(draft, spec, replaces)
    _check_systems(draft.catalog, spec.permissions)
    missing = [
        option
        for option, value in (("--name", spec.name), ("--name-kana", spec.name_kana))
        if not value
    ]
    if missing:
        raise BadValueError(msg("A new user needs {fields}: fill them in", fields=tuple(missing)))
    granted = {k: v for k, v in spec.permissions.items() if v != NONE}
    if not granted:
        raise BadValueError(msg("Choose at least one permission for the new user"))
    # Every mistake of the application at once: a full-width ＠ or a name in half-width kana
    # is found in the file by the validation of the edit, beside what its operator's files
    # say of it; the operator decides only what depends on it.
    email = targets.file_name(spec.email)
    order = [s for s in _applicable_systems(draft.catalog) if s in granted]
    code, refused = _operator_meant(draft, spec.operator)
    doc = yamldoc.mapping(
        (key, value)
        for key, value in (
            ("email", email),
            ("name", spec.name),
            ("name_kana", spec.name_kana),
            ("affiliation", spec.affiliation or code),
            ("permissions", yamldoc.mapping((s, yamldoc.code(granted[s])) for s in order)),
            ("memo", spec.memo or None),
        )
        if value is not None
    )
    rel = layout.user_file(code or spec.operator.strip(), email)
    if code is None:  # no operator: what the values given are worth on their own
        assert refused is not None
        refused.problems = draft.alone(rel, Kind.USER, doc)
        raise refused
    op = targets.operator(draft, code)
    if refused is not None:
        draft.mistaken(rel, "user-operator-unknown", refused)
    if draft.exists(rel):
        raise EditRefused(
            msg(
                "{email} is already a user of {code}: apply for a permission change "
                "(利用権限の変更申請) instead",
                email=email,
                code=op.code,
            )
        )
    draft.create(rel, Kind.USER, doc)
    _lifts_no_suspension(draft, op.code, rel, granted)
    described = _describe(draft.catalog, {s: granted[s] for s in order})
    who = person(spec.name or "", email)

    def worded() -> Message:
        if _admin_side(draft, op.code, granted, admin_change):
            return msg(
                "new user taking over the admin ID: {user} ({code}): {permissions}",
                user=who,
                code=op.code,
                permissions=described,
            )
        return msg(
            "new user: {user} ({code}): {permissions}",
            user=who,
            code=op.code,
            permissions=described,
        )

    draft.note(worded)


def _operator_code(draft: Draft, code: str) -> str:
    return targets.operator(draft, code).code


def _operator_meant(
    draft: Draft, code: str, resolve: Callable[[Draft, str], str] = _operator_code
) -> tuple[str | None, UnknownOperatorError | None]:
    """The operator an application's ``code`` is for, as ``resolve`` finds it (an active
    operator; ``targets.revoking_from`` for one that only takes access away), and the
    refusal of the code as it is written: the code itself and None; the operator it spells
    in another case or width (``targets.meant``) and the refusal, the checks that depend on
    the operator still run against it; None and the refusal when it names no operator."""
    try:
        return resolve(draft, code), None
    except UnknownOperatorError as exc:
        meant = targets.meant(draft, code)
        return (resolve(draft, meant) if meant is not None else None), exc


def _admin_side(
    draft: Draft,
    code: str,
    permissions: Mapping[str, str],
    side: Callable[[Registry, Registry, str, Mapping[str, str]], bool],
) -> bool:
    """Whether a user of ``code`` with ``permissions`` (given, or held before a deletion) is
    one side of a change of admin in the edit as a whole, as the plan will read it
    (``registry.admin_change``, ``admin_leaves``): only an issued-once code asks for the
    registries."""
    if not any(draft.catalog.issued_once(s, c) for s, c in permissions.items()):
        return False
    before, after, _ = draft.around(draft.changed())
    return after is not None and side(before, after, code, permissions)


def _lifts_no_suspension(draft: Draft, code: str, rel: str, permissions: Mapping[str, str]) -> None:
    """Refused when the edit hands the admin ID of a suspended admin on to the user of
    ``rel``, given ``permissions`` (``registry.suspended_handovers``): the ID would go on
    unsuspended, a lifting only the system's operator decides and only a maintainer files
    (``authorize``'s maintainer-fields), told here before anything else is judged."""
    if not any(draft.catalog.issued_once(s, c) for s, c in permissions.items()):
        return
    before, after, _ = draft.around(draft.changed())
    entry = next((u for u in after.users if u.file == rel), None) if after else None
    if after is None or entry is None:
        return  # a registry that does not load: the validation says why
    for handover in suspended_handovers(before, after, code, entry.user):
        former = handover.former
        raise EditRefused(
            msg(
                "The admin to be replaced, {former}, is suspended (since {since}; {file}): "
                "handing their admin ID on {system} ({perm}) to {email} would lift the "
                "suspension, which only the system's operator decides (001 p46). Have it lift "
                "the suspension first, or ask the reception centre to file this change of "
                "admin (--replaces-admin; on the user forms: 交代する管理者のメールアドレス)",
                former=former.email,
                since=str(former.suspended_on),
                file=f"{draft.label}/{layout.user_file(code, former.email)}",
                system=draft.catalog.named(handover.system),
                perm=handover.perm,
                email=entry.user.email,
            )
        )


def give_up(draft: Draft, spec: UserSpec, former: FormerAdmin) -> None:
    """The former admin's part of a change of admin (002 §3.2.2), made before the new
    admin's (``add`` or ``change`` with ``spec``), in the same application: one call for the
    forms and the command line. Their ID deleted, or kept with the code ``former.keeps`` on
    the system whose admin ID ``spec`` gives to another. Refused, naming the admin who holds
    it now, when ``former`` is no user of the operator (or another operator's) or holds no
    admin ID ``spec`` gives."""
    op = targets.operator(draft, spec.operator)
    try:
        rel = targets.user_file(draft, op.code, former.email)
    except EditRefused:
        why = _not_a_user(op.code, former)
        raise _not_replaceable(draft, op.code, spec, former, why) from None
    held = None if former.email.lower() == spec.email.lower() else draft.user(rel)
    handed = [
        system_id
        for system_id, code in spec.permissions.items()
        if draft.catalog.issued_once(system_id, code)
        and held is not None
        and held.user.permissions.get(system_id) == code
    ]
    if not handed:
        why = msg(
            "{former} holds no admin ID this application gives {email} ({file}): name the "
            "current admin, and give the new one that admin's code",
            former=former.email,
            email=spec.email,
            file=f"{draft.label}/{rel}",
        )
        raise _not_replaceable(draft, op.code, spec, former, why)
    if former.keeps is None:
        remove(draft, op.code, former.email)
        return
    change(draft, UserSpec(op.code, former.email, permissions={handed[0]: former.keeps}))


def _not_a_user(code: str, former: FormerAdmin) -> Message:
    """Why ``former``, no user of ``code``, cannot be the admin replaced: whether another
    operator holds the ID is that operator's to know, not the filer's (as user change and
    user remove say of an ID that is not theirs)."""
    return msg(
        "{code} has no user {former} to replace as admin: check the e-mail address of the "
        "admin who holds the admin ID now",
        code=code,
        former=former.email,
    )


def _not_replaceable(
    draft: Draft, code: str, spec: UserSpec, former: FormerAdmin, why: Message
) -> EditRefused:
    """The refusal of ``former`` as the admin ``spec``'s user replaces, saying ``why`` and
    which users of ``code`` hold the admin IDs ``spec`` gives now, if any do: whom to name."""
    given = {(s, c) for s, c in spec.permissions.items() if draft.catalog.issued_once(s, c)}
    holders = tuple(
        sorted(
            u.user.email
            for u in draft.users_of(code)
            if u.user.email.lower() not in (spec.email.lower(), former.email.strip().lower())
            and any(u.user.permissions.get(s) == c for s, c in given)
        )
    )
    if not holders:
        return EditRefused(why)
    return EditRefused(
        msg("{why} (the admin ID's holder now: {holders})", why=why, holders=holders)
    )


def change(draft: Draft, spec: UserSpec, replaces: FormerAdmin | None = None) -> None:
    """Edit only what the application names (利用権限の変更申請); the rest stays as written.
    With ``replaces``, the admin it takes the admin ID over from (``give_up``, first, as for
    ``add``)."""
    if replaces is not None:
        give_up(draft, spec, replaces)
    _check_systems(draft.catalog, spec.permissions)
    # Every mistake at once, as for ``add``: a code or a login ID in another case or width
    # can mean only one operator and one user, whose file is changed and checked as it will
    # be; the values as written are refused beside what that check finds.
    code, refused = _operator_meant(draft, spec.operator)
    if code is None:  # no operator, so no file to change: nothing else can be judged
        assert refused is not None
        raise refused
    op = targets.operator(draft, code)
    rel = looked_up(draft, op.code, spec.email, refused)
    doc = draft.document(rel)
    fields: list[str] = []
    for key, value in (
        ("name", spec.name),
        ("name_kana", spec.name_kana),
        ("affiliation", spec.affiliation),
        ("memo", spec.memo),
    ):
        if value is None or targets.compared(key, doc.get(key)) == (value or None):
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
    order = [s.id for s in draft.catalog.systems]
    # Taking away what the user does not hold is a mistake to tell (a system or a user
    # mixed up), as every other removal of what the registry does not hold is.
    absent = [s for s, code in spec.permissions.items() if code == NONE and s not in perms]
    if absent:
        raise EditRefused(
            msg(
                "{email} holds no permission of {systems} to remove: check the user and "
                "the systems to remove",
                email=spec.email,
                systems=tuple(draft.catalog.named(s) for s in absent),
            )
        )
    moves: list[Message] = []
    for system_id, code in spec.permissions.items():
        old = perms.get(system_id)
        was = None if old is None else str(old)
        if code == NONE:
            if system_id in perms:
                del perms[system_id]
                moves.append(permission_change_text(draft.catalog, system_id, was, None))
        elif old != code:
            yamldoc.put(perms, system_id, yamldoc.code(code), order)
            moves.append(permission_change_text(draft.catalog, system_id, was, code))
    if not perms:
        raise EditRefused(
            msg(
                "No permission would be left for {email}: apply for a permission deletion "
                "(利用権限の抹消申請) instead",
                email=spec.email,
            )
        )
    _lifts_no_suspension(draft, op.code, rel, spec.permissions)
    what = (*moves, *(msg("{field} changed", field=field_name(f, user=True)) for f in fields))
    draft.note(
        msg(
            "user change: {user} ({code}): {what}",
            user=person(str(doc.get("name", "")), str(doc.get("email", spec.email))),
            code=op.code,
            what=what,
        )
    )


def remove(draft: Draft, operator: str, email: str) -> None:
    """Delete the user's file (利用権限の抹消申請); a code or a login ID in another case or
    width is told as ``change`` tells it, beside the other."""
    code, refused = _operator_meant(draft, operator, targets.revoking_from)
    if code is None:
        assert refused is not None
        raise refused
    rel = looked_up(draft, code, email, refused)
    who = _named(draft, rel, email)
    entry = draft.user(rel)
    held = dict(entry.user.permissions) if entry is not None else {}
    draft.remove(rel)

    def worded() -> Message:
        if _admin_side(draft, code, held, admin_leaves):
            return msg("admin leaving in a change of admin: {user} ({code})", user=who, code=code)
        return msg("user deletion: {user} ({code})", user=who, code=code)

    draft.note(worded)


def looked_up(
    draft: Draft, code: str, email: str, refused: UnknownOperatorError | None = None
) -> str:
    """The file of the user ``email`` names of the operator ``code`` (``targets.user_file``),
    its operator's code as written ``refused`` (``_operator_meant``) if it was; an ID written
    in another width than the file's (a full-width ＠) is told as the mistake it is, on the
    file's e-mail, in ``validate``'s words, while the application's other values are checked."""
    rel = targets.user_file(draft, code, email)
    if refused is not None:
        draft.mistaken(rel, "user-operator-unknown", refused)
    written = email.strip()
    narrow = unicodedata.normalize("NFKC", written)
    if narrow != written:
        wrong = full_width_at(written, written) or in_half_width(written, narrow)
        draft.mistaken(rel, "schema", BadValueError(wrong), ("email",))
    return rel


def _named(draft: Draft, rel: str, email: str) -> Message:
    """The user of ``rel`` as the deletion form names them: 氏名 and the e-mail, as the file
    writes them, and nothing more. Nothing delays a deletion: a file that does not load (a
    forced merge broke it) is named by the e-mail asked for, and none of its text is shown."""
    entry = draft.user(rel)
    if entry is None:
        return msg("{value}", value=email)
    return person(entry.user.name, entry.user.email)
