"""Who may file what: ``authorize`` applied to the person who filed the issue.

One call, :func:`check`. Authority is decided from the registry as it is before the change
(the base revision the workflow checked out), never from the change itself: nobody adds
themselves as a window person and acts on it in the same application. The rules are exactly
those ``accessreg authorize`` applies to pull requests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from accessreg.model import layout
from accessreg.model.commits import PathChange
from accessreg.model.layout import Kind
from accessreg.model.registry import Registry
from accessreg.review.authorize import AuthContext, Decision, decide, logins_by_operator


def check(
    base: Registry,
    after: Registry,
    changed: Mapping[str, bytes | None],
    actor: str,
    user_paths: Iterable[str] | None = None,
) -> Decision:
    """``authorize``'s decision on ``actor`` making the draft's changes to ``base``; the
    login IDs held before come from ``user_paths`` (by default the users' files of
    ``base``), which holds at least the changed files and every operator file."""
    changes = tuple(
        PathChange("D" if raw is None else "M" if rel in base.files else "A", layout.repo_path(rel))
        for rel, raw in changed.items()
    )
    if user_paths is None:
        user_paths = (rel for rel in base.files if layout.classify(rel) is Kind.USER)
    ctx = AuthContext(actor, changes, base, base, after, logins_by_operator(user_paths))
    return decide(ctx)
