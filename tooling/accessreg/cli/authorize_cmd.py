"""``accessreg authorize``: may this person make this change?"""

from __future__ import annotations

import json
import sys

import click

from accessreg.cli.verdict import Verdict
from accessreg.gitio.repo import GitRepository
from accessreg.reporting import authorize_report
from accessreg.review.pullrequest import read_pull_request
from accessreg.timeline import clock


@click.command("authorize")
@click.option("--base", required=True, metavar="REV", help="The branch the change goes into.")
@click.option("--head", default="HEAD", show_default=True, metavar="REV", help="The change.")
@click.option(
    "--actor",
    required=True,
    metavar="LOGIN",
    help="The GitHub login of the pull request's author.",
)
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True)  # fmt: skip
def command(base: str, head: str, actor: str, fmt: str) -> Verdict:
    """Check every path the change touches against who ACTOR is at the base revision.

    Exit 0 when every changed path is allowed, 1 when one is refused (one line per refused
    path, naming the rule), 2 on a usage or configuration error.
    """
    with GitRepository() as repo:
        pr = read_pull_request(repo, base, head, clock.today_in_japan(), actor)
    assert pr.decision is not None
    if fmt == "json":
        sys.stdout.write(
            json.dumps(authorize_report.as_dict(pr.decision), ensure_ascii=False, indent=2) + "\n"
        )
    else:
        sys.stdout.write("".join(f"{line}\n" for line in authorize_report.text_lines(pr.decision)))
    return Verdict.of(pr.decision.allowed)
