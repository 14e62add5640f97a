"""``accessreg daily`` regenerates the whitelists: an expired certificate leaves on its day,
and nginx accepts what is generated on either side of it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.helpers.regfactory import RegistryFactory, certificate
from tests.helpers.scheduled_scenario import duty, scenario
from tests.helpers.servers import binary, includes, nginx_conf, nginx_test

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


ENDING = certificate(1, serial="7A0001", not_before="2025-04-01", not_after="2027-03-31")
STAYING = certificate(2, serial="7A0002", not_before="2026-01-01", not_after="2027-12-31")
IP = {"cidr": "41.203.64.10/32", "reason": "海外拠点", "expires_on": "2027-03-31"}


def test_expired_certificate_leaves_the_whitelist_on_its_day(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    nginx = binary("nginx")
    g = scenario(reg, certificates=[ENDING, STAYING], ip_allowlist=[IP])
    maps = {}
    for day in (date(2027, 3, 31), date(2027, 4, 1)):
        out = tmp_path / f"out-{day}"
        result = duty(g, "daily", "--out", str(out), today=day)
        assert "long-unused IDs: skipped" in result.stderr
        taxis = out / "whitelist" / "taxis"
        maps[day] = (taxis / "cert-map.conf").read_text(encoding="utf-8")
        geo = (taxis / "ip-geo.conf").read_text(encoding="utf-8")
        assert ("41.203.64.10/32 1;" in geo) == (day == date(2027, 3, 31))
        listed = json.loads((taxis / "allowlist.json").read_text(encoding="utf-8"))
        assert listed["valid_on"] == day.isoformat()
        work = tmp_path / f"nginx-{day}"
        checked = nginx_test(nginx, nginx_conf(work, includes(sorted(taxis.glob("*.conf")))))
        assert checked.returncode == 0, checked.stderr
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert summary["duties"] == ["expiry", "inventory", "membership", "time-rules"]
    assert "7A0001 TESTOP01;" in maps[date(2027, 3, 31)]  # valid through its last day
    assert "7A0001" not in maps[date(2027, 4, 1)]  # gone the day after
    assert "7A0002 TESTOP01;" in maps[date(2027, 4, 1)]
