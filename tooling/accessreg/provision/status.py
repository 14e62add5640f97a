"""Progress of every accepted application per system, in the seed's terms (000 §5-1 ⑦),
and what is suspended.

済 when the downstream system has imported the batch holding the application, 未済 while it
has not (on the day asked for: a system confirmed on a later day was 未済 then), （不要）
when the application needs nothing from that system, （後の申請で削除） for certificates and
addresses a later application removed before their day (``registration_status``); 処理完了
once every system it needs is 済, else 処理中. Suspensions (001 p46, 002 §2.6, §3.4.4) are not
applications to complete but a state that lasts until it is lifted: they are listed apart,
and so are the files an error at HEAD holds back: what they apply for is no application yet
(no 受付 mail went out), and a window person checking progress must tell it from one never
filed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from accessreg import i18n
from accessreg.escape import terminal
from accessreg.model import Catalog
from accessreg.model.layout import REGISTRY_DIR
from accessreg.model.messages import Message, msg
from accessreg.model.registry import Registry
from accessreg.plan.wording import kinds_text
from accessreg.provision.notices import (
    COMPLETE,
    DONE,
    IN_PROGRESS,
    NOT_DONE,
    NOT_NEEDED,
    REGISTRATION_ROW,
    REMOVED_LATER,
    USAGE_ROW,
    Coming,
    coming,
    progress,
)
from accessreg.provision.state import ApplicationRecord, BatchRecord, HeldFile, State
from accessreg.timeline.effective import SuspensionDays


@dataclass(frozen=True)
class Progress:
    batch: BatchRecord
    application: ApplicationRecord
    overall: str  # 処理中 / 処理完了
    systems: list[tuple[str, str]]  # (system id, 済 / 未済 / （不要）) in catalog order


def progress_of(
    state: State, catalog: Catalog, today: date, operator: str | None = None
) -> list[Progress]:
    found = []
    # What the batches after each remove of its certificates and addresses (``coming``),
    # read only for a batch that registers any.
    later: dict[str, Mapping[tuple[str, str], tuple[Coming, ...]]] = {}
    for batch, app in state.applications():
        if operator is not None and app.operator != operator:
            continue
        if batch.created_on > today:
            continue  # not applied yet on the day asked for (its 受付日 may count later)
        if app.registrations() and batch.id not in later:
            later[batch.id] = coming(state, batch)
        overall, rows = progress(batch, app, catalog, today, later.get(batch.id))
        found.append(Progress(batch, app, overall, [(r["id"], r["status"]) for r in rows]))
    return found


def columns(rows: list[Progress], catalog: Catalog) -> list[str]:
    """The systems any listed application needs (others would only show （不要）)."""
    needed = {s for r in rows for s, status in r.systems if status != NOT_NEEDED}
    shown = [s.id for s in catalog.systems if s.id in needed]
    return [*shown, *(row for row in (REGISTRATION_ROW, USAGE_ROW) if row in needed)]


# The table's words in the reader's language; the seed's Japanese (000 §5-1 ⑦) is what the
# state and the mails keep, and what Japanese shows.
_HEADINGS = {
    REGISTRATION_ROW: msg("certificates and IPs"),
    USAGE_ROW: msg("usage application work"),
}
_STATUSES: dict[str, Message] = {
    DONE: msg("done"),
    NOT_DONE: msg("not done"),
    NOT_NEEDED: msg("(not needed)"),
    REMOVED_LATER: msg("(removed by a later application)"),
    IN_PROGRESS: msg("in progress"),
    COMPLETE: msg("complete"),
}


# An application whose run was recorded while the SMTP server took no mail: its 受付
# notices go out with the next run that sends (``acceptance_owed``).
_OWED_NOTE = msg(" (its acceptance notice not sent yet)")


def _word(status: str) -> str:
    return i18n.text(_STATUSES[status]) if status in _STATUSES else status


def table(rows: list[Progress], catalog: Catalog) -> str:
    """A plain-text table: one line per application; a system is headed by its name with
    its key in Japanese, ``託送システム（taxis）``, by its key in English: what ``confirm
    --system`` takes either way."""
    shown = columns(rows, catalog)
    ja = i18n.current() == "ja"
    header = [
        i18n.text(msg("application number")),
        i18n.text(msg("accepted on")),
        "M",
        i18n.text(msg("batch")),
        i18n.text(msg("progress")),
        *(
            i18n.text(_HEADINGS[s]) if s in _HEADINGS else catalog.named(s).japanese if ja else s
            for s in shown
        ),
        i18n.text(msg("application kinds")),
    ]
    lines = ["\t".join(header)]
    owed = i18n.text(_OWED_NOTE)
    for r in rows:
        by_system = dict(r.systems)
        lines.append(
            "\t".join(
                [
                    r.application.id,
                    r.application.accepted_on.isoformat(),
                    i18n.joined(d.isoformat() for d in r.application.processing_days),
                    r.batch.id,
                    _word(r.overall) + (owed if r.application.acceptance_owed else ""),
                    *(_word(by_system.get(s, NOT_NEEDED)) for s in shown),
                    i18n.text(kinds_text(r.application.kinds)),
                ]
            )
        )
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Suspended:
    operator: str
    what: str  # 証明書 / 利用者ID / システムの利用
    # The certificate ID and serial, the login ID, or the system by its name: in the
    # reader's language (the catalog's English name in English).
    target: Message
    since: str
    # ``since`` is the day a permission applied before comes: the ID was in no system before
    # (``plan.waits.reached``), as the 受付 mail says on the line
    waits: bool = False


NONE_RECORDED = SuspensionDays()  # a registry alone: each suspension from its file's day


def suspensions(
    registry: Registry,
    operator: str | None = None,
    days: SuspensionDays = NONE_RECORDED,
    today: date | None = None,
) -> list[Suspended]:
    """Every suspension in force at HEAD: certificates, user IDs, operators' use of systems,
    each from the day it took effect, as its application recorded it (``days``); with
    ``today``, those in force on that day (one taking effect later is not yet)."""
    found = _suspensions(registry, operator, days)
    return [s for s in found if today is None or date.fromisoformat(s.since) <= today]


def _suspensions(registry: Registry, operator: str | None, days: SuspensionDays) -> list[Suspended]:
    found: list[Suspended] = []
    for entry in registry.iter_operators():
        op = entry.operator
        if operator is not None and op.code != operator:
            continue
        for s in op.suspensions:
            system = msg("{value}", value=registry.catalog.titled(s.system))
            since = days.since("operator", op.code, s.system, s.suspended_on)
            found.append(Suspended(op.code, "システムの利用", system, since.isoformat()))
        for c in op.certificates:
            if c.suspended_on is not None:
                target = msg("{id} (serial {serial})", id=c.id, serial=c.serial)
                since = days.since("certificate", c.id, None, c.suspended_on)
                found.append(Suspended(op.code, "証明書", target, since.isoformat()))
        for u in sorted(registry.users_of(op.code), key=lambda u: u.user.email.lower()):
            user = u.user
            if user.suspended_on is not None:
                key = ("user", user.email.lower(), None, user.suspended_on)
                login = msg("{value}", value=user.email)
                day, waits = days.since(*key).isoformat(), days.waits(*key)
                found.append(Suspended(op.code, "利用者ID", login, day, waits))
    return found


# After the day a suspension waited for the ID's entry, in the 受付 mail's words.
_WAITED = msg(" (aligned with the start of use applied for before)")

_WHAT = {
    "システムの利用": msg("use of a system"),
    "証明書": msg("certificate"),
    "利用者ID": msg("user ID"),
}


def suspension_table(found: list[Suspended]) -> str:
    """After a blank line: one line per suspension, tab-separated; nothing when none."""
    if not found:
        return ""
    header = (msg("suspended"), msg("operator code"), msg("target"), msg("suspended since"))
    lines = ["", "\t".join(i18n.text(h) for h in header)]
    # The target whole, as the files hold it (a login ID cut short names no one).
    waited = i18n.text(_WAITED)
    lines += [
        "\t".join(
            [
                i18n.text(_WHAT.get(s.what) or s.what),
                s.operator,
                i18n.text(s.target, cap=False),
                s.since + (waited if s.waits else ""),
            ]
        )
        for s in found
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Held:
    operator: str
    file: str  # as the repository names it: registry/users/<CODE>/<login>.yaml
    since: date  # the first run that held it back


def held(state: State, operator: str | None = None, today: date | None = None) -> list[Held]:
    """The files the last run held back for errors at HEAD (``provision.holding``), of
    ``operator`` or of all; with ``today``, those held back by then."""
    return [
        Held(h.operator, f"{REGISTRY_DIR}/{rel}", h.since)
        for rel, h in sorted(state.held.items(), key=_by_operator)
        if (operator is None or h.operator == operator) and (today is None or h.since <= today)
    ]


def _by_operator(item: tuple[str, HeldFile]) -> tuple[str, str]:
    return item[1].operator, item[0]


# What a held file is, and what it waits for, in the words of the run's report: nothing of
# it reaches downstream, and nothing is lost, until a fix is merged.
_NOT_APPLIED = msg("not applied: an error at HEAD")
_WAITS_FOR_FIX = msg(
    "A file held back is applied by the next run after a pull request fixing it (or "
    "reverting the merge that brought it) is merged, with its acceptance notice."
)


def held_table(found: list[Held]) -> str:
    """After a blank line: one line per file held back, tab-separated, and after another
    what they wait for; nothing when none."""
    if not found:
        return ""
    header = (msg("held back"), msg("operator code"), msg("held back since"), msg("file"))
    what = i18n.text(_NOT_APPLIED)
    lines = ["", "\t".join(i18n.text(h) for h in header)]
    # A held file's name is a pull request's, and the operator code its folder's: either
    # may be the very error that holds it.
    lines += [
        "\t".join([what, terminal(h.operator), h.since.isoformat(), terminal(h.file)])
        for h in found
    ]
    return "\n".join([*lines, "", i18n.text(_WAITS_FOR_FIX)]) + "\n"
