"""The loaded registry: every model with the file it came from. Immutable, no I/O."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain

from accessreg.model import CalendarFile, Catalog, MaintainersFile, Operator, User, layout
from accessreg.model.layout import Kind


@dataclass(frozen=True)
class OperatorEntry:
    file: str
    operator: Operator


@dataclass(frozen=True)
class UserEntry:
    file: str
    operator_code: str  # the directory the file is in
    user: User


def in_path_order(groups: Mapping[str, Iterable[UserEntry]]) -> tuple[UserEntry, ...]:
    """The users of ``groups`` (by operator code, each group in file order) in the order of
    their paths, as a load gives them (``users/<code>/…``: a code ends at its ``/``, and
    ``PROV-AB`` comes before ``PROV``)."""
    order = sorted(groups, key=lambda code: code + "/")
    return tuple(chain.from_iterable(groups[code] for code in order))


@dataclass(frozen=True)
class Registry:
    catalog: Catalog
    operators: dict[str, OperatorEntry]  # by the code in the file name
    users: tuple[UserEntry, ...]
    maintainers: MaintainersFile | None = None
    calendar: CalendarFile | None = None
    files: frozenset[str] = frozenset()  # every file present, parsed or not
    broken: frozenset[str] = frozenset()  # files that did not load (their problems are reported)
    # Entries that stand where a file would but are none (a submodule, a symbolic link: what
    # each is): never read, in ``broken`` and not in ``files``.
    irregular: Mapping[str, str] = field(default_factory=dict)
    # The users by operator code, each in file order: made from ``users`` when first asked
    # for, or given (``of_groups``). Not an init field, or `replace` would hand it over.
    _by_operator: Mapping[str, Sequence[UserEntry]] | None = field(
        default=None, init=False, compare=False, repr=False
    )

    @classmethod
    def of_groups(
        cls,
        catalog: Catalog,
        operators: dict[str, OperatorEntry],
        groups: Mapping[str, Sequence[UserEntry]],
        maintainers: MaintainersFile | None,
        calendar: CalendarFile | None,
        files: frozenset[str],
        broken: frozenset[str],
    ) -> Registry:
        """A registry whose users are those of ``groups`` (by operator code, each group in
        file order), in the order of their paths (``in_path_order``). Made from the groups
        of the registry before, a history's next registry does not go through every user
        one by one again: sorted, filtered and grouped at every merge, a first apply's
        history of 200,000 users in a hundred merges went through them 300 times."""
        made = cls(
            catalog=catalog,
            operators=operators,
            users=in_path_order(groups),
            maintainers=maintainers,
            calendar=calendar,
            files=files,
            broken=broken,
        )
        object.__setattr__(made, "_by_operator", groups)  # frozen: set once, as built
        return made

    def users_of(self, code: str) -> Sequence[UserEntry]:
        return self.groups().get(code, [])

    def holders(self, code: str, system: str, perm: str) -> set[str]:
        """The login IDs (lower case) of ``code``'s users holding ``perm`` on ``system``."""
        return {
            u.user.email.lower()
            for u in self.users_of(code)
            if u.user.permissions.get(system) == perm
        }

    def user_codes(self) -> set[str]:
        """The operator codes of its users (their directories), from the groups: a history's
        steps ask it of each registry on both sides."""
        return {code for code, users in self.groups().items() if users}

    def groups(self) -> Mapping[str, Sequence[UserEntry]]:
        """The users by operator code, each in file order: read-only in its type, as every
        caller shares it (``of_groups`` and a history's next registry take it over)."""
        if self._by_operator is None:
            found: dict[str, list[UserEntry]] = {}
            for entry in self.users:
                found.setdefault(entry.operator_code, []).append(entry)
            object.__setattr__(self, "_by_operator", found)  # frozen: filled once, as read
            return found
        return self._by_operator

    def iter_operators(self, only: Collection[str] | None = None) -> Iterator[OperatorEntry]:
        """The operators in code order; with ``only``, those whose code it holds (picked
        before they are ordered: a range's steps ask for a few of two thousand)."""
        entries: Iterable[OperatorEntry] = self.operators.values()
        if only is not None:
            entries = [e for e in entries if e.operator.code in only]
        return iter(sorted(entries, key=lambda e: e.operator.code))

    def maintainer_logins(self) -> frozenset[str]:
        if self.maintainers is None:
            return frozenset()
        return frozenset(m.github.lower() for m in self.maintainers.maintainers)


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for key, value in pairs:
        found.setdefault(key, set()).add(value)
    return {key: frozenset(values) for key, values in found.items()}


@dataclass(frozen=True)
class OperatorIndex:
    """What a pull request's plan and authorization need of every operator of a registry,
    without the operators: their window persons, the affiliations they declare and the
    operator files that do not load. Codes are those of the file names, except in
    ``window_emails`` (the code each file declares, as the plan's notes name it)."""

    window_emails: Mapping[str, frozenset[str]]  # a window person's e-mail (lower) → codes
    window_githubs: Mapping[str, frozenset[str]]  # a window person's GitHub login (lower) → codes
    github_emails: Mapping[str, frozenset[str]]  # GitHub login (lower) → e-mails (lower)
    affiliations: Mapping[str, frozenset[str]]  # affiliation → codes that declare it
    broken: frozenset[str]  # operator files that do not load
    # Code → the operator's name: a subcontractor or affiliation naming a registered
    # operator is shown with it.
    names: Mapping[str, str] = field(default_factory=dict)
    # The codes (as declared) of the operators that are not active: they grant nothing
    # (000 §3-3), their window persons hold no login ID.
    inactive: frozenset[str] = frozenset()

    @classmethod
    def of(cls, registry: Registry) -> OperatorIndex:
        broken = frozenset(r for r in registry.broken if layout.classify(r) is Kind.OPERATOR)
        return cls.of_entries(registry.operators, broken)

    @classmethod
    def of_entries(
        cls, operators: Mapping[str, OperatorEntry], broken: frozenset[str]
    ) -> OperatorIndex:
        items = sorted(operators.items())
        contacts = [(code, e.operator, c) for code, e in items for c in e.operator.contacts]
        return cls(
            window_emails=_grouped((c.email.lower(), op.code) for _, op, c in contacts),
            window_githubs=_grouped((c.github.lower(), code) for code, _, c in contacts),
            github_emails=_grouped((c.github.lower(), c.email.lower()) for _, _, c in contacts),
            affiliations=_grouped(
                (declared, code) for code, e in items for declared in e.operator.affiliations
            ),
            broken=broken,
            names={code: e.operator.name for code, e in items},
            inactive=frozenset(e.operator.code for _, e in items if e.operator.status != "active"),
        )

    def declarers(self, code: str) -> frozenset[str]:
        """The operators that declare ``code`` as their subcontractor, other than ``code``
        itself: the code names another company in their users' affiliations (000 §5-1
        note 2), so a new operator does not take it (``authorize``'s code-declared, and the
        edits that register an operator or move an applicant to its code)."""
        return self.affiliations.get(code, frozenset()) - {code}

    def with_operators(self, operators: Mapping[str, OperatorEntry]) -> OperatorIndex:
        """This index with ``operators`` added (operators it does not hold yet)."""
        if not operators:
            return self
        more = OperatorIndex.of_entries(operators, frozenset())
        return OperatorIndex(
            window_emails=_merged(self.window_emails, more.window_emails),
            window_githubs=_merged(self.window_githubs, more.window_githubs),
            github_emails=_merged(self.github_emails, more.github_emails),
            affiliations=_merged(self.affiliations, more.affiliations),
            broken=self.broken,
            names={**self.names, **more.names},
            inactive=self.inactive | more.inactive,
        )


def _merged(
    one: Mapping[str, frozenset[str]], other: Mapping[str, frozenset[str]]
) -> dict[str, frozenset[str]]:
    return {key: one.get(key, frozenset()) | other.get(key, frozenset()) for key in {*one, *other}}


def given_up(before: Registry, after: Registry, code: str, system: str, perm: str) -> set[str]:
    """The login IDs of ``code``'s users who held ``perm`` on ``system`` and give it up in a
    change: granted to another in the same change, it is a change of admin (002 §3.2.2),
    not the admin ID issued anew (§3.2.1, once only). The one reading of a handover's
    former side: the plan's application and flags, the edit and ``authorize``."""
    return before.holders(code, system, perm) - after.holders(code, system, perm)


def taken_over(
    before: Registry, after: Registry, code: str, granted: Mapping[str, str]
) -> frozenset[str]:
    """The systems of ``granted`` (system id → the code a user of ``code`` is given) on
    which the user takes over an admin ID issued once from another user who gives it up in
    the same change (``given_up``): a change of admin (002 §3.2.2)."""
    return frozenset(
        system_id
        for system_id, perm in granted.items()
        if after.catalog.issued_once(system_id, perm)
        and given_up(before, after, code, system_id, perm)
    )


def handed_on(
    before: Registry, after: Registry, code: str, held: Mapping[str, str]
) -> frozenset[str]:
    """The systems of ``held`` (system id → the code a user of ``code`` held) whose admin ID,
    issued once, another user of ``code`` takes in the same change: the other side of
    ``taken_over``."""
    return frozenset(
        system_id
        for system_id, perm in held.items()
        if before.catalog.issued_once(system_id, perm)
        and after.holders(code, system_id, perm) - before.holders(code, system_id, perm)
    )


@dataclass(frozen=True)
class SuspendedHandover:
    """An admin ID (``perm`` on ``system``, issued once) handed on from ``former``, whose ID
    is suspended, to a user who is not."""

    system: str
    perm: str
    former: User


def suspended_handovers(
    before: Registry, after: Registry, code: str, user: User
) -> tuple[SuspendedHandover, ...]:
    """The admin IDs ``user`` (a user of ``code`` in ``after``, not suspended there) takes
    over from a user of ``code`` suspended in ``before`` who gives them up in the same change
    (a change of admin, 002 §3.2.2; ``taken_over``): the ID goes on unsuspended, which lifts
    the suspension, the system's operator's decision alone (001 p46, 002 §3.4.4). The
    authorization, the edit and the plan read this."""
    if user.suspended_on is not None:
        return ()
    found = []
    for system_id, perm in user.permissions.items():
        if not after.catalog.issued_once(system_id, perm):
            continue
        gone = given_up(before, after, code, system_id, perm)
        found += [
            SuspendedHandover(system_id, perm, u.user)
            for u in before.users_of(code)
            if u.user.suspended_on is not None and u.user.email.lower() in gone
        ]
    return tuple(found)


def admin_change(before: Registry, after: Registry, code: str, granted: Mapping[str, str]) -> bool:
    """Whether a new user of ``code`` given ``granted`` is the change of admin (002 §3.2.2)
    rather than the permission set (000 §5-1): they only take over admin IDs another user
    gives up (``taken_over``). The plan's application and the edit's note both read this."""
    return bool(granted) and taken_over(before, after, code, granted) == set(granted)


def admin_leaves(before: Registry, after: Registry, code: str, held: Mapping[str, str]) -> bool:
    """Whether a user of ``code`` deleted with ``held`` is the admin leaving in a change of
    admin (002 §3.2.2), not a permission deletion (000 §5-3): all they held is admin IDs
    another user takes in the same change (``handed_on``). The plan and the edit read this."""
    return bool(held) and handed_on(before, after, code, held) == set(held)
