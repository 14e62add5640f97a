"""``accessreg from-issue``: apply a submitted issue form, print the result as JSON."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import BinaryIO

import click

from accessreg.cli.options import LOGIN, InputFile, registry_option, today_option
from accessreg.cli.verdict import Verdict
from accessreg.files import workspace
from accessreg.forms.intake import from_issue, undecodable
from accessreg.timeline import clock


@click.command("from-issue")
@click.option(
    "--body", "body_file", required=True, type=InputFile(),
    help="The issue body as GitHub wrote it ('-': standard input).",
)  # fmt: skip
@click.option(
    "--author", required=True, type=LOGIN, help="GitHub login of the person who filed the issue."
)
@click.option("--template", "kind", help="The form (e.g. user-add) [default: from the body].")
@click.option(
    "--issue", type=click.IntRange(min=1), help="The issue number, for the branch and the PR text."
)
@click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
@registry_option
@today_option
def command(
    body_file: BinaryIO,
    author: str,
    kind: str | None,
    issue: int | None,
    dry_run: bool,
    registry: Path | None,
    today: date | None,
) -> Verdict:
    """Turn a submitted application form into registry changes (nothing written if invalid).

    Prints JSON: ok, branch, title, body and commit_message for the pull request, or the
    problems and a comment in plain words. Exit 0 when the application was applied, 1 when it
    was refused.

    \b
    Example:
      accessreg from-issue --body body.md --author aoyama-taro \\
        --template user-add --issue 12
    """
    root = workspace.registry_dir(registry)
    try:
        # Line ends as a text file reads them (universal newlines).
        text = body_file.read().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        result = undecodable(author, issue, workspace.display(root))
    else:
        result = from_issue(
            root,
            workspace.display(root),
            today or clock.today_in_japan(),
            text,
            author,
            kind,
            issue,
            write=not dry_run,
        )
    sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n")
    return Verdict.of(result.ok)
