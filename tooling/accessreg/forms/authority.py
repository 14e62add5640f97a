"""Who may file what: ``authorize`` applied to the person who filed the issue.

Two calls: :func:`may_file`, before the edit is made, and :func:`check`, on the edit made.
Authority is decided from the registry as it is before the change (the base revision the
workflow checked out), never from the change itself: nobody adds themselves as a window
person and acts on it in the same application. The rules are exactly those ``accessreg
authorize`` applies to pull requests, and so is where authority over an operator whose file
does not load comes from (``review.pullrequest.standing``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from accessreg.edit.draft import Draft
from accessreg.model import layout
from accessreg.model.commits import PathChange
from accessreg.model.layout import Kind
from accessreg.model.messages import msg
from accessreg.model.problems import Problem
from accessreg.model.registry import Registry
from accessreg.review.authorize import (
    AuthContext,
    Decision,
    decide,
    logins_by_operator,
    operator_files,
)
from accessreg.review.pullrequest import Standing, draft_returning
from accessreg.rules.base import run_rules


def check(
    base: Registry,
    after: Registry,
    changed: Mapping[str, bytes | None],
    actor: str,
    user_paths: Iterable[str] | None = None,
    authority: Standing | None = None,
    draft: Draft | None = None,
) -> Decision:
    """``authorize``'s decision on ``actor`` making the draft's changes to ``base``; the
    login IDs held before come from ``user_paths`` (by default the users' files of
    ``base``), which holds at least the changed files and every operator file. Authority
    comes from ``authority`` (by default ``base`` itself). With the ``draft`` of a
    repository (``base`` is its HEAD), what the change adds back that was suspended when it
    was last in the registry is a lifting, as in a pull request
    (``review.pullrequest.draft_returning``)."""
    changes = tuple(
        PathChange("D" if raw is None else "M" if rel in base.files else "A", layout.repo_path(rel))
        for rel, raw in changed.items()
    )
    if user_paths is None:
        user_paths = (rel for rel in base.files if layout.classify(rel) is Kind.USER)
    held = logins_by_operator(user_paths)
    authority = authority or Standing(base)
    ctx = AuthContext(
        actor,
        changes,
        authority.registry,
        base,
        after,
        held,
        recovered=authority.recovered,
    )
    if draft is not None and draft.tree is not None:
        ctx = replace(ctx, returning=draft_returning(draft.tree.repo, base, after, changed, held))
    return decide(ctx)


def may_file(authority: Standing, code: str, actor: str) -> Problem | None:
    """Why ``actor`` may not file an application for the existing operator ``code`` (None
    when they may): the rule ``operator-files`` applied to ``code``'s file, asked before the
    edit is made, so that a refusal tells nothing the edit would find out about ``code``'s
    files (that a login ID is already one of its users, that another is not, that its file
    has errors)."""
    changed = (PathChange("M", layout.repo_path(layout.operator_file(code))),)
    base = authority.registry
    ctx = AuthContext(actor, changed, base, base, base, {}, recovered=authority.recovered)
    found = next(iter(run_rules([operator_files], ctx)), None)
    if found is None:
        return None
    # In the same words whatever the operator: where its authority comes from would tell
    # that its file does not load.
    return replace(
        found,
        message=msg(
            "Only a window person of {code} or a maintainer may file an application for it: "
            "ask {code}'s window person to apply",
            code=code,
        ),
    )
