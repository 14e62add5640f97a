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
