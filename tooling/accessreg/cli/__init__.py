"""The ``accessreg`` command line: thin commands over the core, exit codes decided here.

Exit codes: 0 clean, 1 problems found or a refusal, 2 usage or configuration error. A
command returns a ``Verdict`` (or nothing: done) and raises the tool's own errors; this module
alone turns either into an exit code.

Subcommands are imported only when they run (click's lazy-group pattern): CI calls the tool
many times per job, and ``accessreg validate`` should not pay for importing ``apply``.

The process (``python -m accessreg``, the installed command: ``entry``) ends with its
command. A command's work is done when it returns: its files written and closed, its report
printed. What it built stays alive until then (a daily run holds a registry of 200,000
users, over a million objects), and a normal exit would walk it once more with the
collector and free it object by object: one to two seconds of CPU nobody waits for. So the
process keeps what a run froze frozen (``gcpause.keep_until_exit``), a command keeps what
it built alive rather than letting it go (``gcpause.hold``), and once the command has its
exit code the process flushes its streams, runs what was registered to run at exit and ends
with that code (``end``). Anything unusual (an exit with a message, a stream that cannot
be flushed, a thread still running) takes Python's ordinary exit. The in-process tests call
``main`` itself, where none of this happens.
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading
from typing import Any, NoReturn

import click

from accessreg import __version__, i18n
from accessreg.cli import display, localized
from accessreg.cli.verdict import Verdict, say
from accessreg.errors import AccessregError, Refusal
from accessreg.files import gcpause

# name → module under accessreg.cli whose ``command`` it is; one line adds a command.
COMMANDS: dict[str, str] = {
    "validate": "validate_cmd",
    "schemas": "schemas_cmd",
    "rules": "rules_cmd",
    "plan": "plan_cmd",
    "authorize": "authorize_cmd",
    "codeowners": "codeowners_cmd",
    "user": "user_cmd",
    "operator": "operator_cmd",
    "contact": "contact_cmd",
    "ip": "ip_cmd",
    "cert": "cert_cmd",
    "forms": "forms_cmd",
    "from-issue": "from_issue_cmd",
    "apply": "apply_cmd",
    "confirm": "confirm_cmd",
    "status": "status_cmd",
    "outbox": "outbox_cmd",
    "expiry": "expiry_cmd",
    "stale": "stale_cmd",
    "inventory": "inventory_cmd",
    "membership": "membership_cmd",
    "reviews": "reviews_cmd",
    "daily": "daily_cmd",
    "summary": "summary_cmd",
}


def exit_code(outcome: Verdict | AccessregError | None) -> int:
    """0 done, 1 problems or a refusal, 2 usage, configuration or delivery error."""
    if outcome is None or outcome is Verdict.DONE:
        return 0
    if outcome is Verdict.FAILED or isinstance(outcome, Refusal):
        return 1
    return 2


class _Group(click.Group):
    """Loads a subcommand on first use, and turns the tool's own errors into exit codes."""

    context_class = display.Context

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        command = importlib.import_module(f"accessreg.cli.{module}").command
        assert isinstance(command, click.Command) and command.name == cmd_name
        return display.laid_out(localized.command(command, i18n.current()), COMMANDS)

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        lang = i18n.current()
        found = [localized.parameter(p, lang) for p in super().get_params(ctx)]
        helping = self.get_help_option(ctx)
        for view in found:
            # Click words --help once, as the parsing starts: before --lang chose the run's
            # language. Worded again in it, as the subcommands' are.
            if helping is not None and view is not helping and view.name == helping.name:
                view.help = localized.click_gettext("Show this message and exit.")
        return found

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        lang = i18n.current()
        return [localized.usage_word(p, lang) for p in super().collect_usage_pieces(ctx)]

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = localized.text(self.help, i18n.current())
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # The run's language (``--lang``, chosen as it is parsed) holds to the run's last
        # word (a usage error is shown after every context has closed), and no further.
        with i18n.using(i18n.current()):
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            outcome = super().invoke(ctx)
        except AccessregError as exc:
            say(exc)
            ctx.exit(exit_code(exc))
        ctx.exit(exit_code(outcome if isinstance(outcome, Verdict) else None))


def _choose_language(ctx: click.Context, param: click.Parameter, lang: str | None) -> str | None:
    i18n.choose(lang or i18n.from_environment())
    return lang


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="accessreg", help="Show the version and exit.")
@click.option(
    "--lang",
    type=click.Choice(i18n.LANGS),
    is_eager=True,  # before --help, which it translates
    callback=_choose_language,
    help="The language of messages: ja or en [default: ACCESSREG_LANG, else the locale, else ja].",
)
def main(lang: str | None) -> None:
    """Access governance as code: the registry of operators, window persons and users."""


# After main is declared: the version line click words then stays as scripts read it.
localized.speak_click_words()


def entry() -> NoReturn:
    """The process: the command line, then the end of the process with its exit code."""
    gcpause.keep_until_exit()
    try:
        main()  # click's standalone mode: it always exits
    except SystemExit as done:
        end(done)
    raise AssertionError("click's main returned")  # pragma: no cover


def end(done: SystemExit) -> NoReturn:
    """End the process with ``done``'s code without tearing down what it built, when
    that loses nothing; else exit as Python does."""
    code = 0 if done.code is None else done.code
    if not isinstance(code, int) or _others_running():
        raise done
    atexit._run_exitfuncs()  # first: what they print is flushed with the rest
    try:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except (OSError, ValueError):  # a closed pipe or stream: Python reports it
        raise done from None
    os._exit(code)


def _others_running() -> bool:
    """A thread Python would wait for at exit."""
    first = threading.main_thread()
    return any(t is not first and not t.daemon and t.is_alive() for t in threading.enumerate())
