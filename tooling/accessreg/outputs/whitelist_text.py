"""The same whitelist for other proxies and WAFs: a plain list and a JSON document."""

from __future__ import annotations

import json

from accessreg.outputs.whitelist import Whitelist


def text(wl: Whitelist) -> bytes:
    """One line per entry: ``cert <serial> <operator>`` or ``ip <cidr> <operator>``."""
    lines = [f"# accessreg whitelist for {wl.system} on {wl.day}"]
    lines += [f"cert {c.serial} {c.operator}" for c in wl.certificates]
    lines += [f"ip {n.cidr} {n.operator}" for n in wl.networks]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _listed(entries: list[dict[str, str]]) -> str:
    """A JSON list, one entry per line: diffable, and written by json's C encoder (indenting
    falls back to the pure-Python one, slow on the lists of 2,000 operators)."""
    if not entries:
        return "[]"
    return "[\n" + ",\n".join(json.dumps(e, ensure_ascii=False) for e in entries) + "\n]"


def document(wl: Whitelist) -> bytes:
    certificates = [
        {
            "serial": c.serial,
            "operator": c.operator,
            "id": c.id,
            "cn": c.cn,
            "not_before": c.not_before.isoformat(),
            "not_after": c.not_after.isoformat(),
        }
        for c in wl.certificates
    ]
    networks = [
        {"cidr": n.cidr, "operator": n.operator, "expires_on": n.expires_on.isoformat()}
        for n in wl.networks
    ]
    head = json.dumps({"system": wl.system, "valid_on": wl.day.isoformat()}, ensure_ascii=False)
    body = (
        f'{head[:-1]}, "certificates": {_listed(certificates)}, '
        f'"ip_allowlist": {_listed(networks)}}}\n'
    )
    return body.encode("utf-8")
