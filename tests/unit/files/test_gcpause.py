"""The collector's pause and what a run keeps out of its passes."""

from __future__ import annotations

import gc

import pytest

from accessreg.files import gcpause


@pytest.mark.parametrize(("made", "frozen"), [(None, False), (0, True)])
def test_keep_freezes_once_enough_objects_were_made(
    monkeypatch: pytest.MonkeyPatch, made: int | None, frozen: bool
) -> None:
    """By default only after many objects (a large registry); an apply asks for it however
    few its planning made. What was frozen goes back when the block ends."""
    monkeypatch.setattr(gcpause, "_give_back", True)
    kept = [[n] for n in range(10)]  # alive, and tracked by the collector
    with gcpause.kept() as keep, gcpause.paused():
        before = gc.get_freeze_count()
        keep(made)
        assert (gc.get_freeze_count() > before) is frozen and kept
    assert gc.get_freeze_count() == 0
