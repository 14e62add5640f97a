"""What a run keeps out of the collector's passes."""

from __future__ import annotations

import gc

import pytest

from accessreg.files import gcpause


@pytest.mark.parametrize(("made_enough", "frozen"), [(False, False), (True, True)])
def test_keep_freezes_once_enough_objects_were_made_and_the_block_gives_them_back(
    monkeypatch: pytest.MonkeyPatch, made_enough: bool, frozen: bool
) -> None:
    """A small run is left to the collector; a large one's objects are frozen until the
    block ends, in a process that goes on after it."""
    monkeypatch.setattr(gcpause, "_give_back", True)
    monkeypatch.setattr(gcpause, "FREEZE_FROM", 0 if made_enough else 10**9)
    with gcpause.kept() as keep, gcpause.paused():
        before = gc.get_freeze_count()
        keep()
        assert (gc.get_freeze_count() > before) is frozen
    assert gc.get_freeze_count() == 0
