"""A damaged cache is a miss: every command gives what it gives without the cache.

The workflows restore the cache from run to run, so one bad row would otherwise stop every
later run of every operator. A row is damaged here in the two ways it can be: bytes that do
not unpickle (a corrupted file; the unpickler raises whatever they lead it to), and a value
of another kind than its table keeps (what other versions of the libraries read back).
"""

from __future__ import annotations

import pickle
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import accessreg, merge, tree
from tests.helpers.regfactory import RegistryFactory

SAMPLE = Path(__file__).resolve().parents[2] / "registry"
ON = ["--today", "2026-12-03", "--accepted-on", "2026-12-03"]
# bytes the unpickler rejects with a ValueError; a value no table keeps
DAMAGE = {"unreadable": b"\x80\x05I12x\n.", "foreign": pickle.dumps(42)}
TABLES = ["parsed", "groups", "trees", "shares", "units", "carried", "owed"]


@pytest.fixture
def applied(reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRegistry:
    """The sample registry applied, then a merge changing two users' memos; the cache as
    the merge's run left it, in ``tmp_path / "kept"``."""
    monkeypatch.setenv("ACCESSREG_LANG", "en")
    monkeypatch.setenv("ACCESSREG_CACHE_DIR", str(tmp_path / "kept"))
    shutil.rmtree(reg.root)
    shutil.copytree(SAMPLE, reg.root)
    gr = GitRegistry(reg)
    first = accessreg(gr, "apply", "--out", str(tmp_path / "first"), "--initial", "--confirm", *ON)
    assert first.returncode == 0, first.stderr

    def memos() -> None:
        for path in sorted((reg.root / "users").glob("*/*.yaml"))[:2]:
            text = re.sub(r"(?m)^memo: .*\n", "", path.read_text("utf-8"))
            path.write_text(text + "memo: 変更申請\n", "utf-8")

    merge(gr, "memos", memos)
    warm = accessreg(gr, "apply", "--out", str(tmp_path / "warm"), *ON)
    assert warm.returncode == 0, warm.stderr
    return gr


def _damage(directory: Path, table: str, value: bytes) -> int:
    """Every row of ``table`` in every namespace replaced with ``value``; how many."""
    rows = 0
    for path in directory.glob("cache-*.sqlite3"):
        db = sqlite3.connect(path)
        with db:
            rows += db.execute(f"UPDATE {table} SET value = ?", (value,)).rowcount
        db.close()
    return rows


def _holding(directory: Path, table: str, value: bytes) -> int:
    held = 0
    for path in directory.glob("cache-*.sqlite3"):
        db = sqlite3.connect(path)
        held += db.execute(f"SELECT count(*) FROM {table} WHERE value = ?", (value,)).fetchone()[0]
        db.close()
    return held


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_row_is_a_miss_and_is_replaced(
    applied: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """For each table in turn, on a copy of the kept cache: the run writes the bytes that
    reading everything (``--full``) writes, and the damaged rows are gone after it, so that
    the next run finds the cache whole again. ``validate`` of the merge agrees too."""
    whole = accessreg(applied, "apply", "--out", str(tmp_path / "whole"), "--full", *ON)
    assert whole.returncode == 0, whole.stderr
    expected = tree(tmp_path / "whole")
    checked = accessreg(applied, "validate", "--changed-since", "HEAD~1", "--today", ON[1])
    damaged = set()
    for table in TABLES:
        copy = tmp_path / f"cache-{table}"
        shutil.copytree(tmp_path / "kept", copy)
        if not _damage(copy, table, DAMAGE[kind]):
            continue  # the sample's shares are too small to be kept in units
        damaged.add(table)
        monkeypatch.setenv("ACCESSREG_CACHE_DIR", str(copy))
        out = tmp_path / f"out-{table}"
        ran = accessreg(applied, "apply", "--out", str(out), *ON)
        assert ran.returncode == 0, (table, ran.stderr)
        assert tree(out) == expected, table
        assert not _holding(copy, table, DAMAGE[kind]), table
        assert _damage(copy, table, DAMAGE[kind]), table
        again = accessreg(applied, "validate", "--changed-since", "HEAD~1", "--today", ON[1])
        assert (again.returncode, again.stdout) == (checked.returncode, checked.stdout), table
    assert damaged >= {"parsed", "groups", "trees", "shares", "carried"}
