"""Who may propose what: the core of ``accessreg authorize``. Pure: snapshots are loaded.

Authority comes from the **base** revision only (the branch the change goes into): nobody
can add themselves as a window person and act on it in the same pull request. What changed
comes from the merge base to the head, both sides of every rename and copy included.

An operator file that exists at the base but does not load there (a catalog change retired
one of its systems, say) is not a new operator: authority over it comes from the last
revision where it loaded (``recovered``), and without one only a maintainer may touch it.

The rules are rules of the one framework (``rules.base``): each is a function plus one line
in ``RULES``, its docstring is its documentation (docs/rules.md), and its problems are the
located ``Problem`` that ``validate`` reports too. An error refuses the path; a warning allows
it but asks for a maintainer's review.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TypeAlias

from accessreg.files.sources import irregular_message
from accessreg.model import layout
from accessreg.model.commits import PathChange
from accessreg.model.layout import Kind
from accessreg.model.messages import Message, msg
from accessreg.model.operator import Operator
from accessreg.model.problems import Level, Problem
from accessreg.model.registry import (
    OperatorIndex,
    Registry,
    SuspendedHandover,
    UserEntry,
    given_up,
    suspended_handovers,
)
from accessreg.plan import attention
from accessreg.plan.history import Returning
from accessreg.plan.issued import issued_codes
from accessreg.plan.model import MassRemoval
from accessreg.rules.base import Rule, finding, rule, run_rules


@dataclass(frozen=True)
class AuthContext:
    actor: str
    changes: tuple[PathChange, ...]
    authority: Registry  # at the base revision: operators and maintainers
    before: Registry  # at the merge base: operators and the changed files
    after: Registry  # at the head: operators and the changed files
    # Login ID → operators with a user file of that name at the merge base (at least for
    # every login ID of a user file the change adds).
    logins_before: Mapping[str, frozenset[str]]
    # Operators whose file does not load at the base: the revision their authority comes
    # from instead (the last where the file loaded; ``authority`` holds that version), or
    # None when there is none and only maintainers may touch them.
    recovered: Mapping[str, str | None] = field(default_factory=dict)
    # Every operator of ``authority``, when it holds only those the change touches.
    authority_index: OperatorIndex | None = None
    # The day of the application (None: not judged by date).
    today: date | None = None
    # What the change adds back that was suspended when last in the registry.
    returning: Returning = field(default_factory=Returning)
    # What the changed files that do not load at the merge base still hold
    # (``plan.history.held_back``): a suspension beside an error is still a suspension.
    held: Registry | None = None
    # The login IDs the change removes, when the merge's run would refuse them as a mass
    # removal (``review.pullrequest.mass_removal``).
    mass_removal: MassRemoval | None = None

    @cached_property
    def index(self) -> OperatorIndex:
        if self.authority_index is not None:
            return self.authority_index
        return OperatorIndex.of(self.authority)

    @cached_property
    def login(self) -> str:
        return self.actor.lower()

    @cached_property
    def is_maintainer(self) -> bool:
        return self.login in self.authority.maintainer_logins()

    def window_person_of(self, registry: Registry, code: str) -> bool:
        entry = registry.operators.get(code)
        return entry is not None and any(
            c.github.lower() == self.login for c in entry.operator.contacts
        )

    @cached_property
    def acts_for(self) -> tuple[str, ...]:
        """The operators the actor is a window person of, at the base revision."""
        return tuple(sorted(self.index.window_githubs.get(self.login, ())))

    @cached_property
    def paths(self) -> tuple[str, ...]:
        return tuple(sorted({p for c in self.changes for p in c.paths}))

    @cached_property
    def new_operators(self) -> frozenset[str]:
        """Operators whose file this change adds and that neither the base nor the merge
        base has, loaded or not: a file that exists but does not load is no new operator."""
        return frozenset(
            code
            for path in self.paths
            if (rel := layout.registry_rel(path)) is not None
            and layout.classify(rel) is Kind.OPERATOR
            and (code := layout.operator_of(rel)) is not None
            and rel not in self.authority.files
            and rel not in self.before.files
            and code in self.after.operators
        )

    @cached_property
    def code_issued(self) -> dict[str, str]:
        """Provisional keys whose files move to the operator code OCCTO issued (003 §2.2),
        as the plan and the merge pair them (``plan.issued``)."""
        return issued_codes(self.before, self.after)

    @cached_property
    def provisional_keys(self) -> dict[str, str]:
        """The other way round: the operator code → the provisional key it had."""
        return {code: key for key, code in self.code_issued.items()}

    def moves_to_its_code(self, old: str, new: str) -> bool:
        return self.code_issued.get(old) == new

    def former_path(self, change: PathChange) -> str:
        """The path whose file at the merge base ``change``'s file continues: the other side
        of a rename or copy; for a file an applicant's move to its code adds (``code_issued``)
        where git saw no rename, the same operator's file or login ID's user file under its
        provisional key; else its own path. A suspension moves with it, it is not lifted."""
        if change.old_path is not None:
            return change.old_path
        owner = _operator_data(change.path)
        key = self.provisional_keys.get(owner[0]) if owner else None
        if change.status != "A" or owner is None or key is None:
            return change.path
        if owner[1] is Kind.OPERATOR:
            return layout.repo_path(layout.operator_file(key))
        user = self.user_after(change.path)
        login = user.user.email.lower() if user else None
        for entry in self.before.users_of(key):
            if entry.user.email.lower() == login:
                return layout.repo_path(entry.file)
        return change.path

    def authority_of(self, code: str) -> Message:
        """Where authority over ``code`` comes from, for messages."""
        if code not in self.recovered:
            return msg("in the current registry")
        rev = self.recovered[code]
        if rev is None:
            return msg("its file loads neither in the current registry nor in its recent versions")
        return msg("as of {rev}, the last revision where its file loaded", rev=rev[:12])

    @cached_property
    def _users_before(self) -> dict[str, UserEntry]:
        return {u.file: u for u in self.before.users}

    @cached_property
    def _users_after(self) -> dict[str, UserEntry]:
        return {u.file: u for u in self.after.users}

    def user_before(self, path: str | None) -> UserEntry | None:
        rel = layout.registry_rel(path) if path else None
        return self._users_before.get(rel) if rel else None

    def user_after(self, path: str | None) -> UserEntry | None:
        rel = layout.registry_rel(path) if path else None
        return self._users_after.get(rel) if rel else None


def _operator_data(path: str) -> tuple[str, Kind] | None:
    """(operator code, kind) for an operator's or a user's file, else None."""
    rel = layout.registry_rel(path)
    if rel is None:
        return None
    kind = layout.classify(rel)
    code = layout.operator_of(rel)
    if kind in (Kind.OPERATOR, Kind.USER) and code is not None:
        return code, kind
    return None


# Authorization's rules: rules of the one framework over an AuthContext.
AuthRule: TypeAlias = Rule[[AuthContext]]


@rule("maintainers-only", "-")
def maintainers_only(ctx: AuthContext) -> Iterator[Problem]:
    """Only a maintainer may change a path that is not an operator's or a user's file.

    Default deny: the catalog, the calendar, the maintainers' list, schemas, tooling,
    workflows, CODEOWNERS, the README, tests and anything else.
    """
    if ctx.is_maintainer:
        return
    for path in ctx.paths:
        if _operator_data(path) is None:
            yield finding(
                path,
                msg(
                    "Only a maintainer may change this file: ask the reception centre to make "
                    "this change, or leave the file out"
                ),
            )


@rule("not-a-file", "-")
def not_a_file(ctx: AuthContext) -> Iterator[Problem]:
    """A change makes a path of the registry a submodule entry (a gitlink) or a symbolic
    link: refused, whoever proposes it.

    The checks, the plan and the outputs read files only: such an entry would be applied
    for while nothing judged or showed it (`file-type`).
    """
    for change in ctx.changes:
        rel = layout.registry_rel(change.path)
        what = ctx.after.irregular.get(rel) if rel is not None and change.status != "D" else None
        if what is not None:
            yield finding(change.path, irregular_message(what))


@rule("operator-files", "000 §2-4, §2-7")
def operator_files(ctx: AuthContext) -> Iterator[Problem]:
    """Only a window person of operator X (at the base revision) or a maintainer may change
    X's files: ``registry/operators/X.yaml`` and ``registry/users/X/**``.

    Both sides of a rename count: moving a file out of X changes X. When X's file exists at
    the base but does not load there (a catalog change retired one of its systems, say), its
    window persons are those of the last revision where it loaded, along the base branch's
    first parents; when no recent revision loads it, only a maintainer may change X.
    """
    if ctx.is_maintainer:
        return
    for path in ctx.paths:
        owner = _operator_data(path)
        if owner is None or owner[0] in ctx.new_operators:
            continue
        code = owner[0]
        if not ctx.window_person_of(ctx.authority, code):
            yield finding(
                path,
                msg(
                    "Only a window person of {code} ({when}) or a maintainer may change this "
                    "file: ask {code}'s window person to apply",
                    code=code,
                    when=ctx.authority_of(code),
                ),
            )


@rule("new-operator", "000 §3-1", level=Level.WARNING)
def new_operator(ctx: AuthContext) -> Iterator[Problem]:
    """A new operator's files may be added by anyone among its own window persons; a
    maintainer must review them (the usage application of 000 §3-1).

    An operator is new when neither the base nor the merge base has its file, whether or
    not that file loads there: repairing a file that no longer loads is a change of an
    existing operator, judged by `operator-files`. An applicant held under a provisional key
    moving to its code is told as that move: a maintainer checks with OCCTO that it issued
    the code to the applicant (003 §2.2).
    """
    for path in ctx.paths:
        owner = _operator_data(path)
        if owner is None or owner[0] not in ctx.new_operators:
            continue
        if not (ctx.window_person_of(ctx.after, owner[0]) or ctx.is_maintainer):
            continue
        key = ctx.provisional_keys.get(owner[0])
        if key is not None:  # no new operator: its code (003 §2.2)
            said = msg(
                "{key} moves to the operator code {code}: a maintainer checks with OCCTO that "
                "it issued this code to the applicant (003 §2.2)",
                key=key,
                code=owner[0],
            )
        else:
            said = msg(
                "A new operator {code}: a maintainer must review the usage application "
                "(roles, systems, OCCTO membership, privacy policy page)",
                code=owner[0],
            )
        yield finding(path, said)


@rule("code-declared", "000 §5-1 note 2, 003 §2.2")
def code_declared(ctx: AuthContext) -> Iterator[Problem]:
    """A new operator, or an applicant moving to the operator code OCCTO issued, takes a
    code another operator declares as its subcontractor.

    Its users' affiliation would name the other operator's subcontractor. The code is
    checked with OCCTO (003 §2.2), or the declaring operator corrects its subcontractor
    first; once the new operator is registered, the other may declare it as its
    subcontractor again (`subcontractor-operator`). `operator new` and `operator
    issue-code`, and their forms, refuse it before anything else.
    """
    for path in ctx.paths:
        owner = _operator_data(path)
        if owner is None or owner[1] is not Kind.OPERATOR or owner[0] not in ctx.new_operators:
            continue
        holders = ctx.index.declarers(owner[0])
        if holders:
            yield finding(
                path,
                msg(
                    "The operator code {code} is already declared by {holders} as a "
                    "subcontractor: check the code with OCCTO (003 §2.2), or have {holders} "
                    "correct its subcontractor first",
                    code=owner[0],
                    holders=tuple(sorted(holders)),
                ),
            )


@rule("new-operator-contact", "000 §2-4, §3-1")
def new_operator_contact(ctx: AuthContext) -> Iterator[Problem]:
    """Whoever adds a new operator must be among the window persons its file names.

    Window persons are matched by the GitHub account written for them. A usage application
    is filed by the operator's own window person (000 §2-4), not by another operator's on
    its behalf.
    """
    for path in ctx.paths:
        owner = _operator_data(path)
        if owner is None or owner[0] not in ctx.new_operators or ctx.is_maintainer:
            continue
        if ctx.window_person_of(ctx.after, owner[0]):
            continue
        # Another operator's window person is told to leave it to the new one's own, not to
        # name themselves, which would make them that company's window person.
        theirs = ctx.acts_for
        yield finding(
            path,
            msg(
                "{actor} is a window person of {theirs}, not of the new operator {code}: "
                "{code}'s usage application is filed by its own window person, with the "
                "GitHub account written for them in it; ask {code}'s window person to file "
                "it (only if you are {code}'s window person too, write your GitHub account "
                "as that window person's)",
                actor=ctx.actor,
                theirs=theirs,
                code=owner[0],
            )
            if theirs
            else msg(
                "{actor} is not among the window persons of the new operator {code}: "
                "{code}'s usage application is filed by its own window person, with the "
                "GitHub account written for them in it; if you are {code}'s window person, "
                "write your GitHub account as that window person's, otherwise ask {code}'s "
                "window person to file it",
                actor=ctx.actor,
                code=owner[0],
            ),
        )


def _user_sides(
    ctx: AuthContext,
) -> tuple[list[tuple[str, UserEntry]], list[tuple[str, UserEntry]]]:
    """Users whose file leaves (deleted, renamed away) and arrives (added, renamed, copied)."""
    leaving: list[tuple[str, UserEntry]] = []
    arriving: list[tuple[str, UserEntry]] = []
    for change in ctx.changes:
        if change.status == "R" and (entry := ctx.user_before(change.old_path)) is not None:
            leaving.append((change.old_path or "", entry))
        if change.status == "D" and (entry := ctx.user_before(change.path)) is not None:
            leaving.append((change.path, entry))
        elif change.status in ("A", "C", "R") and (entry := ctx.user_after(change.path)):
            arriving.append((change.path, entry))
    return leaving, arriving


@rule("user-move", "000 §5-1, §5-3")
def user_move(ctx: AuthContext) -> Iterator[Problem]:
    """A user's file moves or is copied from one operator to another.

    A person changing company is a removal by one operator and an addition by the other,
    two applications. Found by git's rename and copy detection and, whatever the file is
    called or how much it was edited, by login ID: one that leaves operator X and arrives
    at Y, or arrives at Y while X still has it. An applicant held under a provisional key
    moving, operator file and users together, to the code OCCTO issued is the same operator
    (003 §2.2).
    """
    for change in ctx.changes:
        if change.old_path is None:
            continue
        old, new = _operator_data(change.old_path), _operator_data(change.path)
        if old and new and old[1] is Kind.USER and new[1] is Kind.USER and old[0] != new[0]:
            if ctx.moves_to_its_code(old[0], new[0]):
                continue
            for path in change.paths:
                yield finding(
                    path,
                    msg(
                        "A user file moved from {old} to {new}: remove the user in one "
                        "application and add them in another",
                        old=old[0],
                        new=new[0],
                    )
                    if change.status == "R"
                    else msg(
                        "A user file copied from {old} to {new}: one person holds one login "
                        "ID at one operator; add the user at {new} only after {old} removes "
                        "them",
                        old=old[0],
                        new=new[0],
                    ),
                )
    leaving, arriving = _user_sides(ctx)
    left = {entry.user.email.lower(): (path, entry.operator_code) for path, entry in leaving}
    for path, entry in arriving:
        login = entry.user.email.lower()
        if login in left and ctx.moves_to_its_code(left[login][1], entry.operator_code):
            continue
        if login in left and left[login][1] != entry.operator_code:
            for where in (left[login][0], path):
                yield finding(
                    where,
                    msg(
                        "The login ID {login} leaves {old} and arrives at {new} in the same "
                        "change: remove the user in one application and add them in another",
                        login=login,
                        old=left[login][1],
                        new=entry.operator_code,
                    ),
                )
            continue
        others = ctx.logins_before.get(login, frozenset()) - {entry.operator_code}
        if others:
            # Whose user it is stays untold: the filer needs only to know it is taken.
            yield finding(
                path,
                msg(
                    "The login ID {login} is another operator's user: it cannot be added to "
                    "{code} as well; apply with another e-mail address of the person, or once "
                    "that operator has applied for the deletion of their user permissions",
                    login=entry.user.email,
                    code=entry.operator_code,
                ),
            )


@rule("affiliation-foreign", "000 §5-1 note 2, 002 §2.3")
def affiliation_foreign(ctx: AuthContext) -> Iterator[Problem]:
    """A user's new affiliation is another operator, or another operator's subcontractor
    that this operator did not declare at the base revision.
    """
    foreign = ctx.index.affiliations
    for change in ctx.changes:
        if change.status == "D":
            continue
        entry = ctx.user_after(change.path)
        if entry is None:
            continue
        # The file it continues: an applicant's staff moving to its issued code keep the
        # subcontractor they belonged to, whether or not git saw the rename.
        was = ctx.user_before(ctx.former_path(change))
        affiliation = entry.user.affiliation
        if was is not None and was.user.affiliation == affiliation:
            continue
        own = ctx.authority.operators.get(entry.operator_code)
        if own is not None and affiliation in own.operator.affiliations:
            continue
        if affiliation == entry.operator_code and affiliation in ctx.new_operators:
            continue  # a new operator's own code: told on its file (code-declared)
        holders = foreign.get(affiliation, frozenset()) - {entry.operator_code}
        if holders:
            yield finding(
                change.path,
                msg(
                    "The affiliation {affiliation} belongs to {holders}, not to {code}: write "
                    "{code} or a subcontractor {code} declares",
                    affiliation=affiliation,
                    holders=tuple(sorted(holders)),
                    code=entry.operator_code,
                ),
                ("affiliation",),
            )


@rule("subcontractor-operator", "000 §5-1 note 2, 002 §2.3", level=Level.WARNING)
def subcontractor_operator(ctx: AuthContext) -> Iterator[Problem]:
    """An operator declares another registered operator's code as its subcontractor, or
    enters a user as belonging to one: allowed, but a maintainer checks it with that
    operator.

    A subcontractor is a third party the operator entrusts its work to (002 §2.3.1), which a
    registered operator may be; but only that operator can confirm it, and its code then
    lets the declaring operator's users appear as its staff.
    """
    names = ctx.index.names
    for change in ctx.changes:
        if change.status == "D":
            continue
        rel = layout.registry_rel(change.path)
        new = _operator_in(ctx.after, rel) if rel else None
        if rel is not None and new is not None:
            old = _operator_in(ctx.before, layout.registry_rel(change.old_path or "") or rel)
            held = {s.code for s in old.subcontractors} if old else set()
            for sub in new.subcontractors:
                if sub.code not in held and sub.code != new.code and sub.code in names:
                    yield finding(change.path, _entrusted(sub.code, names[sub.code], new.code))
        entry = ctx.user_after(change.path)
        if entry is None:
            continue
        affiliation, code = entry.user.affiliation, entry.operator_code
        was = ctx.user_before(change.old_path or change.path)
        if affiliation == code or affiliation not in names:
            continue
        if was is not None and was.user.affiliation == affiliation:
            continue
        own = ctx.authority.operators.get(code)
        if own is not None and affiliation in own.operator.affiliations:  # else foreign
            yield finding(change.path, _entrusted(affiliation, names[affiliation], code))


def _entrusted(code: str, name: str, operator: str) -> Message:
    return msg(
        "{code} is the registered operator {name}: a maintainer checks with it that it does "
        "{operator}'s work under contract before its staff are entered as {operator}'s users",
        code=code,
        name=name,
        operator=operator,
    )


Suspended = tuple[str, str | None, str | None]  # since when; the serial or the system


def _suspensions(registry: Registry, rel: str) -> dict[Message, Suspended]:
    """Every suspension in a registry file: what is suspended → since when, and the serial
    when it is a certificate's, the system when it is the use of one."""
    found: dict[Message, Suspended] = {}
    if layout.classify(rel) is Kind.OPERATOR:
        op = _operator_in(registry, rel)
        for s in op.suspensions if op else ():
            what = msg("the use of {system}", system=registry.catalog.named(s.system))
            found[what] = (str(s.suspended_on), None, s.system)
        for c in op.certificates if op else ():
            if c.suspended_on is not None:
                what = msg("certificate {serial}", serial=c.serial)
                found[what] = (str(c.suspended_on), c.serial, None)
    else:
        user = next((u.user for u in registry.users if u.file == rel), None)
        if user is not None and user.suspended_on is not None:
            found[_the_id(user.email)] = (str(user.suspended_on), None, None)
    return found


def _operator_in(registry: Registry, rel: str) -> Operator | None:
    """The operator whose file ``rel`` is, as ``registry`` holds it."""
    entry = registry.operators.get(layout.operator_of(rel) or "")
    return entry.operator if entry is not None and entry.file == rel else None


def _lifted(ctx: AuthContext, change: PathChange, rel: str) -> Iterator[Message]:
    """The suspensions a changed file lifts: one it held that it no longer holds as it was
    (a certificate it removes is revoked, not lifted), a login ID or certificate it adds
    back that was suspended when it was last in the registry (``plan.history``), and a
    suspended admin's ID a user of the file takes over (``registry.suspended_handovers``)."""
    # Both sides of a rename: a suspension moves with its file, it is not lifted.
    old_rel = layout.registry_rel(ctx.former_path(change)) or rel
    before, after = _suspensions(ctx.before, old_rel), _suspensions(ctx.after, rel)
    if ctx.held is not None and old_rel in ctx.before.broken:
        before = {**_suspensions(ctx.held, old_rel), **before}
    user = ctx.user_after(change.path) if layout.classify(rel) is Kind.USER else None
    handed: dict[Message, Message] = {}  # the former admin's ID → the handover, told
    if user is not None:
        for h in suspended_handovers(ctx.before, ctx.after, user.operator_code, user.user):
            handed[_the_id(h.former.email)] = _handed_on(ctx.after, h, user.user.email)
    op = _operator_in(ctx.after, rel)
    kept = {c.serial for c in op.certificates} if op else set()
    using = set(op.systems) if op else set()
    for what, (since, serial, system) in sorted(before.items()):
        if serial is not None and serial not in kept:
            continue  # the certificate removed: that only narrows access
        if system is not None and op is not None and system not in using:
            continue  # the system given up (a withdrawal, a usage change): it ends stopped
        # The former admin's file that git sees renamed to the new admin's: told as the
        # handover it is.
        if after.get(what, ("", None, None))[0] != since and what not in handed:
            yield _lifting(what, since)
    if layout.classify(rel) is Kind.USER:
        if user is not None and ctx.user_before(ctx.former_path(change)) is None:
            login = user.user.email.lower()
            if (was := ctx.returning.lifts("login", login, user.user.suspended_on)) is not None:
                yield _lifting(_the_id(login), str(was.since), added=True)
        yield from handed.values()
        return
    old = _operator_in(ctx.before, old_rel)
    held = {c.serial for c in old.certificates} if old else set()
    for cert in op.certificates if op else ():
        if cert.serial in held:
            continue
        if (was := ctx.returning.lifts("serial", cert.serial, cert.suspended_on)) is not None:
            what = msg("certificate {serial}", serial=cert.serial)
            yield _lifting(what, str(was.since), added=True)
    if op is None:
        return
    used = set(old.systems) if old else set()
    for system in sorted(set(op.systems) - used):
        stopped = next((s.suspended_on for s in op.suspensions if s.system == system), None)
        if (was := ctx.returning.lifts("use", f"{op.code}/{system}", stopped)) is not None:
            what = msg("the use of {system}", system=ctx.after.catalog.named(system))
            yield _lifting(what, str(was.since), added=True)


def _the_id(login: str) -> Message:
    return msg("the ID {login}", login=login.lower())


def _lifting(what: Message, since: str, added: bool = False) -> Message:
    if added:
        return msg(
            "{what} was suspended (since {since}) when it was last in the registry: adding it "
            "again lifts the suspension, which only a maintainer does once the system's "
            "operator has decided; add it with its suspended_on as it was, or ask the "
            "reception centre",
            what=what,
            since=since,
        )
    return msg(
        "The suspension of {what} (since {since}) is lifted only by a maintainer, once the "
        "system's operator has decided: leave it as it is",
        what=what,
        since=since,
    )


def _handed_on(registry: Registry, handover: SuspendedHandover, email: str) -> Message:
    return msg(
        "The ID of {former} is suspended (since {since}): handing its admin ID on {system} "
        "({perm}) to {email} lifts the suspension, which only a maintainer does once the "
        "system's operator has decided; have the system's operator lift the suspension "
        "first, or ask the reception centre to file this change of admin",
        former=handover.former.email,
        since=str(handover.former.suspended_on),
        system=registry.catalog.named(handover.system),
        perm=handover.perm,
        email=email,
    )


@rule("maintainer-fields", "000 §2-2; 001 p46; 002 §3.2.1, §3.2.2, §3.4.4")
def maintainer_fields(ctx: AuthContext) -> Iterator[Problem]:
    """Only a maintainer may record what the system's operator decides: an approval without
    the role (`approvals`, 000 §2-2), an admin-ID reissue (`admin_reissues`, 002 §3.2.1),
    and the lifting of a suspension.

    A window person may request a suspension of their own operator's certificates, IDs or
    use of a system, and may remove a suspended certificate or user (it only narrows
    access), or give up a system whose use is suspended, with its suspension (the use ends
    stopped, as in an OCCTO withdrawal); lifting one is the system operator's decision
    after it has investigated (001 p46). Adding back a login ID, a certificate or a
    system's use that was suspended when it was last in the registry, without its
    suspension, lifts it too, and so does a change of admin (002 §3.2.2) that hands a
    suspended admin's ID on to a user who is not suspended.
    """
    if ctx.is_maintainer:
        return
    for change in ctx.changes:
        rel = layout.registry_rel(change.path)
        if rel is None or layout.classify(rel) not in (Kind.OPERATOR, Kind.USER):
            continue
        if change.status == "D":
            continue  # removing the whole file is a deletion, judged as such
        new = _operator_in(ctx.after, rel)
        if new is not None:
            old = ctx.before.operators.get(layout.operator_of(rel) or "")
            was = old.operator if old is not None else None
            for name in ("approvals", "admin_reissues"):
                if getattr(new, name) != (getattr(was, name) if was else ()):
                    yield finding(
                        change.path,
                        msg(
                            "Only a maintainer may change {field}: leave it as it is and ask "
                            "the reception centre",
                            field=name,
                        ),
                    )
        for message in _lifted(ctx, change, rel):
            yield finding(change.path, message)


@rule("suspension-date", "001 p46; 002 §2.4, §3.4.4")
def suspension_date(ctx: AuthContext) -> Iterator[Problem]:
    """A suspension the change writes (of a user ID, a certificate or the use of a system)
    is dated after the day of the application.

    The system's operator stops first, at once (001 p46: まずは停止します; 002 §2.4: 事前の
    通知や承諾なしに), so `suspended_on` is the day it stopped. A day to come would also
    hold back every later change of the same ID until then, its deletion included (a change
    of a user waits for the user's own change still to come), and no deletion may wait.
    """
    if ctx.today is None:
        return
    for change in ctx.changes:
        rel = layout.registry_rel(change.path)
        if change.status == "D" or rel is None:
            continue
        if layout.classify(rel) not in (Kind.OPERATOR, Kind.USER):
            continue
        old_rel = layout.registry_rel(ctx.former_path(change)) or rel
        before = _suspensions(ctx.before, old_rel)
        for what, (since, _, _) in sorted(_suspensions(ctx.after, rel).items()):
            if (
                before.get(what, ("", None, None))[0] != since
                and date.fromisoformat(since) > ctx.today
            ):
                yield finding(
                    change.path,
                    msg(
                        "The suspension of {what} is dated {since}, after the day of the "
                        "application ({today}): a suspension is made at once; write the day "
                        "it was stopped, today at the latest",
                        what=what,
                        since=since,
                        today=ctx.today,
                    ),
                )


@rule("admin-id-once", "002 §3.2.1, §3.2.2")
def admin_id_once(ctx: AuthContext) -> Iterator[Problem]:
    """An admin ID is issued again to an operator that already had its application.

    The switching support system issues an operator's admin ID new only once (002 §3.2.1):
    the admin is named when the operator first applies for the system. A change of admin is
    a permission change (利用権限の変更申請, 002 §3.2.2): the new admin takes over the ID and
    the current admin gives it up, deleted or kept with another code, in the same
    application. An admin added to an operator already approved for the system through the
    code's role, with no holder of the code giving it up in the same change, would be a
    second new issue: refused, unless the same change records the reissue the system's
    operator accepted, with its reason, which only a maintainer may record.
    """
    for change in ctx.changes:
        if change.status == "D":
            continue
        entry = ctx.user_after(change.path)
        if entry is None:
            continue
        code = entry.operator_code
        was_user = ctx.user_before(change.old_path or change.path)
        old = ctx.before.operators.get(code)
        new = ctx.after.operators.get(code)
        if old is None or new is None:
            continue
        for system_id, perm in entry.user.permissions.items():
            system = ctx.after.catalog.by_id.get(system_id)
            pc = system.code_map.get(perm) if system else None
            if pc is None or not pc.issued_once:
                continue
            if was_user is not None and was_user.user.permissions.get(system_id) == perm:
                continue
            roles = set(pc.roles or (system.roles if system else ()))
            applied = system_id in old.operator.systems and (
                not roles or roles & set(old.operator.roles)
            )
            if not applied:
                continue  # the first application names its admin
            if given_up(ctx.before, ctx.after, code, system_id, perm):
                continue  # a change of admin (002 §3.2.2)
            recorded = {(r.system, r.code, r.reissued_on) for r in old.operator.admin_reissues}
            if any(
                (r.system, r.code) == (system_id, perm)
                and (r.system, r.code, r.reissued_on) not in recorded
                for r in new.operator.admin_reissues
            ):
                continue
            yield finding(
                change.path,
                msg(
                    "{code} already had its {system} admin ID ({perm}) issued: it is issued new "
                    "only once (002 §3.2.1). A change of admin (002 §3.2.2) deletes the current "
                    "admin or changes their permission in the same application (on the user "
                    "forms: 交代する管理者のメールアドレス); a reissue is recorded by the "
                    "reception centre's maintainers",
                    code=code,
                    system=ctx.after.catalog.named(system_id),
                    perm=perm,
                ),
            )


@rule("mass-removal", "-", level=Level.WARNING)
def mass_removal(ctx: AuthContext) -> Iterator[Problem]:
    """A change removes more than a quarter of all login IDs, or every one: allowed, but a
    maintainer reviews it, and it is never fast-tracked.

    Once merged, the provisioning run refuses it as a mass removal (`apply
    --max-removal-share`, 25 % by default): it applies the pull requests merged before it,
    and holds back this one and every one merged after it, of any operator, until a
    maintainer confirms it with `--allow-mass-removal`. In a small registry one operator's
    termination of use (000 §3-3) can do that: the maintainers decide when it is merged. The
    login IDs are counted as the run counts them (those holding a permission), at the merge
    base; the plan warns at its top.
    """
    found = ctx.mass_removal
    if found is not None:
        yield finding(found.paths[0], attention.mass_removal(found))


RULES: tuple[AuthRule, ...] = (
    maintainers_only,
    not_a_file,
    operator_files,
    new_operator_contact,
    code_declared,
    user_move,
    affiliation_foreign,
    subcontractor_operator,
    maintainer_fields,
    suspension_date,
    admin_id_once,
    new_operator,
    mass_removal,
)


@dataclass(frozen=True)
class Decision:
    actor: str
    maintainer: bool
    acts_for: tuple[str, ...]  # operators the actor is a window person of (base revision)
    paths: tuple[str, ...]  # every changed path checked
    # Located on the path's first line: errors refuse it, warnings ask for a review.
    problems: tuple[Problem, ...] = ()
    revoke_only: bool = False  # the plan only narrows access
    suspends_only: bool = False  # the plan only suspends (001 p46)

    @property
    def refused(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level is Level.ERROR)

    @property
    def review(self) -> tuple[Problem, ...]:
        """Allowed, but a maintainer must review."""
        return tuple(p for p in self.problems if p.level is Level.WARNING)

    @property
    def allowed(self) -> bool:
        return not self.refused

    @property
    def fast_track(self) -> bool:
        """An authorized change that only narrows access: the workflow may fast-track it
        (the seeds make deletions effective the next day)."""
        return self.allowed and not self.review and self.revoke_only

    @property
    def immediate(self) -> bool:
        """A maintainer's change that only suspends: the system's operator suspends at once
        on loss, theft or misuse and decides after (001 p46, 002 §3.4.4), so it needs no
        second review."""
        return self.fast_track and self.maintainer and self.suspends_only

    @property
    def role(self) -> str:
        if self.maintainer:
            return "maintainer"
        return "window person" if self.acts_for else "no role"


def decide(ctx: AuthContext, revoke_only: bool = False, suspends_only: bool = False) -> Decision:
    # A path is judged as a whole: its problems stand on its first line.
    problems = {p.located(1, 1) for p in run_rules(RULES, ctx)}
    return Decision(
        actor=ctx.actor,
        maintainer=ctx.is_maintainer,
        acts_for=ctx.acts_for,
        paths=ctx.paths,
        problems=tuple(sorted(problems)),
        revoke_only=revoke_only,
        suspends_only=suspends_only,
    )


def logins_by_operator(user_paths: Iterable[str]) -> dict[str, frozenset[str]]:
    """Login ID → operators, from registry-relative user file paths (named by login ID)."""
    found: dict[str, set[str]] = {}
    for rel in user_paths:
        stem, code = layout.user_stem(rel), layout.operator_of(rel)
        if stem is not None and code is not None:
            found.setdefault(stem.lower(), set()).add(code)
    return {login: frozenset(codes) for login, codes in found.items()}
