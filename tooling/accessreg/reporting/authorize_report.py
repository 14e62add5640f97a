"""Render an authorization decision as text lines, a JSON object or markdown lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accessreg.escape import markdown, terminal
from accessreg.review.authorize import Decision, Finding

# Paths and messages come from the pull request: every renderer escapes them for its kind.
Escape = Callable[[str], str]


def _who(decision: Decision, escape: Escape) -> str:
    actor = escape(decision.actor)
    if decision.maintainer:
        return f"{actor} (maintainer)"
    if decision.acts_for:
        return f"{actor} (window person of {', '.join(map(escape, decision.acts_for))})"
    return f"{actor} (neither a maintainer nor a window person)"


def text_lines(decision: Decision) -> list[str]:
    """One line per refused path naming the rule, then reviews, then the verdict."""
    lines = [
        f"refused: {terminal(f.path)}: {terminal(f.message)} ({f.rule})" for f in decision.refused
    ]
    lines += [
        f"review: {terminal(f.path)}: {terminal(f.message)} ({f.rule})" for f in decision.review
    ]
    count = len(decision.paths)
    if decision.allowed:
        lines.append(f"allowed: {count} changed path(s) for {_who(decision, terminal)}")
    else:
        lines.append(
            f"not allowed: {len(decision.refused)} refusal(s) among {count} changed path(s) "
            f"for {_who(decision, terminal)}"
        )
    if decision.fast_track:
        lines.append("fast-track: every item revokes access and the author may make it")
    return lines


def _finding(f: Finding) -> dict[str, str]:
    # A path that is not UTF-8 has no JSON string: it is given as the text output shows it.
    return {"path": terminal(f.path), "rule": f.rule, "message": terminal(f.message)}


def as_dict(decision: Decision) -> dict[str, Any]:
    return {
        "actor": decision.actor,
        "role": decision.role,
        "acts_for": list(decision.acts_for),
        "allowed": decision.allowed,
        "fast_track": decision.fast_track,
        "revoke_only": decision.revoke_only,
        "paths": len(decision.paths),
        "refused": [_finding(f) for f in decision.refused],
        "review": [_finding(f) for f in decision.review],
    }


def markdown_lines(decision: Decision) -> list[str]:
    """For the pull-request comment: paths and messages literal, never markup."""
    if decision.allowed:
        head = f"**Authorized**: {_who(decision, markdown)} may make this change."
    else:
        head = f"**Not authorized**: {_who(decision, markdown)} may not make this change."
    lines = [head]
    if decision.fast_track:
        lines.append("**Fast-track**: a revoke-only change by someone who may make it.")
    for f in decision.refused:
        lines.append(f"- refused {markdown(f.path)}: {markdown(f.message)} (`{f.rule}`)")
    for f in decision.review:
        lines.append(f"- review {markdown(f.path)}: {markdown(f.message)} (`{f.rule}`)")
    return lines
