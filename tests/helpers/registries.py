"""Load registries built by ``RegistryFactory`` into models, for tests of pure renderers;
generate larger ones as the benchmarks do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from accessreg.files.loading import load
from accessreg.files.sources import DirectorySource
from accessreg.model.registry import Registry
from tests.helpers.regfactory import ROOT, RegistryFactory


def generated(out: Path, *args: str) -> Path:
    """A registry written into the repository directory ``out`` by the benchmarks'
    generator, with its options ``args`` (sizes, problems planted); ``out``."""
    generator = ROOT / "benchmarks" / "make_registry.py"
    subprocess.run([sys.executable, str(generator), str(out), *args], check=True,
                   capture_output=True)  # fmt: skip
    return out


def loaded(reg: RegistryFactory) -> Registry:
    """The registry as the tools see it (schemas checked; the policy rules are not run)."""
    result = load(DirectorySource(reg.root, "registry"))
    assert result.registry is not None, result.problems
    assert not [p for p in result.problems if p.level == "error"], result.problems
    return result.registry


def loaded_with_problems(reg: RegistryFactory) -> Registry:
    """The registry as far as it loads, whatever its files' own problems."""
    result = load(DirectorySource(reg.root, "registry"))
    assert result.registry is not None, result.problems
    return result.registry


def parses_counted(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> list[str]:
    """The files ``module`` has parsed (``parse_all``, not taken from a cache) from now on,
    in order: filled as the test runs."""
    seen: list[str] = []
    real = module.parse_all

    def counting(source: object, by_kind: object, items: list[tuple[str, object]]) -> object:
        seen.extend(rel for rel, _ in items)
        return real(source, by_kind, items)

    monkeypatch.setattr(module, "parse_all", counting)
    return seen
