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


def document(wl: Whitelist) -> bytes:
    body = {
        "system": wl.system,
        "valid_on": wl.day.isoformat(),
        "certificates": [
            {
                "serial": c.serial,
                "operator": c.operator,
                "id": c.id,
                "cn": c.cn,
                "not_before": c.not_before.isoformat(),
                "not_after": c.not_after.isoformat(),
            }
            for c in wl.certificates
        ],
        "ip_allowlist": [
            {"cidr": n.cidr, "operator": n.operator, "expires_on": n.expires_on.isoformat()}
            for n in wl.networks
        ],
    }
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
