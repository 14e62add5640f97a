"""``accessreg validate``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from accessreg import i18n
from accessreg.cli.generated_files import made_from, stale_problems
from accessreg.cli.options import registry_option, today_option
from accessreg.cli.verdict import Verdict
from accessreg.errors import UsageError
from accessreg.files import workspace
from accessreg.files.sources import DirectorySource
from accessreg.gitio.repo import GitRepository
from accessreg.model.messages import msg, nmsg
from accessreg.model.problems import Problem, has_errors
from accessreg.reporting import reporters
from accessreg.timeline import clock
from accessreg.validation import validate_incremental
from accessreg.validation.incremental import worktree_revoking
from accessreg.validation.judge import (
    judge_stale,
    of_time,
    operator_of,
    stale_touched,
    worktree_change,
)
from accessreg.validation.validate import ValidationResult, validate


@click.command("validate")
@registry_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(reporters.REPORTERS)),
    default="text",
    show_default=True,
    help="text: file:line:col lines; json: a list; github: workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Warnings fail too.")
@today_option
@click.option(
    "--changed-since",
    metavar="REV",
    help="Re-read only files that differ from REV (git), taking the rest from the cache; "
    "every rule still runs. Judged as the change since REV, as --base.",
)
@click.option(
    "--base",
    metavar="REV",
    help="Judge the registry as the change since REV (a pull request's base): time rules, "
    "and errors already in the files, count only on the operators it touches; a clash is "
    "reported on the files it changed.",
)
@click.option(
    "--head",
    metavar="REV",
    help="With --changed-since: check the registry as committed at REV, read from git, "
    "instead of the work tree (nothing on disk is stat'ed: for CI's fresh checkouts).",
)
def command(
    registry: Path | None,
    fmt: str,
    strict: bool,
    today: date | None,
    changed_since: str | None,
    base: str | None,
    head: str | None,
) -> Verdict:
    """Check every file of the registry: schemas and the rules of the seeds.

    Exit 0 when clean, 1 when there are problems (errors, or warnings with --strict),
    2 on a usage or configuration error.
    """
    root = workspace.registry_dir(registry)
    day = today or clock.today_in_japan()
    notes: list[str] = []
    touched: dict[str, bool] | None = None  # stale rule → a judged change touches its files
    if head is not None and changed_since is None:
        raise UsageError(msg("--head needs --changed-since"))
    if base is not None and changed_since is not None:
        raise UsageError(msg("--base and --changed-since both name the change's base: give one"))
    if changed_since is not None:
        with GitRepository(root) as repo:
            result, stats = validate_incremental(
                repo, changed_since, root, workspace.display(root), day, head
            )
            touched = stale_touched(repo, changed_since, head, made_from(root))
        notes = [
            i18n.text(
                msg(
                    "{changed} changed since {rev}; {parsed} parsed, {checked} of {groups} "
                    "operators re-checked (cache {cache})",
                    changed=nmsg("{count} file", "{count} files", stats.changed),
                    rev=changed_since,
                    parsed=stats.parsed,
                    checked=stats.groups_checked,
                    groups=stats.groups,
                    # Used or not: where it lies is the workflow's business, not the reader's.
                    cache=msg("used") if stats.cache else msg("unused"),
                )
            ),
            *(i18n.text(note) for note in stats.notes),
        ]
    else:
        change = None
        if base is not None:
            with GitRepository(root) as repo:
                prefix = root.resolve().relative_to(repo.root.resolve()).as_posix()
                change = worktree_change(repo, base, prefix)
                change = worktree_revoking(repo, base, root, workspace.display(root), day, change)
                touched = stale_touched(repo, base, None, made_from(root))
        result = validate(DirectorySource(root, workspace.display(root)), day, change)
    notes += _set_aside(result)
    problems = judge_stale(sorted([*result.problems, *stale_problems(root, result)]), touched)
    sys.stdout.write(reporters.REPORTERS[fmt](problems))
    if fmt == "text":
        for note in notes:
            click.echo(note, err=True)
        click.echo(reporters.summary(problems, result.files), err=True)
    return Verdict.of(not has_errors(problems, strict))


def _set_aside(result: ValidationResult) -> list[str]:
    notes: list[str] = []
    timed = [p for p in result.set_aside if of_time(p)]
    standing = [p for p in result.set_aside if not of_time(p)]
    if timed:
        notes.append(
            i18n.text(
                msg(
                    "{findings} of time rules on operators this change does not touch are set "
                    "aside ({operators}): the scheduled duties report them",
                    findings=nmsg("{count} finding", "{count} findings", len(timed)),
                    operators=_operators(timed),
                )
            )
        )
    if result.spared:
        notes.append(
            i18n.text(
                msg(
                    "Shown as warnings: {errors} already in the files of operators this "
                    "change only takes access away from ({operators}). They do not hold it: "
                    "what it takes away goes out at merge even while they stand; a maintainer "
                    "fixes them",
                    errors=nmsg("{count} error", "{count} errors", len(result.spared)),
                    operators=_operators(list(result.spared)),
                )
            )
        )
    if standing:
        notes.append(
            i18n.text(
                msg(
                    "{errors} already in the files of operators this change does not touch are "
                    "set aside ({operators}): they do not hold this change; fix them on the "
                    "base branch",
                    errors=nmsg("{count} error", "{count} errors", len(standing)),
                    operators=_operators(standing),
                )
            )
        )
    return notes


def _operators(problems: list[Problem]) -> tuple[str, ...]:
    return tuple(sorted({code for p in problems if (code := operator_of(p))}))
