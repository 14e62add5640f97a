"""Edit a registry file the way a person would: change one thing, keep every comment and quote.

The only home of ruamel.yaml (round-trip YAML). Reading for validation stays in ``yamlsafe``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from ruamel.yaml import YAML


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, key order and quotes survive
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long value onto a new line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def without_keys(raw: bytes, mapping: str, keys: Iterable[str]) -> bytes:
    """``raw`` with ``keys`` removed from the top-level mapping named ``mapping``."""
    yaml = _yaml()
    data: Any = yaml.load(raw.decode("utf-8"))
    inner = data[mapping]
    for key in keys:
        inner.pop(key, None)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue().encode("utf-8")
