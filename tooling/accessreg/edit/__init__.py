"""Editing the registry: the core of the editing commands and of ``from-issue``.

Each application is an operation on a :class:`Draft` (the registry read into memory); ``finish``
validates the whole registry with the result and writes the changed files only when it is clean.
"""

from accessreg.edit.draft import Draft, EditRefused, EditResult, FileChange, Operation, finish, run

__all__ = ["Draft", "EditRefused", "EditResult", "FileChange", "Operation", "finish", "run"]
