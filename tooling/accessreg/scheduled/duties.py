"""Every scheduled duty, by the name commands give it: one module each, one line adds one.

A duty module has ``NEEDS_HISTORY``, ``NEEDS_EXPORT``, ``check`` and ``judge``
(``scheduled.duty.Duty``); the run reads what they need and calls them in this order.
"""

from __future__ import annotations

from accessreg.scheduled import expiry, inventory, membership, reviews, stale, timerules
from accessreg.scheduled.duty import Duty

DUTIES: dict[str, Duty] = {
    "expiry": expiry,
    "stale": stale,
    "inventory": inventory,
    "membership": membership,
    "reviews": reviews,
    "time-rules": timerules,
}
