"""An applicant for OCCTO membership receiving its operator code (003 §2.2).

The registry holds an applicant under a provisional key (``PROV-…``) until OCCTO issues its
code; a change then moves its operator file and its users to that code. It is the same
operator continuing under its code: its users keep their login IDs, and what downstream
holds of them changes its operator code only. Who may propose the move (``authorize``), the
plan of a change and the applications a merge is accepted as all pair the two keys here.
Pure: the registries are loaded.
"""

from __future__ import annotations

from collections import Counter

from accessreg.model.base import is_provisional_key
from accessreg.model.registry import OperatorEntry, Registry


def _windows(entry: OperatorEntry) -> frozenset[str]:
    return frozenset(c.email.lower() for c in entry.operator.contacts)


def issued_codes(before: Registry, after: Registry) -> dict[str, str]:
    """Provisional keys whose operator continues under the code OCCTO issued → that code:
    a ``PROV-…`` operator file gone from ``after``, and no user of it left there, while
    ``after`` adds the file of an operator with a code. A key goes to the one new code that
    keeps one of its window persons (by e-mail), and that no other key's window persons
    reach, however much its file changed on the way: an applicant that withdraws while an
    unrelated operator is added in the same change is no move, its use ends and its window
    persons are told so. A key with users left is no move: they are planned and judged as
    its own."""
    gone = [
        key
        for key, entry in before.operators.items()
        if is_provisional_key(key) and entry.file not in after.files and not after.users_of(key)
    ]
    if not gone:  # almost every change: no operator of the other side is looked at
        return {}
    new = [
        code
        for code, entry in after.operators.items()
        if not is_provisional_key(code) and entry.file not in before.files
    ]
    if not new:
        return {}
    found: dict[str, str] = {}
    for key in gone:
        own = _windows(before.operators[key])
        kept = [code for code in new if own & _windows(after.operators[code])]
        if len(kept) == 1:
            found[key] = kept[0]
    taken = Counter(found.values())
    return {key: code for key, code in found.items() if taken[code] == 1}
