"""Every kind of mail the tool sends has a name in the reader's words: the reports list mails
by it (the kind's id stays the key of the Message-ID and the outbox)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessreg import i18n
from accessreg.model.mail import COMPLETED, digest_kind, notice_name
from accessreg.scheduled.expiry import Stage
from accessreg.scheduled.stale import STAGES

TEMPLATES = Path(i18n.__file__).parents[1] / "templates"
# A template included by others, not a mail of its own.
PARTS = {"inventory-steps"}

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
    assert i18n.text(notice_name(f"{COMPLETED}taxis"), "ja") == "完了通知（taxis）"
