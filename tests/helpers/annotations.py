"""What the GitHub reporter puts in an annotation's title, for the tests that read one."""

from __future__ import annotations

from accessreg.escape import workflow_property
from accessreg.reporting.headlines import headline


def title(rule: str) -> str:
    """An annotation's title: what the rule means (in English, the tests' language), as a
    workflow command property."""
    return workflow_property(headline(rule, "en").replace("`", ""))
