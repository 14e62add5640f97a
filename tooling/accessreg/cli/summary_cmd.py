"""``accessreg summary``: a section of a workflow run's job summary, from the reports of
its commands. What they print holds text of the registry (a name, a login ID may hold a
backtick), so it goes into a code block no text inside can close (``escape.markdown_block``)
rather than between fences the workflow types."""

from __future__ import annotations

from pathlib import Path

import click

from accessreg import i18n
from accessreg.escape import markdown_block
from accessreg.model.messages import nmsg

# GitHub keeps at most 1 MiB of summary a step and drops a larger one whole; a run writes two
# sections. A report longer than this is cut at a line, and says where the rest is.
LIMIT = 256 * 1024


@click.command("summary")
@click.option(
    "--heading", required=True,
    help="The section's heading, as markdown (the workflow's own words, shown as written).",
)  # fmt: skip
@click.option(
    "--empty", default="", help="What the block says when no FILE has any text [default: nothing]."
)
@click.argument(
    "files", nargs=-1, metavar="[FILE]...", type=click.Path(dir_okay=False, path_type=Path)
)
def command(heading: str, empty: str, files: tuple[Path, ...]) -> None:
    """Print a section of a workflow run's job summary: HEADING, then the FILEs' text in one
    code block, for $GITHUB_STEP_SUMMARY. A FILE that cannot be read is skipped (the step
    that writes it may have failed).

    \b
    Example:
      accessreg summary --heading '## 反映 / Provisioning' \\
        provision-report.txt status.txt >> "$GITHUB_STEP_SUMMARY"
    """
    texts = []
    for path in files:
        try:
            texts.append(path.read_bytes().decode("utf-8", errors="replace").rstrip("\n"))
        except OSError:  # not written: the step that writes it failed before it could
            continue
    # A tab separates the columns of a report (``status``): shown as the spaces a terminal
    # shows, not as the escape ``\x09`` of a tab inside a value.
    shown = "\n".join(t for t in texts if t).expandtabs() or empty
    click.echo(f"{heading}\n\n{markdown_block(_within(shown))}\n")


def _within(text: str) -> str:
    """``text``, or as many of its first lines as ``LIMIT`` holds and a line saying how many
    more the step's log shows."""
    if len(text) <= LIMIT // 4:  # four bytes a character at most
        return text
    lines = text.split("\n")
    kept, size = 0, 0
    for line in lines:
        size += len(line.encode("utf-8")) + 1
        if size > LIMIT:
            break
        kept += 1
    if kept == len(lines):
        return text
    left = len(lines) - kept
    more = nmsg(
        "… {count} more line, in the log of the step that wrote the report",
        "… {count} more lines, in the log of the step that wrote the report",
        left,
    )
    return "\n".join([*lines[:kept], i18n.text(more)])
