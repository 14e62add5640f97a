"""A pull request read from git: the comparison of its two sides, its plan and who may make it.

``plan`` and ``authorize`` share this, so the plan that marks a change for fast-tracking and
the decision that allows it are computed from the same comparison.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from accessreg.gitio.repo import GitRepository
from accessreg.model import layout
from accessreg.model.commits import PathChange
from accessreg.model.layout import Kind
from accessreg.model.registry import OperatorIndex, Registry
from accessreg.model.removal import DEFAULT_MAX_REMOVAL_SHARE, removal
from accessreg.outputs.access import effective_access
from accessreg.plan import attention
from accessreg.plan.history import Returning, held_back, returning
from accessreg.plan.model import MassRemoval, Plan
from accessreg.plan.revisions import (
    Comparison,
    OperatorIndexes,
    Recovered,
    changed_registry_files,
    load_comparison,
    load_registry,
    plan_from,
    recover_operators,
    recovered_entries,
    touched_operators,
)
from accessreg.plan.waits import Waits, waited_plan, waiting_notes
from accessreg.review.authorize import AuthContext, Decision, decide
from accessreg.review.logins import holders, listed_logins
from accessreg.timeline.effective import Events


def authority_registry(
    repo: GitRepository, comparison: Comparison
) -> tuple[Recovered, OperatorIndex]:
    """Operators and maintainers at the base revision: where authority comes from, with the
    index of every operator there. An operator the change touches whose file does not load
    there is taken from the last revision where it did.

    The registry holds the maintainers' list and the operators the change touches, and
    every operator when the base's index is not in the cache yet."""
    base = comparison.revisions.base
    if base == comparison.revisions.merge_base:
        return Recovered(comparison.base, comparison.recovered), comparison.base_index
    with OperatorIndexes(repo, [base]) as indexes:
        touched = touched_operators(comparison.changes) if indexes.known(base) else None

        def select(rel: str) -> bool:
            kind = layout.classify(rel)
            if kind is Kind.OPERATOR:
                return touched is None or layout.operator_of(rel) in touched
            return kind in (Kind.CATALOG, Kind.MAINTAINERS)

        operators = (
            [layout.OPERATORS_DIR]
            if touched is None
            else [layout.operator_file(code) for code in sorted(touched)]
        )
        under = [*operators, layout.CATALOG_FILE, layout.MAINTAINERS_FILE]
        registry = load_registry(repo, base, select, under)
        index = indexes.of(base, registry)
    recovered = recover_operators(repo, base, registry, comparison.changes)
    return recovered, index.with_operators(recovered_entries(recovered))


@dataclass(frozen=True)
class Standing:
    """Where authority comes from: the registry before the change, an operator whose file
    does not load there taken from the last revision where it loaded (``recovered``: code →
    that revision, None when none did and only a maintainer may act for it)."""

    registry: Registry
    recovered: Mapping[str, str | None] = field(default_factory=dict)


def standing(base: Registry, code: str, repo: GitRepository | None) -> Standing:
    """Authority over ``code`` as the pull-request check reads it: when its file is in
    ``base`` but does not load, its window persons are those of the last version along
    HEAD's first parents that loaded (``plan.revisions.recover_operators``); without a git
    repository to look in, none, and only a maintainer may act for it."""
    rel = layout.operator_file(code)
    if rel not in base.broken:
        return Standing(base)
    if repo is None:
        return Standing(base, {code: None})
    found = recover_operators(repo, "HEAD", base, (PathChange("M", layout.repo_path(rel)),))
    return Standing(found.registry, found.since)


def arriving_logins(repo: GitRepository, comparison: Comparison) -> dict[str, frozenset[str]]:
    """For each login ID of a user file the change touches, the operators that had a user
    file of that name at the merge base (user files are named by login ID).

    From the login index (``review.logins``): its cost follows the change and the number of
    operators, not the number of users."""
    changed = {p for c in comparison.changes for p in c.paths}
    logins = {
        u.user.email.lower() for u in comparison.head.users if layout.repo_path(u.file) in changed
    }
    return holders(repo, comparison.revisions.merge_base, logins)


def mass_removal(
    repo: GitRepository, comparison: Comparison, max_share: float = DEFAULT_MAX_REMOVAL_SHARE
) -> MassRemoval | None:
    """The login IDs the change removes, if the merge's run would refuse them at
    ``max_share`` (``provision.safety``), counted as that run counts them: the login IDs
    holding a permission (``outputs.access``) at the merge base that the head no longer
    has, among every one at the merge base.

    Its cost follows the change. The holders of the operators it touches come from the
    files the plan read; whether a login ID that goes is still another user file's, from
    the login index. The files the plan did not read are the same on both sides: their
    login IDs are counted from the other operators' window persons (in the operators'
    index) while those already make the removal too small for the rail; only a removal
    that could trip it lists the users' directories (one ``git ls-tree -r``, no file
    read)."""
    touched = touched_operators(comparison.changes)
    before = effective_access(comparison.base, touched)
    after = effective_access(comparison.head, touched)
    gone = before.keys() - after.keys()
    if not gone:
        return None
    merge_base, index = comparison.revisions.merge_base, comparison.base_index
    # Unchanged by the change: the other active operators' window persons, and the user
    # files of the login IDs that go here that other operators have.
    others = {
        login for login, codes in index.window_emails.items() if codes - touched - index.inactive
    }
    held = holders(repo, merge_base, gone)
    others |= {login for login, codes in held.items() if codes - {before[login].operator}}
    found = removal(before.keys() | others, after.keys() | others)
    if found.trips(max_share):  # counted against fewer login IDs than there are: all of them
        others |= listed_logins(repo, merge_base, comparison.base.files)
        found = removal(before.keys() | others, after.keys() | others)
    if not found.trips(max_share):
        return None
    removed = [before[login] for login in sorted(gone - others)]
    return MassRemoval(
        found,
        max_share,
        tuple(sorted({h.operator for h in removed})),
        tuple(sorted({layout.repo_path(h.file) for h in removed})),
    )


def returning_of(
    repo: GitRepository, comparison: Comparison, elsewhere: Mapping[str, frozenset[str]]
) -> Returning:
    """What the change adds back that was suspended when it was last in the registry: the
    login IDs of the user files it adds that no user file held at the merge base
    (``elsewhere``: :func:`arriving_logins`), and the certificates it adds."""
    return _returning(
        repo,
        comparison.revisions.merge_base,
        comparison.base,
        comparison.head,
        changed_registry_files(comparison.changes),
        elsewhere,
    )


def draft_returning(
    repo: GitRepository,
    base: Registry,
    after: Registry,
    changed: Mapping[str, bytes | None],
    held: Mapping[str, frozenset[str]],
) -> Returning:
    """What an edit of ``repo``'s HEAD (``base``; ``changed``: registry paths, None for a
    removal) adds back that was suspended when it was last in the registry, as
    :func:`returning_of` finds it for a pull request (``held``: the login IDs HEAD holds)."""
    return _returning(repo, "HEAD", base, after, changed.keys(), held)


def _returning(
    repo: GitRepository,
    rev: str,
    before: Registry,
    after: Registry,
    changed: Collection[str],
    held: Mapping[str, frozenset[str]],
) -> Returning:
    """Of the registry files ``changed``, the users ``after`` has whose login ID no user file
    held at ``rev``, and the certificates added (``plan.history.returning``)."""
    logins = {
        login
        for u in after.users
        if u.file in changed and not held.get(login := u.user.email.lower())
    }
    return returning(repo, rev, before, after, logins, changed)


@dataclass(frozen=True)
class PullRequest:
    comparison: Comparison
    plan: Plan
    decision: Decision | None  # None when no actor was given


def authorization(
    repo: GitRepository,
    comparison: Comparison,
    actor: str,
    plan: Plan,
    elsewhere: dict[str, frozenset[str]] | None = None,
    back: Returning | None = None,
    today: date | None = None,
) -> Decision:
    """``elsewhere``: :func:`arriving_logins` of the comparison, and ``back``:
    :func:`returning_of` it, if known already; ``today``: the day of the application."""
    authority, index = authority_registry(repo, comparison)
    if elsewhere is None:
        elsewhere = arriving_logins(repo, comparison)
    ctx = AuthContext(
        actor=actor,
        changes=comparison.changes,
        authority=authority.registry,
        before=comparison.base,
        after=comparison.head,
        logins_before=elsewhere,
        recovered=authority.since,
        authority_index=index,
        today=today,
        returning=returning_of(repo, comparison, elsewhere) if back is None else back,
        held=held_back(
            repo,
            comparison.revisions.merge_base,
            comparison.base.broken & changed_registry_files(comparison.changes),
        ),
        mass_removal=plan.mass_removal,
    )
    return decide(ctx, revoke_only=plan.revoke_only, suspends_only=plan.suspends_only)


def read_pull_request(
    repo: GitRepository,
    base: str,
    head: str,
    events: Events,
    today: date,
    actor: str | None = None,
    waits: Waits | None = None,
    released: Mapping[str, bytes | None] | None = None,
) -> PullRequest:
    """``waits``: the permissions applied before and still to come, whose changes the
    merge will date no earlier than they come (``plan.waits``); ``released``: the files held
    back on main that the merge releases, at the content downstream holds of each
    (``plan.revisions.Release``)."""
    comparison = load_comparison(repo, base, head, released)
    waits = waits or Waits()
    plan = waited_plan(plan_from(comparison, events, today, waits), waits)
    elsewhere = arriving_logins(repo, comparison)
    back = returning_of(repo, comparison, elsewhere)
    plan = replace(
        plan,
        notes=attention.notes(
            plan,
            comparison.base,
            comparison.head,
            elsewhere,
            actor,
            (comparison.base_index, comparison.head_index),
            back,
        )
        + waiting_notes(plan, waits),
        mass_removal=mass_removal(repo, comparison),
    )
    decision = (
        authorization(repo, comparison, actor, plan, elsewhere, back, today)
        if actor is not None
        else None
    )
    return PullRequest(comparison, plan, decision)
