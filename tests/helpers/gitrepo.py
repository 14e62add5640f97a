"""Real git repositories for tests, built with gitpython around a ``RegistryFactory``."""

from __future__ import annotations

from pathlib import Path

import git

from tests.helpers.regfactory import RegistryFactory


class GitRegistry:
    """A registry factory whose repository directory is a git repository on ``main``."""

    def __init__(self, reg: RegistryFactory) -> None:
        self.reg = reg
        self.path: Path = reg.repo
        self.repo = git.Repo.init(reg.repo, initial_branch="main")
        with self.repo.config_writer() as config:
            config.set_value("user", "name", "Test")
            config.set_value("user", "email", "test@example.jp")
            config.set_value("commit", "gpgsign", "false")
        self.commit("base registry")

    def commit(self, message: str) -> str:
        """Stage everything (deletions too) and commit; the new commit id."""
        self.repo.git.add("-A")
        self.repo.git.commit("-q", "--allow-empty", "-m", message)
        return self.rev()

    def branch(self, name: str, start: str = "main") -> None:
        self.repo.git.checkout("-q", "-b", name, start)

    def checkout(self, name: str) -> None:
        self.repo.git.checkout("-q", name)

    def merge(self, name: str) -> str:
        self.repo.git.merge("-q", "--no-ff", "--no-edit", name)
        return self.rev()

    def rev(self, name: str = "HEAD") -> str:
        if name == "HEAD":  # read from the files: a git process for each commit and merge
            return str(self.repo.head.commit.hexsha)
        return str(self.repo.git.rev_parse(name))

    def close(self) -> None:
        self.repo.close()

    def write(self, rel: str, text: str) -> Path:
        """Write a file relative to the repository root (not the registry)."""
        path = self.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def remove(self, rel: str) -> None:
        """Remove a file relative to the registry directory."""
        (self.reg.root / rel).unlink()

    def move(self, old: str, new: str) -> None:
        """Move a file relative to the registry directory, creating the target directory."""
        target = self.reg.root / new
        target.parent.mkdir(parents=True, exist_ok=True)
        (self.reg.root / old).rename(target)
