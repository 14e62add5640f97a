"""Render an authorization decision: its problems through the shared reporters (text, JSON,
GitHub annotations) with the verdict, or as markdown lines for the pull-request comment.
Paths, logins and messages come from the pull request: each output escapes them for its kind
(``escape``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from accessreg.escape import markdown, terminal
from accessreg.reporting import reporters
from accessreg.review.authorize import Decision

FORMATS = tuple(sorted(reporters.REPORTERS))


def _who(decision: Decision, escape: Callable[[str], str]) -> str:
    actor = escape(decision.actor)
    if decision.maintainer:
        return f"{actor} (maintainer)"
    if decision.acts_for:
        return f"{actor} (window person of {', '.join(map(escape, decision.acts_for))})"
    return f"{actor} (neither a maintainer nor a window person)"


def verdict_lines(decision: Decision) -> list[str]:
    count = len(decision.paths)
    if decision.allowed:
        lines = [f"allowed: {count} changed path(s) for {_who(decision, terminal)}"]
    else:
        lines = [
            f"not allowed: {len(decision.refused)} refusal(s) among {count} changed path(s) "
            f"for {_who(decision, terminal)}"
        ]
    if decision.fast_track:
        lines.append("fast-track: every item revokes access and the author may make it")
    if decision.immediate:
        lines.append("immediate: a maintainer's suspension, effective at once (001 p46)")
    return lines


def text_lines(decision: Decision) -> list[str]:
    """One line per problem, as ``validate`` prints them (errors refuse their path,
    warnings ask for a maintainer's review), then the verdict."""
    return reporters.text(decision.problems).splitlines() + verdict_lines(decision)


def as_dict(decision: Decision) -> dict[str, Any]:
    return {
        "actor": decision.actor,
        "role": decision.role,
        "acts_for": list(decision.acts_for),
        "allowed": decision.allowed,
        "fast_track": decision.fast_track,
        "immediate": decision.immediate,
        "revoke_only": decision.revoke_only,
        "paths": len(decision.paths),
        "refused": [reporters.problem_dict(p) for p in decision.refused],
        "review": [reporters.problem_dict(p) for p in decision.review],
    }


def render(decision: Decision, fmt: str) -> str:
    """``accessreg authorize``'s output in one of ``FORMATS``."""
    if fmt == "json":
        return json.dumps(as_dict(decision), ensure_ascii=False, indent=2) + "\n"
    problems = reporters.REPORTERS[fmt](decision.problems)
    return problems + "".join(f"{line}\n" for line in verdict_lines(decision))


def markdown_lines(decision: Decision) -> list[str]:
    """For the pull-request comment: paths and messages literal, never markup."""
    if decision.allowed:
        head = f"**Authorized**: {_who(decision, markdown)} may make this change."
    else:
        head = f"**Not authorized**: {_who(decision, markdown)} may not make this change."
    lines = [head]
    if decision.fast_track:
        lines.append("**Fast-track**: a revoke-only change by someone who may make it.")
    if decision.immediate:
        lines.append("**Immediate**: a maintainer's suspension, effective at once (001 p46).")
    for p in decision.refused:
        lines.append(f"- refused {markdown(p.file)}: {markdown(p.message)} (`{p.rule}`)")
    for p in decision.review:
        lines.append(f"- review {markdown(p.file)}: {markdown(p.message)} (`{p.rule}`)")
    return lines
