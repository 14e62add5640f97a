"""The plan's words for the applications: one per application the plan can find, each the
seeds' own name of it (``Application.label``) in Japanese."""

from __future__ import annotations

import pytest

from accessreg import i18n
from accessreg.plan import wording
from accessreg.plan.model import Application


@pytest.mark.parametrize("app", list(Application))
def test_every_application_has_its_seed_name(app: Application) -> None:
    shown = i18n.text(wording.application(app), "ja")
    assert shown == f"{app.label}（{app.seed}）"


def test_an_application_reads_in_japanese_as_the_state_and_the_mails_name_it() -> None:
    """The state records ``Application.label``; Japanese shows it as it is, English reads
    the seeds' names in English."""
    assert all(Application.of_label(app.label) is app for app in Application)
    labels = (Application.USAGE_CHANGE.label, Application.CERTIFICATE.label, "その他")
    assert i18n.text(wording.kinds_text(labels), "ja") == "・".join(labels)
    assert i18n.text(wording.kinds_text(labels), "en") == (
        "usage application (change) · client certificate registration · その他"
    )
