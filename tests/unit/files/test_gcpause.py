"""What a run keeps out of the collector's passes."""

from __future__ import annotations

import gc

import pytest

from accessreg.files import gcpause


def test_keep_freezes_what_is_alive_and_the_block_gives_it_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """However few objects were made (a one-file apply's planning): what is alive when
    ``keep`` is called is frozen until the block ends, in a process that goes on after it."""
    monkeypatch.setattr(gcpause, "_give_back", True)
    kept = [[n] for n in range(10)]  # alive, and tracked by the collector
    with gcpause.kept() as keep, gcpause.paused():
        before = gc.get_freeze_count()
        keep()
        assert gc.get_freeze_count() > before and kept
    assert gc.get_freeze_count() == 0
