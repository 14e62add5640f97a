"""Render an authorization decision as text lines, a JSON object or markdown lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accessreg.review.authorize import Decision, Finding


def _who(decision: Decision) -> str:
    if decision.maintainer:
        return f"{decision.actor} (maintainer)"
    if decision.acts_for:
        return f"{decision.actor} (window person of {', '.join(decision.acts_for)})"
    return f"{decision.actor} (neither a maintainer nor a window person)"


def text_lines(decision: Decision) -> list[str]:
    """One line per refused path naming the rule, then reviews, then the verdict."""
    lines = [f"refused: {f.path}: {f.message} ({f.rule})" for f in decision.refused]
    lines += [f"review: {f.path}: {f.message} ({f.rule})" for f in decision.review]
    count = len(decision.paths)
    if decision.allowed:
        lines.append(f"allowed: {count} changed path(s) for {_who(decision)}")
    else:
        lines.append(
            f"not allowed: {len(decision.refused)} refusal(s) among {count} changed path(s) "
            f"for {_who(decision)}"
        )
    if decision.fast_track:
        lines.append("fast-track: every item revokes access and the author may make it")
    return lines


def _finding(f: Finding) -> dict[str, str]:
    return {"path": f.path, "rule": f.rule, "message": f.message}


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


def markdown_lines(decision: Decision, escape: Callable[[str], str]) -> list[str]:
    """For the pull-request comment; ``escape`` makes registry text literal markdown."""
    if decision.allowed:
        head = f"**Authorized**: {escape(_who(decision))} may make this change."
    else:
        head = f"**Not authorized**: {escape(_who(decision))} may not make this change."
    lines = [head]
    if decision.fast_track:
        lines.append("**Fast-track**: a revoke-only change by someone who may make it.")
    for f in decision.refused:
        lines.append(f"- refused {escape(f.path)}: {escape(f.message)} (`{f.rule}`)")
    for f in decision.review:
        lines.append(f"- review {escape(f.path)}: {escape(f.message)} (`{f.rule}`)")
    return lines
