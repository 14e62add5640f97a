"""A pull request read from git: its snapshots, its plan and who may make it.

``plan`` and ``authorize`` share this, so the plan that marks a change for fast-tracking and
the decision that allows it are computed from the same snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accessreg.gitio.repo import GitRepository
from accessreg.model import layout
from accessreg.model.layout import REGISTRY_DIR, Kind
from accessreg.plan.model import Plan
from accessreg.plan.revisions import (
    Recovered,
    Snapshots,
    load_registry,
    load_snapshots,
    plan_from,
    recover_operators,
)
from accessreg.review.authorize import AuthContext, Decision, decide


def _authority_file(rel: str) -> bool:
    return layout.classify(rel) in (Kind.CATALOG, Kind.MAINTAINERS, Kind.OPERATOR)


def authority_registry(repo: GitRepository, snapshots: Snapshots) -> Recovered:
    """Operators and maintainers at the base revision: where authority comes from. An
    operator the change touches whose file does not load there is taken from the last
    revision where it did."""
    base = snapshots.revisions.base
    if base == snapshots.revisions.merge_base:
        # It holds every operator file and the maintainers' list.
        return Recovered(snapshots.base, snapshots.recovered)
    under = ["operators", "systems.yaml", "maintainers.yaml"]
    registry = load_registry(repo, base, _authority_file, under)
    return recover_operators(repo, base, registry, snapshots.changes)


def arriving_logins(repo: GitRepository, snapshots: Snapshots) -> dict[str, frozenset[str]]:
    """For each login ID of a user file the change adds, the operators that had a user
    file of that name at the merge base (user files are named by login ID)."""
    changed = {p for c in snapshots.changes for p in c.paths}
    logins = {
        u.user.email.lower() for u in snapshots.head.users if f"{REGISTRY_DIR}/{u.file}" in changed
    }
    if not logins:
        return {}
    base = snapshots.revisions.merge_base
    operators = repo.subdirectories(base, f"{REGISTRY_DIR}/users")
    candidates = {
        f"{REGISTRY_DIR}/users/{code}/{login}.yaml": (login, code)
        for code in operators
        for login in logins
    }
    found: dict[str, set[str]] = {}
    for path in repo.existing(base, candidates):
        login, code = candidates[path]
        found.setdefault(login, set()).add(code)
    return {login: frozenset(codes) for login, codes in found.items()}


@dataclass(frozen=True)
class PullRequest:
    snapshots: Snapshots
    plan: Plan
    decision: Decision | None  # None when no actor was given


def authorization(repo: GitRepository, snapshots: Snapshots, actor: str, plan: Plan) -> Decision:
    authority = authority_registry(repo, snapshots)
    ctx = AuthContext(
        actor=actor,
        changes=snapshots.changes,
        authority=authority.registry,
        before=snapshots.base,
        after=snapshots.head,
        logins_before=arriving_logins(repo, snapshots),
        recovered=authority.since,
    )
    return decide(ctx, revoke_only=plan.revoke_only, suspends_only=plan.suspends_only)


def read_pull_request(
    repo: GitRepository, base: str, head: str, accepted_on: date, actor: str | None = None
) -> PullRequest:
    snapshots = load_snapshots(repo, base, head)
    plan = plan_from(snapshots, accepted_on)
    decision = authorization(repo, snapshots, actor, plan) if actor is not None else None
    return PullRequest(snapshots, plan, decision)
