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


def test_what_is_held_lives_until_the_process_ends_only_in_a_process_that_ends_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A command's registries are left alive for the end of the process to skip freeing;
    in-process (the tests, a library caller) nothing is held."""

    class Built:
        pass

    monkeypatch.setattr(gcpause, "_held", None)
    gone = Built()
    gcpause.hold(gone)
    assert gcpause._held is None
    monkeypatch.setattr(gcpause, "_give_back", True)
    gcpause.keep_until_exit()
    kept, also = Built(), Built()
    gcpause.hold(kept, also)
    assert gcpause._held is not None
    assert gcpause._held[-2:] == [kept, also] and all(b is not gone for b in gcpause._held)
