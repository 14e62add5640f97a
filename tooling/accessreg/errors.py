"""The one exception root. The CLI turns these into exit codes in one place (``cli.main``)."""

from collections.abc import Sequence


class AccessregError(Exception):
    """Base of every error the tool raises on purpose.

    ``problems`` are located problems (``model.problems.Problem``) that explain it: the
    command line prints them, as ``validate`` would, before the message.
    """

    exit_code = 2
    problems: Sequence[object] = ()


class UsageError(AccessregError):
    """The command was called wrongly (bad option value, missing revision, ...)."""


class ConfigError(AccessregError):
    """The registry or the environment is set up so that the command cannot run at all."""


class ProblemsFound(AccessregError):  # noqa: N818 - it is an outcome, not a crash
    """Raised by commands that refuse to act because the registry has problems."""

    exit_code = 1
