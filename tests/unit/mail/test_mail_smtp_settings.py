"""SMTP settings come from the environment; one missing or malformed is named, with what to do."""

from __future__ import annotations

import pytest

from accessreg.i18n import text
from accessreg.mail.smtp import SettingsUnusable, SmtpSettings
from accessreg.model.messages import Message

BASE = {"ACCESSREG_SMTP_HOST": "smtp.example.jp", "ACCESSREG_MAIL_FROM": "a@example.jp"}


def test_defaults_follow_starttls() -> None:
    plain = SmtpSettings.from_env(BASE)
    assert (plain.port, plain.starttls, plain.user, plain.password) == (25, False, None, None)
    tls = SmtpSettings.from_env(
        {
            **BASE,
            "ACCESSREG_SMTP_STARTTLS": "1",
            "ACCESSREG_SMTP_PORT": "",
            "ACCESSREG_SMTP_USER": "u",
            "ACCESSREG_SMTP_PASSWORD": "s3cr3t-value",
        }
    )
    assert (tls.port, tls.starttls, tls.user, tls.password) == (587, True, "u", "s3cr3t-value")
    assert "s3cr3t-value" not in repr(tls)  # never printed


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"ACCESSREG_SMTP_HOST": ""}, "needs ACCESSREG_SMTP_HOST"),
        ({"ACCESSREG_MAIL_FROM": ""}, "needs ACCESSREG_MAIL_FROM"),
        ({"ACCESSREG_SMTP_STARTTLS": "yes"}, "ACCESSREG_SMTP_STARTTLS must be 0 or 1"),
        ({"ACCESSREG_SMTP_PORT": "smtp"}, "ACCESSREG_SMTP_PORT must be a number"),
    ],
)
def test_bad_settings_are_clear_errors(extra: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsUnusable, match=message):
        SmtpSettings.from_env({**BASE, **extra})


def test_missing_settings_are_listed_as_the_language_lists() -> None:
    with pytest.raises(SettingsUnusable) as raised:
        SmtpSettings.from_env({})
    assert isinstance(raised.value.problem, Message)
    assert text(raised.value.problem, "ja") == (
        "メールの送信には環境変数 ACCESSREG_SMTP_HOST、ACCESSREG_MAIL_FROM が必要です"
    )
    assert text(raised.value.problem, "en") == (
        "Sending mail needs ACCESSREG_SMTP_HOST, ACCESSREG_MAIL_FROM in the environment"
    )
    assert isinstance(raised.value.message, Message)
    assert text(raised.value.message, "ja").startswith(
        "メールの送信には環境変数 ACCESSREG_SMTP_HOST、ACCESSREG_MAIL_FROM が必要です。"
        "メールは1通も送信していません。"
    )
