"""Every kind of mail the tool sends has a name in the reader's words: the reports list mails
by it (the kind's id stays the key of the Message-ID and the outbox)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from accessreg import i18n
from accessreg.effects.report import in_doubt_lines
from accessreg.effects.session import InDoubt
from accessreg.files.loading import load_catalog
from accessreg.files.sources import DirectorySource
from accessreg.model.layout import CATALOG_FILE
from accessreg.model.mail import COMPLETED, digest_kind, notice_name
from accessreg.scheduled import report
from accessreg.scheduled.expiry import Stage
from accessreg.scheduled.idstages import STAGES
from accessreg.scheduled.run import RunResult
from tests.helpers.regfactory import ROOT

TEMPLATES = Path(i18n.__file__).parents[1] / "templates"
# A template included by others, not a mail of its own.
PARTS = {"inventory-steps", "accepted-people", "accepted-change", "completed-people"}

KINDS = [
    "accepted",
    "contact-removed",
    f"{COMPLETED}taxis",
    "welcome",
    "registered",
    "held",
    *(digest_kind(kind, s) for kind in ("certificate-expiry", "ip-expiry") for s in Stage),
    *(digest_kind("inventory-request", "request"), digest_kind("inventory-reminder", "reminder")),
    digest_kind("inventory-overdue", "overdue"),
    digest_kind("membership-reminder", "reminder"),
    digest_kind("membership-termination", "termination"),
    *(digest_kind("review-deadlines", s) for s in ("review", "completion")),
    *(digest_kind("stale-ids", stage) for _, stage in STAGES),
    digest_kind("stale-drift", "unknown"),
    digest_kind("time-rules", "due"),
]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_mail_has_a_name_in_japanese(kind: str) -> None:
    name = notice_name(kind)
    assert name.text != "{kind}", kind  # not the id shown as it is
    ja = i18n.text(name, "ja")
    assert ja != i18n.text(name, "en") and kind not in ja, (kind, ja)


def test_every_template_is_a_kind_with_a_name() -> None:
    templates = {p.name[len("mail-") : -len(".txt.j2")] for p in TEMPLATES.glob("mail-*.txt.j2")}
    for template in templates - PARTS:
        assert any(k == template or k.startswith(f"{template}-") for k in KINDS), template


def test_an_unknown_kind_is_shown_as_it_is() -> None:
    # An outbox written by another version may hold a kind this one does not know.
    assert i18n.text(notice_name("some-new-kind"), "ja") == "some-new-kind"
    assert i18n.text(notice_name(f"{COMPLETED}taxis"), "ja") == "taxisの完了通知"


def test_a_completion_notice_names_its_system_as_the_catalog_does() -> None:
    catalog, _ = load_catalog(DirectorySource(ROOT / "registry"), [CATALOG_FILE])
    assert catalog is not None
    name = notice_name(f"{COMPLETED}taxis", catalog)
    assert i18n.text(name, "ja") == "託送システム（taxis）の完了通知"
    assert i18n.text(name, "en") == "completion notice of taxis"
    # So does the list of mails in doubt (``accessreg outbox list``, and every run's report).
    held = InDoubt("<a@b>", f"{COMPLETED}johs", "app/TESTOP01", datetime(2026, 12, 1, tzinfo=UTC))
    with i18n.using("ja"):
        _, line = in_doubt_lines([held], catalog)
    assert "託送情報開示システム（johs）の完了通知" in line


def test_a_scheduled_runs_report_names_a_completion_notice_as_the_catalog_does() -> None:
    """``daily``, ``inventory`` and the other duties list the mails in doubt as ``outbox
    list`` and ``apply`` do: the system as the forms name it, not its key."""
    catalog, _ = load_catalog(DirectorySource(ROOT / "registry"), [CATALOG_FILE])
    held = InDoubt("<a@b>", f"{COMPLETED}taxis", "app/TESTOP01", datetime(2026, 12, 1, tzinfo=UTC))
    result = RunResult(
        head="0" * 40,
        today=date(2026, 12, 1),
        outcomes={},
        mails=[],
        applications=[],
        branches=[],
        files=[],
        problems=(),
        sent=True,
        in_doubt=[held],
        catalog=catalog,
    )
    with i18n.using("ja"):
        shown = report.text(result, None)
    assert "託送システム（taxis）の完了通知" in shown, shown
