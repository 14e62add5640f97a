"""``layout.split`` is ``classify`` and ``operator_of`` at once, for every kind of path."""

from __future__ import annotations

import pytest

from accessreg.model import layout

PATHS = [
    "systems.yaml",
    "maintainers.yaml",
    "calendar.yaml",
    "README.md",
    "operators/ABC.yaml",
    "operators/.yaml",
    "operators/ABC.yml",
    "operators/a@b.example.jp.yaml",
    "operators/ABC/x.yaml",
    "users/ABC/a@b.example.jp.yaml",
    "users/ABC/.yaml",
    "users//a.yaml",
    "users/ABC/DEF/a.yaml",
    "users/ABC/a.yaml.txt",
    "users/ABC/A.YAML",
    "users/ABC",
    "stray.txt",
    "x/y/z.yaml",
]


@pytest.mark.parametrize("rel", PATHS)
def test_split_agrees_with_classify_and_operator_of(rel: str) -> None:
    assert layout.split(rel) == (layout.classify(rel), layout.operator_of(rel))
