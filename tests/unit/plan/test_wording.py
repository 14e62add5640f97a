"""The plan's words for the applications: one per application the plan can find, each the
seeds' own name of it (``Application.label``) in Japanese."""

from __future__ import annotations

from typing import get_args

import pytest

from accessreg import i18n
from accessreg.model.catalog import ApplicationKind
from accessreg.plan import wording
from accessreg.plan.model import Application, OperatorPlan


@pytest.mark.parametrize("app", list(Application))
def test_every_application_has_its_seed_name_and_the_sections_it_cites(app: Application) -> None:
    """The sections are the operator's plan's (``OperatorPlan.citations``): a catalog that
    gives none shows the name alone."""
    cited = OperatorPlan("TESTOP01", "テストガス株式会社", (), {app: "002 §3.3"})
    assert i18n.text(wording.application(app, cited), "ja") == f"{app.label}（002 §3.3）"
    uncited = OperatorPlan("TESTOP01", "テストガス株式会社", ())
    assert i18n.text(wording.application(app, uncited), "ja") == app.label


def test_every_application_is_a_kind_the_catalog_cites() -> None:
    assert {app.kind for app in Application} == set(get_args(ApplicationKind))


def test_an_application_reads_in_japanese_as_the_state_and_the_mails_name_it() -> None:
    """The state records ``Application.label``; Japanese shows it as it is, English reads
    the seeds' names in English."""
    assert all(Application.of_label(app.label) is app for app in Application)
    labels = (Application.USAGE_CHANGE.label, Application.CERTIFICATE.label, "その他")
    assert i18n.text(wording.kinds_text(labels), "ja") == "・".join(labels)
    assert i18n.text(wording.kinds_text(labels), "en") == (
        "usage application (change) · client certificate registration · その他"
    )
    # A suspension alone, or its lifting alone, as the mails title it (``label_of``).
    for label, en in (("利用の停止", "suspension"), ("停止解除", "lifting of a suspension")):
        assert Application.of_label(label) is Application.SUSPENSION
        assert i18n.text(wording.kinds_text((label,)), "ja") == label
        assert i18n.text(wording.kinds_text((label,)), "en") == en
