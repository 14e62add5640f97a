"""A file that does not load at HEAD holds back only its own operator in the scheduled
duties, as it does in ``apply``: the other operators' notices, whitelists and deletions go
out, and the file is read as downstream systems hold it (README "When provisioning stops")."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import git
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, certificate, contact, run_cli
from tests.helpers.scheduled_scenario import WINDOW1, WINDOW2, duty, mail_server, summary, take
from tests.helpers.smtpserver import Mailbox

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


OTHER = "TESTOP02"
WINDOW3 = "window3@test-gas.example.co.jp"
OTHER_USER = f"registry/users/{OTHER}/user9@test-gas.example.co.jp.yaml"
ENDING = "2027-03-31"  # both operators' certificates: their first notice on 2027-01-30
DAY = date(2027, 1, 30)


def _two_operators(reg: RegistryFactory) -> GitRegistry:
    """TESTOP01 and TESTOP02, each with a certificate ending on ``ENDING``; TESTOP02 with a
    user of its own."""
    reg.operator(
        contacts=[contact(), contact("deputy", 2)],
        certificates=[certificate(1, not_before="2025-04-01", not_after=ENDING)],
    )
    reg.operator(
        OTHER,
        contacts=[contact(n=3)],
        subcontractors=[],
        certificates=[
            certificate(2, cn=f"{OTHER}-PC01", not_before="2025-04-01", not_after=ENDING)
        ],
    )
    reg.user(OTHER, "user9@test-gas.example.co.jp", affiliation=OTHER)
    return GitRegistry(reg)


def _break(g: GitRegistry, rel: str) -> None:
    g.write(rel, (g.path / rel).read_text(encoding="utf-8") + "broken: [\n")
    g.commit(f"a forced merge leaves {rel} broken")


def _first_apply(g: GitRegistry, env: dict[str, str], tmp: Path) -> None:
    """Downstream systems hold the registry as it is now."""
    args = ("apply", "--initial", "--confirm", "--send", "--out", str(tmp / "applied"))
    done = run_cli(*args, "--today", "2027-01-04", cwd=g.path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr


def _certificates(out: Path) -> str:
    return (out / "whitelist" / "taxis" / "cert-map.conf").read_text(encoding="utf-8")


def test_a_broken_operator_file_holds_back_only_that_operator(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """An operator file no run has held back yet (a forced merge, not applied): the other
    operator's notices go out, and this one is read as the first apply left it downstream:
    its certificate's notice goes out too, and the whitelist keeps it."""
    g = _two_operators(reg)
    sink = Mailbox()
    with mail_server(sink) as env:
        _first_apply(g, env, tmp_path)
        take(sink)
        _break(g, f"registry/operators/{OTHER}.yaml")
        out = tmp_path / "daily"
        result = duty(g, "daily", "--send", "--out", str(out), today=DAY, env=env)
        got = summary(take(sink))
    assert [to for to, _ in got] == [WINDOW1, WINDOW2, WINDOW3]  # the certificates' notices
    assert "held back: 2 files of 1 operator, for errors at HEAD" in result.stdout
    assert f"  {OTHER}: 2 files" in result.stdout
    assert f"registry/operators/{OTHER}.yaml:" in result.stdout and "(yaml-syntax)" in result.stdout
    assert f"7A0002 {OTHER};" in _certificates(out)  # downstream still holds it
    assert "7A0001 TESTOP01;" in _certificates(out)


def test_the_files_an_apply_holds_back_are_listed(reg: RegistryFactory, tmp_path: Path) -> None:
    """Once apply holds the file back, the duties read it as apply recorded it and it loads
    clean: the report still says what is held, per operator and since when."""
    g = _two_operators(reg)
    sink = Mailbox()
    with mail_server(sink) as env:
        _first_apply(g, env, tmp_path)
        _break(g, f"registry/operators/{OTHER}.yaml")
        args = ("apply", "--confirm", "--send", "--out", str(tmp_path / "held"))
        held = run_cli(*args, "--today", "2027-01-20", cwd=g.path, env=env)
        assert held.returncode == 0 and "held back: 2 files of 1 operator" in held.stdout
        take(sink)  # the first apply's notices, and the reviewers' 【保留】
        result = duty(g, "daily", "--send", "--out", str(tmp_path / "daily"), today=DAY, env=env)
        got = summary(take(sink))
    assert [to for to, _ in got] == [WINDOW1, WINDOW2, WINDOW3]  # the certificates' notices
    assert "held back by apply: 2 files of 1 operator, for errors at HEAD" in result.stdout
    # since the day of the merge that brought the error, as apply recorded it
    assert re.search(rf"\n  {OTHER}: 2 files, since \d{{4}}-\d\d-\d\d\n", result.stdout)
    assert "held back: " not in result.stdout  # none newly: HEAD's registry loads as pinned


def test_what_a_broken_file_revokes_goes_out_over_what_downstream_holds(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """A lost certificate is suspended first (001 p46): the merge that suspends it leaves
    the operator file with an error too, yet the day's whitelist drops the certificate, as
    apply will, and keeps the rest of the file as downstream has it."""
    g = _two_operators(reg)
    sink = Mailbox()
    with mail_server(sink) as env:
        _first_apply(g, env, tmp_path)
    rel = f"registry/operators/{OTHER}.yaml"
    text = (g.path / rel).read_text(encoding="utf-8")
    suspended = "  not_after: '2027-03-31'\n  suspended_on: '2027-01-29'\n"
    text = text.replace("  not_after: '2027-03-31'\n", suspended)
    assert "suspended_on" in text
    g.write(rel, text.replace("status: active", "status: busy"))  # and a schema error
    g.commit("a certificate suspended, and a mistake")
    out = tmp_path / "daily"
    result = duty(g, "daily", "--out", str(out), today=DAY)
    assert "held back: 2 files of 1 operator" in result.stdout and "(schema)" in result.stdout
    assert f"7A0002 {OTHER};" not in _certificates(out)
    assert "7A0001 TESTOP01;" in _certificates(out)


def test_before_any_apply_a_broken_file_is_left_out_as_downstream_has_none(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    g = _two_operators(reg)
    _break(g, OTHER_USER)
    out = tmp_path / "daily"
    result = duty(g, "daily", "--out", str(out), today=DAY)
    assert "held back: 1 file of 1 operator, for errors at HEAD" in result.stdout
    mailed = [
        message_from_bytes(p.read_bytes(), policy=policy.strict) for p in (out / "mail").iterdir()
    ]
    assert sorted(m["To"].addresses[0].addr_spec for m in mailed) == [WINDOW1, WINDOW2, WINDOW3]
    inventory = (out / "inventory" / OTHER).glob("*.csv")
    assert not any("user9@" in p.read_text(encoding="utf-8-sig") for p in inventory)


def test_a_file_where_no_file_belongs_holds_nothing_back(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """No duty reads it, as no apply provisions it: the run goes on and says why."""
    g = _two_operators(reg)
    g.write("registry/notes.txt", "メモ\n")
    g.commit("a stray file")
    result = duty(g, "daily", "--out", str(tmp_path / "daily"), today=DAY)
    assert "held back: 0 files of 0 operators, for errors at HEAD" in result.stdout
    assert "registry/notes.txt:1:1: [error]" in result.stdout and "(file-location)" in result.stdout
    assert len(list((tmp_path / "daily" / "mail").iterdir())) == 3


def test_an_error_in_the_catalog_stops_every_duty(reg: RegistryFactory, tmp_path: Path) -> None:
    g = _two_operators(reg)
    _break(g, "registry/systems.yaml")
    out = tmp_path / "daily"
    result = run_cli("daily", "--out", str(out), "--today", DAY.isoformat(), cwd=g.path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "errors in files every operator depends on; nothing was generated" in result.stderr
    assert "registry/systems.yaml:" in result.stderr
    assert not out.exists()


# --- any files broken at once -----------------------------------------------------------

THREE = ("TESTOP01", "TESTOP02", "TESTOP03")
_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.jp",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.jp",
}  # fmt: skip


def _appended(text: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return write


def _linked(path: Path) -> None:
    path.unlink()
    path.symlink_to("../../systems.yaml")


BREAKS: dict[str, Callable[[Path], None]] = {
    "syntax": _appended("broken: [\n"),  # a line YAML cannot read
    "schema": _appended("unknown: 1\n"),  # a key the schema refuses
    "link": _linked,  # no regular file
}


def _files(code: str) -> list[str]:
    return [
        f"registry/operators/{code}.yaml",
        f"registry/users/{code}/user1@{code.lower()}.example.jp.yaml",
    ]


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, set[str]]]:
    """Three operators, each with a certificate ending on ``ENDING`` and a user, committed;
    and what a daily run on ``DAY`` tells of each: its mails' recipients and subjects, and
    its whitelist entries."""
    reg = RegistryFactory(tmp_path_factory.mktemp("three") / "repo")
    for n, code in enumerate(THREE, 1):
        reg.operator(
            code,
            contacts=[contact(n=n)],
            subcontractors=[],
            certificates=[
                certificate(n, cn=f"{code}-PC01", not_before="2025-04-01", not_after=ENDING)
            ],
        )
        reg.user(code, f"user1@{code.lower()}.example.jp", affiliation=code)
    g = GitRegistry(reg)
    g.repo.close()
    return reg.repo, _told(reg.repo, tmp_path_factory.mktemp("baseline"))


def _told(repo: Path, out: Path) -> dict[str, set[str]]:
    result = run_cli("daily", "--out", str(out / "daily"), "--today", DAY.isoformat(), cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    told: dict[str, set[str]] = {code: set() for code in THREE}
    for path in (out / "daily" / "mail").glob("*.eml"):  # none when every operator is held
        message = message_from_bytes(path.read_bytes(), policy=policy.strict)
        to = message["To"].addresses[0].addr_spec
        code = THREE[int(to.removeprefix("window")[0]) - 1]
        told[code].add(f"{to} {message['Subject']}")
    for line in _certificates(out / "daily").splitlines():
        for code in THREE:
            if f" {code};" in line:
                told[code].add(line.strip())
    return told


@settings(max_examples=25, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([f for code in THREE for f in _files(code)]),
        st.sampled_from(sorted(BREAKS)),
        min_size=1,
        max_size=4,
    )
)
def test_broken_files_hold_back_only_their_own_operators(
    three: tuple[Path, dict[str, set[str]]], broken: dict[str, str]
) -> None:
    """Whatever files of whichever operators a forced merge leaves broken, and however (a
    line YAML cannot read, a key the schema refuses, a link), every other operator is told
    exactly what it is told when nothing is broken, and the run says what it held back."""
    template, baseline = three
    with tempfile.TemporaryDirectory() as work:
        repo = Path(work) / "repo"
        git.Repo.clone_from(template, repo).close()
        for rel, how in broken.items():
            BREAKS[how](repo / rel)
        clone = git.Repo(repo)
        clone.git.add("-A")
        clone.git.commit("-q", "-m", "a forced merge", env=_IDENTITY)
        clone.close()
        told = _told(repo, Path(work))
    touched = {rel.split("/")[2].removesuffix(".yaml") for rel in broken}
    for code in set(THREE) - touched:
        assert told[code] == baseline[code], code
