"""In a git work tree the editing commands check the edit incrementally (the edited files
laid over the work tree, everything else from the cache of incremental validation); the
findings must be exactly those of the full check of a plain directory, above all the
cross-file ones: a login ID another operator holds, a second switching admin, a sixth JUJU
holder, a serial already registered, an error elsewhere that stands.

Each case is run twice on the same files, once committed in a git repository (with
uncommitted changes where the case says so) and once as a plain directory, and the two runs
must print the same thing, exit the same way and leave the same files.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from accessreg.edit import Draft
from tests.cli.test_from_issue import user_add
from tests.helpers.certmaker import certificate as x509_certificate
from tests.helpers.certmaker import pem
from tests.helpers.edithelp import TODAY_ARG, snapshot
from tests.helpers.regfactory import TODAY, RegistryFactory, certificate, contact, run_cli

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.jp", "-c", "commit.gpgsign=false"]


pytestmark = pytest.mark.usefixtures("english")  # they read the English words


def _commit(repo: Path) -> None:
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "registry"]):
        subprocess.run([*GIT, "-C", str(repo), *args], check=True, capture_output=True)


def both(
    reg: RegistryFactory,
    tmp_path: Path,
    *args: str,
    uncommitted: Callable[[RegistryFactory], object] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run one edit on the registry committed in git (then changed by ``uncommitted``,
    left uncommitted) and on the same files in a plain directory; they must agree."""
    _commit(reg.repo)
    if uncommitted is not None:
        uncommitted(reg)
    plain = tmp_path / "plain"
    shutil.copytree(reg.repo, plain, ignore=shutil.ignore_patterns(".git"), symlinks=True)
    # The git copy is checked incrementally, the plain one in full.
    incremental = Draft(reg.root, "registry", TODAY)
    full = Draft(plain / "registry", "registry", TODAY)
    assert incremental.tree is not None and full.tree is None
    incremental.close()
    results = [run_cli(*args, *TODAY_ARG, cwd=where) for where in (reg.repo, plain)]
    seen = [(r.returncode, r.stdout, r.stderr) for r in results]
    assert seen[0] == seen[1], f"incremental:\n{seen[0]}\nfull:\n{seen[1]}"
    assert "Traceback" not in results[0].stderr
    assert snapshot(reg.root) == snapshot(plain / "registry")
    return results[0]


def _add(operator: str, email: str, *perms: str) -> tuple[str, ...]:
    return (
        "user", "add", "--operator", operator, "--email", email,
        "--name", "木村 花子", "--name-kana", "キムラ ハナコ", *perms,
    )  # fmt: skip


def _other_operator(reg: RegistryFactory, **over: object) -> None:
    reg.operator(
        "OTHEROP1",
        contacts=[contact(n=7, email="window@other.example.jp", github="other-window")],
        subcontractors=None,
        **over,
    )


def test_a_login_id_another_operator_holds(reg: RegistryFactory, tmp_path: Path) -> None:
    _other_operator(reg)
    reg.user("OTHEROP1", "shared@other.example.jp")
    result = both(reg, tmp_path, *_add("TESTOP01", "shared@other.example.jp", "--taxis", "1011"))
    assert result.returncode == 1
    assert "(login-id-unique)" in result.stdout
    assert "registry/users/TESTOP01/shared@other.example.jp.yaml" in result.stdout


def test_a_login_id_an_uncommitted_file_of_another_operator_holds(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """What the work tree holds counts, not only what HEAD holds."""
    _other_operator(reg)
    result = both(
        reg,
        tmp_path,
        *_add("TESTOP01", "shared@other.example.jp", "--taxis", "1011"),
        uncommitted=lambda r: r.user("OTHEROP1", "shared@other.example.jp"),
    )
    assert result.returncode == 1
    assert "(login-id-unique)" in result.stdout


def test_a_login_id_removed_from_another_operator_in_the_work_tree(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    _other_operator(reg)
    reg.user("OTHEROP1", "shared@other.example.jp")
    gone = "users/OTHEROP1/shared@other.example.jp.yaml"
    result = both(
        reg,
        tmp_path,
        *_add("TESTOP01", "shared@other.example.jp", "--taxis", "1011"),
        uncommitted=lambda r: (r.root / gone).unlink(),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_window_person_another_operator_has(reg: RegistryFactory, tmp_path: Path) -> None:
    _other_operator(reg)
    result = both(
        reg, tmp_path, "contact", "add", "--operator", "TESTOP01", "--role", "deputy",
        "--contact-name", "西村 葵", "--contact-name-kana", "ニシムラ アオイ",
        "--contact-email", "Window@other.example.jp", "--contact-phone", "03-0000-0103",
        "--contact-github", "nishimura-aoi",
    )  # fmt: skip
    assert result.returncode == 1
    assert "(login-id-unique)" in result.stdout


def test_a_second_switching_admin(reg: RegistryFactory, tmp_path: Path) -> None:
    reg.switching_operator()
    result = both(
        reg, tmp_path, *_add("TESTOP01", "second@test-gas.example.co.jp", "--switching", "dr_admin")
    )
    assert result.returncode == 1
    assert "switching dr_admin is held by more than 1 users of TESTOP01" in result.stdout


def test_a_sixth_juju_holder_warns_and_writes(reg: RegistryFactory, tmp_path: Path) -> None:
    for n in range(4):
        reg.user(email=f"juju{n}@test-gas.example.co.jp", permissions={"juju": "granted"})
    result = both(
        reg,
        tmp_path,
        *_add("TESTOP01", "hanako.kimura@test-gas.example.co.jp", "--juju"),
        uncommitted=lambda r: r.user(
            email="juju4@test-gas.example.co.jp", permissions={"juju": "granted"}
        ),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[warning] juju granted is held by more than 5 users of TESTOP01" in result.stdout
    assert "added: registry/users/TESTOP01/hanako.kimura@test-gas.example.co.jp.yaml" in (
        result.stdout
    )


def test_a_user_change_over_the_limit(reg: RegistryFactory, tmp_path: Path) -> None:
    for n in range(5):
        reg.user(email=f"juju{n}@test-gas.example.co.jp", permissions={"juju": "granted"})
    result = both(
        reg, tmp_path, "user", "change", "--operator", "TESTOP01",
        "--email", "user1@test-gas.example.co.jp", "--juju", "--dry-run",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[warning] juju granted is held by more than 5 users of TESTOP01" in result.stdout


def test_a_serial_another_operator_registered(reg: RegistryFactory, tmp_path: Path) -> None:
    _other_operator(reg, certificates=[certificate(1, serial="0D4F6A", cn="OTHEROP1-PC01")])
    path = reg.repo / "PC009.pem"
    path.write_bytes(pem(x509_certificate()))
    result = both(
        reg, tmp_path, "cert", "add", "--operator", "TESTOP01", "--id", "EP2026-000913",
        "--location", "本社 端末 PC009", "--holder", "需給管理部 試験 太郎", str(path.name),
    )  # fmt: skip
    assert result.returncode == 1
    assert "The serial 0D4F6A is already registered (certificate EP-TEST-0001 of OTHEROP1)" in (
        result.stderr
    )


def test_an_error_elsewhere_stands_and_blocks(reg: RegistryFactory, tmp_path: Path) -> None:
    """Two operators with one serial (certificate-unique) block any edit, as standing."""
    _other_operator(reg, certificates=[certificate(1, cn="OTHEROP1-PC01")])
    reg.operator(certificates=[certificate(1)])
    result = both(reg, tmp_path, *_add("TESTOP01", "new@test-gas.example.co.jp", "--taxis", "1011"))
    assert result.returncode == 1
    assert "Errors already in the registry before this change" in result.stdout
    assert "(certificate-unique)" in result.stdout


def test_a_removal_and_a_termination(reg: RegistryFactory, tmp_path: Path) -> None:
    reg.user(email="two@test-gas.example.co.jp", name="二宮 二郎")
    removed = both(
        reg, tmp_path, "user", "remove", "--operator", "TESTOP01",
        "--email", "TWO@test-gas.example.co.jp", "--dry-run",
    )  # fmt: skip
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert "would remove: registry/users/TESTOP01/two@test-gas.example.co.jp.yaml" in (
        removed.stdout
    )
    # The user as the deletion form names them, read from their file alike in both.
    assert "  user deletion: 二宮 二郎 <two@test-gas.example.co.jp> (TESTOP01)\n" in (
        removed.stderr
    )


def test_a_removal_of_a_user_whose_file_does_not_load(reg: RegistryFactory, tmp_path: Path) -> None:
    """A file a forced merge left unreadable names nobody: the deletion goes ahead, named
    by the e-mail asked for, and none of the file's text is shown, in both runs alike."""
    reg.write("users/TESTOP01/gone@test-gas.example.co.jp.yaml", "name: 消える 人\nemail: [\n")
    removed = both(reg, tmp_path, "user", "remove", "--operator", "TESTOP01",
                   "--email", "gone@test-gas.example.co.jp")  # fmt: skip
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not (reg.root / "users/TESTOP01/gone@test-gas.example.co.jp.yaml").exists()
    assert "  user deletion: gone@test-gas.example.co.jp (TESTOP01)\n" in removed.stderr
    assert "消える" not in removed.stderr


def test_a_termination_removes_every_user_file(reg: RegistryFactory, tmp_path: Path) -> None:
    result = both(
        reg,
        tmp_path,
        "operator", "terminate", "--operator", "TESTOP01", "--on", "2026-12-31",
        uncommitted=lambda r: r.user(email="late@test-gas.example.co.jp"),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "removed: registry/users/TESTOP01/late@test-gas.example.co.jp.yaml" in result.stdout
    assert not (reg.root / "users/TESTOP01").exists()


@pytest.mark.parametrize(
    ("author", "email", "ok"),
    [
        ("window-1", "hanako.kimura@test-gas.example.co.jp", True),
        ("window-1", "shared@other.example.jp", False),  # another operator's login ID
        ("other-window", "hanako.kimura@test-gas.example.co.jp", False),  # not TESTOP01's
    ],
)
def test_an_issue_form(
    reg: RegistryFactory, tmp_path: Path, author: str, email: str, ok: bool
) -> None:
    """``from-issue`` takes the same path, authorization included."""
    _other_operator(reg)
    reg.user("OTHEROP1", "shared@other.example.jp")
    body = tmp_path / "body.md"
    body.write_text(user_add(email=email), encoding="utf-8")
    result = both(
        reg, tmp_path, "from-issue", "--body", str(body), "--author", author, "--issue", "12"
    )
    assert result.returncode == (0 if ok else 1), result.stdout
    assert ('"ok": true' in result.stdout) is ok


def test_without_a_usable_cache(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache that cannot be opened only costs time: every file is parsed instead."""
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("ACCESSREG_CACHE_DIR", str(blocked))
    _other_operator(reg)
    reg.user("OTHEROP1", "shared@other.example.jp")
    result = both(reg, tmp_path, *_add("TESTOP01", "shared@other.example.jp", "--taxis", "1011"))
    assert result.returncode == 1
    assert "(login-id-unique)" in result.stdout
    assert blocked.read_text(encoding="utf-8") == ""


def test_an_operator_change_judged_on_its_users(reg: RegistryFactory, tmp_path: Path) -> None:
    reg.user(email="sub@test-sub.example.co.jp", affiliation="TESTSUB1")
    result = both(reg, tmp_path, "operator", "change", "--operator", "TESTOP01",
                  "--remove-subcontractor", "TESTSUB1")  # fmt: skip
    assert result.returncode == 1
    assert "(affiliation)" in result.stdout


def test_what_time_did_elsewhere_is_set_aside(reg: RegistryFactory, tmp_path: Path) -> None:
    """An overseas IP of another operator past its date does not block the edit."""
    lapsed = [{"cidr": "41.203.64.10/32", "reason": "海外拠点", "expires_on": "2026-10-31"}]
    _other_operator(reg, ip_allowlist=lapsed)
    elsewhere = both(reg, tmp_path, *_add("TESTOP01", "new@test-gas.example.co.jp", "--taxis",
                                          "1011"))  # fmt: skip
    assert elsewhere.returncode == 0, elsewhere.stdout + elsewhere.stderr
    assert "ip-allowlist-expired" not in elsewhere.stdout


def _broken_other_operator(reg: RegistryFactory) -> None:
    """OTHEROP1 as a forced merge left it: a user of an affiliation it does not have, and
    one whose permission code its schema refuses."""
    _other_operator(reg)
    reg.user("OTHEROP1", "stray@other.example.jp", affiliation="NOSUCH01")
    reg.user("OTHEROP1", "typo@other.example.jp", permissions={"johs": "J9999"})


def test_an_error_in_an_operator_s_own_file_holds_no_deletion_of_its_users(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """Nothing delays a deletion: OTHEROP1's file as a forced merge left it (not even YAML)
    holds back a new user of it, never the 抹消 of one."""
    _other_operator(reg)
    reg.user("OTHEROP1", "leaver@other.example.jp")
    operator_file = reg.root / "operators/OTHEROP1.yaml"
    operator_file.write_text(operator_file.read_text("utf-8") + "bogus: a: b\n", "utf-8")
    removed = both(reg, tmp_path, "user", "remove", "--operator", "OTHEROP1",
                   "--email", "leaver@other.example.jp")  # fmt: skip
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not (reg.root / "users/OTHEROP1/leaver@other.example.jp.yaml").exists()
    assert "not holding it: 1 error (1 file)" in removed.stderr
    added = run_cli(*_add("OTHEROP1", "new@other.example.jp", "--taxis", "1011"), *TODAY_ARG,
                    cwd=reg.repo)  # fmt: skip
    assert added.returncode == 1, added.stdout + added.stderr
    assert not (reg.root / "users/OTHEROP1/new@other.example.jp.yaml").exists()


def test_an_error_already_in_another_operator_does_not_hold_an_edit(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    _broken_other_operator(reg)
    reg.user(email="two@test-gas.example.co.jp")
    result = both(reg, tmp_path, "user", "remove", "--operator", "TESTOP01",
                  "--email", "two@test-gas.example.co.jp")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "removed: registry/users/TESTOP01/two@test-gas.example.co.jp.yaml" in result.stdout
    assert not (reg.root / "users/TESTOP01/two@test-gas.example.co.jp.yaml").exists()
    assert (
        "In files this change does not write (another operator's, or one whose files it only "
        "deletes), not holding it: 2 errors (2 files); a maintainer fixes them" in result.stderr
    )
    assert "OTHEROP1" not in result.stdout + result.stderr  # counted, never named


def test_an_error_already_in_the_edited_operator_holds_the_edit(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    _broken_other_operator(reg)
    result = both(reg, tmp_path, *_add("OTHEROP1", "new@other.example.jp", "--johs"))
    assert result.returncode == 1
    assert "Errors already in the registry before this change, in what it touches" in (
        result.stdout
    )
    assert "stray@other.example.jp.yaml" in result.stdout and "(affiliation)" in result.stdout
    assert not (reg.root / "users/OTHEROP1/new@other.example.jp.yaml").exists()


def test_a_link_in_the_edited_operator_holds_the_edit(reg: RegistryFactory, tmp_path: Path) -> None:
    """A symbolic link among the operator's users (committed, or only in the work tree) is
    never read as a user: an error of its own, in what the edit touches."""
    text = "{email: linked@test-gas.example.co.jp, name: 試験, permissions: {taxis: '1011'}}"
    (reg.root / "users/TESTOP01/linked@test-gas.example.co.jp.yaml").symlink_to(text)
    result = both(
        reg,
        tmp_path,
        *_add("TESTOP01", "new@test-gas.example.co.jp", "--johs"),
        uncommitted=lambda r: (r.root / "users/TESTOP01/late.yaml").symlink_to(text),
    )
    assert result.returncode == 1
    standing = result.stdout.split("in what it touches")[1]
    for name in ("linked@test-gas.example.co.jp.yaml", "late.yaml"):
        assert f"users/TESTOP01/{name}:1:1: [error] This is a symbolic link" in standing
    assert not (reg.root / "users/TESTOP01/new@test-gas.example.co.jp.yaml").exists()


def test_an_error_already_in_a_shared_file_holds_every_edit(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    _broken_other_operator(reg)
    reg.edit("calendar.yaml", "closed:", "closed_days:")
    result = both(reg, tmp_path, *_add("TESTOP01", "new@test-gas.example.co.jp", "--taxis", "1011"))
    assert result.returncode == 1
    standing = result.stdout.split("the change waits until a maintainer fixes them:")[1]
    assert "registry/calendar.yaml" in standing
    assert "OTHEROP1" not in standing  # the other operator's errors still do not count


POOL = [f"p{n}@pool.example.jp" for n in range(6)]


@pytest.mark.parametrize("seed", range(8))
def test_random_edits_over_a_changed_work_tree(
    reg: RegistryFactory, tmp_path: Path, seed: int
) -> None:
    """Random uncommitted changes, then a random edit: logins drawn from a small pool that
    both operators use, JUJU holders near the limit."""
    rng = random.Random(seed)
    _other_operator(reg)
    for code, emails in (("TESTOP01", POOL[:2]), ("OTHEROP1", POOL[2:4])):
        for email in emails:
            perms = rng.choice([{"taxis": "1011"}, {"juju": "granted"}])
            reg.user(code, email, permissions=perms)
    for n in range(4):
        reg.user(email=f"juju{n}@test-gas.example.co.jp", permissions={"juju": "granted"})

    def dirty(r: RegistryFactory) -> None:
        for _ in range(rng.randint(0, 2)):
            code, email = rng.choice(["TESTOP01", "OTHEROP1"]), rng.choice(POOL)
            path = r.root / f"users/{code}/{email}.yaml"
            if path.exists() and rng.random() < 0.5:
                path.unlink()
            else:
                r.user(
                    code, email, permissions=rng.choice([{"taxis": "1010"}, {"juju": "granted"}])
                )

    code, email = rng.choice(["TESTOP01", "OTHEROP1"]), rng.choice(POOL)
    perms = rng.choice([("--taxis", "1011"), ("--juju",), ("--juju", "--taxis", "1012")])
    kind = rng.choice(["add", "change", "remove"])
    args: tuple[str, ...] = (
        _add(code, email, *perms)
        if kind == "add"
        else (
            "user",
            kind,
            "--operator",
            code,
            "--email",
            email,
            *(perms if kind == "change" else ()),
        )
    )
    both(reg, tmp_path, *args, uncommitted=dirty)
