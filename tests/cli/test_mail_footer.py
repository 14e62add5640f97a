"""Every mail ends with the one no-reply line (``mail.compose.NO_REPLY``), which the composer
adds after each template's body: a template cannot leave it out."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from accessreg.mail.compose import NO_REPLY
from tests.helpers.regfactory import RegistryFactory, certificate, run_cli
from tests.helpers.scheduled_scenario import duty, scenario


def _bodies(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.strict)
        assert isinstance(message, EmailMessage)
        part = message.get_body(("plain",))
        assert part is not None
        found.append(part.get_content().replace("\r\n", "\n"))  # CRLF, as sent
    return found


def test_every_mail_ends_with_the_no_reply_line(reg: RegistryFactory, tmp_path: Path) -> None:
    ending = certificate(1, not_before="2025-04-01", not_after="2027-03-31")
    g = scenario(reg, certificates=[ending])
    applied = run_cli(
        "apply", "--initial", "--out", str(tmp_path / "apply"), "--today", "2027-01-04", cwd=g.path
    )
    assert applied.returncode == 0, applied.stderr
    duty(g, "daily", "--out", str(tmp_path / "daily"), today=date(2027, 1, 30))
    bodies = _bodies(tmp_path)
    assert len(bodies) >= 4  # accepted and welcome to two window persons, the expiry notice
    for body in bodies:
        assert body.endswith(f"\n\n{NO_REPLY}\n"), body[-200:]
        assert body.count(NO_REPLY) == 1
