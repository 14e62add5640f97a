"""The one exception root. Which exit code each one means is decided in one place, the
command line's edge (``cli``): a ``Refusal`` is the tool saying no, anything else of the root
is a usage, configuration or delivery error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Worded(Protocol):
    """A message of the catalog (``model.messages.Message``): put in words where shown."""

    def english(self, cap: bool = ...) -> str: ...


class AccessregError(Exception):
    """Base of every error the tool raises on purpose.

    Its message is a catalog entry (``model.messages.Message``), put in words in the reader's
    language where it is shown (``i18n.text``); a plain string is shown as it is.
    ``problems`` are located problems (``model.problems.Problem``) that explain it: the
    command line prints them, as ``validate`` would, before the message.
    """

    problems: Sequence[object] = ()

    def __init__(self, message: str | Worded) -> None:
        self.message = message
        # Whole: an error's values are the tool's and git's own words.
        super().__init__(message if isinstance(message, str) else message.english(cap=False))


class UsageError(AccessregError):
    """The command was called wrongly (bad option value, missing revision, ...)."""


class ConfigError(AccessregError):
    """The registry or the environment is set up so that the command cannot run at all."""


class Refusal(AccessregError):  # noqa: N818 - an outcome, not a crash
    """The command refuses to act: problems found, a safety rail, an edit that cannot be made."""


class ProblemsFound(Refusal):
    """Raised by commands that refuse to act because the registry has problems."""
