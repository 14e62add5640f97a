"""Overseas-IP whitelist rules (000 §2-8)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from accessreg.model.messages import Message, msg
from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry
from accessreg.rules.base import Context, Due, Scope, finding, rule

MAX_PREFIX = {4: 24, 6: 48}  # the widest prefix one entry may allow


def address_problem(cidr: str) -> Message | None:
    """Why ``cidr`` cannot be allowlisted, or None if it can."""
    try:
        net = ipaddress.ip_network(cidr, strict=True)
    except ValueError:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            return msg(
                "{cidr} is not an IP address: write a fixed address such as 41.203.64.10/32",
                cidr=cidr,
            )
        return msg(
            "{cidr} has bits set after the prefix: write the address with /32 (IPv4) or /128 "
            "(IPv6), or the network's first address",
            cidr=cidr,
        )
    if not net.is_global or net.is_multicast or net.is_reserved:
        return msg(
            "{cidr} is not a global address (a private, local or reserved one): write the fixed "
            "global IP the overseas site connects from",
            cidr=cidr,
        )
    if net.prefixlen < MAX_PREFIX[net.version]:
        return msg(
            "{cidr} is wider than /{prefix}: allow only fixed addresses",
            cidr=cidr,
            prefix=MAX_PREFIX[net.version],
        )
    return None


@rule("ip-allowlist-address", "000 §2-8", Scope.OPERATORS)
def ip_allowlist_address(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """An allowlisted entry is not a fixed global address or a small prefix.

    Private, loopback, link-local, multicast and reserved ranges are refused, and so is any
    prefix wider than /24 (IPv4) or /48 (IPv6): only fixed global IPs may be whitelisted.
    """
    for entry in reg.iter_operators():
        for i, allow in enumerate(entry.operator.ip_allowlist):
            why = address_problem(allow.cidr)
            if why:
                yield finding(entry.file, why, ("ip_allowlist", i, "cidr"))


@rule("ip-allowlist-expired", "000 §2-8", Scope.OPERATORS, Level.WARNING, Due.TIME)
def ip_allowlist_expired(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """An allowlisted entry's expiry date has passed: renew it with a reason, or remove it.

    The entry leaves the whitelists the day after its last valid day by itself, and the
    `expiry` duty tells the window persons. 000 §2-8 sets no expiry of its own: the date is
    this registry's, so a lapsed entry is a warning, not an error.
    """
    for entry in reg.iter_operators():
        for i, allow in enumerate(entry.operator.ip_allowlist):
            if allow.expires_on < ctx.today:
                yield finding(
                    entry.file,
                    msg(
                        "{cidr} expired on {end}: renew it with a reason, or remove it",
                        cidr=allow.cidr,
                        end=allow.expires_on,
                    ),
                    ("ip_allowlist", i, "expires_on"),
                )


RULES = (ip_allowlist_address, ip_allowlist_expired)
