"""The one exception root. The CLI turns these into exit codes in one place (``cli.main``)."""

from __future__ import annotations

from accessreg.model.messages import Message, msg


class AccessregError(Exception):
    """Base of every error the tool raises on purpose.

    Its message is a catalog entry (``Message``), put in words where it is shown; a plain
    string is shown as it is.
    """

    exit_code = 2

    def __init__(self, message: str | Message) -> None:
        self.message = message if isinstance(message, Message) else msg("{text}", text=message)
        super().__init__(self.message.english())


class UsageError(AccessregError):
    """The command was called wrongly (bad option value, missing revision, ...)."""


class ConfigError(AccessregError):
    """The registry or the environment is set up so that the command cannot run at all."""


class ProblemsFound(AccessregError):  # noqa: N818 - it is an outcome, not a crash
    """Raised by commands that refuse to act because the registry has problems."""

    exit_code = 1
