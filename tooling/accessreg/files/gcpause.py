"""Pause Python's cyclic garbage collector while a large registry is built.

Loading 200,000 files allocates millions of objects that all stay alive. The collector
runs a full pass whenever the survivors have grown by a quarter, walking every object again
each time; that cost a third of the main process's time while finding nothing, since these
objects hold no reference cycles. Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Whether ``kept`` gives what it froze back to the collector when its block ends: not in a
# process that ends with its command (``cli.entry``), where the first full pass after
# that would walk the whole registry once more only for the process to end.
_give_back = True
# What such a process keeps alive to its end (``hold``): a list once it is one.
_held: list[object] | None = None


def keep_until_exit() -> None:
    """From now on what ``kept`` freezes stays frozen, and what is ``hold``-en stays alive:
    the process ends with its command."""
    global _give_back, _held
    _give_back = False
    _held = []


def hold(*built: object) -> None:
    """Keep ``built`` alive until the process ends, in a process that ends with its
    command, whose end skips freeing it: freeing a run's registries and outputs object by
    object when the function holding them returns cost an apply of 100 files 0.14 s at
    200,000 users. Elsewhere (in-process, the tests) nothing."""
    if _held is not None:
        _held.extend(built)


# Objects made since the collector's last pass from which freezing them pays off. A run on
# a large registry makes far more (an apply of one file at 200,000 users about 170,000, a
# daily run 1.5 million); a run on a small one (the tests': a few thousand) is left to the
# collector, so that garbage from before it (unclosed files among it) is collected when it
# would have been, not at some later pass.
FREEZE_FROM = 50_000


@contextmanager
def kept() -> Iterator[Callable[[], None]]:
    """``keep()``, called while the collector is paused, leaves every object alive at that
    moment (a loaded registry, then what was worked out from it) out of the collector's
    passes until the block ends, once ``FREEZE_FROM`` objects at least were made since its
    last pass. Once the collector was back on, its first passes walked everything the
    pause let build (0.2 s of a one-file apply, 0.4 s of a 100-file one at 200,000 users),
    and its full passes walked the whole registry again and again while a daily run
    composed its mails (a third of its CPU). Those objects are still freed by reference
    counting; they hold no cycles."""
    frozen = False

    def keep() -> None:
        nonlocal frozen
        if gc.get_count()[0] >= FREEZE_FROM:
            gc.freeze()
            frozen = True

    try:
        yield keep
    finally:
        if frozen and _give_back:
            gc.unfreeze()
