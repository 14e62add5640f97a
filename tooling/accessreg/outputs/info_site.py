"""The info-sharing site (託送情報共有サイト, 000 §7): who is told of its updates, and which
of its pages each user may read.

Update notices go to the window persons' registered addresses (000 §7-3): the reception
centre registers an address provisionally, the site mails it a link valid for 7 days, and
the window person completes the registration; an address is removed when its person leaves
the role. Each apply lists the subscribers and what changed since the last (to register
provisionally, to remove).

The site has a common page, and a page per system that only users of operators using that
system may read; the API page only users of operators using the 託送API (000 §7-2). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from accessreg.model import Catalog, Operator, System
from accessreg.model.changes import ChangeKind
from accessreg.model.registry import Registry
from accessreg.outputs.access import Access, Holder, by_operator
from accessreg.outputs.csv_ import (
    LOGIN_ID,
    OPERATOR_CODE,
    OPERATOR_NAME,
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


@dataclass(frozen=True)
class Subscriber:
    """A window person's address registered for the site's update notices."""

    email: str
    name: str
    operator: str
    operator_name: str
    file: str

    @property
    def key(self) -> str:
        return self.email.lower()


def _uses_provider(op: Operator, catalog: Catalog, provider: str) -> bool:
    return any(
        (s := catalog.by_id.get(sid)) is not None and s.derived is None and s.provider == provider
        for sid in op.systems
    )


def subscribers(reg: Registry) -> dict[str, Subscriber]:
    """The window persons of active operators using a system of the site's provider, by
    address in lower case (one registration per address)."""
    info = site(reg.catalog)
    found: dict[str, Subscriber] = {}
    if info is None:
        return found
    for entry in reg.iter_operators():
        op = entry.operator
        if op.status != "active" or not _uses_provider(op, reg.catalog, info.provider):
            continue
        for contact in op.contacts:
            person = Subscriber(contact.email, contact.name, op.code, op.name, entry.file)
            found.setdefault(person.key, person)
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class SubscriberChange:
    kind: ChangeKind  # ADD: register provisionally; REMOVE: remove the address
    subscriber: Subscriber


def subscriber_changes(
    before: dict[str, Subscriber], after: dict[str, Subscriber]
) -> list[SubscriberChange]:
    """What the reception centre does on the site: register new addresses provisionally,
    remove those whose person left the role (000 §7-3 (1) ①, (3) ①)."""
    changes = [SubscriberChange(ChangeKind.ADD, s) for k, s in after.items() if k not in before]
    changes += [SubscriberChange(ChangeKind.REMOVE, s) for k, s in before.items() if k not in after]
    return sorted(changes, key=lambda c: (c.subscriber.operator, c.subscriber.key))


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


SUBSCRIBER_HEADER = (OPERATOR_CODE, OPERATOR_NAME, "システム窓口責任者", "連絡先メールアドレス")
DELTA_HEADER = ("区分", "仮登録日", "本登録の期限", *SUBSCRIBER_HEADER)
KIND_LABELS = {ChangeKind.ADD: "仮登録", ChangeKind.REMOVE: "抹消"}


def _cells(s: Subscriber) -> list[str]:
    return [s.operator, s.operator_name, s.name, s.email]


def subscribers_csv(people: Iterable[Subscriber], encoding: Encoding) -> bytes:
    rows = ((_cells(s), s.file) for s in people)
    return table("info_site/subscribers.csv", SUBSCRIBER_HEADER, rows, encoding)


def subscriber_delta_csv(
    changes: Iterable[SubscriberChange], day: date, encoding: Encoding
) -> bytes:
    """Rows to act on: an address to register provisionally on ``day``, whose confirmation
    link lapses 7 days later, or one to remove."""
    rows = []
    for change in changes:
        added = change.kind is ChangeKind.ADD
        when = [day.isoformat(), (day + timedelta(days=CONFIRMATION_DAYS)).isoformat()]
        cells = [KIND_LABELS[change.kind], *(when if added else ["", ""])]
        rows.append(([*cells, *_cells(change.subscriber)], change.subscriber.file))
    return table("info_site/subscribers-delta.csv", DELTA_HEADER, rows, encoding)


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
