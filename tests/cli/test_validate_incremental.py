"""``validate --changed-since``: the problems of a full run, re-reading only what changed."""

from __future__ import annotations

import json
import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from accessreg.files import cachedload, parsecache
from accessreg.files.cachedload import Shared
from accessreg.files.loading import load
from accessreg.files.sources import DirectorySource
from accessreg.gitio.repo import GitRepository
from accessreg.model.messages import Message, msg
from accessreg.model.problems import Level, Problem, problem
from accessreg.model.registry import Registry
from accessreg.rules import CHECKS, Context
from accessreg.rules.base import Rule, Scope, rule
from accessreg.validation import Stats, incremental, validate_incremental
from accessreg.validation.judge import Change, worktree_change
from accessreg.validation.validate import validate
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import TODAY, RegistryFactory, certificate, contact, run_cli
from tests.helpers.registries import parses_counted

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


@pytest.fixture(autouse=True, params=["together", "one by one"])
def _groups_at_once(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every case both with the groups a run checks loaded together and one operator at a
    time (as a cold cache of a large registry checks them, a slice at a time)."""
    if request.param == "one by one":
        monkeypatch.setattr(incremental, "_GROUP_CHUNK", 1)


class Repo(GitRegistry):
    """Checked as the work tree, or (``head``) as committed: then every change made in the
    work tree is committed first, as CI sees a pull request."""

    mode = "worktree"


@pytest.fixture(params=["worktree", "head"])
def gr(
    request: pytest.FixtureRequest,
    reg: RegistryFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Repo]:
    monkeypatch.setenv(parsecache.ENV_DIR, str(tmp_path / "cache"))
    for n in range(2, 5):
        reg.operator(f"OP{n:06d}", contacts=[contact(n=n)], subcontractors=[])
        for u in range(3):
            reg.user(f"OP{n:06d}", f"u{u}@op{n}.example.jp")
    made = Repo(reg)
    made.mode = request.param
    yield made
    made.close()


def check(gr: Repo, rev: str = "HEAD", today: date = TODAY) -> tuple[list[Problem], Stats]:
    """Run both ways, judged as the change since ``rev`` with every error counting wherever
    it is (as ``apply`` counts them: what is found is the point here, not what a pull
    request answers for); they must agree. The incremental problems and its statistics."""
    base = gr.rev(rev)
    head = None
    if gr.mode == "head" and gr.repo.git.status("--porcelain"):
        head = gr.commit("as a pull request")
    elif gr.mode == "head":
        head = gr.rev()
    with GitRepository(gr.path) as repo:
        changed = repo.changed_blobs(base, head, "registry") if head else None
        files = (
            frozenset(changed)
            if changed is not None
            else worktree_change(repo, base, "registry").files
        )
        change = Change(files, counts_others=True)
        full = validate(DirectorySource(gr.reg.root, "registry"), today, change=change)
        result, stats = validate_incremental(repo, base, gr.reg.root, "registry", today,
                                             head=head, change=change)  # fmt: skip
    assert [p.as_dict(Message.english) for p in result.problems] == [
        p.as_dict(Message.english) for p in full.problems
    ]
    assert result.files == full.files
    assert sorted(result.set_aside) == sorted(full.set_aside)
    return result.problems, stats


def rules_of(problems: list[Problem]) -> set[tuple[str, str]]:
    return {(p.file, p.rule) for p in problems}


def test_a_warm_cache_rereads_nothing_unchanged(gr: Repo) -> None:
    problems, cold = check(gr)
    assert problems == []
    assert (cold.parsed, cold.groups_checked, cold.groups) == (cold.files - 1, 4, 4)
    _, warm = check(gr)
    assert (warm.parsed, warm.groups_checked, warm.changed) == (0, 0, 0)
    gr.reg.user("OP000003", "u1@op3.example.jp", permissions={"taxis": "1010"})
    _, one = check(gr)
    assert (one.changed, one.parsed, one.groups_checked) == (1, 1, 1)


def test_a_file_out_of_place_is_reported_when_every_group_is_cached(gr: Repo) -> None:
    """No operator to check again (a warm cache): the shared and stray files are still
    read, and their problems reported."""
    gr.write("registry/notes.yaml", "memo: a file no layout rule places\n")
    cold, _ = check(gr)
    assert any(p.file == "registry/notes.yaml" for p in cold)
    warm, stats = check(gr)
    assert stats.groups_checked == 0
    assert any(p.file == "registry/notes.yaml" for p in warm)


def test_changes_since_an_older_revision(gr: Repo) -> None:
    base = gr.rev()
    check(gr)
    gr.branch("pr")
    gr.reg.user("OP000002", "new@op2.example.jp")
    gr.remove("users/OP000003/u0@op3.example.jp.yaml")
    gr.commit("pull request")
    gr.reg.user("OP000004", "untracked@op4.example.jp")
    _, stats = check(gr, rev=base)
    assert stats.changed == 3
    assert stats.groups_checked == 3


def test_problems_in_changed_and_unchanged_files_are_all_reported(gr: Repo) -> None:
    gr.reg.write("users/OP000002/broken@op2.example.jp.yaml", "email: [\n")
    gr.reg.user("OP000002", "bad@op2.example.jp", permissions={"taxis": 1011})
    gr.reg.write("stray.txt", "nothing belongs here\n")
    gr.reg.user("ORPHAN01", "orphan@orphan.example.jp")
    gr.commit("problems at the base")
    check(gr)
    gr.reg.user("OP000003", "u0@op3.example.jp", affiliation="NOSUCH01")
    problems, stats = check(gr)
    assert {r for _, r in rules_of(problems)} >= {
        "yaml-syntax",
        "schema",
        "file-location",
        "user-operator-unknown",
        "affiliation",
    }
    assert stats.groups_checked == 1


def test_a_login_clash_across_operators_both_ways(gr: Repo) -> None:
    check(gr)
    gr.reg.user("OP000004", "U0@op2.example.jp")  # the same ID as OP000002's u0, in another case
    problems, stats = check(gr)
    # Blamed on the file the change added, not on the holder it never touched.
    assert rules_of(problems) == {
        ("registry/users/OP000004/u0@op2.example.jp.yaml", "login-id-unique"),
    }
    assert stats.groups_checked == 1  # OP000002's own findings are not recomputed
    gr.remove("users/OP000004/u0@op2.example.jp.yaml")
    assert check(gr)[0] == []
    gr.reg.operator("OP000004", contacts=[contact(n=4, email="u1@op3.example.jp")])
    assert rules_of(check(gr)[0]) == {("registry/operators/OP000004.yaml", "login-id-unique")}
    gr.commit("the clash merged")
    # Judged as a change that touches neither holder: both are reported.
    assert rules_of(check(gr)[0]) == {
        ("registry/operators/OP000004.yaml", "login-id-unique"),
        ("registry/users/OP000003/u1@op3.example.jp.yaml", "login-id-unique"),
    }


def test_a_limit_counts_the_unchanged_users_of_the_operator(gr: Repo) -> None:
    for u in range(5):
        gr.reg.user("OP000002", f"u{u}@op2.example.jp", permissions={"juju": "granted"})
    gr.reg.operator("OP000002", contacts=[contact(n=2)], subcontractors=[])
    gr.commit("five JUJU users")
    check(gr)
    gr.reg.user("OP000002", "sixth@op2.example.jp", permissions={"juju": "granted"})
    problems, _ = check(gr)
    assert rules_of(problems) == {
        ("registry/users/OP000002/sixth@op2.example.jp.yaml", "permission-limit")
    }
    gr.commit("six JUJU users")
    # Nothing changed takes part: the holder past the limit in file order.
    assert rules_of(check(gr)[0]) == {
        ("registry/users/OP000002/u4@op2.example.jp.yaml", "permission-limit")
    }


def _claim_op3_as_terminated(gr: Repo) -> None:
    """operators/OP000002.yaml says it is OP000003 and terminated: the termination rule
    follows the code in the file to OP000003's users."""
    gr.reg.write(
        "operators/OP000002.yaml",
        (gr.reg.root / "operators/OP000002.yaml")
        .read_text(encoding="utf-8")
        .replace("code: OP000002", "code: OP000003")
        .replace("status: active", "status: terminated\nterminated_on: '2026-11-01'"),
    )


def test_an_operator_file_claiming_another_code_links_the_groups(gr: Repo) -> None:
    _claim_op3_as_terminated(gr)
    gr.commit("a confused operator file")
    first, _ = check(gr)
    assert ("registry/users/OP000003/u0@op3.example.jp.yaml", "operator-terminated-users") in (
        rules_of(first)
    )
    gr.reg.operator("OP000002", contacts=[contact(n=2)], subcontractors=[])  # fixed
    fixed, stats = check(gr)
    assert not any(p.rule == "operator-terminated-users" for p in fixed)
    assert stats.groups_checked == 2  # OP000002 changed; OP000003 is linked to its file


def test_the_date_and_the_catalog_invalidate_cached_findings(gr: Repo) -> None:
    gr.reg.user("OP000002", "old@op2.example.jp", permissions={"taxis": "1110"})
    gr.commit("a code abolished on 2022-01-24")
    # Judged as the change that added the holder: a time rule counts on the operator it touched.
    before, _ = check(gr, "HEAD~1", today=date(2022, 1, 20))
    assert not any(p.rule == "permission-abolished" for p in before)
    after, stats = check(gr, "HEAD~1", today=date(2022, 1, 24))
    assert any(p.rule == "permission-abolished" for p in after)
    assert stats.groups_checked == 4 and stats.parsed == 0  # findings per day, files kept
    catalog = gr.reg.root / "systems.yaml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace("abolished_on: 2022-01-24", ""),
        encoding="utf-8",
    )
    gone, changed = check(gr, "HEAD~1", today=date(2022, 1, 24))
    assert not any(p.rule == "permission-abolished" for p in gone)
    assert changed.parsed == changed.files - 1  # another catalog, another cache namespace


def test_a_day_that_moves_no_time_rule_of_an_operator_reuses_its_findings(gr: Repo) -> None:
    """An operator's findings follow the day only through its time rules (an abolition
    taking effect): the next day's first run checks no operator again, and finds the same."""
    gr.reg.user("OP000002", "old@op2.example.jp", permissions={"taxis": "1110"})
    gr.commit("a code abolished on 2022-01-24")
    first, _ = check(gr, "HEAD~1", today=date(2022, 1, 24))
    later, stats = check(gr, "HEAD~1", today=date(2022, 2, 3))
    assert stats.groups_checked == 0
    assert [(p.file, p.rule) for p in later] == [(p.file, p.rule) for p in first]
    assert any(p.rule == "permission-abolished" for p in later)


def _kept(directory: Path) -> dict[str, object]:
    """Every finding a cache directory keeps, by key, in an order-free form."""
    found: dict[str, object] = {}
    for db in directory.glob("cache-*.sqlite3"):
        with closing(sqlite3.connect(db)) as connection:
            for key, value in connection.execute("SELECT key, value FROM groups"):
                kept = pickle.loads(value)
                if isinstance(kept, incremental.GroupResult):
                    found[key] = (sorted(kept.problems), kept.files, kept.logins)
                else:
                    found[key] = sorted(kept)
    return found


def _problems_of_every_scope(gr: Repo) -> str:
    """A commit with a problem of every scope a finding is kept under: the commit."""
    gr.reg.write("users/OP000002/broken@op2.example.jp.yaml", "email: [\n")
    gr.reg.user("OP000002", "bad@op2.example.jp", permissions={"taxis": 1011})
    gr.reg.write("stray.txt", "nothing belongs here\n")
    gr.reg.user("ORPHAN01", "orphan@orphan.example.jp")
    gr.reg.user("OP000003", "u0@op3.example.jp", affiliation="NOSUCH01")
    draft = (gr.reg.root / "users/OP000003/u1@op3.example.jp.yaml").read_text(encoding="utf-8")
    gr.reg.write("users/OP000003/.drafts/u1@op3.example.jp.yaml", draft)  # no registry file
    gr.reg.user("OP000004", "U0@op2.example.jp")  # OP000002's u0 in another case
    gr.reg.operator(
        "OP000004", contacts=[contact(n=4)], subcontractors=[{"code": "OP000004", "name": "自社"}]
    )
    _claim_op3_as_terminated(gr)
    return gr.commit("problems of every scope")


def test_a_full_run_keeps_what_a_cold_incremental_run_keeps(
    gr: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first apply checks the whole registry at once. What it keeps of that
    (``keep_full_run``) is what a cold incremental run of the same commit keeps, key for
    key, problems of every scope included: the next run checks only what changed since,
    and finds what a full run finds."""
    head = _problems_of_every_scope(gr)
    with GitRepository(gr.path) as repo:
        full = validate(repo.snapshot(head, "registry"), TODAY)
        monkeypatch.setenv(parsecache.ENV_DIR, str(tmp_path / "kept"))
        incremental.keep_full_run(repo, head, "registry", TODAY, full)
        monkeypatch.setenv(parsecache.ENV_DIR, str(tmp_path / "cold"))
        validate_incremental(repo, head, gr.reg.root, "registry", TODAY, head=head)
    kept, cold = _kept(tmp_path / "kept"), _kept(tmp_path / "cold")
    assert kept == cold
    rules = {
        p.rule
        for value in kept.values()
        for p in (value[0] if isinstance(value, tuple) else value)  # type: ignore[attr-defined]
    }
    assert rules >= {
        "yaml-syntax", "schema", "user-operator-unknown", "affiliation",
        "operator-terminated-users", "subcontractor-code",
    }  # fmt: skip
    monkeypatch.setenv(parsecache.ENV_DIR, str(tmp_path / "kept"))
    problems, stats = check(gr)
    assert stats.groups_checked == 0
    # Nothing read again but the two holders of the clashing login, for that rule alone.
    assert stats.parsed == 2
    assert {"login-id-unique", "file-location"} <= {p.rule for p in problems}


def test_users_the_parse_cache_lacks_come_from_the_kept_registry(
    gr: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a first apply the parse cache holds no user file: the registry it loaded is
    kept instead (``cachedload``'s snapshot). A change to one user checks its operator's
    other users again, each taking what it gave that load (its model, its warning) from the
    kept registry rather than being parsed: the run finds what a full run finds, the
    warning on an unchanged file and the error the change brings included."""
    monkeypatch.setattr(incremental, "_KEPT_MIN", 1)
    quiet = "users/OP000002/u1@op2.example.jp.yaml"
    plain = gr.reg.root / quiet
    plain.write_text(plain.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    head = gr.commit("a user file without its modeline (a warning)")
    with GitRepository(gr.path) as repo:
        loaded = load(repo.snapshot(head, "registry"))  # as a first apply's check loads it
        kept_in = parsecache.cache_dir(repo.common_dir)
        kept_in.mkdir(parents=True)
        cachedload.keep_loaded(repo.tree_blobs(head, "registry"), kept_in, loaded)
    changed = "users/OP000002/u0@op2.example.jp.yaml"
    gr.reg.edit(changed, "1011", "9999")
    parsed = parses_counted(monkeypatch, incremental)
    problems, _ = check(gr)
    assert {(p.file, p.level) for p in problems} >= {
        ("registry/" + quiet, Level.WARNING),
        ("registry/" + changed, Level.ERROR),
    }
    # The changed file is the one user parsed: the others come from the kept registry.
    assert [rel for rel in parsed if rel.startswith("users/")] == [changed]


def test_tool_version_and_code_are_part_of_the_cache_key(
    gr: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, first = check(gr)
    monkeypatch.setattr(parsecache, "__version__", "999")
    _, second = check(gr)
    assert second.cache != first.cache
    assert second.parsed == second.files - 1
    monkeypatch.setattr(parsecache, "code_digest", lambda: "another checkout")
    _, third = check(gr)
    assert third.cache not in (first.cache, second.cache)
    assert third.parsed == third.files - 1


def test_a_broken_cache_is_not_fatal(gr: Repo) -> None:
    _, stats = check(gr)
    Path(stats.cache).write_bytes(b"this is not a database")
    for suffix in ("-wal", "-shm"):
        Path(stats.cache + suffix).unlink(missing_ok=True)
    problems, again = check(gr)
    assert problems == []
    assert any("not used" in note.english() for note in again.notes)


def test_an_unscoped_rule_runs_on_the_whole_registry(
    gr: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    @rule("too-many-users", "-")
    def too_many(reg: Registry, ctx: Context) -> Iterator[Problem]:
        """Test rule: more than ten users in the registry."""
        if len(reg.users) > 10:
            yield problem("systems.yaml", "too-many-users", msg("{n} users", n=len(reg.users)))

    assert too_many.scope is Scope.REGISTRY
    checks: tuple[Rule, ...] = (*CHECKS, too_many)
    monkeypatch.setattr(incremental, "CHECKS", checks)
    monkeypatch.setattr("accessreg.validation.validate.CHECKS", checks)
    check(gr)
    gr.reg.user("OP000002", "eleventh@op2.example.jp")
    problems, stats = check(gr)
    assert [p.message.english() for p in problems] == ["11 users"]
    assert any("too-many-users" in note.english() for note in stats.notes)


def test_default_cache_location_is_in_the_git_directory(
    gr: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(parsecache.ENV_DIR)
    _, stats = check(gr)
    assert Path(stats.cache).parent == gr.path / ".git" / "accessreg-cache"
    assert gr.repo.git.status("--porcelain") == ""


def test_cli_changed_since_reports_what_a_full_run_does(gr: Repo) -> None:
    gr.reg.user("OP000003", "u2@op3.example.jp", permissions={"taxis": 1010})
    args = ("validate", "--format", "json", "--today", "2026-11-22")
    full = run_cli(*args, cwd=gr.path)
    fast = run_cli(*args, "--changed-since", "HEAD", cwd=gr.path)
    assert fast.returncode == full.returncode == 1
    assert json.loads(fast.stdout) == json.loads(full.stdout) != []
    text = run_cli("validate", "--changed-since", "HEAD", cwd=gr.path)
    assert "1 file changed since HEAD" in text.stderr
    bad = run_cli("validate", "--changed-since", "nope", cwd=gr.path)
    assert bad.returncode == 2 and "Unknown revision" in bad.stderr
    gr.commit("as a pull request")
    gr.reg.user("OP000003", "u2@op3.example.jp", memo="not committed: --head ignores it")
    committed = run_cli(*args, "--changed-since", "HEAD~1", "--head", "HEAD", cwd=gr.path)
    assert json.loads(committed.stdout) == json.loads(full.stdout)
    alone = run_cli("validate", "--head", "HEAD", cwd=gr.path)
    assert alone.returncode == 2 and "--head needs --changed-since" in alone.stderr


def test_rules_across_operator_files_follow_every_operator_file(gr: Repo) -> None:
    check(gr)
    gr.reg.operator("OP000002", contacts=[contact(n=2)], subcontractors=[],
                    certificates=[certificate(1, cn="OP000002-PC01")])  # fmt: skip
    gr.reg.operator("OP000003", contacts=[contact(n=3)], subcontractors=[],
                    certificates=[certificate(2, serial="7A0001", cn="OP000003-PC02")])  # fmt: skip
    problems, _ = check(gr)
    assert {f for f, r in rules_of(problems) if r == "certificate-unique"} == {
        "registry/operators/OP000002.yaml",
        "registry/operators/OP000003.yaml",
    }
    gr.reg.operator("OP000003", contacts=[contact(n=3)], subcontractors=[])
    assert check(gr)[0] == []


def test_a_shared_github_account_costs_the_changed_operator_file(gr: Repo) -> None:
    """An account on two window persons, or on a window person and a reviewer, is found
    from the operator files and the maintainers' list alone: a change to one operator file
    parses that file and checks its group, never the users of the others."""
    check(gr)
    gr.reg.operator("OP000003", contacts=[contact(n=3, github="Window-2")], subcontractors=[])
    problems, stats = check(gr)
    # Reported where the change put it (the clash names the other holder).
    assert rules_of(problems) == {("registry/operators/OP000003.yaml", "github-account-unique")}
    assert (stats.parsed, stats.groups_checked) == (1, 1)
    assert not any("github-account-unique" in note.english() for note in stats.notes)
    gr.reg.operator("OP000003", contacts=[contact(n=3)], subcontractors=[])
    assert check(gr)[0] == []
    maintainers = gr.reg.root / "maintainers.yaml"
    maintainers.write_text(
        maintainers.read_text(encoding="utf-8")
        + "  - {github: window-4, name: 窓口 四郎, email: shiro@reception.example.jp}\n",
        encoding="utf-8",
    )
    assert rules_of(check(gr)[0]) == {("registry/maintainers.yaml", "github-account-unique")}


def test_a_window_person_who_is_a_user_of_their_own_operator(gr: Repo) -> None:
    gr.reg.operator("OP000002", contacts=[contact(n=2, email="u0@op2.example.jp")],
                    subcontractors=[])  # fmt: skip
    assert check(gr)[0] == []  # allowed: no clash
    gr.commit("a window person who is a user")
    gr.reg.user("OP000003", "u0@op2.example.jp")
    assert rules_of(check(gr)[0]) == {
        ("registry/users/OP000003/u0@op2.example.jp.yaml", "login-id-unique"),
    }
    gr.commit("a third holder")
    assert rules_of(check(gr)[0]) == {
        ("registry/operators/OP000002.yaml", "login-id-unique"),
        ("registry/users/OP000002/u0@op2.example.jp.yaml", "login-id-unique"),
        ("registry/users/OP000003/u0@op2.example.jp.yaml", "login-id-unique"),
    }


def test_what_a_run_parsed_is_handed_on_unless_it_checked_many_groups(gr: Repo) -> None:
    """An apply's later loads take the files and models validation made (``Shared``); a
    run checking more groups than a slice hands on no user, as holding every one at once
    is what slicing avoids."""

    def handed_on() -> tuple[set[str], set[str]]:
        shared = Shared()
        with GitRepository(gr.path) as repo:
            validate_incremental(repo, gr.rev(), gr.reg.root, "registry", TODAY, shared=shared)
        parsed = [p for space in shared.parsed.values() for p in space.values()]
        modelled = {p.rel for p, _ in shared.models.values()}
        assert {id(p) for p, _ in shared.models.values()} <= {id(p) for p in parsed}
        return {p.rel for p in parsed if p.rel.startswith("users/")}, modelled

    every = {f.relative_to(gr.reg.root).as_posix() for f in gr.reg.root.glob("users/*/*.yaml")}
    users, modelled = handed_on()  # a cold cache checks all four groups
    assert users == (every if incremental._GROUP_CHUNK >= 4 else set())
    assert users <= modelled
    gr.reg.user("OP000003", "u1@op3.example.jp", permissions={"taxis": "1010"})
    users, modelled = handed_on()  # one group to check again
    assert users == {r for r in every if "/OP000003/" in r} <= modelled


def test_a_symbolic_link_is_never_read(gr: Repo, tmp_path: Path) -> None:
    """A pull request's link to a file outside the registry (or to nothing) is reported as
    a link, whether it changed or is seen again with its group: the incremental run neither
    reads the file nor quotes it, and finds what a full run does."""
    secret = tmp_path / "outside.yaml"
    secret.write_text("email: SECRET-VALUE\n", encoding="utf-8")
    users = gr.reg.root / "users" / "OP000003"
    (users / "link@op3.example.jp.yaml").symlink_to(secret)
    (users / "dangling@op3.example.jp.yaml").symlink_to(tmp_path / "nothing.yaml")
    changed, _ = check(gr)
    gr.commit("links")
    gr.reg.user("OP000003", "u1@op3.example.jp", memo="its group read again")
    again, stats = check(gr)
    assert stats.groups_checked == 1
    for problems in (changed, again):
        assert {(p.file, p.rule) for p in problems if p.level == "error"} == {
            ("registry/users/OP000003/link@op3.example.jp.yaml", "file-type"),
            ("registry/users/OP000003/dangling@op3.example.jp.yaml", "file-type"),
        }
        assert not any("SECRET" in p.message.english() for p in problems)


def test_a_submodule_entry_where_a_user_file_belongs_is_reported(gr: Repo) -> None:
    """A gitlink (mode 160000) named as a user's file: git checks out an empty directory
    there. The commit's check names it a submodule, the work tree's (and a full run's) a
    directory; neither passes it unseen, and it is no removal the change only makes."""
    rel = "registry/users/OP000003/new.user@op3.example.jp.yaml"
    head = gr.rev()
    gr.repo.git.update_index("--add", "--cacheinfo", f"160000,{head},{rel}")
    (gr.path / rel).mkdir()  # as a checkout leaves it
    found: list[Problem]
    with GitRepository(gr.path) as repo:
        if gr.mode == "head":
            new = gr.commit("a submodule entry")
            result, _ = validate_incremental(repo, head, gr.reg.root, "registry", TODAY, head=new)
            what = "a submodule entry (gitlink)"
        else:
            change = worktree_change(repo, head, "registry")
            assert change.removed == frozenset()
            result, _ = validate_incremental(repo, head, gr.reg.root, "registry", TODAY)
            full = validate(DirectorySource(gr.reg.root, "registry"), TODAY, change=change)
            assert full.problems == result.problems
            what = "a directory"
        found = result.problems
    assert [(p.file, p.rule, p.message.english().split(",")[0]) for p in found] == [
        (rel, "file-type", f"This is {what}")
    ]


def test_an_entry_that_is_no_file_is_found_by_every_run_never_kept(
    gr: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full run's finding on a link (``keep_full_run``, a cold cache checked whole) is not
    kept with its operator's group, whose key does not follow the link: the next run
    reports it once, as a full run does, and nothing once the link is gone."""
    link = gr.reg.root / "users" / "OP000003" / "link@op3.example.jp.yaml"
    link.symlink_to("u0@op3.example.jp.yaml")
    head = gr.commit("a link")
    with GitRepository(gr.path) as repo:
        full = validate(repo.snapshot(head, "registry"), TODAY)
        monkeypatch.setenv(parsecache.ENV_DIR, str(tmp_path / "kept"))
        incremental.keep_full_run(repo, head, "registry", TODAY, full)
        monkeypatch.setenv(parsecache.ENV_DIR, str(tmp_path / "whole"))
        with monkeypatch.context() as whole:
            whole.setattr(incremental, "_WHOLE_RUN", 1)
            validate_incremental(repo, head, gr.reg.root, "registry", TODAY, head=head)
    for kept in ("kept", "whole"):
        monkeypatch.setenv(parsecache.ENV_DIR, str(tmp_path / kept))
        problems, stats = check(gr)
        assert stats.groups_checked == 0
        assert [(p.file, p.rule) for p in problems] == [
            ("registry/users/OP000003/link@op3.example.jp.yaml", "file-type")
        ]
    link.unlink()
    gr.commit("no link")
    problems, _ = check(gr)
    assert problems == []


def test_a_cold_cache_of_many_groups_checks_them_in_one_full_run(
    gr: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache missing most groups of a large registry (a new version of the tool) checks
    them in one full run: it finds what a full run finds, keeps what a cold run checking
    them a slice at a time keeps, key for key, and hands the registry on whole; a cache
    missing a few groups still checks those alone."""
    head = _problems_of_every_scope(gr)
    whole: list[int] = []
    checked_whole = incremental._checked_whole

    def counted(run: object, at: object, keys: dict[str, str]) -> list[Problem]:
        whole.append(len(keys))
        return checked_whole(run, at, keys)  # type: ignore[arg-type]

    monkeypatch.setattr(incremental, "_checked_whole", counted)
    with GitRepository(gr.path) as repo:
        monkeypatch.setenv(parsecache.ENV_DIR, str(tmp_path / "slices"))
        validate_incremental(repo, head, gr.reg.root, "registry", TODAY, head=head)
        assert whole == []  # fewer groups than a whole run is for
        monkeypatch.setattr(incremental, "_WHOLE_RUN", 1)
        monkeypatch.setenv(parsecache.ENV_DIR, str(tmp_path / "whole"))
        shared = Shared()
        validate_incremental(repo, head, gr.reg.root, "registry", TODAY, head=head, shared=shared)
        groups = whole[0]
        assert whole == [groups] and groups >= 5
        assert shared.head is not None and shared.head[0] == head
        loaded = validate(repo.snapshot(head, "registry"), TODAY).registry
        assert loaded is not None
        assert [u.file for u in shared.head[1].users] == [u.file for u in loaded.users]
    assert _kept(tmp_path / "whole") == _kept(tmp_path / "slices")

    problems, stats = check(gr)  # the cache kept by the whole run: what a full run finds
    assert whole == [groups] and stats.groups_checked == 0
    assert stats.parsed == 2  # the two holders of the clashing login, as after a full run
    assert {"login-id-unique", "file-location"} <= {p.rule for p in problems}
    gr.reg.user("OP000004", "u9@op4.example.jp", permissions={"taxis": "1010"})
    problems, stats = check(gr)
    assert whole == [groups] and stats.groups_checked == 1  # one group of many: on its own
    monkeypatch.setenv(parsecache.ENV_DIR, str(tmp_path / "cold"))
    problems, stats = check(gr)
    assert whole == [groups, groups] and stats.groups_checked == groups


def test_a_whole_run_of_a_commit_reads_its_files_in_one_batch(
    gr: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read one by one from git, a commit's 200,000 files cost ten times the check."""
    batches: list[int] = []
    read_blobs = GitRepository.read_blobs

    def counted(self: GitRepository, blobs: Iterable[str]) -> dict[str, bytes]:
        wanted = list(blobs)
        if wanted:  # a batch of nothing starts no git process
            batches.append(len(wanted))
        return read_blobs(self, wanted)

    monkeypatch.setattr(GitRepository, "read_blobs", counted)
    monkeypatch.setattr(incremental, "_WHOLE_RUN", 1)
    head = gr.rev()
    with GitRepository(gr.path) as repo:
        result, stats = validate_incremental(repo, head, gr.reg.root, "registry", TODAY, head=head)
    assert result.problems == [] and stats.groups_checked == stats.groups
    assert sum(batches) >= stats.files - 1 and len(batches) <= 3, batches
