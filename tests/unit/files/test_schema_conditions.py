"""Conditional parts of the generated schemas fire only when their condition holds."""

from __future__ import annotations

from tests.helpers.regfactory import RegistryFactory


def test_an_operator_without_status_is_active_and_needs_no_termination_date(
    reg: RegistryFactory,
) -> None:
    reg.operator(status=None)  # the factory drops None fields: `status` is left out
    assert reg.validate().problems == []


def test_a_terminated_operator_needs_its_termination_date(reg: RegistryFactory) -> None:
    reg.operator(status="terminated")
    found = {(p.rule, p.file) for p in reg.validate().problems}
    assert ("schema", "registry/operators/TESTOP01.yaml") in found
