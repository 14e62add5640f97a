"""apply reads only the operators a range changes: the same bytes as reading everything.

A random history of merges over the sample registry (user files added, changed, removed; an
operator's name changed; a file left with an error, held back and later fixed); after each
batch of merges the incremental dry run and ``--full`` must write byte-identical outputs,
then the incremental run is confirmed and the next batch starts from it.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import random
import re
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from accessreg.model.registry import Registry
from accessreg.outputs.fragments import Fragment
from accessreg.provision.merges import Snapshots
from accessreg.provision.shares import ShareStore
from accessreg.validation import incremental
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import accessreg, deltas, merge, read_csv, state, tree
from tests.helpers.regfactory import RegistryFactory
from tests.helpers.smtpserver import Mailbox, smtp_env, smtp_server

SAMPLE = Path(__file__).resolve().parents[2] / "registry"
ON = "2026-12-03"
DAY = ["--today", ON, "--accepted-on", ON]
READ = re.compile(r"snapshots: (\d+) of (\d+) operators rendered")


pytestmark = pytest.mark.usefixtures("english")  # they read the English words


@pytest.fixture
def sample(reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRegistry:
    monkeypatch.setenv("ACCESSREG_CACHE_DIR", str(tmp_path / "cache"))
    shutil.rmtree(reg.root)
    shutil.copytree(SAMPLE, reg.root)
    return GitRegistry(reg)


def _users(gr: GitRegistry) -> list[Path]:
    return sorted((gr.reg.root / "users").glob("*/*.yaml"))


def _edit(gr: GitRegistry, rng: random.Random, n: int) -> str:
    """One random change of the registry's files, described."""
    users = _users(gr)
    kind = rng.choice(["memo", "remove", "add", "operator", "broken"])
    if kind == "memo":
        path = rng.choice(users)
        text = re.sub(r"(?m)^memo: .*\n", "", path.read_text("utf-8"))
        path.write_text(text + f"memo: 変更申請 {n}\n", "utf-8")
    elif kind == "remove":
        path = rng.choice(users)
        path.unlink()
    elif kind == "add":
        path = rng.choice(users)
        login = f"new{n}.{path.stem}"
        text = path.read_text("utf-8").replace(f"email: {path.stem}", f"email: {login}", 1)
        (path.parent / f"{login}.yaml").write_text(text, "utf-8")
    elif kind == "operator":
        path = rng.choice(sorted((gr.reg.root / "operators").glob("*.yaml")))
        text = re.sub(r"(?m)^name: (.*)$", rf"name: \g<1>{n}", path.read_text("utf-8"), count=1)
        path.write_text(text, "utf-8")
    else:  # an error: the file is held back until a later merge fixes it
        path = rng.choice(users)
        text = path.read_text("utf-8")
        path.write_text(re.sub(r"(?m)^name_kana: .*$", "name_kana: not kana", text), "utf-8")
    return f"{kind} {path.relative_to(gr.reg.root)}"


def _fix(gr: GitRegistry) -> None:
    for path in _users(gr):
        text = path.read_text("utf-8")
        if "name_kana: not kana" in text:
            path.write_text(text.replace("name_kana: not kana", "name_kana: カナ"), "utf-8")


def _as_full(sample: GitRegistry, out: Path, *args: str) -> tuple[str, str, dict[str, bytes]]:
    """An incremental dry run into ``out``, and one reading everything (``--full``) into
    ``out``'s sibling ``<name>-full``: they must write the same bytes. Both reports, and
    the files."""
    full = out.with_name(f"{out.name}-full")
    ran = accessreg(sample, "apply", "--out", str(out), *args)
    whole = accessreg(sample, "apply", "--out", str(full), "--full", *args)
    assert ran.returncode == whole.returncode == 0, ran.stderr + whole.stderr
    shown = tree(out)
    assert shown == tree(full), args
    return ran.stdout, whole.stdout, shown


def _random_history(
    sample: GitRegistry, tmp_path: Path, seed: int, days: list[str], edits: tuple[int, int],
    fixed: Callable[[int], bool], between: Callable[[random.Random, int, str], None] | None = None,
    recording: Callable[[int], list[str]] = lambda run: [],
) -> list[str]:  # fmt: skip
    """After a first apply, before each run on ``days``: ``edits`` (fewest, most) merges
    of random edits, and one fixing the files with errors where ``fixed(run)``. Each run's
    incremental dry run and ``--full`` must write the same bytes; it is then confirmed
    (with ``recording(run)``'s options), and ``between`` is called (the run's generator,
    number and day). The incremental runs' reports."""
    rng = random.Random(seed)
    first = accessreg(sample, "apply", "--out", str(tmp_path / "initial"), "--initial",
                      "--confirm", *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    reports = []
    for batch, day in enumerate(days):
        dated = ["--today", day, "--accepted-on", day]
        for n in range(rng.randint(*edits)):
            merge(sample, f"b{batch}-{n}", lambda k=10 * batch + n: _edit(sample, rng, k))
        if fixed(batch):
            merge(sample, f"fix{batch}", lambda: _fix(sample))
        reports.append(_as_full(sample, tmp_path / f"inc{batch}", *dated)[0])
        done = accessreg(sample, "apply", "--out", str(tmp_path / f"done{batch}"), "--confirm",
                         *dated, *recording(batch))  # fmt: skip
        assert done.returncode == 0, done.stderr
        if between is not None:
            between(rng, batch, day)
    return reports


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_and_full_apply_write_the_same_bytes(
    sample: GitRegistry, tmp_path: Path, seed: int
) -> None:
    reports = _random_history(sample, tmp_path, seed, [ON] * 3, (1, 3), lambda run: run == 1)
    operators = len(list((sample.reg.root / "operators").glob("*.yaml")))
    narrower = 0
    for report in reports:
        read = READ.search(report)
        assert read is not None, report
        narrower += int(read.group(1)) < int(read.group(2)) <= operators
    assert narrower, "no run read fewer operators than the registry has"


# Days of runs around a new user's M+6 (12/24) and M+9 (12/29) of an application accepted
# on the first: shares carried from run to run, and read again as dates come.
DAYS = ["2026-12-03", "2026-12-03", "2026-12-10", "2026-12-24", "2026-12-25", "2026-12-29",
        "2027-01-20"]  # fmt: skip


@pytest.mark.parametrize("seed", [3, 5])
def test_incremental_and_full_apply_agree_as_the_days_pass(
    sample: GitRegistry, tmp_path: Path, seed: int
) -> None:
    """A random history of merges as above, applied on days from the first merge to past
    the last date it set: every incremental run writes what reading everything writes."""
    reports = _random_history(sample, tmp_path, seed, DAYS, (0, 2), lambda run: run % 3 == 2)
    assert len(reports) == len(DAYS)


@pytest.mark.parametrize("seed", [7, 11])
def test_incremental_and_full_apply_agree_while_completion_notices_are_owed(
    sample: GitRegistry, tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A random history of merges as above; between runs, downstream systems import random
    batches (``confirm``, not sent: their completion notices are owed, and each later run
    writes them, read back from the cache), and every third run sends what is owed. The
    notices a run links from the cache are those ``--full`` composes again, byte for byte,
    as the imports recorded move their progress and the sending empties the list."""
    mailbox = Mailbox()
    linked: set[str] = set()  # the Message-IDs of notices linked from the cache
    sent: list[set[str]] = []  # by run: every Message-ID sent by then

    def imports(rng: random.Random, run: int, day: str) -> None:
        out = tmp_path / f"inc{run}" / "mail"
        linked.update(_message_id(p) for p in out.glob("*.eml") if p.stat().st_nlink > 1)
        sent.append({str(m["Message-ID"]) for m in mailbox.received})
        waiting = [
            (batch, system)
            for batch, record in state(sample)["batches"].items()
            for system, progress in sorted(record["systems"].items())
            if progress["imported_on"] is None
        ]
        for n, (batch, system) in enumerate(rng.sample(waiting, min(len(waiting), 3))):
            done = accessreg(sample, "confirm", batch, "--system", system, "--today", day,
                             "--out", str(tmp_path / f"confirm{run}-{n}"))  # fmt: skip
            assert done.returncode == 0, done.stderr

    with smtp_server(mailbox) as port:
        # Every run with the same sender, as the workflow's: the mails' Message-IDs name it.
        for name, value in smtp_env(port).items():
            monkeypatch.setenv(name, value)
        reports = _random_history(
            sample, tmp_path, seed, DAYS, (0, 2), lambda run: run % 3 == 2, imports,
            lambda run: ["--send"] if run % 3 == 1 else [],
        )  # fmt: skip
    assert len(reports) == len(DAYS)
    assert linked, "no run wrote a notice kept in the cache"
    assert linked & sent[-1], "no notice kept in the cache was sent"
    # A notice sent is owed no more: no later run writes it.
    for run in range(1, len(DAYS)):
        written = {_message_id(p) for p in (tmp_path / f"inc{run}" / "mail").glob("*.eml")}
        assert not written & sent[run - 1], run


def _message_id(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.strict)
    return str(message["Message-ID"])


def test_a_share_comes_from_the_cache_only_for_the_files_it_was_rendered_from(
    sample: GitRegistry, tmp_path: Path
) -> None:
    """An operator changed before the revision downstream is said to hold (``--base``) is
    outside the run's scope: its share in the cache, rendered from its older files, must not
    be used (the key follows its users' tree, not the run)."""
    first = accessreg(sample, "apply", "--out", str(tmp_path / "a"), "--initial", "--confirm",
                      *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    users = _users(sample)
    one, two = users[0], next(u for u in users if u.parent != users[0].parent)

    def memo(path: Path, text: str) -> None:
        path.write_text(re.sub(r"(?m)^memo: .*\n", "", path.read_text("utf-8")) + text, "utf-8")

    held = merge(sample, "one", lambda: memo(one, "memo: 先の変更\n"))
    merge(sample, "two", lambda: memo(two, "memo: 後の変更\n"))
    ran = accessreg(sample, "apply", "--out", str(tmp_path / "inc"), "--base", held, *DAY)
    whole = accessreg(sample, "apply", "--out", str(tmp_path / "full"), "--base", held,
                      "--full", *DAY)  # fmt: skip
    assert ran.returncode == whole.returncode == 0, ran.stderr + whole.stderr
    assert tree(tmp_path / "inc") == tree(tmp_path / "full")
    assert "先の変更".encode() in tree(tmp_path / "inc")["scim/snapshot.json"]


def test_a_login_id_under_two_operators_makes_the_run_read_everything(
    sample: GitRegistry, tmp_path: Path
) -> None:
    """Downstream holds a login ID under two operators (a registry with the clash given as
    ``--base``): which of them holds it is decided over the whole registry, so a run whose
    scope holds one of them reads everything, and writes what ``--full`` writes."""
    users = sorted((sample.reg.root / "users").glob("*/*.yaml"))
    first, other = users[0], next(u for u in users if u.parent != users[0].parent)
    twin = other.parent / first.name
    text = other.read_text("utf-8")
    twin.write_text(text.replace(f"email: {other.stem}", f"email: {first.stem}"), "utf-8")
    clash = sample.commit("a login ID under two operators")
    merge(sample, "memo", lambda: (first.write_text(first.read_text("utf-8") + "memo: 変更\n",
                                                    "utf-8")))  # fmt: skip
    ran = accessreg(sample, "apply", "--out", str(tmp_path / "inc"), "--base", clash, *DAY)
    whole = accessreg(sample, "apply", "--out", str(tmp_path / "full"), "--base", clash,
                      "--full", *DAY)  # fmt: skip
    assert ran.returncode == whole.returncode == 0, ran.stderr + whole.stderr
    assert tree(tmp_path / "inc") == tree(tmp_path / "full")
    read = READ.search(ran.stdout)
    assert read is not None and read.group(1) == read.group(2), ran.stdout


def test_whitelists_from_the_cache_follow_the_day(sample: GitRegistry, tmp_path: Path) -> None:
    """The whitelists are kept in the cache between runs: a later day, on which a
    certificate has lapsed (KAZEDR01's, after 2027-01-14), is not served the earlier day's."""
    first = accessreg(sample, "apply", "--out", str(tmp_path / "a"), "--initial", "--confirm",
                      *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    merge(sample, "memo", lambda: _edit(sample, random.Random(3), 0))
    for n, day in enumerate(["2027-01-14", "2027-01-15"]):
        later = ["--today", day, "--accepted-on", ON]
        ran = accessreg(sample, "apply", "--out", str(tmp_path / f"inc{n}"), *later)
        whole = accessreg(sample, "apply", "--out", str(tmp_path / f"full{n}"), "--full", *later)
        assert ran.returncode == whole.returncode == 0, ran.stderr + whole.stderr
        assert tree(tmp_path / f"inc{n}") == tree(tmp_path / f"full{n}"), day
    lists = [tree(tmp_path / f"inc{n}") for n in (0, 1)]
    assert any(lists[0][k] != lists[1].get(k) for k in lists[0] if k.startswith("whitelist/"))


def test_a_share_kept_for_the_day_follows_the_operator_file(
    sample: GitRegistry, tmp_path: Path
) -> None:
    """An operator whose holders are those of the applied revision shows the share kept then,
    unless its file changed: a system it no longer uses closes the info-sharing site's page
    of that system to its holders, whose own files say nothing new."""
    first = accessreg(sample, "apply", "--out", str(tmp_path / "a"), "--initial", "--confirm",
                      *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    path = sample.reg.root / "operators" / "AOBAGS01.yaml"
    merge(sample, "api", lambda: path.write_text(path.read_text("utf-8").replace(
        "juju, loacus, wheeling_api]", "juju, loacus]"), "utf-8"))  # fmt: skip
    ran = accessreg(sample, "apply", "--out", str(tmp_path / "inc"), *DAY)
    whole = accessreg(sample, "apply", "--out", str(tmp_path / "full"), "--full", *DAY)
    assert ran.returncode == whole.returncode == 0, ran.stderr + whole.stderr
    before, after = tree(tmp_path / "a"), tree(tmp_path / "inc")
    assert after == tree(tmp_path / "full")
    assert before["info_site/pages.csv"] != after["info_site/pages.csv"], ran.stdout


def test_the_share_kept_for_the_day_outlives_the_store_pruning(
    sample: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change waiting for its date shows the share kept under the applied revision's key;
    the store drops what the registry no longer holds once it is many, but not what the
    run copies its outputs from."""
    first = accessreg(sample, "apply", "--out", str(tmp_path / "a"), "--initial", "--confirm",
                      *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    store = ShareStore(tmp_path / "cache")
    try:  # shares of registries long gone: enough for the next run to prune
        gone = Fragment(("gone@example.jp",), {}, (b"", {}), (b"", {}), b"", b"")
        store.put({f"gone{n}": gone for n in range(200)})
    finally:
        store.close()
    # A memo changed by a merge dated after the run's day: the change waits for its date.
    user = _users(sample)[0]
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-12-10T10:00:00+09:00")
    merge(
        sample, "memo", lambda: user.write_text(f"{user.read_text('utf-8')}memo: 変更\n", "utf-8")
    )
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    ran = accessreg(sample, "apply", "--out", str(tmp_path / "inc"), *DAY)
    whole = accessreg(sample, "apply", "--out", str(tmp_path / "full"), "--full", *DAY)
    assert ran.returncode == whole.returncode == 0, ran.stderr + whole.stderr
    assert tree(tmp_path / "inc") == tree(tmp_path / "full")
    assert "snapshots: 1 of" in ran.stdout, ran.stdout  # the share as the files say
    assert not list((tmp_path / "cache" / "shares").glob("*/gone*"))


def test_shares_the_store_lost_are_rendered_once_and_kept_again(
    sample: GitRegistry, tmp_path: Path
) -> None:
    """A store whose files are gone (a cache restored in part) makes the next run render
    every operator outside its scope; it keeps them, so the run after renders one again."""
    first = accessreg(sample, "apply", "--out", str(tmp_path / "a"), "--initial", "--confirm",
                      *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    shutil.rmtree(tmp_path / "cache" / "shares")
    users = _users(sample)
    rendered = []
    said = []
    for n, user in enumerate((users[0], users[-1])):
        merge(sample, f"memo{n}", lambda u=user: u.write_text(u.read_text("utf-8") + "memo: 変更\n",
                                                          "utf-8"))  # fmt: skip
        ran = accessreg(sample, "apply", "--out", str(tmp_path / f"run{n}"), "--confirm", *DAY)
        assert ran.returncode == 0, ran.stderr
        read = READ.search(ran.stdout)
        assert read is not None, ran.stdout
        rendered.append((int(read.group(1)), int(read.group(2))))
        said.append(ran.stdout)
    (lost, operators), (again, _) = rendered
    assert lost == operators and again == 1
    # The report says where the shares came from only when some came from the cache.
    assert "none from the cache" in said[0] and "the others from the cache" in said[1]


def test_a_share_waiting_for_its_date_is_rendered_once_a_day_until_the_date(
    sample: GitRegistry, tmp_path: Path
) -> None:
    """A merge adds a user (TAXIS and JOHS at M+6, JUJU and LOACUS at M+9) and changes
    another's TAXIS code (at once): until the new user has come, the operator's share on
    the day is neither as its files were nor as they are. The run that renders it keeps it
    under the day's holders: a later merge of another operator renders that one only, and
    each day's runs give the same bytes as reading everything."""
    first = accessreg(sample, "apply", "--out", str(tmp_path / "a"), "--initial", "--confirm",
                      *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    aoba = sample.reg.root / "users" / "AOBAGS01"
    changed = aoba / "aya.shimizu@aoba-gas.example.co.jp.yaml"
    model = aoba / "taro.aoyama@aoba-gas.example.co.jp.yaml"

    def add_and_change() -> None:
        text = model.read_text("utf-8").replace("taro.aoyama@", "taxis.new@")
        (aoba / "taxis.new@aoba-gas.example.co.jp.yaml").write_text(text, "utf-8")
        text = changed.read_text("utf-8")
        changed.write_text(text.replace("taxis: '1012'", "taxis: '1011'"), "utf-8")

    merge(sample, "add", add_and_change)
    added = accessreg(sample, "apply", "--out", str(tmp_path / "added"), "--confirm", *DAY)
    assert added.returncode == 0, added.stderr
    others = sorted((sample.reg.root / "users" / "MINATOEN").glob("*.yaml"))
    shown = {}
    for n, day in enumerate([ON, ON, "2026-12-25", "2027-01-15"]):
        if day == ON:
            other = others[n]
            merge(sample, f"memo{n}", lambda o=other: o.write_text(
                o.read_text("utf-8") + "memo: 変更\n", "utf-8"))  # fmt: skip
        dated = ["--today", day, "--accepted-on", ON]
        ran = accessreg(sample, "apply", "--out", str(tmp_path / f"inc{n}"), *dated)
        whole = accessreg(sample, "apply", "--out", str(tmp_path / f"full{n}"), "--full", *dated)
        assert ran.returncode == whole.returncode == 0, ran.stderr + whole.stderr
        shown[n] = tree(tmp_path / f"inc{n}")
        assert shown[n] == tree(tmp_path / f"full{n}"), day
        if day == ON:
            done = accessreg(sample, "apply", "--out", str(tmp_path / f"done{n}"), "--confirm",
                             *dated)  # fmt: skip
            assert done.returncode == 0, done.stderr
        if n == 1:
            assert "snapshots: 1 of" in ran.stdout, ran.stdout  # MINATOEN's only
    taxis = [shown[n]["ldif/snapshot.ldif"].decode().count("taxis.new@") for n in range(4)]
    assert taxis[0] == taxis[1] == 0 < taxis[2] < taxis[3], taxis


USERS_READ = re.compile(r"users read: (\d+) of (\d+) operators")
LOGINS = re.compile(r"login IDs: .*")


def test_a_waiting_operator_is_read_again_only_when_a_date_of_its_comes(
    sample: GitRegistry, tmp_path: Path
) -> None:
    """A new user of AOBAGS01 waits for M+6 (TAXIS, JOHS) and M+9 (JUJU, LOACUS). The run
    that applies it carries the operator's share on the day to the next run, for the days
    until its first date: merges of another operator on those days read that one alone,
    and give the same bytes as reading everything. On a date of its, the waiting operator
    is read again and carried to its next date; once nothing of it waits, it is not read."""
    first = accessreg(sample, "apply", "--out", str(tmp_path / "a"), "--initial", "--confirm",
                      *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    aoba = sample.reg.root / "users" / "AOBAGS01"
    model = aoba / "taro.aoyama@aoba-gas.example.co.jp.yaml"
    merge(sample, "add", lambda: (aoba / "taxis.new@aoba-gas.example.co.jp.yaml").write_text(
        model.read_text("utf-8").replace("taro.aoyama@", "taxis.new@"), "utf-8"))  # fmt: skip
    added = accessreg(sample, "apply", "--out", str(tmp_path / "added"), "--confirm", *DAY)
    assert added.returncode == 0, added.stderr
    # The two dates, from the deltas the run wrote for them.
    six, nine = sorted(
        date.fromisoformat(p.stem.removeprefix("delta-"))
        for p in (tmp_path / "added" / "ldif").glob("delta-*.ldif")
    )
    assert date.fromisoformat(ON) < six < nine
    before = [date.fromisoformat(ON), date.fromisoformat(ON), six - timedelta(days=1)]
    days = [*before, six, nine - timedelta(days=1), nine + timedelta(days=30)]
    others = sorted((sample.reg.root / "users" / "MINATOEN").glob("*.yaml"))
    read = []
    for n, day in enumerate(days):
        other = others[n % len(others)]
        merge(sample, f"memo{n}", lambda o=other, n=n: o.write_text(
            o.read_text("utf-8") + f"memo: 変更 {n}\n", "utf-8"))  # fmt: skip
        dated = ["--today", day.isoformat(), "--accepted-on", day.isoformat()]
        ran, whole, _ = _as_full(sample, tmp_path / f"inc{n}", *dated)
        found = USERS_READ.search(ran)
        assert found is not None, ran
        read.append(int(found.group(1)))
        # A carried operator counts its login IDs as its files say, as reading it does.
        assert LOGINS.findall(ran) == LOGINS.findall(whole) != []
        done = accessreg(sample, "apply", "--out", str(tmp_path / f"done{n}"), "--confirm",
                         *dated)  # fmt: skip
        assert done.returncode == 0, done.stderr
    # MINATOEN's users alone, but on M+6, where AOBAGS01's are read too.
    assert read == [1, 1, 1, 2, 1, 1]


ID = "メールアドレス（ID）"


def test_the_info_sharing_site_comes_with_the_first_system_though_another_still_waits(
    sample: GitRegistry, tmp_path: Path
) -> None:
    """A new user of TAXIS (M+6) and JUJU (M+9): the merge's run dates their info-sharing
    site with TAXIS, the first of its sources. A run on that day, while JUJU still waits,
    shows them on the site in its snapshots, as the deltas downstream applied say: the
    site's own and the site's column of TAXIS's row."""
    first = accessreg(sample, "apply", "--out", str(tmp_path / "a"), "--initial", "--confirm",
                      *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    aoba = sample.reg.root / "users" / "AOBAGS01"
    model = aoba / "taro.aoyama@aoba-gas.example.co.jp.yaml"
    login = "site.new@aoba-gas.example.co.jp"
    merge(sample, "add", lambda: (aoba / f"{login}.yaml").write_text(
        model.read_text("utf-8").replace("taro.aoyama@", "site.new@"), "utf-8"))  # fmt: skip
    added = accessreg(sample, "apply", "--out", str(tmp_path / "added"), "--confirm", *DAY)
    assert added.returncode == 0, added.stderr

    def applied(system: str) -> str:
        (row,) = (r for r in deltas(tmp_path / "added", system) if r[ID] == login)
        assert row["区分"] == "新規", row
        return row["適用日"]

    site, taxis, juju = applied("info_site"), applied("taxis"), applied("juju")
    assert ON < site == taxis < juju
    for out in ("inc", "full"):
        full = ["--full"] if out == "full" else []
        ran = accessreg(sample, "apply", "--out", str(tmp_path / out), "--today", site, *full)
        assert ran.returncode == 0, ran.stderr
        imports = tmp_path / out / "imports"
        shown = [r[ID] for r in read_csv(imports / "info_site" / "snapshot.csv")]
        assert login in shown, out
        (row,) = (r for r in read_csv(imports / "taxis" / "snapshot.csv") if r[ID] == login)
        assert row["託送情報共有サイト"] == "あり", row
        assert login not in [r[ID] for r in read_csv(imports / "juju" / "snapshot.csv")]


def test_a_change_waiting_for_a_manual_step_is_carried_to_the_next_run_as_done(
    sample: GitRegistry, tmp_path: Path
) -> None:
    """A user of JOHS and JUJU removed: JOHS ends the day after, JUJU after the system
    operator's manual step, which waits in the run that applies it only (the runs after
    take it as done); a new user of the same operator waits for M+6 and M+9. The run
    carries the operator's share as the runs after will have it, until the day JOHS ends:
    the next run, a merge of another operator the same day, reads that one alone and shows
    the step done, as reading everything does; on the day JOHS ends, the operator is read
    again (its new user still waits)."""
    first = accessreg(sample, "apply", "--out", str(tmp_path / "a"), "--initial", "--confirm",
                      *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    aoba = sample.reg.root / "users" / "AOBAGS01"
    gone = aoba / "taro.aoyama@aoba-gas.example.co.jp.yaml"
    text = gone.read_text("utf-8")
    assert "juju" in text and "johs" in text

    def remove_and_add() -> None:
        gone.unlink()
        (aoba / "taxis.new@aoba-gas.example.co.jp.yaml").write_text(
            text.replace("taro.aoyama@", "taxis.new@"), "utf-8"
        )

    merge(sample, "remove", remove_and_add)
    removed = accessreg(sample, "apply", "--out", str(tmp_path / "removed"), "--confirm", *DAY)
    assert removed.returncode == 0, removed.stderr
    juju, johs = "imports/juju/snapshot.csv", "imports/johs/snapshot.csv"
    held = tree(tmp_path / "removed")
    assert b"taro.aoyama@" in held[juju] and b"taro.aoyama@" in held[johs]  # still to come
    others = sorted((sample.reg.root / "users" / "MINATOEN").glob("*.yaml"))
    read, shown = [], []
    for n, day in enumerate([ON, "2026-12-04"]):  # JOHS ends on the 4th
        other = others[n]
        merge(sample, f"memo{n}", lambda o=other: o.write_text(
            o.read_text("utf-8") + "memo: 変更\n", "utf-8"))  # fmt: skip
        dated = ["--today", day, "--accepted-on", day]
        ran, _, files = _as_full(sample, tmp_path / f"inc{n}", *dated)
        found = USERS_READ.search(ran)
        assert found is not None, ran
        read.append(int(found.group(1)))
        shown.append(files)
        done = accessreg(sample, "apply", "--out", str(tmp_path / f"done{n}"), "--confirm",
                         *dated)  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert b"taro.aoyama@" not in shown[0][juju]  # done by now
    assert b"taro.aoyama@" in shown[0][johs] and b"taro.aoyama@" not in shown[1][johs]
    assert read == [1, 2]


def test_a_file_held_back_while_a_change_waits_stays_in_the_snapshots_as_held(
    sample: GitRegistry, tmp_path: Path
) -> None:
    """A user's file with an error is held back: downstream keeps the user as they were.
    The next merge fixes it and adds a user to another operator, whose permissions wait
    for M+6: the run releases the fixed file. A later merge of the first operator makes
    the runs after that one work the day's snapshots out from the batch before the waiting
    one, whose revision holds the file with its error: the user is in the snapshots all
    along, as the deltas have them."""
    first = accessreg(sample, "apply", "--out", str(tmp_path / "a"), "--initial", "--confirm",
                      *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    sakura = sorted((sample.reg.root / "users" / "SAKURAGM").glob("*.yaml"))
    user, other = sakura[0], sakura[1]
    login = user.stem
    good = user.read_text("utf-8")
    merge(sample, "broken", lambda: user.write_text(
        re.sub(r"(?m)^name_kana: .*$", "name_kana: not kana", good), "utf-8"))  # fmt: skip
    held = accessreg(sample, "apply", "--out", str(tmp_path / "held"), "--confirm", *DAY)
    assert held.returncode == 0, held.stderr
    aoba = sample.reg.root / "users" / "AOBAGS01"
    model = aoba / "taro.aoyama@aoba-gas.example.co.jp.yaml"

    def fix_and_add() -> None:
        user.write_text(re.sub(r"(?m)^name_kana: .*$", "name_kana: カナ", good), "utf-8")
        (aoba / "taxis.new@aoba-gas.example.co.jp.yaml").write_text(
            model.read_text("utf-8").replace("taro.aoyama@", "taxis.new@"), "utf-8"
        )

    merge(sample, "fix", fix_and_add)
    fixed = accessreg(sample, "apply", "--out", str(tmp_path / "fixed"), "--confirm", *DAY)
    assert fixed.returncode == 0, fixed.stderr
    merge(sample, "memo", lambda: other.write_text(other.read_text("utf-8") + "memo: 変更\n",
                                                   "utf-8"))  # fmt: skip
    _, _, shown = _as_full(sample, tmp_path / "inc", *DAY)
    # The user's entry, groups and import rows: those the run that released the file had
    # on the day (the name as fixed comes on the days of the release's own rows).
    assert _holding(login, tree(tmp_path / "fixed")) == _holding(login, shown)
    assert "ldif entry" in _holding(login, shown)


def _holding(login: str, files: dict[str, bytes]) -> set[str]:
    """Where the snapshots hold ``login``: its LDIF entry, the groups it is a member of,
    the imports with a row of it."""
    found = set()
    for name, data in files.items():
        if name == "ldif/snapshot.ldif":
            for record in data.decode().split("\n\n"):
                if record.startswith(f"dn: uid={login},"):
                    found.add("ldif entry")
                elif f"member: uid={login}," in record:
                    found.add(record.splitlines()[0])
        elif name.endswith("/snapshot.csv") and f",{login},".encode() in data:
            found.add(name)
    return found


def test_a_held_operator_file_is_named_as_downstream_holds_it(
    sample: GitRegistry, tmp_path: Path
) -> None:
    """An operator file that loses its name is held back, with its users: the reviewers'
    notice names the operator as downstream holds it, whether the run read every file
    or those the merge changed."""
    first = accessreg(sample, "apply", "--out", str(tmp_path / "a"), "--initial", "--confirm",
                      *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    path = sample.reg.root / "operators" / "SAKURAGM.yaml"
    text = path.read_text("utf-8")
    name = re.search(r"(?m)^name: (.*)$", text)
    assert name is not None
    merge(sample, "nameless", lambda: path.write_text(text.replace(name.group(0) + "\n", ""),
                                                      "utf-8"))  # fmt: skip
    _, _, shown = _as_full(sample, tmp_path / "inc", *DAY)
    held = [n for n in shown if n.startswith("mail/") and "-held-" in n]
    assert held  # one to each reviewer
    for mail in held:
        message = email.message_from_bytes(shown[mail], policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        body = message.get_body(("plain",))
        assert body is not None
        assert f"SAKURAGM {name.group(1)}" in body.get_content()


def test_what_another_operator_waits_for_does_not_change_a_share(
    sample: GitRegistry, reg: RegistryFactory, tmp_path: Path
) -> None:
    """The same merges in two registries: a user's file of SAKURAGM broken and held back,
    then fixed, then SAKURAGM renamed; in the second registry, the fix's merge also adds a
    user to AOBAGS01, who waits for M+6. The run after the renaming gives the same
    snapshots in both: only a waiting operator's share is worked out from the oldest batch
    still waiting (weeks of merges), and what another operator waits for does not change
    SAKURAGM's (it did: the fixed user's reading as the release's rows date it in one
    registry, as the file says in the other)."""
    other = RegistryFactory(tmp_path / "other")
    shutil.rmtree(other.root)
    shutil.copytree(SAMPLE, other.root)
    both = {"alone": sample, "beside": GitRegistry(other)}
    shown = {}
    for label, gr in both.items():
        ran = accessreg(gr, "apply", "--out", str(tmp_path / f"{label}-a"), "--initial",
                        "--confirm", *DAY)  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        user = gr.reg.root / "users" / "SAKURAGM" / "takeshi.matsuda@sakura-gm.example.co.jp.yaml"
        good = user.read_text("utf-8")
        merge(gr, "broken", lambda u=user, g=good: u.write_text(
            re.sub(r"(?m)^name_kana: .*$", "name_kana: not kana", g), "utf-8"))  # fmt: skip
        aoba = gr.reg.root / "users" / "AOBAGS01"
        model = (aoba / "taro.aoyama@aoba-gas.example.co.jp.yaml").read_text("utf-8")

        def fix(u: Path = user, g: str = good, a: Path = aoba, m: str = model,
                waits: bool = label == "beside") -> None:  # fmt: skip
            u.write_text(re.sub(r"(?m)^name_kana: .*$", "name_kana: カナ", g), "utf-8")
            if waits:
                new = a / "taxis.new@aoba-gas.example.co.jp.yaml"
                new.write_text(m.replace("taro.aoyama@", "taxis.new@"), "utf-8")

        for step, change in (("held", None), ("fixed", fix)):
            if change is not None:
                merge(gr, step, change)
            ran = accessreg(gr, "apply", "--out", str(tmp_path / f"{label}-{step}"),
                            "--confirm", *DAY)  # fmt: skip
            assert ran.returncode == 0, ran.stderr
        operator = gr.reg.root / "operators" / "SAKURAGM.yaml"
        merge(gr, "renamed", lambda o=operator: o.write_text(
            re.sub(r"(?m)^name: (.*)$", r"name: \g<1>2", o.read_text("utf-8"), count=1),
            "utf-8"))  # fmt: skip
        _, _, files = _as_full(gr, tmp_path / f"{label}-inc", *DAY)
        shown[label] = {n: b for n, b in files.items() if "snapshot" in n or "whitelist" in n}
    assert shown["alone"] == shown["beside"]
    assert any(b"SAKURAGM" in b for b in shown["alone"].values())


def test_a_login_id_of_a_waiting_operator_and_another_one_is_worked_out_from_one_history(
    sample: GitRegistry, tmp_path: Path
) -> None:
    """SAKURAGM waits for a new user's M+9; downstream holds one of its login IDs under
    AOBAGS01 too (the clash given as ``--base``). A merge of AOBAGS01 reads it from the
    applied revision and SAKURAGM from the oldest waiting batch: both hold the ID on the
    day, and only a history of both knows which one does. The run works both out from
    the waiting batch, and writes what ``--full`` writes."""
    first = accessreg(sample, "apply", "--out", str(tmp_path / "a"), "--initial", "--confirm",
                      *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    sakura = sample.reg.root / "users" / "SAKURAGM"
    held = sakura / "takeshi.matsuda@sakura-gm.example.co.jp.yaml"
    model = held.read_text("utf-8")
    merge(sample, "add", lambda: (sakura / "new.matsuda@sakura-gm.example.co.jp.yaml").write_text(
        model.replace("email: takeshi.matsuda@", "email: new.matsuda@"), "utf-8"))  # fmt: skip
    added = accessreg(sample, "apply", "--out", str(tmp_path / "added"), "--confirm", *DAY)
    assert added.returncode == 0, added.stderr
    aoba = sorted((sample.reg.root / "users" / "AOBAGS01").glob("*.yaml"))
    twin = aoba[0].parent / held.name
    twin.write_text(aoba[0].read_text("utf-8").replace(
        f"email: {aoba[0].stem}", f"email: {held.stem}"), "utf-8")  # fmt: skip
    clash = sample.commit("a login ID under two operators")
    merge(sample, "memo", lambda: aoba[1].write_text(
        aoba[1].read_text("utf-8") + "memo: 変更\n", "utf-8"))  # fmt: skip
    _as_full(sample, tmp_path / "inc", "--base", clash, *DAY)


def test_a_cold_cache_is_checked_and_rendered_from_one_full_run(
    sample: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run of a new version of the tool finds its cache empty: it checks every
    operator in one full run (``incremental._WHOLE_RUN``, lowered here to the sample's
    size) and renders every operator's share from the registry that run loaded, reading
    the head no other way, and writes what reading everything writes."""
    first = accessreg(sample, "apply", "--out", str(tmp_path / "initial"), "--initial",
                      "--confirm", *DAY)  # fmt: skip
    assert first.returncode == 0, first.stderr
    head = merge(sample, "memo", lambda: _edit(sample, random.Random(4), 1))
    shutil.rmtree(tmp_path / "cache")
    monkeypatch.setattr(incremental, "_WHOLE_RUN", 1)
    loaded_at: list[str] = []
    scoped = Snapshots._scoped

    def recorded(self: Snapshots, sha: str, under: list[str], cache: Path) -> Registry:
        loaded_at.append(sha)
        return scoped(self, sha, under, cache)

    monkeypatch.setattr(Snapshots, "_scoped", recorded)
    whole: list[object] = []
    checked_whole = incremental._checked_whole
    monkeypatch.setattr(
        incremental, "_checked_whole", lambda *a: whole.append(a) or checked_whole(*a)
    )
    report, _, _ = _as_full(sample, tmp_path / "cold", *DAY)
    read = READ.search(report)
    assert read is not None and read.group(1) == read.group(2), report  # every share rendered
    assert len(whole) == 1
    assert head not in loaded_at  # the head came from validation alone


def test_a_rewritten_main_is_said_before_its_deletions(sample: GitRegistry, tmp_path: Path) -> None:
    """The revision applied before is gone from main's history (a force-push, a merge
    undone): the run compares HEAD with it all the same, which withdraws downstream what
    only it held. The report says so first, so that no one takes the deletions for an
    application; a run over an ordinary history says nothing of it."""
    out = tmp_path / "out"
    assert (
        accessreg(sample, "apply", "--out", str(out), "--initial", "--confirm", *DAY).returncode
        == 0
    )
    start = sample.repo.head.commit.hexsha
    (user,) = _users(sample)[:1]
    merge(sample, "leaver", user.unlink)
    ordinary = accessreg(sample, "apply", "--out", str(out), "--confirm", *DAY)
    assert ordinary.returncode == 0, ordinary.stderr
    assert "main was rewritten" not in ordinary.stdout
    # main rewritten to before the merge, and another merge on it.
    sample.repo.git.reset("--hard", start)
    added = _users(sample)[1]
    merge(
        sample, "memo", lambda: added.write_text(added.read_text("utf-8") + "memo: 追記\n", "utf-8")
    )
    rewritten = accessreg(sample, "apply", "--out", str(out), "--confirm", *DAY)
    assert rewritten.returncode == 0, rewritten.stderr
    lines = rewritten.stdout.splitlines()
    assert "is not in main's history (main was rewritten)" in lines[1], lines


def test_a_mass_removal_from_a_rewritten_main_says_so_in_its_refusal(
    sample: GitRegistry, tmp_path: Path
) -> None:
    """A rewrite is the likeliest cause of a mass removal: the refusal says it first, so
    that the maintainer does not look for a merge that removed them."""
    out = tmp_path / "out"
    assert (
        accessreg(sample, "apply", "--out", str(out), "--initial", "--confirm", *DAY).returncode
        == 0
    )
    start = sample.repo.head.commit.hexsha

    def double() -> None:
        for n, path in enumerate(_users(sample)):
            login = f"twin{n}.{path.stem}"
            text = path.read_text("utf-8").replace(f"email: {path.stem}", f"email: {login}", 1)
            (path.parent / f"{login}.yaml").write_text(text, "utf-8")

    merge(sample, "twins", double)
    assert accessreg(sample, "apply", "--out", str(out), "--confirm", *DAY).returncode == 0
    sample.repo.git.reset("--hard", start)  # main rewritten: the twins never were
    refused = accessreg(sample, "apply", "--out", str(out), "--confirm", *DAY)
    assert refused.returncode == 1, refused.stdout
    assert "is not in main's history (main was rewritten)" in refused.stderr, refused.stderr
    assert "Refusing to remove" in refused.stderr
