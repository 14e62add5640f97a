"""The duties' mails to window persons name the application form, never a command: a
window person files with the issue forms, and reads the words the forms use."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from tests.helpers.parsers import body_text, mail
from tests.helpers.regfactory import ROOT, run_cli

# A command line of the tool, or one of its options (``--membership``); a branch's name
# (``accessreg/stale-deletions/…``) is neither.
COMMAND = re.compile(r"\baccessreg\s+[a-z]|(?<!\S)--[a-z]")
# The sample registry's days on which every stage of the duties' window-person mails falls
# due (a dry run writes every mail due, caught up): a provisional member's reminder with
# and without an operator code (February and August), an overseas address's first notice,
# reminder and expiry, certificates', inventories' and the time rules'.
DAYS = ("2027-02-10", "2027-08-20", "2027-09-20", "2027-10-05")
# Last logins putting the IDs of the sample registry's operator at each stage on the last
# day (125, 155, 185 and 215 days before it).
LOGINS = {
    "aya.shimizu@aoba-gas.example.co.jp": "2027-06-02",
    "sayaka.endo@aoba-gas.example.co.jp": "2027-05-03",
    "taro.aoyama@aoba-gas.example.co.jp": "2027-04-03",
    "kenji_ueda@aoba-gas.example.co.jp": "2027-03-04",
}


def _mail(path: Path) -> tuple[str, str]:
    """(recipient, body) of a written mail."""
    message = mail(path.read_bytes())
    return message["To"].addresses[0].addr_spec, body_text(message)


def test_no_window_persons_mail_names_a_command(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
    maintainers = yaml.safe_load((repo / "registry/maintainers.yaml").read_text("utf-8"))
    reviewers = {m["email"] for m in maintainers["maintainers"]}
    export = tmp_path / "last-logins.csv"
    export.write_text("ID,last_login\n" + "".join(f"{i},{d}\n" for i, d in LOGINS.items()))
    kinds: dict[str, list[str]] = {}
    for day in DAYS:
        out = tmp_path / day
        args = ("daily", "--today", day, "--last-logins", str(export), "--out", str(out))
        result = run_cli(*args, cwd=repo)
        assert result.returncode == 0, result.stderr
        for path in sorted((out / "mail").glob("*.eml")):
            to, body = _mail(path)
            if to in reviewers:
                continue
            kinds.setdefault(path.name.split("-", 1)[1].rsplit("-", 1)[0], []).append(body)
            assert not COMMAND.search(body), (path.name, COMMAND.findall(body))
    # The mails read: every stage of each duty that tells a window person what to file.
    assert {
        "membership-reminder",
        "ip-expiry-first",
        "ip-expiry-reminder",
        "ip-expiry-expired",
        "certificate-expiry-first",
        "certificate-expiry-reminder",
        "certificate-expiry-expired",
        "inventory-reminder",
        "time-rules-due",
        "stale-ids-warning1",
        "stale-ids-warning2",
        "stale-ids-locked",
        "stale-ids-deleted",
    } <= kinds.keys(), sorted(kinds)
    # both ways a provisional member reports its full membership
    reminders = "\n".join(kinds["membership-reminder"])
    assert "「事業者コードの発番」" in reminders and "「会員（本申請）」" in reminders
    # A window person is told which application to file, by its form's name (000 §5-2, §5-3).
    for kind in ("stale-ids-warning1", "stale-ids-warning2", "stale-ids-locked"):
        assert all("利用権限の抹消申請で抹消を申請して" in b for b in kinds[kind]), kind
    steps = "\n".join(kinds["inventory-reminder"])
    assert "利用権限の抹消申請・変更申請で是正してください" in steps, steps
