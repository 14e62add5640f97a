"""Who may file what: the check ``from-issue`` applies to the person who filed the issue.

One call, :func:`refusals`, decided from the registry as it is before the change (the base
revision the workflow checked out), never from the change itself: nobody adds themselves as a
window person and acts on it in the same application. The rules are those of the
authorization of pull requests: an operator's files are changed only by its window persons or
a maintainer; a new operator file only by one of the contacts it names; everything else is
for maintainers.
"""

from __future__ import annotations

from collections.abc import Mapping

from accessreg import layout, yamlsafe
from accessreg.registry import Registry


def _new_contacts(raw: bytes) -> set[str]:
    try:
        data = yamlsafe.load(raw)
    except yamlsafe.YamlProblem:
        return set()
    contacts = data.get("contacts") if isinstance(data, dict) else None
    return {
        str(c.get("github", "")).lower()
        for c in contacts or []
        if isinstance(c, dict) and c.get("github")
    }


def refusals(base: Registry, changed: Mapping[str, bytes | None], actor: str) -> list[str]:
    """One line per changed path ``actor`` may not change; empty when every path is allowed."""
    login = actor.lower()
    if login in base.maintainer_logins():
        return []
    out: list[str] = []
    for rel, raw in changed.items():
        code = layout.operator_of(rel)
        entry = base.operators.get(code) if code else None
        if code is None:
            out.append(f"{rel}: only maintainers may change this path")
        elif entry is not None:
            windows = {c.github.lower() for c in entry.operator.contacts}
            if login not in windows:
                out.append(f"{rel}: only a window person of {code} (or a maintainer) may change it")
        elif rel == layout.operator_file(code) and raw is not None:
            if login not in _new_contacts(raw):
                out.append(f"{rel}: a new operator is filed by one of the window persons it names")
        else:
            out.append(f"{rel}: there is no operator {code} yet")
    return out
