"""A completion notice dates each row by the day the system's registration was done, never
before it (``effective.registered``): where ``confirm`` records the import after the day
the application's 受付 mail announced, the notice gives the later day and says beside it
the day first told, so that the two mails do not disagree without a word of why.

Each case is filed as a merge of a real git repository, applied (its 受付 mail written),
then confirmed for TAXIS on a given day; the mails are read back with ``email`` in strict
mode."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.parsers import written_mails
from tests.helpers.provisioning import accessreg, merge, state
from tests.helpers.regfactory import RegistryFactory

OPERATOR = "TESTOP01"
USER2 = "user2@test-gas.example.co.jp"
USER5 = "user5@test-gas.example.co.jp"
# Enough users that removing one is no mass removal.
OTHERS = [f"user{n}@test-gas.example.co.jp" for n in (3, 4, 6, 7)]
TOLD = "受付時のお知らせ"


@pytest.fixture
def gr(reg: RegistryFactory, tmp_path: Path) -> Iterator[GitRegistry]:
    """An operator whose users downstream loaded on 2026-12-01."""
    reg.operator()
    reg.user(email=USER2, name="二宮 二郎", permissions={"taxis": "1010"})
    for login in OTHERS:
        reg.user(email=login, permissions={"taxis": "1010"})
    made = GitRegistry(reg)
    made.commit("operator and its users")
    day = ("--today", "2026-12-01", "--accepted-on", "2026-12-01")
    done = accessreg(
        made, "apply", "--out", str(tmp_path / "initial"), "--initial", "--confirm", *day
    )
    assert done.returncode == 0, done.stderr
    yield made
    made.close()


def _changes(gr: GitRegistry) -> dict[str, Callable[[], object]]:
    return {
        # 000 §5-2 ①: TAXIS takes a code change at once, on the acceptance day.
        "change": lambda: gr.reg.user(email=USER2, name="二宮 二郎", permissions={"taxis": "1011"}),
        # 000 §5-3: TAXIS deletes on the day after the application.
        "remove": lambda: gr.remove(f"users/{OPERATOR}/{USER2}.yaml"),
        # 000 §5-1: a new user from M+6 business days.
        "add": lambda: gr.reg.user(email=USER5, name="五味 五郎", permissions={"taxis": "1010"}),
        # A change of the user's registration that keeps the code: a row of its own.
        "rename": lambda: gr.reg.user(email=USER2, name="二宮 次郎", permissions={"taxis": "1010"}),
    }


def _line(mail: EmailMessage, mark: str) -> str:
    """The one line of ``mail``'s body holding ``mark``."""
    body = mail.get_content()
    assert isinstance(body, str)
    (line,) = [x for x in body.splitlines() if mark in x]
    return line


def _mails(
    gr: GitRegistry, tmp_path: Path, name: str, applied: str, confirmed: str
) -> tuple[EmailMessage, EmailMessage]:
    """The 受付 mail of the merge ``name`` applied on ``applied`` and the TAXIS completion
    notice of its batch confirmed on ``confirmed``."""
    merge(gr, name, _changes(gr)[name])
    out = tmp_path / "apply"
    day = ("--today", applied, "--accepted-on", applied)
    done = accessreg(gr, "apply", "--out", str(out), "--confirm", *day)
    assert done.returncode == 0, done.stderr
    (accepted,) = written_mails(out, "*-accepted-*.eml")
    (batch,) = [b["id"] for b in state(gr)["batches"].values() if b["number"] == 2]
    out = tmp_path / "confirm"
    done = accessreg(gr, "confirm", batch, "--system", "taxis", "--out", str(out),
                     "--today", confirmed)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (completed,) = [m for m in written_mails(out) if "託送システム" in m["Subject"]]
    return accepted, completed


# The application, the day it is applied (accepted) on, the day TAXIS is confirmed on,
# what the 受付 mail's line of it ends with, and what the completion notice's ends with.
LATE = [
    pytest.param(
        "change",
        "2026-12-08",
        "2026-12-17",
        "/ 変更適用 2026-12-08",
        "/ 変更適用 2026-12-17（受付時のお知らせの 2026-12-08 より後、"
        "システムへの登録が完了した 2026-12-17 からとなります）",
        id="code-change-at-once",
    ),
    pytest.param(
        "remove",
        "2026-12-08",
        "2026-12-17",
        "/ 利用終了 2026-12-09",
        "/ 利用終了 2026-12-17（受付時のお知らせの 2026-12-09 より後、"
        "システムでの抹消が完了した 2026-12-17 となります）",
        id="deletion-next-day",
    ),
    pytest.param(
        "add",
        "2026-12-03",
        "2026-12-28",
        "/ 利用開始 2026-12-24",
        "/ 利用開始 2026-12-28（受付時のお知らせの 2026-12-24 より後、"
        "システムへの登録が完了した 2026-12-28 からとなります）",
        id="new-user-m-plus-6",
    ),
    pytest.param(
        "rename",
        "2026-12-08",
        "2026-12-17",
        "/ 変更適用 2026-12-08",
        "（2026-12-17 以降。受付時のお知らせの 2026-12-08 より後、"
        "システムへの登録が完了した日からとなります）",
        id="registration-change",
    ),
]


@pytest.mark.parametrize(("name", "applied", "confirmed", "announced", "completed"), LATE)
def test_a_notice_dated_after_the_day_announced_says_the_day_first_told(
    gr: GitRegistry,
    tmp_path: Path,
    name: str,
    applied: str,
    confirmed: str,
    announced: str,
    completed: str,
) -> None:
    """The later day is the true one (what downstream did), and the notice names beside it
    the day the 受付 mail announced for that very row, and why it is later."""
    accepted, done = _mails(gr, tmp_path, name, applied, confirmed)
    assert _line(accepted, "託送システム（taxis）:").endswith(announced)
    login = USER5 if name == "add" else USER2
    line = _line(done, f"（ID: {login}）")
    assert line.endswith(completed), line


# Confirmed on the day announced, or before it: the notice gives that day, and no more.
ON_TIME = [
    pytest.param("change", "2026-12-08", "2026-12-08", "/ 変更適用 2026-12-08", id="change"),
    pytest.param("remove", "2026-12-08", "2026-12-08", "/ 利用終了 2026-12-09", id="before"),
    pytest.param("add", "2026-12-03", "2026-12-24", "/ 利用開始 2026-12-24", id="new-user"),
    pytest.param("rename", "2026-12-08", "2026-12-08", "（2026-12-08 以降）", id="registration"),
]


@pytest.mark.parametrize(("name", "applied", "confirmed", "completed"), ON_TIME)
def test_a_notice_dated_on_the_day_announced_says_nothing_more(
    gr: GitRegistry, tmp_path: Path, name: str, applied: str, confirmed: str, completed: str
) -> None:
    _, done = _mails(gr, tmp_path, name, applied, confirmed)
    login = USER5 if name == "add" else USER2
    line = _line(done, f"（ID: {login}）")
    assert line.endswith(completed), line
    body = done.get_content()
    assert TOLD not in body, body
