"""The generated nginx includes pass `nginx -t` and let exactly the whitelisted clients in."""

from __future__ import annotations

import http.client
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from accessreg.files.loading import load
from accessreg.files.sources import DirectorySource
from accessreg.outputs import nginx, whitelist_text
from accessreg.outputs.whitelist import whitelist, whitelists
from accessreg.provision.bundle import admitted
from accessreg.provision.state import ApplicationRecord, BatchRecord, ItemDates
from tests.helpers.certs import CA, Issued
from tests.helpers.regfactory import ROOT, RegistryFactory, certificate
from tests.helpers.registries import loaded
from tests.helpers.servers import binary, free_port, nginx_conf, nginx_test, running

DAY = date(2026, 11, 22)


def test_nginx_accepts_every_generated_include(tmp_path: Path) -> None:
    nginx_bin = binary("nginx")
    registry = load(DirectorySource(ROOT / "registry")).registry
    assert registry is not None
    includes = []
    for wl in whitelists(registry, DAY):
        for name, data in (
            ("ip-geo.conf", nginx.geo(wl) if wl.blocks_overseas else None),
            ("cert-map.conf", nginx.certificate_map(wl) if wl.checks_certificates else None),
        ):
            if data is None:
                continue
            path = tmp_path / wl.system / name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
            includes.append(f"    include {path};")
            alone = tmp_path / f"alone-{wl.system}-{name}"
            alone.mkdir()
            result = nginx_test(nginx_bin, nginx_conf(alone, f"    include {path};"))
            assert result.returncode == 0, result.stderr
    together = tmp_path / "together"
    together.mkdir()
    result = nginx_test(nginx_bin, nginx_conf(together, "\n".join(includes)))
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_a_wrong_include_is_refused_by_nginx_t(tmp_path: Path) -> None:
    """The check above can fail: the same harness refuses a broken map."""
    nginx_bin = binary("nginx")
    bad = tmp_path / "bad.conf"
    bad.write_text('map $ssl_client_serial $x {\n    default "";\n    4A3F09 ;\n}\n')
    work = tmp_path / "work"
    work.mkdir()
    assert nginx_test(nginx_bin, nginx_conf(work, f"    include {bad};")).returncode != 0


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Issued]:
    where = tmp_path_factory.mktemp("pki")
    ca = CA(where)
    return {
        "ca": ca.issued,
        "server": ca.issue("server", "127.0.0.1", 0x10, server=True),
        "allowed": ca.issue("allowed", "TESTOP01-PC01", 0x7A0001),
        "other": ca.issue("other", "TESTOP01-PC02", 0x7A0002),
        "expired": ca.issue("expired", "TESTOP01-PC03", 0x7A0003),
    }


def _registry(reg: RegistryFactory, pki: dict[str, Issued]) -> None:
    reg.operator(
        certificates=[
            certificate(1, serial=pki["allowed"].serial, cn="TESTOP01-PC01"),
            certificate(
                3,
                serial=pki["expired"].serial,
                not_before="2024-12-01",
                not_after="2026-11-30",
            ),
        ],
        ip_allowlist=[{"cidr": "127.0.0.1/32", "reason": "試験", "expires_on": "2027-03-31"}],
    )


# README's server in front of a system, with a stand-in for the deployment's country lookup:
# loopback is abroad but for 127.0.0.3, which is in Japan, and 127.0.0.4, which the lookup
# does not place (no database, an empty answer).
README_HOST = "/etc/nginx/accessreg/taxis"
IN_JAPAN = "127.0.0.3"
UNPLACED = "127.0.0.4"
COUNTRY = f'geo $outside_japan {{ default 1; {IN_JAPAN} 0; {UNPLACED} ""; }}'


def _readme_block() -> tuple[list[str], list[str]]:
    """README's nginx block, as directives of the http context and of the server."""
    blocks = re.findall(r"^```nginx\n(.*?)^```$", (ROOT / "README.md").read_text(), re.S | re.M)
    assert len(blocks) == 1, "README shows one nginx configuration"
    http, _, server = blocks[0].partition("# in the server with ssl_verify_client on:")
    assert server, "README's nginx block names where the server's lines start"

    def directives(part: str) -> list[str]:
        return [ln for ln in part.splitlines() if ln.strip() and not ln.startswith("#")]

    return directives(http), directives(server)


@contextmanager
def _proxy(
    tmp_path: Path, pki: dict[str, Issued], includes: list[Path], system: str = "taxis"
) -> Iterator[int]:
    """A server in front of ``system`` as README configures one: the address checked where
    the system blocks access from abroad (an ``ip-geo`` include given), then the
    certificate; without that include, the certificate lines only, as README says."""
    nginx_bin = binary("nginx")
    port = free_port()
    work = tmp_path / f"nginx-{port}"
    work.mkdir()
    geo = next((p for p in includes if p.name.endswith("geo.conf")), None)
    cert_map = next(p for p in includes if p.name.endswith("map.conf"))
    http, server = _readme_block()
    if geo is None:
        http, server = [ln for ln in http if "cert" in ln], [ln for ln in server if "cert" in ln]

    def here(line: str) -> str:
        line = line.replace(f"{README_HOST}/ip-geo.conf", str(geo))
        line = line.replace(f"{README_HOST}/cert-map.conf", str(cert_map))
        return "    " + line.replace("_taxis_", f"_{system}_")

    body = "\n".join([f"    {COUNTRY}", *map(here, http)])
    checks = "\n    ".join(map(here, server))
    body += f"""
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {pki["server"].cert};
        ssl_certificate_key {pki["server"].key};
        ssl_client_certificate {pki["ca"].cert};
        ssl_verify_client on;
    {checks}
        location / {{
            return 200 "operator {nginx.cert_variable(system)}\\n";
        }}
    }}"""
    conf = nginx_conf(work, body)
    argv = [nginx_bin, "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)]
    with running(argv, port, work / "stdout.log"):
        yield port


def _get(
    port: int, pki: dict[str, Issued], client: str, source: str = "127.0.0.1"
) -> tuple[int, str]:
    ctx = ssl.create_default_context(cafile=str(pki["ca"].cert))
    ctx.load_cert_chain(str(pki[client].cert), str(pki[client].key))
    conn = http.client.HTTPSConnection(
        "127.0.0.1", port, context=ctx, source_address=(source, 0), timeout=10
    )
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def _includes(tmp_path: Path, reg: RegistryFactory, day: date) -> list[Path]:
    registry = loaded(reg)
    wl = whitelist(registry, registry.catalog.by_id["taxis"], day)
    out = []
    for name, data in (("geo.conf", nginx.geo(wl)), ("map.conf", nginx.certificate_map(wl))):
        path = tmp_path / f"{day}-{name}"
        path.write_bytes(data)
        out.append(path)
    return out


def test_whitelisted_certificate_passes_and_others_are_refused(
    tmp_path: Path, reg: RegistryFactory, pki: dict[str, Issued]
) -> None:
    _registry(reg, pki)
    with _proxy(tmp_path, pki, _includes(tmp_path, reg, DAY)) as port:
        assert _get(port, pki, "allowed") == (200, "operator TESTOP01\n")
        assert _get(port, pki, "expired") == (200, "operator TESTOP01\n")  # still valid today
        assert _get(port, pki, "other")[0] == 403  # same CA, not registered
        assert _get(port, pki, "allowed", source="127.0.0.2")[0] == 403  # not allowlisted
        assert _get(port, pki, "allowed", source=IN_JAPAN)[0] == 200  # needs no allowlist
        assert _get(port, pki, "other", source=IN_JAPAN)[0] == 403
        assert _get(port, pki, "allowed", source=UNPLACED)[0] == 403  # fails closed


def test_a_later_day_drops_the_expired_certificate_and_address(
    tmp_path: Path, reg: RegistryFactory, pki: dict[str, Issued]
) -> None:
    _registry(reg, pki)
    with _proxy(tmp_path, pki, _includes(tmp_path, reg, date(2026, 12, 1))) as port:
        assert _get(port, pki, "allowed")[0] == 200
        assert _get(port, pki, "expired")[0] == 403
    with _proxy(tmp_path, pki, _includes(tmp_path, reg, date(2027, 4, 1))) as port:
        assert _get(port, pki, "allowed")[0] == 403  # the address expired on 2027-03-31


def test_suspended_and_not_yet_valid_certificates_are_left_out(
    reg: RegistryFactory, pki: dict[str, Issued]
) -> None:
    reg.operator(
        certificates=[
            certificate(1, suspended_on="2026-11-01"),
            certificate(2, not_before="2026-12-01", not_after="2028-11-30"),
            certificate(3, systems=["johs"]),
        ]
    )
    registry = loaded(reg)
    taxis = whitelist(registry, registry.catalog.by_id["taxis"], DAY)
    johs = whitelist(registry, registry.catalog.by_id["johs"], DAY)
    assert taxis.certificates == ()
    assert [c.id for c in johs.certificates] == ["EP-TEST-0003"]
    later = whitelist(registry, registry.catalog.by_id["taxis"], date(2026, 12, 1))
    assert [c.id for c in later.certificates] == ["EP-TEST-0002"]
    assert b"7A0002 TESTOP01;" in nginx.certificate_map(later)
    assert whitelist_text.text(later).decode().splitlines()[1:] == ["cert 7A0002 TESTOP01"]


def test_each_system_gets_the_gates_its_catalog_entry_names(reg: RegistryFactory) -> None:
    """OCCTO is not Tokyo Gas Network: the member system uses IDs and passwords only (003),
    the switching support system client certificates (001 p38, 002 §3.1) and no block of
    overseas addresses, which is Tokyo Gas Network's (000 §2-8)."""
    registry = loaded(reg)
    gates = {
        wl.system: (wl.checks_certificates, wl.blocks_overseas) for wl in whitelists(registry, DAY)
    }
    assert "member_portal" not in gates
    assert gates["switching"] == (True, False)
    assert gates["taxis"] == gates["wheeling_api"] == (True, True)


def test_web_and_api_certificates_reach_their_own_systems(reg: RegistryFactory) -> None:
    """The 託送API is a system of its own, used with API certificates (000 §1, §7-2)."""
    reg.operator(
        systems=["taxis", "johs", "juju", "loacus", "wheeling_api"],
        certificates=[certificate(1), certificate(2, purpose="api")],
    )
    registry = loaded(reg)

    def ids(system: str) -> list[str]:
        wl = whitelist(registry, registry.catalog.by_id[system], DAY)
        return [c.id for c in wl.certificates]

    assert ids("taxis") == ids("info_site") == ["EP-TEST-0001"]
    assert ids("wheeling_api") == ["EP-TEST-0002"]


def test_a_suspended_use_of_a_system_leaves_its_whitelist_on_the_day(
    reg: RegistryFactory,
) -> None:
    """The system's operator suspends an operator's use first (002 §2.6, §3.4.4, 001 p46)."""
    suspension = {"system": "taxis", "suspended_on": "2026-11-22", "reason": "不正利用の疑い"}
    reg.operator(
        certificates=[certificate(1)],
        ip_allowlist=[{"cidr": "41.203.64.10/32", "reason": "試験", "expires_on": "2027-03-31"}],
        suspensions=[suspension],
    )
    registry = loaded(reg)
    taxis = registry.catalog.by_id["taxis"]
    before = whitelist(registry, taxis, date(2026, 11, 21))
    on = whitelist(registry, taxis, DAY)
    assert ([c.id for c in before.certificates], len(before.networks)) == (["EP-TEST-0001"], 1)
    assert (on.certificates, on.networks) == ((), ())
    johs = whitelist(registry, registry.catalog.by_id["johs"], DAY)
    assert [c.id for c in johs.certificates] == ["EP-TEST-0001"]


def _recorded_includes(
    tmp_path: Path,
    reg: RegistryFactory,
    day: date,
    records: list[ApplicationRecord],
    system: str = "taxis",
) -> list[Path]:
    registry = loaded(reg)
    batch = BatchRecord(
        id="20261215-0000aaaa",
        number=1,
        base=None,
        head="0" * 40,
        created_on=date(2026, 12, 15),
        applications=tuple(records),
        systems={},
    )
    wl = whitelist(registry, registry.catalog.by_id[system], day, admitted([batch]))
    out = []
    files = [("map.conf", nginx.certificate_map(wl))]
    if wl.blocks_overseas:
        files.insert(0, ("geo.conf", nginx.geo(wl)))
    for name, data in files:
        path = tmp_path / f"recorded-{system}-{day}-{name}"
        path.write_bytes(data)
        out.append(path)
    return out


def test_a_new_certificate_is_refused_the_day_before_its_date_and_admitted_on_it(
    tmp_path: Path, reg: RegistryFactory, pki: dict[str, Issued]
) -> None:
    # Accepted 2026-12-15, M = 12-16, usable from M+6 = 2026-12-24 (000 §4-2), as apply
    # records it; the whitelist of each day follows that date, not the merge.
    _registry(reg, pki)
    registered = ItemDates(
        subject="certificate",
        key="EP-TEST-0001",
        on=date(2026, 12, 24),
        start="processing_day",
        processing_day=date(2026, 12, 16),
        keyed="accepted",
        keyed_on=date(2026, 12, 15),
        serial=pki["allowed"].serial,
        action="add",
    )
    record = ApplicationRecord(
        id="0123456789ab/TESTOP01",
        commit="0123456789ab" * 3 + "0123",
        parent=None,
        operator="TESTOP01",
        title="",
        accepted_on=date(2026, 12, 15),
        processing_day=date(2026, 12, 16),
        kinds=("クライアント証明書登録申請",),
        systems=(),
        items=(registered,),
    )
    before = _recorded_includes(tmp_path, reg, date(2026, 12, 23), [record])
    with _proxy(tmp_path, pki, before) as port:
        assert _get(port, pki, "allowed")[0] == 403
    on_the_day = _recorded_includes(tmp_path, reg, date(2026, 12, 24), [record])
    with _proxy(tmp_path, pki, on_the_day) as port:
        assert _get(port, pki, "allowed") == (200, "operator TESTOP01\n")


def _record(
    n: int,
    *items: ItemDates,
    accepted_on: date = date(2026, 12, 3),
    systems: tuple[str, ...] = ("johs",),
) -> ApplicationRecord:
    """TESTOP01's usage change number ``n``, recorded with ``items``."""
    commit = f"{n:012x}"
    return ApplicationRecord(
        id=f"{commit}/TESTOP01",
        commit=commit * 3 + commit[:4],
        parent=None,
        operator="TESTOP01",
        title="",
        accepted_on=accepted_on,
        processing_day=None,
        kinds=("利用申請（変更）",),
        systems=systems,
        items=items,
    )


# A retailer that withdraws from OCCTO on 2026-12-23 (003 §2.7.1): as an electricity
# retailer it used the switching support system only as a member (002 §2.1.1 ①(イ)), so the
# withdrawal's application drops the system from its file, and apply records the day the
# operator keeps it until.
WITHDRAWN_ON = date(2026, 12, 23)


def _withdrawn(reg: RegistryFactory, pki: dict[str, Issued]) -> ApplicationRecord:
    reg.operator(
        roles=["gas_retailer", "wheeling_client", "electricity_retailer"],
        membership={
            "status": "withdrawn",
            "member_since": "2020-04-01",
            "withdrawn_on": str(WITHDRAWN_ON),
        },
        certificates=[certificate(1, serial=pki["allowed"].serial, cn="TESTOP01-PC01")],
    )
    ends = ItemDates(
        subject="operator",
        key="TESTOP01",
        system="switching",
        on=WITHDRAWN_ON,
        start="accepted",
        keyed="withdrawn_on",
        keyed_on=WITHDRAWN_ON,
        action="change",
    )
    return _record(1, ends, accepted_on=date(2026, 12, 2), systems=("switching", "member_portal"))


def test_a_withdrawing_member_keeps_the_switching_system_until_the_withdrawal(
    tmp_path: Path, reg: RegistryFactory, pki: dict[str, Issued]
) -> None:
    """Until its withdrawal's day the operator is a member: its certificate passes the
    switching support system's proxy though its file no longer lists the system, and is
    refused from that day, as its users' IDs end then."""
    record = _withdrawn(reg, pki)
    before = _recorded_includes(tmp_path, reg, date(2026, 12, 22), [record], "switching")
    with _proxy(tmp_path, pki, before, "switching") as port:
        assert _get(port, pki, "allowed") == (200, "operator TESTOP01\n")
    on_the_day = _recorded_includes(tmp_path, reg, WITHDRAWN_ON, [record], "switching")
    with _proxy(tmp_path, pki, on_the_day, "switching") as port:
        assert _get(port, pki, "allowed")[0] == 403
    # Nothing recorded (a first apply loads the registry as it stands): the file's systems.
    registry = loaded(reg)
    alone = whitelist(registry, registry.catalog.by_id["switching"], date(2026, 12, 22))
    assert alone.certificates == ()


def test_each_header_cites_its_own_providers_terms(reg: RegistryFactory) -> None:
    """A switching support system's certificate map cites OCCTO's sections (002 §3.1, 001
    p13), Tokyo Gas Network's systems theirs (000 §4-2): a comment engineers read names the
    document the desk registering the certificates works by."""
    reg.switching_operator()
    result = reg.validate()
    assert result.registry is not None
    maps = {w.system: nginx.certificate_map(w).decode() for w in whitelists(result.registry, DAY)}
    assert maps["switching"].startswith(
        f"# accessreg: client certificates valid for switching on {DAY} (002 §3.1, 001 p13)\n"
    )
    assert maps["taxis"].startswith(
        f"# accessreg: client certificates valid for taxis on {DAY} (000 §4-2)\n"
    )


def test_a_system_given_up_is_kept_for_the_certificates_held_at_the_change_until_its_day(
    reg: RegistryFactory,
) -> None:
    """A usage change took JOHS (done on 12-24, ``merges.dates_of``), recording the
    certificate registered for it then (7A0001, its own list narrowed to TAXIS with the
    change, as validation asks); a certificate registered after it (7A0002) reaches what
    the operator uses, never JOHS; the one registered for JOHS reaches it until 12-24, and
    so do the operator's overseas addresses, whatever its certificates. Taken back by a
    later change before then, JOHS is still kept until 12-24, and the file's from the later
    change's day."""
    done = date(2026, 12, 24)
    address = {"cidr": "192.0.2.10/32", "reason": "海外拠点で託送業務を行うため",
               "expires_on": "2027-06-30"}  # fmt: skip
    reg.operator(systems=["taxis", "juju", "loacus"], ip_allowlist=[address],
                 certificates=[certificate(1, systems=["taxis"]), certificate(2)])  # fmt: skip
    given = {"subject": "operator", "key": "TESTOP01", "system": "johs", "on": done,
             "start": "accepted", "keyed": "accepted", "keyed_on": date(2026, 12, 3),
             "action": "change", "removed": True}  # fmt: skip
    dropped = ItemDates(**given)  # type: ignore[arg-type]
    held = ItemDates(**given, serial="7A0001")  # type: ignore[arg-type]
    second = ItemDates(subject="certificate", key="EP-TEST-0002", on=date(2026, 12, 10),
                       start="accepted", serial="7A0002", action="add")  # fmt: skip
    batch = BatchRecord(id="20261203-0000aaaa", number=1, base=None, head="0" * 40,
                        created_on=date(2026, 12, 3), systems={},
                        applications=(_record(1, dropped, held), _record(2, second)))  # fmt: skip
    registry = loaded(reg)
    recorded = admitted([batch])

    def serials(system: str, day: date) -> list[str]:
        wl = whitelist(registry, registry.catalog.by_id[system], day, recorded)
        return [c.serial for c in wl.certificates]

    assert serials("johs", date(2026, 12, 23)) == ["7A0001"]
    johs = whitelist(registry, registry.catalog.by_id["johs"], date(2026, 12, 23), recorded)
    assert [n.cidr for n in johs.networks] == ["192.0.2.10/32"]
    gone = whitelist(registry, registry.catalog.by_id["johs"], done, recorded)
    assert gone.networks == ()
    assert serials("taxis", date(2026, 12, 23)) == ["7A0001", "7A0002"]
    assert serials("johs", done) == []
    alone = whitelist(registry, registry.catalog.by_id["johs"], date(2026, 12, 23))
    assert alone.certificates == ()  # nothing recorded: the file's systems
    # Taken back by a later usage change before that day (done on 12-28): each is done
    # on its own day (000 §3-2), so JOHS is kept until 12-24 as it was, and used again from
    # 12-28 as the file lists it then; it did not drop on the later change's merge.
    again = ItemDates(subject="operator", key="TESTOP01", system="johs", on=date(2026, 12, 28),
                      start="accepted", keyed="accepted", keyed_on=date(2026, 12, 7),
                      action="change")  # fmt: skip
    applications = (*batch.applications, _record(3, again))
    recorded = admitted([batch.model_copy(update={"applications": applications})])
    systems = ["taxis", "johs", "juju", "loacus"]
    reg.operator(systems=systems, ip_allowlist=[address],
                 certificates=[certificate(1, systems=["taxis"]), certificate(2)])  # fmt: skip
    registry = loaded(reg)
    assert serials("johs", date(2026, 12, 23)) == ["7A0001"]
    assert serials("johs", done) == serials("johs", date(2026, 12, 27)) == []
    assert serials("johs", date(2026, 12, 28)) == ["7A0002"]
    # The file's again: a suspension of its use stops it there too (002 §2.6)
    stopped = {"system": "johs", "suspended_on": "2026-12-22", "reason": "不正利用の疑い"}
    reg.operator(systems=systems, ip_allowlist=[address], suspensions=[stopped],
                 certificates=[certificate(1, systems=["taxis"]), certificate(2)])  # fmt: skip
    registry = loaded(reg)
    assert serials("johs", date(2026, 12, 21)) == ["7A0001"]
    assert serials("johs", date(2026, 12, 23)) == []
