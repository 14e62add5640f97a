"""Render an authorization decision: its problems through the shared reporters (text, JSON,
GitHub annotations) with the verdict, or as markdown lines for the pull-request comment.
Paths, logins and messages come from the pull request: each output escapes them for its kind
(``escape``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from accessreg import i18n
from accessreg.escape import markdown, shorten_path, terminal
from accessreg.model.messages import Verbatim, msg, nmsg
from accessreg.reporting import reporters
from accessreg.review.authorize import Decision

FORMATS = tuple(sorted(reporters.REPORTERS))
# How many operators a verdict names the actor a window person of (the JSON has them all):
# the verdict heads the pull-request comment and is never cut, so it is short whatever the
# registry holds.
CODES_SHOWN = 10


def _who(decision: Decision, escape: Callable[[str], str]) -> str:
    """Who the actor is, in words; the login and codes (from outside) escaped by ``escape``."""
    actor = Verbatim(escape(decision.actor))
    if decision.maintainer:
        return i18n.text(msg("{actor} (maintainer)", actor=actor))
    if decision.acts_for:
        codes = tuple(Verbatim(escape(code)) for code in decision.acts_for[:CODES_SHOWN])
        more = len(decision.acts_for) - CODES_SHOWN
        if more > 0:
            return i18n.text(
                msg(
                    "{actor} (window person of {codes} and {count} more)",
                    actor=actor,
                    codes=codes,
                    count=more,
                )
            )
        return i18n.text(msg("{actor} (window person of {codes})", actor=actor, codes=codes))
    return i18n.text(msg("{actor} (neither a maintainer nor a window person)", actor=actor))


def verdict_lines(decision: Decision) -> list[str]:
    count = len(decision.paths)
    paths = nmsg("{count} changed path", "{count} changed paths", count)
    who = Verbatim(_who(decision, terminal))
    if decision.allowed:
        lines = [i18n.text(msg("allowed: {paths} for {who}", paths=paths, who=who))]
    else:
        refusals = nmsg("{count} refusal", "{count} refusals", len(decision.refused))
        lines = [
            i18n.text(
                msg(
                    "not allowed: {refusals} among {paths} for {who}",
                    refusals=refusals,
                    paths=paths,
                    who=who,
                )
            )
        ]
    if decision.fast_track:
        lines.append(
            i18n.text(msg("fast-track: every item revokes access and the author may make it"))
        )
    if decision.immediate:
        lines.append(
            i18n.text(msg("immediate: a maintainer's suspension, effective at once (001 p46)"))
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


def markdown_verdict(decision: Decision) -> list[str]:
    """For the pull-request comment: whether the author may make the change, and whether it
    is fast-tracked or immediate; a few short lines, which the comment never cuts."""
    who = Verbatim(_who(decision, markdown))
    if decision.allowed:
        head = i18n.text(msg("**Authorized**: {who} may make this change.", who=who))
    else:
        head = i18n.text(msg("**Not authorized**: {who} may not make this change.", who=who))
    lines = [head]
    if decision.fast_track:
        lines.append(
            i18n.text(msg("**Fast-track**: a revoke-only change by someone who may make it."))
        )
    if decision.immediate:
        lines.append(
            i18n.text(msg("**Immediate**: a maintainer's suspension, effective at once (001 p46)."))
        )
    return lines


def markdown_lines(decision: Decision) -> list[str]:
    """For the pull-request comment, after the verdict: a line per refused path or path to
    review (one per file of a large change, which the comment cuts), paths and messages
    literal, never markup; a path shortened as the plan's lists shorten it, so that twenty
    paths deep in folders do not push every other refusal out of the comment."""
    lines = []
    for p, line in (
        *((p, msg("- refused {file}: {message} ({rule})")) for p in decision.refused),
        *((p, msg("- to review {file}: {message} ({rule})")) for p in decision.review),
    ):
        shown = (
            ("file", Verbatim(markdown(shorten_path(p.file)))),
            ("message", Verbatim(markdown(i18n.text(p.message)))),
            ("rule", Verbatim(f"`{p.rule}`")),
        )
        lines.append(i18n.text(replace(line, params=shown)))
    return lines
