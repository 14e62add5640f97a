"""``accessreg outbox``: settling a mail in doubt needs one that is."""

from __future__ import annotations

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import RegistryFactory, run_cli

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


def test_nothing_in_doubt_and_an_unknown_message_id(reg: RegistryFactory) -> None:
    gr = GitRegistry(reg)
    listed = run_cli("outbox", "list", cwd=gr.path)
    assert listed.returncode == 0 and listed.stdout == "in doubt: none\n"
    for action in ("delivered", "resend"):
        env = {"ACCESSREG_SMTP_HOST": "127.0.0.1", "ACCESSREG_MAIL_FROM": "a@example.jp"}
        result = run_cli("outbox", action, "nothing@example.jp", cwd=gr.path, env=env)
        assert result.returncode == 2
        assert "No mail in doubt has the Message-ID <nothing@example.jp>" in result.stderr
    assert gr.repo.git.for_each_ref("refs/accessreg/") == ""  # nothing recorded
    gr.close()


def test_resending_needs_the_smtp_settings(reg: RegistryFactory) -> None:
    gr = GitRegistry(reg)
    result = run_cli("outbox", "resend", "<x@example.jp>", cwd=gr.path,
                     env={"ACCESSREG_SMTP_HOST": ""})  # fmt: skip
    assert result.returncode == 2 and "ACCESSREG_SMTP_HOST" in result.stderr
    gr.close()
