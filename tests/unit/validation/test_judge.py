"""A registry's problems judged as a change's (validation/judge.py): time rules count only on
the operators the change touches; a limit or clash is blamed on the files it changed."""

from __future__ import annotations

from datetime import date

from accessreg.files.sources import DirectorySource
from accessreg.validation.judge import Change
from accessreg.validation.validate import ValidationResult, validate
from tests.helpers.lapsed import A_NEW, B_USER, A, B, C, lapsed, user_file
from tests.helpers.regfactory import (
    TODAY,
    USER,
    Found,
    RegistryFactory,
    certificate,
    contact,
    found,
    shown,
)

LATE = date(2027, 3, 3)


def judged(reg: RegistryFactory, *changed: str, today: date = LATE) -> ValidationResult:
    return validate(DirectorySource(reg.root, "registry"), today, change=Change(frozenset(changed)))


def test_time_findings_of_operators_the_change_does_not_touch_are_set_aside(
    reg: RegistryFactory,
) -> None:
    lapsed(reg)
    reg.user(A, A_NEW)
    result = judged(reg, user_file(A, A_NEW))
    assert found(result) == []
    assert sorted((p.rule, p.file) for p in result.set_aside) == [
        ("ip-allowlist-expired", f"operators/{B}.yaml"),
        ("membership-provisional", f"operators/{C}.yaml"),
        ("permission-abolished", B_USER),
    ]


def test_within_a_touched_operator_a_time_finding_stands_at_its_level(
    reg: RegistryFactory,
) -> None:
    lapsed(reg)
    reg.user(B, "another@lapsed-b.example.jp")
    result = judged(reg, user_file(B, "another@lapsed-b.example.jp"))
    assert [(rule, file, level) for rule, file, _, level in found(result)] == [
        ("ip-allowlist-expired", shown(f"operators/{B}.yaml"), "warning"),
        ("permission-abolished", shown(B_USER), "error"),
    ]
    assert [p.file for p in result.set_aside] == [f"operators/{C}.yaml"]


def test_without_a_change_every_time_finding_stands(reg: RegistryFactory) -> None:
    lapsed(reg)
    rules = {(p.rule, p.file) for p in reg.validate(LATE).problems}
    assert rules == {
        ("ip-allowlist-expired", shown(f"operators/{B}.yaml")),
        ("membership-provisional", shown(f"operators/{C}.yaml")),
        ("permission-abolished", shown(B_USER)),
    }


def test_an_abolished_code_falls_due_on_its_day_and_is_an_error_where_touched(
    reg: RegistryFactory,
) -> None:
    reg.user(permissions={"taxis": "1110"})  # TAXIS 1110 abolished on 2022-01-24
    other = "users/TESTOP01/other@test-gas.example.co.jp.yaml"
    reg.user(email="other@test-gas.example.co.jp")
    line = reg.line_of(USER, "taxis:")
    assert found(judged(reg, other, today=date(2022, 1, 23))) == []
    assert found(judged(reg, other, today=date(2022, 1, 24))) == [
        ("permission-abolished", shown(USER), line, "error")
    ]
    reg.operator("OTHEROP1", contacts=[contact(n=2, email="w@other-op.example.jp")])
    untouched = judged(reg, "operators/OTHEROP1.yaml", today=date(2022, 1, 24))
    assert found(untouched) == []
    assert [p.rule for p in untouched.set_aside] == ["permission-abolished"]


# --- blame ---------------------------------------------------------------------------------


def electricity_retailer(reg: RegistryFactory) -> None:
    reg.operator(
        "DENKI001",
        roles=["electricity_retailer"],
        occto_member=True,
        membership={"status": "member", "member_since": "2020-04-01"},
        systems=["switching", "member_portal"],
        contacts=[contact(n=5, email="window5@denki-test.example.co.jp")],
        subcontractors=None,
        certificates=[certificate(1, cn="DENKI001-PC01")],
    )


def admin(reg: RegistryFactory, name: str) -> str:
    email = f"{name}@denki-test.example.co.jp"
    reg.user("DENKI001", email, affiliation="DENKI001", permissions={"switching": "retailer_admin"})
    return user_file("DENKI001", email)


def limit_findings(result: ValidationResult) -> list[Found]:
    return [f for f in found(result) if f[0] == "permission-limit"]


def test_the_second_switching_admin_is_reported_on_the_file_the_change_added(
    reg: RegistryFactory,
) -> None:
    electricity_retailer(reg)
    existing = admin(reg, "zenjiro")  # sorts after the new one
    new = admin(reg, "aiko")
    line = reg.line_of(new, "switching:")
    assert limit_findings(judged(reg, new)) == [("permission-limit", shown(new), line, "error")]
    # Without a change (or with one of the operator that takes no part), the holder past
    # the limit in file order: the one the rule names by itself.
    past = [("permission-limit", shown(existing), reg.line_of(existing, "switching:"), "error")]
    assert limit_findings(reg.validate()) == past
    assert limit_findings(judged(reg, "operators/DENKI001.yaml")) == past
    # A change of another operator: already there, the error is set aside.
    elsewhere = judged(reg, USER)
    assert limit_findings(elsewhere) == []
    assert [(p.rule, p.file) for p in elsewhere.set_aside] == [("permission-limit", existing)]


def test_every_changed_holder_of_a_limit_is_reported(reg: RegistryFactory) -> None:
    holders = [f"users/TESTOP01/juju{i}@test-gas.example.co.jp.yaml" for i in range(1, 7)]
    for i in range(1, 7):
        reg.user(email=f"juju{i}@test-gas.example.co.jp", permissions={"juju": "granted"})
    result = judged(reg, holders[0], holders[2])
    assert [(f[1], f[3]) for f in limit_findings(result)] == [
        (shown(holders[0]), "warning"),
        (shown(holders[2]), "warning"),
    ]


def test_a_login_clash_is_reported_on_the_changed_holder_only(reg: RegistryFactory) -> None:
    reg.operator("OTHEROP1", contacts=[contact(n=2, email="w@other-op.example.jp")])
    theirs = user_file("OTHEROP1", "user1@test-gas.example.co.jp")
    reg.user("OTHEROP1", "User1@test-gas.example.co.jp", affiliation="OTHEROP1")
    clash = [f[1] for f in found(judged(reg, theirs)) if f[0] == "login-id-unique"]
    assert clash == [shown(theirs)]
    both = [f[1] for f in found(judged(reg, "operators/OTHEROP1.yaml"))]
    assert both == sorted([shown(USER), shown(theirs)])


def test_a_time_finding_in_a_shared_file_counts_only_when_the_change_touched_it(
    reg: RegistryFactory,
) -> None:
    calendar = "# yaml-language-server: $schema=../schemas/calendar.schema.json\n"
    reg.write("calendar.yaml", calendar + "closed: [{from: 2026-12-29, to: 2027-01-03}]\n")
    today = date(2027, 2, 1)  # the next year-end is not covered any more
    reg.user(A, A_NEW)
    untouched = judged(reg, user_file(A, A_NEW), today=today)
    assert found(untouched) == [] and [p.rule for p in untouched.set_aside] == ["calendar-year-end"]
    touched = judged(reg, "calendar.yaml", today=today)
    assert [(f[0], f[1]) for f in found(touched)] == [("calendar-year-end", shown("calendar.yaml"))]


# --- errors already in other operators' files ------------------------------------------------


def broken_elsewhere(reg: RegistryFactory) -> str:
    """OTHEROP1 with a certificate whose medium the schema refuses; its file."""
    reg.operator(
        "OTHEROP1",
        contacts=[contact(n=2, email="w@other-op.example.jp")],
        certificates=[certificate(1, cn="OTHEROP1-PC01", serial="7B0001", medium="XX")],
    )
    return "operators/OTHEROP1.yaml"


def test_an_error_already_in_an_untouched_operator_s_file_is_set_aside(
    reg: RegistryFactory,
) -> None:
    other = broken_elsewhere(reg)
    reg.user(A, A_NEW)
    result = judged(reg, user_file(A, A_NEW), today=TODAY)
    assert found(result) == []
    assert [(p.rule, p.file, str(p.level)) for p in result.set_aside] == [
        ("schema", other, "error")
    ]
    # Removing a user of A is judged the same way.
    assert found(judged(reg, USER, today=TODAY)) == []


def test_a_change_that_only_deletes_an_operator_s_user_answers_for_nothing_in_it(
    reg: RegistryFactory,
) -> None:
    """Nothing delays a deletion: an error already in the operator's own file, or what time
    did to it, holds back no 抹消 of one of its users; an edit of a user of it does."""
    other = broken_elsewhere(reg)
    reg.user("OTHEROP1", "leaver@other-op.example.jp", affiliation="OTHEROP1")
    leaver = user_file("OTHEROP1", "leaver@other-op.example.jp")
    (reg.root / leaver).unlink()
    gone = validate(
        DirectorySource(reg.root, "registry"),
        TODAY,
        change=Change(frozenset([leaver]), removed=frozenset([leaver])),
    )
    assert found(gone) == []
    assert [(p.rule, p.file) for p in gone.set_aside] == [("schema", other)]
    reg.user("OTHEROP1", "stays@other-op.example.jp", affiliation="OTHEROP1")
    written = judged(reg, user_file("OTHEROP1", "stays@other-op.example.jp"), today=TODAY)
    assert [(f[0], f[1]) for f in found(written)] == [("schema", shown(other))]


def test_an_error_in_a_touched_operator_or_a_shared_file_counts(reg: RegistryFactory) -> None:
    other = broken_elsewhere(reg)
    theirs = user_file("OTHEROP1", "new@other-op.example.jp")
    reg.user("OTHEROP1", "new@other-op.example.jp", affiliation="OTHEROP1")
    for change in ([theirs], ["systems.yaml"], ["calendar.yaml"], ["maintainers.yaml"]):
        result = judged(reg, *change, today=TODAY)
        assert [(f[0], f[1]) for f in found(result)] == [("schema", shown(other))], change
        assert result.set_aside == ()
    # apply counts every error wherever it is: it holds back what the error involves.
    counted = validate(
        DirectorySource(reg.root, "registry"),
        TODAY,
        change=Change(frozenset([USER]), counts_time=False, counts_others=True),
    )
    assert [(f[0], f[1]) for f in found(counted)] == [("schema", shown(other))]


def test_a_clash_the_change_takes_part_in_touches_every_operator_it_names(
    reg: RegistryFactory,
) -> None:
    """A login ID A applies for that OTHEROP1 holds: OTHEROP1's own errors count too."""
    other = broken_elsewhere(reg)
    reg.user("OTHEROP1", "shared@other-op.example.jp", affiliation="OTHEROP1")
    reg.user(A, "Shared@other-op.example.jp")
    ours = user_file(A, "shared@other-op.example.jp")
    result = judged(reg, ours, today=TODAY)
    assert {(f[0], f[1]) for f in found(result)} == {
        ("login-id-unique", shown(ours)),
        ("schema", shown(other)),
    }


def test_a_clash_between_untouched_operators_is_set_aside_unless_one_is_touched(
    reg: RegistryFactory,
) -> None:
    for code, n in (("OTHEROP1", 2), ("OTHEROP2", 3)):
        reg.operator(code, contacts=[contact(n=n, email=f"w@{code.lower()}.example.jp")])
        reg.user(code, "same@example.jp", affiliation=code)
    reg.user(A, A_NEW)
    untouched = judged(reg, user_file(A, A_NEW), today=TODAY)
    assert found(untouched) == []
    assert sorted(p.file for p in untouched.set_aside) == [
        user_file("OTHEROP1", "same@example.jp"),
        user_file("OTHEROP2", "same@example.jp"),
    ]
    # A change of OTHEROP1 (not of the clashing file): both holders are reported.
    touched = judged(reg, "operators/OTHEROP1.yaml", today=TODAY)
    assert sorted(f[1] for f in found(touched)) == [
        shown(user_file("OTHEROP1", "same@example.jp")),
        shown(user_file("OTHEROP2", "same@example.jp")),
    ]
