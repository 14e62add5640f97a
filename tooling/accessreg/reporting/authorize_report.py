"""Render an authorization decision: its problems through the shared reporters (text, JSON,
GitHub annotations) with the verdict, or as markdown lines for the pull-request comment."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from accessreg import i18n
from accessreg.model.messages import Message, msg, nmsg
from accessreg.reporting import reporters
from accessreg.review.authorize import Decision

FORMATS = tuple(sorted(reporters.REPORTERS))


def _who(decision: Decision) -> Message:
    if decision.maintainer:
        return msg("{actor} (maintainer)", actor=decision.actor)
    if decision.acts_for:
        return msg(
            "{actor} (window person of {codes})",
            actor=decision.actor,
            codes=decision.acts_for,
        )
    return msg("{actor} (neither a maintainer nor a window person)", actor=decision.actor)


def verdict_lines(decision: Decision) -> list[str]:
    count = len(decision.paths)
    paths = nmsg("{count} changed path", "{count} changed paths", count)
    if decision.allowed:
        lines = [i18n.text(msg("allowed: {paths} for {who}", paths=paths, who=_who(decision)))]
    else:
        lines = [
            i18n.text(
                msg(
                    "not allowed: {refusals} among {paths} for {who}",
                    refusals=nmsg("{count} refusal", "{count} refusals", len(decision.refused)),
                    paths=paths,
                    who=_who(decision),
                )
            )
        ]
    if decision.fast_track:
        lines.append(
            i18n.text(msg("fast-track: every item revokes access and the author may make it"))
        )
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
        "revoke_only": decision.revoke_only,
        "paths": len(decision.paths),
        "refused": [p.as_dict(i18n.text) for p in decision.refused],
        "review": [p.as_dict(i18n.text) for p in decision.review],
    }


def render(decision: Decision, fmt: str) -> str:
    """``accessreg authorize``'s output in one of ``FORMATS``."""
    if fmt == "json":
        return json.dumps(as_dict(decision), ensure_ascii=False, indent=2) + "\n"
    problems = reporters.REPORTERS[fmt](decision.problems)
    return problems + "".join(f"{line}\n" for line in verdict_lines(decision))


def markdown_lines(decision: Decision, escape: Callable[[str], str]) -> list[str]:
    """For the pull-request comment; ``escape`` makes registry text literal markdown."""
    who = escape(i18n.text(_who(decision)))
    if decision.allowed:
        head = i18n.text(msg("**Authorized**: {who} may make this change.", who=who))
    else:
        head = i18n.text(msg("**Not authorized**: {who} may not make this change.", who=who))
    lines = [head]
    if decision.fast_track:
        lines.append(
            i18n.text(msg("**Fast-track**: a revoke-only change by someone who may make it."))
        )
    for p in decision.refused:
        lines.append(
            i18n.text(
                msg(
                    "- refused {file}: {message} ({rule})",
                    file=escape(p.file),
                    message=escape(i18n.text(p.message)),
                    rule="`" + p.rule + "`",
                )
            )
        )
    for p in decision.review:
        lines.append(
            i18n.text(
                msg(
                    "- to review {file}: {message} ({rule})",
                    file=escape(p.file),
                    message=escape(i18n.text(p.message)),
                    rule="`" + p.rule + "`",
                )
            )
        )
    return lines
