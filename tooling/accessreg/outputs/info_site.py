"""The info-sharing site (託送情報共有サイト, 000 §7): who is told of its updates, and which
of its pages each user may read.

Update notices go to the window persons' registered addresses (000 §7-3): the reception
centre registers an address provisionally, the site mails it a link valid for 7 days, and
the window person completes the registration; an address is removed when its person leaves
the role. Each apply lists the subscribers on the day and what the range applied changes,
each on its own day (to register provisionally, to remove).

The site has a common page, and a page per system that only users of operators using that
system may read; the API page only users of operators using the 託送API (000 §7-2). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from accessreg.model import Catalog, System
from accessreg.model.changes import ChangeKind
from accessreg.model.registry import Registry
from accessreg.outputs.access import Access, Holder, by_operator
from accessreg.outputs.csv_ import (
    LOGIN_ID,
    OPERATOR_CODE,
    OPERATOR_NAME,
    DatedChange,
    Encoding,
    header_bytes,
    table,
    table_units,
)

CONFIRMATION_DAYS = 7  # the link of the confirmation mail is valid for 7 days (000 §7-3 ④)
COMMON_PAGE = "共通"


def site(catalog: Catalog) -> System | None:
    """The info-sharing site: the system derived for the users of the others."""
    return next(
        (s for s in catalog.derived_systems if s.derived and s.derived.kind == "users_of"), None
    )


def console(catalog: Catalog) -> str | None:
    """The permission-management system of the site's provider: the one its window persons
    get (000 §3-1). Its holders are the site's subscribers, so an address is registered
    and removed on the day that ID is made and deleted: one date for both."""
    info = site(catalog)
    if info is None:
        return None
    return next(
        (
            s.id
            for s in catalog.derived_systems
            if s.derived and s.derived.kind == "window_persons" and s.provider == info.provider
        ),
        None,
    )


def subscribers(catalog: Catalog, people: Iterable[Holder]) -> list[Holder]:
    """Those of ``people`` whose addresses are registered for the site's update notices
    (000 §7-3): the window persons of the operators using a system of the site's provider,
    as they hold its permission-management system on the day."""
    system = console(catalog)
    if system is None:
        return []
    return [p for p in people if p.window_person and system in p.permissions]


def subscriber_changes(catalog: Catalog, rows: Iterable[DatedChange]) -> list[DatedChange]:
    """What the reception centre does on the site, each on its own day: register a new
    window person's address provisionally, remove a leaver's (000 §7-3 (1) ①, (3) ①).
    Both are part of handling the usage application that names or drops the person (「第３章
    本システムの利用申請」の業務処理フローにおいて), so each takes the day of the change to
    the permission-management system (a termination's: its ``terminated_on``)."""
    system = console(catalog)
    found = [
        r
        for r in rows
        if r.change.system == system
        and r.change.kind in (ChangeKind.ADD, ChangeKind.REMOVE)
        and not r.directory_only
    ]
    return sorted(found, key=lambda r: (r.change.person.operator, r.change.person.login))


def pages(reg: Registry, access: Access) -> dict[str, tuple[str, ...]]:
    """Login → the site's pages its holder may read: the common page, and each system page
    of a system the holder's operator uses. A holder whose access to the site is suspended
    reads none."""
    info = site(reg.catalog)
    if info is None:
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for login, holder in access.items():
        if info.id not in holder.permissions or holder.is_suspended(info.id):
            continue
        entry = reg.operators.get(holder.operator)
        using = set(entry.operator.systems) if entry else set()
        suspended = {s.system for s in entry.operator.suspensions} if entry else set()
        found[login] = (COMMON_PAGE, *(p for p in info.pages if p in using - suspended))
    return found


SUBSCRIBERS = "info_site/subscribers.csv"
SUBSCRIBER_DELTA = "info_site/subscribers-delta.csv"
SUBSCRIBER_HEADER = (OPERATOR_CODE, OPERATOR_NAME, "システム窓口責任者", "連絡先メールアドレス")
DELTA_HEADER = ("区分", "実施日", "本登録の期限", *SUBSCRIBER_HEADER)
KIND_LABELS = {ChangeKind.ADD: "仮登録", ChangeKind.REMOVE: "抹消"}


def _cells(s: Holder) -> list[str]:
    return [s.operator, s.operator_name, s.name, s.email]


def subscribers_header(encoding: Encoding) -> bytes:
    return header_bytes(SUBSCRIBER_HEADER, encoding)


def subscriber_units(people: Iterable[Holder], encoding: Encoding) -> list[bytes]:
    """Each subscriber's row of ``info_site/subscribers.csv``, apart."""
    rows = ((_cells(s), s.file) for s in people)
    return table_units(SUBSCRIBERS, SUBSCRIBER_HEADER, rows, encoding)


def subscriber_delta_csv(changes: Iterable[DatedChange], encoding: Encoding) -> bytes:
    """Rows to act on, each on its day (実施日): an address to register provisionally, whose
    confirmation link lapses 7 days later, or one to remove. A day not known yet (after a
    manual step of the system operator) is left blank."""
    rows = []
    for row in changes:
        on = row.effective
        lapses = on + timedelta(days=CONFIRMATION_DAYS) if on is not None else None
        added = row.change.kind is ChangeKind.ADD
        when = [on.isoformat() if on else "", lapses.isoformat() if lapses and added else ""]
        cells = [KIND_LABELS[row.change.kind], *when, *_cells(row.change.person)]
        rows.append((cells, row.change.person.file))
    return table(SUBSCRIBER_DELTA, DELTA_HEADER, rows, encoding)


def _page_names(catalog: Catalog) -> list[str]:
    info = site(catalog)
    return [COMMON_PAGE, *(info.pages if info else ())]


def _pages_header(catalog: Catalog) -> list[str]:
    titles = [n if n == COMMON_PAGE else catalog.by_id[n].name_ja for n in _page_names(catalog)]
    return [LOGIN_ID, OPERATOR_CODE, *titles]


PAGES = "info_site/pages.csv"


def pages_header(catalog: Catalog, encoding: Encoding) -> bytes:
    return header_bytes(_pages_header(catalog), encoding)


def pages_rows(
    catalog: Catalog,
    people: Iterable[Holder],
    readable: dict[str, tuple[str, ...]],
    encoding: Encoding,
) -> bytes:
    """One row per reader among ``people``: あり / なし for each page (the file is its
    header, then the rows of each operator's readers in operator order)."""
    return b"".join(pages_units(catalog, people, readable, encoding))


def pages_units(
    catalog: Catalog,
    people: Iterable[Holder],
    readable: dict[str, tuple[str, ...]],
    encoding: Encoding,
) -> list[bytes]:
    """Each reader's row among ``people``, apart."""
    names = _page_names(catalog)
    rows = []
    for holder in people:
        shown = readable.get(holder.login)
        if shown is None:
            continue
        marks = ["あり" if n in shown else "なし" for n in names]
        rows.append(([holder.email, holder.operator, *marks], holder.file))
    return table_units(PAGES, _pages_header(catalog), rows, encoding)


def pages_csv(
    catalog: Catalog, access: Access, readable: dict[str, tuple[str, ...]], encoding: Encoding
) -> bytes:
    """One row per reader, by operator then login: あり / なし for each page."""
    body = b"".join(
        pages_rows(catalog, people, readable, encoding) for people in by_operator(access)
    )
    return pages_header(catalog, encoding) + body
