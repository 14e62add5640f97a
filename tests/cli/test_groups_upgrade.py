"""Moving downstream from a version whose directory groups came and went with their holders
to standing groups: the first run of this version writes the changes that set them up, once,
and refuses while a delta of the earlier version still creates or deletes a group."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from accessreg.gitio.state import StateStore
from accessreg.outputs import ldif
from tests.helpers.directory import BASE, deltas, members, slapd
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import ldif_entries, scim_users
from tests.helpers.provisioning import applied_from_the_start, merge, over_applied, state
from tests.helpers.regfactory import RegistryFactory, run_cli

UPGRADE = ("ldif/upgrade.ldif", "scim/upgrade.json")
PLACEHOLDER = f"member: {ldif.placeholder_dn(BASE)}"


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    made = applied_from_the_start(reg, tmp_path)
    yield made
    made.close()


def _as_an_earlier_version_left_it(gr: GitRegistry, groups: dict[str, dict[str, str]]) -> None:
    """The state ref as a version before standing groups wrote it: no ``groups`` key, and
    ``groups`` (its batch record of the groups a later delta creates or deletes) in every
    batch."""
    store = StateStore(gr.path)
    head = store.head()
    files = store.read(head)
    data = json.loads(files["state.json"])
    assert data.pop("groups") == "standing"
    for batch in data["batches"].values():
        if groups:
            batch["groups"] = groups
    store.write({**files, "state.json": json.dumps(data).encode()}, "earlier", head, False)


def _with_holders(snapshot: bytes) -> bytes:
    """``snapshot`` as a version whose groups came and went with their holders loaded it: no
    placeholder, and no group without a holder."""
    kept = []
    for record in snapshot.decode().split("\n\n"):
        lines = [line for line in record.split("\n") if line != PLACEHOLDER]
        held = any(line.startswith("member:") for line in lines)
        if "objectClass: groupOfNames" not in lines or held:
            kept.append("\n".join(lines))
    return "\n\n".join(kept).encode()


def _apply(gr: GitRegistry, out: Path, day: str) -> str:
    ran = run_cli("apply", "--out", str(out), "--confirm", "--today", day, "--accepted-on", day,
                  "--allow-mass-removal", cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return ran.stdout


def test_a_directory_of_an_earlier_version_gets_its_standing_groups_once(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """user1 gives up JOHS, which nobody else holds: in the earlier version's directory that
    ``modify`` would empty the group, which a ``groupOfNames`` refuses. The run writes the
    upgrade first; applied with ``ldapmodify -c`` (twice: it changes nothing the second
    time), it gives every group of the catalog and the placeholder, and the run's deltas
    then leave the directory as the snapshot says."""
    loaded = _with_holders((tmp_path / "initial" / "ldif" / "snapshot.ldif").read_bytes())
    _as_an_earlier_version_left_it(gr, {})
    merge(gr, "drop", lambda: gr.reg.user(permissions={"taxis": "1011"}))
    report = _apply(gr, tmp_path / "drop", "2026-12-07")
    assert "ldapmodify -c" in report and UPGRADE[0] in report, report
    files = json.loads((tmp_path / "drop" / "manifest.json").read_text())["files"]
    assert set(UPGRADE) <= set(files)
    posted = json.loads((tmp_path / "drop" / UPGRADE[1]).read_text())["Operations"]
    assert {op["method"] for op in posted} == {"POST"} and len(posted) > 10
    assert all(op["data"]["members"] == [] for op in posted)
    assert scim_users((tmp_path / "drop" / UPGRADE[1]).read_bytes()) == {}  # RFC 7644 valid
    assert state(gr)["groups"] == "standing"
    day = over_applied(gr, tmp_path, "2027-01-20")
    with slapd(tmp_path) as directory:
        directory.modify(loaded, add=True)
        upgrade = (tmp_path / "drop" / UPGRADE[0]).read_bytes()
        first = directory.modify_going_on(
            upgrade, {"Already exists (68)", "Type or value exists (20)"}
        )
        again = directory.modify_going_on(
            upgrade, {"Already exists (68)", "Type or value exists (20)"}
        )
        assert first and len(again) == 2 * len(posted), again
        for _, _, path in deltas([tmp_path / "drop"]):
            directory.modify(path.read_bytes())
        held = directory.search(BASE)
    assert members(held) == members(ldif_entries((day / "ldif" / "snapshot.ldif").read_bytes()))
    groups = [e for e in held.values() if "groupOfNames" in e["objectclass"]]
    assert len(groups) == len(posted)
    assert all(ldif.placeholder_dn(BASE) in e["member"] for e in groups)
    assert members(held)[f"cn=johs-j1010,ou=groups,{BASE}".lower()] == []
    # Once recorded, no later run writes it again.
    merge(gr, "memo", lambda: gr.reg.user(permissions={"taxis": "1011"}, memo="異動"))
    _apply(gr, tmp_path / "memo", "2026-12-08")
    assert not [f for f in UPGRADE if (tmp_path / "memo" / f).exists()]


def test_a_run_with_nothing_to_apply_records_the_switch_too(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The daily run over the applied revision changes nothing, yet it writes the upgrade
    and, confirmed, records that downstream's groups stand: later runs do not write it."""
    _as_an_earlier_version_left_it(gr, {})
    applied = state(gr)["applied"]
    ran = run_cli("apply", "--out", str(tmp_path / "daily"), "--head", applied, "--confirm",
                  "--today", "2026-12-07", cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert all((tmp_path / "daily" / f).exists() for f in UPGRADE)
    assert state(gr)["groups"] == "standing" and state(gr)["applied"] == applied


def test_a_group_an_earlier_version_still_creates_or_deletes_holds_the_switch_back(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """An earlier version's delta of 12/24 creates TAXIS 1012's group: set up now, the group
    would make that delta fail. The run stops with the day to switch on, writes nothing and
    records nothing."""
    _as_an_earlier_version_left_it(gr, {"taxis": {"1012": "2026-12-24"}})
    before = StateStore(gr.path).head()
    merge(gr, "memo", lambda: gr.reg.user(memo="異動"))
    out = tmp_path / "memo"
    ran = run_cli("apply", "--out", str(out), "--confirm", "--today", "2026-12-07",
                  cwd=gr.path)  # fmt: skip
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "2026-12-24" in ran.stderr and "taxis-1012" in ran.stderr
    assert "以前の版" in ran.stderr and "Traceback" not in ran.stderr
    assert not out.exists() and StateStore(gr.path).head() == before
    # From that day on, the switch goes ahead.
    assert "ldapmodify -c" in _apply(gr, tmp_path / "later", "2026-12-24")
