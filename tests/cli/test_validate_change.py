"""A pull request is judged on what it changed (real git histories): time passing over other
operators' files never fails it, and a clash is annotated on the file it added."""

from __future__ import annotations

import json

import pytest

from tests.helpers.annotations import title
from tests.helpers.edithelp import edit, snapshot
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.lapsed import A_NEW, D_LEAVER, TODAY, A, B, C, D, user_file
from tests.helpers.regfactory import RegistryFactory, certificate, contact, run_cli, shown

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


@pytest.fixture
def gr(lapsed_gr: GitRegistry) -> GitRegistry:
    return lapsed_gr


def validate(gr: GitRegistry, *args: str) -> tuple[int, str, str]:
    result = run_cli("validate", "--today", TODAY, *args, cwd=gr.path)
    return result.returncode, result.stdout, result.stderr


def test_a_pull_request_of_a_passes_although_b_and_c_lapsed(gr: GitRegistry) -> None:
    gr.branch("a-adds-a-user")
    gr.reg.user(A, A_NEW)
    gr.commit("A applies for a user")
    code, out, err = validate(gr, "--strict", "--changed-since", "main", "--head", "HEAD")
    assert (code, out) == (0, ""), err
    assert f"set aside ({B}, {C})" in err
    # In Japanese, the count set apart from the words before it as every count is.
    ja = run_cli("--lang", "ja", "validate", "--today", TODAY, "--strict", "--changed-since",
                 "main", "--head", "HEAD", cwd=gr.path)  # fmt: skip
    assert "時間の規則による 3 件の指摘は脇に置きました" in ja.stderr, ja.stderr
    code, out, err = validate(gr, "--strict", "--base", "main")
    assert (code, out) == (0, ""), err
    # Judged as no change at all, the registry still shows what lapsed.
    code, out, _ = validate(gr, "--strict")
    assert code == 1
    assert f"operators/{B}.yaml" in out and f"operators/{C}.yaml" in out


def test_a_pull_request_of_c_sees_c_s_warning_and_not_b_s(gr: GitRegistry) -> None:
    gr.branch("c-changes-a-user")
    gr.reg.user(C, "user@lapsed-c.example.jp", permissions={"johs": "J1010"}, memo="異動")
    gr.commit("C changes its user")
    code, out, _ = validate(gr, "--changed-since", "main", "--head", "HEAD", "--format", "github")
    assert code == 0  # a warning: 003 §2.7.2 ④ lets OCCTO decide
    assert out.startswith(f"::warning file={shown(f'operators/{C}.yaml')},")
    assert "(membership-provisional)" in out and B not in out
    assert validate(gr, "--strict", "--changed-since", "main", "--head", "HEAD")[0] == 1


def test_the_second_switching_admin_is_annotated_on_the_new_file(gr: GitRegistry) -> None:
    gr.reg.operator(
        "DENKI001",
        roles=["electricity_retailer"],
        occto_member=True,
        membership={"status": "member", "member_since": "2020-04-01"},
        systems=["switching"],
        contacts=[contact(n=5, email="window5@denki-test.example.co.jp")],
        subcontractors=None,
        certificates=[certificate(1, cn="DENKI001-PC01")],
    )
    gr.reg.user("DENKI001", "zenjiro@denki-test.example.co.jp", affiliation="DENKI001",
                permissions={"switching": "retailer_admin"})  # fmt: skip
    gr.commit("the operator and its admin")
    gr.branch("second-admin")
    new = user_file("DENKI001", "aiko@denki-test.example.co.jp")
    gr.reg.user("DENKI001", "aiko@denki-test.example.co.jp", affiliation="DENKI001",
                permissions={"switching": "retailer_admin"})  # fmt: skip
    gr.commit("a second admin")
    line = gr.reg.line_of(new, "switching:")
    for how in (["--changed-since", "main", "--head", "HEAD"], ["--base", "main"]):
        code, out, _ = validate(gr, "--format", "github", *how)
        assert code == 1
        assert out == (
            f"::error file={shown(new)},line={line},col=3,title={title('permission-limit')}::"
            "switching retailer_admin is held by more than 1 users of DENKI001 (permission-limit)\n"
        )


def test_an_edit_of_a_is_not_blocked_by_another_operators_abolished_code(
    reg: RegistryFactory,
) -> None:
    reg.operator("OLDCODE1", contacts=[contact(n=2, email="w@old-code.example.jp")])
    reg.user("OLDCODE1", "old@old-code.example.jp", affiliation="OLDCODE1",
             permissions={"taxis": "1110"})  # fmt: skip
    before = snapshot(reg.root)
    result = edit(reg, "user", "add", "--operator", A, "--email", A_NEW, "--name", "新井 一郎",
                  "--name-kana", "アライ イチロウ", "--taxis", "1011")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(snapshot(reg.root)) - set(before) == {user_file(A, A_NEW)}
    # An edit of the operator that holds it is refused while it stands.
    result = edit(reg, "user", "add", "--operator", "OLDCODE1", "--email",
                  "x@old-code.example.jp", "--name", "新井 二郎", "--name-kana", "アライ ジロウ",
                  "--taxis", "1011")  # fmt: skip
    assert result.returncode == 1
    assert "(permission-abolished)" in result.stdout


def test_base_is_one_revision_and_must_exist(gr: GitRegistry) -> None:
    code, _, err = validate(gr, "--base", "main", "--changed-since", "main")
    assert code == 2 and "give one" in err
    code, _, err = validate(gr, "--base", "no-such-branch")
    assert code == 2 and "no-such-branch" in err and "Traceback" not in err


def test_two_pull_requests_that_each_pass_fail_together_as_a_merge_group(
    gr: GitRegistry,
) -> None:
    ours, theirs = user_file(A, "shared@example.jp"), user_file(D, "shared@example.jp")
    gr.branch("a-adds", "main")
    gr.reg.user(A, "shared@example.jp")
    gr.commit("A applies for shared@")
    gr.branch("d-adds", "main")
    gr.reg.user(D, "Shared@example.jp")
    gr.commit("D applies for Shared@")
    for branch in ("a-adds", "d-adds"):
        gr.checkout(branch)
        assert validate(gr, "--changed-since", "main", "--head", "HEAD")[0] == 0
    # What the merge queue checks: main as it will be once both are merged.
    gr.branch("gh-readonly-queue/main/pr-2", "a-adds")
    gr.merge("d-adds")
    code, out, _ = validate(gr, "--changed-since", "main", "--head", "HEAD", "--format", "json")
    assert code == 1
    errors = {(p["file"], p["rule"]) for p in json.loads(out) if p["level"] == "error"}
    assert errors == {(shown(ours), "login-id-unique"), (shown(theirs), "login-id-unique")}


CLASH = "aya.shimizu@clash.example.jp"


def _clash_on_main(gr: GitRegistry) -> None:
    """One login ID at B and at C, as a forced merge leaves it on main."""
    gr.reg.user(B, CLASH)
    gr.reg.user(C, CLASH, permissions={"johs": "J1010"})
    gr.commit("forced merge: B and C hold one login ID")


def _both_ways(gr: GitRegistry, *args: str) -> list[tuple[int, str, str]]:
    return [
        validate(gr, *args, "--changed-since", "main", "--head", "HEAD"),
        validate(gr, *args, "--base", "main"),
    ]


def test_errors_already_on_main_fail_only_the_pull_requests_that_touch_them(
    gr: GitRegistry,
) -> None:
    _clash_on_main(gr)
    gr.branch("d-removes-a-user")
    gr.remove(user_file(D, D_LEAVER))
    gr.commit("D removes its leaver")
    for code, out, err in _both_ways(gr, "--format", "github"):
        assert (code, out) == (0, ""), err
    _, _, err = validate(gr, "--base", "main")
    assert (
        f"2 errors already in the files of operators this change does not touch are set "
        f"aside ({B}, {C}): they do not hold this change; fix them on the base branch" in err
    )
    # Judged as no change at all, the clash stands.
    code, out, _ = validate(gr)
    assert code == 1 and out.count("(login-id-unique)") == 2
    # A pull request of C (not of the clashing file), or of a file every operator depends
    # on, answers for them.
    gr.branch("c-changes-a-user")
    gr.reg.user(C, "user@lapsed-c.example.jp", permissions={"johs": "J1010"}, memo="異動")
    gr.commit("C changes another user")
    gr.branch("calendar")
    gr.reg.edit("calendar.yaml", "closed: []", "closed: []  # checked")
    gr.commit("a comment in the calendar")
    for branch in ("c-changes-a-user", "calendar"):
        gr.checkout(branch)
        for code, out, err in _both_ways(gr):
            assert code == 1, err
            assert out.count("(login-id-unique)") == 2  # both holders
            assert "already in the files" not in err
    # A pull request of C that only deletes another of its users answers for nothing in C:
    # nothing delays a deletion.
    gr.branch("c-removes-a-user")
    gr.remove(user_file(C, "user@lapsed-c.example.jp"))
    gr.commit("C removes a user")
    for code, out, err in _both_ways(gr, "--format", "github"):
        assert (code, out) == (0, ""), err


def test_the_incremental_note_says_whether_the_cache_served_not_where_it_lies(
    gr: GitRegistry,
) -> None:
    """The note ends the check a reviewer reads in the job log: the cache's file path is the
    workflow's business (``ACCESSREG_CACHE_DIR``), not the reader's."""
    gr.branch("a-adds-a-user")
    gr.reg.user(A, A_NEW)
    gr.commit("A applies for a user")
    result = run_cli("validate", "--today", TODAY, "--changed-since", "main", "--head", "HEAD",
                     cwd=gr.path, env={"ACCESSREG_LANG": "ja"})  # fmt: skip
    assert "（キャッシュ使用）" in result.stderr, result.stderr
    assert "accessreg-cache" not in result.stderr and ".sqlite3" not in result.stderr
