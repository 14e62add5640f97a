"""accessreg apply against real git repositories: ranges, deletions, rails, atomic outputs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from accessreg.gitio.state import StateStore
from accessreg.validation import incremental
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import (
    accessreg,
    break_catalog,
    committed_on,
    deltas,
    merge,
    over_applied,
    read_csv,
    state,
    tree,
)
from tests.helpers.regfactory import RegistryFactory, certificate, contact

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


USER1 = "user1@test-gas.example.co.jp"
USER2 = "user2@test-gas.example.co.jp"
USER3 = "user3@test-gas.example.co.jp"
ON = "2026-12-03"  # accepted on a Thursday: M is 2026-12-16
DAY = ["--today", ON, "--accepted-on", ON]


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    reg.user(email=USER2, name="二宮 二郎", permissions={"taxis": "1010", "juju": "granted"})
    reg.user(email=USER3, name="三好 三郎", permissions={"johs": "J1010"})
    made = GitRegistry(reg)
    made.commit("three users")
    yield made
    made.close()


def _initial(gr: GitRegistry, tmp_path: Path) -> None:
    result = accessreg(
        gr, "apply", "--out", str(tmp_path / "initial"), "--initial", "--confirm", *DAY
    )
    assert result.returncode == 0, result.stderr
    assert state(gr)["applied"] == gr.rev()


def test_the_run_after_a_first_apply_checks_only_the_operators_a_merge_changed(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first apply checks every operator, and keeps what it found as the incremental
    runs keep it: the next run, a merge later, checks the operator that merge changed
    alone (it checked every one again, as long as a first apply, before)."""
    gr.reg.operator("OTHROP01", contacts=[contact(n=9)], subcontractors=[])
    gr.reg.user("OTHROP01", "someone@other-gas.example.co.jp")
    gr.commit("a second operator")
    _initial(gr, tmp_path)
    checked: list[str] = []
    real = incremental._check_groups

    def counting(run: Any, codes: list[str], *rest: Any) -> Any:
        checked.extend(codes)
        return real(run, codes, *rest)

    monkeypatch.setattr(incremental, "_check_groups", counting)
    merge(gr, "memo", lambda: gr.reg.user(email=USER3, permissions={"johs": "J1010"}, memo="異動"))
    result = accessreg(gr, "apply", "--out", str(tmp_path / "out"), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    assert checked == ["TESTOP01"]


def test_a_dry_run_writes_outputs_and_records_nothing(gr: GitRegistry, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = accessreg(gr, "apply", "--out", str(out), "--initial", *DAY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("dry run (nothing sent, nothing recorded)")
    assert "would send: 1 (1 written)" in result.stdout
    assert state(gr) == {}
    files = tree(out)
    assert "imports/taxis/snapshot.csv" in files
    # Loaded as it stands: one stage, on the day (none waits for M+6 or M+9).
    assert [n for n in files if n.startswith(("ldif/delta-", "scim/delta-"))] == [
        "ldif/delta-2026-12-03.ldif",
        "scim/delta-2026-12-03.json",
    ]
    assert [name for name in files if name.startswith("mail/")] == [
        name for name in files if name.startswith("mail/2026") and "-accepted-" in name
    ]
    manifest = json.loads(files["manifest.json"])
    assert manifest["head"] == gr.rev()
    assert manifest["processing_days"] == ["2026-12-16"]
    assert set(manifest["files"]) == set(files) - {"manifest.json", ".accessreg-output"}
    # Names and addresses: the directory is its owner's alone, whatever the umask.
    assert out.stat().st_mode & 0o077 == 0


def test_the_job_summary_is_japanese_by_default(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACCESSREG_LANG")
    result = accessreg(gr, "apply", "--out", str(tmp_path / "out"), "--initial", *DAY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("試行（送信も記録もしていません）: ")
    assert "送信予定: 1 通（1 書き出し）" in result.stdout
    assert "dry run" not in result.stdout and "would send" not in result.stdout


def test_the_first_apply_must_say_where_to_start(gr: GitRegistry, tmp_path: Path) -> None:
    """Refused, it makes nothing: not even the directories its --out names."""
    result = accessreg(gr, "apply", "--out", str(tmp_path / "runs" / "out"), *DAY)
    assert result.returncode == 2
    assert "No applied revision is recorded yet" in result.stderr
    assert "the workflow's initial" in result.stderr  # what a reviewer ticks
    assert not (tmp_path / "runs").exists()


def test_a_first_apply_is_refused_once_a_revision_is_recorded(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """``--initial`` (the workflow's initial) over a recorded revision was an ordinary run
    from it, which said nothing of the option: a maintainer who ticked it to load an emptied
    system got nothing. It is refused, and names the revision and what to give instead."""
    first = accessreg(gr, "apply", "--out", str(tmp_path / "first"), "--initial", "--confirm",
                      *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    again = accessreg(gr, "apply", "--out", str(tmp_path / "again"), "--initial", *DAY)
    assert again.returncode == 2, again.stdout
    applied = state(gr)["applied"][:12]
    assert "--initial is for the first run" in again.stderr and applied in again.stderr
    assert "--base REV" in again.stderr and "Traceback" not in again.stderr
    assert not (tmp_path / "again").exists()
    restart = accessreg(gr, "apply", "--out", str(tmp_path / "restart"), "--initial",
                        "--base", applied, *DAY)  # fmt: skip
    assert restart.returncode == 0, restart.stderr


def _recorded_as(gr: GitRegistry, change: dict[str, Any]) -> str:
    """A commit on the state ref whose state.json has ``change`` (keys at the top, or in
    every batch under ``batches``), as a newer version, or damage, would leave it."""
    store = StateStore(gr.path)
    head = store.head()
    files = store.read(head)
    data = json.loads(files["state.json"])
    for batch in data["batches"].values():
        batch.update(change.get("batches", {}))
    data.update({k: v for k, v in change.items() if k != "batches"})
    return store.write({**files, "state.json": json.dumps(data).encode()}, "newer", head, False)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"version": 2}, "version"),
        ({"batches": {"cohorts": {}}}, "cohorts"),
        ({"ldap_base": "dc=x\ndn: cn=admin,dc=x"}, "ldap_base"),  # under every LDIF entry
    ],
    ids=["version", "key", "base-dn"],
)
def test_a_state_this_version_cannot_read_stops_with_what_to_do(
    gr: GitRegistry, tmp_path: Path, change: dict[str, Any], where: str
) -> None:
    """A state.json written by a newer version (a rollback of the tool) or damaged: apply
    and plan say which file, where and what to do, exit 2 and write nothing; the ref stays."""
    _initial(gr, tmp_path)
    recorded = _recorded_as(gr, change)
    merge(gr, "memo", lambda: gr.reg.user(email=USER3, permissions={"johs": "J1010"}, memo="異動"))
    ran = accessreg(gr, "apply", "--out", str(tmp_path / "out"), "--confirm", *DAY)
    planned = accessreg(gr, "plan", "--base", "HEAD~1", "--head", "HEAD", *DAY)
    for result in (ran, planned):
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert "state.json of refs/accessreg/state cannot be read by this version" in result.stderr
        assert where in result.stderr
        assert "git log refs/accessreg/state" in result.stderr
    assert not (tmp_path / "out").exists()
    assert gr.repo.git.rev_parse("refs/accessreg/state") == recorded


def test_a_memo_change_writes_no_empty_delta_for_a_manual_step(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """USER2 holds JUJU, whose changes wait for the system operator's manual step: their
    memo changes on the day everywhere, and the manual stage has nothing left to change.
    A directory is given no delta that asks nothing of it (a SCIM bulk request of no
    operations, an LDIF of its version line alone)."""
    _initial(gr, tmp_path)
    memo = {"name": "二宮 二郎", "permissions": {"taxis": "1010", "juju": "granted"}}
    merge(gr, "memo", lambda: gr.reg.user(email=USER2, memo="連絡先変更", **memo))
    out = tmp_path / "out"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    written = [n for n in tree(out) if n.startswith(("ldif/delta-", "scim/delta-"))]
    assert written == ["ldif/delta-2026-12-03.ldif", "scim/delta-2026-12-03.json"]
    ops = json.loads((out / "scim/delta-2026-12-03.json").read_text())["Operations"]
    assert [(op["method"], op["path"]) for op in ops] == [("PUT", f"/Users/{USER2}")]
    assert "description:: " in (out / "ldif/delta-2026-12-03.ldif").read_text()


def test_several_merges_before_one_apply_still_produce_every_deletion(
    gr: GitRegistry, tmp_path: Path
) -> None:
    _initial(gr, tmp_path)
    first = merge(gr, "remove-user2", lambda: gr.remove(f"users/TESTOP01/{USER2}.yaml"))
    merge(
        gr, "add-user4", lambda: gr.reg.user(email="user4@test-gas.example.co.jp", name="四方 四郎")
    )
    last = merge(gr, "change-user1", lambda: gr.reg.user(permissions={"taxis": "1012"}))
    out = tmp_path / "out"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    taxis = {(r["区分"], r["メールアドレス（ID）"], r["権限コード"]) for r in deltas(out, "taxis")}
    assert taxis == {
        ("抹消", USER2, "1010"),
        ("新規", "user4@test-gas.example.co.jp", "1011"),
        ("変更", USER1, "1012"),
    }
    assert {(r["区分"], r["メールアドレス（ID）"]) for r in deltas(out, "juju")} == {
        ("抹消", USER2)
    }
    # USER2's TAXIS ends the day after (000 §5-3), the ID itself once JUJU's manual step is
    # done: the LDIF and SCIM deltas are dated as the CSV rows are.
    next_day = (out / "ldif/delta-2026-12-04.ldif").read_text()
    assert f"dn: uid={USER2},ou=people" not in next_day
    # USER2 was the last holder of TAXIS 1010: they leave it that day, and the group stays
    # (every code's group does, with its placeholder).
    assert (
        "dn: cn=taxis-1010,ou=groups,dc=accessreg,dc=example\nchangetype: modify\n"
        f"delete: member\nmember: uid={USER2},ou=people,dc=accessreg,dc=example\n-\n"
    ) in next_day
    assert "changetype: delete" not in next_day
    assert (
        f"dn: uid={USER2},ou=people,dc=accessreg,dc=example\nchangetype: delete"
        in (out / "ldif/delta-manual.ldif").read_text()
    )
    scim_ops = json.loads((out / "scim/delta-manual.json").read_text())["Operations"]
    assert {"method": "DELETE", "path": f"/Users/{USER2}"} in scim_ops
    # Each merge is its own application, with its own acceptance notice.
    recorded = state(gr)
    (batch,) = [b for b in recorded["batches"].values() if b["head"] == last]
    assert batch["applications"][0]["commit"] == first
    assert [a["kinds"] for a in batch["applications"]] == [
        ["利用権限の抹消申請"],
        ["利用権限の設定申請"],
        ["利用権限の変更申請"],
    ]
    assert recorded["applied"] == last
    assert len([f for f in tree(out) if f.startswith("mail/")]) == 3


def _accepted_mails(out: Path) -> list[EmailMessage]:
    """The 受付 mails a run wrote, read as a strict reader does."""
    return written_mails(out, "*-accepted-*.eml")


def _announced(out: Path, stops: bool) -> None:
    """The window person's 受付 mail of a suspension (``stops``) or its lifting: the
    application by its name, each system of the ID with its day."""
    (mail,) = _accepted_mails(out)
    kind = "利用の停止" if stops else "停止解除"
    assert mail["Subject"] == f"【受付】{kind}（テストガス株式会社）"
    assert [a.addr_spec for a in mail["To"].addresses] == ["window1@test-gas.example.co.jp"]
    body = mail.get_content()
    assert f"申請種別: {kind}（" in body
    action, when = ("停止", "利用停止") if stops else ("停止解除", "利用再開")
    lines = [ln.strip() for ln in body.splitlines() if USER2 in ln or ln.startswith("   ")]
    assert lines == [
        f"1. 二宮 二郎（ID: {USER2}、所属: テストガス株式会社）",
        f"消費機器保安情報授受システム（juju）: {action} あり / {when} {ON}",
        f"託送システム（taxis）: {action} 1010（更新権限なし） / {when} {ON}",
    ]


def test_a_suspension_is_applied_as_such_and_lifted_without_a_new_application(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """001 p46, 002 §3.4.4: suspended on the day, not deleted; restored by lifting it. Both
    are applications the window persons are told of, each with its 受付 mail."""
    _initial(gr, tmp_path)
    merge(gr, "suspend", lambda: gr.reg.user(email=USER2, name="二宮 二郎",
          permissions={"taxis": "1010", "juju": "granted"}, suspended_on="2026-12-03"))  # fmt: skip
    out = tmp_path / "out"
    assert accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY).returncode == 0
    rows = {(r["区分"], r["メールアドレス（ID）"], r["適用日"]) for r in deltas(out, "taxis")}
    assert rows == {("停止", USER2, ON)}
    snapshot = {
        r["メールアドレス（ID）"]: r["利用停止"]
        for r in read_csv(out / "imports/taxis/snapshot.csv")
    }
    assert snapshot[USER2] == "停止中"
    listed = accessreg(gr, "status", "--operator", "TESTOP01")
    assert listed.returncode == 0, listed.stderr
    assert f"user ID\tTESTOP01\t{USER2}\t2026-12-03" in listed.stdout.splitlines()
    _announced(out, stops=True)
    merge(gr, "lift", lambda: gr.reg.user(email=USER2, name="二宮 二郎",
          permissions={"taxis": "1010", "juju": "granted"}))  # fmt: skip
    again = tmp_path / "again"
    assert accessreg(gr, "apply", "--out", str(again), "--confirm", *DAY).returncode == 0
    assert {(r["区分"], r["メールアドレス（ID）"]) for r in deltas(again, "juju")} == {
        ("停止解除", USER2)
    }
    assert "suspended\toperator code" not in accessreg(gr, "status").stdout
    _announced(again, stops=False)


def test_status_of_one_operator_and_of_all_read_a_head_with_errors_alike(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """``status --operator`` reads that operator's users alone, ``status`` the registry the
    last run kept whole: both load a head with errors as it loads, and say the same."""
    _initial(gr, tmp_path)

    def suspend_and_break() -> None:
        gr.reg.user(email=USER2, name="二宮 二郎", permissions={"taxis": "1010"},
                    suspended_on="2026-12-03")  # fmt: skip
        (gr.reg.root / "users/TESTOP01/broken@test-gas.example.co.jp.yaml").write_text(
            "email: [\n", encoding="utf-8"
        )

    merge(gr, "suspend", suspend_and_break)
    line = f"user ID\tTESTOP01\t{USER2}\t2026-12-03"
    one = accessreg(gr, "status", "--operator", "TESTOP01")
    assert one.returncode == 0, one.stderr
    assert line in one.stdout.splitlines()
    every = [accessreg(gr, "status") for _ in range(2)]  # the second one from the cache
    assert [r.returncode for r in every] == [0, 0], every[0].stderr
    assert every[0].stdout == every[1].stdout == one.stdout
    unknown = accessreg(gr, "status", "--operator", "NOSUCH01")
    assert unknown.returncode == 2 and "NOSUCH01" in unknown.stderr


def test_info_site_subscribers_and_pages(gr: GitRegistry, tmp_path: Path) -> None:
    """000 §7-3: a new window person's address is registered provisionally, a leaver's
    removed; 000 §7-2: each reader's pages."""
    _initial(gr, tmp_path)
    merge(gr, "new-window", lambda: gr.reg.operator(contacts=[contact(n=2)]))
    out = tmp_path / "out"
    assert accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY).returncode == 0
    delta = read_csv(out / "info_site/subscribers-delta.csv")
    # Each on the day the person's permission-management ID is deleted or made.
    console = {r["メールアドレス（ID）"]: r["適用日"] for r in deltas(out, "admin_console")}
    assert [(r["区分"], r["連絡先メールアドレス"], r["実施日"]) for r in delta] == [
        ("抹消", "window1@test-gas.example.co.jp", console["window1@test-gas.example.co.jp"]),
        ("仮登録", "window2@test-gas.example.co.jp", console["window2@test-gas.example.co.jp"]),
    ]
    assert delta[1]["実施日"] > ON
    lapses = date.fromisoformat(delta[1]["実施日"]) + timedelta(days=7)  # 000 §7-3 ④
    assert [r["本登録の期限"] for r in delta] == ["", lapses.isoformat()]
    pages = {r["メールアドレス（ID）"]: r for r in read_csv(out / "info_site/pages.csv")}
    assert set(pages) == {USER1, USER2, USER3}
    assert pages[USER1]["共通"] == pages[USER1]["託送システム"] == "あり"
    assert pages[USER1]["託送API"] == "なし"


def test_occto_systems_get_only_the_gates_they_have(gr: GitRegistry, tmp_path: Path) -> None:
    """The member system uses IDs and passwords only (003); the switching support system
    client certificates (002 §3.1) and no block of overseas addresses (000 §2-8 is Tokyo
    Gas Network's)."""
    gr.reg.occto_member()
    gr.reg.user("DENKI001", "admin@denki-test.example.co.jp", affiliation="DENKI001",
                permissions={"switching": "retailer_admin", "member_portal": "admin"})  # fmt: skip
    gr.commit("an OCCTO member")
    out = tmp_path / "out"
    assert accessreg(gr, "apply", "--out", str(out), "--initial", *DAY).returncode == 0
    files = tree(out)
    assert not [f for f in files if f.startswith("whitelist/member_portal/")]
    assert "whitelist/switching/cert-map.conf" in files
    assert "whitelist/switching/ip-geo.conf" not in files
    assert "7A0005 DENKI001;" in files["whitelist/switching/cert-map.conf"].decode()
    assert "whitelist/taxis/ip-geo.conf" in files
    assert not [f for f in files if f.startswith("imports/wheeling_api/")]


def test_occto_systems_deltas_are_named_by_the_day_they_take_effect(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The processing day M is Tokyo Gas Network's (000 §5-1): OCCTO's systems have none
    (001 p13, 002 §3.3), so their deltas carry no M and are named, as their SCIM and LDIF
    deltas are, by the day their rows take effect (after a manual step: ``manual``).
    Tokyo Gas Network's keep the name of their M."""
    # A catalog in which a switching deletion waits for a manual step: a delta of no date.
    then = "\n    certificates: {purposes: [web, api]"
    gr.reg.edit(
        "systems.yaml", "remove: {start: accepted}" + then, "remove: {start: manual}" + then
    )
    gr.reg.occto_member()
    admin = {"switching": "retailer_admin", "member_portal": "admin"}
    gr.reg.user("DENKI001", "admin@denki-test.example.co.jp", affiliation="DENKI001",
                permissions=admin)  # fmt: skip
    leaver = "leaver@denki-test.example.co.jp"
    gr.reg.user("DENKI001", leaver, affiliation="DENKI001",
                permissions={"switching": "retailer_user"})  # fmt: skip
    gr.commit("an OCCTO member")
    _initial(gr, tmp_path)

    staff = "staff@denki-test.example.co.jp"

    def users() -> None:
        gr.remove(f"users/DENKI001/{leaver}.yaml")
        both = {"switching": "retailer_user", "member_portal": "user"}
        gr.reg.user("DENKI001", staff, affiliation="DENKI001", permissions=both)
        gr.reg.user(email="user4@test-gas.example.co.jp", permissions={"taxis": "1010"})

    merge(gr, "users", users)
    out = tmp_path / "out"
    assert accessreg(gr, "apply", "--out", str(out), *DAY).returncode == 0
    names = sorted(n for n in tree(out) if n.startswith("imports/") and "/delta-" in n)
    assert names == [
        "imports/info_site/delta-2026-12-16.csv",  # derived from TAXIS: Tokyo Gas Network's
        "imports/member_portal/delta-2026-12-03.csv",
        "imports/switching/delta-2026-12-03.csv",
        "imports/switching/delta-manual.csv",
        "imports/taxis/delta-2026-12-16.csv",
    ]

    def rows(name: str) -> list[tuple[str, ...]]:
        cells = ("区分", "適用日", "システム処理日（M）", "メールアドレス（ID）")
        return [tuple(r[c] for c in cells) for r in read_csv(out / name)]

    assert rows("imports/member_portal/delta-2026-12-03.csv") == [("新規", "2026-12-03", "", staff)]
    assert rows("imports/switching/delta-2026-12-03.csv") == [("新規", "2026-12-03", "", staff)]
    assert rows("imports/switching/delta-manual.csv") == [("抹消", "", "", leaver)]
    assert rows("imports/taxis/delta-2026-12-16.csv") == [
        ("新規", "2026-12-24", "2026-12-16", "user4@test-gas.example.co.jp")
    ]
    assert json.loads(tree(out)["manifest.json"])["processing_days"] == ["2026-12-16"]


def test_deletion_is_dated_by_the_merge_that_made_it(gr: GitRegistry, tmp_path: Path) -> None:
    _initial(gr, tmp_path)
    merge(gr, "remove-user2", lambda: gr.remove(f"users/TESTOP01/{USER2}.yaml"))
    out = tmp_path / "out"
    assert accessreg(gr, "apply", "--out", str(out), *DAY).returncode == 0
    rows = {r["メールアドレス（ID）"]: r for r in deltas(out, "taxis")}
    assert rows[USER2]["適用日"] == "2026-12-04"  # TAXIS: the day after (000 §5-3)
    (juju,) = deltas(out, "juju")
    assert juju["適用日"] == ""  # JUJU: after a manual step
    # No batch processes a deletion (000 §5-3): no M, as the plan and the 受付 mail say, and
    # its rows are in the files of the day they take effect, not in a batch's of later.
    assert rows[USER2]["システム処理日（M）"] == juju["システム処理日（M）"] == ""
    assert (out / "imports/taxis/delta-day-2026-12-04.csv").exists()
    assert (out / "imports/juju/delta-day-manual.csv").exists()
    assert not list((out / "imports").glob("*/delta-2026-12-16.csv"))


def test_same_input_gives_byte_identical_outputs(gr: GitRegistry, tmp_path: Path) -> None:
    _initial(gr, tmp_path)
    merge(gr, "change", lambda: gr.reg.user(permissions={"taxis": "1012"}, memo="=1+2"))
    a, b = tmp_path / "a", tmp_path / "b"
    assert accessreg(gr, "apply", "--out", str(a), *DAY).returncode == 0
    assert accessreg(gr, "apply", "--out", str(b), *DAY).returncode == 0
    assert tree(a) == tree(b)
    assert accessreg(gr, "apply", "--out", str(a), *DAY).returncode == 0  # replaces its own
    assert tree(a) == tree(b)
    (row,) = [r for r in read_csv(a / "imports/taxis/snapshot.csv") if r["申請メモ"]]
    assert row["申請メモ"] == "'=1+2"


def test_a_mass_removal_is_refused_unless_allowed(gr: GitRegistry, tmp_path: Path) -> None:
    _initial(gr, tmp_path)
    applied = state(gr)["applied"]

    def remove_two() -> None:
        gr.remove(f"users/TESTOP01/{USER2}.yaml")
        gr.remove(f"users/TESTOP01/{USER3}.yaml")

    merge(gr, "remove-two", remove_two)
    out = tmp_path / "out"
    refused = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert refused.returncode == 1
    assert "Refusing to remove 2 of 4 login IDs (50% > 25%)" in refused.stderr
    assert not out.exists()
    assert state(gr)["applied"] == applied
    wider = accessreg(gr, "apply", "--out", str(out), "--max-removal-share", "0.5", *DAY)
    assert wider.returncode == 0, wider.stderr
    allowed = accessreg(gr, "apply", "--out", str(out), "--confirm", "--allow-mass-removal", *DAY)
    assert allowed.returncode == 0, allowed.stderr
    assert state(gr)["applied"] == gr.rev()


def test_a_refused_merge_holds_back_itself_and_the_merges_after_it_not_those_before(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Three merges since the last run: a user added, two of five removed (a mass removal),
    another added. The run applies the first, as a run up to it would, and stops: the
    refused merge and the one after it wait for a maintainer, whose run applies both."""
    _initial(gr, tmp_path)
    user4, user5 = "user4@test-gas.example.co.jp", "user5@test-gas.example.co.jp"
    first = merge(gr, "add-user4", lambda: gr.reg.user(email=user4))

    def remove_two() -> None:
        gr.remove(f"users/TESTOP01/{USER2}.yaml")
        gr.remove(f"users/TESTOP01/{USER3}.yaml")

    refused_merge = merge(gr, "remove-two", remove_two)
    merge(gr, "add-user5", lambda: gr.reg.user(email=user5))
    out = tmp_path / "out"
    refused = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert refused.returncode == 1, refused.stderr
    assert f"The merge {refused_merge[:12]} " in refused.stderr, refused.stderr
    assert "Refusing to remove 2 of 5 login IDs (40% > 25%)" in refused.stderr, refused.stderr
    assert f"up to {first[:12]} only: the merge after it is refused" in refused.stdout
    assert state(gr)["applied"] == first
    added = {r["メールアドレス（ID）"]: r["区分"] for r in deltas(out, "taxis")}
    assert added == {user4: "新規"}, added
    allowed = accessreg(gr, "apply", "--out", str(tmp_path / "allowed"), "--confirm",
                        "--allow-mass-removal", *DAY)  # fmt: skip
    assert allowed.returncode == 0, allowed.stderr
    assert state(gr)["applied"] == gr.rev()
    rows = {r["メールアドレス（ID）"]: r["区分"] for r in deltas(tmp_path / "allowed", "taxis")}
    assert rows == {USER2: "抹消", user5: "新規"}, rows  # USER3 holds JOHS alone
    johs = {r["メールアドレス（ID）"]: r["区分"] for r in deltas(tmp_path / "allowed", "johs")}
    assert johs[USER3] == "抹消", johs


CERTIFIED = ("CERTOP01", "CERTOP02", "CERTOP03", "CERTOP04")


def _certified(gr: GitRegistry, tmp_path: Path) -> int:
    """Four operators using JOHS with a certificate each, applied; the systems each
    certificate is let through by (JOHS and the systems reached with its certificates)."""
    for n, code in enumerate(CERTIFIED, 11):
        gr.reg.operator(code, contacts=[contact(n=n)], subcontractors=[], systems=["johs"],
                        certificates=[certificate(n, cn=f"{code}-PC{n:02d}")])  # fmt: skip
    gr.commit("four operators with a certificate each")
    _initial(gr, tmp_path)
    maps = (tmp_path / "initial/whitelist").glob("*/cert-map.conf")
    return sum("7A000B" in path.read_text(encoding="utf-8") for path in maps)


def _certificates_of(gr: GitRegistry, codes: tuple[str, ...], **over: Any) -> None:
    for n, code in enumerate(CERTIFIED, 11):
        if code in codes:
            kept = [certificate(n, cn=f"{code}-PC{n:02d}", **over)] if over else []
            gr.reg.operator(code, contacts=[contact(n=n)], subcontractors=[], systems=["johs"],
                            certificates=kept)  # fmt: skip


def test_a_merge_taking_most_whitelist_entries_away_is_refused_unless_allowed(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A broken merge that drops certificates cuts operators off at the reverse proxy as
    surely as one that drops their users: the same rail, on the whitelists' entries."""
    per = _certified(gr, tmp_path)
    applied = state(gr)["applied"]
    merge(gr, "two-certificates-gone", lambda: _certificates_of(gr, CERTIFIED[:2]))
    out = tmp_path / "out"
    refused = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert refused.returncode == 1
    assert f"Refusing to remove {2 * per} of {4 * per} whitelist entries" in refused.stderr
    assert "50% > 25%" in refused.stderr
    assert not out.exists()
    assert state(gr)["applied"] == applied
    allowed = accessreg(gr, "apply", "--out", str(out), "--confirm", "--allow-mass-removal", *DAY)
    assert allowed.returncode == 0, allowed.stderr
    assert f"whitelist entries: {4 * per} → {2 * per} ({2 * per} removed)" in allowed.stdout
    cert_map = (out / "whitelist/johs/cert-map.conf").read_text(encoding="utf-8")
    assert "7A000D" in cert_map and "7A000B" not in cert_map and "7A000C" not in cert_map


def test_a_suspension_is_no_removal_for_the_rail(gr: GitRegistry, tmp_path: Path) -> None:
    """Suspended certificates leave the whitelists at once (001 p46), whatever their share:
    a revocation never waits for a maintainer, and a suspension is lifted, not re-applied."""
    per = _certified(gr, tmp_path)
    merge(gr, "suspend", lambda: _certificates_of(gr, CERTIFIED[:3], suspended_on=ON))
    out = tmp_path / "out"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    assert f"whitelist entries: {4 * per} → {4 * per} (0 removed)" in result.stdout, result.stdout
    cert_map = (out / "whitelist/johs/cert-map.conf").read_text(encoding="utf-8")
    assert "7A000E" in cert_map and not {"7A000B", "7A000C", "7A000D"} & set(cert_map.split())


def test_emptied_whitelists_are_refused_even_within_the_share(
    gr: GitRegistry, tmp_path: Path
) -> None:
    per = _certified(gr, tmp_path)
    merge(gr, "every-certificate-gone", lambda: _certificates_of(gr, CERTIFIED))
    refused = accessreg(gr, "apply", "--out", str(tmp_path / "o"), "--max-removal-share", "1", *DAY)
    assert refused.returncode == 1
    assert f"Refusing to remove every one of {4 * per} whitelist entries" in refused.stderr


def test_time_removes_nothing_the_rail_counts(gr: GitRegistry, tmp_path: Path) -> None:
    """Both ends are counted on the run's day under the same records: certificates that
    expired since the last apply are not the merge's removal. (The merge changes every
    operator file, so that both ends are counted, not the head's alone.)"""
    _certified(gr, tmp_path)
    merge(gr, "holders", lambda: _certificates_of(gr, CERTIFIED, holder="総務部 担当者"))
    expired = ["--today", "2028-01-05", "--accepted-on", "2028-01-05"]
    result = accessreg(gr, "apply", "--out", str(tmp_path / "o"), *expired)
    assert result.returncode == 0, result.stderr
    assert "whitelist entries: 0 → 0 (0 removed)" in result.stdout


def test_a_withdrawal_to_come_removes_nothing_the_rail_counts(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """An electricity retailer withdrawing from OCCTO on a later day (003 §2.7.1) is a member
    until then (002 §2.1.1 ①(イ)): its file drops the switching support system with the
    application, but its certificate stays in that system's whitelist until the day, so the
    merge takes no entry away."""
    member = {"status": "member", "member_since": "2020-04-01"}
    gr.reg.operator(occto_member=True, membership=member,
                    roles=["gas_retailer", "wheeling_client", "electricity_retailer"],
                    systems=["taxis", "johs", "juju", "loacus", "switching", "member_portal"],
                    certificates=[certificate(1)])  # fmt: skip
    gr.commit("a member with a certificate")
    _initial(gr, tmp_path)

    def withdraw() -> None:
        done = accessreg(gr, "operator", "change", "--operator", "TESTOP01", "--membership",
                         "withdrawn", "--on", "2026-12-23", "--today", ON)  # fmt: skip
        assert done.returncode == 0, done.stderr

    merge(gr, "withdrawal", withdraw)
    out = tmp_path / "out"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    counted = next(ln for ln in result.stdout.splitlines() if "whitelist entries:" in ln)
    assert counted.endswith("(0 removed)"), counted
    assert "7A0001 TESTOP01;" in (out / "whitelist/switching/cert-map.conf").read_text("utf-8")


MEMBER_SYSTEMS = ["taxis", "johs", "juju", "loacus", "switching", "member_portal"]
SWITCHING_CERTS = "whitelist/switching/cert-map.conf"


def _member(
    gr: GitRegistry,
    since: str = "2020-04-01",
    systems: list[str] = MEMBER_SYSTEMS,
    certificates: list[dict[str, Any]] | None = None,
    **membership: str,
) -> None:
    """TESTOP01 as an electricity retailer using the switching support system as an OCCTO
    member, with a web certificate."""
    membership = {"status": "member", "member_since": since, **membership}
    gr.reg.operator(occto_member=True, membership=membership,
                    roles=["gas_retailer", "wheeling_client", "electricity_retailer"],
                    systems=systems, certificates=certificates or [certificate(1)])  # fmt: skip


def _withdraw(gr: GitRegistry, on: str, today: str = ON) -> None:
    done = accessreg(gr, "operator", "change", "--operator", "TESTOP01", "--membership",
                     "withdrawn", "--on", on, "--today", today)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def _applied(gr: GitRegistry, out: Path, day: str) -> str:
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", "--today", day,
                       "--accepted-on", day)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return (out / SWITCHING_CERTS).read_text("utf-8")


def test_a_withdrawal_gives_up_a_suspended_system_without_lifting_it(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The use of the switching support system suspended (002 §2.6), the operator's window
    person files its OCCTO withdrawal on a later day: the suspension goes with the system
    (validation refuses one naming a system the file no longer lists), which is giving the
    system up, not lifting the suspension (001 p46, 002 §3.4.4). The window person may file
    it, the plan restores nothing, and the certificate does not come back to the system's
    whitelist until the withdrawal's day: the use ends stopped."""
    _member(gr)
    gr.reg.user(email=USER1, permissions={"switching": "retailer_admin", "taxis": "1010"})
    gr.commit("a member with a switching admin")
    _initial(gr, tmp_path)

    def suspend() -> None:
        text = (gr.reg.root / "operators/TESTOP01.yaml").read_text("utf-8")
        text += "suspensions:\n  - system: switching\n"
        text += f"    suspended_on: {ON}\n    reason: 不正利用の疑い\n"
        gr.reg.write("operators/TESTOP01.yaml", text)

    merge(gr, "suspend", suspend)
    assert "7A0001" not in _applied(gr, tmp_path / "suspended", ON)
    gr.branch("withdraw", "main")
    # The suspension goes with the system: validation refuses one naming a system not used.
    text = (gr.reg.root / "operators/TESTOP01.yaml").read_text("utf-8")
    gr.reg.write("operators/TESTOP01.yaml", text[: text.index("suspensions:")])
    _withdraw(gr, "2027-03-31", "2026-12-04")
    gr.commit("withdraw")
    day = ["--today", "2026-12-04"]
    allowed = accessreg(gr, "authorize", "--base", "main", "--head", "withdraw", "--actor",
                        "window-1", *day)  # fmt: skip
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    planned = accessreg(gr, "plan", "--base", "main", "--head", "withdraw", *day)
    assert planned.returncode == 0, planned.stderr
    assert "restored" not in planned.stdout, planned.stdout
    gr.checkout("main")
    gr.merge("withdraw")
    assert "7A0001" not in _applied(gr, tmp_path / "withdrawn", "2026-12-04")
    assert "7A0001" not in (over_applied(gr, tmp_path, "2027-01-15") / SWITCHING_CERTS).read_text(
        "utf-8"
    )
    # Given up stopped, the system comes back stopped: joining again with it and without
    # its suspension lifts it, the system operator's decision alone (001 p46).
    gr.branch("rejoin", "main")
    _member(gr, since="2026-12-07")
    gr.commit("rejoin")
    again = ["--base", "main", "--head", "rejoin", "--today", "2026-12-07"]
    refused = accessreg(gr, "authorize", *again, "--actor", "window-1")
    assert refused.returncode != 0, refused.stdout
    assert "maintainer-fields" in refused.stdout and "2026-12-03" in refused.stdout, refused.stdout
    assert accessreg(gr, "authorize", *again, "--actor", "uketsuke-sato").returncode == 0


def test_a_withdrawal_moved_earlier_ends_on_the_new_day(gr: GitRegistry, tmp_path: Path) -> None:
    """The latest application decides the withdrawal's day: moved from 2027-06-30 to
    2026-12-10, the certificate leaves the switching support system's whitelist on the new
    day, not on the one first recorded."""
    _member(gr)
    gr.commit("a member with a certificate")
    _initial(gr, tmp_path)
    merge(gr, "withdrawal", lambda: _withdraw(gr, "2027-06-30"))
    assert "7A0001 TESTOP01;" in _applied(gr, tmp_path / "withdrawn", ON)
    moved = ("withdrawn_on: 2027-06-30", "withdrawn_on: 2026-12-10")
    merge(gr, "earlier", lambda: gr.reg.edit("operators/TESTOP01.yaml", *moved))
    assert "7A0001 TESTOP01;" in _applied(gr, tmp_path / "moved", "2026-12-04")
    daily = over_applied(gr, tmp_path, "2027-01-15")
    assert "7A0001" not in (daily / SWITCHING_CERTS).read_text("utf-8")


def test_a_rejoin_ends_what_the_withdrawal_kept(gr: GitRegistry, tmp_path: Path) -> None:
    """A withdrawal kept the switching support system until 2027-06-30; the operator joins
    again (its file still naming the former withdrawal's day), then gives the system up as
    a member: it goes as any system a usage change takes does, when the change is done
    (OCCTO's help desk confirms it), not on the day of the withdrawal no longer in force."""
    _member(gr)
    gr.commit("a member with a certificate")
    _initial(gr, tmp_path)
    merge(gr, "withdrawal", lambda: _withdraw(gr, "2027-06-30"))
    _applied(gr, tmp_path / "withdrawn", ON)
    stale = {"since": "2026-12-04", "withdrawn_on": "2027-06-30"}
    merge(gr, "rejoin", lambda: _member(gr, **stale))
    assert "7A0001 TESTOP01;" in _applied(gr, tmp_path / "rejoined", "2026-12-04")
    without = [s for s in MEMBER_SYSTEMS if s != "switching"]
    merge(gr, "drop", lambda: _member(gr, systems=without, **stale))
    before = set(state(gr)["batches"])
    assert "7A0001 TESTOP01;" in _applied(gr, tmp_path / "dropped", "2026-12-07")
    (batch,) = set(state(gr)["batches"]) - before
    # The change is the switching support system's alone (002 §2.1.1): its step, confirmed
    done = accessreg(gr, "confirm", batch, "--system", "switching", "--out",
                     str(tmp_path / "confirmed"), "--today", "2026-12-21")  # fmt: skip
    assert done.returncode == 0, done.stderr
    daily = over_applied(gr, tmp_path, "2026-12-21")
    assert "7A0001" not in (daily / SWITCHING_CERTS).read_text("utf-8")


def _gives_up_johs(gr: GitRegistry, **cert: Any) -> None:
    """TESTOP01 gives JOHS up (000 §3-2) and its users' JOHS IDs go with it (000 §5-2,
    §5-3): USER1 keeps TAXIS, USER3, who held JOHS alone, is deleted. ``cert``: its
    certificate's entries after the change."""
    gr.reg.operator(systems=["taxis", "juju", "loacus"], certificates=[certificate(1, **cert)])
    gr.reg.user(permissions={"taxis": "1011"})
    (gr.reg.root / "users/TESTOP01" / f"{USER3}.yaml").unlink()


JOHS_CERTS = "whitelist/johs/cert-map.conf"


@pytest.mark.parametrize(
    ("listed", "narrowed"), [((), ()), (("taxis", "johs"), ("taxis",))], ids=["all", "listed"]
)
def test_a_system_given_up_stays_in_the_whitelist_until_the_usage_change_is_done(
    gr: GitRegistry, tmp_path: Path, listed: tuple[str, ...], narrowed: tuple[str, ...]
) -> None:
    """An operator gives JOHS up by a usage change (000 §3-2: done in about 15 business
    days): its file drops the system at once, but its certificate reaches JOHS until the
    change is done, the day the 受付 mail gives (「反映 … 以降」), as a system a usage change
    adds reaches it from that day; its users' IDs go as their deletions are dated. So does
    a certificate whose own list named JOHS, narrowed with the change (validation asks it):
    registered for JOHS then, it is until the change is done."""
    gr.reg.operator(certificates=[certificate(1, systems=list(listed))])
    gr.commit("a certificate")
    _initial(gr, tmp_path)
    merge(gr, "drop", lambda: _gives_up_johs(gr, systems=list(narrowed)))
    out = tmp_path / "dropped"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    (accepted,) = written_mails(out, "*-accepted-*.eml")
    done = re.search(r"反映 (\d{4}-\d{2}-\d{2}) 以降", str(accepted.get_content()))
    assert done is not None, accepted.get_content()
    last = date.fromisoformat(done.group(1)) - timedelta(days=1)
    assert "7A0001 TESTOP01;" in (out / JOHS_CERTS).read_text("utf-8")
    assert "7A0001 TESTOP01;" in (over_applied(gr, tmp_path, str(last)) / JOHS_CERTS).read_text(
        "utf-8"
    )
    gone = over_applied(gr, tmp_path, done.group(1))
    assert "7A0001" not in (gone / JOHS_CERTS).read_text("utf-8")
    assert "7A0001 TESTOP01;" in (gone / "whitelist/taxis/cert-map.conf").read_text("utf-8")


def test_a_forced_withdrawal_ends_the_member_ids_of_users_held_back_on_its_day(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A withdrawal merged while its users' files still hold retailer IDs (a forced merge:
    those files have errors, occto-member-code) holds the files back, but not the IDs the
    withdrawal ends: they go on its day (003 §2.7.1), as they would have with the files
    fixed, and the runs until then still list them. The users' other systems stay."""
    admin, user = "admin@test-gas.example.co.jp", "sw@test-gas.example.co.jp"
    _member(gr)
    gr.reg.user(email=admin, name="管理 太郎", permissions={"switching": "retailer_admin"})
    gr.reg.user(email=user, name="利用 花子", permissions={"switching": "retailer_user",
                                                          "taxis": "1010"})  # fmt: skip
    gr.commit("switching users")
    _initial(gr, tmp_path)
    withdrawn = {"status": "withdrawn", "member_since": "2020-04-01", "withdrawn_on": "2026-12-23"}
    merge(gr, "forced-withdrawal", lambda: gr.reg.operator(
        occto_member=False, membership=withdrawn, certificates=[certificate(1)],
        roles=["gas_retailer", "wheeling_client", "electricity_retailer"],
        systems=["taxis", "johs", "juju", "loacus"],
    ))  # fmt: skip
    out = tmp_path / "out"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    assert "held back: 2 files of 1 operator" in result.stdout, result.stdout
    ended = {(r["区分"], r["適用日"], r["メールアドレス（ID）"]) for r in deltas(out, "switching")}
    assert ended == {("抹消", "2026-12-23", admin), ("抹消", "2026-12-23", user)}
    assert not any(r["メールアドレス（ID）"] == user for r in deltas(out, "taxis"))
    # The 受付 mail tells the window person which IDs end, and when, as it would have with
    # the files fixed: no item of theirs, yet their lines as an item's.
    (accepted,) = [
        m for m in written_mails(out, "*-accepted-*.eml")
        if m["To"].addresses[0].addr_spec == "window1@test-gas.example.co.jp"
    ]  # fmt: skip
    body = accepted.get_content()
    for login in (admin, user):
        listed_in = next(ln for ln in body.splitlines() if f"ID: {login}" in ln)
        line = body.splitlines()[body.splitlines().index(listed_in) + 1]
        assert "スイッチング支援システム（switching）: 抹消" in line, body
        assert line.endswith("/ 利用終了 2026-12-23"), body

    def listed(day: str, system: str) -> set[str]:
        run = tmp_path / day
        done = accessreg(gr, "apply", "--out", str(run), "--confirm", "--today", day,
                         "--accepted-on", day)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return {r["メールアドレス（ID）"] for r in read_csv(run / f"imports/{system}/snapshot.csv")}

    assert listed("2026-12-22", "switching") == {admin, user}
    assert listed("2026-12-23", "switching") == set()
    assert user in listed("2026-12-24", "taxis")


def test_a_system_given_up_ends_it_for_users_held_back_as_for_the_others(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A usage change giving up JUJU merged while a user's file still holds it (an error:
    system-not-approved) holds that file back, but not the permission the operator no
    longer has: its row comes with, and as, the row of a user whose file drops it."""
    fixed = "juju2@test-gas.example.co.jp"
    gr.reg.user(email=fixed, name="四谷 四郎", permissions={"taxis": "1010", "juju": "granted"})
    gr.commit("two JUJU users")
    _initial(gr, tmp_path)

    def give_up() -> None:
        gr.reg.operator(systems=["taxis", "johs", "loacus"])
        gr.reg.user(email=fixed, name="四谷 四郎", permissions={"taxis": "1010"})

    merge(gr, "juju-given-up", give_up)
    out = tmp_path / "out"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    assert "held back: 1 file of 1 operator" in result.stdout, result.stdout
    rows = {r["メールアドレス（ID）"]: r for r in deltas(out, "juju")}
    assert set(rows) == {USER2, fixed}
    dated = {(r["区分"], r["適用日"], r["システム処理日（M）"]) for r in rows.values()}
    assert len(dated) == 1 and next(iter(dated))[0] == "抹消", rows


def test_a_certificate_registered_after_the_withdrawal_gains_nothing_from_it(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Until the withdrawal's day the operator keeps what it held when it withdrew: a
    certificate registered after (for the systems the file lists) does not reach the
    switching support system, which the file no longer lists; the one it held does."""
    _member(gr)
    gr.commit("a member with a certificate")
    _initial(gr, tmp_path)
    merge(gr, "withdrawal", lambda: _withdraw(gr, "2027-09-30"))
    _applied(gr, tmp_path / "withdrawn", ON)
    second = certificate(2, not_before="2026-12-01")
    withdrawn = {"status": "withdrawn", "member_since": "2020-04-01", "withdrawn_on": "2027-09-30"}
    kept = [s for s in MEMBER_SYSTEMS if s not in ("switching", "member_portal")]
    merge(gr, "cert", lambda: gr.reg.operator(
        occto_member=False, membership=withdrawn, systems=kept,
        roles=["gas_retailer", "wheeling_client", "electricity_retailer"],
        certificates=[certificate(1), second]))  # fmt: skip
    _applied(gr, tmp_path / "cert", "2026-12-04")
    daily = (over_applied(gr, tmp_path, "2027-06-01") / SWITCHING_CERTS).read_text("utf-8")
    assert "7A0001 TESTOP01;" in daily
    assert second["serial"] not in daily
    johs = (tmp_path / "daily-2027-06-01/whitelist/johs/cert-map.conf").read_text("utf-8")
    assert f"{second['serial']} TESTOP01;" in johs


def test_the_base_dn_is_recorded_once_and_never_moved(gr: GitRegistry, tmp_path: Path) -> None:
    """Downstream's directory holds its entries under the base DN of the first run that named
    one: the runs that name none (the scheduled one) write under it, and another is refused,
    since no delta moves the entries."""
    dn = "dc=test-gas,dc=example,dc=jp"
    first = tmp_path / "initial"
    made = accessreg(gr, "apply", "--out", str(first), "--initial", "--confirm",
                     "--ldap-base", dn, *DAY)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert state(gr)["ldap_base"] == dn
    merge(gr, "memo", lambda: gr.reg.user(email=USER3, permissions={"johs": "J1010"}, memo="異動"))
    out = tmp_path / "out"
    result = accessreg(gr, "apply", "--out", str(out), *DAY)
    assert result.returncode == 0, result.stderr
    entries = (out / "ldif/snapshot.ldif").read_text(encoding="utf-8")
    assert f"dn: uid={USER3},ou=people,{dn}" in entries and "dc=accessreg" not in entries
    applied = state(gr)
    moved = accessreg(gr, "apply", "--out", str(tmp_path / "moved"), "--confirm",
                      "--ldap-base", "dc=elsewhere,dc=example", *DAY)  # fmt: skip
    assert moved.returncode == 2
    assert f"Downstream's directory holds its entries under {dn}" in moved.stderr
    assert not (tmp_path / "moved").exists() and state(gr) == applied
    # A directory whose entries were moved by other means: --base says what it holds now.
    rebased = accessreg(gr, "apply", "--out", str(tmp_path / "moved"), "--confirm", "--base",
                        gr.rev(), "--ldap-base", "dc=elsewhere,dc=example", *DAY)  # fmt: skip
    assert rebased.returncode == 0, rebased.stderr
    assert state(gr)["ldap_base"] == "dc=elsewhere,dc=example"


def test_an_unnamed_base_dn_is_not_recorded(gr: GitRegistry, tmp_path: Path) -> None:
    """A state of runs that named no base DN reads as before (older versions read it)."""
    _initial(gr, tmp_path)
    assert "ldap_base" not in state(gr)
    entries = (tmp_path / "initial/ldif/snapshot.ldif").read_text(encoding="utf-8")
    assert f"dn: uid={USER3},ou=people,dc=accessreg,dc=example" in entries


def test_an_emptied_registry_is_refused(gr: GitRegistry, tmp_path: Path) -> None:
    _initial(gr, tmp_path)

    def remove_operator() -> None:
        for path in (gr.reg.root / "users/TESTOP01").iterdir():
            path.unlink()
        gr.remove("operators/TESTOP01.yaml")

    merge(gr, "remove-all", remove_operator)
    refused = accessreg(gr, "apply", "--out", str(tmp_path / "o"), "--max-removal-share", "1", *DAY)
    assert refused.returncode == 1
    assert "Refusing to remove every one of 4 login IDs" in refused.stderr


def test_an_error_in_the_catalog_generates_nothing(gr: GitRegistry, tmp_path: Path) -> None:
    _initial(gr, tmp_path)
    merge(gr, "bad", lambda: gr.reg.edit("systems.yaml", "  - id: johs", "  - id: taxis"))
    out = tmp_path / "out"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert result.returncode == 1
    assert "has errors in files every operator depends on; nothing was generated" in result.stderr
    assert "registry/systems.yaml:" in result.stderr and "(catalog-consistency)" in result.stderr
    assert not out.exists()


def test_a_name_downstream_holds_that_cp932_cannot_hold_writes_nothing(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A name applied in UTF-8 is downstream's: a run in CP932 cannot list it in the
    snapshots, and holding back a file it does not change would hold back nothing. It is
    refused whole, before anything is written (a name a range brings is held back instead:
    tests/cli/test_apply_encoding.py)."""
    _initial(gr, tmp_path)
    merge(gr, "kanji", lambda: gr.reg.user(name="𠮷田 太郎"))
    utf8 = accessreg(gr, "apply", "--out", str(tmp_path / "utf8"), "--confirm", *DAY)
    assert utf8.returncode == 0, utf8.stderr
    out = tmp_path / "out"
    assert accessreg(gr, "apply", "--out", str(out), "--head", "HEAD~1", *DAY).returncode == 0
    before = tree(out)
    result = accessreg(gr, "apply", "--out", str(out), "--encoding", "cp932", "--confirm", *DAY)
    assert result.returncode == 1
    assert (
        f"imports/taxis/snapshot.csv: users/TESTOP01/{USER1}.yaml: 利用者名（漢字） holds '𠮷'"
        in result.stderr
    )
    assert tree(out) == before  # the previous outputs, untouched


def test_a_first_apply_with_a_catalog_name_cp932_cannot_hold_writes_nothing(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A first apply's deltas are made as they are written: the snapshots' check of the
    same cells still refuses the run before anything is written. The catalog's words are
    every operator's: nothing can be held back for them."""
    gr.reg.edit("systems.yaml", "name_ja: 託送情報共有サイト", "name_ja: 託送情報共有サイト—共通")
    gr.commit("a catalog name CP932 cannot hold")
    out = tmp_path / "out"
    args = ["apply", "--out", str(out), "--initial", "--encoding", "cp932", "--confirm", *DAY]
    result = accessreg(gr, *args)
    assert result.returncode == 1
    assert "holds '—' (U+2014)" in result.stderr
    assert not out.exists() and not list(tmp_path.glob(".out.*"))
    assert gr.repo.git.for_each_ref("refs/accessreg/") == ""  # nothing recorded
    utf8 = accessreg(gr, *[a for a in args if a not in ("--encoding", "cp932")])
    assert utf8.returncode == 0, utf8.stderr
    delta = next((out / "imports/taxis").glob("delta-*.csv")).read_text("utf-8-sig")
    assert "託送情報共有サイト—共通" in delta


def test_cp932_outputs_read_back_equal(gr: GitRegistry, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert (
        accessreg(
            gr, "apply", "--out", str(out), "--initial", "--encoding", "cp932", *DAY
        ).returncode
        == 0
    )
    data = (out / "imports/taxis/snapshot.csv").read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") == 3
    rows = read_csv(out / "imports/taxis/snapshot.csv", "cp932")
    assert [(r["利用者名（漢字）"], r["権限コード"]) for r in rows] == [
        ("試験 太郎", "1011"),
        ("二宮 二郎", "1010"),
    ]


def test_an_output_directory_that_is_not_ours_is_never_replaced(
    gr: GitRegistry, tmp_path: Path
) -> None:
    out = tmp_path / "somebody"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = accessreg(gr, "apply", "--out", str(out), "--initial", *DAY)
    assert result.returncode == 2
    assert "already holds files this tool did not write" in result.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_nothing_new_records_nothing_new(gr: GitRegistry, tmp_path: Path) -> None:
    _initial(gr, tmp_path)
    before = gr.repo.git.rev_parse("refs/accessreg/state")
    result = accessreg(gr, "apply", "--out", str(tmp_path / "o"), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    assert "batch: none" in result.stdout
    assert gr.repo.git.rev_parse("refs/accessreg/state") == before


def test_an_entry_lapsing_later_drops_out_without_stopping_apply(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    allow = {"cidr": "41.203.64.10/32", "reason": "海外拠点", "expires_on": "2099-12-10"}
    reg.operator(ip_allowlist=[allow])
    made = GitRegistry(reg)
    try:
        made.commit("an allowlisted address until 2099-12-10")
        before = tmp_path / "before"
        assert (
            accessreg(
                made, "apply", "--out", str(before), "--initial", "--today", "2099-12-10"
            ).returncode
            == 0
        )
        assert b"41.203.64.10/32 1;" in (before / "whitelist/taxis/ip-geo.conf").read_bytes()
        after = tmp_path / "after"
        late = accessreg(made, "apply", "--out", str(after), "--initial", "--today", "2099-12-11")
        assert late.returncode == 0, late.stderr  # validated as of the merge, not of today
        assert b"41.203.64.10" not in (after / "whitelist/taxis/ip-geo.conf").read_bytes()
        assert b"41.203.64.10" not in (after / "whitelist/taxis/allowlist.json").read_bytes()
    finally:
        made.close()


def test_a_merge_whose_catalog_does_not_load_counts_with_the_next(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A merge breaks the catalog and adds a user (its run refuses); the next merge fixes
    the catalog. The next run applies both: the broken merge is no step, its user comes
    with the fix, though the fix's parent cannot be read."""
    _initial(gr, tmp_path)

    def break_and_add() -> None:
        break_catalog(gr.reg)
        gr.reg.user(email="user4@test-gas.example.co.jp", name="四方 四郎")

    text = (gr.reg.root / "systems.yaml").read_text(encoding="utf-8")
    merge(gr, "broken", break_and_add)
    refused = accessreg(gr, "apply", "--out", str(tmp_path / "refused"), "--confirm", *DAY)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    merge(gr, "fixed", lambda: gr.reg.write("systems.yaml", text))
    out = tmp_path / "out"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    rows = {(r["区分"], r["メールアドレス（ID）"]) for r in deltas(out, "taxis")}
    assert rows == {("新規", "user4@test-gas.example.co.jp")}


def test_a_first_apply_reads_past_a_history_whose_first_catalog_does_not_load(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """The repository began with a catalog an earlier version of the tool wrote, which
    this one cannot load; a later commit brings it up to date. A first apply loads the
    registry as it stands, from the first commit it can read."""
    text = break_catalog(reg)
    made = GitRegistry(reg)
    try:
        reg.write("systems.yaml", text)
        made.commit("the catalog as this version reads it")
        out = tmp_path / "initial"
        result = accessreg(made, "apply", "--out", str(out), "--initial", *DAY)
        assert result.returncode == 0, result.stderr
        users = {r["メールアドレス（ID）"] for r in read_csv(out / "imports/taxis/snapshot.csv")}
        assert "user1@test-gas.example.co.jp" in users
    finally:
        made.close()


def test_a_first_apply_s_deltas_list_the_holders_as_the_snapshots_do(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """By operator, then login (their bytes are the snapshots' shares'); a later delta
    lists by login. TESTOP02's ``a…`` comes after every login of TESTOP01."""
    reg.operator("TESTOP02", contacts=[contact(n=2)])
    reg.user("TESTOP02", "a2@test-gas.example.co.jp", permissions={"taxis": "1010"})
    reg.user(email=USER2, permissions={"taxis": "1010"})
    gr = GitRegistry(reg)
    gr.commit("two operators")
    out = tmp_path / "initial"
    assert accessreg(gr, "apply", "--out", str(out), "--initial", "--confirm", *DAY).returncode == 0
    # Each operator's holders in login order, its window person's too.
    holders = [USER1, USER2, "window1@test-gas.example.co.jp"]
    holders += ["a2@test-gas.example.co.jp", "window2@test-gas.example.co.jp"]
    snapshot = [r["メールアドレス（ID）"] for r in read_csv(out / "imports/taxis/snapshot.csv")]
    taxis = [login for login in holders if login in snapshot]
    assert snapshot == taxis == [USER1, USER2, "a2@test-gas.example.co.jp"]
    assert [r["メールアドレス（ID）"] for r in deltas(out, "taxis")] == taxis
    scim_users = [
        op["bulkId"]
        for op in json.loads((out / f"scim/delta-{ON}.json").read_text("utf-8"))["Operations"]
        if op["path"] == "/Users"
    ]
    ldif = (out / f"ldif/delta-{ON}.ldif").read_text("utf-8")
    people = [
        line.split("=", 1)[1].split(",")[0]
        for line in ldif.splitlines()
        if "ou=people" in line and line.startswith("dn: uid=")
    ]
    assert scim_users == people == holders
    # It adds every holder and creates every group as the SCIM snapshot does: one file.
    delta, snapshot = out / f"scim/delta-{ON}.json", out / "scim/snapshot.json"
    assert delta.read_bytes() == snapshot.read_bytes()
    listed = json.loads((out / "manifest.json").read_text("utf-8"))["files"]
    assert listed[f"scim/delta-{ON}.json"] == listed["scim/snapshot.json"]
    merge(
        gr,
        "more",
        lambda: (
            reg.user("TESTOP02", "a3@test-gas.example.co.jp", permissions={"taxis": "1010"}),
            reg.user(email="user4@test-gas.example.co.jp", permissions={"taxis": "1010"}),
        ),
    )
    later = tmp_path / "later"
    assert accessreg(gr, "apply", "--out", str(later), "--confirm", *DAY).returncode == 0
    added = [r["メールアドレス（ID）"] for r in deltas(later, "taxis")]
    assert added == ["a3@test-gas.example.co.jp", "user4@test-gas.example.co.jp"]


def test_an_acceptance_names_each_application_with_the_sections_of_its_systems(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The 受付 mail cites OCCTO's terms for a switching user's ID (002 §3.2.1, §3.3), not
    Tokyo Gas Network's manual; Tokyo Gas Network's users keep 000 §5-1."""
    gr.reg.occto_member()
    gr.reg.user("DENKI001", "admin@denki-test.example.co.jp", affiliation="DENKI001",
                permissions={"switching": "retailer_admin", "member_portal": "admin"})  # fmt: skip
    gr.commit("an OCCTO member")
    _initial(gr, tmp_path)

    def users() -> None:
        gr.reg.user("DENKI001", "staff@denki-test.example.co.jp", affiliation="DENKI001",
                    permissions={"switching": "retailer_user"})  # fmt: skip
        gr.reg.user(email="user4@test-gas.example.co.jp", permissions={"taxis": "1010"})

    merge(gr, "users", users)
    out = tmp_path / "out"
    assert accessreg(gr, "apply", "--out", str(out), *DAY).returncode == 0
    kinds = {
        mail["To"].addresses[0].addr_spec: line
        for mail in _accepted_mails(out)
        for line in mail.get_content().splitlines()
        if line.startswith("申請種別: ")
    }
    assert kinds == {
        "window5@denki-test.example.co.jp": "申請種別: 利用権限の設定申請（002 §3.2.1, §3.3）",
        "window1@test-gas.example.co.jp": "申請種別: 利用権限の設定申請（000 §5-1）",
    }


def test_one_operator_giving_up_its_certificate_is_counted_among_every_operator(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The rail judges a merge against every whitelist entry held, not against those of
    the operators the run reads: one of four operators dropping its one certificate takes a
    quarter away, within the share, not all of what that operator had."""
    per = _certified(gr, tmp_path)
    merge(gr, "one-certificate-gone", lambda: _certificates_of(gr, CERTIFIED[:1]))
    out = tmp_path / "out"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY)
    assert result.returncode == 0, result.stderr
    assert f"whitelist entries: {4 * per} → {3 * per} ({per} removed)" in result.stdout


def test_a_suspended_system_given_up_does_not_come_back_until_the_change_is_done(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """JOHS suspended for the operator (002 §2.6 as the catalog applies it to Tokyo Gas
    Network's systems), then given up: the use ends stopped (001 p46), so the certificate
    does not reach JOHS again while the usage change is being done."""
    gr.reg.operator(certificates=[certificate(1)])
    gr.commit("a certificate")
    _initial(gr, tmp_path)

    def suspend() -> None:
        text = (gr.reg.root / "operators/TESTOP01.yaml").read_text("utf-8")
        text += (
            f"suspensions:\n  - system: johs\n    suspended_on: {ON}\n    reason: 不正利用の疑い\n"
        )
        gr.reg.write("operators/TESTOP01.yaml", text)

    merge(gr, "suspend", suspend)
    suspended = tmp_path / "suspended"
    assert accessreg(gr, "apply", "--out", str(suspended), "--confirm", *DAY).returncode == 0
    assert "7A0001" not in (suspended / JOHS_CERTS).read_text("utf-8")
    merge(gr, "drop", lambda: _gives_up_johs(gr))
    dropped = tmp_path / "dropped"
    assert accessreg(gr, "apply", "--out", str(dropped), "--confirm", *DAY).returncode == 0
    assert "7A0001" not in (dropped / JOHS_CERTS).read_text("utf-8")
    assert "7A0001 TESTOP01;" in (dropped / "whitelist/taxis/cert-map.conf").read_text("utf-8")


def test_a_user_deleted_then_filed_again_in_one_run_leaves_and_comes_back_each_on_its_day(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A leaver's deletion (entered 12-07: JOHS ends the next day, 000 §5-3), then a new
    application with the same ID and file (accepted 12-09: M+6, §5-1), applied by one run:
    the registry ends as it began, yet each merge is an application of its own. Both are
    acknowledged, the ID leaves on 12-08 and comes back on 12-24, and the day's snapshot
    does not hold it between. The run read nothing of the operator, so the deletion never
    reached downstream and neither application was acknowledged."""
    _initial(gr, tmp_path)
    rel = f"users/TESTOP01/{USER3}.yaml"
    text = (gr.reg.root / rel).read_text("utf-8")
    committed_on(monkeypatch, "2026-12-07")
    leave = merge(gr, "leave", lambda: gr.remove(rel))
    committed_on(monkeypatch, "2026-12-09")
    back = merge(gr, "back", lambda: gr.reg.write(rel, text))
    events = tmp_path / "events.json"
    events.write_text(json.dumps([
        {"merge_commit": leave, "entered_at": "2026-12-07", "accepted_at": "2026-12-07"},
        {"merge_commit": back, "accepted_at": "2026-12-09"},
    ]))  # fmt: skip
    out = tmp_path / "out"
    ran = accessreg(gr, "apply", "--out", str(out), "--confirm", "--pull-requests", str(events),
                    "--today", "2026-12-09")  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert len(written_mails(out, "*-accepted-*.eml")) == 2

    def rows(name: str) -> list[tuple[str, str, str]]:
        found = read_csv(out / "imports/johs" / name)
        return [(r["区分"], r["適用日"], r["システム処理日（M）"]) for r in found
                if r["メールアドレス（ID）"] == USER3]  # fmt: skip

    assert rows("delta-day-2026-12-08.csv") == [("抹消", "2026-12-08", "")]
    assert rows("delta-2026-12-16.csv") == [("新規", "2026-12-24", "2026-12-16")]
    assert USER3 not in (out / "imports/johs/snapshot.csv").read_text("utf-8-sig")


def test_a_usage_change_is_in_progress_until_it_is_done(gr: GitRegistry, tmp_path: Path) -> None:
    """A usage change giving JOHS up (000 §3-2: about 15 business days to its completion
    notice) needs no import, yet it is not done on its acceptance: ``status`` shows it
    処理中, its own work 未済, until the day its 受付 mail gives, then 処理完了."""
    _initial(gr, tmp_path)
    merge(gr, "drop", lambda: _gives_up_johs(gr))
    out = tmp_path / "dropped"
    assert accessreg(gr, "apply", "--out", str(out), "--confirm", *DAY).returncode == 0
    (accepted,) = written_mails(out, "*-accepted-*.eml")
    done = re.search(r"反映 (\d{4}-\d{2}-\d{2}) 以降", str(accepted.get_content()))
    assert done is not None, accepted.get_content()
    head = gr.rev()[:12]

    def line(day: str) -> list[str]:
        ran = accessreg(gr, "status", "--operator", "TESTOP01", "--today", day)
        assert ran.returncode == 0, ran.stderr
        table = ran.stdout.split("\n\n")[0].splitlines()
        (row,) = [r.split("\t") for r in table if r.startswith(head)]
        return [row[4], row[table[0].split("\t").index("usage application work")]]

    before = date.fromisoformat(done.group(1)) - timedelta(days=1)
    batches = state(gr)["batches"]
    (batch,) = [b for b in batches if b.endswith(head[:8])]
    for system in batches[batch]["systems"]:  # its users' rows, imported at once
        confirmed = accessreg(gr, "confirm", batch, "--system", system, "--today", ON)
        assert confirmed.returncode == 0, confirmed.stderr
    assert line(str(before)) == ["in progress", "not done"]
    assert line(done.group(1)) == ["complete", "done"]


def test_a_certificate_naming_the_switching_system_keeps_it_until_the_withdrawal(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A member's certificate names its systems, the switching support system among them;
    its withdrawal (filed with the command, as the usage-change form files it) takes the
    system from the certificate's list with the membership's, and the certificate reaches
    the system until the withdrawal's day all the same (003 §2.7.1), no longer from it."""
    _member(gr, certificates=[certificate(1, systems=["taxis", "switching"])])
    gr.commit("a member with a certificate naming its systems")
    _initial(gr, tmp_path)
    merge(gr, "withdrawal", lambda: _withdraw(gr, "2026-12-23"))
    text = (gr.reg.root / "operators/TESTOP01.yaml").read_text("utf-8")
    assert "switching" not in text.split("certificates:")[1], text
    assert "7A0001 TESTOP01;" in _applied(gr, tmp_path / "withdrawn", ON)
    assert "7A0001 TESTOP01;" in (over_applied(gr, tmp_path, "2026-12-22") / SWITCHING_CERTS
                                  ).read_text("utf-8")  # fmt: skip
    gone = over_applied(gr, tmp_path, "2026-12-23")
    assert "7A0001" not in (gone / SWITCHING_CERTS).read_text("utf-8")
    assert "7A0001 TESTOP01;" in (gone / "whitelist/taxis/cert-map.conf").read_text("utf-8")
