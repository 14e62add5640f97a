"""The base DN every entry is placed under: what ``is_base_dn`` takes, the ``ldif``
package's strict parser reads back as DNs ending with it, one entry per record; what it
refuses, ``apply`` refuses before anything is read or written."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from accessreg.outputs import ldif
from tests.helpers.holders import HOLDER
from tests.helpers.parsers import ldif_entries
from tests.helpers.regfactory import ROOT, run_cli

# RDNs whose values hold the characters that decide: specials, escapes, spaces, line breaks.
_VALUE = st.text(st.sampled_from(list('ax東 #,+\\;<>"=\n\r\t\0\u2028')), max_size=4)
_TYPE = st.sampled_from(["dc", "ou", "o", "c", "2.5.4.3", "1x", ""])
_ESCAPED = _VALUE.filter(str.isprintable).filter(bool).map(ldif.escape_dn_value)
_RDN = st.tuples(_TYPE, st.one_of(_VALUE, _ESCAPED)).map("=".join)
DNS = st.lists(_RDN, min_size=1, max_size=3).map(",".join)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=8).filter(str.isprintable))
def test_any_printable_value_escaped_as_dns_escape_it_is_taken(value: str) -> None:
    """The escaping of login IDs in DNs and the check of a base DN agree: a value escaped
    by the one is taken by the other, and read back as it was."""
    base = f"o={ldif.escape_dn_value(value)},c=JP"
    assert ldif.is_base_dn(base)
    found = ldif.document([ldif.people_part([HOLDER], base)], base, groups=[])
    assert isinstance(found, bytes)
    assert f"uid=u1@example.co.jp,ou=people,{base}" in ldif_entries(found)


@settings(max_examples=300, deadline=None)
@given(DNS)
@example("dc=accessreg,dc=example")
@example("cn=a\\,b,o=東京,c=JP")
@example("dc=x\ndn: cn=admin,dc=x")
def test_a_base_dn_taken_is_one_the_parser_reads_under_every_entry(base: str) -> None:
    if not ldif.is_base_dn(base):
        return
    found = ldif.document([ldif.people_part([HOLDER], base)], base, groups=["taxis-1011"])
    assert isinstance(found, bytes)
    entries = ldif_entries(found)
    person = f"uid=u1@example.co.jp,ou=people,{base}"
    group = f"cn=taxis-1011,ou=groups,{base}"
    assert sorted(entries) == sorted([f"ou=people,{base}", f"ou=groups,{base}", person, group])
    assert person in entries[group]["member"]


def test_apply_refuses_a_base_dn_that_is_not_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for bad in (
        "dc=x\ndn: cn=admin,dc=x",
        "dc=x\ny",
        "dc=x,",
        "ou=people, dc=x",
        "dc=",
        "dc=a+ou=b",
        "dc= x",
    ):
        result = run_cli("apply", "--out", str(out), "--ldap-base", bad, cwd=ROOT)
        assert result.returncode == 2, bad
        assert "はベース DN ではありません" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert not out.exists()
