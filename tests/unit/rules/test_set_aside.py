"""A file missing a required field, or holding it empty, is still judged by every rule that
can judge the rest of it (``files.salvage``): every required field of the user and operator
models, each with errors seeded in the file's other fields."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from accessreg.model import Operator, User, layout
from accessreg.model.layout import Kind
from accessreg.model.problems import DataPath
from tests.helpers.regfactory import OPERATOR, USER, RegistryFactory, contact, operator_data, shown

OTHER = "TESTOP02"
CLASHING = "user1@test-gas.example.co.jp"  # the baseline user's ID, taken again in OTHER
OTHER_USER = layout.user_file(OTHER, CLASHING)

Seen = set[tuple[str, str, DataPath]]


def required(model: type[Any]) -> list[str]:
    return [name for name, field in model.model_fields.items() if field.is_required()]


def judged(reg: RegistryFactory) -> Seen:
    return {(p.rule, p.file, p.path) for p in reg.validate().problems}


def written(reg: RegistryFactory, kind: Kind, rel: str, data: dict[str, Any], field: str,
            how: str) -> None:  # fmt: skip
    """``data`` in ``rel`` without ``field`` (missing) or with it written empty."""
    data = {k: v for k, v in data.items() if k != field}
    if how == "empty":
        data[field] = None
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if how == "empty":
        assert f"{field}: null\n" in body
        body = body.replace(f"{field}: null\n", f"{field}:\n")
    reg.write(rel, f"{layout.schema_comment(kind, rel)}\n{body}")


def user_seeds(reg: RegistryFactory) -> tuple[dict[str, Any], dict[str, Seen]]:
    """A user of OTHER with an error for each field a rule judges; the findings by field."""
    reg.operator(OTHER, contacts=[contact(n=2)], subcontractors=None)
    data = {
        "email": CLASHING,
        "name": "試験 次郎",
        "name_kana": "シケン ジロウ",
        "affiliation": "TESTOP01",  # not OTHER's
        "permissions": {"taxis": "1110"},  # abolished
    }
    mine = shown(OTHER_USER)
    return data, {
        "email": {
            ("login-id-unique", mine, ("email",)),
            ("login-id-unique", shown(USER), ("email",)),
        },
        "affiliation": {("affiliation", mine, ("affiliation",))},
        "permissions": {("permission-abolished", mine, ("permissions", "taxis"))},
    }


def operator_seeds(reg: RegistryFactory) -> tuple[dict[str, Any], dict[str, Seen]]:
    """The operator with an error for each field a rule judges, and one that none reads;
    the findings by field ("": none of them)."""
    reg.user(permissions={"taxis": "1011", "loacus": "03010"})  # needs the manufacturer role
    data = {
        **operator_data(),
        "roles": ["gas_retailer", "wheeling_client"],
        "contacts": [contact(), contact(n=2)],  # two primaries
        "subcontractors": [
            {"code": "TESTSUB1", "name": "テスト委託株式会社"},
            {"code": "TESTSUB1", "name": "テスト委託株式会社"},  # declared twice
            {"code": "TESTOP01", "name": "テスト自社"},  # the operator's own code
        ],
    }
    mine = shown(OPERATOR)
    return data, {
        "": {("subcontractor-code", mine, ("subcontractors", 1, "code"))},
        "code": {("subcontractor-code", mine, ("subcontractors", 2, "code"))},
        "roles": {("system-role", shown(USER), ("permissions", "loacus"))},
        "contacts": {("contact-primary", mine, ("contacts", 1))},
    }


def test_every_user_seed_is_reported_with_every_field_present(reg: RegistryFactory) -> None:
    data, seeds = user_seeds(reg)
    written(reg, Kind.USER, OTHER_USER, data, "", "")
    assert judged(reg) == set().union(*seeds.values())


def test_every_operator_seed_is_reported_with_every_field_present(reg: RegistryFactory) -> None:
    data, seeds = operator_seeds(reg)
    written(reg, Kind.OPERATOR, OPERATOR, data, "", "")
    assert judged(reg) == set().union(*seeds.values())


@pytest.mark.parametrize("how", ["missing", "empty"])
@pytest.mark.parametrize("field", required(User))
def test_a_user_without_a_field_is_judged_on_the_rest(
    reg: RegistryFactory, field: str, how: str
) -> None:
    data, seeds = user_seeds(reg)
    written(reg, Kind.USER, OTHER_USER, data, field, how)
    others = set().union(*(seen for name, seen in seeds.items() if name != field))
    assert judged(reg) == {("schema", shown(OTHER_USER), (field,)), *others}


@pytest.mark.parametrize("how", ["missing", "empty"])
@pytest.mark.parametrize("field", required(Operator))
def test_an_operator_without_a_field_is_judged_on_the_rest(
    reg: RegistryFactory, field: str, how: str
) -> None:
    data, seeds = operator_seeds(reg)
    written(reg, Kind.OPERATOR, OPERATOR, data, field, how)
    others = set().union(*(seen for name, seen in seeds.items() if name != field))
    assert judged(reg) == {("schema", shown(OPERATOR), (field,)), *others}


@pytest.mark.parametrize("field", ["roles", "contacts"])
def test_an_empty_list_is_set_aside_as_a_missing_one(reg: RegistryFactory, field: str) -> None:
    data, seeds = operator_seeds(reg)
    written(reg, Kind.OPERATOR, OPERATOR, {**data, field: []}, "", "")
    others = set().union(*(seen for name, seen in seeds.items() if name != field))
    assert judged(reg) == {("schema", shown(OPERATOR), (field,)), *others}
