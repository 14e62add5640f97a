"""Finding the repository and its registry from where a command runs."""

from __future__ import annotations

import os
from pathlib import Path

from accessreg.errors import ConfigError
from accessreg.model.layout import REGISTRY_DIR, SCHEMAS_DIR
from accessreg.model.messages import msg


def repository_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` holding ``.git``; else ``start`` itself."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return here


def registry_dir(option: Path | None) -> Path:
    path = option if option is not None else repository_root() / REGISTRY_DIR
    if not path.is_dir():
        raise ConfigError(
            msg("No registry directory at {path} (use --registry DIR)", path=str(path))
        )
    return path


def schemas_dir(registry: Path) -> Path | None:
    """``schemas/`` beside the registry, where the committed schemas live, if there is one."""
    path = registry.resolve().parent / SCHEMAS_DIR
    return path if path.is_dir() else None


def display(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when below it."""
    try:
        rel = os.path.relpath(path, Path.cwd())
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel.replace(os.sep, "/")
