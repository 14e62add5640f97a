"""Safety rails before anything is generated: no mass removal, no emptied registry.

A change that removes more than a share of all login IDs (default 25 %), or leaves none, is
far more likely a broken merge than a real application; so is one that takes the same share
of the whitelists' entries (each system's client certificates and overseas addresses), or
all of them, away from the reverse proxies. Either needs ``--allow-mass-removal``
(peribolos' ``--maximum-removal-delta`` is the model). Each merge is judged alone, as its
pull request's plan judged it (``merges``): two terminations reviewed apart, each below the
share, do not stop a run that applies both, nor every other operator's merge with them; a
merge refused holds back itself and the merges after it, and the run applies those before
it (``Refused``, ``apply.run``); where main was rewritten, the whole difference is one
change. A suspension removes nothing: a
suspended login ID keeps its permissions, marked suspended, and a suspended certificate or
use of a system its entries, until the suspension is lifted (001 p46); a revocation is
never held back by a rail (T14 of the threat model). What a change removes and when that
trips the rail is counted in ``model.removal``, which the plan reads too: it warns of such a
change before the merge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from typing import TYPE_CHECKING, Literal

from accessreg.errors import ProblemsFound
from accessreg.model import Certificate, Operator
from accessreg.model.messages import Message, Param, msg
from accessreg.model.registry import Registry
from accessreg.model.removal import NOTHING_REMOVED, Removal
from accessreg.outputs.access import AccessChange
from accessreg.outputs.whitelist import Admitted, whitelists

if TYPE_CHECKING:
    from accessreg.provision.merges import Step


class _Unsuspended(Admitted):
    """The records of admission, with every suspension lifted: what the whitelists would
    let through but for the suspensions."""

    def certificate_suspended(self, cert: Certificate, day: date) -> bool:
        return False

    def use_suspended(self, op: Operator, system: str, day: date) -> bool:
        return False


Entry = tuple[str, str, str]  # (system, "certificate", serial) or (system, operator, network)


def entries(registry: Registry, day: date, admitted: Admitted) -> frozenset[Entry]:
    """Every entry of ``registry``'s whitelists on ``day``, suspensions aside."""
    lifted = _Unsuspended(**{f.name: getattr(admitted, f.name) for f in fields(admitted)})
    found: set[Entry] = set()
    for wl in whitelists(registry, day, lifted):
        found.update((wl.system, "certificate", c.serial) for c in wl.certificates)
        found.update((wl.system, n.operator, n.cidr) for n in wl.networks)
    return frozenset(found)


def entry_removal(before: Registry, after: Registry, day: date, admitted: Admitted) -> Removal:
    """The whitelists' entries ``after`` takes away from ``before``, both on ``day`` under
    the same records: what the change removes, not what time does (an expiry, an admission
    date reached)."""
    new = entries(after, day, admitted)
    if _same_operators(before, after):  # a merge of users' files alone: nothing taken away
        return Removal(len(new), len(new), 0)
    old = entries(before, day, admitted)
    return Removal(len(old), len(new), len(old - new))


def _same_operators(before: Registry, after: Registry) -> bool:
    """Whether both hold the same catalog and operator files, as the same objects: the
    registries of a run share what they read from the same blobs."""
    if before.catalog is not after.catalog:
        return False
    ours = [entry.operator for entry in before.iter_operators()]
    theirs = [entry.operator for entry in after.iter_operators()]
    return len(ours) == len(theirs) and all(a is b for a, b in zip(ours, theirs, strict=True))


Kind = Literal["logins", "entries"]


def _refusal(found: Removal, max_share: float, kind: Kind) -> Message:
    share: dict[str, Param] = {
        "removed": found.removed,
        "before": found.before,
        "share": format(found.share, ".0%"),
        "max_share": format(max_share, ".0%"),
    }
    if kind == "entries":
        if not found.after:
            return msg(
                "Refusing to remove every one of {before} whitelist entries (no client "
                "certificate or overseas address would be let through); if that is really "
                "wanted, run again with --allow-mass-removal",
                before=found.before,
            )
        return msg(
            "Refusing to remove {removed} of {before} whitelist entries (client certificates "
            "and overseas addresses, per system; {share} > {max_share}); check the merge, then "
            "run again with --allow-mass-removal or a higher --max-removal-share",
            **share,
        )
    if not found.after:
        return msg(
            "Refusing to remove every one of {before} login IDs (the "
            "registry would be empty); if that is really wanted, run "
            "again with --allow-mass-removal",
            before=found.before,
        )
    return msg(
        "Refusing to remove {removed} of {before} login IDs ({share} "
        "> {max_share}); check the merge, then run again with "
        "--allow-mass-removal or a higher --max-removal-share",
        **share,
    )


def check_removal(
    found: Removal,
    max_share: float,
    allowed: bool,
    kind: Kind = "logins",
    rewritten: str | None = None,
) -> None:
    """Raise ProblemsFound unless the removal is within bounds or explicitly allowed.
    ``rewritten``: the revision applied before, where it is gone from main's history, the
    likeliest cause of a mass removal, said first."""
    if not allowed and found.trips(max_share):
        refusal = _refusal(found, max_share, kind)
        if rewritten is not None:
            refusal = msg(
                "{rewritten} {refusal}", rewritten=rewrite_note(rewritten), refusal=refusal
            )
        raise ProblemsFound(refusal)


class Refused(ProblemsFound):
    """A merge of the run the rail refuses (``merges``), and the last merge before it
    (``before``; None: it is the run's first): a run up to that one takes nothing the rail
    counts away, so it applies those alone, and the refused merge and every one after it
    wait for a maintainer."""

    def __init__(self, message: Message, before: str | None) -> None:
        super().__init__(message)
        self.before = before


def merges(
    steps: Sequence[Step],
    held: int,
    max_share: float,
    allowed: bool,
    day: date,
    admitted: Admitted,
) -> None:
    """``check_removal`` of each merge of a run alone, as its plan foretold it: the login
    IDs it takes away of those held when it came (``held`` at the first, then as the
    merges before it left them), and the whitelists' entries on ``day`` (``entry_removal``,
    counted only for a merge that changes an operator's file: one of users' files alone
    takes none away). The first that trips is named (``Refused``)."""
    if allowed:
        return
    before: str | None = None
    for step in steps:
        gone, came = _whole(step.changes, "after"), _whole(step.changes, "before")
        found = Removal(held, held - len(gone) + len(came), len(gone))
        entries = (
            NOTHING_REMOVED
            if _same_operators(step.before, step.after)
            else entry_removal(step.before, step.after, day, admitted)
        )
        judged: tuple[tuple[Kind, Removal], ...] = (("logins", found), ("entries", entries))
        for kind, removal in judged:
            if removal.trips(max_share):
                raise Refused(
                    msg(
                        "The merge {commit} ({title}): {refusal}",
                        commit=step.commit.sha[:12],
                        title=step.title or step.commit.subject,
                        refusal=_refusal(removal, max_share, kind),
                    ),
                    before,
                )
        held, before = found.after, step.commit.sha


def _whole(changes: Sequence[AccessChange], side: Literal["before", "after"]) -> set[str]:
    """The login IDs ``changes`` take away whole (``side`` "after": every permission the
    holder had, ``outputs.access``'s keys) or bring whole ("before": none held before). A
    row of one system has no holder on the side that lacks the system, whatever else the
    person holds."""
    other = "before" if side == "after" else "after"
    kept: set[str] = set()
    moved: dict[str, set[str]] = defaultdict(set)
    held: dict[str, frozenset[str]] = {}
    for c in changes:
        login, mine = c.person.login, getattr(c, side)
        if mine is not None:
            kept.add(login)
            continue
        moved[login].add(c.system)
        theirs = getattr(c, other)
        if theirs is not None:
            held[login] = frozenset(theirs.permissions)
    return {
        login
        for login, systems in moved.items()
        if login not in kept and held.get(login, frozenset()) <= systems
    }


def rewrite_note(base: str) -> Message:
    """What a run says when the revision applied before is not in main's history."""
    return msg(
        "The revision applied before, {base}, is not in main's history (main was "
        "rewritten): the run applies the difference between the two, so what only {base} "
        "held is withdrawn downstream.",
        base=base[:12],
    )
