"""Time sending through the outbox: what recording each mail before and after SMTP costs.

    python benchmarks/bench_outbox.py [--mails 200] [--recorded 5000] [--remote] [--work DIR]

A fresh git repository under ``benchmarks/work/`` (ignored by git; ``--work`` elsewhere)
whose state ref already holds ``--recorded`` sent mails (the outbox of a deployment that has
run for a while); then one session sends ``--mails`` mails to an SMTP server on loopback
(aiosmtpd, which takes everything). Each mail is two state commits (in flight, then sent);
with ``--remote`` they are also pushed to a bare repository beside it, as ``--state-remote
origin`` does: one push a mail (its in-flight record with the last mail's sent record).
Wall time per mail is printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tooling"))

from accessreg.effects.outbox import SentMail, written  # noqa: E402
from accessreg.effects.plan import Outgoing, RunPlan  # noqa: E402
from accessreg.effects.session import Session  # noqa: E402
from accessreg.gitio.state import STATE_REF, StateStore  # noqa: E402
from accessreg.mail.compose import compose  # noqa: E402
from accessreg.model.mail import Notice, Recipient  # noqa: E402

CONTEXT = {
    "operator": {"code": "BENCH001", "name": "ベンチガス株式会社"},
    "application": {"id": "bench/BENCH001", "title": "新規利用申請"},
    "admin_console": {"name_ja": "システム利用権限管理システム", "url": "https://a.example.jp/"},
    "info_site": {"name_ja": "託送情報共有サイト", "url": "https://i.example.jp/"},
    "new_usage": True,
    "approved": [{"text": "託送業務システム（TAXIS）: 利用開始"}],
}


RECORDED_AT = datetime(2026, 1, 1, tzinfo=UTC)


class _Sink:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=200)
    parser.add_argument("--recorded", type=int, default=5000)
    parser.add_argument("--remote", action="store_true")
    parser.add_argument("--work", type=Path, default=HERE / "work" / "outbox",
                        help="where its repository is made (emptied first)")  # fmt: skip
    args = parser.parse_args()
    work: Path = args.work
    shutil.rmtree(work, ignore_errors=True)
    repo = work / "repo"
    repo.mkdir(parents=True)
    _git("init", "-q", "-b", "main", cwd=repo)
    _git("-c", "user.name=bench", "-c", "user.email=bench@example.jp", "commit", "-q",
         "--allow-empty", "-m", "empty", cwd=repo)  # fmt: skip
    remote = None
    if args.remote:
        _git("init", "-q", "--bare", str(work / "origin.git"), cwd=work)
        _git("remote", "add", "origin", str(work / "origin.git"), cwd=repo)
        remote = "origin"
    sent = {
        f"<old{n}@bench.example.jp>": SentMail(
            "accepted", f"{n:012x}/BENCH001", f"user{n}@bench.example.jp", RECORDED_AT
        )
        for n in range(args.recorded)
    }
    with StateStore(repo, STATE_REF, remote) as store:
        store.write(written(sent), "history", None)

    mails = tuple(
        Outgoing(
            compose(
                Notice(
                    "welcome",
                    f"bench/{n}",
                    Recipient(f"窓口 {n}号", f"window{n}@bench.example.jp"),
                    "mail-welcome.txt.j2",
                    date(2026, 12, 3),
                    CONTEXT,
                ),
                "bench <bench@example.jp>",
            )
        )
        for n in range(args.mails)
    )
    port = _free_port()
    controller = Controller(_Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env = {
            "ACCESSREG_SMTP_HOST": "127.0.0.1",
            "ACCESSREG_SMTP_PORT": str(port),
            "ACCESSREG_MAIL_FROM": "bench <bench@example.jp>",
        }
        start = time.perf_counter()
        with Session.open(repo, send=True, remote=remote, env=env) as session:
            done = session.carry_out(RunPlan(out=None, files={}, mails=mails, send=True))
        wall = time.perf_counter() - start
    finally:
        controller.stop()
    commits = subprocess.run(
        ["git", "rev-list", "--count", STATE_REF], cwd=repo, capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip
    print(
        f"{len(done.mails)} mails, outbox of {args.recorded} before, remote: {args.remote}: "
        f"{wall:.2f} s wall, {1000 * wall / args.mails:.1f} ms per mail; "
        f"state commits now {commits}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
