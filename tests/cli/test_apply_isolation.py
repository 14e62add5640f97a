"""A problem holds back only what it touches (real git histories, apply through the command):
what time did to other operators never stops a pull request or apply, and a clash that
reached main anyway holds back exactly the items in it until main is fixed."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.lapsed import (
    A_NEW,
    B_IP,
    B_IP_LAST_DAY,
    D_LEAVER,
    D_STAYS,
    TODAY,
    A,
    B,
    D,
    user_file,
)
from tests.helpers.provisioning import accessreg, deltas, logged, state
from tests.helpers.regfactory import USER, contact
from tests.helpers.scheduled_scenario import dated, on
from tests.helpers.smtpserver import Mailbox, smtp_env, smtp_server

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


START = date(2026, 12, 1)
LATE = date.fromisoformat(TODAY)  # B's address expired yesterday, C is provisional > 1 year


def merged_on(gr: GitRegistry, name: str, day: date, change: Callable[[], object]) -> str:
    """A pull request ``name`` with ``change``, opened and merged on ``day``."""
    gr.branch(name, "main")
    change()
    gr.repo.git.add("-A")
    gr.repo.git.commit("-q", "-m", f"{name}: change", env=on(day))
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", name, env=on(day))
    return gr.rev()


@pytest.fixture
def gr(lapsed_gr: GitRegistry, tmp_path: Path) -> GitRegistry:
    made = dated(lapsed_gr, START)
    first = accessreg(made, "apply", "--out", str(tmp_path / "first"), "--initial", "--confirm",
                      "--today", START.isoformat())  # fmt: skip
    assert first.returncode == 0, first.stderr
    return made


def test_lapsed_b_and_c_stop_neither_a_s_check_nor_apply(gr: GitRegistry, tmp_path: Path) -> None:
    merged_on(gr, "d-removes-a-user", LATE, lambda: gr.remove(user_file(D, D_LEAVER)))
    before_a = gr.rev()
    head = merged_on(gr, "a-adds-a-user", LATE, lambda: gr.reg.user(A, A_NEW))
    # The check of A's pull request passes, B's and C's lapses set aside.
    check = accessreg(gr, "validate", "--strict", "--today", TODAY, "--changed-since", before_a,
                      "--head", "a-adds-a-user")  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    out = tmp_path / "out"
    result = accessreg(gr, "apply", "--out", str(out), "--confirm", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert state(gr)["applied"] == head
    rows = {(r["区分"], r["メールアドレス（ID）"]): r for r in deltas(out, "taxis")}
    assert set(rows) == {("新規", A_NEW), ("抹消", D_LEAVER)}
    # Accepted on 2027-03-03: M is 2027-03-16; a new TAXIS user from M+6 business days (the
    # equinox holiday falls on Monday the 22nd), a deletion the day after (000 §5-1, §5-3).
    assert rows[("新規", A_NEW)]["システム処理日（M）"] == "2027-03-16"
    assert rows[("新規", A_NEW)]["適用日"] == "2027-03-25"
    assert rows[("抹消", D_LEAVER)]["適用日"] == "2027-03-04"
    # The whitelist holds B's address through its last day and drops it on the next.
    geo = (out / "whitelist/taxis/ip-geo.conf").read_text(encoding="utf-8")
    assert B_IP not in geo
    last_day = tmp_path / "last-day"
    dry = accessreg(gr, "apply", "--out", str(last_day), "--base", before_a, "--today",
                    B_IP_LAST_DAY)  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert f"{B_IP} 1;" in (last_day / "whitelist/taxis/ip-geo.conf").read_text(encoding="utf-8")
    assert B in (last_day / "whitelist/taxis/allowlist.json").read_text(encoding="utf-8")


# --- a clash that reached main anyway -------------------------------------------------------

SHARED = "shared@example.jp"
D_RENAMED = "renamed@leaver-d.example.jp"
B_NEW = "newcomer@lapsed-b.example.jp"
WINDOW = {A: "window1@test-gas.example.co.jp", D: "window@leaver-d.example.jp"}
REVIEWERS = {"hanako.sato@reception.example.jp", "kenichi.kimura@reception.example.jp"}


def sent(gr: GitRegistry, out: Path, mailbox: Mailbox) -> subprocess.CompletedProcess[str]:
    with smtp_server(mailbox) as port:
        result = accessreg(gr, "apply", "--out", str(out), "--confirm", "--send", "--today",
                           TODAY, env=smtp_env(port))  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result


def accepted_mails(mailbox: Mailbox, login: str) -> list[str]:
    """The recipients of the 受付 mails that name ``login``."""
    return [
        str(m["To"].addresses[0].addr_spec)
        for m in mailbox.received
        if str(m["Subject"]).startswith("【受付】") and login in m.get_content()
    ]


def logins(out: Path, system: str = "taxis") -> set[tuple[str, str]]:
    return {(r["区分"], r["メールアドレス（ID）"]) for r in deltas(out, system)}


def test_two_clashing_merges_hold_exactly_both_holders_until_the_fix(
    gr: GitRegistry, tmp_path: Path
) -> None:
    ours, theirs = user_file(A, SHARED), user_file(D, SHARED)
    a_merge = merged_on(gr, "a-adds-shared", LATE, lambda: gr.reg.user(A, SHARED))
    # Merged without the queue: D applies for the same ID, and removes a leaver.
    merged_on(gr, "d-adds-shared", LATE, lambda: (gr.reg.user(D, "Shared@example.jp"),
                                                 gr.remove(user_file(D, D_LEAVER))))  # fmt: skip
    merged_on(gr, "b-adds-a-user", LATE, lambda: gr.reg.user(B, B_NEW))
    first = Mailbox()
    held = sent(gr, tmp_path / "held", first)
    # Everyone else is provisioned, D's removal included; neither holder of the ID is.
    assert logins(tmp_path / "held") == {("新規", B_NEW), ("抹消", D_LEAVER)}
    assert "held back: 2 files of 2 operators" in held.stdout
    for rel in (ours, theirs):
        # Every operator reads the job log: each file by its operator's folder, and no
        # login ID; the reviewers' mail names the files.
        assert f"{logged(rel)}:2:1: [error] This login ID is also used at another" in held.stdout
        assert f"{rel}" in state(gr)["held"]
    assert SHARED not in held.stdout.lower()
    assert accepted_mails(first, SHARED) == []  # no 受付 for what never reached downstream
    reviewers = [m for m in first.received if str(m["Subject"]).startswith("【保留】")]
    assert {str(m["To"].addresses[0].addr_spec) for m in reviewers} == REVIEWERS
    assert all(f"registry/{ours}:2" in m.get_content() for m in reviewers)
    # Each error in the reviewers' words, as `validate` says it in Japanese.
    clash = f"registry/{ours}:2: 同じ ID がほかの事業者でも使われています"
    assert all(clash in m.get_content() for m in reviewers)
    assert not any("Message(" in m.get_content() for m in reviewers)
    # A window person checking progress sees their file held, and why: no 受付 came of it.
    assert held_listed(gr, A) == [[A, TODAY, f"registry/{ours}"]]
    assert held_listed(gr, D) == [[D, TODAY, f"registry/{theirs}"]]
    assert held_listed(gr, B) == [] and len(held_listed(gr)) == 2
    assert held_listed(gr, A, START.isoformat()) == []  # not yet held on an earlier day

    # Another merge while the clash stands: still held, nothing said twice.
    merged_on(gr, "a-changes-user1", LATE, lambda: gr.reg.user(permissions={"taxis": "1012"}))
    second = Mailbox()
    again = sent(gr, tmp_path / "again", second)
    assert "held back: 2 files" in again.stdout
    assert logins(tmp_path / "again") == {("変更", "user1@test-gas.example.co.jp")}
    assert [m for m in second.received if str(m["Subject"]).startswith("【保留】")] == []

    # The fix: D's person gets an ID of their own. Both are applied, one 受付 each.
    def rename() -> None:
        gr.remove(theirs)
        gr.reg.user(D, D_RENAMED)

    fix = merged_on(gr, "d-renames", LATE, rename)
    third = Mailbox()
    fixed = sent(gr, tmp_path / "fixed", third)
    assert logins(tmp_path / "fixed") == {("新規", SHARED), ("新規", D_RENAMED)}
    assert "held back:" not in fixed.stdout
    assert "released: 2 files held back before" in fixed.stdout
    assert state(gr)["held"] == {} and state(gr)["applied"] == fix
    assert held_listed(gr) == []
    everything = [*first.received, *second.received, *third.received]
    assert accepted_mails(Mailbox(received=everything), SHARED) == [WINDOW[A]]
    assert accepted_mails(Mailbox(received=everything), D_RENAMED) == [WINDOW[D]]
    # A's release is accepted as of the fix, attributed to A's own merge.
    (batch,) = [b for b in state(gr)["batches"].values() if b["head"] == fix]
    release = next(a for a in batch["applications"] if a["operator"] == A)
    assert release["commit"] == a_merge
    assert release["released"] == [ours]
    # Its import confirmed, A is told of what the release applied: the shared ID.
    with smtp_server(done := Mailbox()) as port:
        confirm = accessreg(gr, "confirm", batch["id"], "--system", "taxis", "--send",
                            "--today", TODAY, env=smtp_env(port))  # fmt: skip
    assert confirm.returncode == 0, confirm.stderr
    (completed,) = [m for m in done.received if m["To"].addresses[0].addr_spec == WINDOW[A]]
    assert SHARED in completed.get_content() and "user1@" not in completed.get_content()


def held_listed(gr: GitRegistry, operator: str | None = None, day: str = TODAY) -> list[list[str]]:
    """The files ``status`` lists as held back (of ``operator``), each as operator, since,
    file, after the column saying what the file waits for."""
    options = ("--operator", operator) if operator else ()
    listed = accessreg(gr, "status", *options, "--today", day)
    assert listed.returncode == 0, listed.stderr
    sections = listed.stdout.strip("\n").split("\n\n")
    found = [s for s in sections if s.startswith("held back\t")]
    if not found:
        return []
    (table,) = found
    header, *rows = (line.split("\t") for line in table.splitlines())
    assert header == ["held back", "operator code", "held back since", "file"]
    assert all(r[0] == "not applied: an error at HEAD" for r in rows)
    assert sections[-1].startswith("A file held back is applied by the next run after a pull")
    return [r[1:] for r in rows]


def test_a_clash_with_an_id_downstream_holds_holds_the_newcomer_alone(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """D's forced merge takes A's existing ID: only D's file is held, and A's own changes of
    that user (a code, a suspension for a lost certificate) still go out while it stands."""
    holder = "user1@test-gas.example.co.jp"
    theirs = user_file(D, holder)
    merged_on(gr, "d-takes-user1", LATE, lambda: gr.reg.user(D, "User1@test-gas.example.co.jp"))
    first = accessreg(gr, "apply", "--out", str(tmp_path / "a"), "--confirm", "--today", TODAY)
    assert first.returncode == 0, first.stderr
    assert "held back: 1 file of 1 operator" in first.stdout
    assert set(state(gr)["held"]) == {theirs}
    merged_on(gr, "a-changes-user1", LATE, lambda: gr.reg.user(permissions={"taxis": "1012"}))
    second = accessreg(gr, "apply", "--out", str(tmp_path / "b"), "--confirm", "--today", TODAY)
    assert second.returncode == 0, second.stderr
    assert "held back: 1 file of 1 operator" in second.stdout
    assert set(state(gr)["held"]) == {theirs}
    assert logins(tmp_path / "b") == {("変更", holder)}
    # The clash is still told, on the newcomer's line.
    assert f"{logged(theirs)}:2:1: [error]" in second.stdout
    assert f"{logged(user_file(A, holder))}:2:1: [error]" not in second.stdout


A_IP = {"cidr": "41.203.64.20/32", "reason": "シンガポール拠点", "expires_on": "2027-12-31"}


def daily_whitelist(gr: GitRegistry, out: Path) -> str:
    result = accessreg(gr, "daily", "--out", str(out), "--today", TODAY)
    assert result.returncode == 0, result.stdout + result.stderr
    return (out / "whitelist/taxis/allowlist.txt").read_text(encoding="utf-8")


def test_an_error_in_an_operator_file_holds_that_operator_but_never_its_removals(
    gr: GitRegistry, tmp_path: Path
) -> None:
    def a_errs() -> None:
        # A second primary, and an overseas address in the same change.
        gr.reg.operator(A, contacts=[contact(), contact(n=9)], ip_allowlist=[A_IP])
        gr.reg.user(A, A_NEW)
        gr.remove(USER)

    bad_base = gr.rev()
    merged_on(gr, "a-errs", LATE, a_errs)
    held_files = [f"operators/{A}.yaml", user_file(A, A_NEW)]
    merged_on(gr, "b-adds-a-user", LATE, lambda: gr.reg.user(B, B_NEW))
    first = Mailbox()
    held = sent(gr, tmp_path / "held", first)
    assert logins(tmp_path / "held") == {("抹消", "user1@test-gas.example.co.jp"), ("新規", B_NEW)}
    assert f"{A}: 2 files" in held.stdout  # its operator file and its new user's
    assert "(contact-primary)" in held.stdout
    # The removal reached downstream, so its 受付 went out; the held addition's did not.
    assert accepted_mails(first, "user1@test-gas.example.co.jp") == [WINDOW[A]]
    assert accepted_mails(first, A_NEW) == []
    (batch,) = [b for b in state(gr)["batches"].values() if b["head"] == gr.rev()]
    assert batch["pins"] == {rel: bad_base for rel in held_files}
    # Confirmed imports tell A only what was applied: the removal, not the held addition.
    with smtp_server(done := Mailbox()) as port:
        confirm = accessreg(gr, "confirm", batch["id"], "--system", "taxis", "--send",
                            "--today", TODAY, env=smtp_env(port))  # fmt: skip
    assert confirm.returncode == 0, confirm.stderr
    completed = [
        m.get_content() for m in done.received if m["To"].addresses[0].addr_spec == WINDOW[A]
    ]
    assert len(completed) == 1
    assert "user1@test-gas.example.co.jp" in completed[0] and A_NEW not in completed[0]

    # The daily whitelists are downstream's too: the held address is not let through.
    assert A_IP["cidr"] not in daily_whitelist(gr, tmp_path / "daily-held")

    fix = merged_on(gr, "a-fixes", LATE, lambda: gr.reg.operator(A, ip_allowlist=[A_IP]))
    fixed = sent(gr, tmp_path / "fixed", Mailbox())
    assert logins(tmp_path / "fixed") == {("新規", A_NEW)}
    assert "released: 2 files" in fixed.stdout
    assert state(gr)["held"] == {} and state(gr)["applied"] == fix
    assert held_listed(gr) == []
    assert A_IP["cidr"] in daily_whitelist(gr, tmp_path / "daily-fixed")


def test_a_file_that_does_not_load_is_held_and_stops_neither_apply_nor_the_daily_run(
    gr: GitRegistry, tmp_path: Path
) -> None:
    broken = user_file(D, "broken@leaver-d.example.jp")
    merged_on(gr, "d-breaks", LATE, lambda: gr.reg.write(broken, "email: [\n"))
    merged_on(gr, "b-adds-a-user", LATE, lambda: gr.reg.user(B, B_NEW))
    held = sent(gr, tmp_path / "held", Mailbox())
    assert logins(tmp_path / "held") == {("新規", B_NEW)}
    assert f"{logged(broken)}:" in held.stdout and "(yaml-syntax)" in held.stdout
    assert list(state(gr)["held"]) == [broken]
    daily_whitelist(gr, tmp_path / "daily")  # runs on downstream's view, without the file


def test_the_plan_of_a_fix_lists_what_its_merge_releases(gr: GitRegistry, tmp_path: Path) -> None:
    """A pull request that fixes a held operator file releases its held new user too. Its
    plan shows the release as apply then makes it: from what downstream holds (not from the
    broken file at the merge base: no window person removed), dated as the merge."""

    def a_errs() -> None:
        gr.reg.operator(A, contacts=[contact(), contact(n=9)], ip_allowlist=[A_IP])
        gr.reg.user(A, A_NEW)

    merged_on(gr, "a-errs", LATE, a_errs)
    held = accessreg(gr, "apply", "--out", str(tmp_path / "held"), "--confirm", "--today", TODAY)
    assert held.returncode == 0, held.stderr
    gr.branch("a-fixes", "main")
    gr.reg.operator(A, ip_allowlist=[A_IP])
    gr.reg.user(B, B_NEW)  # and a change of its own
    gr.repo.git.add("-A")
    gr.repo.git.commit("-q", "-m", "a-fixes: change", env=on(LATE))
    gr.checkout("main")
    args = ("plan", "--base", "main", "--head", "a-fixes", "--today", TODAY,
            "--merged-on", TODAY, "--accepted-on", TODAY)  # fmt: skip
    planned = accessreg(gr, *args, "--format", "json")
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout)
    # The fix's own change: B's new user; A's are all in the files it releases.
    assert [(op["code"], [i["key"] for i in op["items"]]) for op in plan["operators"]] == [
        (B, [B_NEW])
    ]
    (released,) = plan["released"]
    items = {(i["application"], i["action"], i["key"]): i for i in released["items"]}
    assert set(items) == {("overseas_ip", "add", A_IP["cidr"]), ("permission_set", "add", A_NEW)}
    starts = {
        e["system"]: e["effective"]["on"] for e in items["permission_set", "add", A_NEW]["effects"]
    }
    text = accessreg(gr, *args)
    assert "Applied with this merge: Files held back on main" in text.stdout
    assert f"operator {A}" in text.stdout and "window9" not in text.stdout
    markdown = accessreg(gr, *args, "--format", "markdown")
    assert "\n## Applied with this merge\n" in markdown.stdout and A_NEW in markdown.stdout

    # Merged and applied: the outputs say what the plan said, on the same days.
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "a-fixes", env=on(LATE))
    fixed = accessreg(gr, "apply", "--out", str(tmp_path / "fixed"), "--confirm", "--today", TODAY)
    assert fixed.returncode == 0, fixed.stderr
    assert "released: 3 files" in fixed.stdout, fixed.stdout  # A's file and its users'
    rows = {r["メールアドレス（ID）"]: r for r in deltas(tmp_path / "fixed", "taxis")}
    assert set(rows) == {A_NEW, B_NEW} and rows[A_NEW]["適用日"] == starts["taxis"]
    assert A_IP["cidr"] in (tmp_path / "fixed/whitelist/taxis/allowlist.txt").read_text("utf-8")


def test_a_batch_of_an_address_alone_says_it_has_no_import_file(
    gr: GitRegistry, tmp_path: Path
) -> None:
    merged_on(gr, "a-adds-an-address", LATE, lambda: gr.reg.operator(A, ip_allowlist=[A_IP]))
    result = accessreg(gr, "apply", "--out", str(tmp_path / "out"), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert "(systems: none (no import file for any system))" in result.stdout, result.stdout
    assert not (tmp_path / "out/imports").exists() or not any(
        (tmp_path / "out/imports").rglob("delta-*")
    )


def test_an_entry_that_is_no_file_is_held_as_a_file_that_does_not_load(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A user's file made a symbolic link, and a submodule entry (a gitlink) named as a new
    user's file, reached main: each is held back as a file that does not load would be,
    downstream keeping what it has (the user is not deleted), and apply goes on for the
    others."""
    stays, added = user_file(D, D_STAYS), user_file(D, "added@leaver-d.example.jp")

    def d_links() -> None:
        (gr.reg.root / stays).unlink()
        (gr.reg.root / stays).symlink_to(f"{D_LEAVER}.yaml")
        gr.repo.git.add("-A")
        gr.repo.git.update_index("--add", "--cacheinfo", f"160000,{gr.rev()},registry/{added}")
        (gr.reg.root / added).mkdir()  # as a checkout leaves it

    merged_on(gr, "d-links", LATE, d_links)
    merged_on(gr, "b-adds-a-user", LATE, lambda: gr.reg.user(B, B_NEW))
    # Tried first reading the whole registry (as a first run does), then applied.
    full = accessreg(gr, "apply", "--out", str(tmp_path / "full"), "--full", "--today", TODAY)
    assert full.returncode == 0, full.stderr
    assert "held back: 2 files" in full.stdout, full.stdout
    assert logins(tmp_path / "full") == {("新規", B_NEW)}
    held = sent(gr, tmp_path / "held", Mailbox())
    assert logins(tmp_path / "held") == {("新規", B_NEW)}
    assert "held back: 2 files" in held.stdout
    for rel in (stays, added):
        assert f"{logged(rel)}:1:1: [error] This is " in held.stdout, held.stdout
    assert held.stdout.count("(file-type)") == 2
    assert sorted(state(gr)["held"]) == [added, stays]
    daily_whitelist(gr, tmp_path / "daily")  # runs on downstream's view, without the entries

    def d_fixes() -> None:
        gr.repo.git.rm("-q", "--cached", f"registry/{added}")
        (gr.reg.root / added).rmdir()
        (gr.reg.root / stays).unlink()
        gr.reg.user(D, D_STAYS)  # the file it was
        gr.reg.user(D, "added@leaver-d.example.jp")

    merged_on(gr, "d-fixes", LATE, d_fixes)
    fixed = sent(gr, tmp_path / "fixed", Mailbox())
    assert "released: 2 files" in fixed.stdout
    assert logins(tmp_path / "fixed") == {("新規", "added@leaver-d.example.jp")}
    assert state(gr)["held"] == {}


@pytest.mark.parametrize(
    ("change", "held_files"),
    [
        # Its permissions set aside as none: applied, they would delete the user downstream.
        (lambda gr: gr.reg.user(A, permissions=None, name_kana=None), [USER]),
        # Its roles and window persons set aside as none: its users are held with it.
        (lambda gr: gr.reg.operator(A, roles=None, contacts=[]), [f"operators/{A}.yaml", USER]),
    ],
    ids=["user", "operator"],
)
def test_a_file_judged_without_its_missing_fields_is_held_and_nothing_of_it_applied(
    gr: GitRegistry,
    tmp_path: Path,
    change: Callable[[GitRegistry], object],
    held_files: list[str],
) -> None:
    merged_on(gr, "a-drops-fields", LATE, lambda: change(gr))
    merged_on(gr, "b-adds-a-user", LATE, lambda: gr.reg.user(B, B_NEW))
    held = sent(gr, tmp_path / "held", Mailbox())
    assert logins(tmp_path / "held") == {("新規", B_NEW)}
    assert "(schema)" in held.stdout
    assert sorted(state(gr)["held"]) == sorted(held_files)


def test_a_file_where_no_file_belongs_is_told_apart_from_the_operators_held_back(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A file no operator's (where no file belongs) is never applied, so it holds nothing
    back: the log and the reviewers' 【保留】 mail list it apart, counted as no operator's."""
    broken = user_file(D, "broken@leaver-d.example.jp")

    def errs() -> None:
        gr.reg.write(broken, "email: [\n")
        gr.reg.write("users/notes.yaml", "memo: a stray file\n")

    merged_on(gr, "d-breaks-and-strays", LATE, errs)
    mailbox = Mailbox()
    held = sent(gr, tmp_path / "held", mailbox)
    assert "held back: 1 file of 1 operator" in held.stdout
    assert "files where no file belongs (never applied):" in held.stdout
    assert "(no operator)" not in held.stdout
    (mail, *_) = [m for m in mailbox.received if str(m["Subject"]).startswith("【保留】")]
    assert str(mail["Subject"]).endswith("（1事業者）"), mail["Subject"]
    body = mail.get_content()
    assert f"■ {D}" in body and "（保留中のファイル 1 件）" in body
    assert "■ ファイルを置けない場所のファイル（反映の対象外です。" in body
    assert "users/notes.yaml" in body and "（保留中のファイル 0 件）" not in body
