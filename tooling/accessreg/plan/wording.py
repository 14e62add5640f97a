"""How a plan's items are described in words, shared by the markdown and text renderers.

Each function returns a :class:`Message`; the renderers put it in the run's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from accessreg.model import (
    AdminReissue,
    Approval,
    Catalog,
    Membership,
    RaOfficer,
    SystemSuspension,
)
from accessreg.model.messages import Message, Param, Verbatim, msg
from accessreg.model.terms import (
    contact_role,
    field_name,
    membership_text,
    permission_change_text,
    person,
    role_names,
    system_names,
    value_text,
)
from accessreg.plan.model import (
    LIFTING,
    SUSPENDING,
    AllowedIpChange,
    Application,
    CertificateChange,
    Direction,
    Effect,
    FieldChange,
    Item,
    OperatorChange,
    OperatorPlan,
    Plan,
    SubcontractorChange,
    SuspendedUse,
    UserChange,
    WindowPersonChange,
    comes_stopped,
)
from accessreg.timeline.effective import EVENTS, Effective

SUBJECT_LABELS: dict[str, Message] = {
    "operator": msg("operator"),
    "user": msg("user"),
    "window_person": msg("window person"),
    "subcontractor": msg("subcontractor"),
    "certificate": msg("certificate"),
    "allowed_ip": msg("overseas IP"),
}
_OPERATOR_ACTIONS = {
    "add": msg("registered"),
    "change": msg("changed"),
    "remove": msg("terminated"),
}
_ACTIONS = {"add": msg("added"), "change": msg("changed"), "remove": msg("removed")}
DIRECTION_MARKS = {
    Direction.GRANT: "+",
    Direction.REVOKE: "-",
    Direction.NARROW: "-",
    Direction.NEUTRAL: "~",
}
# Beside an item: a user only stepping down to codes their old ones include is narrowed
# (縮小), a permission taken away removed (削除).
DIRECTIONS = {
    Direction.GRANT: msg("grant"),
    Direction.REVOKE: msg("revoke"),
    Direction.NARROW: msg("narrow"),
    Direction.NEUTRAL: msg("record"),
}


# The seeds' names of the applications, in the reader's language (``Application.label`` is
# the Japanese the mails use).
APPLICATIONS: dict[Application, Message] = {
    Application.USAGE_NEW: msg("usage application (new)"),
    Application.USAGE_CHANGE: msg("usage application (change)"),
    Application.USAGE_END: msg("usage application (end)"),
    Application.PERMISSION_SET: msg("permission setting"),
    Application.PERMISSION_CHANGE: msg("permission change"),
    Application.PERMISSION_DELETE: msg("permission deletion"),
    Application.CERTIFICATE: msg("client certificate registration"),
    Application.OVERSEAS_IP: msg("overseas IP permission"),
    Application.SUSPENSION: msg("suspension or its lifting"),
}


# Over the applications a merge releases (``Plan.released``).
def revoking_note(paths: Verbatim) -> Message:
    """The files with errors of which a plan shows only what they take away."""
    return msg(
        "Files with errors, of which only what they take away is shown: that goes out at "
        "merge, the rest waits until the errors are fixed (see validate): {paths}",
        paths=paths,
    )


RELEASED_HEADING = msg("Applied with this merge")
RELEASED_NOTE = msg(
    "Files held back on main for an error, which this change releases: applied as the "
    "applications that merged them (accepted before, not this pull request's own), from "
    "what downstream systems hold of them"
)


# A suspension application of one kind only, as ``OperatorPlan.label_of`` titles it.
_SUSPENSION_KINDS = {SUSPENDING: msg("suspension"), LIFTING: msg("lifting of a suspension")}


def application_name(app: Application, op: OperatorPlan) -> Message:
    """``app``'s name as ``op`` applies for it, the one the 受付 mail titles it with
    (``OperatorPlan.label_of``: a suspension alone is 利用の停止, its lifting alone 停止解除)."""
    return _SUSPENSION_KINDS.get(op.label_of(app)) or APPLICATIONS[app]


def application(app: Application, op: OperatorPlan) -> Message:
    """``app`` as ``op`` applies for it, with the seed sections it cites there
    (``OperatorPlan.citations``)."""
    name = application_name(app, op)
    seed = op.citations.get(app)
    if not seed:  # a catalog that gives it none
        return name
    return msg("{name} ({seed})", name=name, seed=seed)


def kinds_text(labels: Sequence[str]) -> Message:
    """An application's kinds as the state records them (each an ``Application.label``, the
    seeds' Japanese) in the reader's language; joined with ・ in Japanese, as the mails do."""
    texts = [
        _SUSPENSION_KINDS.get(label)
        or (
            APPLICATIONS[app] if (app := Application.of_label(label)) else msg("{kind}", kind=label)
        )
        for label in labels
    ]
    if not texts:
        return msg("{kind}", kind="")
    joined = texts[-1]
    for text in reversed(texts[:-1]):
        joined = msg("{first} · {rest}", first=text, rest=joined)
    return joined


def action_word(item: Item) -> Message:
    if isinstance(item, OperatorChange):
        return _OPERATOR_ACTIONS[item.shown_action]
    return _ACTIONS[item.action]


def change_text(item: Item) -> Message:
    """What happens to what: "user added"."""
    return msg("{subject} {action}", subject=SUBJECT_LABELS[item.subject], action=action_word(item))


_EVENT_WORDS = {"entered": msg("entry"), "accepted": msg("acceptance"), "merged": msg("merge")}


def events_text(plan: Plan, bold: str = "") -> Message:
    """Which events the dates assume: those known, and those standing in until they happen
    ("assuming acceptance on 2026-12-15"), the acceptance with the business day it counts
    as; and the processing days M its items fall into (``Plan.processing_days``, as the 受付
    mail and ``status`` name them). ``bold`` marks the days (markdown)."""
    events = plan.events
    parts = []
    for event in EVENTS:
        day = Verbatim(f"{bold}{events.of(event).isoformat()}{bold}")
        word = _EVENT_WORDS[event]
        part = (
            msg("assuming {event} on {day}", event=word, day=day)
            if event in events.assumed
            else msg("{event} on {day}", event=word, day=day)
        )
        if event == "accepted" and plan.accepted != events.accepted and not plan.at_once:
            part = msg("{event} (counted as {day}, a business day)", event=part, day=plan.accepted)
        parts.append(part)
    if plan.processing_day is None and plan.at_once:
        # Only suspensions and liftings: taken at once, in no batch (001 p46, 002 §2.4).
        return msg("Dates: {events} · at once, in no processing day's batch", events=tuple(parts))
    days = tuple(Verbatim(f"{bold}{d.isoformat()}{bold}") for d in plan.processing_days)
    if not days:
        # No item processed in an M batch (a deletion, a usage application, an overseas
        # address; OCCTO's systems, which have none): each item has its own date.
        return msg("Dates: {events} · no processing day M", events=tuple(parts))
    if len(days) > 1:
        return msg(
            "Dates: {events} · processing days M {m} (each kind of application counts "
            "from its own day)",
            events=tuple(parts),
            m=days,
        )
    return msg("Dates: {events} · processing day M {m}", events=tuple(parts), m=days)


def effective_text(
    effective: Effective | None, catalog: Catalog, systems: Iterable[str] = ()
) -> Message:
    """When an item takes effect; one after a manual step, after whoever does it for
    ``systems`` (or the systems it waits for), as the catalog names them and the 受付 mail
    says: Tokyo Gas Network's システム運営部門, OCCTO's help desk (001 p13), OCCTO itself for
    its member system (003 §3.1)."""
    if effective is None or effective.start is None:
        return msg("on completion (no schedule in the catalog)")
    if effective.on is None:
        who = catalog.registrars(systems or effective.steps)
        if who and effective.not_before is not None:  # a certificate valid only later (004)
            return msg(
                "after the system operator's manual step ({who}), not before {day}",
                who="・".join(who),
                day=effective.not_before,
            )
        if who:
            return msg("after the system operator's manual step ({who})", who="・".join(who))
        return msg("after the system operator's manual step")
    if effective.start == "processing_day" and effective.processing_day is not None:
        if effective.registered_on is not None:  # registered with its batch, valid later (004)
            return msg(
                "{day} (registered {registered}, M = {m}; usable from the start of its validity)",
                day=effective.on,
                registered=effective.registered_on,
                m=effective.processing_day,
            )
        return msg("{day} (M = {m})", day=effective.on, m=effective.processing_day)
    return msg("{day}", day=effective.on)


def effect_text(effect: Effect, catalog: Catalog) -> Message:
    """A permission's change as the forms name it: the system by its name, each code with
    its label (「託送システム（taxis） 1012（更新権限あり（業務限定あり）） → …」); a code
    kept, whose row changes in the user's own fields, as that (the fields are lines of
    their own)."""
    if effect.fields_only:
        return msg("{system} registration details changed", system=catalog.named(effect.system))
    return permission_change_text(catalog, effect.system, effect.old, effect.new)


_STATUSES = {"active": msg("in use"), "terminated": msg("terminated")}


def _entry(value: object, catalog: Catalog) -> Param:
    """One entry of a list the operator's file holds (a suspension, say), in words."""
    if isinstance(value, SystemSuspension):
        return msg(
            "{system} from {day} ({reason})",
            system=catalog.named(value.system),
            day=value.suspended_on,
            reason=value.reason,
        )
    if isinstance(value, Approval):
        return msg(
            "{system} approved on {day} ({reason})",
            system=catalog.named(value.system),
            day=value.approved_on,
            reason=value.reason,
        )
    if isinstance(value, AdminReissue):
        return msg(
            "{system} {code} issued again on {day} ({reason})",
            system=catalog.named(value.system),
            code=catalog.labelled(value.system, value.code),
            day=value.reissued_on,
            reason=value.reason,
        )
    return msg("{value}", value=str(value))


def _field_value(
    change: FieldChange, value: object, text: str | None, item: Item, catalog: Catalog
) -> Message:
    """A field's value in the reader's words: systems, roles and codes by name, an entry of a
    list in a phrase; anything else as the plan's text of it."""
    if value is None or value == ():
        if change.field == "systems" and isinstance(item, CertificateChange):
            return msg("every system of the operator")  # what an empty list means there
        return value_text(None)
    if change.field == "systems" and isinstance(value, tuple):
        return msg("{value}", value=system_names(catalog, value))
    if change.field == "roles" and isinstance(value, tuple):
        return msg("{value}", value=role_names(value, keyed=False))
    if isinstance(value, tuple):
        return msg("{value}", value=tuple(_entry(v, catalog) for v in value))
    if isinstance(value, Membership):
        return membership_text(value)
    if isinstance(value, RaOfficer):
        return person(value.name, value.email)
    if change.field == "occto_member":
        return msg("member") if value else msg("not a member")
    if change.field == "role" and isinstance(value, str):
        return contact_role(value)
    if change.field == "status" and isinstance(value, str) and value in _STATUSES:
        return _STATUSES[value]
    return value_text(text)


def field_text(change: FieldChange, item: Item, catalog: Catalog) -> Message:
    """A field's change, the field named as the forms name it (フリガナ, not ``name_kana``)."""
    name = field_name(change.field, user=isinstance(item, UserChange))
    if change.personal:
        return msg("{field} changed", field=name)
    return msg(
        "{field} {old} → {new}",
        field=name,
        old=_field_value(change, change.was, change.old, item, catalog),
        new=_field_value(change, change.now, change.new, item, catalog),
    )


def subject_text(item: Item) -> Message:
    """What the item is about, in one line (a name and an e-mail at most)."""
    if isinstance(item, UserChange | WindowPersonChange):
        return person(item.person.name, item.person.email)
    if isinstance(item, OperatorChange | SubcontractorChange):
        return msg("{code} {name}", code=item.code, name=item.name)
    if isinstance(item, CertificateChange):
        return msg(
            "{id} (CN {cn}, serial {serial}, until {end})",
            id=item.id,
            cn=item.cn,
            serial=item.serial,
            end=item.not_after,
        )
    if isinstance(item, AllowedIpChange):
        return msg("{cidr} (until {end})", cidr=item.cidr, end=item.expires_on)
    return msg("{key}", key=item.key)


def detail_texts(item: Item, catalog: Catalog) -> list[Message]:
    """The item's changes: who it is, permissions with their dates, fields, its own date;
    systems, codes and fields named from ``catalog`` as the forms name them."""
    parts = []
    if isinstance(item, UserChange):
        parts.append(
            msg("affiliation {code}", code=item.affiliation)
            if item.affiliation_name is None
            else msg("affiliation {code} {name}", code=item.affiliation, name=item.affiliation_name)
        )
    if isinstance(item, WindowPersonChange):
        parts.append(msg("{role}, GitHub {login}", role=contact_role(item.role), login=item.github))
    parts.extend(
        msg(
            "{change}: {when}",
            change=effect_text(e, catalog),
            when=effective_text(e.effective, catalog, (e.system,)),
        )
        for e in item.effects
    )
    if isinstance(item, OperatorChange | CertificateChange) and (desks := item.part_desks(catalog)):
        parts.append(msg("the part filed with {desks}", desks=tuple(desks)))
    parts.extend(field_text(f, item, catalog) for f in item.fields)
    stopped = comes_stopped(item)
    if stopped is not None:
        parts.append(msg("suspended from {day}: not usable until the suspension is lifted",
                         day=stopped))  # fmt: skip
    if isinstance(item, OperatorChange) and item.ending_users:
        parts.append(msg("access ends for {count} user(s)", count=len(item.ending_users)))
    # A user's own date is a suspension's or its lifting's; other items' are their own.
    own = item.effective is not None if isinstance(item, UserChange) else not item.effects
    if isinstance(item, OperatorChange) and item.suspensions:
        parts.extend(suspended_use_text(u, catalog) for u in item.suspensions)
        own = own and item.application is not Application.SUSPENSION  # each has its day
    if own:
        parts.append(msg("effective {when}", when=effective_text(item.effective, catalog)))
    return parts


def suspended_use_text(use: SuspendedUse, catalog: Catalog) -> Message:
    """An operator's use of a system suspended or lifted, with its own day."""
    system = catalog.named(use.system)
    when = effective_text(use.effective, catalog, (use.system,))
    if use.suspended:
        return msg("{system} suspended: {when}", system=system, when=when)
    return msg("{system} restored: {when}", system=system, when=when)
