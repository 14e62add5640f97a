"""``accessreg plan``: what a pull request applies for, item by item, with its dates."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from accessreg import i18n
from accessreg.cli.options import LOGIN, events_options, happened_by, today_option
from accessreg.escape import markdown as escape
from accessreg.files.atomic import write_text
from accessreg.gitio.repo import GitRepository
from accessreg.model.messages import Verbatim, msg
from accessreg.model.problems import Problem
from accessreg.outputs.csv_ import Encoding
from accessreg.plan import render_json, render_markdown, render_text
from accessreg.provision.holding import released_by, unwritable_in
from accessreg.provision.state import recorded, recorded_waits
from accessreg.reporting import authorize_report, reporters
from accessreg.review.pullrequest import read_pull_request
from accessreg.timeline import clock
from accessreg.timeline.effective import Events

FORMATS = ("markdown", "json", "text")


@click.command("plan")
@click.option("--base", required=True, metavar="REV", help="The branch the change goes into.")
@click.option("--head", default="HEAD", show_default=True, metavar="REV", help="The change.")
@events_options
@today_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for the pull-request comment, json for everything.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of standard output.",
)
@click.option(
    "--json",
    "json_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the JSON to this file, from the same computation.",
)
@click.option(
    "--markdown",
    "markdown_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the markdown to this file, from the same computation.",
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=1000),
    default=render_markdown.DEFAULT_MAX_CHARS,
    show_default=True,
    help="Markdown only: cut the details off before this size (the JSON has everything).",
)
@click.option(
    "--actor",
    type=LOGIN,
    metavar="LOGIN",
    help="Also decide whether this GitHub login may make the change (as `authorize` does) "
    "and mark a revoke-only change it may make for fast-tracking.",
)
def command(
    base: str,
    head: str,
    entered_on: date | None,
    accepted_on: date | None,
    merged_on: date | None,
    today: date | None,
    fmt: str,
    output: Path | None,
    json_file: Path | None,
    markdown_file: Path | None,
    max_chars: int,
    actor: str | None,
) -> None:
    """Compare HEAD with the merge base of BASE and HEAD, read from git (the work tree is
    not used), and print the applications and items the change amounts to.

    --json and --markdown write those documents as well, from one reading of the change;
    with either of them (and no --output) nothing is printed.
    """
    with GitRepository() as repo:
        day = today or clock.today_in_japan()
        # An approval and a merge may be still to come; the entry has been made.
        happened_by(day, entered_on=entered_on)
        events = Events(entered_on, accepted_on, merged_on)
        # As the merge will be applied (the state ref, where the workflow fetched it): a
        # change of a permission applied before and still to come waits for it, and the
        # files held back on main that the head releases are applied with it.
        state = recorded(repo)
        waits = recorded_waits(state, day)
        released = released_by(repo, head, state, events.known(day).merged)
        pr = read_pull_request(repo, base, head, events, day, actor, waits, released)
        # What the merge's run, in the encoding it applies with, will hold back.
        merge_base = pr.comparison.revisions.merge_base
        unwritable = unwritable_in(repo, merge_base, pr.comparison.revisions.head, state.encoding)
    plan, decision = pr.plan, pr.decision

    def render(kind: str) -> str:
        if kind == "json":
            extra: dict[str, object] = {}
            if decision:
                extra["authorization"] = authorize_report.as_dict(decision)
            if unwritable:
                extra["unwritable"] = [reporters.problem_dict(p) for p in unwritable]
            return render_json.render(plan, extra)
        if kind == "markdown":
            verdict = authorize_report.markdown_verdict(decision) if decision else []
            lines = authorize_report.markdown_lines(decision) if decision else []
            lines += _unwritable_markdown(unwritable, state.encoding)
            return render_markdown.render(
                plan, max_chars=max_chars, preamble=lines, verdict=verdict
            )
        lines = authorize_report.text_lines(decision) if decision else []
        if unwritable:
            lines += [_held_back(state.encoding), *reporters.text(unwritable).splitlines()]
        return render_text.render(plan, preamble=lines)

    for kind, path in (("json", json_file), ("markdown", markdown_file)):
        if path is not None:
            write_text(path, render(kind))
    if output is not None:
        write_text(output, render(fmt))
    elif json_file is None and markdown_file is None:
        sys.stdout.write(render(fmt))


def _held_back(encoding: Encoding) -> str:
    return i18n.text(
        msg(
            "⚠️ Held back once merged: main's runs write the CSVs in {encoding}, which cannot "
            "hold these values; their files are applied once corrected (or with --encoding "
            "utf-8):",
            encoding=encoding.upper(),
        )
    )


def _unwritable_markdown(problems: list[Problem], encoding: Encoding) -> list[str]:
    """For the pull-request comment: the lines of values the merge's run cannot write, with
    the file, line and message literal, never markup."""
    if not problems:
        return []
    lines = [f"**{_held_back(encoding)}**"]
    for p in problems:
        shown = msg(
            "- {file}: {message} ({rule})",
            file=Verbatim(escape(f"{p.file}:{p.line}")),
            message=Verbatim(escape(i18n.text(p.message))),
            rule=Verbatim(f"`{p.rule}`"),
        )
        lines.append(i18n.text(shown))
    return lines
