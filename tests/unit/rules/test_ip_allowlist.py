"""Overseas-IP allowlist (rules/ip_allowlist.py, 000 §2-8)."""

from __future__ import annotations

import re

import pytest

from accessreg import i18n
from accessreg.files.schemacheck import pattern_sentence
from accessreg.model.base import CIDR
from accessreg.rules.ip_allowlist import address_problem
from tests.helpers.regfactory import OPERATOR, ROOT, RegistryFactory, shown


def allow(reg: RegistryFactory, cidr: str, expires_on: str = "2027-03-31") -> None:
    entry = {"cidr": cidr, "reason": "シンガポール拠点からの出張対応", "expires_on": expires_on}
    reg.operator(ip_allowlist=[entry])


@pytest.mark.parametrize(
    "cidr",
    ["41.203.64.10/32", "41.203.64.10", "41.203.64.0/24", "2c0f:f248::1/128", "2c0f:f248::/48"],
)
def test_fixed_global_address_or_small_prefix_is_clean(reg: RegistryFactory, cidr: str) -> None:
    allow(reg, cidr)
    assert reg.found() == []


@pytest.mark.parametrize(
    "cidr",
    [
        "10.1.2.3/32",  # private
        "172.16.0.0/24",  # private
        "192.168.1.10",  # private
        "127.0.0.1",  # loopback
        "169.254.10.1",  # link-local
        "100.64.0.1",  # shared address space (CGN): dynamic by nature
        "0.0.0.0/32",  # unspecified
        "240.0.0.1",  # reserved
        "224.0.0.1",  # multicast
        "192.0.2.10",  # documentation
        "::1/128",  # loopback
        "fe80::1/128",  # link-local
        "fd00::1/128",  # unique local
        "ff02::1/128",  # multicast
        "2001:db8::1/128",  # documentation
        "41.203.64.0/23",  # wider than /24
        "0.0.0.0/0",  # everything
        "2c0f:f248::/32",  # wider than /48
        "41.203.64.10/24",  # host bits set: not a network address
    ],
)
def test_ip_allowlist_address(reg: RegistryFactory, cidr: str) -> None:
    allow(reg, cidr)
    line = reg.line_of(OPERATOR, "cidr:")
    assert reg.found() == [("ip-allowlist-address", shown(OPERATOR), line, "error")]
    [p] = reg.validate().problems
    assert cidr in p.message.english()


def test_ip_allowlist_expired(reg: RegistryFactory) -> None:
    allow(reg, "41.203.64.10/32", expires_on="2026-11-21")
    line = reg.line_of(OPERATOR, "expires_on:")
    # 000 §2-8 gives an allowed address no expiry: a lapsed registry date warns.
    assert reg.found() == [("ip-allowlist-expired", shown(OPERATOR), line, "warning")]


def test_ip_allowlist_expiring_today_is_clean(reg: RegistryFactory) -> None:
    allow(reg, "41.203.64.10/32", expires_on="2026-11-22")
    assert reg.found() == []


def test_ip_allowlist_needs_a_reason(reg: RegistryFactory) -> None:
    reg.operator(
        ip_allowlist=[{"cidr": "41.203.64.10/32", "reason": "", "expires_on": "2027-03-31"}]
    )
    line = reg.line_of(OPERATOR, "reason:")
    assert reg.found() == [("schema", shown(OPERATOR), line, "error")]


def test_the_examples_the_messages_give_are_accepted() -> None:
    """A filer who copies the example of a refusal, of the schema or of the form must not be
    refused for it: a documentation range (203.0.113.0/24) is reserved, and refused."""
    examples = [address_problem("not-an-address"), pattern_sentence(CIDR, "cidr")]
    found = set()
    for message in examples:
        assert message is not None
        for text in (i18n.text(message, "en"), i18n.text(message, "ja")):
            found |= set(re.findall(r"\d+\.\d+\.\d+\.\d+/\d+", text))
    form = (ROOT / ".github" / "ISSUE_TEMPLATE" / "ip.yml").read_text(encoding="utf-8")
    found |= set(re.findall(r"\d+\.\d+\.\d+\.\d+/\d+", form))
    assert found
    assert {cidr: address_problem(cidr) for cidr in sorted(found)} == dict.fromkeys(sorted(found))
