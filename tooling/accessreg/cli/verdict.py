"""What a command concluded, for the one place that turns it into an exit code (``cli``)."""

from __future__ import annotations

from enum import Enum


class Verdict(Enum):
    DONE = "done"  # clean, or the command did what it was asked
    FAILED = "failed"  # problems found, or a refusal

    @classmethod
    def of(cls, ok: bool) -> Verdict:
        return cls.DONE if ok else cls.FAILED
