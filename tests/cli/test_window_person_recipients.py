"""Who a notice goes to while a change of the window persons is still to come.

A usage change (000 §3-2) accepted on 2026-12-02 replaces the primary window person
window1 with window5; the permission-management system's rows and the info-sharing site's
subscribers change hands on 2026-12-23 (about 15 business days later), and every output
dates it so. Until then window1 is the operator's window person, after it window5: the 受付
of another application, a completion notice (sent when it is sent, not when its import was
confirmed) and the scheduled duties' digests go to the persons in effect on their day. The
change's own 受付 goes to both sides: window5 with the deputy, window1 a notice of their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import applied_from_the_start, merge, read_csv, state
from tests.helpers.regfactory import RegistryFactory, certificate, contact, run_cli

OPERATOR = "TESTOP01"
LEAVER = "window1@test-gas.example.co.jp"
DEPUTY = "window2@test-gas.example.co.jp"
INCOMING = "window5@test-gas.example.co.jp"
CHANGE_DAY = "2026-12-23"  # the usage change's day: 15 business days after 2026-12-02
# First told 60 days before it expires: on 2026-12-07 (004).
EXPIRING = certificate(1, not_before="2025-02-05", not_after="2027-02-05")


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    reg.operator(contacts=[contact(), contact("deputy", n=2)], certificates=[EXPIRING])
    made = applied_from_the_start(reg, tmp_path)
    yield made
    made.close()


def _cli(gr: GitRegistry, *args: str) -> None:
    ran = run_cli(*args, cwd=gr.path)
    assert ran.returncode == 0, ran.stdout + ran.stderr


def _replace_primary(gr: GitRegistry) -> None:
    _cli(gr, "contact", "add", "--operator", OPERATOR, "--role", "primary",
         "--contact-name", "窓口 五郎", "--contact-name-kana", "マドグチ ゴロウ",
         "--contact-email", INCOMING, "--contact-phone", "03-0000-0005",
         "--contact-github", "window-5", "--replaces", LEAVER)  # fmt: skip


def _add_user(gr: GitRegistry, n: int) -> None:
    gr.reg.user(email=f"new{n}@test-gas.example.co.jp", permissions={"taxis": "1011"})


def _applied(gr: GitRegistry, tmp: Path, name: str, change: Callable[[], object], day: str) -> Path:
    """``change`` merged as a pull request approved on ``day``, applied that day."""
    sha = merge(gr, name, change)
    events = tmp / f"{name}.json"
    events.write_text(json.dumps([{"merge_commit": sha, "accepted_at": day}]))
    out = tmp / name
    _cli(gr, "apply", "--out", str(out), "--confirm", "--pull-requests", str(events),
         "--today", day)  # fmt: skip
    return out


def _last(gr: GitRegistry) -> str:
    """The id of the last batch the state records."""
    return str(max(state(gr)["batches"].values(), key=lambda b: b["number"])["id"])


def _to(out: Path, kind: str) -> list[str]:
    """The addresses of the mails of ``kind`` a run wrote to ``out``, sorted."""
    return sorted(
        str(m["To"].addresses[0].addr_spec) for m in written_mails(out, f"*-{kind}-*.eml")
    )


def _subscribed(out: Path) -> set[str]:
    return {r["連絡先メールアドレス"] for r in read_csv(out / "info_site/subscribers.csv")}


def _replaced(gr: GitRegistry, tmp: Path) -> None:
    """The replacement merged, accepted and applied on 2026-12-02."""
    out = _applied(gr, tmp, "replace", lambda: _replace_primary(gr), "2026-12-02")
    assert {i["on"] for i in state(gr)["batches"][_last(gr)]["applications"][0]["items"]} == {
        CHANGE_DAY
    }
    # Its own 受付: the incoming person with the deputy, the leaver told on their own.
    assert _to(out, "accepted") == [DEPUTY, INCOMING]
    assert _to(out, "contact-removed") == [LEAVER]


def test_a_later_application_is_acknowledged_to_the_window_persons_of_its_day(
    gr: GitRegistry, tmp_path: Path
) -> None:
    _replaced(gr, tmp_path)
    out = _applied(gr, tmp_path, "before", lambda: _add_user(gr, 1), "2026-12-07")
    # On 12-07 the subscribers and the permission-management system still hold window1:
    # so does the 受付 of an application accepted that day.
    assert LEAVER in _subscribed(out) and INCOMING not in _subscribed(out)
    assert _to(out, "accepted") == [LEAVER, DEPUTY]
    out = _applied(gr, tmp_path, "after", lambda: _add_user(gr, 2), CHANGE_DAY)
    assert INCOMING in _subscribed(out) and LEAVER not in _subscribed(out)
    assert _to(out, "accepted") == [DEPUTY, INCOMING]


def test_a_completion_notice_goes_to_the_window_persons_of_the_day_it_is_sent(
    gr: GitRegistry, tmp_path: Path
) -> None:
    _replaced(gr, tmp_path)
    _applied(gr, tmp_path, "user", lambda: _add_user(gr, 1), "2026-12-07")
    batch = _last(gr)
    confirmed = tmp_path / "confirmed"
    # Imported before the change's day, not sent: owed by every later run.
    _cli(gr, "confirm", batch, "--system", "taxis", "--out", str(confirmed),
         "--today", "2026-12-10")  # fmt: skip
    assert _to(confirmed, "completed-taxis") == [LEAVER, DEPUTY]
    # Written again by a run after the change's day (read back from the cache otherwise).
    later = tmp_path / "later"
    applied = state(gr)["applied"]
    _cli(gr, "apply", "--out", str(later), "--head", applied, "--today", CHANGE_DAY)
    assert _to(later, "completed-taxis") == [DEPUTY, INCOMING]


def test_the_scheduled_digests_go_to_the_window_persons_of_their_day(
    gr: GitRegistry, tmp_path: Path
) -> None:
    _replaced(gr, tmp_path)
    before = tmp_path / "expiry-before"
    _cli(gr, "expiry", "--out", str(before), "--today", "2026-12-07")
    assert _to(before, "certificate-expiry-first") == [LEAVER, DEPUTY]
    # Greeted as what they still are that day, not as the 企業内RA担当者 of 004.
    for mail in written_mails(before, "*-certificate-expiry-first-*.eml"):
        assert "システム窓口責任者" in mail.get_content(), mail["To"]
    after = tmp_path / "expiry-after"
    _cli(gr, "expiry", "--out", str(after), "--today", CHANGE_DAY)
    assert _to(after, "certificate-expiry-first") == [DEPUTY, INCOMING]


def _add_deputy(gr: GitRegistry) -> None:
    _cli(gr, "contact", "add", "--operator", OPERATOR, "--role", "deputy",
         "--contact-name", "窓口 五郎", "--contact-name-kana", "マドグチ ゴロウ",
         "--contact-email", INCOMING, "--contact-phone", "03-0000-0005",
         "--contact-github", "window-5")  # fmt: skip
    _add_user(gr, 1)


def test_a_window_person_removed_since_is_not_told_the_completion_of_the_application_adding_them(
    gr: GitRegistry, tmp_path: Path
) -> None:
    # Added on 12-02 with a user (in effect on 12-23), removed by the next day's application
    # (on 12-24): the first application's notices reach them only until then.
    out = _applied(gr, tmp_path, "add", lambda: _add_deputy(gr), "2026-12-02")
    assert _to(out, "accepted") == [LEAVER, DEPUTY, INCOMING]
    added = _last(gr)
    remove = ["contact", "remove", "--operator", OPERATOR, "--email", INCOMING]
    out = _applied(gr, tmp_path, "remove", lambda: _cli(gr, *remove, "--today", "2026-12-03"),
                   "2026-12-03")  # fmt: skip
    assert _to(out, "accepted") == [LEAVER, DEPUTY]
    assert _to(out, "contact-removed") == [INCOMING]
    confirmed = tmp_path / "confirmed"
    _cli(gr, "confirm", added, "--system", "taxis", "--system", "admin_console",
         "--out", str(confirmed), "--today", "2027-01-06")  # fmt: skip
    # Neither the new user's 利用開始周知 nor the ID of a person no longer theirs.
    assert _to(confirmed, "completed-taxis") == [LEAVER, DEPUTY]
    assert _to(confirmed, "completed-admin_console") == [LEAVER, DEPUTY]
    assert _to(confirmed, "welcome") == []
