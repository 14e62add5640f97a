"""`status` lists what is suspended (001 p46, 002 §2.6, §3.4.4) besides the applications."""

from __future__ import annotations

from accessreg.provision.status import suspension_table, suspensions
from tests.helpers.regfactory import RegistryFactory, certificate
from tests.helpers.registries import loaded


def test_every_kind_of_suspension_is_listed(reg: RegistryFactory) -> None:
    reg.operator(
        certificates=[certificate(1, suspended_on="2026-11-01"), certificate(2)],
        suspensions=[{"system": "johs", "suspended_on": "2026-11-02", "reason": "調査中"}],
    )
    reg.user(suspended_on="2026-11-03")
    found = suspensions(loaded(reg))
    assert [(s.what, s.target, s.since) for s in found] == [
        ("システムの利用", "託送情報開示システム（johs）", "2026-11-02"),
        ("証明書", "EP-TEST-0001（シリアル 7A0001）", "2026-11-01"),
        ("利用者ID", "user1@test-gas.example.co.jp", "2026-11-03"),
    ]
    assert suspensions(loaded(reg), "OTHER001") == []
    lines = suspension_table(found).splitlines()
    assert lines[:2] == ["", "利用停止中\t事業者コード\t対象\t停止日"]
    assert suspension_table([]) == ""
