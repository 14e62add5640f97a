"""``accessreg authorize``: may this person make this change?"""

from __future__ import annotations

import sys
from datetime import date

import click

from accessreg.cli.options import LOGIN, today_option
from accessreg.cli.verdict import Verdict
from accessreg.gitio.repo import GitRepository
from accessreg.reporting import authorize_report
from accessreg.review.pullrequest import read_pull_request
from accessreg.timeline import clock
from accessreg.timeline.effective import Events


@click.command("authorize")
@click.option("--base", required=True, metavar="REV", help="The branch the change goes into.")
@click.option("--head", default="HEAD", show_default=True, metavar="REV", help="The change.")
@click.option(
    "--actor",
    required=True,
    type=LOGIN,
    metavar="LOGIN",
    help="The GitHub login of the pull request's author.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(authorize_report.FORMATS),
    default="text",
    show_default=True,
    help="text: file:line:col lines; json: the decision; github: workflow annotations. "
    "The verdict follows the problems in text and github.",
)
@today_option
def command(base: str, head: str, actor: str, fmt: str, today: date | None) -> Verdict:
    """Check every path the change touches against who ACTOR is at the base revision.

    Exit 0 when every changed path is allowed, 1 when one is refused (an error naming the
    rule on each refused path; a warning on a path a maintainer must review), 2 on a usage
    or configuration error. The rules are in docs/rules.md.
    """
    with GitRepository() as repo:
        day = today or clock.today_in_japan()
        pr = read_pull_request(repo, base, head, Events(), day, actor)
    assert pr.decision is not None
    sys.stdout.write(authorize_report.render(pr.decision, fmt))
    return Verdict.of(pr.decision.allowed)
