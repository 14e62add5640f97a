"""A run's plan is data computed without any effect: reading it is reviewing the run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from accessreg.effects.plan import When
from accessreg.effects.session import Session
from accessreg.mail.compose import Later, compose, eml_name
from accessreg.model.content import Deferred, SameAs
from accessreg.provision import apply
from accessreg.provision import state as recorded
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import merge
from tests.helpers.regfactory import RegistryFactory, contact

DAY = date(2026, 12, 3)
USER2 = "user2@test-gas.example.co.jp"


def test_the_plan_of_an_apply_says_everything_and_does_nothing(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    reg.operator(contacts=[contact(), contact("deputy", 2)])
    reg.user(email=USER2)
    gr = GitRegistry(reg)
    merge(gr, "remove-user2", lambda: gr.remove(f"users/TESTOP01/{USER2}.yaml"))
    out = tmp_path / "out"
    request = apply.ApplyRequest(
        root=gr.path, out=out, today=DAY, initial=True, confirm=True, send=True, env={}
    )
    with Session.open(gr.path) as session:
        head = session.repo.resolve("HEAD")
        state = recorded.State()
        isolated = apply.examine(session.repo, state, request, head)
        planned = apply.plan(session.repo, state, request, session.sender, head, isolated)

    run = planned.run
    assert run.out == out and run.send
    # A first apply loads the registry as it stands: no item waits for a date of its own.
    assert planned.applications and all(app.items == () for app in planned.applications)
    assert "manifest.json" in run.names() and any(n.startswith("mail/") for n in run.files)
    assert {m.composed.notice.recipient.email for m in run.mails} == {
        "window1@test-gas.example.co.jp",
        "window2@test-gas.example.co.jp",
    }
    # A first apply's deltas, as large as the snapshots, are made as each is written; its
    # SCIM delta adds every holder as the snapshot lists them, and is the snapshot's bytes.
    scim = {n: f for n, f in run.files.items() if n.startswith("scim/delta-")}
    assert list(scim.values()) == [SameAs("scim/snapshot.json")]
    deltas = [f for n, f in run.files.items() if "/delta-" in n and n not in scim]
    assert deltas and all(isinstance(f, Deferred) for f in deltas)
    # The users an acceptance notice lists are made as its template reads them.
    people = run.mails[0].composed.notice.context["people"]
    listed = [p["email"] for p in people]
    assert not isinstance(people, list) and len(people) == len(listed) > 0
    assert set(listed) <= {"user1@test-gas.example.co.jp", USER2}
    assert [p["email"] for p in people] == listed  # made again, the same
    # Each mail is composed when its file is written (and when it is sent), never held.
    for mail in run.mails:
        assert isinstance(mail.composed, Later)
        written = run.files[f"mail/{eml_name(mail.composed)}"]
        assert isinstance(written, Deferred)
        assert written.render() == compose(mail.composed.notice, session.sender).data
    (record,) = run.records  # the applied revision, once every mail is out
    assert record.when is When.AFTER_MAILS and record.message.startswith(f"applied {head[:12]}")
    files = record.files(frozenset())
    assert files is not None
    assert json.loads(files[recorded.STATE_FILE])["applied"] == head
    # Nothing was done: no output, no state, nothing sent (no SMTP settings were even read).
    assert not out.exists()
    assert gr.repo.git.for_each_ref("refs/accessreg/") == ""
    gr.close()
