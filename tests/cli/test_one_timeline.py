"""One timeline: for every seed case, each output carries the dates the seeds promise.

Each case of ``tests/helpers/seed_dates.py`` is filed as a pull request of a real git
repository: planned with its events, merged, applied with the events the merge workflow
passes (``--pull-requests``). Then the plan, the delta CSVs, the SCIM and LDIF deltas, the
whitelists of the days around the date, the acceptance mail and ``status`` must all say
the dates of the table, which were derived from the seeds by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import git
import pytest

from tests.helpers.directory import BASE, deltas, members, slapd
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import ldif_entries, written_mails
from tests.helpers.provisioning import (
    applied_from_the_start,
    committed_on,
    over_applied,
    read_csv,
    status_table,
)
from tests.helpers.regfactory import RegistryFactory, certificate, contact, run_cli
from tests.helpers.scheduled_scenario import on
from tests.helpers.seed_dates import CASES, NEVER_USED, SeedCase

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


OPERATOR = "TESTOP01"
USER1 = "user1@test-gas.example.co.jp"
NEW = "new@test-gas.example.co.jp"


def cert(case: SeedCase) -> dict[str, Any]:
    """A certificate valid well around the case's dates (EPPCERT issues two years), or from
    the case's ``valid_from``."""
    start = case.valid_from or case.entered - timedelta(days=60)
    return certificate(
        1, serial="7A0001", not_before=str(start), not_after=str(start + timedelta(days=700))
    )


CERT = certificate(1)
# The groups of each system's code, as the SCIM and LDIF outputs name them.
CODES = {"taxis": "1011", "johs": "J1010", "juju": "granted", "loacus": "02010"}
LABELS = {
    "taxis": "託送システム",
    "johs": "託送情報開示システム",
    "juju": "消費機器保安情報授受システム",
}
LABELS["loacus"] = "託送ロードカーブシステム"
# And OCCTO's, which only a withdrawal's case holds.
NAMES = {**LABELS, "switching": "スイッチング支援システム", "member_portal": "会員情報管理システム"}


def _accepted_body(out: Path) -> str:
    """The body of the one 受付 mail a run wrote to ``out``."""
    (path,) = sorted((out / "mail").glob("*-accepted-*.eml"))
    body = message_from_bytes(path.read_bytes(), policy=policy.default).get_content()
    assert isinstance(body, str)
    return body


def _line_of(body: str, system: str) -> str:
    """The line of a 受付 mail's ``body`` about ``system``."""
    return next(ln for ln in body.splitlines() if ln.strip().startswith(NAMES[system]))


# The day a lifting's suspension began, long before the case.
SUSPENDED_BEFORE = "2026-12-01"
AT_ONCE = ("suspension", "lifting")


def _stopped(reg: RegistryFactory, case: SeedCase, day: str | None) -> None:
    """What the case suspends (its user ID, its certificate, its use of TAXIS), suspended
    from ``day`` (None: not suspended)."""
    if case.stops == "user":
        reg.user(suspended_on=day)
    elif case.stops == "certificate":
        reg.operator(certificates=[{**cert(case), "suspended_on": day}])
    else:
        stopped = [{"system": "taxis", "suspended_on": day, "reason": "不正利用の疑い"}]
        reg.operator(certificates=[cert(case)], suspensions=stopped if day else None)


# An OCCTO member using OCCTO's systems besides Tokyo Gas Network's, and its user an ID of
# each: the switching support system's as a retailer's admin (002 §3.2), the member
# system's (003 §3.2). Only the IDs of Tokyo Gas Network's systems outlast the membership.
MEMBER = {"status": "member", "member_since": "2020-04-01"}
MEMBER_SYSTEMS = ["taxis", "johs", "juju", "loacus", "switching", "member_portal"]
HELD = {"taxis": "1011", "johs": "J1010"}
AS_MEMBER = {"switching": "retailer_admin", "member_portal": "user"}
# As the mails name them: the catalog's keys, not a form's codes (``form: label``).
AS_MEMBER_SHOWN = {"switching": "管理者ID（小売電気事業者）", "member_portal": "利用者ユーザ"}


def _base(reg: RegistryFactory, case: SeedCase) -> None:
    """The registry before the case's pull request."""
    if case.kind == "withdrawal":
        roles = ["gas_retailer", "wheeling_client", *case.switching_roles]
        reg.operator(occto_member=True, membership=MEMBER, roles=roles, systems=MEMBER_SYSTEMS,
                     certificates=[cert(case)])  # fmt: skip
        reg.user(permissions={**HELD, **AS_MEMBER})
    elif case.kind in AT_ONCE:
        _stopped(reg, case, SUSPENDED_BEFORE if case.kind == "lifting" else None)
    elif case.kind == "user_change":
        reg.user(permissions={"taxis": "1010", "loacus": "02011"})
    elif case.kind == "user_remove":
        reg.user(permissions={"taxis": "1011", "johs": "J1010", "juju": "granted"})
    elif case.kind == "termination":
        reg.operator(certificates=[cert(case)])


def _change(gr: GitRegistry, case: SeedCase) -> None:
    """The case's application, as a window person would make it."""
    reg = gr.reg
    if case.kind == "user_add":
        reg.user(email=NEW, name="新井 新", permissions=dict(CODES))
    elif case.kind == "user_change":
        reg.user(permissions={"taxis": "1011", "loacus": "02010"})
    elif case.kind == "user_remove":
        gr.remove(f"users/{OPERATOR}/{USER1}.yaml")
    elif case.kind == "certificate":
        reg.operator(certificates=[cert(case)])
    elif case.kind in AT_ONCE:
        _stopped(reg, case, case.suspended_on.isoformat() if case.suspended_on else None)
    elif case.kind == "withdrawal":
        # The withdrawal filed as a window person files it: the command removes what only a
        # member holds (the member system, the retailer's IDs, a system used only as one).
        assert case.withdrawn_on is not None
        on = case.withdrawn_on.isoformat()
        edited = run_cli("operator", "change", "--operator", OPERATOR, "--membership",
                         "withdrawn", "--on", on, "--today", case.entered.isoformat(),
                         cwd=gr.path)  # fmt: skip
        assert edited.returncode == 0, edited.stderr
    else:
        assert case.terminated_on is not None
        on = case.terminated_on.isoformat()
        edited = run_cli("operator", "terminate", "--operator", OPERATOR, "--on", on, cwd=gr.path)
        assert edited.returncode == 0, edited.stderr


def _login(case: SeedCase) -> str:
    return NEW if case.kind == "user_add" else USER1


def _systems(case: SeedCase) -> dict[str, date | None]:
    return {k: v for k, v in case.expected.items() if k in CODES}


def _label(day: date | None) -> str:
    return day.isoformat() if day is not None else "manual"


class Run:
    """One case filed, planned, merged and applied; the outputs and the commands' views."""

    def __init__(self, gr: GitRegistry, case: SeedCase, tmp: Path) -> None:
        self.gr, self.case, self.tmp = gr, case, tmp
        before = (case.entered - timedelta(days=7)).isoformat()
        first = self.cli("apply", "--out", str(tmp / "initial"), "--initial", "--confirm",
                         "--today", before)  # fmt: skip
        assert first.returncode == 0, first.stderr
        gr.branch("pr", "main")
        _change(gr, case)
        gr.commit("the application")
        # Planned as the workflow plans it when the reviewer approves: on that day.
        planned = self.cli("plan", "--base", "main", "--head", "pr", "--format", "json",
                           "--entered-on", case.entered.isoformat(),
                           "--accepted-on", case.accepted.isoformat(),
                           "--today", case.accepted.isoformat())  # fmt: skip
        assert planned.returncode == 0, planned.stderr
        self.plan = json.loads(planned.stdout)
        gr.checkout("main")
        sha = gr.merge("pr")
        events = tmp / "pull-requests.json"
        events.write_text(
            json.dumps(
                [
                    {
                        "merge_commit": sha,
                        "number": 7,
                        "title": f"{case.id}: {case.seed}",
                        "entered_at": f"{case.entered}T09:00:00+09:00",
                        "accepted_at": f"{case.accepted}T10:00:00+09:00",
                        "merged_at": f"{case.merged}T11:00:00+09:00",
                    }
                ]
            )
        )
        self.out = tmp / "out"
        # A deletion or a termination removes most of this small registry's IDs.
        applied = self.cli("apply", "--out", str(self.out), "--confirm", "--pull-requests",
                           str(events), "--today", case.merged.isoformat(),
                           "--allow-mass-removal")  # fmt: skip
        assert applied.returncode == 0, applied.stderr

    def cli(self, *args: str) -> Any:
        return run_cli(*args, cwd=self.gr.path)

    def plan_items(self, subject: str, key: str) -> dict[str, Any]:
        (op,) = self.plan["operators"]
        (item,) = [i for i in op["items"] if i["subject"] == subject and i["key"] == key]
        return dict(item)

    def delta_rows(self, system: str) -> list[dict[str, str]]:
        rows: list[dict[str, str]] = []
        for path in sorted((self.out / "imports" / system).glob("delta-*.csv")):
            rows += read_csv(path)
        return rows

    def deltas_naming(self, kind: str, needle: str) -> list[str]:
        """The dated deltas (labels) of ``kind`` (scim, ldif) that mention ``needle``."""
        suffix = {"scim": "json", "ldif": "ldif"}[kind]
        return [
            p.name[len("delta-") : -len(suffix) - 1]
            for p in sorted((self.out / kind).glob(f"delta-*.{suffix}"))
            if needle in p.read_text(encoding="utf-8")
        ]

    def accepted_mail(self) -> EmailMessage:
        found = [
            message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted((self.out / "mail").glob("*-accepted-*.eml"))
        ]
        assert found, "no acceptance mail"
        mail = found[0]
        assert isinstance(mail, EmailMessage)
        return mail

    def status(self, day: date) -> dict[str, str]:
        header, *rows = self._tables(day)[0]
        return dict(zip(header, rows[-1], strict=True))  # the latest: the case's application

    def suspended(self, day: date) -> list[dict[str, str]]:
        """The suspensions ``status`` lists as in force on ``day``."""
        tables = self._tables(day)
        if len(tables) == 1:
            return []
        header, *rows = tables[1]
        return [dict(zip(header, row, strict=True)) for row in rows]

    def _tables(self, day: date) -> list[list[list[str]]]:
        # In Japanese: the seed's words for the progress (000 §5-1 ⑦), as the mails say it.
        listed = self.cli("--lang", "ja", "status", "--today", day.isoformat())
        assert listed.returncode == 0, listed.stderr
        return [
            [line.split("\t") for line in table.splitlines()]
            for table in listed.stdout.strip("\n").split("\n\n")
        ]

    def registered_mails(self, day: date) -> list[EmailMessage]:
        """The 登録完了連絡 an apply of the applied revision owes on ``day``."""
        applied = json.loads(self.gr.repo.git.show("refs/accessreg/state:state.json"))["applied"]
        out = self.tmp / f"due-{day}"
        ran = self.cli("apply", "--out", str(out), "--head", applied, "--today", day.isoformat())
        assert ran.returncode == 0, ran.stderr
        return written_mails(out, "*-registered-*.eml")

    def whitelist(self, day: date, system: str = "taxis") -> str:
        out = self.tmp / f"daily-{day}"
        if not out.exists():
            ran = self.cli("daily", "--out", str(out), "--today", day.isoformat())
            assert ran.returncode == 0, ran.stdout + ran.stderr
        return (out / "whitelist" / system / "cert-map.conf").read_text(encoding="utf-8")


@pytest.fixture(params=CASES, ids=lambda c: c.id)
def run(request: pytest.FixtureRequest, reg: RegistryFactory, tmp_path: Path) -> Iterator[Run]:
    case: SeedCase = request.param
    _base(reg, case)
    gr = GitRegistry(reg)
    try:
        yield Run(gr, case, tmp_path)
    finally:
        gr.close()


def _check_people(run: Run) -> None:
    case, login = run.case, _login(run.case)
    kind = {"user_add": "add", "user_change": "change"}.get(case.kind, "remove")
    item = run.plan_items("user", login)
    planned = {e["system"]: e["effective"]["on"] for e in item["effects"]}
    body = run.accepted_mail().get_content()
    for system, day in _systems(case).items():
        # The plan, before the merge, from the pull request's own events.
        assert planned[system] == (day.isoformat() if day else None), system
        # The delta CSV: the person's row, with its 適用日 (blank: a manual step).
        rows = [r for r in run.delta_rows(system) if r["メールアドレス（ID）"] == login]
        assert [r["適用日"] for r in rows] == [day.isoformat() if day else ""], system
        # ... and the batch it is in: that of its acceptance for a new user (000 §5-1 ③),
        # of its entry for a change of JUJU or LOACUS (§5-2 ③); none for a change of TAXIS
        # or JOHS, which the system takes at once (§5-2 ①), nor for a deletion (§5-3), as
        # the plan, the 受付 mail and ``status`` say.
        batched = kind == "add" or (kind == "change" and system in ("juju", "loacus"))
        m = str(case.processing_day) if batched and case.processing_day else ""
        assert [r["システム処理日（M）"] for r in rows] == [m], system
        # SCIM and LDIF: the system's group changes in the delta of that date only.
        code = case.change[system][1] if kind == "change" else CODES[system]
        group = f"{system}-{code}"
        assert run.deltas_naming("scim", group) == [_label(day)], system
        assert run.deltas_naming("ldif", f"cn={group}") == [_label(day)], system
        # The acceptance mail: the system's line with the date (or the manual step).
        line = _line_of(body, system)
        assert (day.isoformat() if day else "完了時にお知らせします") in line, line


def _check_certificate(run: Run, day: date) -> None:
    item = run.plan_items("certificate", CERT["id"])
    assert item["effective"]["on"] == day.isoformat()
    body = run.accepted_mail().get_content()
    assert f"証明書ID {CERT['id']}" in body and f"{day} 以降" in body
    # The whitelist of the day before refuses the serial, that of the day admits it.
    assert f"{CERT['serial']} {OPERATOR};" not in run.whitelist(day - timedelta(days=1))
    assert f"{CERT['serial']} {OPERATOR};" in run.whitelist(day)
    # The 登録完了連絡 (000 §4-2 ⑤): owed from the registration on (M+6, whatever the
    # validity), by the daily run over what was applied; it names the day of use.
    done = run.case.registered_on or day
    assert run.registered_mails(done - timedelta(days=1)) == []
    (mail,) = run.registered_mails(done)
    assert mail["Subject"].startswith("【登録完了連絡】クライアント証明書登録申請")
    assert f"{day} からご利用いただけます" in mail.get_content()
    # status: 処理中 until the registration, 処理完了 from it.
    before, on = run.status(done - timedelta(days=1)), run.status(done)
    assert (before["進捗"], before["証明書・IP"]) == ("処理中", "未済")
    assert (on["進捗"], on["証明書・IP"]) == ("処理完了", "済")


def _check_termination(run: Run, day: date) -> None:
    assert run.plan_items("operator", OPERATOR)["effective"]["on"] == day.isoformat()
    # Every item of the termination, and every permission of its users, has that one date.
    (op,) = run.plan["operators"]
    dates = {i["effective"]["on"] for i in op["items"] if i["effective"]}
    dates |= {e["effective"]["on"] for i in op["items"] for e in i["effects"]}
    assert dates == {day.isoformat()}
    assert {e["system"] for e in run.plan_items("user", USER1)["effects"]} == {"taxis", "johs"}
    # Every system's rows, the derived ones too: the window person's permission-management
    # ID ends with the operator.
    systems = {p.name for p in (run.out / "imports").iterdir()}
    rows = [r for s in sorted(systems) for r in run.delta_rows(s)]
    assert {r["適用日"] for r in rows} == {day.isoformat()}
    assert "admin_console" in {s for s in systems if run.delta_rows(s)}
    assert run.deltas_naming("ldif", f"uid={USER1}") == [day.isoformat()]
    assert run.deltas_naming("scim", USER1) == [day.isoformat()]
    assert f"利用終了 {day}" in run.accepted_mail().get_content()
    # The operator keeps its certificate until the termination date.
    assert f"{CERT['serial']} {OPERATOR};" in run.whitelist(day - timedelta(days=1))
    assert f"{CERT['serial']} {OPERATOR};" not in run.whitelist(day)


def _check_suspension(run: Run) -> None:
    """A suspension, or its lifting, is at once (001 p46, 002 §2.4): the plan, the deltas
    (with no processing day M, in a delta of that day), the whitelists of each day, the
    受付 mail, ``status`` and the state say its one day."""
    case = run.case
    assert case.stops is not None
    day = _only(case.expected[case.stops])
    stopping = case.kind == "suspension"
    subject, key = {
        "user": ("user", USER1),
        "certificate": ("certificate", CERT["id"]),
        "system": ("operator", OPERATOR),
    }[case.stops]
    # The plan, before the merge: the item's day, accepted on the Saturday, in no batch.
    item = run.plan_items(subject, key)
    assert item["application"] == "suspension"
    if case.stops == "system":
        (use,) = item["suspensions"]
        assert (use["system"], use["suspended"]) == ("taxis", stopping)
        assert use["effective"]["on"] == str(day)
    else:
        assert item["effective"]["on"] == str(day)
    assert (run.plan["accepted"], run.plan["processing_day"]) == (str(case.accepted), None)
    # The deltas: the user's rows of each system it stops, on the day, with no M.
    held = {"user": ("taxis", "johs"), "system": ("taxis",), "certificate": ()}[case.stops]
    kind = "停止" if stopping else "停止解除"
    for system in CODES:
        rows = [
            (path.name, r["区分"], r["適用日"], r["システム処理日（M）"])
            for path in sorted((run.out / "imports" / system).glob("delta-*.csv"))
            for r in read_csv(path)
            if r["メールアドレス（ID）"] == USER1
        ]
        expected = [(f"delta-at-once-{day}.csv", kind, str(day), "")] if system in held else []
        assert rows == expected, system
    if held:
        assert run.deltas_naming("scim", USER1) == [str(day)]
        assert run.deltas_naming("ldif", f"uid={USER1}") == [str(day)]
    # The whitelists: the certificate (or the operator's use of TAXIS) stops or starts again
    # on the day, in the merge's run and in the daily runs of the day and the Monday after;
    # a suspension not the day before, though its file may name that day.
    if case.stops != "user":
        serial = f"{CERT['serial']} {OPERATOR};"
        later = day + timedelta(days=2)
        if stopping:
            assert serial in run.whitelist(day - timedelta(days=1))
        for on in (day, later):
            assert (serial in run.whitelist(on)) is not stopping, on
        own = (run.out / "whitelist" / "taxis" / "cert-map.conf").read_text(encoding="utf-8")
        assert (serial in own) is not stopping
        if case.stops == "system":  # its other systems keep it
            assert serial in run.whitelist(day, "johs")
    # The 受付 mail to the window person: the application by its name, the day on its line.
    mail = run.accepted_mail()
    kind = "利用の停止" if stopping else "停止解除"  # which of the two it is
    assert mail["Subject"] == f"【受付】{kind}（テストガス株式会社）"
    assert mail["To"].addresses[0].addr_spec == "window1@test-gas.example.co.jp"
    body = mail.get_content()
    assert f"申請種別: {kind}（" in body and "システム処理日（M）" not in body
    if case.stops == "user":
        for system in held:
            assert f"{'利用停止' if stopping else '利用再開'} {day}" in _line_of(body, system)
    elif case.stops == "certificate":
        what = "利用停止" if stopping else "停止解除"
        assert f"・クライアント証明書の{what}: 証明書ID {CERT['id']}、" in body
        assert f" / 反映 {day} 以降" in body
    else:
        what = "停止" if stopping else "停止解除"
        assert f"・システム利用の{what}: 託送システム（taxis） / 反映 {day} 以降" in body
    # status: from that day (not the day the file names, when it is before the merge).
    target = {
        "user": USER1,
        "certificate": f"{CERT['id']}（シリアル {CERT['serial']}）",
        "system": "託送システム（taxis）",
    }[case.stops]
    since = [r["停止日"] for r in run.suspended(day) if r["対象"] == target]
    assert since == ([str(day)] if stopping else [])
    # The state: the day, recorded once (for an operator's use, per system).
    state = json.loads(run.gr.repo.git.show("refs/accessreg/state:state.json"))
    recorded = [
        (i["system"], i["on"])
        for b in state["batches"].values()
        for a in b["applications"]
        for i in a["items"]
        if i["key"] == key and i["keyed"] == "suspended_on"
    ]
    own = [(None, str(day))]
    assert recorded == ([*own, ("taxis", str(day))] if case.stops == "system" else own)


def _check_withdrawal(run: Run) -> None:
    """003 §2.7.1: what the operator holds as an OCCTO member ends with the membership, on the
    withdrawal's day (the merge, where that is past): the member system, its retailer IDs on
    the switching support system, that system itself where it uses it only as a member. The
    plan, the deltas, the snapshots of the runs before and on that day, the 受付 mail, the
    state and the completion notices say that one day; the user keeps the other systems."""
    case = run.case
    day = _only(case.expected["operator"])
    ending = {s: _only(on) for s, on in case.expected.items() if s != "operator"}
    assert set(ending.values()) == {day}
    operator = run.plan_items("operator", OPERATOR)
    assert operator["effective"]["on"] == day.isoformat()
    planned = {
        e["system"]: (e["new"], e["effective"]["on"])
        for e in run.plan_items("user", USER1)["effects"]
    }
    assert planned == {s: (None, on.isoformat()) for s, on in ending.items()}

    def held(out: Path, system: str) -> bool:
        snapshot = read_csv(out / f"imports/{system}/snapshot.csv")
        return USER1 in {r["メールアドレス（ID）"] for r in snapshot}

    before = (
        over_applied(run.gr, run.tmp, str(day - timedelta(days=1))) if day > case.merged else None
    )
    after = over_applied(run.gr, run.tmp, day.isoformat())
    body = run.accepted_mail().get_content()
    for system, ends_on in ending.items():
        rows = [r for r in run.delta_rows(system) if r["メールアドレス（ID）"] == USER1]
        assert [(r["区分"], r["適用日"]) for r in rows] == [("抹消", ends_on.isoformat())], system
        # The merge's run holds the user until the day; the daily run of that day has them
        # gone.
        assert held(run.out, system) is (ends_on > case.merged), system
        if before is not None:
            assert held(before, system), system
        assert not held(after, system), system
        assert ends_on.isoformat() in _line_of(body, system), system
    # The certificate still reaches Tokyo Gas Network's systems.
    serial = f"{CERT['serial']} {OPERATOR};"
    assert serial in run.whitelist(day, "johs")
    # It reaches the switching support system while the operator is a member: the merge's
    # run and the daily run of the day before let it through, that of the day not, where
    # the operator used the system only as a member (002 §2.1.1 ①(イ)); one keeping the
    # system for another role keeps it.
    keeps = "demand_response" in case.switching_roles
    merged = (run.out / "whitelist/switching/cert-map.conf").read_text(encoding="utf-8")
    assert (serial in merged) is (keeps or day > case.merged)
    if day > case.merged:
        assert serial in run.whitelist(day - timedelta(days=1), "switching")
    assert (serial in run.whitelist(day, "switching")) is keeps
    # The usage change says what it is: the withdrawal, and the systems it ends, citing
    # the end of their contracts (003 §2.7.1; 002 §2.1.1, §2.7.2 for a system used only as
    # a member), not joining (003 §2.2) nor Tokyo Gas Network's usage change (000 §3-2).
    left, cited = "会員情報管理システム", "003 §2.7.1"
    if "demand_response" not in case.switching_roles:
        left = "スイッチング支援システム・会員情報管理システム"
        cited = "002 §2.1.1, §2.7.2, 003 §2.7.1"
    assert f"申請種別: 利用申請（変更）（{cited}）、" in body, body
    assert (
        f"・利用申請（変更）: 登録内容の変更（広域機関の会員資格: {case.withdrawn_on} に退会、"
        f"利用をやめるシステム: {left}）"
    ) in body, body
    state = json.loads(run.gr.repo.git.show("refs/accessreg/state:state.json"))
    recorded = {
        (i["key"], i["system"], i["on"], i["keyed_on"])
        for b in state["batches"].values()
        for a in b["applications"]
        for i in a["items"]
        if i["keyed"] == "withdrawn_on"
    }
    written = str(case.withdrawn_on)
    # The operator's own item, and each system it leaves with the membership (which the
    # whitelists read): the member system, and the switching support system where it used
    # it only as a member.
    left = ["member_portal", *(() if keeps else ("switching",))]
    assert recorded == {
        (OPERATOR, None, day.isoformat(), written),
        *((OPERATOR, s, day.isoformat(), written) for s in left),
        *((USER1, s, on.isoformat(), written) for s, on in ending.items()),
    }
    # OCCTO's registration confirmed the day after the merge: its notice gives the day, or
    # the registration's where that is later (nothing is in effect before it is registered).
    (batch,) = [b for b in state["batches"].values() if b["created_on"] == str(case.merged)]
    out, confirmed = run.tmp / "confirmed", case.merged + timedelta(days=1)
    for system, code in AS_MEMBER_SHOWN.items():
        ran = run.cli("confirm", batch["id"], "--system", system, "--out", str(out / system),
                      "--today", str(confirmed))  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        (notice,) = written_mails(out / system, f"*-completed-{system}-*.eml")
        ends = max(ending[system], confirmed)
        assert f"（ID: {USER1}）: 抹消 {code}" in notice.get_content(), notice.get_content()
        assert f" / 利用終了 {ends}" in notice.get_content(), notice.get_content()


CHECKS: dict[str, Callable[[Run], None]] = {
    "user_add": _check_people,
    "user_change": _check_people,
    "user_remove": _check_people,
    "certificate": lambda r: _check_certificate(r, _only(r.case.expected["certificate"])),
    "termination": lambda r: _check_termination(r, _only(r.case.expected["operator"])),
    "suspension": _check_suspension,
    "lifting": _check_suspension,
    "withdrawal": _check_withdrawal,
}


def _only(day: date | None) -> date:
    assert day is not None
    return day


def test_every_output_carries_the_seeds_dates(run: Run) -> None:
    case = run.case
    CHECKS[case.kind](run)
    # The 受付 mail says the acceptance as the centre counts it (a business day), as status
    # does; it is dated the day of the run that wrote it, the merge's: a 受付日 after it
    # (an approval on a closed day) is told as one to come.
    mail = run.accepted_mail()
    assert mail["Date"].datetime.date() == case.merged
    told = (
        f"休業日に承認されたため、{case.accepted_counts}（営業日）付で受け付けます"
        if case.accepted_counts > case.merged
        else f"受付日: {case.accepted_counts}"
    )
    assert told in mail.get_content(), mail.get_content()
    listed = run.status(case.merged)
    assert listed["受付日"] == case.accepted_counts.isoformat()
    if case.processing_day is not None:
        assert listed["M"] == case.processing_day.isoformat()
    elif case.kind in AT_ONCE:
        assert listed["M"] == ""  # in no batch
    # Recorded once: a later apply with other events, or a calendar edit, moves nothing.
    state = json.loads(run.gr.repo.git.show("refs/accessreg/state:state.json"))
    recorded = [a for b in state["batches"].values() for a in b["applications"] if a["items"]]
    assert [a["title"] for a in recorded] == [f"#7 {case.id}: {case.seed}"]


def test_a_never_used_id_counts_from_its_issue_date(reg: RegistryFactory, tmp_path: Path) -> None:
    case_id, system, issued, first_warning = NEVER_USED
    (case,) = [c for c in CASES if c.id == case_id]
    gr = GitRegistry(reg)
    try:
        done = Run(gr, case, tmp_path)
        assert case.expected[system] == issued
        export = tmp_path / "last-logins.csv"
        export.write_text(f"ID,last_login\n{USER1},{case.accepted}\n{NEW},\n", encoding="utf-8")
        for day, stage in ((first_warning - timedelta(days=1), ""), (first_warning, "警告1")):
            out = tmp_path / f"stale-{day}"
            ran = done.cli("stale", "--last-logins", str(export), "--out", str(out),
                           "--today", day.isoformat())  # fmt: skip
            assert ran.returncode == 0, ran.stderr
            rows = {r["メールアドレス（ID）"]: r for r in read_csv(out / "stale.csv")}
            row = rows[NEW]
            assert (row["起算日"], row["起算日の根拠"]) == (issued.isoformat(), "発行日")
            assert row["段階"] == stage
    finally:
        gr.close()


def _branch(gr: GitRegistry, name: str, change: Callable[[], object]) -> None:
    """``change`` on a branch ``name`` from main, as a pull request's."""
    gr.branch(name, "main")
    change()
    gr.commit(name)
    gr.checkout("main")


def _applied(
    gr: GitRegistry,
    tmp: Path,
    name: str,
    change: Callable[[], object] | None,
    day: str = "2026-12-02",
) -> Path:
    """``change`` (None: the branch ``name`` made already) merged as a pull request
    approved on ``day``, applied that day."""
    if change is not None:
        _branch(gr, name, change)
    sha = gr.merge(name)
    events = tmp / f"{name}.json"
    events.write_text(json.dumps([{"merge_commit": sha, "accepted_at": day}]))
    out = tmp / name
    ran = run_cli("apply", "--out", str(out), "--confirm", "--pull-requests", str(events),
                  "--today", day, "--allow-mass-removal", cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return out


def _applied_together(
    gr: GitRegistry, tmp: Path, day: str, merges: list[tuple[str, str, Callable[[], object]]]
) -> Path:
    """Each change of ``merges`` (branch, the day its pull request was approved, the change)
    merged in turn, all applied by one run on ``day``, whose outputs are ``tmp / "both"``."""
    accepted = []
    for name, approved, change in merges:
        _branch(gr, name, change)
        accepted.append({"merge_commit": gr.merge(name), "accepted_at": approved})
    events = tmp / "both.json"
    events.write_text(json.dumps(accepted))
    out = tmp / "both"
    ran = run_cli("apply", "--out", str(out), "--confirm", "--pull-requests", str(events),
                  "--today", day, cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return out


def _recorded_on(gr: GitRegistry, login: str, system: str | None, action: str) -> list[str]:
    """The dates the state records for ``login``'s ``system`` items of ``action`` (None: the
    user's own, a suspension's; ", waits": moved to the day a permission applied before
    comes)."""
    state = json.loads(gr.repo.git.show("refs/accessreg/state:state.json"))
    return [
        i["on"] + (", waits" if i["waits"] else "")
        for b in state["batches"].values()
        for a in b["applications"]
        for i in a["items"]
        if i["key"] == login and i["system"] == system and i["action"] == action
    ]


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    made = applied_from_the_start(reg, tmp_path)
    yield made
    made.close()


def test_a_replaced_window_person_has_one_date_in_every_delta(
    gr: GitRegistry, tmp_path: Path
) -> None:
    def replace_primary() -> None:
        edited = run_cli(
            *("contact", "add", "--operator", OPERATOR, "--role", "primary"),
            *("--contact-name", "窓口 五郎", "--contact-name-kana", "マドグチ ゴロウ"),
            *("--contact-email", "window5@test-gas.example.co.jp"),
            *("--contact-phone", "03-0000-0005", "--contact-github", "window-5"),
            *("--replaces", "window1@test-gas.example.co.jp"),
            cwd=gr.path,
        )
        assert edited.returncode == 0, edited.stderr

    out = _applied(gr, tmp_path, "replace", replace_primary)
    rows = [
        (path.parent.name, row["適用日"])
        for path in sorted((out / "imports").glob("*/delta-*.csv"))
        for row in read_csv(path)
        if row["メールアドレス（ID）"] == "window1@test-gas.example.co.jp"
    ]
    # Losing the permission-management system (a usage change, 000 §3-2: about 15 business
    # days after the acceptance of 12/2) changes the person's rows of every system it holds,
    # all on that one date.
    assert {system for system, _ in rows} == {"taxis", "loacus", "info_site", "admin_console"}
    assert {day for _, day in rows} == {"2026-12-23"}
    # The info-sharing site's update notices change hands on that date too (000 §7-3):
    # the leaver's address is removed and the new one registered then, not on the merge.
    assert _subscriber_delta(out) == {
        ("抹消", "window1@test-gas.example.co.jp", "2026-12-23"),
        ("仮登録", "window5@test-gas.example.co.jp", "2026-12-23"),
    }
    assert "window1@test-gas.example.co.jp" in _subscribed(out)
    assert "window5@test-gas.example.co.jp" not in _subscribed(out)
    later = _subscribed(over_applied(gr, tmp_path, "2026-12-23"))
    assert "window5@test-gas.example.co.jp" in later
    assert "window1@test-gas.example.co.jp" not in later


def test_a_window_person_change_is_in_no_batch_in_any_output(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """000 §3-2: a deputy made primary and the primary leaving, accepted on 2026-12-10, is a
    usage change. The window persons' IDs of the permission-management system are made and
    deleted in its registration work (⑤システム登録作業, about 15 business days: over the
    year-end closure, 2027-01-05; 000 §3-1 ⑥ 注3, §3-2 ⑥ 注2), which no M batch holds: the
    leaver's rows of every system take effect then, with no M (not the 16th's, the batch
    of the acceptance), in a delta of the usage application's day, never one named as a
    batch's (2027-01-05 is also the M of the batch after). The plan, the 受付 mail, the
    run's report and ``status`` name no M either."""
    reg.operator(contacts=[contact(), contact("deputy", n=2)])
    gr = applied_from_the_start(reg, tmp_path)
    leaver, day, usage = "window1@test-gas.example.co.jp", "2026-12-10", "2027-01-05"
    try:
        gr.branch("promote", "main")
        promoted = run_cli("contact", "promote", "--operator", OPERATOR, "--former-primary",
                           "leaves", "--email", "window2@test-gas.example.co.jp", "--today",
                           day, cwd=gr.path)  # fmt: skip
        assert promoted.returncode == 0, promoted.stderr
        gr.commit("promote")
        planned = run_cli("plan", "--base", "main", "--head", "promote", "--format", "json",
                          "--accepted-on", day, "--today", day, cwd=gr.path)  # fmt: skip
        assert planned.returncode == 0, planned.stderr
        plan = json.loads(planned.stdout)
        assert (plan["processing_day"], plan["processing_days"]) == (None, [])
        (op,) = plan["operators"]
        assert {i["effective"]["on"] for i in op["items"]} == {usage}
        gr.checkout("main")
        out = _applied(gr, tmp_path, "promote", None, day)
        rows = [
            (path.parent.name, path.name, row["区分"], row["適用日"], row["システム処理日（M）"])
            for path in sorted((out / "imports").glob("*/delta-*.csv"))
            for row in read_csv(path)
        ]
        name = f"delta-day-{usage}.csv"
        assert sorted(rows) == [
            ("admin_console", name, "抹消", usage, ""),
            *((system, name, "変更", usage, "") for system in ("info_site", "loacus", "taxis")),
        ]
        for row in read_csv(out / "imports/taxis" / name):
            assert (row["メールアドレス（ID）"], row["システム利用権限管理システム"]) == (
                leaver,
                "なし",
            )
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["processing_days"] == []
        assert "システム処理日（M）" not in _accepted_body(out)
        assert status_table(gr, day)[-1]["M"] == ""
    finally:
        gr.close()


def _subscribed(out: Path) -> set[str]:
    """The addresses ``out``'s subscriber list of the info-sharing site holds."""
    return {r["連絡先メールアドレス"] for r in read_csv(out / "info_site/subscribers.csv")}


def _subscriber_delta(out: Path) -> set[tuple[str, str, str]]:
    """What ``out`` tells the reception centre to do on the info-sharing site, and when."""
    rows = read_csv(out / "info_site/subscribers-delta.csv")
    return {(r["区分"], r["連絡先メールアドレス"], r["実施日"]) for r in rows}


def _holds(out: Path, login: str) -> dict[str, bool]:
    """Whether each snapshot of ``out`` holds ``login``: the permission-management
    system's CSV, the info-sharing site's subscribers, the LDIF and the SCIM ones."""
    admin = read_csv(out / "imports/admin_console/snapshot.csv")
    return {
        "admin_console": login in {r["メールアドレス（ID）"] for r in admin},
        "info_site": login in _subscribed(out),
        "ldif": f"uid={login}," in (out / "ldif/snapshot.ldif").read_text(encoding="utf-8"),
        "scim": login in (out / "scim/snapshot.json").read_text(encoding="utf-8"),
    }


def test_a_termination_still_to_come_ends_its_window_person_on_its_date(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """000 §3-3: the operator ends on the day it chose, 2027-01-20, for every user; its
    pull request is entered, approved, merged and applied on 2026-12-21. Its primary
    window person, a user too, ends on that day in every output, the permission-management
    system's ID included (derived from the window persons, no item of the plan names it):
    the plan, every delta CSV's 適用日, one dated LDIF and SCIM delta (none after a manual
    step), the snapshots until the day before, the 受付 mail and the completion notice, the
    state and status."""
    day, ends = date(2026, 12, 21), "2027-01-20"
    window = "window1@test-gas.example.co.jp"
    gr.branch("end", "main")
    edited = run_cli("operator", "terminate", "--operator", OPERATOR, "--on", ends,
                     "--today", day.isoformat(), cwd=gr.path)  # fmt: skip
    assert edited.returncode == 0, edited.stderr
    gr.repo.git.add("-A")
    gr.repo.git.commit("-q", "-m", "end", env=on(day))
    events = ("--entered-on", day.isoformat(), "--accepted-on", day.isoformat())
    planned = run_cli("plan", "--base", "main", "--head", "end", "--format", "json", *events,
                      "--today", day.isoformat(), cwd=gr.path)  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    (op,) = json.loads(planned.stdout)["operators"]
    dates = {i["effective"]["on"] for i in op["items"] if i["effective"]}
    dates |= {e["effective"]["on"] for i in op["items"] for e in i["effects"]}
    assert dates == {ends}
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "end", env=on(day))
    out = tmp_path / "out"
    applied = run_cli("apply", "--out", str(out), "--confirm", *events, "--today",
                      day.isoformat(), "--allow-mass-removal", cwd=gr.path)  # fmt: skip
    assert applied.returncode == 0, applied.stderr

    rows = {
        (path.parent.name, path.name, row["区分"], row["適用日"], row["システム処理日（M）"])
        for path in sorted((out / "imports").glob("*/delta-*.csv"))
        for row in read_csv(path)
        if row["メールアドレス（ID）"] == window
    }
    # A termination is no application an M batch holds (000 §3-3): no M, not that of the
    # acceptance, in the delta of its usage application's day.
    systems = {"taxis", "loacus", "info_site", "admin_console"}
    name = f"delta-day-{ends}.csv"
    assert rows == {(system, name, "抹消", ends, "") for system in systems}
    for kind in ("ldif", "scim"):
        assert sorted(p.name for p in (out / kind).glob("delta-*")) == [
            f"delta-{ends}.{'json' if kind == 'scim' else 'ldif'}"
        ]
    ldif = (out / f"ldif/delta-{ends}.ldif").read_text(encoding="utf-8")
    assert f"dn: uid={window},ou=people,{BASE}\nchangetype: delete" in ldif
    scim = json.loads((out / f"scim/delta-{ends}.json").read_text(encoding="utf-8"))
    assert {"method": "DELETE", "path": f"/Users/{window}"} in scim["Operations"]
    assert ("抹消", window, ends) in _subscriber_delta(out)
    # The snapshots hold the person on the run's day and until the day before the end.
    assert set(_holds(out, window).values()) == {True}
    assert set(_holds(over_applied(gr, tmp_path, "2027-01-19"), window).values()) == {True}
    assert set(_holds(over_applied(gr, tmp_path, ends), window).values()) == {False}
    # A later merge of another operator: the run takes the ending operator's share on the
    # day from the cache, as the run before kept it, and it still holds the person.
    later = date(2026, 12, 22)
    gr.branch("another", "main")
    gr.reg.operator("TESTOP02", contacts=[contact(n=2)])
    gr.repo.git.add("-A")
    gr.repo.git.commit("-q", "-m", "another", env=on(later))
    gr.checkout("main")
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "another", env=on(later))
    again = tmp_path / "again"
    ran = run_cli("apply", "--out", str(again), "--confirm", "--today", later.isoformat(),
                  cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert set(_holds(again, window).values()) == {True}
    body = _accepted_body(out)
    assert f"利用終了 {ends}" in body and "完了時にお知らせします" not in body
    state = json.loads(gr.repo.git.show("refs/accessreg/state:state.json"))
    (batch,) = [b for b in state["batches"].values() if b["created_on"] == day.isoformat()]
    assert batch["moves"]["admin_console"] == {window: ends}
    assert _recorded_on(gr, window, "taxis", "remove") == [ends]
    # Its import confirmed, the notice of the permission-management system gives the day.
    notices = tmp_path / "confirmed"
    ran = run_cli("confirm", batch["id"], "--system", "admin_console", "--out", str(notices),
                  "--today", "2026-12-22", cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    (path,) = (notices / "mail").glob("*-completed-admin_console-*.eml")
    notice = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert f"（ID: {window}）: 抹消 あり / 利用終了 {ends}" in notice.get_content()
    listed = run_cli(
        "--lang", "ja", "status", "--operator", OPERATOR, "--today", day.isoformat(), cwd=gr.path
    )
    assert listed.returncode == 0, listed.stderr
    header, *lines = (line.split("\t") for line in listed.stdout.splitlines())
    latest = dict(zip(header, lines[-1], strict=True))
    assert (latest["受付日"], latest["申請種別"]) == (day.isoformat(), "利用申請（終了）")


def test_a_memo_changed_alone_is_announced_as_its_rows_date_it(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memo (申請メモ, a field of the 5-1 and 5-2 forms, 000 §5-1 ①, §5-2 ①) is a cell
    of every row the user has: changed alone, the rows change, entered as a 5-2 is and
    dated as one (TAXIS and JOHS at once, the info-sharing site with them), so the 受付 mail
    lists each system's change on that date, not an application with no line."""
    committed_on(monkeypatch, "2026-12-02")
    out = _applied(gr, tmp_path, "memo", lambda: gr.reg.user(memo="席替え"))
    rows = {
        s: [(r["区分"], r["適用日"], r["申請メモ"]) for r in read_csv_rows(out, s)]
        for s in ("taxis", "johs", "info_site")
    }
    assert rows == {s: [("変更", "2026-12-02", "席替え")] for s in ("taxis", "johs", "info_site")}
    body = _accepted_body(out)
    for system in ("taxis", "johs"):
        line = _line_of(body, system).strip()
        memo = f"{NAMES[system]}（{system}）: 登録内容の変更（申請メモ）"
        assert line == f"{memo} / 変更適用 2026-12-02"


def test_a_change_of_a_users_own_fields_is_dated_per_system_in_every_output(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's name and its reading changed, the codes kept, approved on 12/2: every row of
    theirs changes (the form's fields, 000 §5-1 ①), each on its system's change timing
    (000 §5-2): TAXIS at once (12/2), LOACUS in the batch (M 12/16, M+9: 12/29), the
    info-sharing site with the first of those the person holds (12/2), not after a manual
    step that no one does. The plan, the rows, the 受付 mail and the recorded application
    give those dates, the plan and the mail with no code changed into itself."""
    window = "window1@test-gas.example.co.jp"
    codes = {"taxis": "1010", "loacus": "02011"}
    renamed = {"name": "窓口 一子", "name_kana": "マドグチ イチコ", "permissions": codes}
    committed_on(monkeypatch, "2026-12-02")
    # The address in other letter case: the same ID (000 §5-1 note 3), only written otherwise.
    _branch(gr, "rename", lambda: gr.reg.user(email=window.capitalize(), **renamed))
    expected = {"taxis": "2026-12-02", "loacus": "2026-12-29"}
    planned = {s: _planned_on(gr.path, "main", "rename", "2026-12-02", window, s) for s in codes}
    assert planned == {s: [day] for s, day in expected.items()}
    shown = run_cli("--lang", "ja", "plan", "--base", "main", "--head", "rename",
                    "--entered-on", "2026-12-02", "--accepted-on", "2026-12-02",
                    "--today", "2026-12-02", cwd=gr.path)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "託送システム（taxis） 登録内容の変更（権限の変更なし）: 2026-12-02" in shown.stdout
    assert "1010（更新権限なし） → 1010" not in shown.stdout
    out = _applied(gr, tmp_path, "rename", None)
    rows = {
        s: [(r["区分"], r["適用日"], r["利用者名（漢字）"]) for r in read_csv_rows(out, s)]
        for s in (*codes, "info_site")
    }
    assert rows == {
        "taxis": [("変更", "2026-12-02", "窓口 一子")],
        "loacus": [("変更", "2026-12-29", "窓口 一子")],
        "info_site": [("変更", "2026-12-02", "窓口 一子")],
    }
    body = _accepted_body(out)
    for system, day in expected.items():
        changed = (
            f"{NAMES[system]}（{system}）: "
            "登録内容の変更（メールアドレスの表記・利用者名（漢字）・利用者名（カナ））"
        )
        assert _line_of(body, system).strip() == f"{changed} / 変更適用 {day}"
        assert _recorded_on(gr, window, system, "change") == [day]


def test_a_memo_of_a_loacus_user_shows_in_the_snapshots_from_its_rows_day(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A LOACUS-only user's memo changed on 12/2 is LOACUS's change, M+9 (12/29), and the
    info-sharing site's with it: every run until then, the merge's and the daily ones,
    shows the memo downstream holds, the recorded item telling them the operator waits."""
    reg.user(email=NEW, permissions={"loacus": "02011"}, memo="旧メモ")
    gr = applied_from_the_start(reg, tmp_path)
    try:
        committed_on(monkeypatch, "2026-12-02")

        def change() -> None:
            gr.reg.user(email=NEW, permissions={"loacus": "02011"}, memo="新メモ")

        out = _applied(gr, tmp_path, "memo", change)
        for system in ("loacus", "info_site"):
            rows = [(r["適用日"], r["申請メモ"]) for r in read_csv_rows(out, system)]
            assert rows == [("2026-12-29", "新メモ")], system
        assert _recorded_on(gr, NEW, "loacus", "change") == ["2026-12-29"]
        expected = {"2026-12-02": "旧メモ", "2026-12-28": "旧メモ", "2026-12-29": "新メモ"}
        for day, memo in expected.items():
            daily = out if day == "2026-12-02" else over_applied(gr, tmp_path, day)
            for system in ("loacus", "info_site"):
                snapshot = read_csv(daily / "imports" / system / "snapshot.csv")
                held = [r["申請メモ"] for r in snapshot if r["メールアドレス（ID）"] == NEW]
                assert held == [memo], (day, system)
    finally:
        gr.close()


def test_a_new_users_permission_comes_on_its_day_though_its_change_comes_later(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A new user of LOACUS approved on 12/2 comes on 12/29 (M 12/16, M+9); a change of
    that permission approved on 12/17 waits for it and comes in the next batch (M 1/5,
    M+9: 1/19). The snapshots hold the user from 12/29 with the code applied for first,
    then the changed one: the run of a merge on 12/18, going back to the first batch,
    dates the addition by its own day, not by the change the later batch recorded, and
    the daily run of 12/29 takes the operator's share from it until the day it named."""
    _applied(gr, tmp_path, "add", lambda: gr.reg.user(email=NEW, permissions={"loacus": "02010"}))
    changed = {"loacus": "02011"}
    _applied(
        gr, tmp_path, "change", lambda: gr.reg.user(email=NEW, permissions=changed), "2026-12-17"
    )
    assert _recorded_on(gr, NEW, "loacus", "change") == ["2027-01-19"]
    memo = _applied(gr, tmp_path, "memo", lambda: gr.reg.user(memo="席替え"), "2026-12-18")
    for day, held in (("2026-12-18", None), ("2026-12-29", "02010"), ("2027-01-19", "02011")):
        out = memo if day == "2026-12-18" else over_applied(gr, tmp_path, day)
        rows = read_csv(out / "imports/loacus/snapshot.csv")
        codes = [r["権限コード"] for r in rows if r["メールアドレス（ID）"] == NEW]
        assert codes == ([held] if held else []), day


# A usage change approved on 2026-12-02 completes about 15 business days later (000 §3-2).
USAGE_DAY = "2026-12-23"
RENAMED = "テストガスネットワーク株式会社"


def _delta_rows(out: Path) -> set[tuple[str, str, str, str, str, str]]:
    """Every delta row of ``out``: system, file, 区分, 適用日, M and the login ID."""
    return {
        (
            path.parent.name,
            path.name,
            r["区分"],
            r["適用日"],
            r["システム処理日（M）"],
            r["メールアドレス（ID）"],
        )
        for path in sorted((out / "imports").glob("*/delta-*.csv"))
        for r in read_csv(path)
    }


def _names_in_snapshot(out: Path, system: str) -> dict[str, tuple[str, str]]:
    """Login → 事業者名 and 所属事業者名 of ``out``'s snapshot of ``system``."""
    rows = read_csv(out / "imports" / system / "snapshot.csv")
    return {r["メールアドレス（ID）"]: (r["事業者名"], r["所属事業者名"]) for r in rows}


def _usage_planned(gr: GitRegistry, head: str, day: str) -> list[tuple[str, str, str | None]]:
    """The items of the plan of ``head`` approved on ``day`` (``_plan_json``): subject,
    date, M."""
    (op,) = _plan_json(gr.path, "main", head, day)["operators"]
    return [
        (i["subject"], i["effective"]["on"], i["effective"]["processing_day"]) for i in op["items"]
    ]


def test_an_operators_new_name_reaches_its_users_rows_on_the_usage_changes_day(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """000 §3-2: the operator's name, a cell of every row of its people (事業者名, 000 §5-1
    ①), changed in a usage change approved on 12/2. The registration work that changes it
    completes about 15 business days later (⑥手続き完了通知: 12/23), and every row that
    carries the name changes with it, whatever its system's timing for a 5-2 (TAXIS and JOHS
    at once, LOACUS M+9, the info-sharing site after a manual step): dated 12/23 in no M
    batch (the usage application's delta), in the CSV, SCIM and LDIF deltas alike. The plan
    and the 受付 mail give that day, the state records it for each row, each completion
    notice dates the rows by it, and the snapshots hold the old name until then: in the
    run of a later merge and the daily runs too, which know from the state to wait."""
    committed_on(monkeypatch, "2026-12-02")
    _branch(gr, "rename", lambda: gr.reg.operator(name=RENAMED))
    assert _usage_planned(gr, "rename", "2026-12-02") == [("operator", USAGE_DAY, None)]
    out = _applied(gr, tmp_path, "rename", None)
    name = f"delta-day-{USAGE_DAY}.csv"
    assert _delta_rows(out) == {
        *((s, name, "変更", USAGE_DAY, "", USER1) for s in ("taxis", "johs", "info_site")),
        *(
            (s, name, "変更", USAGE_DAY, "", WINDOW1)
            for s in ("taxis", "loacus", "info_site", "admin_console")
        ),
    }
    assert {r["事業者名"] for r in read_csv(out / "imports/taxis" / name)} == {RENAMED}
    for kind, suffix in (("ldif", "ldif"), ("scim", "json")):
        assert [p.name for p in (out / kind).glob("delta-*")] == [f"delta-{USAGE_DAY}.{suffix}"]
    ldif = (out / f"ldif/delta-{USAGE_DAY}.ldif").read_text(encoding="utf-8")
    for login in (USER1, WINDOW1):
        assert f"dn: uid={login},ou=people,{BASE}\nchangetype: modify\nreplace: o\n" in ldif
    body = _accepted_body(out)
    assert f"登録内容の変更 / 反映 {USAGE_DAY} 以降" in body
    assert "システム処理日（M）" not in body
    for login, systems in ((USER1, ("taxis", "johs")), (WINDOW1, ("taxis", "loacus"))):
        for system in systems:
            assert _recorded_on(gr, login, system, "change") == [USAGE_DAY]
    latest = status_table(gr, "2026-12-02")[-1]
    assert (latest["M"], latest["申請種別"]) == ("", "利用申請（変更）")
    # Until the day, every run's snapshots hold the old name: a later merge's, the daily's.
    later = _applied(gr, tmp_path, "later", lambda: gr.reg.user(email=NEW), "2026-12-10")
    for run in (out, later, over_applied(gr, tmp_path, "2026-12-22")):
        assert _names_in_snapshot(run, "taxis")[USER1] == ("テストガス株式会社",) * 2
    renamed = _names_in_snapshot(over_applied(gr, tmp_path, USAGE_DAY), "taxis")
    assert renamed[USER1] == (RENAMED, RENAMED)
    # Imported on 12/3, each system's completion notice dates the rows by the usage change.
    state = json.loads(gr.repo.git.show("refs/accessreg/state:state.json"))
    (batch,) = [b for b in state["batches"].values() if b["created_on"] == "2026-12-02"]
    notices = tmp_path / "confirmed"
    ran = run_cli("confirm", batch["id"], "--out", str(notices), "--today", "2026-12-03",
                  cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    for system in ("taxis", "info_site"):
        (notice,) = written_mails(notices, f"*-completed-{system}-*.eml")
        lines = [ln for ln in str(notice.get_content()).splitlines() if "（ID: " in ln]
        assert lines and all(ln.endswith(f"（{USAGE_DAY} 以降）") for ln in lines), lines


def test_a_subcontractors_new_name_reaches_its_staffs_rows_on_the_usage_changes_day(
    reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A subcontractor is declared in the usage application (000 §5-1 注2), and its name is
    a cell of its staff's rows (所属事業者名, 000 §5-1 ①): renamed in a usage change approved
    on 12/2, its staff's rows change on the change's day (12/23), not on JUJU's timing for a
    5-2 (M+9: 12/29) nor after a manual step for the info-sharing site; the operator's own
    people's rows do not change. The LDIF deltas, loaded into a real slapd on their dates
    after the first apply's snapshot, leave the directory as the snapshot of that day."""
    staff = "staff1@test-sub.example.co.jp"
    reg.user(email=staff, name="委託 花子", affiliation="TESTSUB1", permissions={"juju": "granted"})
    gr = applied_from_the_start(reg, tmp_path)
    renamed = "テスト委託サービス株式会社"
    try:
        committed_on(monkeypatch, "2026-12-02")
        subcontractors = [{"code": "TESTSUB1", "name": renamed}]
        _branch(gr, "rename", lambda: gr.reg.operator(subcontractors=subcontractors))
        planned = _usage_planned(gr, "rename", "2026-12-02")
        assert planned == [("subcontractor", USAGE_DAY, None)]
        out = _applied(gr, tmp_path, "rename", None)
        name = f"delta-day-{USAGE_DAY}.csv"
        assert _delta_rows(out) == {
            (s, name, "変更", USAGE_DAY, "", staff) for s in ("juju", "info_site")
        }
        assert _names_in_snapshot(out, "juju")[staff] == (
            "テストガス株式会社",
            "テスト委託株式会社",
        )
        assert _recorded_on(gr, staff, "juju", "change") == [USAGE_DAY]
        body = _accepted_body(out)
        assert f"{renamed}（TESTSUB1） / 反映 {USAGE_DAY} 以降" in body
        final = over_applied(gr, tmp_path, USAGE_DAY)
        assert _names_in_snapshot(final, "juju")[staff] == ("テストガス株式会社", renamed)
        with slapd(tmp_path) as directory:
            directory.modify((tmp_path / "initial/ldif/snapshot.ldif").read_bytes(), add=True)
            found = deltas([out])
            assert [on for on, _, _ in found] == [USAGE_DAY]
            for _, _, path in found:
                directory.modify(path.read_bytes())
            held = directory.search(BASE)
        expected = ldif_entries((final / "ldif/snapshot.ldif").read_bytes())
        people = {dn.lower(): e for dn, e in expected.items() if dn.startswith("uid=")}
        assert people
        for dn, entry in held.items():
            if dn.lower() in people:
                wanted = people.pop(dn.lower())
                assert (entry["o"], entry["ou"]) == (wanted["o"], wanted["ou"]), dn
        assert not people
    finally:
        gr.close()


def test_an_operator_renamed_twice_in_one_run_has_each_name_on_its_day(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Two usage changes renaming the operator, approved on 12/2 (done on 12/23) and 12/8
    (on 12/29), applied by one run on 12/8: every row of its people comes twice, the first
    name on 12/23 and the second on 12/29, as two runs write them; and the daily runs'
    snapshots, going back to that batch, hold each name from its day."""
    first, second = "テストガス販売株式会社", RENAMED
    out = _applied_together(gr, tmp_path, "2026-12-08", [
        ("rename", "2026-12-02", lambda: gr.reg.operator(name=first)),
        ("again", "2026-12-08", lambda: gr.reg.operator(name=second)),
    ])  # fmt: skip
    rows = {
        (s, r["区分"], r["適用日"], r["事業者名"])
        for s in ("taxis", "loacus", "info_site")
        for r in read_csv_rows(out, s)
        if r["メールアドレス（ID）"] == WINDOW1
    }
    assert rows == {
        (s, "変更", day, name)
        for s in ("taxis", "loacus", "info_site")
        for day, name in ((USAGE_DAY, first), ("2026-12-29", second))
    }
    for day, name in (
        ("2026-12-22", "テストガス株式会社"),
        (USAGE_DAY, first),
        ("2026-12-29", second),
    ):
        assert _names_in_snapshot(over_applied(gr, tmp_path, day), "taxis")[USER1][0] == name


def test_a_new_users_permission_and_its_change_applied_in_one_run_each_come_on_their_day(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A new user of LOACUS approved on 12/2 (M 12/16, M+9: 12/29) and a change of that
    permission approved on 12/17, which waits for it and comes in the next batch (M 1/5,
    M+9: 1/19), applied by one run on 12/17: the user's row comes on 12/29 with the code
    applied for first and the change's on 1/19, as two runs write them, not the user on
    1/19 with the changed code; the daily runs' snapshots, going back to that batch, hold
    each from its day."""
    first, changed = {"loacus": "02010"}, {"loacus": "02011"}
    out = _applied_together(gr, tmp_path, "2026-12-17", [
        ("add", "2026-12-02", lambda: gr.reg.user(email=NEW, permissions=first)),
        ("change", "2026-12-17", lambda: gr.reg.user(email=NEW, permissions=changed)),
    ])  # fmt: skip
    rows = [(r["区分"], r["適用日"], r["権限コード"]) for r in read_csv_rows(out, "loacus")]
    assert sorted(rows) == [("変更", "2027-01-19", "02011"), ("新規", "2026-12-29", "02010")]
    for day, held in (("2026-12-28", []), ("2026-12-29", ["02010"]), ("2027-01-19", ["02011"])):
        snapshot = read_csv(over_applied(gr, tmp_path, day) / "imports/loacus/snapshot.csv")
        assert [r["権限コード"] for r in snapshot if r["メールアドレス（ID）"] == NEW] == held


def test_a_termination_keeps_an_addition_still_to_come_before_its_day(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A new user applied on 12-02 comes in TAXIS on 12-24 (M+6); on 12-07 the operator
    terminates on 12-28 (000 §3-3) and the user's file goes with it. The day's snapshots of
    the runs after go back to the new user's batch, still waiting, so their history spans
    both merges, at whose ends the user is in no system: they still hold the user from
    12-24 until the end, as the deltas written by the two runs make downstream hold them.
    Netted over the range, the user was in no snapshot: an importer reconciling from one
    would have undone the grant of 12-24."""
    _applied(gr, tmp_path, "new", lambda: gr.reg.user(email=NEW, permissions={"taxis": "1010"}))
    (comes,) = _recorded_on(gr, NEW, "taxis", "add")
    assert comes < "2026-12-28"
    day, ends = date(2026, 12, 7), "2026-12-28"
    gr.branch("end", "main")
    edited = run_cli("operator", "terminate", "--operator", OPERATOR, "--on", ends,
                     "--today", day.isoformat(), cwd=gr.path)  # fmt: skip
    assert edited.returncode == 0, edited.stderr
    gr.commit("end")
    gr.checkout("main")
    sha = gr.merge("end")
    events = tmp_path / "end.json"
    events.write_text(json.dumps([{"merge_commit": sha, "accepted_at": day.isoformat()}]))
    out = tmp_path / "end"
    ran = run_cli("apply", "--out", str(out), "--confirm", "--pull-requests", str(events),
                  "--today", day.isoformat(), "--allow-mass-removal", cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ("抹消", NEW, ends) in {
        (r["区分"], r["メールアドレス（ID）"], r["適用日"])
        for path in (out / "imports" / "taxis").glob("delta-*.csv")
        for r in read_csv(path)
    }

    def held(day: str) -> tuple[bool, bool]:
        """Whether the day's TAXIS and LDIF snapshots hold the new user."""
        then = over_applied(gr, tmp_path, day)
        rows = read_csv(then / "imports" / "taxis" / "snapshot.csv")
        ldif = (then / "ldif" / "snapshot.ldif").read_text(encoding="utf-8")
        return NEW in {r["メールアドレス（ID）"] for r in rows}, f"uid={NEW}," in ldif

    assert held("2026-12-23") == (False, False)
    assert held(comes) == (True, True)
    assert held(ends) == (False, False)
    _replayed(gr, tmp_path, ["new", "end"], "2027-01-20")


def test_an_initial_apply_treats_a_terminated_operator_as_terminated(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    reg.operator(
        "ENDEDOP1",
        name="終了ガス株式会社",
        status="terminated",
        terminated_on="2026-03-31",
        contacts=[contact(email="ended@test-gas.example.co.jp")],
    )
    made = GitRegistry(reg)
    try:
        out = tmp_path / "initial"
        ran = run_cli("apply", "--out", str(out), "--initial", "--today", "2026-11-20",
                      cwd=made.path)  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        recipients = [
            message_from_bytes(p.read_bytes(), policy=policy.default)["To"]
            for p in sorted((out / "mail").glob("*.eml"))
        ]
        assert recipients and not any("ended@" in str(r) for r in recipients)
    finally:
        made.close()


def test_a_rerun_keeps_the_dates_recorded_at_acceptance(gr: GitRegistry, tmp_path: Path) -> None:
    applied_before = json.loads(gr.repo.git.show("refs/accessreg/state:state.json"))["applied"]
    gr.branch("new-user", "main")
    gr.reg.user(email=NEW, name="新井 新", permissions={"taxis": "1011"})
    gr.commit("new user")
    gr.checkout("main")
    # Merged on 2026-12-17 (the commit says so too).
    gr.repo.git.merge("-q", "--no-ff", "--no-edit", "new-user", env=on(date(2026, 12, 17)))
    sha = gr.rev()
    # Approved on 12/15 (batch of 12/16, TAXIS from M+6 = 12/24), merged on 12/17.
    events = tmp_path / "events.json"
    events.write_text(json.dumps([{"merge_commit": sha, "accepted_at": "2026-12-15",
                                   "merged_at": "2026-12-17"}]))  # fmt: skip

    def taxis_date(out: Path) -> list[str]:
        return [
            r["適用日"] for r in read_csv_rows(out, "taxis") if r["メールアドレス（ID）"] == NEW
        ]

    first = tmp_path / "first"
    ran = run_cli("apply", "--out", str(first), "--confirm", "--pull-requests", str(events),
                  "--today", "2026-12-17", cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert taxis_date(first) == ["2026-12-24"]
    # Run again over the same merge without its events: the merge day (12/17, batch of
    # 2027-01-05) would stand in, but the dates recorded at acceptance are kept.
    again = tmp_path / "again"
    ran = run_cli("apply", "--out", str(again), "--base", applied_before, "--today",
                  "2026-12-18", cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert taxis_date(again) == ["2026-12-24"]


def read_csv_rows(out: Path, system: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((out / "imports" / system).glob("delta-*.csv")):
        rows += read_csv(path)
    return rows


def test_the_plan_says_which_events_its_dates_assume(gr: GitRegistry) -> None:
    gr.branch("pr", "main")
    gr.reg.user(email=NEW, name="新井 新", permissions={"taxis": "1011"})
    gr.commit("new user")
    base = ("plan", "--base", "main", "--head", "pr", "--format", "markdown")
    before = run_cli(*base, "--entered-on", "2026-12-14", "--today", "2026-12-14", cwd=gr.path)
    assert before.returncode == 0, before.stderr
    assert (
        "Dates: entry on **2026-12-14**, assuming acceptance on **2026-12-14**, "
        "assuming merge on **2026-12-14**" in before.stdout
    )
    # Approved on the 15th: the comment job computes the plan again with that date.
    approved = run_cli(*base, "--entered-on", "2026-12-14", "--accepted-on", "2026-12-15",
                       "--today", "2026-12-16", cwd=gr.path)  # fmt: skip
    assert approved.returncode == 0, approved.stderr
    assert "entry on **2026-12-14**, acceptance on **2026-12-15**" in approved.stdout
    assert "2026-12-24 (M = 2026-12-16)" in approved.stdout


def test_an_application_in_two_batches_names_both_in_every_output(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Each kind is keyed on its own date (000 §5-1, §5-2): entered on Friday the 15th, a
    change falls into the batch of the 16th (M the 18th, a Monday); approved on Sunday the
    17th, counted as Monday the 18th, a new user into that of the 1st. The plan, the 受付
    mail, the report and ``status`` name both batches."""
    gr.branch("pr", "main")
    gr.reg.user(email=NEW, name="新井 新", permissions={"taxis": "1011"})
    gr.reg.user(
        email="window1@test-gas.example.co.jp",
        permissions={"taxis": "1010", "loacus": "02011", "juju": "granted"},
    )
    gr.commit("a new user and a change")
    events = ("--entered-on", "2027-01-15", "--accepted-on", "2027-01-17",
              "--merged-on", "2027-01-18", "--today", "2027-01-18")  # fmt: skip
    base = ("plan", "--base", "main", "--head", "pr", *events)
    planned = run_cli(*base, "--format", "json", cwd=gr.path)
    assert planned.returncode == 0, planned.stderr
    both = ["2027-01-18", "2027-02-01"]
    planned_json = json.loads(planned.stdout)
    assert planned_json["processing_days"] == both
    # The first of them, not the acceptance's M alone (2027-02-01), which the change is not in.
    assert planned_json["processing_day"] == both[0]
    shown = run_cli(*base, "--format", "markdown", cwd=gr.path)
    assert (
        "acceptance on **2027-01-17** (counted as 2027-01-18, a business day), "
        "merge on **2027-01-18**" in shown.stdout
    ), shown.stdout
    assert "processing days M **2027-01-18**, **2027-02-01**" in shown.stdout
    gr.checkout("main")
    sha = gr.merge("pr")
    pulls = tmp_path / "pull-requests.json"
    pulls.write_text(json.dumps([{"merge_commit": sha, "entered_at": "2027-01-15T09:00:00+09:00",
                                  "accepted_at": "2027-01-17T10:00:00+09:00",
                                  "merged_at": "2027-01-18T11:00:00+09:00"}]))  # fmt: skip
    out = tmp_path / "out"
    applied = run_cli("apply", "--out", str(out), "--confirm", "--pull-requests", str(pulls),
                      "--today", "2027-01-18", cwd=gr.path)  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    assert "M 2027-01-18, 2027-02-01" in applied.stdout, applied.stdout
    assert "システム処理日（M）は 2027-01-18、2027-02-01 です" in _accepted_body(out)
    assert status_table(gr, "2027-01-18")[-1]["M"] == "2027-01-18、2027-02-01"


def _status_suspended(gr: GitRegistry, day: str) -> dict[str, str]:
    """What ``status`` lists as suspended on ``day``: 対象 → 停止日."""
    listed = run_cli("--lang", "ja", "status", "--today", day, cwd=gr.path)
    assert listed.returncode == 0, listed.stderr
    tables = listed.stdout.strip("\n").split("\n\n")
    if len(tables) == 1:
        return {}
    header, *rows = (line.split("\t") for line in tables[1].splitlines())
    return {r["対象"]: r["停止日"] for r in (dict(zip(header, row, strict=True)) for row in rows)}


def _person_rows(out: Path, system: str, login: str) -> list[tuple[str, str, str, str]]:
    """``login``'s rows of ``system``'s deltas in ``out``: file, 区分, 適用日, 利用停止."""
    return [
        (path.name, r["区分"], r["適用日"], r["利用停止"])
        for path in sorted((out / "imports" / system).glob("delta-*.csv"))
        for r in read_csv(path)
        if r["メールアドレス（ID）"] == login
    ]


def _snapshot_row(out: Path, system: str, login: str) -> tuple[str, str]:
    """``login``'s 権限コード and 利用停止 in ``out``'s snapshot of ``system``."""
    rows = read_csv(out / "imports" / system / "snapshot.csv")
    (row,) = [r for r in rows if r["メールアドレス（ID）"] == login]
    return row["権限コード"], row["利用停止"]


def _groups_of(out: Path, login: str) -> list[str]:
    """The LDIF snapshot's groups of ``out`` that list ``login``."""
    entries = ldif_entries((out / "ldif" / "snapshot.ldif").read_bytes())
    dn = f"uid={login},ou=people,{BASE}".lower()
    return sorted(
        name.split(",")[0].removeprefix("cn=")
        for name, entry in entries.items()
        if dn in (m.lower() for m in entry.get("member", []))
    )


WINDOW1 = "window1@test-gas.example.co.jp"


def test_a_suspension_stops_at_once_whatever_change_of_theirs_still_comes(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A LOACUS change applied on 12-02 comes in the batch after (000 §5-2: M+9); the same
    user is suspended on 12-07. The suspension stops them at once in every system (001
    p46: 「まずは停止します」), LOACUS too, on the code it holds until then; and when the
    change comes it leaves them suspended: the day's snapshots show the new code stopped.
    The plan, the rows, the 受付 mail, ``status`` and the state give one day; every LDIF
    delta, applied by a real slapd on its date in the order of the runs, is accepted."""
    held = {"taxis": "1010", "loacus": "03010"}
    _applied(gr, tmp_path, "change", lambda: gr.reg.user(email=WINDOW1, permissions=held))
    (comes,) = _recorded_on(gr, WINDOW1, "loacus", "change")
    assert comes > "2026-12-07"
    _branch(gr, "stop", lambda: gr.reg.user(email=WINDOW1, permissions=held,
                                             suspended_on="2026-12-07"))  # fmt: skip
    on = ("--today", "2026-12-07", "--accepted-on", "2026-12-07")
    planned = run_cli("plan", "--base", "main", "--head", "stop", "--format", "json", *on,
                      cwd=gr.path)  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout)
    (item,) = [i for op in plan["operators"] for i in op["items"] if i["key"] == WINDOW1]
    assert item["effective"]["on"] == "2026-12-07"
    assert not [n for n in plan["notes"] if n["message"].startswith("loacus:")]
    out = _applied(gr, tmp_path, "stop", None, day="2026-12-07")
    # LOACUS: stopped on the day, and again on the change's day, after the earlier
    # batch's row of that day; TAXIS, on the day alone.
    assert _person_rows(out, "loacus", WINDOW1) == [
        ("delta-at-once-2026-12-07.csv", "停止", "2026-12-07", "停止中"),
        (f"delta-at-once-{comes}.csv", "停止", comes, "停止中"),
    ]
    assert _person_rows(out, "taxis", WINDOW1) == [
        ("delta-at-once-2026-12-07.csv", "停止", "2026-12-07", "停止中")
    ]
    # The day's snapshots: the code held until the change comes, stopped; then the new one,
    # stopped still.
    assert _snapshot_row(out, "loacus", WINDOW1) == ("02011", "停止中")
    assert "loacus-suspended" in _groups_of(out, WINDOW1)
    assert "loacus-02011" not in _groups_of(out, WINDOW1)
    then = over_applied(gr, tmp_path, comes)
    assert _snapshot_row(then, "loacus", WINDOW1) == ("03010", "停止中")
    assert [g for g in _groups_of(then, WINDOW1) if g.startswith("loacus")] == ["loacus-suspended"]
    body = _accepted_body(out)
    assert (
        f": 停止 02011（託送供給依頼者（参照権限）） / 利用停止 2026-12-07（先の申請による {comes} "
        "の 03010（製造事業者）への権限変更後も、停止を継続します）" in _line_of(body, "loacus")
    )
    assert _line_of(body, "taxis").endswith("/ 利用停止 2026-12-07")
    assert _status_suspended(gr, "2026-12-07") == {WINDOW1: "2026-12-07"}
    assert _recorded_on(gr, WINDOW1, "loacus", "change") == [comes]
    _replayed(gr, tmp_path, ["change", "stop"], "2027-01-20")


def _coded_rows(out: Path, system: str, login: str) -> list[tuple[str, str, str, str]]:
    """``login``'s rows of ``system``'s deltas in ``out``: file, 区分, 権限コード,
    変更前権限コード."""
    return [
        (path.name, r["区分"], r["権限コード"], r["変更前権限コード"])
        for path in sorted((out / "imports" / system).glob("delta-*.csv"))
        for r in read_csv(path)
        if r["メールアドレス（ID）"] == login
    ]


def test_a_suspension_before_a_change_comes_names_the_code_held_until_then(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """LOACUS 02011 changed to 02010 on 12-02 comes on 12-29 (M+9); the user is suspended
    on 12-03. Until 12-29 downstream holds 02011: the day's row of the at-once file stops
    02011 (a 停止 replaces no code: no 変更前権限コード), as the snapshot and the 受付 mail
    say, the mail adding that the change to 02010 still comes, suspended; the row written
    again on 12-29 stops 02010. An importer applying the first row's code would grant
    update rights 26 days early."""
    held = {"taxis": "1010", "loacus": "02010"}
    _applied(gr, tmp_path, "c1", lambda: gr.reg.user(email=WINDOW1, permissions=held))
    assert _recorded_on(gr, WINDOW1, "loacus", "change") == ["2026-12-29"]
    _branch(gr, "c2", lambda: gr.reg.user(email=WINDOW1, permissions=held,
                                           suspended_on="2026-12-03"))  # fmt: skip
    out = _applied(gr, tmp_path, "c2", None, day="2026-12-03")
    assert _coded_rows(out, "loacus", WINDOW1) == [
        ("delta-at-once-2026-12-03.csv", "停止", "02011", ""),
        ("delta-at-once-2026-12-29.csv", "停止", "02010", ""),
    ]
    assert _coded_rows(out, "taxis", WINDOW1) == [
        ("delta-at-once-2026-12-03.csv", "停止", "1010", "")
    ]
    assert _snapshot_row(out, "loacus", WINDOW1) == ("02011", "停止中")
    line = _line_of(_accepted_body(out), "loacus")
    assert line.endswith(
        ": 停止 02011（託送供給依頼者（参照権限）） / 利用停止 2026-12-03（先の申請による "
        "2026-12-29 の 02010（託送供給依頼者（更新権限））への権限変更後も、停止を継続します）"
    ), line
    assert _status_suspended(gr, "2026-12-03") == {WINDOW1: "2026-12-03"}
    assert _snapshot_row(over_applied(gr, tmp_path, "2026-12-29"), "loacus", WINDOW1) == (
        "02010",
        "停止中",
    )
    _replayed(gr, tmp_path, ["c1", "c2"], "2027-01-20")


def test_a_suspension_merged_after_a_change_tells_the_same_applied_in_one_run(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The case above, both merges applied by one run on 12-03: each step of the run
    knows what the earlier steps make come later, as a second run knows it from the
    state, so the 受付 mail names the code held until 12-29 and the change still to come,
    word for word as two runs do; the rows, the snapshots, ``status`` and the recorded
    dates agree, and every LDIF delta is accepted by a real slapd on its date."""
    held = {"taxis": "1010", "loacus": "02010"}
    out = _applied_together(gr, tmp_path, "2026-12-03", [
        ("c1", "2026-12-02", lambda: gr.reg.user(email=WINDOW1, permissions=held)),
        ("c2", "2026-12-03", lambda: gr.reg.user(email=WINDOW1, permissions=held,
                                                 suspended_on="2026-12-03")),
    ])  # fmt: skip
    assert _recorded_on(gr, WINDOW1, "loacus", "change") == ["2026-12-29"]
    bodies = [
        message_from_bytes(path.read_bytes(), policy=policy.default).get_content()
        for path in sorted((out / "mail").glob("*-accepted-*.eml"))
    ]
    (stopped,) = [b for b in bodies if "利用停止" in b]
    line = _line_of(stopped, "loacus")
    assert line.endswith(
        ": 停止 02011（託送供給依頼者（参照権限）） / 利用停止 2026-12-03（先の申請による "
        "2026-12-29 の 02010（託送供給依頼者（更新権限））への権限変更後も、停止を継続します）"
    ), line
    assert ("delta-at-once-2026-12-03.csv", "停止", "02011", "") in _coded_rows(
        out, "loacus", WINDOW1
    )
    assert _snapshot_row(out, "loacus", WINDOW1) == ("02011", "停止中")
    assert _status_suspended(gr, "2026-12-03") == {WINDOW1: "2026-12-03"}
    assert _snapshot_row(over_applied(gr, tmp_path, "2026-12-29"), "loacus", WINDOW1) == (
        "02010",
        "停止中",
    )
    _replayed(gr, tmp_path, ["both"], "2027-01-20")


def test_a_change_merged_after_a_suspension_leaves_the_suspension_on_its_day(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The user is suspended on 12-03; a change of their LOACUS code merged on 12-07 comes
    on 12-29 (M+9). The day's snapshots of the runs after go back to a batch of the same
    operator still waiting from before the suspension (a new user's, 12-02), so their
    history spans both merges: the suspension still stops LOACUS on its day, on the code
    held until the change comes, and the change leaves it stopped. Dated by the range's
    last merge, the suspension of LOACUS came only on 12-29: an importer reconciling from
    the snapshots would have lifted it for weeks."""
    _applied(gr, tmp_path, "new", lambda: gr.reg.user(email=NEW, permissions={"taxis": "1010"}))
    stopped = {"taxis": "1010", "loacus": "02011"}
    _applied(gr, tmp_path, "stop", lambda: gr.reg.user(email=WINDOW1, permissions=stopped,
                                                        suspended_on="2026-12-03"),
             day="2026-12-03")  # fmt: skip
    moved = {"taxis": "1010", "loacus": "02010"}
    out = _applied(gr, tmp_path, "move", lambda: gr.reg.user(email=WINDOW1, permissions=moved,
                                                              suspended_on="2026-12-03"),
                   day="2026-12-07")  # fmt: skip
    assert _coded_rows(out, "loacus", WINDOW1) == [
        ("delta-2026-12-16.csv", "変更", "02010", "02011")
    ]
    # A code changed while suspended changes nothing a directory holds: no delta that day.
    assert not [p.name for p in out.glob("*/delta-2026-12-29.*")]
    for day in ("2026-12-07", "2026-12-14"):
        assert _snapshot_row(over_applied(gr, tmp_path, day), "loacus", WINDOW1) == (
            "02011",
            "停止中",
        ), day
    assert _snapshot_row(over_applied(gr, tmp_path, "2026-12-29"), "loacus", WINDOW1) == (
        "02010",
        "停止中",
    )
    _replayed(gr, tmp_path, ["new", "stop", "move"], "2027-01-20")


def test_a_change_merged_after_a_suspension_in_one_run_stops_on_the_suspensions_day(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The case above, both merges applied by one run on 12-07: the range's change of
    LOACUS is its code's, dated 12-29 by the last merge; the suspension before it is
    written on its own day, on the code held until then, as two runs write it."""
    stopped = {"taxis": "1010", "loacus": "02011"}
    moved = {"taxis": "1010", "loacus": "02010"}
    out = _applied_together(gr, tmp_path, "2026-12-07", [
        ("stop", "2026-12-07", lambda: gr.reg.user(email=WINDOW1, permissions=stopped,
                                                   suspended_on="2026-12-07")),
        ("move", "2026-12-07", lambda: gr.reg.user(email=WINDOW1, permissions=moved,
                                                   suspended_on="2026-12-07")),
    ])  # fmt: skip
    assert _coded_rows(out, "loacus", WINDOW1) == [
        ("delta-2026-12-16.csv", "変更", "02010", "02011"),
        ("delta-at-once-2026-12-07.csv", "停止", "02011", ""),
    ]
    assert _person_rows(out, "loacus", WINDOW1)[1][2:] == ("2026-12-07", "停止中")
    assert _snapshot_row(out, "loacus", WINDOW1) == ("02011", "停止中")
    assert _snapshot_row(over_applied(gr, tmp_path, "2026-12-29"), "loacus", WINDOW1) == (
        "02010",
        "停止中",
    )
    _replayed(gr, tmp_path, ["both"], "2027-01-20")


def test_a_lifting_before_a_change_comes_leaves_the_change_to_come(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Suspended on 12-07 while a LOACUS change applied on 12-02 still comes, the user is
    lifted on 12-09, before it: LOACUS takes them back at once on the code they hold, and
    the change, when it comes, grants the new code, not stopped. Every LDIF delta of the
    three runs is accepted on its date, and the directory ends as the snapshot says."""
    held = {"taxis": "1010", "loacus": "03010"}
    _applied(gr, tmp_path, "change", lambda: gr.reg.user(email=WINDOW1, permissions=held))
    (comes,) = _recorded_on(gr, WINDOW1, "loacus", "change")
    stopped = {"email": WINDOW1, "permissions": held, "suspended_on": "2026-12-07"}
    committed_on(monkeypatch, "2026-12-07")
    _applied(gr, tmp_path, "stop", lambda: gr.reg.user(**stopped), day="2026-12-07")
    committed_on(monkeypatch, "2026-12-09")  # a lifting is dated by its merge
    out = _applied(gr, tmp_path, "lift", lambda: gr.reg.user(email=WINDOW1, permissions=held),
                   day="2026-12-09")  # fmt: skip
    assert _person_rows(out, "loacus", WINDOW1) == [
        ("delta-at-once-2026-12-09.csv", "停止解除", "2026-12-09", ""),
        (f"delta-at-once-{comes}.csv", "停止解除", comes, ""),
    ]
    assert _coded_rows(out, "loacus", WINDOW1) == [
        ("delta-at-once-2026-12-09.csv", "停止解除", "02011", ""),
        (f"delta-at-once-{comes}.csv", "停止解除", "03010", ""),
    ]
    assert _snapshot_row(out, "loacus", WINDOW1) == ("02011", "")
    assert _snapshot_row(over_applied(gr, tmp_path, comes), "loacus", WINDOW1) == ("03010", "")
    line = _line_of(_accepted_body(out), "loacus")
    assert (
        ": 停止解除 02011（託送供給依頼者（参照権限）） / 利用再開 2026-12-09"
        f"（先の申請による {comes} の 03010（製造事業者）への権限変更後も、"
        "停止解除の状態を継続します）" in line
    ), line
    assert _status_suspended(gr, "2026-12-09") == {}
    expected = _replayed(gr, tmp_path, ["change", "stop", "lift"], "2027-01-20")
    user = f"uid={WINDOW1},ou=people,{BASE}"
    assert user in expected[f"cn=loacus-03010,ou=groups,{BASE}"]
    assert user not in expected[f"cn=loacus-suspended,ou=groups,{BASE}"]


def test_a_suspension_reaches_a_system_new_to_the_user_when_it_comes(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """JUJU added on 12-02 to a user of TAXIS and LOACUS comes in M+9: a suspension on
    12-07 stops TAXIS and LOACUS at once, and JUJU when it comes, since nothing of it is
    there to stop before. The plan says so, as the rows and the 受付 mail do."""
    held = {"taxis": "1010", "loacus": "02011", "juju": "granted"}
    _applied(gr, tmp_path, "add", lambda: gr.reg.user(email=WINDOW1, permissions=held))
    (comes,) = _recorded_on(gr, WINDOW1, "juju", "change")
    assert comes > "2026-12-07"
    _branch(gr, "stop", lambda: gr.reg.user(email=WINDOW1, permissions=held,
                                             suspended_on="2026-12-07"))  # fmt: skip
    on = ("--today", "2026-12-07", "--accepted-on", "2026-12-07")
    planned = run_cli("plan", "--base", "main", "--head", "stop", "--format", "json", *on,
                      cwd=gr.path)  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    notes = [n["message"] for n in json.loads(planned.stdout)["notes"]]
    (note,) = [n for n in notes if n.startswith(("juju:", "loacus:", "taxis:"))]
    assert note.startswith("juju:") and f"comes on {comes}" in note, note
    out = _applied(gr, tmp_path, "stop", None, day="2026-12-07")
    assert _person_rows(out, "juju", WINDOW1) == [
        (f"delta-at-once-{comes}.csv", "停止", comes, "停止中")
    ]
    assert _person_rows(out, "loacus", WINDOW1) == [
        ("delta-at-once-2026-12-07.csv", "停止", "2026-12-07", "停止中")
    ]
    body = _accepted_body(out)
    assert f"/ 利用停止 {comes}（先の申請による利用開始日に合わせています）" in _line_of(
        body, "juju"
    )
    assert _line_of(body, "loacus").endswith("/ 利用停止 2026-12-07")
    _replayed(gr, tmp_path, ["add", "stop"], "2027-01-20")


def test_a_suspension_of_a_user_still_to_come_is_dated_when_they_come(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A new user approved on 12-02 comes in TAXIS on M+6 (12-24) and in JUJU on M+9
    (12-29), and is suspended on 12-07: nothing of them is downstream to stop before
    12-24. The plan, the rows, the 受付 mail, the state and ``status`` give one day: the
    ID is suspended from 12-24, the day the first system has them (JUJU's row from
    12-29), not from the 12-07 its file names, on which they exist nowhere."""
    held = {"taxis": "1011", "juju": "granted"}
    _applied(gr, tmp_path, "new", lambda: gr.reg.user(email=NEW, permissions=held))
    assert _recorded_on(gr, NEW, "taxis", "add") == ["2026-12-24"]
    assert _recorded_on(gr, NEW, "juju", "add") == ["2026-12-29"]
    _branch(gr, "stop", lambda: gr.reg.user(email=NEW, permissions=held,
                                             suspended_on="2026-12-07"))  # fmt: skip
    shown = _plan_json(gr.path, "main", "stop", "2026-12-07")
    (item,) = [i for op in shown["operators"] for i in op["items"] if i["key"] == NEW]
    assert (item["effective"]["on"], item["effective"]["waits"]) == ("2026-12-24", True)
    notes = [n["message"] for n in shown["notes"] if NEW in n["message"]]
    (why,) = [n for n in notes if n.startswith(NEW)]  # the item's own day, and why
    assert "comes on 2026-12-24" in why, why
    assert not any("already past" in n for n in notes), notes  # moved, not past
    out = _applied(gr, tmp_path, "stop", None, day="2026-12-07")
    assert _person_rows(out, "taxis", NEW) == [
        ("delta-at-once-2026-12-24.csv", "停止", "2026-12-24", "停止中")
    ]
    assert _person_rows(out, "juju", NEW) == [
        ("delta-at-once-2026-12-29.csv", "停止", "2026-12-29", "停止中")
    ]
    body = _accepted_body(out)
    for system, day in (("taxis", "2026-12-24"), ("juju", "2026-12-29")):
        line = _line_of(body, system)
        assert line.endswith(f"/ 利用停止 {day}（先の申請による利用開始日に合わせています）"), line
    assert _own_dates(gr, NEW) == ["2026-12-24"]
    assert _recorded_on(gr, NEW, None, "change") == ["2026-12-24, waits"]
    assert _status_suspended(gr, "2026-12-08") == {}  # in no system yet
    assert _status_suspended(gr, "2026-12-24") == {
        NEW: "2026-12-24（先の申請による利用開始日に合わせています）"
    }
    _replayed(gr, tmp_path, ["new", "stop"], "2027-01-20")


def test_a_suspension_of_a_user_whose_systems_all_come_later_stops_a_removal_at_once(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A user of TAXIS and LOACUS gives both up for JUJU on 12-02: TAXIS ends the next day,
    LOACUS on 12-29 with the batch, when JUJU comes too. Suspended on 12-07, the user
    holds only JUJU, not there yet; but downstream still holds LOACUS 02011, which the
    system operator stops at once (001 p46): the suspension is dated 12-07 in the state
    and ``status``, JUJU's row when it comes."""
    _applied(
        gr, tmp_path, "swap", lambda: gr.reg.user(email=WINDOW1, permissions={"juju": "granted"})
    )
    assert _recorded_on(gr, WINDOW1, "loacus", "change") == ["2026-12-29"]
    (comes,) = _recorded_on(gr, WINDOW1, "juju", "change")
    assert comes > "2026-12-07"
    stopped = {"email": WINDOW1, "permissions": {"juju": "granted"}, "suspended_on": "2026-12-07"}
    out = _applied(gr, tmp_path, "stop", lambda: gr.reg.user(**stopped), day="2026-12-07")
    assert _coded_rows(out, "loacus", WINDOW1) == [
        ("delta-at-once-2026-12-07.csv", "停止", "02011", "")
    ]
    assert _person_rows(out, "juju", WINDOW1) == [
        (f"delta-at-once-{comes}.csv", "停止", comes, "停止中")
    ]
    assert _own_dates(gr, WINDOW1) == ["2026-12-07"]
    assert _status_suspended(gr, "2026-12-07") == {WINDOW1: "2026-12-07"}


def test_a_suspension_stops_nothing_a_removal_takes_away_the_day_it_comes(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new user approved on 12-21 comes in JOHS on 01-14 and in JUJU and LOACUS on 01-19
    (M 01-05); the window person drops JOHS and JUJU on 12-28, removed on the days they
    come; the user is suspended on 01-03. JOHS and JUJU are granted and taken away on one
    day: the ID never holds them downstream, and there is nothing to stop (no row, no
    suspended group, no mail line stopping them until their deletion). The suspension
    reaches the info-sharing site on 01-14, with JOHS's row that brought it, and LOACUS on
    01-19: the plan, the rows, the directory's deltas, the 受付 mail, the state and
    ``status`` give those days, and every LDIF delta is accepted by a real slapd."""
    held = {"johs": "J1010", "juju": "granted", "loacus": "02011"}
    committed_on(monkeypatch, "2026-12-21")
    _applied(gr, tmp_path, "add", lambda: gr.reg.user(email=NEW, permissions=held), "2026-12-21")
    assert _recorded_on(gr, NEW, "johs", "add") == ["2027-01-14"]
    assert _recorded_on(gr, NEW, "juju", "add") == ["2027-01-19"]
    kept = {"loacus": "02011"}
    committed_on(monkeypatch, "2026-12-28")
    _applied(gr, tmp_path, "drop", lambda: gr.reg.user(email=NEW, permissions=kept), "2026-12-28")
    assert _recorded_on(gr, NEW, "johs", "change") == ["2027-01-14, waits"]
    assert _recorded_on(gr, NEW, "juju", "change") == ["2027-01-19"]
    committed_on(monkeypatch, "2027-01-03")
    _branch(gr, "stop", lambda: gr.reg.user(email=NEW, permissions=kept,
                                             suspended_on="2026-12-31"))  # fmt: skip
    item = _planned_item(gr.path, "stop", "2027-01-03", NEW)
    assert (item["effective"]["on"], item["effective"]["waits"]) == ("2027-01-14", True)
    out = _applied(gr, tmp_path, "stop", None, day="2027-01-03")
    assert _person_rows(out, "johs", NEW) == []
    assert _person_rows(out, "juju", NEW) == []
    assert _person_rows(out, "info_site", NEW) == [
        ("delta-at-once-2027-01-14.csv", "停止", "2027-01-14", "停止中")
    ]
    assert _person_rows(out, "loacus", NEW) == [
        ("delta-at-once-2027-01-19.csv", "停止", "2027-01-19", "停止中")
    ]
    written = [*(out / "ldif").glob("delta-*.ldif"), *(out / "scim").glob("delta-*.json")]
    assert sorted(p.name for p in written) == [
        "delta-2027-01-14.json", "delta-2027-01-14.ldif",
        "delta-2027-01-19.json", "delta-2027-01-19.ldif",
    ]  # fmt: skip
    assert not [p.name for p in written if "juju-suspended" in p.read_text()]
    assert not [p.name for p in written if "johs-suspended" in p.read_text()]
    body = _accepted_body(out)
    assert not [ln for ln in body.splitlines() if NAMES["johs"] in ln or NAMES["juju"] in ln]
    assert _line_of(body, "loacus").endswith(
        "/ 利用停止 2027-01-19（先の申請による利用開始日に合わせています）"
    )
    assert _own_dates(gr, NEW) == ["2027-01-14"]
    assert _recorded_on(gr, NEW, None, "change") == ["2027-01-14, waits"]
    assert _status_suspended(gr, "2027-01-13") == {}  # in no system yet
    assert _status_suspended(gr, "2027-01-14") == {
        NEW: "2027-01-14（先の申請による利用開始日に合わせています）"
    }
    _replayed(gr, tmp_path, ["add", "drop", "stop"], "2027-01-25")


def test_a_suspension_stops_a_new_system_a_removal_takes_away_from_the_day_it_comes(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new user approved on 12-21 comes in JOHS on 01-14 and in JUJU and LOACUS on 01-19
    (M 01-05); the window person drops JUJU on 01-08, removed on 01-29 (M 01-18); the user
    is suspended on 01-12. Downstream holds JUJU from 01-19 to 01-29, and nothing of it
    before: the suspension stops it from 01-19, on the code its grant brings, until the
    removal takes the ID out of the suspended group; the ID is in no suspended group of
    JUJU before it is in JUJU. The item reaches the ID on 01-14 with JOHS: the plan, the
    rows, the directory's deltas, the 受付 mail, the state and ``status`` agree, and every
    LDIF delta is accepted by a real slapd."""
    held = {"johs": "J1010", "juju": "granted", "loacus": "02011"}
    committed_on(monkeypatch, "2026-12-21")
    _applied(gr, tmp_path, "add", lambda: gr.reg.user(email=NEW, permissions=held), "2026-12-21")
    assert _recorded_on(gr, NEW, "juju", "add") == ["2027-01-19"]
    kept = {"johs": "J1010", "loacus": "02011"}
    committed_on(monkeypatch, "2027-01-08")
    _applied(gr, tmp_path, "drop", lambda: gr.reg.user(email=NEW, permissions=kept), "2027-01-08")
    assert _recorded_on(gr, NEW, "juju", "change") == ["2027-01-29"]
    committed_on(monkeypatch, "2027-01-12")
    _branch(gr, "stop", lambda: gr.reg.user(email=NEW, permissions=kept,
                                             suspended_on="2027-01-12"))  # fmt: skip
    item = _planned_item(gr.path, "stop", "2027-01-12", NEW)
    assert (item["effective"]["on"], item["effective"]["waits"]) == ("2027-01-14", True)
    out = _applied(gr, tmp_path, "stop", None, day="2027-01-12")
    assert _coded_rows(out, "juju", NEW) == [("delta-at-once-2027-01-19.csv", "停止", "あり", "")]
    assert _person_rows(out, "juju", NEW) == [
        ("delta-at-once-2027-01-19.csv", "停止", "2027-01-19", "停止中")
    ]
    assert _person_rows(out, "johs", NEW) == [
        ("delta-at-once-2027-01-14.csv", "停止", "2027-01-14", "停止中")
    ]
    suspended = f"cn=juju-suspended,ou=groups,{BASE}"
    ldif = {p.name: p.read_text() for p in (out / "ldif").glob("delta-*.ldif")}
    assert sorted(n for n, text in ldif.items() if suspended in text) == [
        "delta-2027-01-19.ldif", "delta-2027-01-29.ldif"
    ]  # fmt: skip
    line = _line_of(_accepted_body(out), "juju")
    assert line.endswith(
        ": 停止 あり / 利用停止 2027-01-19（先の申請による利用開始日に合わせています）"
        "（先の申請により 2027-01-29 に抹消されるまで、停止します）"
    ), line
    assert _own_dates(gr, NEW) == ["2027-01-14"]
    assert _recorded_on(gr, NEW, None, "change") == ["2027-01-14, waits"]
    assert _status_suspended(gr, "2027-01-13") == {}  # in no system yet
    assert _status_suspended(gr, "2027-01-14") == {
        NEW: "2027-01-14（先の申請による利用開始日に合わせています）"
    }
    expected = _replayed(gr, tmp_path, ["add", "drop", "stop"], "2027-02-01")
    assert f"uid={NEW},ou=people,{BASE}" not in expected.get(suspended, [])


def test_a_suspension_stops_at_once_a_code_removed_and_given_back_later(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LOACUS 02011, held, is dropped on 12-02 (removed on 12-29) and given back on 12-21
    (from 01-19, M+9); the user is suspended on 12-22. The addition still to come does not
    make LOACUS new to them: downstream holds 02011 until 12-29, which the system operator
    stops at once (001 p46), and the suspension is told again after the addition's row
    of 01-19. The rows, the 受付 mail, the state and ``status`` give 12-22, and every LDIF
    delta is accepted by a real slapd."""
    both = {"taxis": "1010", "loacus": "02011"}
    committed_on(monkeypatch, "2026-12-02")
    _applied(gr, tmp_path, "drop", lambda: gr.reg.user(email=WINDOW1,
                                                        permissions={"taxis": "1010"}))  # fmt: skip
    committed_on(monkeypatch, "2026-12-21")
    _applied(gr, tmp_path, "back", lambda: gr.reg.user(email=WINDOW1, permissions=both),
             "2026-12-21")  # fmt: skip
    assert _recorded_on(gr, WINDOW1, "loacus", "change") == ["2026-12-29", "2027-01-19"]
    committed_on(monkeypatch, "2026-12-22")
    stopped = {"email": WINDOW1, "permissions": both, "suspended_on": "2026-12-22"}
    out = _applied(gr, tmp_path, "stop", lambda: gr.reg.user(**stopped), "2026-12-22")
    assert _person_rows(out, "loacus", WINDOW1) == [
        ("delta-at-once-2026-12-22.csv", "停止", "2026-12-22", "停止中"),
        ("delta-at-once-2027-01-19.csv", "停止", "2027-01-19", "停止中"),
    ]
    assert _coded_rows(out, "loacus", WINDOW1)[0][2] == "02011"
    line = _line_of(_accepted_body(out), "loacus")
    assert ": 停止 02011（託送供給依頼者（参照権限）） / 利用停止 2026-12-22（" in line, line
    assert _own_dates(gr, WINDOW1) == ["2026-12-22"]
    assert _status_suspended(gr, "2026-12-22") == {WINDOW1: "2026-12-22"}
    expected = _replayed(gr, tmp_path, ["drop", "back", "stop"], "2027-01-25")
    user = f"uid={WINDOW1},ou=people,{BASE}"
    assert user in expected[f"cn=loacus-suspended,ou=groups,{BASE}"]


def test_a_suspension_stops_at_once_what_a_removal_still_to_come_takes_away(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """LOACUS dropped on 12-02 is removed on 12-29 (000 §5-3 with the batch); the user is
    suspended on 12-07. Downstream holds 02011 until then, and the system operator stops
    first (001 p46): LOACUS's at-once row of 12-07 stops 02011, and the directory adds
    the user to its suspended group alone, which they leave on 12-29 after the removal's
    own delta (the CSV has that run's 抹消 row only). The 受付 mail says so, the snapshots
    of both days agree, and every LDIF delta is accepted by a real slapd on its date."""
    _applied(gr, tmp_path, "drop", lambda: gr.reg.user(email=WINDOW1,
                                                        permissions={"taxis": "1010"}))  # fmt: skip
    assert _recorded_on(gr, WINDOW1, "loacus", "change") == ["2026-12-29"]
    stopped = {"email": WINDOW1, "permissions": {"taxis": "1010"}, "suspended_on": "2026-12-07"}
    out = _applied(gr, tmp_path, "stop", lambda: gr.reg.user(**stopped), day="2026-12-07")
    assert _coded_rows(out, "loacus", WINDOW1) == [
        ("delta-at-once-2026-12-07.csv", "停止", "02011", "")
    ]
    assert _person_rows(out, "loacus", WINDOW1) == [
        ("delta-at-once-2026-12-07.csv", "停止", "2026-12-07", "停止中")
    ]
    assert _snapshot_row(out, "loacus", WINDOW1) == ("02011", "停止中")
    assert [g for g in _groups_of(out, WINDOW1) if g.startswith("loacus")] == ["loacus-suspended"]
    user = f"uid={WINDOW1},ou=people,{BASE}"
    for name in ("delta-2026-12-07", "delta-2026-12-29"):
        assert (
            f"cn=loacus-suspended,ou=groups,{BASE}" in (out / "ldif" / f"{name}.ldif").read_text()
        )
        assert "loacus-suspended" in (out / "scim" / f"{name}.json").read_text()
    assert "loacus-02011" not in (out / "ldif" / "delta-2026-12-07.ldif").read_text()
    then = over_applied(gr, tmp_path, "2026-12-29")
    assert not [g for g in _groups_of(then, WINDOW1) if g.startswith("loacus")]
    line = _line_of(_accepted_body(out), "loacus")
    assert line.endswith(
        ": 停止 02011（託送供給依頼者（参照権限）） / 利用停止 2026-12-07"
        "（先の申請により 2026-12-29 に抹消されるまで、停止します）"
    ), line
    assert _status_suspended(gr, "2026-12-07") == {WINDOW1: "2026-12-07"}
    expected = _replayed(gr, tmp_path, ["drop", "stop"], "2027-01-20")
    assert user not in expected[f"cn=loacus-suspended,ou=groups,{BASE}"]
    assert user not in expected[f"cn=loacus-02011,ou=groups,{BASE}"]


def test_a_first_apply_carries_its_day_in_every_output(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    # Downstream holds nothing yet and loads the registry as it stands (--initial): the
    # snapshots hold it on the day, so the deltas, the mails and the whitelists say that
    # day too, not the M+6 / M+9 of an application (000 §5-1 is the centre's processing).
    # A Saturday, two weeks after the commits (``COMMITTED_AT``): the load is on its day.
    day = date(2026, 12, 19)
    reg.operator(certificates=[CERT])
    reg.user(email=NEW, name="新井 新", permissions=dict(CODES))
    made = GitRegistry(reg)
    try:
        out = tmp_path / "initial"
        ran = run_cli("apply", "--out", str(out), "--initial", "--confirm",
                      "--today", day.isoformat(), cwd=made.path)  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        for system in CODES:
            snapshot = read_csv(out / "imports" / system / "snapshot.csv")
            assert NEW in {r["メールアドレス（ID）"] for r in snapshot}, system
            rows = [
                r
                for path in sorted((out / "imports" / system).glob("delta-*.csv"))
                for r in read_csv(path)
                if r["メールアドレス（ID）"] == NEW
            ]
            assert [r["適用日"] for r in rows] == [day.isoformat()], system
        for kind, suffix in (("scim", "json"), ("ldif", "ldif")):
            labels = [p.name for p in sorted((out / kind).glob(f"delta-*.{suffix}"))]
            assert labels == [f"delta-{day}.{suffix}"], kind
        cert_map = (out / "whitelist" / "taxis" / "cert-map.conf").read_text(encoding="utf-8")
        assert f"{CERT['serial']} {OPERATOR};" in cert_map
        body = _accepted_body(out)
        for system in LABELS:
            line = _line_of(body, system)
            assert f"利用開始 {day}" in line, line
        assert f"証明書ID {CERT['id']}" in body and f"{day} 以降" in body
        assert "システム処理日（M）" not in body
        # Accepted on that day too, not on its commits' 12/3 nor on the next business day:
        # the 受付 mail (its date and text) and status say it, and the batch's M, which the
        # CSV deltas keep (file name and column), is the one counted from it (the 16th-end:
        # 1/1, a holiday, then the weekend and the year-end closure until 1/4).
        (path,) = sorted((out / "mail").glob("*-accepted-*.eml"))
        mail = message_from_bytes(path.read_bytes(), policy=policy.strict)
        assert mail["Date"].datetime.date() == day
        assert f"受付日: {day}" in body
        m = "2027-01-05"
        assert [p.name for p in sorted((out / "imports" / "taxis").glob("delta-*.csv"))] == [
            f"delta-{m}.csv"
        ]
        assert {
            r["システム処理日（M）"] for r in read_csv(out / "imports/taxis" / f"delta-{m}.csv")
        } == {m}
        listed = run_cli("--lang", "ja", "status", "--today", day.isoformat(), cwd=made.path)
        assert listed.returncode == 0, listed.stderr
        header, row = (line.split("\t") for line in listed.stdout.splitlines()[:2])
        assert (row[header.index("受付日")], row[header.index("M")]) == (day.isoformat(), m)
        # The 利用開始周知 once TAXIS has imported the batch names the same day.
        state = json.loads(made.repo.git.show("refs/accessreg/state:state.json"))
        (batch,) = state["batches"]
        notices = tmp_path / "notices"
        confirmed = run_cli("confirm", batch, "--system", "taxis", "--out", str(notices),
                            "--today", day.isoformat(), cwd=made.path)  # fmt: skip
        assert confirmed.returncode == 0, confirmed.stderr
        mails = [
            message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(notices.rglob("*.eml"))
        ]
        started = [m for m in mails if str(m["Subject"]).startswith("【利用開始周知】託送システム")]
        assert started, [str(m["Subject"]) for m in mails]
        for mail in started:
            line = next(ln for ln in mail.get_content().splitlines() if f"{NEW}）" in ln)
            assert line.endswith(f"利用開始 {day}"), line
    finally:
        made.close()


def test_the_snapshots_hold_a_new_user_from_the_date_the_deltas_give(
    gr: GitRegistry, tmp_path: Path
) -> None:
    # Approved on 12/2: M is 12/16, TAXIS from M+6 (12/24), JUJU from M+9 (12/29). The
    # snapshots of every later run, another merge's or the daily one over what was
    # applied, hold the user from those dates: not before, as the deltas and mails say.
    # The same application deletes a user of LOACUS, after a manual step (000 §5-3): that
    # waits in the run that applies it only, as before.
    window = "window1@test-gas.example.co.jp"

    def application() -> None:
        gr.reg.user(email=NEW, permissions={"taxis": "1011", "juju": "granted"})
        gr.remove(f"users/{OPERATOR}/{window}.yaml")

    out = _applied(gr, tmp_path, "new", application)
    rows = {
        s: [
            r["適用日"] for r in read_csv_rows(out, s) if r["メールアドレス（ID）"] in (NEW, window)
        ]
        for s in ("taxis", "juju", "loacus")
    }
    assert rows == {"taxis": ["2026-12-24", "2026-12-03"], "juju": ["2026-12-29"], "loacus": [""]}

    def holds(out: Path) -> dict[str, bool]:
        entries = ldif_entries((out / "ldif" / "snapshot.ldif").read_bytes())
        found = {}
        for system, login in (("taxis", NEW), ("juju", NEW), ("loacus", window)):
            csv_rows = read_csv(out / "imports" / system / "snapshot.csv")
            in_csv = login in {r["メールアドレス（ID）"] for r in csv_rows}
            members = {
                m.split(",", 1)[0]
                for dn, attrs in entries.items()
                if dn.startswith(f"cn={system}-")
                for m in attrs.get("member", [])
            }
            assert in_csv == (f"uid={login}" in members), system  # the CSV and LDIF agree
            found[system] = in_csv
        return found

    assert holds(out) == {"taxis": False, "juju": False, "loacus": True}
    # Another merge on 12/7 (a memo) keeps the waiting user out.
    later = _applied(
        gr,
        tmp_path,
        "memo",
        lambda: gr.reg.user(
            email=NEW, permissions={"taxis": "1011", "juju": "granted"}, memo="席替え"
        ),
        "2026-12-07",
    )
    assert holds(later) == {"taxis": False, "juju": False, "loacus": False}
    # Its deltas fix the memo when the user arrives, not before (an LDAP modify of an
    # entry not there yet fails).
    memo = {
        s: [r["適用日"] for r in read_csv_rows(later, s) if r["メールアドレス（ID）"] == NEW]
        for s in ("taxis", "juju")
    }
    assert memo == {"taxis": ["2026-12-24"], "juju": ["2026-12-29"]}
    # The directory's entry holds the memo from 12/24; on 12/29 JUJU's group takes the user
    # from the earlier batch, and this one has nothing to ask of a directory.
    labels = [p.name for p in sorted((later / "ldif").glob("delta-*.ldif"))]
    assert labels == ["delta-2026-12-24.ldif"]
    expected = {
        "2026-12-23": {"taxis": False, "juju": False, "loacus": False},
        "2026-12-24": {"taxis": True, "juju": False, "loacus": False},
        "2026-12-28": {"taxis": True, "juju": False, "loacus": False},
        "2026-12-29": {"taxis": True, "juju": True, "loacus": False},
    }
    for day, held in expected.items():
        assert holds(over_applied(gr, tmp_path, day)) == held, day


def test_a_user_removed_before_arriving_leaves_after_the_arrival(
    gr: GitRegistry, tmp_path: Path
) -> None:
    # Added on 12/2 (TAXIS from 12/24, JUJU 12/29), removed on 12/7: TAXIS deletes the
    # next day (000 §5-3), but downstream gets the user on 12/24 from the first batch. So
    # the deletion is dated 12/24 too: the second batch, imported after the first, ends
    # with the user gone. No snapshot of any day holds the user. With it, a window
    # person's TAXIS code changes, at once (12/2): that has come.
    window = "window1@test-gas.example.co.jp"

    def application() -> None:
        gr.reg.user(email=NEW, permissions={"taxis": "1011", "juju": "granted"})
        gr.reg.user(email=window, permissions={"taxis": "1011", "loacus": "02011"})

    def removal() -> None:
        gr.remove(f"users/{OPERATOR}/{NEW}.yaml")
        gr.reg.user(email=window, permissions={"taxis": "1011", "loacus": "02011"}, memo="席替え")

    _applied(gr, tmp_path, "new", application)
    out = _applied(gr, tmp_path, "gone", removal, "2026-12-07")
    rows = [r for r in read_csv_rows(out, "taxis") if r["メールアドレス（ID）"] == NEW]
    assert [(r["区分"], r["適用日"]) for r in rows] == [("抹消", "2026-12-24")]
    # JUJU deletes after the system operator's manual step: no date, arrival or not.
    rows = [r for r in read_csv_rows(out, "juju") if r["メールアドレス（ID）"] == NEW]
    assert [(r["区分"], r["適用日"]) for r in rows] == [("抹消", "")]
    # The 受付 mail and the recorded application say the same date as the rows.
    body = _accepted_body(out)
    line = _line_of(body, "taxis")
    assert "2026-12-24" in line, line
    # The window person is told why (000 §5-3 would give the next day); JUJU keeps none.
    assert line.endswith("（先の申請による利用開始日に合わせています）"), line
    assert body.count("先の申請による") == 1, body
    assert _recorded_on(gr, NEW, "taxis", "remove") == ["2026-12-24, waits"]
    # The window person's memo, on the info-sharing site (derived): that person is there
    # already, so the fix keeps its own date, the first of the systems it follows (TAXIS's,
    # at once; LOACUS's is M+9), not a manual step's.
    fixed = [r for r in read_csv_rows(out, "info_site") if r["メールアドレス（ID）"] == window]
    assert [(r["区分"], r["適用日"]) for r in fixed] == [("変更", "2026-12-07")]
    naming = [
        p.name for p in sorted((out / "ldif").glob("delta-*.ldif")) if NEW in p.read_text("utf-8")
    ]
    assert naming == ["delta-2026-12-24.ldif", "delta-manual.ldif"]
    for day in ("2026-12-07", "2026-12-23", "2026-12-24"):
        daily = over_applied(gr, tmp_path, day)
        snapshot = read_csv(daily / "imports" / "taxis" / "snapshot.csv")
        assert NEW not in {r["メールアドレス（ID）"] for r in snapshot}, day


def _plan_json(repo: Path, base: str, head: str, day: str) -> dict[str, Any]:
    """The plan of the pull request ``head`` as JSON, entered, approved and read on
    ``day``, in the repository ``repo``."""
    dated = ["--entered-on", day, "--accepted-on", day, "--today", day]
    shown = run_cli("plan", "--base", base, "--head", head, "--format", "json", *dated,
                    cwd=repo)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    plan: dict[str, Any] = json.loads(shown.stdout)
    return plan


def _planned_item(repo: Path, head: str, day: str, login: str) -> dict[str, Any]:
    """The one item of ``login`` in the plan of ``head`` against ``main`` (``_plan_json``)."""
    plan = _plan_json(repo, "main", head, day)
    (item,) = [i for op in plan["operators"] for i in op["items"] if i["key"] == login]
    return item


def _planned_on(repo: Path, base: str, head: str, day: str, login: str, system: str) -> list[str]:
    """The dates the plan of the pull request ``head`` gives ``login``'s ``system``
    (entered, approved and read on ``day``), in the repository ``repo``."""
    items = [i for op in _plan_json(repo, base, head, day)["operators"] for i in op["items"]]
    return [
        e["effective"]["on"] + (", waits" if e["effective"]["waits"] else "")
        for i in items
        if i["key"] == login
        for e in i["effects"]
        if e["system"] == system
    ]


def test_a_pull_request_plan_dates_a_change_of_a_user_still_to_come_as_its_merge(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The plan the reviewers approve gives the date the merge's rows, 受付 mail and record
    give: the removal of a user whose TAXIS comes on 12/24 waits for it. The plan reads the
    state ref, which the workflows fetch; without it, the removal's own date (the next
    day) is all it can give."""
    _applied(gr, tmp_path, "new", lambda: gr.reg.user(email=NEW, permissions={"taxis": "1011"}))
    _branch(gr, "gone", lambda: gr.remove(f"users/{OPERATOR}/{NEW}.yaml"))
    assert _planned_on(gr.path, "main", "gone", "2026-12-07", NEW, "taxis") == ["2026-12-24, waits"]
    # The reviewer is told why, in the comment's terms.
    dated = ["--entered-on", "2026-12-07", "--accepted-on", "2026-12-07", "--today", "2026-12-07"]
    shown = run_cli("plan", "--base", "main", "--head", "gone", "--format", "markdown", *dated,
                    cwd=gr.path)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    why = [ln for ln in shown.stdout.splitlines() if "applied for before comes on" in ln]
    assert len(why) == 1 and "2026-12-24" in why[0] and "taxis" in why[0], shown.stdout
    # In the reviewer's words, the system as the forms name it.
    shown = run_cli("--lang", "ja", "plan", "--base", "main", "--head", "gone", "--format",
                    "markdown", *dated, cwd=gr.path)  # fmt: skip
    why = [ln for ln in shown.stdout.splitlines() if "先の申請により 2026-12-24" in ln]
    assert len(why) == 1 and why[0].startswith("- 託送システム（taxis）: "), shown.stdout
    # A clone has no state ref until it is fetched: the plan cannot know of the wait.
    clone = tmp_path / "clone"
    with git.Repo.clone_from(gr.path, clone) as cloned:
        assert "accessreg" not in cloned.git.for_each_ref()
    planned = _planned_on(clone, "origin/main", "origin/gone", "2026-12-07", NEW, "taxis")
    assert planned == ["2026-12-08"]
    out = _applied(gr, tmp_path, "gone", None, "2026-12-07")
    rows = [r for r in read_csv_rows(out, "taxis") if r["メールアドレス（ID）"] == NEW]
    assert [(r["区分"], r["適用日"]) for r in rows] == [("抹消", "2026-12-24")]
    assert _recorded_on(gr, NEW, "taxis", "remove") == ["2026-12-24, waits"]
    # The range applied again after the user came: its 受付 mail, rebuilt from the record
    # (nothing waits any more), still gives the day and the reason.
    state = json.loads(gr.repo.git.show("refs/accessreg/state:state.json"))
    last = max(state["batches"].values(), key=lambda b: b["number"])
    again = tmp_path / "again"
    ran = run_cli("apply", "--out", str(again), "--base", last["base"], "--head", last["head"],
                  "--today", "2026-12-25", "--allow-mass-removal", cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    line = _line_of(_accepted_body(again), "taxis")
    assert "2026-12-24（先の申請による利用開始日に合わせています）" in line, line


def _replayed(gr: GitRegistry, tmp: Path, runs: list[str], day: str) -> dict[str, list[str]]:
    """The first apply's snapshot loaded into a real slapd, then every LDIF delta of
    ``runs`` applied on its date, a day's in the order of the runs, as downstream applies
    them (each must be accepted), and those after a manual step once it is done: the
    directory must then hold what the snapshot of ``day``, after the last date, says.
    That state, checked."""
    final = over_applied(gr, tmp, day)
    with slapd(tmp) as directory:
        directory.modify((tmp / "initial" / "ldif" / "snapshot.ldif").read_bytes(), add=True)
        found = deltas([tmp / run for run in runs])
        assert all(on < day or on == "manual" for on, _, _ in found), found
        for _, _, path in found:
            directory.modify(path.read_bytes())
        held = members(directory.search(BASE))
    expected = members(ldif_entries((final / "ldif" / "snapshot.ldif").read_bytes()))
    assert held == expected
    return expected


def test_a_change_into_a_code_nobody_holds_keeps_its_own_date(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A new user brings TAXIS 1012, a code nobody holds, on 12/24; another user is moved
    to 1012 on 12/7. Every code's group stands, held or not, so the move joins it on its
    own day: neither the plan, the rows nor the record wait for the new user. Every delta,
    applied by a real slapd on its date and in the order of the runs, leaves the directory
    as the snapshot of the day after the last date says."""
    window = "window1@test-gas.example.co.jp"
    _applied(gr, tmp_path, "new", lambda: gr.reg.user(email=NEW, permissions={"taxis": "1012"}))
    (comes,) = _recorded_on(gr, NEW, "taxis", "add")
    joined = {"taxis": "1012", "loacus": "02011"}
    _branch(gr, "join", lambda: gr.reg.user(email=window, permissions=joined))
    (planned,) = _planned_on(gr.path, "main", "join", "2026-12-07", window, "taxis")
    assert planned < comes and "waits" not in planned
    _applied(gr, tmp_path, "join", None, "2026-12-07")
    assert _recorded_on(gr, window, "taxis", "change") == [planned]
    rows = read_csv_rows(tmp_path / "join", "taxis")
    rows = [r for r in rows if r["メールアドレス（ID）"] == window]
    assert [(r["区分"], r["適用日"]) for r in rows] == [("変更", planned)]
    line = _line_of(_accepted_body(tmp_path / "join"), "taxis")
    assert "先の申請" not in line, line
    expected = _replayed(gr, tmp_path, ["new", "join"], "2027-01-20")
    assert expected[f"cn=taxis-1012,ou=groups,{BASE}"] == sorted(
        f"uid={login},ou=people,{BASE}" for login in (NEW, window)
    )


def test_a_code_handed_over_leaves_and_joins_each_on_its_own_day(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Handing over TAXIS 1010: its only holder is removed on 12/7 (gone on 12/8, 000
    §5-3), and another user is moved to 1010 by a second merge that day. The group stands
    through both: the move is dated as its own events date it, not after the removal."""
    window = "window1@test-gas.example.co.jp"
    _applied(
        gr,
        tmp_path,
        "out",
        lambda: gr.remove(f"users/{OPERATOR}/{window}.yaml"),
        "2026-12-07",
    )
    _branch(gr, "in", lambda: gr.reg.user(permissions={"taxis": "1010", "johs": "J1010"}))
    (planned,) = _planned_on(gr.path, "main", "in", "2026-12-07", USER1, "taxis")
    assert "waits" not in planned
    _applied(gr, tmp_path, "in", None, "2026-12-07")
    assert _recorded_on(gr, USER1, "taxis", "change") == [planned]
    expected = _replayed(gr, tmp_path, ["out", "in"], "2026-12-20")
    assert expected[f"cn=taxis-1010,ou=groups,{BASE}"] == [f"uid={USER1},ou=people,{BASE}"]


def test_the_last_holder_of_a_group_a_new_user_joins_later_leaves_on_their_own_day(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A new user with JOHS comes on 12/24; the only user holding JOHS now gives it up on
    12/7. The group keeps its placeholder member when its last holder leaves (a
    ``groupOfNames`` cannot be empty), so the leaving is a ``modify`` on its own day, and
    the new user's ``modify`` of 12/24 finds the group there: a departure never waits for
    somebody else's arrival."""
    _applied(gr, tmp_path, "new", lambda: gr.reg.user(email=NEW, permissions={"johs": "J1010"}))
    (comes,) = _recorded_on(gr, NEW, "johs", "add")
    _applied(gr, tmp_path, "drop", lambda: gr.reg.user(permissions={"taxis": "1011"}), "2026-12-07")
    (left,) = _recorded_on(gr, USER1, "johs", "change")
    assert left < comes and "waits" not in left
    line = _line_of(_accepted_body(tmp_path / "drop"), "johs")
    assert "先の申請" not in line, line
    expected = _replayed(gr, tmp_path, ["new", "drop"], "2027-01-20")
    assert expected[f"cn=johs-j1010,ou=groups,{BASE}".lower()] == [f"uid={NEW},ou=people,{BASE}"]


def test_the_last_holder_leaves_on_their_own_day_though_the_merge_changes_the_new_user_too(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """As above, with the new user's memo changed by the same merge that makes the only
    JOHS holder give it up."""
    _applied(gr, tmp_path, "new", lambda: gr.reg.user(email=NEW, permissions={"johs": "J1010"}))
    (comes,) = _recorded_on(gr, NEW, "johs", "add")

    def drop_and_note() -> None:
        gr.reg.user(permissions={"taxis": "1011"})
        gr.reg.user(email=NEW, permissions={"johs": "J1010"}, memo="異動予定")

    _applied(gr, tmp_path, "drop", drop_and_note, "2026-12-07")
    (left,) = _recorded_on(gr, USER1, "johs", "change")
    assert left < comes and "waits" not in left
    expected = _replayed(gr, tmp_path, ["new", "drop"], "2027-01-20")
    assert expected[f"cn=johs-j1010,ou=groups,{BASE}".lower()] == [f"uid={NEW},ou=people,{BASE}"]


def test_a_group_a_new_user_joins_and_leaves_before_coming_loses_its_last_holder_on_the_day(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A new user with TAXIS 1010 (12/24) is moved to 1012 before coming: their batches
    join 1010 and leave it again on 12/24. The only current 1010 holder giving it up on
    12/7 leaves on that day; the group stands, empty but for its placeholder, once all
    have gone."""
    window = "window1@test-gas.example.co.jp"
    _applied(gr, tmp_path, "new", lambda: gr.reg.user(email=NEW, permissions={"taxis": "1010"}))
    (comes,) = _recorded_on(gr, NEW, "taxis", "add")
    move = {"email": NEW, "permissions": {"taxis": "1012"}}
    _applied(gr, tmp_path, "move", lambda: gr.reg.user(**move), "2026-12-03")
    drop = {"email": window, "permissions": {"loacus": "02011"}}
    _applied(gr, tmp_path, "drop", lambda: gr.reg.user(**drop), "2026-12-07")
    (left,) = _recorded_on(gr, window, "taxis", "change")
    assert left < comes and "waits" not in left
    expected = _replayed(gr, tmp_path, ["new", "move", "drop"], "2027-01-20")
    assert expected[f"cn=taxis-1010,ou=groups,{BASE}"] == []


def test_a_new_users_other_systems_wait_for_their_entry(gr: GitRegistry, tmp_path: Path) -> None:
    """A new user comes on 12/24 (TAXIS); JOHS added to them on 12/7 would change an entry
    no directory has yet: it is dated 12/24 too, in the plan as in the merge."""
    _applied(gr, tmp_path, "new", lambda: gr.reg.user(email=NEW, permissions={"taxis": "1011"}))
    more = {"taxis": "1011", "johs": "J1010"}
    _branch(gr, "more", lambda: gr.reg.user(email=NEW, permissions=more))
    assert _planned_on(gr.path, "main", "more", "2026-12-07", NEW, "johs") == ["2026-12-24, waits"]
    _applied(gr, tmp_path, "more", None, "2026-12-07")
    assert _recorded_on(gr, NEW, "johs", "change") == ["2026-12-24, waits"]
    expected = _replayed(gr, tmp_path, ["new", "more"], "2027-01-20")
    assert f"uid={NEW},ou=people,{BASE}" in expected[f"cn=johs-j1010,ou=groups,{BASE}".lower()]


def _own_dates(gr: GitRegistry, login: str) -> list[str]:
    """The dates the state records for ``login``'s items of no system (the user's own)."""
    state = json.loads(gr.repo.git.show("refs/accessreg/state:state.json"))
    return [
        i["on"]
        for b in state["batches"].values()
        for a in b["applications"]
        for i in a["items"]
        if i["key"] == login and i["system"] is None
    ]


def test_an_approval_on_a_sunday_is_accepted_on_the_monday_in_every_output(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """The centre accepts on business days (000 §5-1 ②: 翌営業日に申請受付; the worked
    example's case 3, entered on a Friday, is accepted on the Monday): an approval on Sunday
    12/13 is accepted on Monday 12/14. The 受付日 every mail and ``status`` show is the day
    the items keyed on the acceptance count from (the address at once: 12/14), not the
    approval's own Sunday."""
    sunday, monday = "2026-12-13", "2026-12-14"
    address = {"cidr": "41.203.64.10/32", "reason": "海外拠点", "expires_on": "2027-09-30"}

    def apply_for_both() -> None:
        gr.reg.operator(ip_allowlist=[address])
        gr.reg.user(email=NEW, name="新井 新", permissions={"taxis": "1011"})

    _branch(gr, "sunday", apply_for_both)
    sha = gr.merge("sunday")
    events = tmp_path / "sunday.json"
    events.write_text(json.dumps([{"merge_commit": sha, "accepted_at": f"{sunday}T10:00:00+09:00",
                                   "merged_at": f"{sunday}T11:00:00+09:00"}]))  # fmt: skip
    out = tmp_path / "sunday"
    ran = run_cli("apply", "--out", str(out), "--confirm", "--pull-requests", str(events),
                  "--today", monday, cwd=gr.path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    body = _accepted_body(out)
    assert f"受付日: {monday}" in body
    assert f"41.203.64.10/32、有効期限 2027-09-30 / 反映 {monday} 以降" in body
    table = status_table(gr, monday, "--operator", OPERATOR)
    (row,) = [r for r in table if r["申請番号"].startswith(sha[:12])]
    assert row["受付日"] == monday
    state = json.loads(gr.repo.git.show("refs/accessreg/state:state.json"))
    (batch,) = [b for b, v in state["batches"].items() if v["head"] == sha]
    # The 登録完了連絡 of the address, owed from its date, and the 利用開始周知 of TAXIS.
    due = tmp_path / "due"
    ran = run_cli("apply", "--out", str(due), "--head", sha, "--today", monday, cwd=gr.path)
    assert ran.returncode == 0, ran.stderr
    notices = tmp_path / "notices"
    confirmed = run_cli("confirm", batch, "--system", "taxis", "--out", str(notices),
                        "--today", "2026-12-24", cwd=gr.path)  # fmt: skip
    assert confirmed.returncode == 0, confirmed.stderr
    mails = {
        str(mail["Subject"]).split("】")[0]: mail.get_content()
        for path in [*(due / "mail").glob("*.eml"), *notices.rglob("*.eml")]
        if isinstance(mail := message_from_bytes(path.read_bytes(), policy=policy.strict),
                      EmailMessage)
    }  # fmt: skip
    assert sorted(mails) == ["【利用開始周知", "【登録完了連絡"]
    for kind, text in mails.items():
        assert f"受付日: {monday}" in text, kind


def test_a_removal_waits_for_a_suspension_its_file_dates_later(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """A user suspended from Tuesday 12/8, as the file says, by a merge on Saturday 12/5 is
    suspended on 12/8 (a suspension is on the day its file names, at once: 001 p46);
    removed by a second merge that Saturday, they would be deleted on 12/6 (the day after,
    000 §5-3), before the suspension's delta moves an entry no longer there. The removal is
    dated 12/8 too, after it, in the plan as in the merge. Other users keep every group the
    two touch in existence, so that only the suspension's own recorded date can hold it
    back."""
    codes = {"taxis": "1011", "johs": "J1010"}
    reg.user(email="keep@test-gas.example.co.jp", permissions=codes)
    reg.user(email="held@test-gas.example.co.jp", permissions=codes, suspended_on="2026-11-02")
    gr = GitRegistry(reg)
    first = run_cli("apply", "--out", str(tmp_path / "initial"), "--initial", "--confirm",
                    "--today", "2026-11-20", cwd=gr.path)  # fmt: skip
    assert first.returncode == 0, first.stderr
    saturday, tuesday = "2026-12-05", "2026-12-08"
    _applied(gr, tmp_path, "stop", lambda: gr.reg.user(suspended_on=tuesday), saturday)
    assert _own_dates(gr, USER1) == [tuesday]  # the suspension's own date, recorded
    state = json.loads(gr.repo.git.show("refs/accessreg/state:state.json"))
    assert not [b for b in state["batches"].values() if "groups" in b]  # no group changes
    _branch(gr, "gone", lambda: gr.remove(f"users/{OPERATOR}/{USER1}.yaml"))
    assert _planned_on(gr.path, "main", "gone", saturday, USER1, "taxis") == [f"{tuesday}, waits"]
    _applied(gr, tmp_path, "gone", None, saturday)
    assert _recorded_on(gr, USER1, "taxis", "remove") == [f"{tuesday}, waits"]
    expected = _replayed(gr, tmp_path, ["stop", "gone"], "2027-01-20")
    assert not [dn for dn in expected if USER1 in dn]
    gr.close()


def test_a_suspension_of_a_groups_last_holder_is_on_the_day_though_a_new_holder_comes_later(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """The only LOACUS 02011 holder is suspended (a lost token, 001 p46) while a new user
    with 02011 is still to come: the suspension is on its day in LOACUS too, not when the
    new user comes (principle: nothing delays a stop). The group keeps its placeholder
    meanwhile, and the new user's ``modify`` finds it. A user alone in ``loacus-suspended``,
    restored the next day, leaves it on their own day too."""
    sole, held = "sole@test-gas.example.co.jp", "held@test-gas.example.co.jp"
    reg.user(email=sole, permissions={"loacus": "02011"})
    reg.user(email=held, permissions={"loacus": "02010"}, suspended_on="2026-11-02")
    gr = GitRegistry(reg)
    first = run_cli("apply", "--out", str(tmp_path / "initial"), "--initial", "--confirm",
                    "--today", "2026-11-20", cwd=gr.path)  # fmt: skip
    assert first.returncode == 0, first.stderr
    _applied(gr, tmp_path, "new", lambda: gr.reg.user(email=NEW, permissions={"loacus": "02011"}))
    (comes,) = _recorded_on(gr, NEW, "loacus", "add")
    stop = {"email": sole, "permissions": {"loacus": "02011"}, "suspended_on": "2026-12-07"}
    out = _applied(gr, tmp_path, "stop", lambda: gr.reg.user(**stop), "2026-12-07")
    rows = [r for r in read_csv_rows(out, "loacus") if r["メールアドレス（ID）"] == sole]
    assert [(r["区分"], r["適用日"]) for r in rows] == [("停止", "2026-12-07")]
    assert _own_dates(gr, sole) == ["2026-12-07"]
    state = json.loads(gr.repo.git.show("refs/accessreg/state:state.json"))
    assert not [
        b for b in state["batches"].values() if sole in b.get("moves", {}).get("loacus", {})
    ]
    suspended = f"cn=loacus-suspended,ou=groups,{BASE}"
    on_the_day = (out / "ldif" / "delta-2026-12-07.ldif").read_text()
    assert f"dn: {suspended}\nchangetype: modify\nadd: member\nmember: uid={sole}" in on_the_day
    back = {"email": held, "permissions": {"loacus": "02010"}}
    _applied(gr, tmp_path, "back", lambda: gr.reg.user(**back), "2026-12-08")
    assert not list((tmp_path / "back" / "ldif").glob(f"delta-{comes}.ldif"))
    expected = _replayed(gr, tmp_path, ["new", "stop", "back"], "2027-02-20")
    assert expected[suspended] == [f"uid={sole},ou=people,{BASE}"]
    assert expected[f"cn=loacus-02011,ou=groups,{BASE}"] == [f"uid={NEW},ou=people,{BASE}"]
    gr.close()


def test_a_suspension_with_a_memo_is_on_the_day_in_every_system(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """Suspended on a lost token (001 p46), the memo saying why: every system stops the ID
    on the day, LOACUS too (its changes wait for M+9) and the info-sharing site (which has
    no timing of its own), not when a change of the form's fields would."""
    window = "window1@test-gas.example.co.jp"
    stop = {"permissions": {"taxis": "1010", "loacus": "02011"}, "memo": "USBトークン紛失"}
    out = _applied(
        gr, tmp_path, "stop", lambda: gr.reg.user(email=window, suspended_on="2026-12-07", **stop),
        "2026-12-07",
    )  # fmt: skip
    for system in ("taxis", "loacus"):
        rows = [r for r in read_csv_rows(out, system) if r["メールアドレス（ID）"] == window]
        assert [(r["区分"], r["適用日"]) for r in rows] == [("停止", "2026-12-07")], system
    assert not list((out / "ldif").glob("delta-manual.ldif"))
    assert _own_dates(gr, window) == ["2026-12-07"]  # as a later change of the user reads it
    # The memo does not make it another application: the 受付 mail announces a suspension.
    body = _accepted_body(out)
    assert "申請種別: 利用の停止（" in body
    assert "利用停止 2026-12-07" in _line_of(body, "loacus")


# A code added to TAXIS in the catalog, after 1012's line.
CODE_1013 = "      - {code: '1013', label: 更新権限あり（試行）, label_en: trial}\n"
AFTER_1012 = "label_en: update rights limited to some tasks}\n"


def test_a_code_the_catalog_adds_or_drops_has_its_group_created_first_and_deleted_last(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """A code added to the catalog gets its group on the day of the merge's run, before
    anyone joins it (here a new user, on their M+6), in a delta of its own; a code dropped
    from it loses its group in the run's last delta, after its holders have left (the new
    user moved to 1011 by a later merge, on the day they come)."""

    def add_code() -> None:
        gr.reg.edit("systems.yaml", AFTER_1012, AFTER_1012 + CODE_1013)
        gr.reg.user(email=NEW, permissions={"taxis": "1013"})

    out = _applied(gr, tmp_path, "new", add_code, "2026-12-02")
    (comes,) = _recorded_on(gr, NEW, "taxis", "add")
    group = f"cn=taxis-1013,ou=groups,{BASE}"
    created = (out / "ldif" / "delta-2026-12-02.ldif").read_text()
    assert f"dn: {group}\nchangetype: add\n" in created and NEW not in created
    posted = json.loads((out / "scim" / "delta-2026-12-02.json").read_text())["Operations"]
    assert [op["path"] for op in posted] == ["/Groups"] and posted[0]["bulkId"] == "taxis-1013"
    assert (
        f"dn: {group}\nchangetype: modify\nadd: member\n"
        in (out / "ldif" / f"delta-{comes}.ldif").read_text()
    )

    def drop_code() -> None:
        gr.reg.edit("systems.yaml", CODE_1013, "")
        gr.reg.user(email=NEW, permissions={"taxis": "1011"})
        gr.reg.user(permissions={"taxis": "1012"})  # a change of its own day, before

    dropped = _applied(gr, tmp_path, "drop", drop_code, "2026-12-07")
    first, *_, last = sorted((dropped / "ldif").glob("delta-*.ldif"))
    assert first.name == "delta-2026-12-07.ldif" and last.name == f"delta-{comes}.ldif"
    assert last.read_text().rstrip().endswith(f"dn: {group}\nchangetype: delete")
    expected = _replayed(gr, tmp_path, ["new", "drop"], "2027-01-20")
    assert group not in expected
    assert f"uid={NEW},ou=people,{BASE}" in expected[f"cn=taxis-1011,ou=groups,{BASE}"]


def test_a_merge_that_only_adds_a_code_creates_its_group_on_the_day(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """No holder changes, yet the directory needs the new code's group before anyone joins
    it: the run writes a delta of its day with the group alone (LDIF and SCIM)."""
    out = _applied(
        gr,
        tmp_path,
        "code",
        lambda: gr.reg.edit("systems.yaml", AFTER_1012, AFTER_1012 + CODE_1013),
    )
    created = (out / "ldif" / "delta-2026-12-02.ldif").read_text()
    assert created.count("changetype:") == 1
    assert f"dn: cn=taxis-1013,ou=groups,{BASE}\nchangetype: add\n" in created
    posted = json.loads((out / "scim" / "delta-2026-12-02.json").read_text())["Operations"]
    assert [(op["method"], op["bulkId"]) for op in posted] == [("POST", "taxis-1013")]
    expected = _replayed(gr, tmp_path, ["code"], "2026-12-20")
    assert expected[f"cn=taxis-1013,ou=groups,{BASE}"] == []


def test_a_suspension_before_two_changes_come_is_told_again_after_each(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """LOACUS 02011 changed to 03010 on 12-02 comes on 12-29; changed again to 02010 on
    12-17, it comes in the January batch. Suspended on 12-20, the user is stopped at once
    on 02011, and again after each change: the first change's own row of 12-29, written
    before the suspension, would otherwise leave them active on 03010 until January (001
    p46: nothing delays a suspension). Every LDIF delta is accepted on its date."""
    _applied(gr, tmp_path, "c1", lambda: gr.reg.user(email=WINDOW1,
             permissions={"taxis": "1010", "loacus": "03010"}))  # fmt: skip
    held = {"taxis": "1010", "loacus": "02010"}
    _applied(gr, tmp_path, "c2", lambda: gr.reg.user(email=WINDOW1, permissions=held),
             day="2026-12-17")  # fmt: skip
    first, last = (d.split(",")[0] for d in _recorded_on(gr, WINDOW1, "loacus", "change"))
    assert first == "2026-12-29" and last > first, (first, last)
    stopped = {"email": WINDOW1, "permissions": held, "suspended_on": "2026-12-20"}
    out = _applied(gr, tmp_path, "stop", lambda: gr.reg.user(**stopped), day="2026-12-20")
    assert _coded_rows(out, "loacus", WINDOW1) == [
        ("delta-at-once-2026-12-20.csv", "停止", "02011", ""),
        ("delta-at-once-2026-12-29.csv", "停止", "03010", ""),
        (f"delta-at-once-{last}.csv", "停止", "02010", ""),
    ]
    assert _snapshot_row(over_applied(gr, tmp_path, "2026-12-29"), "loacus", WINDOW1) == (
        "03010",
        "停止中",
    )
    line = _line_of(_accepted_body(out), "loacus")
    assert line.endswith(
        ": 停止 02011（託送供給依頼者（参照権限）） / 利用停止 2026-12-20（先の申請による "
        f"2026-12-29 の 03010（製造事業者）、{last} の 02010（託送供給依頼者（更新権限））"
        "への権限変更後も、停止を継続します）"
    ), line
    _replayed(gr, tmp_path, ["c1", "c2", "stop"], "2027-01-20")


def test_a_lifting_before_a_removal_comes_leaves_the_permission_stopped_until_it(
    gr: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LOACUS dropped on 12-02 leaves on 12-29; the user suspended on 12-07 is stopped
    there at once, and the suspension's run writes their leaving LOACUS's suspended group
    on 12-29, after the removal. Lifted on 12-09, the user starts again in TAXIS at once;
    LOACUS cannot: a directory that took them out of the suspended group on 12-09 would
    refuse that earlier delta of 12-29. So it stays stopped until the removal, and the
    lifting's snapshot must say so as its rows do; every LDIF delta is accepted by a real
    slapd on its date."""
    kept = {"taxis": "1010"}
    _applied(gr, tmp_path, "drop", lambda: gr.reg.user(email=WINDOW1, permissions=kept))
    stopped = {"email": WINDOW1, "permissions": kept, "suspended_on": "2026-12-07"}
    committed_on(monkeypatch, "2026-12-07")
    _applied(gr, tmp_path, "stop", lambda: gr.reg.user(**stopped), day="2026-12-07")
    committed_on(monkeypatch, "2026-12-09")
    out = _applied(gr, tmp_path, "lift", lambda: gr.reg.user(email=WINDOW1, permissions=kept),
                   day="2026-12-09")  # fmt: skip
    assert _person_rows(out, "loacus", WINDOW1) == []
    assert _person_rows(out, "taxis", WINDOW1) == [
        ("delta-at-once-2026-12-09.csv", "停止解除", "2026-12-09", "")
    ]
    expected = _replayed(gr, tmp_path, ["drop", "stop", "lift"], "2027-01-20")
    user = f"uid={WINDOW1},ou=people,{BASE}"
    assert user not in expected[f"cn=loacus-suspended,ou=groups,{BASE}"]
    assert user in expected[f"cn=taxis-1010,ou=groups,{BASE}"]
    assert _snapshot_row(out, "loacus", WINDOW1) == ("02011", "停止中")


def test_a_suspension_before_a_change_then_a_removal_come_is_told_again_after_the_change(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """LOACUS 02011 changed to 03010 on 12-02 comes on 12-29; dropped on 12-17, it leaves
    with the January batch. Suspended on 12-20, the user is stopped at once on 02011, and
    again after the change: its own row of 12-29, written before the suspension, would
    otherwise leave them active on 03010 until the removal (001 p46), and the 受付 mail
    says so. Every LDIF delta is accepted by a real slapd on its date, and the removal
    leaves nothing of LOACUS."""
    _applied(gr, tmp_path, "c1", lambda: gr.reg.user(email=WINDOW1,
             permissions={"taxis": "1010", "loacus": "03010"}))  # fmt: skip
    kept = {"taxis": "1010"}
    _applied(gr, tmp_path, "drop", lambda: gr.reg.user(email=WINDOW1, permissions=kept),
             day="2026-12-17")  # fmt: skip
    first, last = (d.split(",")[0] for d in _recorded_on(gr, WINDOW1, "loacus", "change"))
    assert first == "2026-12-29" and last > first, (first, last)
    stopped = {"email": WINDOW1, "permissions": kept, "suspended_on": "2026-12-20"}
    out = _applied(gr, tmp_path, "stop", lambda: gr.reg.user(**stopped), day="2026-12-20")
    assert _coded_rows(out, "loacus", WINDOW1) == [
        ("delta-at-once-2026-12-20.csv", "停止", "02011", ""),
        ("delta-at-once-2026-12-29.csv", "停止", "03010", ""),
    ]
    assert _snapshot_row(over_applied(gr, tmp_path, "2026-12-29"), "loacus", WINDOW1) == (
        "03010",
        "停止中",
    )
    line = _line_of(_accepted_body(out), "loacus")
    assert line.endswith(
        ": 停止 02011（託送供給依頼者（参照権限）） / 利用停止 2026-12-20（先の申請による "
        "2026-12-29 の 03010（製造事業者）への権限変更後も、停止を継続します）"
        f"（先の申請により {last} に抹消されるまで、停止します）"
    ), line
    expected = _replayed(gr, tmp_path, ["c1", "drop", "stop"], "2027-01-20")
    user = f"uid={WINDOW1},ou=people,{BASE}"
    assert not [g for g, held in expected.items() if "loacus" in g and user in held]


def test_a_suspension_merged_after_two_changes_in_one_run_stops_the_code_held(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """LOACUS 02011 changed to 03010 (12-02), then to 02010 (12-17), then the user
    suspended on 12-20, all applied by one run on 12-20: until the changes come
    downstream holds 02011, and the suspension's row of the day stops that code, not
    03010, which nobody has granted yet (an importer applying it would grant it early)."""
    held = {"taxis": "1010", "loacus": "02010"}
    out = _applied_together(gr, tmp_path, "2026-12-20", [
        ("c1", "2026-12-02", lambda: gr.reg.user(email=WINDOW1,
                                                 permissions={"taxis": "1010", "loacus": "03010"})),
        ("c2", "2026-12-17", lambda: gr.reg.user(email=WINDOW1, permissions=held)),
        ("c3", "2026-12-20", lambda: gr.reg.user(email=WINDOW1, permissions=held,
                                                 suspended_on="2026-12-20")),
    ])  # fmt: skip
    rows = _coded_rows(out, "loacus", WINDOW1)
    assert [r for r in rows if r[0] == "delta-at-once-2026-12-20.csv"] == [
        ("delta-at-once-2026-12-20.csv", "停止", "02011", "")
    ], rows
    assert _snapshot_row(out, "loacus", WINDOW1) == ("02011", "停止中")
    _replayed(gr, tmp_path, ["both"], "2027-01-20")


def test_an_operators_suspension_stops_at_once_what_a_removal_still_to_come_takes_away(
    gr: GitRegistry, tmp_path: Path
) -> None:
    """LOACUS dropped on 12-02 leaves on 12-29; on 12-07 the operator's use of LOACUS is
    suspended. Downstream holds 02011 until the removal, and the system operator stops
    first (001 p46, 002 §3.4.4): stopped on 12-07, as a suspension of the user's own ID
    stops it, the day's snapshot says so, and every LDIF delta is accepted by a real slapd
    on its date, the removal leaving nothing of LOACUS."""
    _applied(gr, tmp_path, "drop", lambda: gr.reg.user(email=WINDOW1,
                                                        permissions={"taxis": "1010"}))  # fmt: skip
    assert _recorded_on(gr, WINDOW1, "loacus", "change") == ["2026-12-29"]
    suspension = {"system": "loacus", "suspended_on": "2026-12-07", "reason": "不正利用の疑い"}
    out = _applied(gr, tmp_path, "stop", lambda: gr.reg.operator(suspensions=[suspension]),
                   day="2026-12-07")  # fmt: skip
    assert _coded_rows(out, "loacus", WINDOW1) == [
        ("delta-at-once-2026-12-07.csv", "停止", "02011", "")
    ]
    assert _snapshot_row(over_applied(gr, tmp_path, "2026-12-08"), "loacus", WINDOW1) == (
        "02011",
        "停止中",
    )
    expected = _replayed(gr, tmp_path, ["drop", "stop"], "2027-01-20")
    user = f"uid={WINDOW1},ou=people,{BASE}"
    assert not [g for g, held in expected.items() if "loacus" in g and user in held]
