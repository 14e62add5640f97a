"""Pause Python's cyclic garbage collector while a large registry is built.

Loading 200,000 files allocates millions of objects that all stay alive. The collector
runs a full pass whenever the survivors have grown by a quarter, walking every object again
each time; that cost a third of the main process's time while finding nothing, since these
objects hold no reference cycles. Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


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


def keep_until_exit() -> None:
    """From now on what ``kept`` freezes stays frozen: the process ends with its command."""
    global _give_back
    _give_back = False


# Objects made while paused from which freezing pays off: a full pass then walks millions.
# Below it (a small registry: the tests') the collector is left as it is, so that garbage
# from before is collected when it would have been.
FREEZE_FROM = 200_000


class Keep(Protocol):
    def __call__(self, made: int | None = None) -> None: ...


@contextmanager
def kept() -> Iterator[Keep]:
    """``keep()``, called while the collector is paused, leaves every object alive at that
    moment (a loaded registry, then what was worked out from it) out of the collector's
    passes until the block ends, once ``made`` objects at least were made since the last
    pass (by default ``FREEZE_FROM``). Once the collector was back on, every full pass
    walked the whole registry again while a daily run composed its mails, a third of its
    CPU at 200,000 users; then the passes walked the duties' judgements, made after it,
    again and again; and the first passes after an apply's pause walked everything the
    pause let build (0.2 s of a one-file run, 0.4 s of a 100-file one). Those objects are
    still freed by reference counting; they hold no cycles."""
    frozen = False

    def keep(made: int | None = None) -> None:
        nonlocal frozen
        if gc.get_count()[0] >= (FREEZE_FROM if made is None else made):
            gc.freeze()
            frozen = True

    try:
        yield keep
    finally:
        if frozen and _give_back:
            gc.unfreeze()
