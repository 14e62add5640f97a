"""Which notices a run owes, with what they say: pure, from merges, plans and the state.

- 受付 (acceptance) to the operator's window persons: each accepted item with its start or
  end date (000 §5-1 ②, §4-2 ②, §3-1 ③);
- to a window person who was removed: the day their permission-management ID ends, where
  they held one;
- 利用開始周知 / 手続き完了通知 after an import is confirmed, per system, with the progress of
  the application in the seed's terms (000 §5-1 ⑦⑧⑫, §3-1 ⑥), and for each ID a later
  batch already removes or changes, that removal or change (``coming``);
- to each new window person, once the permission-management system has imported them, the
  手続き完了通知: for a new usage application the four items of 000 §3-1 ⑥ (the approved
  application, the info-sharing site's URL, their ID — their e-mail —, and the note on
  sending personal data by mail); for a change, their ID (000 §3-2 ⑥);
- to the reviewers, what a run held back because of an error at HEAD (``holding``), once
  per distinct set of errors.

The operator's notices go to its window persons of the day they are sent (``Addressing``):
a change of them comes on the day its items are dated, as every output dates it, and until
then the persons before it receive them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, NotRequired, TypedDict

from accessreg import i18n
from accessreg.model import Catalog, Contact, Operator, System
from accessreg.model.changes import ChangeKind
from accessreg.model.mail import COMPLETED, Addressing, Notice, Recipient
from accessreg.model.messages import Message
from accessreg.model.registry import Registry
from accessreg.model.terms import (
    EMAIL_CASE,
    contact_role,
    field_name,
    membership_text,
    role_names,
)
from accessreg.plan import (
    AllowedIpChange,
    Application,
    CertificateChange,
    Effect,
    Item,
    OperatorChange,
    OperatorPlan,
    SubcontractorChange,
    UserChange,
    WindowPersonChange,
    processing_days_of,
)
from accessreg.plan.model import comes_stopped, suspension_label, withdrawal_of
from accessreg.plan.waits import Removal, removals
from accessreg.plan.wording import field_text
from accessreg.provision.holding import Hold
from accessreg.provision.merges import Step, application_id, own_dates
from accessreg.provision.state import REGISTERED, ApplicationRecord, BatchRecord, ItemDates, State
from accessreg.timeline.effective import AT_ONCE_KINDS, Effective, registered

DONE, NOT_DONE, NOT_NEEDED = "済", "未済", "（不要）"
# Certificates and addresses a later application removed before they were to be usable
# (``registration_status``): neither registered for use nor still to come.
REMOVED_LATER = "（後の申請で削除）"
IN_PROGRESS, COMPLETE = "処理中", "処理完了"

KIND_LABELS = {
    ChangeKind.ADD: "設定",
    ChangeKind.CHANGE: "変更",
    ChangeKind.REMOVE: "抹消",
    ChangeKind.SUSPEND: "停止",
    ChangeKind.RESTORE: "停止解除",
}
# The application a row amounts to where no plan names it (``kinds``); a suspension's rows
# are named together, by what they do (``suspension_label``).
KIND_APPLICATIONS = {
    ChangeKind.ADD: "利用権限の設定申請",
    ChangeKind.CHANGE: "利用権限の変更申請",
    ChangeKind.REMOVE: "利用権限の抹消申請",
}
_WHEN_LABELS = {
    ChangeKind.ADD: "利用開始",
    ChangeKind.CHANGE: "変更適用",
    ChangeKind.REMOVE: "利用終了",
    ChangeKind.SUSPEND: "利用停止",
    ChangeKind.RESTORE: "利用再開",
}
_ACTIONS = {"add": "追加", "change": "変更", "remove": "削除"}
_OPERATOR_ACTIONS = {"add": "新規登録", "change": "登録内容の変更", "remove": "利用終了"}

ADMIN_CONSOLE_KIND = "window_persons"


def pending_text(catalog: Catalog, effective: Effective | None, systems: Iterable[str]) -> str:
    """An item with no date yet: after the registration work of whoever does it for
    ``systems`` (Tokyo Gas Network's システム運営部門, 000 §5-1 ⑨; OCCTO's help desk, 001
    p13; OCCTO itself for its member system, 003 §3.1), as the catalog names them."""
    after = (
        "登録作業" if effective is None or effective.start is None else _work_of(catalog, systems)
    )
    # A certificate valid only later is in effect from that day, whenever the step is done.
    floor = f"、{effective.not_before} 以降" if effective and effective.not_before else ""
    return f"{after}完了後{floor}（完了時にお知らせします）"


def _work_of(catalog: Catalog, systems: Iterable[str]) -> str:
    """The registration work of whoever does it for ``systems`` (``pending_text``)."""
    who = catalog.registrars(systems)
    return "・".join(who) + "の作業" if who else "登録作業"


def _code_text(system: System | None, code: str | None) -> str:
    """A permission as the seed's form shows it: 「1011（更新権限あり）」, or あり / なし."""
    if code is None:
        return "なし"
    return system.labelled(code).shown("ja") if system is not None else code


def _user_field(key: str) -> str:
    """A user's own field, a cell of each system's row, as the form names it; the e-mail
    of a user's file changes only in letter case (the file is named by it in lower case)."""
    return i18n.text(EMAIL_CASE if key == "email" else field_name(key, user=True), "ja")


class ChangeLine(TypedDict):
    """One line of a person's changes in the 受付 mail (``mail-accepted-people.txt.j2``):
    the template reads every key, so each line has each."""

    system_name: str
    action: str
    code_text: str
    when_label: str
    when: date | None
    pending: str | None  # the step the date waits for, where it has none yet
    waits: bool  # dated when a permission applied before comes (``plan.waits``)
    after: str  # why it counts from a registration still to come (``_REGISTRATION_FIRST``)
    again: list[tuple[date, str]] | None  # the days a change applied before comes, its code
    ends: date | None  # stopped until a removal applied before
    stopped: date | None  # a code set or changed on a suspended ID comes stopped from then
    stops: NotRequired[bool]  # a suspension's line: it stops (else lifts)


# Why a permission's line counts from a registration still to come, not from this
# application (``Dates.permission``): the window person files it once that is done.
_REGISTRATION_FIRST = {
    "registered": "（利用申請（新規）の手続き完了後の申請となるため、完了予定日から数えます）",
    "taken_up": "（必要なシステム・事業者区分を登録する利用申請の手続き完了後の申請となるため、"
    "完了予定日から数えます）",
}


def _effect_line(
    catalog: Catalog, effect: Effect, fields: tuple[str, ...] = (), stopped: date | None = None
) -> ChangeLine:
    """A permission's line of the 受付 mail; a code kept, whose row changes in the user's
    own ``fields``, as a change of the registration (「登録内容の変更（申請メモ）」), no code.
    ``stopped``: the day the ID's suspension, which this item neither makes nor lifts,
    counts from: a code set or changed on it comes stopped (its rows say 停止中, 001 p46)."""
    system = catalog.by_id.get(effect.system)
    if effect.fields_only:
        named = "・".join(_user_field(f) for f in fields)
        action, label = f"登録内容の変更（{named}）" if named else "登録内容の変更", "変更適用"
        code_text = ""
    elif effect.old is None:
        action, label = "設定", "利用開始"
        code_text = _code_text(system, effect.new)
    elif effect.new is None:
        action, label = "抹消", "利用終了"
        code_text = _code_text(system, effect.old)
    else:
        action, label = "変更", "変更適用"
        code_text = f"{_code_text(system, effect.old)} → {_code_text(system, effect.new)}"
    return {
        "system_name": catalog.named(effect.system).japanese,
        "action": action,
        "code_text": code_text,
        "when_label": label,
        "when": effect.effective.on,
        "pending": pending_text(catalog, effect.effective, (effect.system,)),
        "waits": effect.effective.waits,
        "after": _REGISTRATION_FIRST.get(effect.effective.key or "", ""),
        "again": None,
        "ends": None,
        "stopped": stopped if effect.new is not None else None,
    }


def _when(catalog: Catalog, effective: Effective | None) -> str | None:
    if effective is None or effective.start is None:
        return None
    if effective.on is None:
        return pending_text(catalog, effective, effective.steps)
    if effective.registered_on is not None:  # registered with its batch, valid later (004)
        registered = f"登録は {effective.registered_on}、ご利用は有効期間の開始日から"
        return f"{effective.on} 以降（{registered}）"
    return f"{effective.on} 以降"


def _what_changes(item: OperatorChange, catalog: Catalog) -> str:
    """What a usage change does to the membership, the roles and the systems used, as the
    window person filed it: 「（広域機関の会員資格: 2026-12-25 に退会、利用をやめるシステム:
    …）」."""
    was, now = item.before, item.after
    if item.action != "change" or was is None or now is None:
        return ""
    said = []
    if now.membership is not None and now.membership != was.membership:
        said.append(f"広域機関の会員資格: {i18n.text(membership_text(now.membership), 'ja')}")
    for label, roles in (
        ("追加する事業者区分", item.added_roles),
        ("外す事業者区分", item.given_up_roles),
    ):
        if roles:
            names = "・".join(i18n.text(r, "ja") for r in role_names(roles, keyed=False))
            said.append(f"{label}: {names}")
    for label, systems in (
        ("利用を始めるシステム", [s for s in now.systems if s not in was.systems]),
        ("利用をやめるシステム", [s for s in was.systems if s not in now.systems]),
    ):
        if systems:
            names = "・".join(
                catalog.by_id[s].name_ja if s in catalog.by_id else s for s in systems
            )
            said.append(f"{label}: {names}")
    if desks := item.part_desks(catalog):  # one desk's part of a change filed with several
        said.append(f"受付窓口: {'・'.join(desks)}")
    return f"（{'、'.join(said)}）" if said else ""


def _operator_item(item: Item, catalog: Catalog) -> dict[str, Any] | None:
    """One line for an operator-level item of a plan; users are listed apart."""
    action = _ACTIONS[item.action]
    if item.application is Application.SUSPENSION and isinstance(item, CertificateChange):
        action = "利用停止" if item.after and item.after.suspended_on else "停止解除"
    if isinstance(item, OperatorChange):
        text = f"{item.application.label}: {_OPERATOR_ACTIONS[item.shown_action]}"
        text += _what_changes(item, catalog)
        if item.ending_users:
            text += f"（{len(item.ending_users)} 名の利用権限が抹消されます）"
        was, now = item.before, item.after
        if was is not None and now is not None and was.code != now.code:
            # A provisional key that received its code (003 §2.2, ``plan.issued``).
            text += f"（事業者コード {was.code} → {now.code}、利用者の ID は変わりません）"
    elif isinstance(item, WindowPersonChange):
        text = f"システム窓口責任者の{action}: {item.person.name}（{item.person.email}）"
        # The role it takes or changes to, as the plan says it (副担当 → 正担当).
        role = next((f for f in item.fields if f.field == "role"), None)
        if role is not None:
            text += f"（{_role(role.was)} → {_role(role.now)}）"
        elif item.action == "add":
            text += f"（{_role(item.role)}）"
    elif isinstance(item, SubcontractorChange):
        text = f"委託先事業者の{action}: {item.name}（{item.code}）"
    elif isinstance(item, CertificateChange):
        text = (
            f"クライアント証明書の{action}: 証明書ID {item.id}、CN {item.cn}、"
            f"有効期限 {item.not_after}"
        )
        text += _fields_changed(item, catalog)
        if desks := item.part_desks(catalog):  # one provider's registration of several
            text += f"（受付窓口: {'・'.join(desks)}）"
        stopped = comes_stopped(item)
        if stopped is not None:  # no whitelist lets it in
            text += f"（{stopped} から利用停止: 停止解除の申請まで接続に使えません）"
    elif isinstance(item, AllowedIpChange):
        text = f"海外から接続する IP アドレスの{action}: {item.cidr}、有効期限 {item.expires_on}"
        text += _fields_changed(item, catalog)
    else:
        return None
    return {"text": text, "when": _when(catalog, item.effective)}


def _fields_changed(item: CertificateChange | AllowedIpChange, catalog: Catalog) -> str:
    """What a change of a certificate or an address changes, as the plan says it
    (「（利用システム … → …）」); a suspension's day has a line of its own."""
    if item.action != "change":
        return ""
    said = [
        i18n.text(field_text(f, item, catalog), "ja")
        for f in item.fields
        if f.field != "suspended_on"
    ]
    return f"（{'、'.join(said)}）" if said else ""


# The applications whose users' dates a provider's standard schedule gives (000 §5-1 to
# §5-3), which its ``schedule_note`` is said of.
_PERMISSIONS = frozenset(
    {Application.PERMISSION_SET, Application.PERMISSION_CHANGE, Application.PERMISSION_DELETE}
)


def _scheduled(items: Sequence[Item]) -> tuple[str, ...]:
    """The systems whose users' dates the acceptance notice of ``items`` announces counted
    from a processing day M (a new user's, 000 §5-1; a JUJU or LOACUS change, §5-2): the
    standard schedule that may slip. A termination's day is the operator's, a TAXIS change
    or a suspension is at once: no schedule of the section is said of those."""
    found = {
        e.system
        for i in items
        if isinstance(i, UserChange) and i.application in _PERMISSIONS
        for e in i.effects
        if e.effective.processing_day is not None
    }
    return tuple(sorted(found))


def _role(role: object) -> str:
    """A window person's role in the mails' words (正担当, 副担当)."""
    return _words(contact_role(str(role)))


def _operator_lines(item: Item, catalog: Catalog) -> list[dict[str, Any]]:
    """The lines of an operator-level item: each system whose use it suspends or lifts the
    suspension of, on its own day, and the item's own line unless that is all it does."""
    lines = []
    if isinstance(item, OperatorChange):
        for use in item.suspensions:
            what = "停止" if use.suspended else "停止解除"
            name = catalog.named(use.system).japanese
            when = _when(catalog, use.effective)
            lines.append({"text": f"システム利用の{what}: {name}", "when": when})
        if lines and item.application is Application.SUSPENSION:
            return lines
    line = _operator_item(item, catalog)
    return [line, *lines] if line is not None else lines


def _suspension_lines(
    catalog: Catalog,
    item: UserChange,
    dated: Callable[[str, str], Stopped | None],
    ending: Callable[[str, date], list[Removal]],
) -> list[ChangeLine]:
    """A user's ID suspended or its suspension lifted (001 p46): every system it holds
    stops or starts again on the day its row of the import files takes effect (``dated``:
    the item's own day, or the day the user's entry or a system new to them comes,
    ``Step.effective``), on the code downstream holds that day, and says the day a change
    applied before comes, into the registry's code, which keeps it (``Step.stop``). A
    suspension stops at once, too, what a removal applied before still takes away
    (``ending``), until the removal's day, after each change of it still to come: a
    system new to them from the day such a change grants it (``Removal.since``)."""
    own, now = item.effective, item.after
    if not item.stops_or_starts or own is None or now is None:
        return []
    kind = ChangeKind.SUSPEND if now.suspended_on is not None else ChangeKind.RESTORE
    login = item.person.email.lower()
    lines: list[ChangeLine] = []
    removed = ending(login, own.on) if kind is ChangeKind.SUSPEND and own.on else []
    codes: dict[str, tuple[str, Removal | None]] = {
        s: (c, None) for s, c in now.permissions.items()
    }
    codes.update({r.system: (r.code, r) for r in removed if r.system not in now.permissions})
    for system, (code, ends) in sorted(codes.items()):
        shown = catalog.by_id.get(system)
        if ends is not None:
            told = [(day, _code_text(shown, brings)) for day, brings in ends.through]
            code_text, when, pending = _code_text(shown, code), ends.since or own.on, None
            waits = ends.since is not None  # a system new to them: from the day it comes
            again = told or None
        else:
            on, coming, held = dated(system, login) or (own, (), None)
            code_text, when = _code_text(shown, held or code), on.on
            pending, waits = pending_text(catalog, on, (system,)), on.waits
            again = [(day, _code_text(shown, brings or code)) for day, brings in coming] or None
        line: ChangeLine = {
            "system_name": catalog.named(system).japanese,
            "action": KIND_LABELS[kind],
            "code_text": code_text,
            "when_label": _WHEN_LABELS[kind],
            "when": when,
            "pending": pending,
            "waits": waits,
            "after": "",
            "again": again,
            "ends": ends.on if ends else None,
            "stopped": None,  # the line itself stops or lifts
            "stops": kind is ChangeKind.SUSPEND,
        }
        lines.append(line)
    return lines


# A suspension's row: when it takes effect, the days it is told again, each with the code
# a change applied before brings then (None: the registry's), and the code it stops or
# starts until the first, where the registry's is still to come (``Step.stop``).
Stopped = tuple[Effective, tuple[tuple[date, str | None], ...], str | None]


@dataclass(frozen=True)
class _People:
    """The users an acceptance notice lists, each made as the template reads it: a first
    apply's 3,829 notices list every user, and their lines (190 MB at 200,000 users)
    were held until the last mail was written. The changes they are made from are held
    by the run anyway."""

    catalog: Catalog
    operator: Operator
    items: tuple[UserChange, ...]  # those with effects or a suspension's own date
    # (system, login) → the day its suspension's row takes effect (``Step.effective``),
    # the day a change applied before comes, which keeps it, and the code held until then
    # (``Step.stop``)
    dated: Callable[[str, str], Stopped | None]
    # login, the suspension's day → what a removal applied before still takes away after
    # it, stopped at once (``plan.waits.removals``)
    ending: Callable[[str, date], list[Removal]]
    # Those whose IDs the usage change or withdrawal ends while their files are held back
    # for an error (``Step.given_up``): no item of theirs, each line as an item's.
    ended: tuple[dict[str, Any], ...] = ()

    def __len__(self) -> int:
        return len(self.items) + len(self.ended)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        # An operator's users share a few systems, codes and dates: each line is made once
        # (the template only reads it), not once for each of 678,838 in a first apply.
        lines: dict[tuple[object, ...], ChangeLine] = {}
        for item in self.items:
            changes: list[ChangeLine] = []
            fields = tuple(f.field for f in item.fields)
            stopped = comes_stopped(item)
            for e in item.effects:
                own = fields if e.fields_only else ()
                key = (e.system, e.old, e.new, e.effective, own, stopped)
                line = lines.get(key)
                if line is None:
                    line = lines[key] = _effect_line(self.catalog, e, fields, stopped)
                changes.append(line)
            yield {
                "name": item.person.name,
                "email": item.person.email,
                "affiliation_name": self.operator.affiliation_name(item.affiliation)
                or item.affiliation,
                "changes": changes + _suspension_lines(self.catalog, item, self.dated, self.ending),
            }
        yield from self.ended


def _people(step: Step, code: str, operator: Operator, items: list[UserChange]) -> _People:
    """The users an acceptance lists: those whose permissions change, and those whose ID
    is suspended or lifted (the only own date a user's item has), each system's suspension
    on the day its row takes effect."""
    listed = tuple(i for i in items if i.effects or i.effective is not None)
    rows = {(c.system, c.person.login): c for c in step.changes_of(code) if c.kind in AT_ONCE_KINDS}

    def dated(system: str, login: str) -> Stopped | None:
        change = rows.get((system, login))
        if change is None:
            return None
        on, stopped = step.effective(change), step.stop(change)
        if stopped.again is None or on.on is None or stopped.again <= on.on:
            return on, (), None
        through = tuple((d, c) for d, c in stopped.through if on.on < d < stopped.again)
        return on, (*through, (stopped.again, None)), stopped.held

    catalog = step.after.catalog
    ended: dict[str, dict[str, Any]] = {}
    for change, effect in step.given_up_of(code):
        held = change.before
        assert held is not None  # a removal: ``Step.given_up_of``
        person = ended.setdefault(held.login, {
            "name": held.name, "email": held.email,
            "affiliation_name": held.affiliation_name, "changes": [],
        })  # fmt: skip
        person["changes"].append(_effect_line(catalog, effect))
    return _People(
        catalog, operator, listed, dated, partial(removals, step.waits), tuple(ended.values())
    )


def _operator(step: Step, code: str) -> Operator | None:
    """The operator as the merge left it, or as it was if the merge removed its file."""
    entry = step.after.operators.get(code) or step.before.operators.get(code)
    return entry.operator if entry else None


@dataclass(frozen=True)
class Accepted:
    """One operator's application in one merge, and what the state keeps of it."""

    record: ApplicationRecord
    step: Step


def kinds(step: Step, code: str) -> tuple[str, ...]:
    plan = step.plan_of(code)
    if plan is not None and plan.applications:
        return tuple(plan.label_of(app) for app in plan.applications)
    changes = step.changes_of(code)
    # Without a plan (a catalog change that stops what a derived system holds), the rows
    # say whether it stops, lifts, or both, as a plan's items would.
    stops = [c.kind is ChangeKind.SUSPEND for c in changes if c.kind in AT_ONCE_KINDS]
    found = dict.fromkeys(
        suspension_label(stops) if c.kind in AT_ONCE_KINDS else KIND_APPLICATIONS[c.kind]
        for c in changes
    )
    return tuple(found) or ("利用申請（変更）",)


def _processing_day(plan: OperatorPlan | None, batch: date | None) -> date | None:
    """The first batch M of an application (``processing_days_of``: a change is keyed on
    its entry, a new user on its acceptance); None where no M batch processes any of its
    items. ``plan`` None: its items are not dated (a first apply), ``batch``, that of its
    acceptance (None: it only suspends or lifts, in no batch)."""
    if plan is None:
        return batch
    days = processing_days_of(plan.items)
    return days[0] if days else None


def applications(step: Step, dated: bool = True) -> list[Accepted]:
    """The application of each operator ``step`` changes; ``dated``: with the dates of its
    items (a first apply records none: everything it loads is in effect)."""
    out = []
    for code in step.operator_codes():
        plan = step.plan_of(code)
        # The systems whose data it changes, and those whose operator does a manual step
        # for it (a certificate at OCCTO's help desk, 001 p13): each is done when confirmed.
        systems = {c.system for c in step.changes_of(code)} | set(manual_steps(plan))
        order = [s.id for s in step.after.catalog.systems if s.id in systems]
        events = step.dates.events
        # The 受付日 every output shows, and M: at once, in no batch, for an application
        # that only suspends or lifts (001 p46, 002 §2.4).
        # M and the centre's calendar are Tokyo Gas Network's (000 §5-1): an application of
        # OCCTO's systems alone (or of an OCCTO-only operator's, naming no system) falls into
        # no batch and is accepted on the approval's own day.
        catalog = step.after.catalog
        operator = step.after.operators.get(code) or step.before.operators.get(code)
        concerned = order or (operator.operator.systems if operator is not None else ())
        accepted_on, batch = step.dates.acceptance(
            plan is not None and plan.at_once, catalog.batches(concerned)
        )
        record = ApplicationRecord(
            id=application_id(step.commit.sha, code),
            commit=step.commit.sha,
            parent=step.since,
            operator=code,
            title=step.title,
            accepted_on=accepted_on,
            processing_day=_processing_day(plan if dated and plan else None, batch),
            kinds=kinds(step, code),
            systems=tuple(order),
            entered_on=events.entered,
            merged_on=events.merged,
            assumed=events.assumed,
            items=step.recorded_dates(code) if dated else (),
            released=step.released,
            revoked=step.revoked,
        )
        out.append(Accepted(record, step))
    return out


def manual_steps(plan: OperatorPlan | None) -> tuple[str, ...]:
    """The systems whose operator's manual step an item of ``plan`` waits for
    (``Effective.steps``)."""
    found = dict.fromkeys(
        s for item in (plan.items if plan else ()) if item.effective for s in item.effective.steps
    )
    return tuple(found)


def cited_kinds(plan: OperatorPlan | None, record: ApplicationRecord) -> list[str]:
    """The application's kinds, each with the seed sections it cites for the systems it
    concerns (``OperatorPlan.citations``): 「利用権限の設定申請（002 §3.2.1, §3.3）」; as the
    state records them where no plan is at hand."""
    if plan is None or not plan.applications:
        return list(record.kinds)
    return [
        f"{plan.label_of(app)}（{seed}）"
        if (seed := plan.citations.get(app))
        else plan.label_of(app)
        for app in plan.applications
    ]


def _application_context(record: ApplicationRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "title": record.title,
        "kinds": list(record.kinds),
        "accepted_on": record.accepted_on,
        "processing_days": record.processing_days,
    }


def _accepted_ahead(record: ApplicationRecord, day: date) -> bool:
    """Whether a 受付 mail of ``day`` tells of a 受付日 still to come: an approval on a
    closed day is accepted on the next business day (``Dates.accepted_on``), and the run of
    the merge mails it before then. Its mail says so rather than that it was accepted."""
    return record.accepted_on > day


def _contact_changes(step: Step, code: str) -> tuple[list[Contact], list[Contact]]:
    """Window persons added to and removed from an active operator. A termination ends
    them all, and its acceptance notice says so to each of them."""
    old = step.before.operators.get(code)
    new = step.after.operators.get(code)
    if new is None or new.operator.status != "active":
        return [], []
    was = {}
    if old is not None and old.operator.status == "active":
        was = {c.email.lower(): c for c in old.operator.contacts}
    now = {c.email.lower(): c for c in new.operator.contacts}
    added = [c for k, c in now.items() if k not in was]
    removed = [c for k, c in was.items() if k not in now]
    return added, removed


def _derived(catalog: Catalog, kind: str) -> System | None:
    return next((s for s in catalog.systems if s.derived and s.derived.kind == kind), None)


def _system_context(system: System | None, fallback: str) -> dict[str, Any]:
    if system is None:
        return {"name_ja": fallback, "url": None}
    return {"name_ja": system.name_ja, "url": system.url}


def _console_ends(items: list[Item], contact: Contact, catalog: Catalog) -> dict[str, Any] | None:
    """When a removed window person's permission-management ID ends, as the plan dates it
    (the 受付 mail and the system's delta read the same effect), and who ends it where no
    date is known; None when they never held one (an operator using OCCTO's systems
    alone)."""
    console = _derived(catalog, ADMIN_CONSOLE_KIND)
    if console is None:
        return None
    login = contact.email.lower()
    for item in items:
        if (
            isinstance(item, WindowPersonChange)
            and item.action is ChangeKind.REMOVE
            and item.person.email.lower() == login
        ):
            for effect in item.effects:
                if effect.system == console.id:
                    return {
                        "name_ja": console.name_ja,
                        "ends_on": effect.effective.on,
                        "registrar": catalog.registrar_of(console),
                    }
    return None


def acceptance_notices(accepted: Accepted, addressing: Addressing) -> list[Notice]:
    """The 受付 of an application, to its operator's window persons of the day, its own change
    of them counted from the start (``model.mail.window_persons``), and to each window
    person it removes, on their own."""
    record, step = accepted.record, accepted.step
    operator = _operator(step, record.operator)
    if operator is None:
        return []
    catalog = step.after.catalog
    plan = step.plan_of(record.operator)
    items = list(plan.items) if plan else []
    _, removed = _contact_changes(step, record.operator)
    # The desks of the systems the application concerns (an address or a window person
    # of no system: the operator's): OCCTO's member system is not applied for to the
    # switching help desk (003 §3.1), nor OCCTO's systems to Tokyo Gas Network's centre.
    concerned = {*(record.systems or operator.systems)}
    for item in items:  # a withdrawal goes to OCCTO itself, whatever its rows (003 §2.7.1)
        if (withdrawal := withdrawal_of(item, catalog)) is not None:
            concerned |= withdrawal[0]
        if isinstance(item, CertificateChange):  # each provider's registration at its desk
            concerned.update(item.part_systems(catalog))
    context = {
        "operator": {"code": operator.code, "name": operator.name},
        "application": _application_context(record),
        "cited_kinds": cited_kinds(plan, record),
        "operator_items": [line for i in items for line in _operator_lines(i, catalog)],
        "people": _people(
            step, record.operator, operator, [i for i in items if isinstance(i, UserChange)]
        ),
        # Each provider's own way (the catalog): the processing day M is Tokyo Gas Network's
        # (000 §4-2, §5-1), and only an application with an item counted from it names it,
        # as the plan, the report and ``status`` do (``processing_days_of``).
        "uses_processing_day": bool(processing_days_of(items)),
        # Only suspensions and liftings: on their day, whatever the processing schedule.
        "at_once": plan is not None and plan.at_once,
        # Who stops or lifts at once: the systems' operators themselves (001 p46, 002 §2.4),
        # not the desk that accepts applications on its business days.
        "operators": [p.name_ja for p in catalog.providers_of(concerned)],
        "accepted_ahead": _accepted_ahead(record, addressing.day),
        # A completion notice follows per system it changes (``completion_notices``): one
        # that changes none (a certificate suspended: the whitelists alone) promises none.
        "completion_follows": bool(record.systems),
        "desks": catalog.desks(concerned),
        # What each provider says of the dates of its standard schedule (000 §5-1 for Tokyo
        # Gas Network's; OCCTO's seeds give none, 001 p13): only where the mail announces
        # one (``_scheduled``), never of a day the operator chose or one at once.
        "schedule_notes": [
            p.schedule_note for p in catalog.providers_of(_scheduled(items)) if p.schedule_note
        ],
    }
    if not context["operator_items"] and not context["people"] and not removed:
        return []  # nothing to tell: no mail for an application with no item
    # Dated the day of the run that writes it (``Notice.day``): the 受付日 is in the body.
    day = addressing.day
    notices = [
        Notice("accepted", record.id, r, "mail-accepted.txt.j2", day, context)
        for r in addressing.persons(operator, record.id)
    ]
    after_logins = {u.user.email.lower() for u in step.after.users_of(record.operator)}
    for contact in removed:
        notices.append(
            Notice(
                "contact-removed",
                record.id,
                Recipient(contact.name, contact.email),
                "mail-contact-removed.txt.j2",
                day,
                {
                    "operator": {"code": operator.code, "name": operator.name},
                    "application": _application_context(record),
                    "accepted_ahead": _accepted_ahead(record, day),
                    "admin_console": _console_ends(items, contact, catalog),
                    "still_user": contact.email.lower() in after_logins,
                },
            )
        )
    return notices


REGISTRATION_ROW = "registration"
# The usage application's own work (000 §3-1..§3-3 ⑥: the operator registered, changed or
# terminated), a last row where the application has one (``usage_status``).
USAGE_ROW = "usage"
# The keys of an operator's own item that is a usage application's (its acceptance, the
# day its termination or OCCTO withdrawal names), not a suspension's or its lifting's
_USAGE_KEYS = ("accepted", "terminated_on", "withdrawn_on")


def registration_status(
    record: ApplicationRecord,
    today: date,
    later: Mapping[tuple[str, str], tuple[Coming, ...]] | None = None,
) -> str:
    """済 once every certificate and address the application registers is registered
    (``ItemDates.registered_by``: a certificate valid only later is registered at M+6 all
    the same, 000 §4-2 ⑤), 未済 before, （不要） when it registers none; （後の申請で削除）
    once a later application (``later``: ``coming``) removed every one of them before the
    day it was to be usable (``removed_before``): the whitelists never held them. Without
    ``later``: whether the 登録完了連絡 is owed, which says that too."""
    found = record.registrations()
    if not found:
        return NOT_NEEDED
    kept = [i for i in found if removed_before(later or {}, record, i, i.on, today) is None]
    if not kept:
        return REMOVED_LATER
    days = [i.registered_by for i in kept]
    return DONE if all(d is not None and d <= today for d in days) else NOT_DONE


def later_of(
    later: Mapping[tuple[str, str], tuple[Coming, ...]], record: ApplicationRecord, item: ItemDates
) -> list[Coming]:
    """The removals, suspensions and liftings of ``item``, a certificate or address
    ``record`` registers, that its operator's later applications made (``coming``), in the
    order they were recorded."""
    found = later.get((item.subject, item.base_key), ())
    return [c for c in found if c.application.operator == record.operator]


def removed_before(
    later: Mapping[tuple[str, str], tuple[Coming, ...]],
    record: ApplicationRecord,
    item: ItemDates,
    on: date | None,
    today: date,
) -> Coming | None:
    """The later removal of ``item`` that came by ``today`` and no later than ``on``, the day
    it was to be usable (``BatchRecord.in_effect_on``: a manual step's confirmation): from
    then on no whitelist lets it through, and it never was usable."""
    return next(
        (
            c
            for c in later_of(later, record, item)
            if c.removes and c.on is not None and on is not None and c.on <= min(on, today)
        ),
        None,
    )


def usage_status(batch: BatchRecord, record: ApplicationRecord, today: date) -> str:
    """済 once the usage application's own item is in effect (``in_effect_on``: its
    announced day, about 15 business days after acceptance for a change, or its manual
    step's confirmation), 未済 before, （不要） when the application is none: until then
    the 受付 mail's 「反映 … 以降」 has not come, and a system it gives up is still used."""
    found = [
        i
        for i in record.items
        if i.subject == "operator" and i.system is None and i.keyed in _USAGE_KEYS
    ]
    if not found:
        return NOT_NEEDED
    days = [batch.in_effect_on(i) for i in found]
    return DONE if all(d is not None and d <= today for d in days) else NOT_DONE


def progress(
    batch: BatchRecord,
    record: ApplicationRecord,
    catalog: Catalog,
    today: date,
    later: Mapping[tuple[str, str], tuple[Coming, ...]] | None = None,
) -> tuple[str, list[dict[str, str]]]:
    """The seed's progress display (000 §5-1 ⑦): 済 / 未済 / （不要） per system, and
    処理中 until every system the application needs is 済, then 処理完了 (pattern 13:
    TAXIS and JOHS alone are done once both are). The info-sharing site follows the
    systems its holders hold (``users_of``) and never holds an application open that
    needs one of them. The permission-management system derives from no system: its IDs
    are the window persons' own, issued with the usage application (000 §3-1 ⑥, §3-2 ⑥,
    about 15 business days), so an application that adds or changes one is not done until
    it is. Certificates and addresses count as done once registered (a last row,
    ``registration``: ``registration_status``; none of those a later application,
    ``later``, removed before their day), and a usage application's own work once in
    effect (a row after it, where the application has one: ``usage_status``); a system on
    the day it confirmed the import, as ``today`` stands (no earlier). Every output that
    says 処理中 / 処理完了 reads this one decision."""
    rows = []
    own: list[str] = []
    derived: list[str] = []
    follows = catalog.brought_by(record.systems)
    for system in catalog.systems:
        if system.id in record.systems and system.id in batch.systems:
            status = DONE if batch.systems[system.id].imported_by(today) else NOT_DONE
            (derived if system.id in follows else own).append(status)
        else:
            status = NOT_NEEDED
        rows.append({"system": system.named.japanese, "id": system.id, "status": status})
    registration = registration_status(record, today, later)
    if registration not in (NOT_NEEDED, REMOVED_LATER):
        own.append(registration)
    rows.append(
        {"system": "証明書・IPアドレスの登録", "id": REGISTRATION_ROW, "status": registration}
    )
    usage = usage_status(batch, record, today)
    if usage != NOT_NEEDED:
        own.append(usage)
        rows.append({"system": "利用申請の手続き", "id": USAGE_ROW, "status": usage})
    counted = own or derived
    overall = COMPLETE if all(s == DONE for s in counted) else IN_PROGRESS
    return overall, rows


@dataclass(frozen=True)
class Coming:
    """A removal or change of an ID's permission of a system that a batch recorded after
    the one a completion notice is for: the notice is true until then, and says so."""

    # The day downstream holds it (``BatchRecord.held_from``: the day announced at its
    # acceptance, as its delta row has it); None: after a manual step still to come.
    on: date | None
    removes: bool  # the ID goes (its user or window person removed), else it changes
    application: ApplicationRecord
    # A certificate's suspension (True) or its lifting (False), 001 p46: the whitelists
    # stop or let it through again from ``on``; None: no suspension.
    suspends: bool | None = None


def coming(state: State, batch: BatchRecord) -> dict[tuple[str, str], tuple[Coming, ...]]:
    """The removals and changes of IDs' permissions the batches recorded after ``batch``
    (by ``number``) hold, as (system, login) → each of them in the order they were
    recorded; and the removals of certificates and addresses, as (subject, certificate ID
    or CIDR: no login, which always holds an @), on the day the whitelists stop letting
    them through (``held_from``: the removal's ``in_effect_on``, as ``bundle.admitted``
    reads it; its merge, or a termination's day), and the suspensions of certificates and
    their liftings, on the day recorded for them (``state.suspension_days``, which the
    whitelists read). A termination removes every user's file (000 §3-3): its users'
    permissions are removed like any other user's."""
    found: dict[tuple[str, str], list[Coming]] = {}
    for later in state.ordered():
        if later.number <= batch.number:
            continue
        for app in later.applications:
            for item in app.items:
                if item.subject in REGISTERED:
                    if item.system is None and item.action == "remove":
                        gone = Coming(later.held_from(item), True, app)
                        found.setdefault((item.subject, item.key), []).append(gone)
                    elif item.system is None and item.keyed == "suspended_on":
                        # A lifting is keyed on no day of its own (``Dates.suspension``).
                        stop = Coming(item.on, False, app, item.keyed_on is not None)
                        found.setdefault((item.subject, item.key), []).append(stop)
                    continue
                if item.system is None or item.subject not in ("user", "window_person"):
                    continue  # an ID's own date (a suspension), or an operator's system
                if item.action not in ("remove", "change") or item.fields_only:
                    continue  # a name or a memo: the permission stays as it is
                change = Coming(later.held_from(item), item.removes, app)
                found.setdefault((item.system, item.key.lower()), []).append(change)
    return {key: tuple(changes) for key, changes in found.items()}


def _coming_of(
    catalog: Catalog,
    system: System,
    operator: str,
    login: str,
    later: Mapping[tuple[str, str], tuple[Coming, ...]],
    imported_on: date,
) -> list[dict[str, Any]]:
    """What a completion notice of ``system`` says of ``login`` after it (``coming``):
    those of its operator's applications, each ``done`` when it took effect on or before
    ``imported_on`` (a confirmation later than a later batch's day). A system a user holds
    for holding others (the info-sharing site) goes with the user, on the last day one of
    those goes."""
    if system.derived is not None and system.derived.kind == "users_of":
        gone: dict[str, list[Coming]] = {}
        for source in system.derived.systems:
            for c in later.get((source, login), ()):
                if c.removes:
                    gone.setdefault(c.application.id, []).append(c)
        changes = []
        for removals in gone.values():
            days = [c.on for c in removals if c.on is not None]
            on = max(days) if len(days) == len(removals) else None
            changes.append(Coming(on, True, removals[0].application))
    else:
        changes = list(later.get((system.id, login), ()))
    pending = f"{_work_of(catalog, (system.id,))}完了後"
    return [
        _later_note(c, KIND_LABELS[ChangeKind.REMOVE if c.removes else ChangeKind.CHANGE],
                    pending, imported_on)
        for c in changes
        if c.application.operator == operator
    ]  # fmt: skip


def _later_note(c: Coming, action: str, pending: str, today: date) -> dict[str, Any]:
    """What a later application does, as a notice says it after an ID's line or an item's:
    「（申請番号 … のクライアント証明書登録申請により、2026-12-21 に削除済み）」, ``pending``
    standing for its day while a manual step is to come; ``done`` once it came by
    ``today``. The one wording of every such note, whatever the template."""
    done = c.on is not None and c.on <= today
    when = f"{c.on} に" if c.on else f"{pending}に"
    kinds = "・".join(c.application.kinds)
    told = "済み" if done else "されます"
    text = f"（申請番号 {c.application.id} の{kinds}により、{when}{action}{told}）"
    return {"text": text, "done": done, "removes": c.removes}


def _told(
    announced: Mapping[tuple[str, str], date], system: str, login: str, on: date
) -> date | None:
    """The day the 受付 mail gave ``login``'s row of ``system``
    (``ApplicationRecord.announced``) where it is earlier than ``on``, the day the row is in
    effect now that its registration is done: the notice gives the later day, the true
    one, and says beside it that the registration came after the day first told."""
    told = announced.get((system, login))
    return told if told is not None and told < on else None


def _system_people(
    step: Step,
    system: System,
    operator: str,
    imported_on: date,
    later: Mapping[tuple[str, str], tuple[Coming, ...]],
    announced: Mapping[tuple[str, str], date],
) -> list[dict[str, Any]]:
    """The users whose permission of ``system`` the application changes, each with the day
    it is in effect now that the system's registration is done on ``imported_on``: never
    before it (``effective.registered``), as the notice says the work was completed, and
    the day its 受付 mail gave where that was earlier (``_told``). A suspension or its
    lifting waits for no registration: the system operator stops or restarts the ID at
    once (001 p46), on the day its deltas, the 受付 mail and ``status`` give. Each with
    what a later batch removes or changes of it (``coming``)."""
    catalog = step.after.catalog
    plan = step.plan_of(operator)
    # Filed already suspended (``comes_stopped``): registered, yet nothing begins for it.
    stopped = {
        i.person.email.lower(): day
        for i in (plan.items if plan else ())
        if isinstance(i, UserChange) and (day := comes_stopped(i)) is not None
    }
    out = []
    for change in step.changes_of(operator):
        if change.system != system.id:
            continue
        old = change.before.code(system.id) if change.before else None
        new = change.after.code(system.id) if change.after else None
        if change.kind is ChangeKind.CHANGE and old == new:
            # The row changed in another column (a window person's permission-management
            # ID, a name): no permission of this system changed, as the 受付 mail said.
            continue
        effective = step.effective(change)
        label = _WHEN_LABELS[change.kind]
        coming = _coming_of(catalog, system, operator, change.person.login, later, imported_on)
        # Confirmed after a later batch's removal of the ID took effect: nothing of this
        # application begins for it. The window person checks each person's setting by the
        # application (000 §5-1 ⑦), so the line stays, with no day of use, and says the ID
        # is deleted already; a start after the deletion would be false.
        begins = change.kind in (ChangeKind.ADD, ChangeKind.CHANGE)
        gone = begins and any(c["done"] and c["removes"] for c in coming)
        held = stopped.get(change.person.login) if begins and not gone else None
        code_text = (
            f"{_code_text(system, old)} → {_code_text(system, new)}"
            if change.kind is ChangeKind.CHANGE and old != new
            else _code_text(system, new or old)
        )
        when: date | None = None
        told: date | None = None
        if gone or held is not None:
            pass  # no day of use: nothing begins for it
        elif change.kind in AT_ONCE_KINDS and effective.on is not None:
            when = effective.on
        else:
            when = registered(effective.on, imported_on, effective.not_before)
            told = _told(announced, system.id, change.person.login, when)
        out.append(
            {
                "name": change.person.name,
                "email": change.person.email,
                "action": KIND_LABELS[change.kind],
                # Nothing begins for it: stopped, taken away, or a code the old one
                # includes (an admin ID stepping down to a user ID), by the plan's rule.
                "narrows": gone
                or held is not None
                or change.kind is ChangeKind.SUSPEND
                or step.before.catalog.narrows(system.id, old, new),
                "code_text": code_text,
                "when_label": label,
                "when": when,
                "told": told,
                "ends": change.kind is ChangeKind.REMOVE,
                "coming": coming,
                "stopped": held,
            }
        )
    return out


def _rows_changed(
    step: Step,
    system: System,
    operator: str,
    imported_on: date,
    announced: Mapping[tuple[str, str], date],
) -> list[dict[str, Any]]:
    """What a completion notice of ``system`` says of the users whose row of it changed in
    another column and no permission of it (``_system_people`` leaves them out): a window
    person's change (a handover: their permission-management ID goes with their rows) by
    its line of the 受付 mail, anything else as a change of the user's registration; each
    on the day it is in effect now that the registration is done on ``imported_on``, with
    the day its 受付 mail gave where that was earlier (``_told``)."""
    plan = step.plan_of(operator)
    persons = {i.key: i for i in (plan.items if plan else ()) if isinstance(i, WindowPersonChange)}
    out = []
    for change in step.changes_of(operator):
        if change.system != system.id or change.kind is not ChangeKind.CHANGE:
            continue
        old = change.before.code(system.id) if change.before else None
        new = change.after.code(system.id) if change.after else None
        if old != new:
            continue
        person = persons.get(change.person.email.lower())
        line = _operator_item(person, step.after.catalog) if person is not None else None
        if line is None:
            name, email = change.person.name, change.person.email
            line = {"text": f"利用者の登録内容の変更: {name}（ID: {email}）"}
        effective = step.effective(change)
        on = registered(effective.on, imported_on, effective.not_before)
        told = _told(announced, system.id, change.person.login, on)
        out.append({**line, "when": f"{on} 以降", "told": told, "action": ChangeKind.CHANGE})
    return out


def completion_notices(
    batch: BatchRecord,
    accepted: Accepted,
    system_id: str,
    imported_on: date,
    addressing: Addressing,
    later: Mapping[tuple[str, str], tuple[Coming, ...]] | None = None,
) -> list[Notice]:
    """Notices owed once ``system_id`` of ``batch`` is imported, for one application, to
    the window persons of the day they are sent (``addressing``); ``later``: what the
    batches after it remove or change (``coming``)."""
    record, step = accepted.record, accepted.step
    catalog = step.after.catalog
    system = catalog.by_id.get(system_id)
    operator = _operator(step, record.operator)
    if system is None or operator is None or system_id not in record.systems:
        return []
    overall, rows = progress(batch, record, catalog, imported_on, later)
    announced = record.announced()
    people = _system_people(step, system, record.operator, imported_on, later or {}, announced)
    stepped = _stepped_items(batch, accepted, system_id, imported_on, later or {})
    # Titled 利用開始周知 only when access begins or widens; else the seeds' 手続き完了通知
    # (000 §3-1 ⑥: the registration is completed).
    grants = any(not p["narrows"] for p in people) or any(
        i["action"] is not ChangeKind.REMOVE and not i["gone"] for i in stepped
    )
    # A system whose rows changed for no permission of it (a handover) names why: a notice
    # listing nothing reads as sent by mistake. Nothing begins for them.
    shown = {i["text"] for i in stepped}
    stepped += [
        {**line, "gone": False, "coming": []}
        for line in _rows_changed(step, system, record.operator, imported_on, announced)
        if line["text"] not in shown
    ]
    provider = catalog.provider_map.get(system.provider)
    named = provider.result_notice if provider is not None else None
    context = {
        # In the provider's words: OCCTO's 申請結果 (001 p13), Tokyo Gas Network's 000 §5-1.
        "notice_title": named or ("利用開始周知" if grants else "手続き完了通知"),
        "operator": {"code": operator.code, "name": operator.name},
        "application": _application_context(record),
        # Named in the body as on the forms (with its key), in the subject by its name.
        "system": {"id": system.id, "name_ja": system.name_ja, "named": system.named.japanese},
        "imported_on": imported_on,
        "people": people,
        "items": stepped,
        "progress": overall,
        "progress_rows": [r for r in rows if r["status"] != NOT_NEEDED],
    }
    told = addressing.persons(operator, record.id)
    notices = [
        Notice(
            f"{COMPLETED}{system_id}",
            record.id,
            r,
            "mail-completed.txt.j2",
            addressing.day,
            context,
        )
        for r in told
    ]
    admin = _derived(catalog, ADMIN_CONSOLE_KIND)
    if admin is not None and system_id == admin.id:
        info = _derived(catalog, "users_of")
        # Their ID, to those it added who are window persons still.
        still = {r.email.lower() for r in told}
        added = [c for c in _contact_changes(step, record.operator)[0] if c.email.lower() in still]
        # A new usage application: the operator was not registered before the merge.
        new_usage = step.before.operators.get(record.operator) is None
        plan = step.plan_of(record.operator)
        approved = [
            line
            for item in (plan.items if plan else ())
            if (line := _operator_item(item, catalog)) is not None
        ]
        for contact in added:
            notices.append(
                Notice(
                    "welcome",
                    record.id,
                    Recipient(contact.name, contact.email),
                    "mail-welcome.txt.j2",
                    addressing.day,
                    {
                        "operator": {"code": operator.code, "name": operator.name},
                        "application": _application_context(record),
                        "admin_console": _system_context(admin, "システム利用権限管理システム"),
                        "info_site": _system_context(info, "託送情報共有サイト"),
                        "new_usage": new_usage,
                        "approved": approved,
                    },
                )
            )
    return notices


def _stepped_items(
    batch: BatchRecord,
    accepted: Accepted,
    system_id: str,
    imported_on: date,
    later: Mapping[tuple[str, str], tuple[Coming, ...]],
) -> list[dict[str, Any]]:
    """The items of an application that waited for ``system_id``'s manual step, each with
    the day it takes effect (``BatchRecord.in_effect_on``: the last confirmation of its
    systems; none yet while another system's is to come). A certificate or address with
    what later batches did to it (``coming``), as the 登録完了連絡 names it
    (``registration_notices``): one removed by the day it takes effect, which no whitelist
    ever let through, with no day of use."""
    record, step = accepted.record, accepted.step
    plan = step.plan_of(record.operator)
    recorded = record.dates()
    found = []
    for item in plan.items if plan else ():
        dates = own_dates(item, recorded)
        if dates is None or system_id not in dates.steps:
            continue
        line = _operator_item(item, step.after.catalog)
        if line is not None:
            on = batch.in_effect_on(dates)
            when = f"{on} 以降" if on else "ほかのシステムの作業完了後"
            gone, notes = False, list[dict[str, Any]]()
            if dates.subject in REGISTERED and dates.system is None:
                _, gone, notes = _registration_later(later, record, dates, on, imported_on)
            if gone:
                when = "登録済み。ご利用いただけません"
            # The 受付 mail gave it no day, only whose work it waits for: nothing was told.
            found.append(
                {**line, "when": when, "told": None, "action": item.action, "gone": gone,
                 "coming": notes}
            )  # fmt: skip
    return found


def registration_notices(
    batch: BatchRecord,
    accepted: Accepted,
    today: date,
    addressing: Addressing,
    later: Mapping[tuple[str, str], tuple[Coming, ...]] | None = None,
) -> list[Notice]:
    """登録完了連絡 (000 §4-2 ⑤): once every certificate and address of an application is
    registered (``registration_status``), each named with the day it can be used from (a
    renewal valid only later: registered now, usable from its first valid day, 004), to the
    operator's window persons of the day (``addressing``),
    with the application's progress (``progress``: the one decision of 処理中 / 処理完了).
    Owed on the first run on or after that day; the outbox sends it once. It is the
    registration's notice: while another part of the application is still to come (a
    window person's ID, a system not yet confirmed), it says that only the certificates
    and addresses are done, names those kinds alone in its subject, and lists the other
    items with their own dates; each of those has its own completion notice. ``later``:
    what the batches after it remove, suspend or lift (``coming``): an item removed before
    its day is named with that removal and no day of use (no whitelist ever let it
    through), one removed after it with its day of use and the removal; a certificate
    suspended on ``today`` as stopped since that day, one lifted with the day the lifting
    lets it through (``_in_use``), each with what was filed since."""
    record, step = accepted.record, accepted.step
    found = record.registrations()
    operator = _operator(step, record.operator)
    if not found or operator is None or registration_status(record, today) != DONE:
        return []
    done_on = max(d for i in found if (d := i.registered_by) is not None)
    catalog = step.after.catalog
    plan = step.plan_of(record.operator)
    registered = {(i.subject, i.key, i.system): i for i in found}
    items, others = [], []
    for i in plan.items if plan else ():
        if (dates := own_dates(i, registered)) is not None:
            if (line := _operator_item(i, catalog)) is not None:
                on = batch.in_effect_on(dates)  # as the whitelists read it (``admitted``)
                valid_later = on != dates.registered_by
                filed = comes_stopped(i)
                since, gone, notes = _registration_later(later or {}, record, dates, on, today)
                stops = [c for c in since if c.suspends is not None]
                halted = None
                if stops and on is not None:  # suspended or lifted since: as on ``today``
                    let_in, halted = _in_use(on, filed, stops, today)
                    valid_later = valid_later and let_in == on
                    on = let_in or on
                items.append(
                    # Registered stopped (``comes_stopped``) and neither lifted nor stopped
                    # again since: its line says so, and no day of use.
                    {**line, "on": on, "later": valid_later,
                     "stopped": filed is not None and not stops, "halted": halted,
                     "gone": gone, "coming": notes}
                )  # fmt: skip
        else:
            others += _operator_lines(i, catalog)
    # One day for the whole registration only where every item is usable from it; else
    # each item says its own (a renewal valid later: registered now, usable then, 004).
    usable = {
        item["on"] if not (item["stopped"] or item["halted"] or item["gone"]) else None
        for item in items
    }
    overall, rows = progress(batch, record, catalog, today, later)
    complete = overall == COMPLETE
    apps = plan.applications if plan else ()
    kinds = [a.label for a in apps if a in (Application.CERTIFICATE, Application.OVERSEAS_IP)]
    context = {
        "operator": {"code": operator.code, "name": operator.name},
        "application": _application_context(record),
        # The whole application once it is done; else the registration's own kinds.
        "kinds": list(record.kinds) if complete or not kinds else kinds,
        "complete": complete,
        "registered_on": done_on,
        "usable_on": done_on if usable <= {done_on} else None,
        "items": items,
        "others": [] if complete else others,
        "progress": overall,
        "progress_rows": [r for r in rows if r["status"] != NOT_NEEDED],
    }
    return [
        Notice("registered", record.id, r, "mail-registered.txt.j2", addressing.day, context)
        for r in addressing.persons(operator, record.id)
    ]


def _in_use(
    on: date, filed: date | None, stops: Sequence[Coming], today: date
) -> tuple[date | None, date | None]:
    """A registered certificate as the whitelists of ``today`` read it (``bundle.admitted``,
    ``Admitted.certificate_suspended``): the day it is let through from, or the day it is
    suspended since, one of them None. ``filed``: the suspension it was filed with
    (``comes_stopped``); ``stops``: the later suspensions and liftings (``coming``). On a
    day the last recorded of them that came by then decides: a lifting ends every
    suspension recorded before it, even one dated later (001 p46)."""
    events = [(filed, True)] if filed is not None else []
    events += [(c.on, bool(c.suspends)) for c in stops if c.on is not None]

    def stopped_on(day: date) -> date | None:
        came = [(d, stop) for d, stop in events if d <= day]
        return came[-1][0] if came and came[-1][1] else None

    since = stopped_on(today)
    if since is not None:
        return None, since
    days = sorted({on, *(d for d, _ in events if on < d <= today)})
    return next((d for d in days if stopped_on(d) is None), on), None


def _registration_later(
    later: Mapping[tuple[str, str], tuple[Coming, ...]],
    record: ApplicationRecord,
    item: ItemDates,
    on: date | None,
    today: date,
) -> tuple[list[Coming], bool, list[dict[str, Any]]]:
    """What later applications did to ``item``, a certificate or address ``record``
    registers, usable from ``on``, as the notices of ``today`` say it (the 登録完了連絡 and a
    manual step's completion notice alike): the removals, suspensions and liftings
    (``later_of``), whether a removal came before it was usable (``removed_before``), and
    their notes."""
    since = later_of(later, record, item)
    gone = removed_before(later, record, item, on, today) is not None
    notes = []
    for c in since:  # a removal, or a certificate's suspension or its lifting
        action = _ACTIONS["remove"]
        if c.suspends is not None:
            action = "利用停止" if c.suspends else "停止解除"
        notes.append(_later_note(c, action, "登録作業完了後", today))
    return since, gone, notes


def _words(message: Message) -> str:
    """A finding as a mail says it: in Japanese, the language of the mails' templates."""
    return i18n.text(message, "ja")


def held_notices(hold: Hold, registry: Registry, head: str, day: date) -> list[Notice]:
    """The reviewers' notice of what ``hold`` keeps back, with every error; the same errors
    make the same message, sent once however many runs hold them back."""
    if not hold.problems:
        return []
    keys = sorted(f"{p.file}\0{p.rule}\0{p.message!r}" for p in hold.problems)
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
    operators = []
    for code, problems in hold.operators().items():
        entry = registry.operators.get(code)
        operators.append(
            {
                "code": code,  # none: files where no file belongs, never applied
                "name": entry.operator.name if entry else "",
                "files": len(hold.files_of(code)),
                "problems": [
                    {"file": p.file, "line": p.line, "rule": p.rule, "message": _words(p.message)}
                    for p in problems
                ],
            }
        )
    counted = sum(1 for o in operators if o["code"])
    context = {"head": head[:12], "operators": operators, "count": counted}
    maintainers = registry.maintainers.maintainers if registry.maintainers else ()
    application = f"held/{digest}"
    return [
        Notice("held", application, Recipient(m.name, m.email), "mail-held.txt.j2", day, context)
        for m in maintainers
    ]
