"""Which provisional keys receive which operator code (plan/issued.py), on loaded registries."""

from __future__ import annotations

from typing import Any

from accessreg.plan.issued import issued_codes
from tests.helpers.regfactory import RegistryFactory, contact
from tests.helpers.registries import loaded


def _applicant(reg: RegistryFactory, code: str, window: int, **over: Any) -> None:
    data: dict[str, Any] = {
        "roles": ["electricity_retailer"],
        "systems": ["member_portal"],
        "contacts": [contact(n=window, email=f"window{window}@applicant.example.jp")],
        "subcontractors": None,
        "membership": {"status": "provisional", "provisional_since": "2026-09-14"},
    }
    reg.operator(code, **{**data, **over})


def _member(reg: RegistryFactory, code: str, window: int) -> None:
    member = {"status": "member", "member_since": "2026-12-01"}
    _applicant(reg, code, window, occto_member=True, membership=member)


def test_one_applicant_gone_and_one_code_new_are_one_operator(reg: RegistryFactory) -> None:
    _applicant(reg, "PROV-A", 7, name="仮の名前")
    before = loaded(reg)
    (reg.root / "operators/PROV-A.yaml").unlink()
    _member(reg, "CODEA001", 7)  # however much its file changed on the way
    assert issued_codes(before, loaded(reg)) == {"PROV-A": "CODEA001"}


def test_an_applicant_gone_beside_an_unrelated_new_operator_is_no_move(
    reg: RegistryFactory,
) -> None:
    """One key gone and one code new in the same change were paired whoever their window
    persons: an applicant withdrawing beside an unrelated new operator was planned and
    told as that operator's usage change, its own window persons never told its use ended."""
    _applicant(reg, "PROV-A", 7)
    before = loaded(reg)
    (reg.root / "operators/PROV-A.yaml").unlink()
    _member(reg, "CODEX001", 8)
    assert issued_codes(before, loaded(reg)) == {}


def test_several_pair_by_the_window_persons_each_keeps(reg: RegistryFactory) -> None:
    _applicant(reg, "PROV-A", 7)
    _applicant(reg, "PROV-B", 8)
    _applicant(reg, "PROV-C", 9)
    before = loaded(reg)
    for key in ("A", "B", "C"):
        (reg.root / f"operators/PROV-{key}.yaml").unlink()
    _member(reg, "CODEA001", 7)
    _member(reg, "CODEB001", 8)
    _member(reg, "CODEX001", 5)  # keeps no applicant's window person: another operator
    _member(reg, "CODEC001", 9)  # two codes keep PROV-C's: neither is surely its
    _member(reg, "CODEC002", 9)
    after = loaded(reg)
    assert issued_codes(before, after) == {"PROV-A": "CODEA001", "PROV-B": "CODEB001"}


def test_a_code_two_applicants_reach_is_neither_s(reg: RegistryFactory) -> None:
    _applicant(reg, "PROV-A", 7)
    _applicant(reg, "PROV-B", 8)
    before = loaded(reg)
    for key in ("A", "B"):
        (reg.root / f"operators/PROV-{key}.yaml").unlink()
    reg.operator(
        "CODEA001",
        roles=["electricity_retailer"],
        systems=["member_portal"],
        contacts=[contact(n=n, email=f"window{n}@applicant.example.jp") for n in (7, 8)],
        subcontractors=None,
        occto_member=True,
        membership={"status": "member", "member_since": "2026-12-01"},
    )
    _member(reg, "CODEB001", 5)
    assert issued_codes(before, loaded(reg)) == {}


def test_a_key_still_there_or_a_code_already_there_is_no_issue(reg: RegistryFactory) -> None:
    _applicant(reg, "PROV-A", 7)
    before = loaded(reg)
    _member(reg, "CODEA001", 7)  # added while the applicant stays
    assert issued_codes(before, loaded(reg)) == {}
    (reg.root / "operators/PROV-A.yaml").unlink()
    # TESTOP01, there before, is no code the applicant received.
    assert issued_codes(before, loaded(reg)) == {"PROV-A": "CODEA001"}
    (reg.root / "operators/CODEA001.yaml").unlink()
    assert issued_codes(before, loaded(reg)) == {}
