"""What an error at HEAD holds back (provision/holding.py), from located problems."""

from __future__ import annotations

from datetime import date

from accessreg.model.problems import Problem, problem
from accessreg.outputs.csv_ import Encoding
from accessreg.provision import state as recorded
from accessreg.provision.holding import hold
from accessreg.provision.state import State

PRESENT = [
    "systems.yaml",
    "operators/AAAA0001.yaml",
    "users/AAAA0001/a1@a.example.jp.yaml",
    "users/AAAA0001/a2@a.example.jp.yaml",
    "operators/BBBB0001.yaml",
    "users/BBBB0001/b1@b.example.jp.yaml",
]


def error(rel: str, rule: str = "schema") -> Problem:
    return problem(f"registry/{rel}", rule, "bad").located(2, 1)


def test_an_error_in_a_user_file_holds_that_file_only() -> None:
    found = hold([error("users/AAAA0001/a1@a.example.jp.yaml")], PRESENT)
    assert found.files == {"users/AAAA0001/a1@a.example.jp.yaml"}
    assert list(found.operators()) == ["AAAA0001"] and found.refused == ()


def test_an_error_in_an_operator_file_holds_the_operator_and_its_users() -> None:
    found = hold([error("operators/BBBB0001.yaml", "contact-primary")], PRESENT)
    assert found.files == {"operators/BBBB0001.yaml", "users/BBBB0001/b1@b.example.jp.yaml"}
    assert found.files_of("BBBB0001") == sorted(found.files)


def test_a_file_not_at_head_is_never_held() -> None:
    gone = "users/AAAA0001/gone@a.example.jp.yaml"
    assert hold([error(gone)], PRESENT).files == frozenset()


def test_an_error_in_a_shared_file_refuses_and_a_stray_file_holds_nothing() -> None:
    found = hold([error("systems.yaml", "catalog-consistency"), error("notes.txt")], PRESENT)
    assert [p.file for p in found.refused] == ["registry/systems.yaml"]
    assert found.files == frozenset()
    assert [p.file for p in found.problems] == ["registry/notes.txt"]


def test_the_state_records_an_encoding_other_than_utf_8_and_only_that() -> None:
    """A run in UTF-8 writes the state as the versions before the key did (they read it);
    one in CP932 records it, for the plans that judge what it holds back."""
    day = date(2026, 12, 8)
    utf8 = recorded.applied(State(), "a" * 40, day, None)
    assert b'"encoding"' not in recorded.dump(utf8)["state.json"]
    cp932 = recorded.applied(State(), "a" * 40, day, None, encoding=Encoding.CP932)
    read = recorded.load(recorded.dump(cp932))
    assert read.encoding is Encoding.CP932 and recorded.load(recorded.dump(utf8)) == utf8
