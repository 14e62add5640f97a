"""nginx include files for the reverse proxy in front of one system (http context).

``geo`` sets ``$accessreg_<system>_ip`` to 1 for an allowlisted overseas address (default
0, addresses in Japan too: only the deployment's country lookup tells them apart, so a proxy
refuses an address that is abroad and 0, as README configures it), and
``map $ssl_client_serial`` sets ``$accessreg_<system>_cert`` to the operator code of a
whitelisted certificate (default empty). A server then refuses what is not whitelisted::

    if ($accessreg_taxis_cert = "") { return 403; }

Only values the registry's patterns make safe (serials, codes, IDs, addresses) are written;
free text never reaches the configuration.
"""

from __future__ import annotations

from accessreg.outputs.whitelist import Whitelist


def _cited(sections: str) -> str:
    """A header's citation: the provider's own sections (a catalog citation, of digits,
    § and commas only), none where its terms give none."""
    return f" ({sections})" if sections else ""


def ip_variable(system: str) -> str:
    return f"$accessreg_{system}_ip"


def cert_variable(system: str) -> str:
    return f"$accessreg_{system}_cert"


def geo(wl: Whitelist) -> bytes:
    lines = [
        f"# accessreg: allowlisted overseas addresses for {wl.system} on {wl.day}"
        + _cited(wl.addresses_cited),
        f"geo {ip_variable(wl.system)} {{",
        "    default 0;",
    ]
    lines += [f"    {n.cidr} 1;  # {n.operator} until {n.expires_on}" for n in wl.networks]
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def certificate_map(wl: Whitelist) -> bytes:
    lines = [
        f"# accessreg: client certificates valid for {wl.system} on {wl.day}"
        + _cited(wl.certificates_cited),
        f"map $ssl_client_serial {cert_variable(wl.system)} {{",
        '    default "";',
    ]
    lines += [
        f"    {c.serial} {c.operator};  # {c.id} until {c.not_after}" for c in wl.certificates
    ]
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")
