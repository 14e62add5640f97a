"""What a command concluded, for the one place that turns it into an exit code (``cli``),
and how an error is said there."""

from __future__ import annotations

from enum import Enum

import click

from accessreg import i18n
from accessreg.errors import AccessregError
from accessreg.escape import terminal
from accessreg.model.problems import Problem
from accessreg.reporting import reporters


class Verdict(Enum):
    DONE = "done"  # clean, or the command did what it was asked
    FAILED = "failed"  # problems found, or a refusal

    @classmethod
    def of(cls, ok: bool) -> Verdict:
        return cls.DONE if ok else cls.FAILED


def say(exc: AccessregError) -> None:
    """An error on stderr: where, then what it meant for the command."""
    located = [p for p in exc.problems if isinstance(p, Problem)]
    click.echo(reporters.text(located), err=True, nl=False)
    # Line by line: a message may list problems, one per line, each shown escaped.
    lines = [terminal(line) for line in i18n.text(exc.message, cap=False).split("\n")]
    click.echo("accessreg: " + "\n".join(lines), err=True)
