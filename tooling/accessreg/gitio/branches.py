"""Branches the tooling proposes changes on: one commit on a base, created once, kept current.

A proposal (e.g. the deletion application for long-unused IDs) is one commit whose parent is
the base and whose tree is the base's with some files removed or rewritten. Re-running puts
the same branch on the current base: unchanged when parent and tree already match, moved
otherwise — never a second branch. Built in a temporary index with plumbing commands, so
neither the work tree nor the checked-out branch is touched.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from accessreg.errors import UsageError
from accessreg.escape import quote
from accessreg.gitio.runner import Git, Opened
from accessreg.model.messages import msg

BranchAction = Literal["created", "updated", "unchanged", "deleted", "absent"]
_ZERO = "0" * 40


@dataclass(frozen=True)
class BranchChange:
    branch: str
    action: BranchAction
    commit: str | None  # the branch's commit afterwards; None once deleted


class Branches(Opened):
    """Local branches of the repository at or above ``start``."""

    def __init__(self, start: Path) -> None:
        self._git = Git(start)

    def _rev(self, rev: str) -> str | None:
        return self._git.maybe("rev-parse", "--verify", "--quiet", "--end-of-options", rev)

    def tip(self, branch: str) -> str | None:
        return self._rev(f"refs/heads/{branch}^{{commit}}")

    def names(self, prefix: str) -> list[str]:
        """Local branches whose names start with ``prefix``."""
        out = self._git.text("for-each-ref", "--format=%(refname:strip=2)", f"refs/heads/{prefix}")
        return sorted(line for line in out.splitlines() if line)

    def put(
        self,
        branch: str,
        base: str,
        removals: Iterable[str],
        writes: Mapping[str, bytes],
        message: str,
    ) -> BranchChange:
        """Point ``branch`` at one commit on ``base`` removing and rewriting files (repo paths).

        When the result equals the base there is nothing to propose and the branch is
        deleted. The commit uses the repository's configured identity.
        """
        base_id = self._rev(f"{base}^{{commit}}")
        if base_id is None:
            raise UsageError(msg("Unknown revision {base}", base=quote(base)))
        base_tree = self._rev(f"{base_id}^{{tree}}")
        lines = [f"0 {_ZERO}\t{path}" for path in removals]
        for path, data in sorted(writes.items()):
            blob = self._git.text("hash-object", "-w", "--stdin", data=data)
            lines.append(f"100644 {blob}\t{path}")
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            self._git.run("read-tree", base_id, env=env)
            index_info = "".join(f"{li}\0" for li in lines).encode()
            self._git.run("update-index", "-z", "--index-info", data=index_info, env=env)
            tree = self._git.text("write-tree", env=env)
        if tree == base_tree:
            return self.delete(branch)
        old = self.tip(branch)
        if old is not None and self._rev(f"{old}^{{tree}}") == tree:
            parents = self._git.text("rev-list", "--parents", "-n", "1", old).split()[1:]
            if parents == [base_id]:
                return BranchChange(branch, "unchanged", old)
        commit = self._git.text("commit-tree", tree, "-p", base_id, data=message.encode())
        self._git.run("update-ref", f"refs/heads/{branch}", commit, old or _ZERO)
        return BranchChange(branch, "created" if old is None else "updated", commit)

    def delete(self, branch: str) -> BranchChange:
        old = self.tip(branch)
        if old is None:
            return BranchChange(branch, "absent", None)
        self._git.run("update-ref", "-d", f"refs/heads/{branch}", old)
        return BranchChange(branch, "deleted", None)
