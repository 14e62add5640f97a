"""A run rendering every operator puts their shares in a store as it renders them, and the
outputs copy from there: the same bytes as shares held in memory, without holding them all."""

from __future__ import annotations

import io
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from accessreg.effects.session import Session
from accessreg.files import assembled
from accessreg.model.content import SameAs, Slice
from accessreg.outputs import fragments
from accessreg.outputs.fragments import Fragment
from accessreg.provision import apply, shares
from accessreg.provision import state as recorded
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import accessreg, merge, tree
from tests.helpers.regfactory import RegistryFactory

SAMPLE = Path(__file__).resolve().parents[3] / "registry"
DAY = date(2026, 12, 3)


@pytest.fixture
def sample(reg: RegistryFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRegistry:
    monkeypatch.setenv("ACCESSREG_CACHE_DIR", str(tmp_path / "cache"))
    # Every share is put in the store as soon as it is rendered.
    monkeypatch.setattr(shares._Spill, "_BYTES", 1)
    shutil.rmtree(reg.root)
    shutil.copytree(SAMPLE, reg.root)
    return GitRegistry(reg)


def _full(gr: GitRegistry, scratch: Path | None) -> apply.ApplyPlan:
    """The plan of a first ``apply --full``, its shares put in ``scratch`` if given."""
    request = apply.ApplyRequest(
        root=gr.path, out=gr.path.parent / "out", today=DAY, accepted_on=DAY, env={},
        initial=True, full=True,
    )  # fmt: skip
    with Session.open(gr.path) as session:
        head = session.repo.resolve("HEAD")
        state = recorded.State()
        isolated = apply.examine(session.repo, state, request, head)
        return apply.plan(
            session.repo, state, request, session.sender, head, isolated, scratch=scratch
        )


def _written(planned: apply.ApplyPlan) -> dict[str, bytes]:
    found = {}
    files = planned.run.files
    for name, content in files.items():
        if not isinstance(content, SameAs):
            out = io.BytesIO()
            assembled.write(out, content)
            found[name] = out.getvalue()
    found.update({n: found[c.name] for n, c in files.items() if isinstance(c, SameAs)})
    return found


def _slices(planned: apply.ApplyPlan) -> list[bool]:
    return [
        isinstance(piece, Slice)
        for share in planned.shares.fragments
        for piece in share.pieces().values()
    ]


def test_full_renders_into_a_store_of_its_own_and_writes_the_same_bytes(
    sample: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = _full(sample, None)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    puts: list[int] = []  # how many shares each visit to the store puts
    put = shares.ShareStore.put

    def counted(store: shares.ShareStore, kept: dict[str, Fragment]) -> None:
        puts.append(len(kept))
        put(store, kept)

    monkeypatch.setattr(shares.ShareStore, "put", counted)
    spilled = _full(sample, scratch)
    # One at a time, as each is rendered (every share is over the 1-byte threshold).
    assert puts and set(puts) <= {0, 1} and puts.count(1) == len(spilled.shares.fragments)
    assert _slices(held) and not any(_slices(held))  # nowhere to put them: in memory
    assert all(_slices(spilled))
    assert {Path(p.path).is_relative_to(scratch) for s in spilled.shares.fragments
            for p in s.pieces().values() if isinstance(p, Slice)} == {True}  # fmt: skip
    assert not (tmp_path / "cache").exists()  # --full reads and writes no cache
    assert _written(spilled) == _written(held)
    # Where each holder's bytes lie stays known: the deltas take them from the store.
    shown = fragments.Shown(spilled.shares.fragments, assembled.read)
    holders = [h for share in spilled.shares.fragments for h in share.holders]
    assert holders and all(shown.unit("scim", h) is not None for h in holders)


def test_a_run_with_an_empty_cache_keeps_each_share_before_it_renders_the_next(
    sample: GitRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run after an upgrade (a new cache) renders every operator outside its
    scope: each share goes to the store as it comes, not after all of them (at 200,000
    users, holding them all took the run over 1 GiB), and the outputs are those of
    ``--full``."""
    day = ["--today", DAY.isoformat(), "--accepted-on", DAY.isoformat()]
    first = accessreg(sample, "apply", "--out", str(tmp_path / "a"), "--initial", "--confirm",
                      *day)  # fmt: skip
    assert first.returncode == 0, first.stderr
    user = sorted((sample.reg.root / "users").glob("*/*.yaml"))[0]
    merge(sample, "memo", lambda: user.write_text(user.read_text("utf-8") + "memo: 変更\n",
                                                  "utf-8"))  # fmt: skip
    shutil.rmtree(tmp_path / "cache")
    events: list[str] = []
    render, put = fragments.render, shares.ShareStore.put

    def rendering(*args: Any, **kwargs: Any) -> Fragment:
        events.append("render")
        return render(*args, **kwargs)

    def putting(store: shares.ShareStore, kept: dict[str, Fragment]) -> None:
        events.extend(["put"] * bool(kept))
        put(store, kept)

    monkeypatch.setattr(fragments, "render", rendering)
    monkeypatch.setattr(shares.ShareStore, "put", putting)
    request = apply.ApplyRequest(
        root=sample.path, out=tmp_path / "run", today=DAY, accepted_on=DAY, env=dict(os.environ)
    )
    done = apply.run(request)
    assert done.rendered[0] == done.rendered[1] > 1  # every operator: nothing was cached
    # An operator without holders has an empty share, kept with the next one.
    runs = "".join("r" if e == "render" else "," for e in events).split(",")
    assert max(len(r) for r in runs) <= 2, events
    full = accessreg(sample, "apply", "--out", str(tmp_path / "full"), "--full", *day)
    assert full.returncode == 0, full.stderr
    assert tree(tmp_path / "run") == tree(tmp_path / "full")
