"""`status` lists what is suspended (001 p46, 002 §2.6, §3.4.4) besides the applications."""

from __future__ import annotations

from datetime import date

import pytest

from accessreg import i18n
from accessreg.provision.status import Held, held_table, suspension_table, suspensions
from tests.helpers.regfactory import RegistryFactory, certificate
from tests.helpers.registries import loaded


def _suspended(reg: RegistryFactory) -> None:
    reg.operator(
        certificates=[certificate(1, suspended_on="2026-11-01"), certificate(2)],
        suspensions=[{"system": "johs", "suspended_on": "2026-11-02", "reason": "調査中"}],
    )
    reg.user(suspended_on="2026-11-03")


def test_every_kind_of_suspension_is_listed(reg: RegistryFactory) -> None:
    _suspended(reg)
    found = suspensions(loaded(reg))
    assert [(s.what, i18n.text(s.target, "ja"), s.since) for s in found] == [
        ("システムの利用", "託送情報開示システム（johs）", "2026-11-02"),
        ("証明書", "EP-TEST-0001（シリアル 7A0001）", "2026-11-01"),
        ("利用者ID", "user1@test-gas.example.co.jp", "2026-11-03"),
    ]
    assert suspensions(loaded(reg), "OTHER001") == []
    lines = suspension_table(found).splitlines()
    assert lines[:2] == ["", "利用停止中\t事業者コード\t対象\t停止日"]
    assert suspension_table([]) == ""


def test_english_names_the_system_and_the_certificate_in_english(
    reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An English run reads the catalog's English name of a system (``name_en``) and the
    certificate's serial in English words; the files' own values stay as they are."""
    _suspended(reg)
    monkeypatch.setenv("ACCESSREG_LANG", "en")
    assert suspension_table(suspensions(loaded(reg))).splitlines() == [
        "",
        "suspended\toperator code\ttarget\tsuspended since",
        "use of a system\tTESTOP01\tWheeling information disclosure system (JOHS)\t2026-11-02",
        "certificate\tTESTOP01\tEP-TEST-0001 (serial 7A0001)\t2026-11-01",
        "user ID\tTESTOP01\tuser1@test-gas.example.co.jp\t2026-11-03",
    ]


def test_a_login_id_is_listed_whole(reg: RegistryFactory) -> None:
    """A long login ID is not cut as a message cuts a long value: cut, it names no one."""
    login = "a" * 64 + "@" + "b" * 40 + ".test-gas.example.co.jp"
    reg.user(email=login, suspended_on="2026-11-03")
    (line,) = suspension_table(suspensions(loaded(reg))).splitlines()[2:]
    assert line.split("\t")[2] == login


def test_a_held_file_s_name_is_shown_escaped_on_its_own_line() -> None:
    """A held file is named as a pull request named it: its control characters are shown,
    not run, and cannot start a line of their own."""
    hostile = "registry/users/TESTOP01/\x1b[2J\n::error::forged\u202e.yaml"
    table = held_table([Held("TESTOP01", hostile, date(2026, 12, 7))])
    rows = table.strip("\n").split("\n\n")[0].splitlines()
    assert len(rows) == 2  # the header and the one file
    assert "\x1b" not in table and "\u202e" not in table
    assert rows[1].endswith("\\x1b[2J\\x0a::error::forged\\u202e.yaml")
